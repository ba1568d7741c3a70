//! Companies' plans for setting up abroad: which playbook version a plan follows, the checklist
//! with what really happened (status, dates, a blocking reason, the desk case opened from a
//! step), notes, evidence files, and the step changes a newer playbook version brought.
//!
//! Every write records a `plan` change in the shared change log so that other nodes drop their
//! cached copy of the plan.

use crate::changes::Topic;
use crate::{Result, StoreError, all, exec, insert_id, now_iso, one};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Plan {
    pub id: i64,
    pub company_id: i64,
    pub playbook_id: i64,
    pub version: i64,
    pub country: String,
    pub entity_type: String,
    pub start_on: String,
    pub target_open_on: Option<String>,
    pub status: String,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub row_version: i64,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct PlanStep {
    pub plan_id: i64,
    pub step_key: String,
    pub status: String,
    pub blocked_reason: String,
    pub started_on: Option<String>,
    pub done_on: Option<String>,
    pub removed: bool,
    pub case_id: Option<i64>,
    pub updated_by: Option<i64>,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Note {
    pub id: i64,
    pub plan_id: i64,
    pub step_key: String,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct PlanFile {
    pub id: i64,
    pub plan_id: i64,
    pub step_key: String,
    pub file_name: String,
    pub stored_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: String,
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Update {
    pub id: i64,
    pub plan_id: i64,
    pub from_version: i64,
    pub to_version: i64,
    /// JSON list of `domain::playbook::StepChange`.
    pub changes: String,
    pub change_note: String,
    pub created_at: String,
    pub seen_at: Option<String>,
}

const PLAN_COLS: &str = "id, company_id, playbook_id, version, country, entity_type, start_on, target_open_on, status, created_by, \
    created_at, updated_at, row_version";
const STEP_COLS: &str = "plan_id, step_key, status, blocked_reason, started_on, done_on, removed, case_id, updated_by, updated_at";

pub struct NewPlan<'a> {
    pub company_id: i64,
    pub playbook_id: i64,
    pub version: i64,
    pub country: &'a str,
    pub entity_type: &'a str,
    pub start_on: &'a str,
    pub target_open_on: Option<&'a str>,
    /// None for plans loaded by the demo generator rather than started by a person.
    pub created_by: Option<i64>,
}

/// A plan and its checklist (one row per step key, all to do).
pub async fn insert(c: &impl ConnectionTrait, p: &NewPlan<'_>, step_keys: &[&str]) -> Result<i64> {
    let now = now_iso();
    let id = insert_id(
        c,
        "INSERT INTO plans (company_id, playbook_id, version, country, entity_type, start_on, target_open_on, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        vec![
            p.company_id.into(),
            p.playbook_id.into(),
            p.version.into(),
            p.country.into(),
            p.entity_type.into(),
            p.start_on.into(),
            p.target_open_on.into(),
            p.created_by.into(),
            now.clone().into(),
        ],
    )
    .await
    .map_err(StoreError::unique("open plan"))?;
    add_steps(c, id, step_keys, p.created_by).await?;
    crate::changes::publish(c, Topic::Plan, id).await?;
    Ok(id)
}

async fn add_steps(c: &impl ConnectionTrait, plan_id: i64, keys: &[&str], user: Option<i64>) -> Result<()> {
    let now = now_iso();
    let rows = keys.iter().map(|k| vec![plan_id.into(), (*k).into(), user.into(), now.clone().into()]).collect();
    crate::bulk_insert(c, "plan_steps", &["plan_id", "step_key", "updated_by", "updated_at"], rows).await
}

pub async fn get(c: &impl ConnectionTrait, id: i64) -> Result<Option<Plan>> {
    Ok(one(c, &format!("SELECT {PLAN_COLS} FROM plans WHERE id = $1"), vec![id.into()]).await?)
}

pub async fn count(c: &impl ConnectionTrait) -> Result<i64> {
    let n: Option<crate::Count> = one(c, "SELECT COUNT(*) AS n FROM plans", vec![]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}

pub async fn for_company(c: &impl ConnectionTrait, company_id: i64) -> Result<Vec<Plan>> {
    Ok(all(c, &format!("SELECT {PLAN_COLS} FROM plans WHERE company_id = $1 ORDER BY id DESC"), vec![company_id.into()]).await?)
}

/// Open plans following a playbook (to bring them to a newly published version).
pub async fn open_for_playbook(c: &impl ConnectionTrait, playbook_id: i64) -> Result<Vec<Plan>> {
    Ok(all(c, &format!("SELECT {PLAN_COLS} FROM plans WHERE playbook_id = $1 AND status = 'open' ORDER BY id"), vec![playbook_id.into()])
        .await?)
}

pub async fn steps(c: &impl ConnectionTrait, plan_id: i64) -> Result<Vec<PlanStep>> {
    Ok(all(c, &format!("SELECT {STEP_COLS} FROM plan_steps WHERE plan_id = $1"), vec![plan_id.into()]).await?)
}

/// Bumps the plan's row version if it is still `expected`: the optimistic lock every change to
/// a plan takes first, so two people editing the same plan cannot overwrite each other.
pub async fn lock(c: &impl ConnectionTrait, plan_id: i64, expected: i64) -> Result<()> {
    let n = exec(
        c,
        "UPDATE plans SET row_version = row_version + 1, updated_at = $1 WHERE id = $2 AND row_version = $3",
        vec![now_iso().into(), plan_id.into(), expected.into()],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::StaleVersion);
    }
    crate::changes::publish(c, Topic::Plan, plan_id).await
}

pub struct StepState<'a> {
    pub status: &'a str,
    pub blocked_reason: &'a str,
    pub started_on: Option<&'a str>,
    pub done_on: Option<&'a str>,
}

pub async fn set_step(c: &impl ConnectionTrait, plan_id: i64, key: &str, s: &StepState<'_>, user: Option<i64>) -> Result<()> {
    let n = exec(
        c,
        "UPDATE plan_steps SET status = $1, blocked_reason = $2, started_on = $3, done_on = $4, updated_by = $5, updated_at = $6 \
         WHERE plan_id = $7 AND step_key = $8 AND removed = FALSE",
        vec![
            s.status.into(),
            s.blocked_reason.into(),
            s.started_on.into(),
            s.done_on.into(),
            user.into(),
            now_iso().into(),
            plan_id.into(),
            key.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_case(c: &impl ConnectionTrait, plan_id: i64, key: &str, case_id: i64) -> Result<()> {
    exec(c, "UPDATE plan_steps SET case_id = $1 WHERE plan_id = $2 AND step_key = $3", vec![case_id.into(), plan_id.into(), key.into()])
        .await?;
    Ok(())
}

pub async fn set_plan_dates(
    c: &impl ConnectionTrait,
    plan_id: i64,
    start_on: &str,
    target_open_on: Option<&str>,
    status: &str,
) -> Result<()> {
    exec(
        c,
        "UPDATE plans SET start_on = $1, target_open_on = $2, status = $3 WHERE id = $4",
        vec![start_on.into(), target_open_on.into(), status.into(), plan_id.into()],
    )
    .await
    .map_err(StoreError::unique("open plan"))?;
    Ok(())
}

pub async fn add_note(c: &impl ConnectionTrait, plan_id: i64, key: &str, author: i64, body: &str) -> Result<i64> {
    Ok(insert_id(
        c,
        "INSERT INTO plan_notes (plan_id, step_key, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
        vec![plan_id.into(), key.into(), author.into(), body.into(), now_iso().into()],
    )
    .await?)
}

pub async fn notes(c: &impl ConnectionTrait, plan_id: i64) -> Result<Vec<Note>> {
    Ok(all(
        c,
        "SELECT n.id, n.plan_id, n.step_key, n.author_id, u.display_name AS author_name, n.body, n.created_at \
         FROM plan_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.plan_id = $1 ORDER BY n.id",
        vec![plan_id.into()],
    )
    .await?)
}

pub struct NewFile<'a> {
    pub plan_id: i64,
    pub step_key: &'a str,
    pub file_name: &'a str,
    pub stored_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub uploaded_by: i64,
}

pub async fn add_file(c: &impl ConnectionTrait, f: &NewFile<'_>) -> Result<i64> {
    Ok(insert_id(
        c,
        "INSERT INTO plan_files (plan_id, step_key, file_name, stored_name, content_type, size_bytes, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vec![
            f.plan_id.into(),
            f.step_key.into(),
            f.file_name.into(),
            f.stored_name.into(),
            f.content_type.into(),
            f.size_bytes.into(),
            f.uploaded_by.into(),
            now_iso().into(),
        ],
    )
    .await?)
}

const FILE_COLS: &str = "id, plan_id, step_key, file_name, stored_name, content_type, size_bytes, uploaded_by, uploaded_at";

pub async fn files(c: &impl ConnectionTrait, plan_id: i64) -> Result<Vec<PlanFile>> {
    Ok(all(c, &format!("SELECT {FILE_COLS} FROM plan_files WHERE plan_id = $1 ORDER BY id"), vec![plan_id.into()]).await?)
}

pub async fn file(c: &impl ConnectionTrait, id: i64) -> Result<Option<PlanFile>> {
    Ok(one(c, &format!("SELECT {FILE_COLS} FROM plan_files WHERE id = $1"), vec![id.into()]).await?)
}

/// Moves an open plan to a newer playbook version: new steps join the checklist as to do,
/// steps the playbook dropped are kept but marked removed, and the change list is recorded for
/// the company to read.
pub async fn move_to_version(
    c: &impl ConnectionTrait,
    plan: &Plan,
    to_version: i64,
    added: &[&str],
    removed: &[&str],
    changes_json: &str,
    change_note: &str,
) -> Result<()> {
    let now = now_iso();
    exec(
        c,
        "UPDATE plans SET version = $1, row_version = row_version + 1, updated_at = $2 WHERE id = $3",
        vec![to_version.into(), now.clone().into(), plan.id.into()],
    )
    .await?;
    // A key that left in an earlier version and came back is simply restored.
    for k in added {
        let n = exec(c, "UPDATE plan_steps SET removed = FALSE WHERE plan_id = $1 AND step_key = $2", vec![plan.id.into(), (*k).into()])
            .await?;
        if n == 0 {
            exec(
                c,
                "INSERT INTO plan_steps (plan_id, step_key, updated_at) VALUES ($1, $2, $3)",
                vec![plan.id.into(), (*k).into(), now.clone().into()],
            )
            .await?;
        }
    }
    for k in removed {
        exec(c, "UPDATE plan_steps SET removed = TRUE WHERE plan_id = $1 AND step_key = $2", vec![plan.id.into(), (*k).into()]).await?;
    }
    exec(
        c,
        "INSERT INTO plan_updates (plan_id, from_version, to_version, changes, change_note, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![plan.id.into(), plan.version.into(), to_version.into(), changes_json.into(), change_note.into(), now.into()],
    )
    .await?;
    crate::changes::publish(c, Topic::Plan, plan.id).await
}

pub async fn updates(c: &impl ConnectionTrait, plan_id: i64) -> Result<Vec<Update>> {
    Ok(all(
        c,
        "SELECT id, plan_id, from_version, to_version, changes, change_note, created_at, seen_at FROM plan_updates \
         WHERE plan_id = $1 ORDER BY id DESC",
        vec![plan_id.into()],
    )
    .await?)
}

/// The company has read the changes: they stop being highlighted.
pub async fn mark_updates_seen(c: &impl ConnectionTrait, plan_id: i64) -> Result<u64> {
    let n = exec(c, "UPDATE plan_updates SET seen_at = $1 WHERE plan_id = $2 AND seen_at IS NULL", vec![now_iso().into(), plan_id.into()])
        .await?;
    if n > 0 {
        crate::changes::publish(c, Topic::Plan, plan_id).await?;
    }
    Ok(n)
}
