//! Regulatory cases: rows, the timeline, clock pauses, attachments, referrals, links and
//! follow-up tasks. Rules about who may do what live in the web layer's `case_svc` and in
//! `domain::case`; this module only reads and writes, and refuses a stale version instead of
//! overwriting another officer's change.

use crate::changes::Topic;
use crate::{Count, Result, StoreError, all, exec, insert_id, now_iso, one};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Case {
    pub id: i64,
    pub company_id: i64,
    pub created_by: Option<i64>,
    pub category: String,
    pub country: String,
    pub title: String,
    pub description: String,
    pub impact_krw: Option<i64>,
    pub deadline: Option<String>,
    pub status: String,
    pub waiting_on: String,
    pub priority: String,
    pub agency_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub merged_into: Option<i64>,
    pub submitted_at: Option<String>,
    pub first_response_at: Option<String>,
    pub resolved_at: Option<String>,
    pub due_on: Option<String>,
    pub first_response_due_on: Option<String>,
    pub paused_business_days: i64,
    pub paused_since: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub company_name_ko: String,
    pub company_name_en: Option<String>,
    pub agency_code: Option<String>,
    pub agency_name_ko: Option<String>,
    pub agency_name_en: Option<String>,
    pub assignee_name: Option<String>,
}

const SELECT: &str = "SELECT k.id, k.company_id, k.created_by, k.category, k.country, k.title, k.description, k.impact_krw, k.deadline, \
    k.status, k.waiting_on, k.priority, k.agency_id, k.assignee_id, k.merged_into, k.submitted_at, k.first_response_at, k.resolved_at, \
    k.due_on, k.first_response_due_on, k.paused_business_days, k.paused_since, k.version, k.created_at, k.updated_at, \
    c.name_ko AS company_name_ko, c.name_en AS company_name_en, a.code AS agency_code, a.name_ko AS agency_name_ko, \
    a.name_en AS agency_name_en, u.display_name AS assignee_name \
    FROM cases k JOIN companies c ON c.id = k.company_id LEFT JOIN agencies a ON a.id = k.agency_id \
    LEFT JOIN users u ON u.id = k.assignee_id";

/// What a company writes when it reports (or edits its draft).
#[derive(Debug, Clone, Default)]
pub struct CaseFields {
    pub category: String,
    pub country: String,
    pub title: String,
    pub description: String,
    pub impact_krw: Option<i64>,
    pub deadline: Option<String>,
    pub hs_codes: Vec<String>,
}

pub async fn insert(c: &impl ConnectionTrait, company_id: i64, user_id: i64, f: &CaseFields, status: &str, at: &str) -> Result<i64> {
    let id = insert_id(
        c,
        "INSERT INTO cases (company_id, created_by, category, country, title, description, impact_krw, deadline, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        vec![
            company_id.into(),
            user_id.into(),
            f.category.clone().into(),
            f.country.clone().into(),
            f.title.clone().into(),
            f.description.clone().into(),
            f.impact_krw.into(),
            f.deadline.clone().into(),
            status.into(),
            at.into(),
        ],
    )
    .await?;
    set_products(c, id, &f.hs_codes).await?;
    crate::changes::publish(c, Topic::Case, id).await?;
    Ok(id)
}

