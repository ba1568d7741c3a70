//! Personal access tokens for the JSON API. Shown once at creation; stored as a hash.

use crate::{Result, all, exec, insert_id, now_iso, one, random_token, token_hash};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

/// Every token starts with this, so secret scanners and people can recognise one.
pub const PREFIX: &str = "gdk_";

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// Creates a token; returns its id and the secret (the only time the secret exists in clear).
pub async fn create(c: &impl ConnectionTrait, user_id: i64, name: &str) -> Result<(i64, String)> {
    let secret = format!("{PREFIX}{}", random_token());
    let id = insert_id(
        c,
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)",
        vec![user_id.into(), name.into(), token_hash(&secret).into(), secret[..12].to_string().into(), now_iso().into()],
    )
    .await?;
    Ok((id, secret))
}

pub async fn list(c: &impl ConnectionTrait, user_id: i64) -> Result<Vec<ApiToken>> {
    Ok(all(
        c,
        "SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
        vec![user_id.into()],
    )
    .await?)
}

/// Revokes one of the user's own tokens; false when no such live token exists.
pub async fn revoke(c: &impl ConnectionTrait, user_id: i64, id: i64) -> Result<bool> {
    Ok(exec(
        c,
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        vec![now_iso().into(), id.into(), user_id.into()],
    )
    .await?
        == 1)
}

/// The user a live token belongs to; records its use.
pub async fn authenticate(c: &impl ConnectionTrait, secret: &str) -> Result<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        user_id: i64,
        last_used_at: Option<String>,
    }
    let row: Option<Row> = one(
        c,
        "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        vec![token_hash(secret).into()],
    )
    .await?;
    let Some(row) = row else { return Ok(None) };
    // Write the last-use time at most once a minute: an API client in a loop must not turn
    // every read into a write.
    let now = now_iso();
    if row.last_used_at.as_deref().is_none_or(|t| t.get(..16) != now.get(..16)) {
        exec(c, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", vec![now.into(), row.id.into()]).await?;
    }
    Ok(Some(row.user_id))
}
