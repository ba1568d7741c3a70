//! The audit log: sign-ins, refusals and changes, who did them and from where.

use crate::{Result, all, exec, now_iso};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub ip: String,
    pub detail: String,
}

pub async fn record(
    c: &impl ConnectionTrait,
    user_id: Option<i64>,
    actor: &str,
    action: &str,
    target: &str,
    ip: &str,
    detail: &str,
) -> Result<()> {
    record_at(c, user_id, actor, action, target, ip, detail, &now_iso()).await
}

/// Records an entry that happened at `at` (buffered entries are written a little later).
#[allow(clippy::too_many_arguments)]
pub async fn record_at(
    c: &impl ConnectionTrait,
    user_id: Option<i64>,
    actor: &str,
    action: &str,
    target: &str,
    ip: &str,
    detail: &str,
    at: &str,
) -> Result<()> {
    exec(
        c,
        "INSERT INTO audit_log (at, user_id, actor, action, target, ip, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![at.into(), user_id.into(), actor.into(), action.into(), target.into(), ip.into(), detail.into()],
    )
    .await?;
    Ok(())
}

/// Newest first; `action` filters by prefix (`login` finds `login.ok` and `login.failed`).
pub async fn list(c: &impl ConnectionTrait, action: Option<&str>, limit: i64, offset: i64) -> Result<Vec<AuditEntry>> {
    let (filter, mut values) = match action {
        Some(a) if !a.is_empty() => ("WHERE action LIKE $1", vec![format!("{a}%").into()]),
        _ => ("", vec![]),
    };
    let n = values.len();
    values.push(limit.into());
    values.push(offset.into());
    Ok(all(
        c,
        &format!(
            "SELECT id, at, user_id, actor, action, target, ip, detail FROM audit_log {filter} ORDER BY id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ),
        values,
    )
    .await?)
}