/// Rewrites a draft's fields; only while it is a draft and at the expected version.
pub async fn update_draft(c: &impl ConnectionTrait, id: i64, expected_version: i64, f: &CaseFields) -> Result<()> {
    let n = exec(
        c,
        "UPDATE cases SET category = $1, country = $2, title = $3, description = $4, impact_krw = $5, deadline = $6, \
         version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9 AND status = 'draft'",
        vec![
            f.category.clone().into(),
            f.country.clone().into(),
            f.title.clone().into(),
            f.description.clone().into(),
            f.impact_krw.into(),
            f.deadline.clone().into(),
            now_iso().into(),
            id.into(),
            expected_version.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    set_products(c, id, &f.hs_codes).await?;
    crate::changes::publish(c, Topic::Case, id).await?;
    Ok(())
}

async fn set_products(c: &impl ConnectionTrait, id: i64, codes: &[String]) -> Result<()> {
    exec(c, "DELETE FROM case_products WHERE case_id = $1", vec![id.into()]).await?;
    for code in codes {
        exec(c, "INSERT INTO case_products (case_id, hs_code) VALUES ($1, $2)", vec![id.into(), code.clone().into()]).await?;
    }
    Ok(())
}

pub async fn products(c: &impl ConnectionTrait, id: i64) -> Result<Vec<String>> {
    Ok(products_of(c, CaseSet::Ids(&[id])).await?.into_iter().map(|p| p.hs_code).collect())
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Case>> {
    Ok(one(c, &format!("{SELECT} WHERE k.id = $1"), vec![id.into()]).await?)
}

pub async fn get_many(c: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Case>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::id_list(ids);
    Ok(all(c, &format!("{SELECT} WHERE k.id IN ({list})"), vec![]).await?)
}

/// Writes the workflow state of `k` (status, holder, clock…) if nobody changed the case since
/// `k.version` was read; bumps the version.
pub async fn save_state(c: &impl ConnectionTrait, k: &Case) -> Result<()> {
    let n = exec(
        c,
        "UPDATE cases SET status = $1, waiting_on = $2, priority = $3, agency_id = $4, assignee_id = $5, merged_into = $6, \
         submitted_at = $7, first_response_at = $8, resolved_at = $9, due_on = $10, first_response_due_on = $11, \
         paused_business_days = $12, paused_since = $13, version = version + 1, updated_at = $14 WHERE id = $15 AND version = $16",
        vec![
            k.status.clone().into(),
            k.waiting_on.clone().into(),
            k.priority.clone().into(),
            k.agency_id.into(),
            k.assignee_id.into(),
            k.merged_into.into(),
            k.submitted_at.clone().into(),
            k.first_response_at.clone().into(),
            k.resolved_at.clone().into(),
            k.due_on.clone().into(),
            k.first_response_due_on.clone().into(),
            k.paused_business_days.into(),
            k.paused_since.clone().into(),
            now_iso().into(),
            k.id.into(),
            k.version.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    crate::changes::publish(c, Topic::Case, k.id).await?;
    Ok(())
}

/// Bumps the version and change log without touching state (a reply, a note, an attachment), so
/// that concurrent editors notice and the search index refreshes.
pub async fn touch(c: &impl ConnectionTrait, id: i64) -> Result<()> {
    exec(c, "UPDATE cases SET version = version + 1, updated_at = $1 WHERE id = $2", vec![now_iso().into(), id.into()]).await?;
    crate::changes::publish(c, Topic::Case, id).await
}

// ---- timeline -------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Event {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub actor_id: Option<i64>,
    pub actor_agency_id: Option<i64>,
    pub at: String,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub body: String,
    pub internal: bool,
    pub actor_name: Option<String>,
    pub actor_agency_ko: Option<String>,
    pub actor_agency_en: Option<String>,
}

pub struct NewEvent<'a> {
    pub case_id: i64,
    pub kind: &'a str,
    pub actor_id: Option<i64>,
    pub actor_agency_id: Option<i64>,
    pub from_value: Option<&'a str>,
    pub to_value: Option<&'a str>,
    pub body: &'a str,
    pub internal: bool,
}

pub async fn add_event(c: &impl ConnectionTrait, e: NewEvent<'_>) -> Result<i64> {
    Ok(insert_id(
        c,
        "INSERT INTO case_events (case_id, kind, actor_id, actor_agency_id, at, from_value, to_value, body, internal) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            e.case_id.into(),
            e.kind.into(),
            e.actor_id.into(),
            e.actor_agency_id.into(),
            now_iso().into(),
            e.from_value.map(str::to_string).into(),
            e.to_value.map(str::to_string).into(),
            e.body.into(),
            e.internal.into(),
        ],
    )
    .await?)
}

/// The timeline, oldest first. Companies get `include_internal = false`.
pub async fn events(c: &impl ConnectionTrait, case_id: i64, include_internal: bool) -> Result<Vec<Event>> {
    let mut all = events_of(c, CaseSet::Ids(&[case_id])).await?;
    all.retain(|e| include_internal || !e.internal);
    Ok(all)
}

// ---- clock pauses ---------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Pause {
    pub case_id: i64,
    pub waiting_on: String,
    pub started_on: String,
    pub ended_on: Option<String>,
}

pub async fn open_pause(c: &impl ConnectionTrait, case_id: i64, waiting_on: &str, on: &str) -> Result<()> {
    exec(
        c,
        "INSERT INTO case_pauses (case_id, waiting_on, started_on) VALUES ($1, $2, $3)",
        vec![case_id.into(), waiting_on.into(), on.into()],
    )
    .await?;
    Ok(())
}

pub async fn close_pause(c: &impl ConnectionTrait, case_id: i64, on: &str) -> Result<()> {
    exec(c, "UPDATE case_pauses SET ended_on = $1 WHERE case_id = $2 AND ended_on IS NULL", vec![on.into(), case_id.into()]).await?;
    Ok(())
}

pub async fn pauses(c: &impl ConnectionTrait, case_id: i64) -> Result<Vec<Pause>> {
    pauses_in(c, CaseSet::Ids(&[case_id])).await
}

// ---- attachments ----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Attachment {
    pub id: i64,
    pub case_id: i64,
    pub event_id: Option<i64>,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub uploaded_by: i64,
    pub internal: bool,
    pub at: String,
}

