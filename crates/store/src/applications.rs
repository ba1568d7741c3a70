//! Applications to programs and their states. A company member drafts and submits; officers of
//! the owning agency review, approve or reject; an approval becomes an award that later rules
//! see (`received_within`, `awards_this_year`). Every change is an event, and a stale version
//! is refused rather than overwritten.

use crate::programs::{Program, add_award};
use crate::{Result, StoreError, all, exec, insert_id, now_iso, one};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, TransactionTrait};
use serde::Serialize;

pub const STATES: [&str; 7] = ["draft", "submitted", "under_review", "approved", "rejected", "completed", "withdrawn"];

/// Who may move an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Company,
    Agency,
}

/// The allowed moves: (from, to, who).
pub const TRANSITIONS: [(&str, &str, Side); 8] = [
    ("draft", "submitted", Side::Company),
    ("draft", "withdrawn", Side::Company),
    ("submitted", "withdrawn", Side::Company),
    ("submitted", "under_review", Side::Agency),
    ("under_review", "approved", Side::Agency),
    ("under_review", "rejected", Side::Agency),
    ("submitted", "rejected", Side::Agency),
    ("approved", "completed", Side::Agency),
];

pub fn allowed(from: &str, to: &str, side: Side) -> bool {
    TRANSITIONS.iter().any(|&(f, t, s)| f == from && t == to && s == side)
}

pub fn next_states(from: &str, side: Side) -> Vec<&'static str> {
    TRANSITIONS.iter().filter(|&&(f, _, s)| f == from && s == side).map(|&(_, t, _)| t).collect()
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Application {
    pub id: i64,
    pub program_id: i64,
    pub version_id: i64,
    pub company_id: i64,
    pub status: String,
    pub note: String,
    pub decision_id: Option<i64>,
    pub created_by: i64,
    pub created_at: String,
    pub updated_at: String,
    pub version: i32,
    pub agency_id: i64,
    pub title_ko: String,
    pub title_en: String,
    pub company_name_ko: String,
    pub company_name_en: Option<String>,
}

const SELECT: &str = "SELECT ap.id, ap.program_id, ap.version_id, ap.company_id, ap.status, ap.note, ap.decision_id, ap.created_by, \
    ap.created_at, ap.updated_at, ap.version, p.agency_id, v.title_ko, v.title_en, c.name_ko AS company_name_ko, c.name_en AS company_name_en \
    FROM applications ap JOIN programs p ON p.id = ap.program_id JOIN program_versions v ON v.id = ap.version_id \
    JOIN companies c ON c.id = ap.company_id";

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Event {
    pub id: i64,
    pub application_id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub note: String,
    pub at: String,
}

pub struct NewApplication<'a> {
    pub program_id: i64,
    pub version_id: i64,
    pub company_id: i64,
    pub status: &'a str,
    pub note: &'a str,
    pub decision_id: Option<i64>,
    pub user_id: i64,
}

/// Opens an application; a company has at most one open application per program.
pub async fn create(c: &DatabaseConnection, a: NewApplication<'_>) -> Result<i64> {
    if !matches!(a.status, "draft" | "submitted") {
        return Err(StoreError::Invalid("an application starts as a draft or submitted".into()));
    }
    let tx = c.begin().await?;
    // Checked here for a clear answer; the partial unique index (migration 0004) makes it hold
    // under concurrent requests too.
    let open: Vec<Application> = all(
        &tx,
        &format!("{SELECT} WHERE ap.company_id = $1 AND ap.program_id = $2 AND ap.status NOT IN ('rejected', 'completed', 'withdrawn')"),
        vec![a.company_id.into(), a.program_id.into()],
    )
    .await?;
    if !open.is_empty() {
        return Err(StoreError::Duplicate("open application"));
    }
    let now = now_iso();
    let id = insert_id(
        &tx,
        "INSERT INTO applications (program_id, version_id, company_id, status, note, decision_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            a.program_id.into(),
            a.version_id.into(),
            a.company_id.into(),
            a.status.into(),
            a.note.into(),
            a.decision_id.into(),
            a.user_id.into(),
            now.clone().into(),
            now.clone().into(),
        ],
    )
    .await
    .map_err(StoreError::unique("open application"))?;
    event(&tx, id, None, a.status, Some(a.user_id), a.note).await?;
    tx.commit().await?;
    Ok(id)
}

async fn event(c: &impl ConnectionTrait, app: i64, from: Option<&str>, to: &str, actor: Option<i64>, note: &str) -> Result<()> {
    exec(
        c,
        "INSERT INTO application_events (application_id, from_status, to_status, actor_id, note, at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![app.into(), from.into(), to.into(), actor.into(), note.into(), now_iso().into()],
    )
    .await?;
    Ok(())
}

/// Moves an application, if `side` may make that move from its current state and nobody moved
/// it since the caller read `expected_version`. An approval records the award.
#[allow(clippy::too_many_arguments)] // one call site each in the pages and the API; a struct would only rename them
pub async fn transition(
    c: &DatabaseConnection,
    id: i64,
    expected_version: i32,
    to: &str,
    side: Side,
    actor: i64,
    note: &str,
    program: &Program,
    today: &str,
) -> Result<()> {
    let tx = c.begin().await?;
    let app = get(&tx, id).await?.ok_or(StoreError::NotFound)?;
    if app.version != expected_version {
        return Err(StoreError::StaleVersion);
    }
    if !allowed(&app.status, to, side) {
        return Err(StoreError::Invalid(format!("{} → {to}", app.status)));
    }
    let n = exec(
        &tx,
        "UPDATE applications SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        vec![to.into(), now_iso().into(), id.into(), expected_version.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    event(&tx, id, Some(&app.status), to, Some(actor), note).await?;
    if to == "approved" {
        // Dated in the platform's time zone (the caller's `today`), as rules read it.
        add_award(&tx, app.company_id, program, today, Some(id)).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Application>> {
    Ok(one(c, &format!("{SELECT} WHERE ap.id = $1"), vec![id.into()]).await?)
}

pub async fn for_company(c: &impl ConnectionTrait, company_id: i64) -> Result<Vec<Application>> {
    Ok(all(c, &format!("{SELECT} WHERE ap.company_id = $1 ORDER BY ap.id DESC"), vec![company_id.into()]).await?)
}

/// The review queue of an agency (drafts are the company's own and never shown).
pub async fn for_agency(c: &impl ConnectionTrait, agency_id: Option<i64>, status: Option<&str>, limit: i64) -> Result<Vec<Application>> {
    let mut sql = format!("{SELECT} WHERE ap.status <> 'draft'");
    let mut values = Vec::new();
    if let Some(a) = agency_id {
        values.push(a.into());
        sql.push_str(&format!(" AND p.agency_id = ${}", values.len()));
    }
    if let Some(s) = status {
        values.push(s.into());
        sql.push_str(&format!(" AND ap.status = ${}", values.len()));
    }
    values.push(limit.into());
    sql.push_str(&format!(" ORDER BY ap.updated_at DESC, ap.id DESC LIMIT ${}", values.len()));
    Ok(all(c, &sql, values).await?)
}

pub async fn events(c: &impl ConnectionTrait, id: i64) -> Result<Vec<Event>> {
    Ok(all(
        c,
        "SELECT e.id, e.application_id, e.from_status, e.to_status, e.actor_id, u.display_name AS actor_name, e.note, e.at \
         FROM application_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.application_id = $1 ORDER BY e.id",
        vec![id.into()],
    )
    .await?)
}
