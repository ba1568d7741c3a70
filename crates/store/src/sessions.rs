//! Server-side sessions. The cookie carries a random secret; the database keeps only its hash,
//! so a leaked database does not leak live sessions. Any node can serve any session.

use crate::{Result, exec, iso, now_iso, one, random_token, token_hash};
use sea_orm::{ConnectionTrait, FromQueryResult};

/// Creates a session; returns the cookie secret and the CSRF token.
pub async fn create(c: &impl ConnectionTrait, user_id: i64, hours: i64) -> Result<(String, String)> {
    let secret = random_token();
    let csrf = random_token();
    let expires = iso(time::OffsetDateTime::now_utc() + time::Duration::hours(hours));
    exec(
        c,
        "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        vec![token_hash(&secret).into(), user_id.into(), csrf.clone().into(), now_iso().into(), expires.into()],
    )
    .await?;
    Ok((secret, csrf))
}

pub async fn delete(c: &impl ConnectionTrait, secret: &str) -> Result<()> {
    exec(c, "DELETE FROM sessions WHERE id_hash = $1", vec![token_hash(secret).into()]).await?;
    Ok(())
}

/// Signs a user out everywhere (after their access changed).
pub async fn delete_for_user(c: &impl ConnectionTrait, user_id: i64) -> Result<u64> {
    Ok(exec(c, "DELETE FROM sessions WHERE user_id = $1", vec![user_id.into()]).await?)
}

pub async fn purge_expired(c: &impl ConnectionTrait) -> Result<u64> {
    Ok(exec(c, "DELETE FROM sessions WHERE expires_at <= $1", vec![now_iso().into()]).await?)
}

/// The session and its user in one query: this runs on every signed-in request.
pub async fn get_with_user(c: &impl ConnectionTrait, secret: &str) -> Result<Option<(crate::users::User, String)>> {
    #[derive(FromQueryResult)]
    struct Row {
        #[sea_orm(nested)]
        user: crate::users::User,
        csrf: String,
    }
    let row: Option<Row> = one(
        c,
        "SELECT u.id, u.email, u.password_hash, u.display_name, u.role, u.agency_id, u.company_id, u.locale, u.email_confirmed, u.failed_logins, u.locked_until, u.active, u.created_at, s.csrf \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.active = TRUE",
        vec![token_hash(secret).into(), now_iso().into()],
    )
    .await?;
    Ok(row.map(|r| (r.user, r.csrf)))
}