pub struct NewAttachment<'a> {
    pub case_id: i64,
    pub event_id: Option<i64>,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub uploaded_by: i64,
    pub internal: bool,
}

pub async fn add_attachment(c: &impl ConnectionTrait, a: NewAttachment<'_>) -> Result<i64> {
    Ok(insert_id(
        c,
        "INSERT INTO case_attachments (case_id, event_id, file_name, media_type, size_bytes, sha256, storage_key, uploaded_by, internal, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        vec![
            a.case_id.into(),
            a.event_id.into(),
            a.file_name.into(),
            a.media_type.into(),
            a.size_bytes.into(),
            a.sha256.into(),
            a.storage_key.into(),
            a.uploaded_by.into(),
            a.internal.into(),
            now_iso().into(),
        ],
    )
    .await?)
}

const ATT_COLS: &str = "id, case_id, event_id, file_name, media_type, size_bytes, sha256, storage_key, uploaded_by, internal, at";

pub async fn attachments(c: &impl ConnectionTrait, case_id: i64, include_internal: bool) -> Result<Vec<Attachment>> {
    let mut all = attachments_of(c, CaseSet::Ids(&[case_id])).await?;
    all.retain(|a| include_internal || !a.internal);
    Ok(all)
}

pub async fn attachment(c: &impl ConnectionTrait, id: i64) -> Result<Option<Attachment>> {
    Ok(one(c, &format!("SELECT {ATT_COLS} FROM case_attachments WHERE id = $1"), vec![id.into()]).await?)
}

// ---- referrals ------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Referral {
    pub id: i64,
    pub case_id: i64,
    pub from_agency_id: i64,
    pub to_agency_id: i64,
    pub scope: String,
    pub note: String,
    pub status: String,
    pub reason: String,
    pub created_by: i64,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub from_ko: String,
    pub from_en: String,
    pub to_ko: String,
    pub to_en: String,
}

const REF_SELECT: &str = "SELECT r.id, r.case_id, r.from_agency_id, r.to_agency_id, r.scope, r.note, r.status, r.reason, r.created_by, \
    r.created_at, r.decided_at, fa.name_ko AS from_ko, fa.name_en AS from_en, ta.name_ko AS to_ko, ta.name_en AS to_en \
    FROM case_referrals r JOIN agencies fa ON fa.id = r.from_agency_id JOIN agencies ta ON ta.id = r.to_agency_id";

pub async fn add_referral(c: &impl ConnectionTrait, case_id: i64, from: i64, to: i64, scope: &str, note: &str, user: i64) -> Result<i64> {
    Ok(insert_id(
        c,
        "INSERT INTO case_referrals (case_id, from_agency_id, to_agency_id, scope, note, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)",
        vec![case_id.into(), from.into(), to.into(), scope.into(), note.into(), user.into(), now_iso().into()],
    )
    .await?)
}

pub async fn referrals(c: &impl ConnectionTrait, case_id: i64) -> Result<Vec<Referral>> {
    referrals_of(c, CaseSet::Ids(&[case_id])).await
}

