//! The change log: how nodes learn what changed.
//!
//! Every write that some node keeps a copy of (an index, a cache, a kept page) publishes a
//! [`Topic`] with the id of what changed, in the same transaction as the write, so the change
//! and its announcement commit together or not at all. Nodes read the log in order
//! ([`since`]); on PostgreSQL a commit also wakes them through `NOTIFY` on [`CHANNEL`], so they
//! need not wait for their next poll. Each company's field-by-field history stays in
//! `company_changes`; this log only says which company to read again.

use crate::{Result, all, exec, now_iso, one};
use sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult};

/// What changed. Stored by its name ([`Topic::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A regulatory case: its state, timeline, files, referrals, links or follow-ups (id: case).
    Case,
    /// A public summary of a solved case (id: summary).
    Summary,
    /// A company's plan for setting up abroad (id: plan).
    Plan,
    /// A playbook version was published (id: playbook).
    Playbook,
    /// An officer's saved queue filters (id: user).
    SavedFilter,
    /// An agency or its staff (id: agency).
    Staff,
    /// A company's profile or consent (id: company).
    Company,
    /// A company's extra facts or awards, which eligibility reads (id: company).
    CompanyFacts,
    /// The published program catalog (id: program).
    Programs,
    /// Reference data: countries, HS codes, regions, KSIC, thresholds (id: its new version).
    ReferenceData,
    /// The desk's routing rules, service-level targets or holidays (id: 0).
    DeskSettings,
}

impl Topic {
    pub const ALL: [Topic; 11] = [
        Topic::Case,
        Topic::Summary,
        Topic::Plan,
        Topic::Playbook,
        Topic::SavedFilter,
        Topic::Staff,
        Topic::Company,
        Topic::CompanyFacts,
        Topic::Programs,
        Topic::ReferenceData,
        Topic::DeskSettings,
    ];

    /// The name in the log. The first six are the names the log used before it had topics.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Case => "case",
            Topic::Summary => "kb",
            Topic::Plan => "plan",
            Topic::Playbook => "playbook",
            Topic::SavedFilter => "filter",
            Topic::Staff => "staff",
            Topic::Company => "company",
            Topic::CompanyFacts => "company_facts",
            Topic::Programs => "programs",
            Topic::ReferenceData => "reference",
            Topic::DeskSettings => "desk_settings",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The PostgreSQL notification channel a commit with changes wakes.
pub const CHANNEL: &str = "globaldesk_changes";

/// Records that `topic` `id` changed, in the caller's transaction.
pub async fn publish(c: &impl ConnectionTrait, topic: Topic, id: i64) -> Result<()> {
    exec(c, "INSERT INTO case_changes (kind, ref_id, at) VALUES ($1, $2, $3)", vec![topic.as_str().into(), id.into(), now_iso().into()])
        .await?;
    notify(c).await
}

/// Wakes the other nodes when the caller's transaction commits (PostgreSQL delivers a `NOTIFY`
/// only on commit, and one per distinct payload per transaction). Nothing to do on SQLite: one
/// process owns the file, and its own poll finds the change.
pub async fn notify(c: &impl ConnectionTrait) -> Result<()> {
    if c.get_database_backend() == DatabaseBackend::Postgres {
        exec(c, &format!("SELECT pg_notify('{CHANNEL}', '')"), vec![]).await?;
    }
    Ok(())
}

/// One entry of the log. `topic` is None for a name this build does not know (a newer node
/// wrote it); readers skip those.
#[derive(Debug, Clone)]
pub struct Change {
    pub id: i64,
    pub topic: Option<Topic>,
    pub ref_id: i64,
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    kind: String,
    ref_id: i64,
}

/// Changes after `since`, oldest first, at most 5,000 (the rest come on the next call).
pub async fn since(c: &impl ConnectionTrait, since: i64) -> Result<Vec<Change>> {
    // The inner `ORDER BY id LIMIT` keeps the plan an index range scan on PostgreSQL.
    let rows: Vec<Row> = all(
        c,
        "SELECT id, kind, ref_id FROM (SELECT id, kind, ref_id FROM case_changes WHERE id > $1 ORDER BY id LIMIT 5000) x ORDER BY id",
        vec![since.into()],
    )
    .await?;
    Ok(rows.into_iter().map(|r| Change { id: r.id, topic: Topic::parse(&r.kind), ref_id: r.ref_id }).collect())
}

/// Where the log ends now.
pub async fn last(c: &impl ConnectionTrait) -> Result<i64> {
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let n: Option<N> = one(c, "SELECT COALESCE(MAX(id), 0) AS n FROM case_changes", vec![]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}

/// On PostgreSQL, a stream of wake-ups: each item says some transaction with changes committed.
/// None on SQLite. The listener has its own connection; when it drops, the caller's poll goes
/// on and may call this again.
pub async fn listen(store: &crate::Store) -> Result<Option<sea_orm::sqlx::postgres::PgListener>> {
    if store.db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(None);
    }
    let pool = store.db.get_postgres_connection_pool();
    let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool)
        .await
        .map_err(|e| crate::StoreError::Invalid(format!("could not listen for changes: {e}")))?;
    listener.listen(CHANNEL).await.map_err(|e| crate::StoreError::Invalid(format!("could not listen for changes: {e}")))?;
    Ok(Some(listener))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_has_one_name_that_reads_back() {
        let names: std::collections::HashSet<_> = Topic::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names.len(), Topic::ALL.len(), "names are distinct");
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(t));
        }
        assert_eq!(Topic::parse("no-such-topic"), None);
    }

    /// Only `publish` writes the log: it is what also wakes the other nodes. A row written
    /// straight into the table once left PostgreSQL nodes waiting for their slower poll.
    #[test]
    fn nothing_but_publish_writes_the_log() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "changes.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains("INSERT INTO case_changes"), "{} writes the change log without publish()", path.display());
        }
    }
}