pub async fn referral(c: &impl ConnectionTrait, id: i64) -> Result<Option<Referral>> {
    Ok(one(c, &format!("{REF_SELECT} WHERE r.id = $1"), vec![id.into()]).await?)
}

/// Accepts or declines a pending referral; a referral decided by someone else meanwhile is stale.
pub async fn decide_referral(c: &impl ConnectionTrait, id: i64, status: &str, reason: &str, user: i64) -> Result<()> {
    let n = exec(
        c,
        "UPDATE case_referrals SET status = $1, reason = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND status = 'pending'",
        vec![status.into(), reason.into(), user.into(), now_iso().into(), id.into()],
    )
    .await?;
    if n == 0 { Err(StoreError::StaleVersion) } else { Ok(()) }
}

/// Agencies that may see the case: its holder, and both ends of every referral that was not
/// declined (a declining agency drops out; the referring one keeps sight of what it handed on).
pub async fn agencies_with_access(c: &impl ConnectionTrait, case_id: i64) -> Result<Vec<i64>> {
    #[derive(FromQueryResult)]
    struct A {
        agency_id: i64,
    }
    let rows: Vec<A> = all(
        c,
        "SELECT agency_id FROM cases WHERE id = $1 AND agency_id IS NOT NULL \
         UNION SELECT to_agency_id FROM case_referrals WHERE case_id = $1 AND status <> 'declined' \
         UNION SELECT from_agency_id FROM case_referrals WHERE case_id = $1",
        vec![case_id.into()],
    )
    .await?;
    Ok(rows.into_iter().map(|a| a.agency_id).collect())
}

// ---- links, follow-ups ----------------------------------------------------------------------

pub async fn link(c: &impl ConnectionTrait, a: i64, b: i64, user: i64) -> Result<()> {
    for (x, y) in [(a, b), (b, a)] {
        exec(
            c,
            "INSERT INTO case_links (case_id, other_id, created_by, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            vec![x.into(), y.into(), user.into(), now_iso().into()],
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Followup {
    pub id: i64,
    pub case_id: i64,
    pub agency_id: i64,
    pub description: String,
    pub due_on: String,
    pub done_at: Option<String>,
    pub outcome: String,
    pub created_at: String,
    pub agency_ko: String,
    pub agency_en: String,
    pub case_title: String,
}

const FU_SELECT: &str = "SELECT f.id, f.case_id, f.agency_id, f.description, f.due_on, f.done_at, f.outcome, f.created_at, \
    a.name_ko AS agency_ko, a.name_en AS agency_en, k.title AS case_title \
    FROM case_followups f JOIN agencies a ON a.id = f.agency_id JOIN cases k ON k.id = f.case_id";

pub async fn add_followup(
    c: &impl ConnectionTrait,
    case_id: i64,
    agency_id: i64,
    description: &str,
    due_on: &str,
    user: i64,
) -> Result<i64> {
    Ok(insert_id(
        c,
        "INSERT INTO case_followups (case_id, agency_id, description, due_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![case_id.into(), agency_id.into(), description.into(), due_on.into(), user.into(), now_iso().into()],
    )
    .await?)
}

pub async fn open_followups(c: &impl ConnectionTrait, agency_id: i64) -> Result<Vec<Followup>> {
    Ok(all(
        c,
        &format!("{FU_SELECT} WHERE f.agency_id = $1 AND f.done_at IS NULL ORDER BY f.due_on, f.id LIMIT 200"),
        vec![agency_id.into()],
    )
    .await?)
}

pub async fn followup(c: &impl ConnectionTrait, id: i64) -> Result<Option<Followup>> {
    Ok(one(c, &format!("{FU_SELECT} WHERE f.id = $1"), vec![id.into()]).await?)
}

pub async fn complete_followup(c: &impl ConnectionTrait, id: i64, outcome: &str, user: i64) -> Result<()> {
    let n = exec(
        c,
        "UPDATE case_followups SET done_at = $1, done_by = $2, outcome = $3 WHERE id = $4 AND done_at IS NULL",
        vec![now_iso().into(), user.into(), outcome.into(), id.into()],
    )
    .await?;
    if n == 0 { Err(StoreError::StaleVersion) } else { Ok(()) }
}

// ---- queues ---------------------------------------------------------------------------------

/// Whose cases a queue may show.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// A company's own cases.
    Company(i64),
    /// An agency's: held by it or referred to or by it (not declined).
    Agency(i64),
    /// Everything (platform administrators).
    All,
}

#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub assignee: Option<i64>,
    pub unassigned: bool,
    /// Open, not paused, and due before this date (KST).
    pub due_before: Option<String>,
    pub waiting_on: Option<String>,
    /// Empty = any status except drafts (which only their company sees).
    pub statuses: Vec<String>,
    pub category: Option<String>,
    pub country: Option<String>,
    pub priority: Option<String>,
    /// Restricts to these ids (from a full-text search).
    pub ids: Option<Vec<i64>>,
    /// Pending referrals to this agency.
    pub referred_to: Option<i64>,
    pub sort: QueueSort,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    #[default]
    Due,
    Newest,
    Updated,
    Priority,
}

fn scope_sql(scope: Scope, args: &mut Vec<Value>) -> String {
    match scope {
        Scope::Company(id) => {
            args.push(id.into());
            format!("k.company_id = ${}", args.len())
        }
        Scope::Agency(id) => {
            args.push(id.into());
            let n = args.len();
            format!(
                "k.status <> 'draft' AND (k.agency_id = ${n} OR EXISTS (SELECT 1 FROM case_referrals r WHERE r.case_id = k.id \
                 AND ((r.to_agency_id = ${n} AND r.status <> 'declined') OR r.from_agency_id = ${n})))"
            )
        }
        Scope::All => "k.status <> 'draft'".to_string(),
    }
}

fn filter_sql(scope: Scope, f: &QueueFilter, args: &mut Vec<Value>) -> String {
    let mut w = vec![scope_sql(scope, args)];
    let push = |w: &mut Vec<String>, args: &mut Vec<Value>, clause: &str, v: Value| {
        args.push(v);
        w.push(clause.replace("$?", &format!("${}", args.len())));
    };
    if let Some(a) = f.assignee {
        push(&mut w, args, "k.assignee_id = $?", a.into());
    }
    if f.unassigned {
        w.push("k.assignee_id IS NULL AND k.status IN ('submitted', 'triaged', 'in_progress')".into());
    }
    if let Some(d) = &f.due_before {
        push(
            &mut w,
            args,
            "k.due_on < $? AND k.paused_since IS NULL AND k.status IN ('submitted', 'triaged', 'in_progress')",
            d.clone().into(),
        );
    }
    if let Some(v) = &f.waiting_on {
        push(&mut w, args, "k.waiting_on = $? AND k.status IN ('submitted', 'triaged', 'in_progress')", v.clone().into());
    }
    if !f.statuses.is_empty() {
        let mut marks = Vec::new();
        for s in &f.statuses {
            args.push(s.clone().into());
            marks.push(format!("${}", args.len()));
        }
        w.push(format!("k.status IN ({})", marks.join(", ")));
    }
    if let Some(v) = &f.category {
        push(&mut w, args, "k.category = $?", v.clone().into());
    }
    if let Some(v) = &f.country {
        push(&mut w, args, "k.country = $?", v.clone().into());
    }
    if let Some(v) = &f.priority {
        push(&mut w, args, "k.priority = $?", v.clone().into());
    }
    if let Some(a) = f.referred_to {
        push(
            &mut w,
            args,
            "EXISTS (SELECT 1 FROM case_referrals r2 WHERE r2.case_id = k.id AND r2.to_agency_id = $? AND r2.status = 'pending')",
            a.into(),
        );
    }
    if let Some(ids) = &f.ids {
        if ids.is_empty() {
            w.push("1 = 0".into());
        } else {
            w.push(format!("k.id IN ({})", crate::id_list(ids)));
        }
    }
    w.join(" AND ")
}

/// One page of a queue and the total count.
pub async fn queue(c: &impl ConnectionTrait, scope: Scope, f: &QueueFilter) -> Result<(Vec<Case>, i64)> {
    let mut args = Vec::new();
    let w = filter_sql(scope, f, &mut args);
    let order = match f.sort {
        // Open cases with the nearest due date first; finished ones after, newest first (the
        // in-memory index keeps the same order).
        QueueSort::Due => {
            "CASE WHEN k.status IN ('submitted', 'triaged', 'in_progress') AND k.due_on IS NOT NULL THEN 0 ELSE 1 END, \
             CASE WHEN k.status IN ('submitted', 'triaged', 'in_progress') THEN k.due_on END, k.id DESC"
        }
        QueueSort::Newest => "k.id DESC",
        QueueSort::Updated => "k.updated_at DESC, k.id DESC",
        QueueSort::Priority => {
            "CASE k.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, k.due_on, k.id DESC"
        }
    };
    let total: Option<Count> = one(c, &format!("SELECT COUNT(*) AS n FROM cases k WHERE {w}"), args.clone()).await?;
    let rows =
        all(c, &format!("{SELECT} WHERE {w} ORDER BY {order} LIMIT {} OFFSET {}", f.limit.clamp(1, 10_000), f.offset.max(0)), args).await?;
    Ok((rows, total.map(|t| t.n).unwrap_or(0)))
}

/// Counts per queue for an agency's work page: (open held, unassigned, overdue, waiting on company, pending referrals to it).
pub async fn agency_counts(c: &impl ConnectionTrait, agency_id: i64, today: &str) -> Result<[i64; 5]> {
    #[derive(FromQueryResult)]
    struct N {
        open: i64,
        unassigned: i64,
        overdue: i64,
        waiting: i64,
    }
    let n: Option<N> = one(
        c,
        "SELECT COUNT(*) AS open, \
         SUM(CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END) AS unassigned, \
         SUM(CASE WHEN due_on < $2 AND paused_since IS NULL THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN waiting_on = 'company' THEN 1 ELSE 0 END) AS waiting \
         FROM cases WHERE agency_id = $1 AND status IN ('submitted', 'triaged', 'in_progress')",
        vec![agency_id.into(), today.into()],
    )
    .await?;
    let r: Option<Count> =
        one(c, "SELECT COUNT(*) AS n FROM case_referrals WHERE to_agency_id = $1 AND status = 'pending'", vec![agency_id.into()]).await?;
    let n = n.unwrap_or(N { open: 0, unassigned: 0, overdue: 0, waiting: 0 });
    Ok([n.open, n.unassigned, n.overdue, n.waiting, r.map(|r| r.n).unwrap_or(0)])
}

/// Everything the search index holds for cases, in id order, a batch at a time.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SearchRow {
    pub id: i64,
    pub company_id: i64,
    pub category: String,
    pub country: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub agency_id: Option<i64>,
    pub updated_at: String,
    pub products: Option<String>,
    pub agencies: Option<String>,
}

fn search_select(c: &impl ConnectionTrait) -> String {
    // Products and agencies with access come as comma-joined lists (one query, no N+1).
    let agg = if c.get_database_backend() == sea_orm::DatabaseBackend::Postgres { "STRING_AGG" } else { "GROUP_CONCAT" };
    format!(
        "SELECT k.id, k.company_id, k.category, k.country, k.title, k.description, k.status, k.agency_id, k.updated_at, \
         (SELECT {agg}(p.hs_code, ',') FROM case_products p WHERE p.case_id = k.id) AS products, \
         (SELECT {agg}(CAST(x.a AS TEXT), ',') FROM (SELECT r.to_agency_id AS a FROM case_referrals r WHERE r.case_id = k.id AND r.status <> 'declined' \
          UNION SELECT r.from_agency_id FROM case_referrals r WHERE r.case_id = k.id) x) AS agencies \
         FROM cases k"
    )
}

pub async fn search_rows_after(c: &impl ConnectionTrait, after: i64, limit: i64) -> Result<Vec<SearchRow>> {
    Ok(all(c, &format!("{} WHERE k.id > $1 ORDER BY k.id LIMIT {limit}", search_select(c)), vec![after.into()]).await?)
}

pub async fn search_rows(c: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<SearchRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::id_list(ids);
    Ok(all(c, &format!("{} WHERE k.id IN ({list})", search_select(c)), vec![]).await?)
}

pub async fn count_all(c: &impl ConnectionTrait) -> Result<i64> {
    let n: Option<Count> = one(c, "SELECT COUNT(*) AS n FROM cases", vec![]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}

/// What recomputing due dates needs, for every open case.
#[derive(Debug, Clone, FromQueryResult)]
pub struct DueRow {
    pub id: i64,
    pub priority: String,
    pub category: String,
    pub submitted_at: Option<String>,
    pub paused_business_days: i64,
    pub due_on: Option<String>,
    pub first_response_due_on: Option<String>,
}

pub async fn open_due_rows(c: &impl ConnectionTrait) -> Result<Vec<DueRow>> {
    Ok(all(
        c,
        "SELECT id, priority, category, submitted_at, paused_business_days, due_on, first_response_due_on FROM cases \
         WHERE status IN ('submitted', 'triaged', 'in_progress') ORDER BY id",
        vec![],
    )
    .await?)
}

/// Sets the due dates only (after a calendar or target change). The version is left alone: the
/// case itself did not change, and officers' open forms stay valid.
pub async fn set_due_dates(c: &impl ConnectionTrait, id: i64, due_on: &str, first_response_due_on: &str) -> Result<()> {
    exec(
        c,
        "UPDATE cases SET due_on = $1, first_response_due_on = $2 WHERE id = $3",
        vec![due_on.into(), first_response_due_on.into(), id.into()],
    )
    .await?;
    // The queues of every node show due dates (this was once missed: new holidays moved the
    // dates here while other nodes kept the old ones).
    crate::changes::publish(c, Topic::Case, id).await
}

/// Companies that share their profile (demo cases are spread over them).
pub async fn consented_company_ids(c: &impl ConnectionTrait) -> Result<Vec<i64>> {
    Ok(all::<Count>(c, "SELECT id AS n FROM companies WHERE consent_at IS NOT NULL ORDER BY id", vec![])
        .await?
        .into_iter()
        .map(|r| r.n)
        .collect())
}

// ---- bulk reads for each node's in-memory case index -----------------------------------------

/// Cases in id order after `after`, without their descriptions (the index does not need them).
pub async fn light_after(c: &impl ConnectionTrait, after: i64, limit: i64) -> Result<Vec<Case>> {
    let select = SELECT.replacen("k.description,", "'' AS description,", 1);
    Ok(all(c, &format!("{select} WHERE k.id > $1 ORDER BY k.id LIMIT {limit}"), vec![after.into()]).await?)
}

pub async fn light_many(c: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Case>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let select = SELECT.replacen("k.description,", "'' AS description,", 1);
    let list = crate::id_list(ids);
    Ok(all(c, &format!("{select} WHERE k.id IN ({list})"), vec![]).await?)
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct ReferralLink {
    pub case_id: i64,
    pub from_agency_id: i64,
    pub to_agency_id: i64,
    pub status: String,
}

/// Referrals of the given cases (all cases when `ids` is None), for access and queues.
pub async fn referral_links(c: &impl ConnectionTrait, ids: Option<&[i64]>) -> Result<Vec<ReferralLink>> {
    let filter = match ids {
        Some([]) => return Ok(Vec::new()),
        Some(ids) => format!(" WHERE case_id IN ({})", crate::id_list(ids)),
        None => String::new(),
    };
    Ok(all(c, &format!("SELECT case_id, from_agency_id, to_agency_id, status FROM case_referrals{filter} ORDER BY case_id, id"), vec![])
        .await?)
}

// ---- a case page's details, for many cases at once ------------------------------------------

/// Which cases a bulk read covers: an id range (a node loading everything in steps) or a list
/// (the cases that just changed).
#[derive(Debug, Clone, Copy)]
pub enum CaseSet<'a> {
    /// Ids in `(after, upto]`.
    Range {
        after: i64,
        upto: i64,
    },
    Ids(&'a [i64]),
}

impl CaseSet<'_> {
    /// The WHERE condition on `col`, or None when the set is empty (nothing to read).
    pub(crate) fn condition(&self, col: &str) -> Option<String> {
        match self {
            CaseSet::Range { after, upto } => (upto > after).then(|| format!("{col} > {after} AND {col} <= {upto}")),
            CaseSet::Ids([]) => None,
            CaseSet::Ids(ids) => Some(format!("{col} IN ({})", crate::id_list(ids))),
        }
    }
}

/// A case's text and the version it was read at.
#[derive(Debug, Clone, FromQueryResult)]
pub struct CaseText {
    pub id: i64,
    pub version: i64,
    pub description: String,
}

pub async fn texts_of(c: &impl ConnectionTrait, set: CaseSet<'_>) -> Result<Vec<CaseText>> {
    let Some(cond) = set.condition("id") else { return Ok(Vec::new()) };
    Ok(all(c, &format!("SELECT id, version, description FROM cases WHERE {cond} ORDER BY id"), vec![]).await?)
}

/// Timelines, internal notes included, ordered by case and then as they happened.
pub async fn events_of(c: &impl ConnectionTrait, set: CaseSet<'_>) -> Result<Vec<Event>> {
    let Some(cond) = set.condition("e.case_id") else { return Ok(Vec::new()) };
    Ok(all(
        c,
        &format!(
            "SELECT e.id, e.case_id, e.kind, e.actor_id, e.actor_agency_id, e.at, e.from_value, e.to_value, e.body, e.internal, \
             u.display_name AS actor_name, a.name_ko AS actor_agency_ko, a.name_en AS actor_agency_en \
             FROM case_events e LEFT JOIN users u ON u.id = e.actor_id LEFT JOIN agencies a ON a.id = e.actor_agency_id \
             WHERE {cond} ORDER BY e.case_id, e.id"
        ),
        vec![],
    )
    .await?)
}

pub async fn attachments_of(c: &impl ConnectionTrait, set: CaseSet<'_>) -> Result<Vec<Attachment>> {
    let Some(cond) = set.condition("case_id") else { return Ok(Vec::new()) };
    Ok(all(c, &format!("SELECT {ATT_COLS} FROM case_attachments WHERE {cond} ORDER BY case_id, id"), vec![]).await?)
}

/// Clock pauses of the given cases, ordered by case.
pub async fn pauses_in(c: &impl ConnectionTrait, set: CaseSet<'_>) -> Result<Vec<Pause>> {
    let Some(cond) = set.condition("case_id") else { return Ok(Vec::new()) };
    Ok(all(c, &format!("SELECT case_id, waiting_on, started_on, ended_on FROM case_pauses WHERE {cond} ORDER BY case_id, id"), vec![])
        .await?)
}

pub async fn referrals_of(c: &impl ConnectionTrait, set: CaseSet<'_>) -> Result<Vec<Referral>> {
    let Some(cond) = set.condition("r.case_id") else { return Ok(Vec::new()) };
    Ok(all(c, &format!("{REF_SELECT} WHERE {cond} ORDER BY r.case_id, r.id"), vec![]).await?)
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct Link {
    pub case_id: i64,
    pub other_id: i64,
}

/// Links as id pairs; what the other case looks like now is the reader's business.
pub async fn links_of(c: &impl ConnectionTrait, set: CaseSet<'_>) -> Result<Vec<Link>> {
    let Some(cond) = set.condition("case_id") else { return Ok(Vec::new()) };
    Ok(all(c, &format!("SELECT case_id, other_id FROM case_links WHERE {cond} ORDER BY case_id, other_id"), vec![]).await?)
}

pub async fn followups_of(c: &impl ConnectionTrait, set: CaseSet<'_>) -> Result<Vec<Followup>> {
    let Some(cond) = set.condition("f.case_id") else { return Ok(Vec::new()) };
    Ok(all(c, &format!("{FU_SELECT} WHERE {cond} ORDER BY f.case_id, f.due_on, f.id"), vec![]).await?)
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct Product {
    pub case_id: i64,
    pub hs_code: String,
}

pub async fn products_of(c: &impl ConnectionTrait, set: CaseSet<'_>) -> Result<Vec<Product>> {
    let Some(cond) = set.condition("case_id") else { return Ok(Vec::new()) };
    Ok(all(c, &format!("SELECT case_id, hs_code FROM case_products WHERE {cond} ORDER BY case_id, hs_code"), vec![]).await?)
}

/// The highest case id (where a bulk load in id ranges stops).
pub async fn max_id(c: &impl ConnectionTrait) -> Result<i64> {
    let n: Option<Count> = one(c, "SELECT COALESCE(MAX(id), 0) AS n FROM cases", vec![]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}
