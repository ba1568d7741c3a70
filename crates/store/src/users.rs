//! Users, their sign-in state (failed attempts, lock-out) and company invitations.

use crate::changes::Topic;
use crate::{Count, Result, StoreError, all, exec, insert_id, iso, now_iso, one, token_hash};
use domain::Role;
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct User {
    pub id: i64,
    pub email: String,
    #[serde(skip)]
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub agency_id: Option<i64>,
    pub company_id: Option<i64>,
    pub locale: String,
    pub email_confirmed: bool,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub active: bool,
    pub created_at: String,
}

impl User {
    pub fn role(&self) -> Role {
        // Roles are written only through `Role::as_str`; an unknown one gets the least power.
        Role::parse(&self.role).unwrap_or(Role::CompanyMember)
    }
}

const COLS: &str = "id, email, password_hash, display_name, role, agency_id, company_id, locale, email_confirmed, failed_logins, locked_until, active, created_at";

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub agency_id: Option<i64>,
    pub company_id: Option<i64>,
    pub locale: &'a str,
    pub email_confirmed: bool,
    /// Hash of the e-mail confirmation token, when a link was sent.
    pub confirm_token_hash: Option<String>,
}

pub async fn create(c: &impl ConnectionTrait, u: NewUser<'_>) -> Result<i64> {
    let staff_of = u.agency_id.filter(|_| matches!(u.role, Role::Officer | Role::AgencyAdmin));
    let id = insert_id(
        c,
        "INSERT INTO users (email, password_hash, display_name, role, agency_id, company_id, locale, email_confirmed, confirm_token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        vec![
            u.email.into(), u.password_hash.into(), u.display_name.into(), u.role.as_str().into(), u.agency_id.into(), u.company_id.into(),
            u.locale.into(), u.email_confirmed.into(), u.confirm_token_hash.into(), now_iso().into(),
        ],
    )
    .await
    .map_err(StoreError::unique("email"))?;
    if let Some(agency) = staff_of {
        crate::changes::publish(c, Topic::Staff, agency).await?;
    }
    Ok(id)
}

pub async fn by_email(c: &impl ConnectionTrait, email: &str) -> Result<Option<User>> {
    Ok(one(c, &format!("SELECT {COLS} FROM users WHERE email = $1"), vec![email.into()]).await?)
}

pub async fn by_id(c: &impl ConnectionTrait, id: i64) -> Result<Option<User>> {
    Ok(one(c, &format!("SELECT {COLS} FROM users WHERE id = $1"), vec![id.into()]).await?)
}

pub async fn list(c: &impl ConnectionTrait, limit: i64, offset: i64) -> Result<Vec<User>> {
    Ok(all(c, &format!("SELECT {COLS} FROM users ORDER BY id LIMIT $1 OFFSET $2"), vec![limit.into(), offset.into()]).await?)
}

pub async fn list_for_agency(c: &impl ConnectionTrait, agency_id: i64, limit: i64, offset: i64) -> Result<Vec<User>> {
    Ok(all(
        c,
        &format!("SELECT {COLS} FROM users WHERE agency_id = $1 ORDER BY id LIMIT $2 OFFSET $3"),
        vec![agency_id.into(), limit.into(), offset.into()],
    )
    .await?)
}

pub async fn members_of(c: &impl ConnectionTrait, company_id: i64) -> Result<Vec<User>> {
    Ok(all(c, &format!("SELECT {COLS} FROM users WHERE company_id = $1 ORDER BY id"), vec![company_id.into()]).await?)
}

/// Active officers and agency administrators of an agency (who may work its cases).
pub async fn staff_of_agency(c: &impl ConnectionTrait, agency_id: i64) -> Result<Vec<User>> {
    Ok(all(
        c,
        &format!("SELECT {COLS} FROM users WHERE agency_id = $1 AND active = TRUE AND role IN ('officer', 'agency_admin') ORDER BY id"),
        vec![agency_id.into()],
    )
    .await?)
}

pub async fn count(c: &impl ConnectionTrait) -> Result<i64> {
    let n: Option<Count> = one(c, "SELECT COUNT(*) AS n FROM users", vec![]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}

/// Changes what an account may do: its role, agency and whether it may sign in at all.
pub async fn set_access(c: &impl ConnectionTrait, user_id: i64, role: domain::Role, agency_id: Option<i64>, active: bool) -> Result<()> {
    exec(
        c,
        "UPDATE users SET role = $1, agency_id = $2, active = $3 WHERE id = $4",
        vec![role.as_str().into(), agency_id.into(), active.into(), user_id.into()],
    )
    .await?;
    crate::changes::publish(c, Topic::Staff, agency_id.unwrap_or(0)).await
}

pub async fn set_company(c: &impl ConnectionTrait, user_id: i64, company_id: i64) -> Result<()> {
    exec(c, "UPDATE users SET company_id = $1 WHERE id = $2", vec![company_id.into(), user_id.into()]).await?;
    Ok(())
}

pub async fn set_locale(c: &impl ConnectionTrait, user_id: i64, locale: &str) -> Result<()> {
    exec(c, "UPDATE users SET locale = $1 WHERE id = $2", vec![locale.into(), user_id.into()]).await?;
    Ok(())
}

/// Confirms the address whose link carried `token`; returns the user it belonged to.
pub async fn confirm_email(c: &impl ConnectionTrait, token: &str) -> Result<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let hash = token_hash(token);
    let found: Option<Id> = one(c, "SELECT id FROM users WHERE confirm_token_hash = $1", vec![hash.clone().into()]).await?;
    if let Some(u) = &found {
        exec(c, "UPDATE users SET email_confirmed = TRUE, confirm_token_hash = NULL WHERE id = $1", vec![u.id.into()]).await?;
    }
    Ok(found.map(|u| u.id))
}

/// After `max_failures` wrong passwords in a row the account locks for `lock_minutes`.
pub async fn record_failure(c: &impl ConnectionTrait, user_id: i64, max_failures: i64, lock_minutes: i64) -> Result<bool> {
    exec(c, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1", vec![user_id.into()]).await?;
    let u = by_id(c, user_id).await?.ok_or(StoreError::NotFound)?;
    if u.failed_logins >= max_failures {
        let until = iso(time::OffsetDateTime::now_utc() + time::Duration::minutes(lock_minutes));
        exec(c, "UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2", vec![until.into(), user_id.into()]).await?;
        return Ok(true);
    }
    Ok(false)
}

pub async fn record_success(c: &impl ConnectionTrait, user_id: i64) -> Result<()> {
    exec(c, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", vec![user_id.into()]).await?;
    Ok(())
}

/// Login attempts per client address in the last `minutes`, for the rate limit; kept in the
/// database so that every node counts the same attempts.
pub async fn recent_attempts(c: &impl ConnectionTrait, ip: &str, minutes: i64) -> Result<i64> {
    let since = iso(time::OffsetDateTime::now_utc() - time::Duration::minutes(minutes));
    let n: Option<Count> =
        one(c, "SELECT COUNT(*) AS n FROM login_attempts WHERE ip = $1 AND at >= $2 AND ok = FALSE", vec![ip.into(), since.into()]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}

/// Forgets sign-in attempts older than a day (the rate limit looks back minutes).
pub async fn purge_attempts(c: &impl ConnectionTrait) -> Result<u64> {
    let before = iso(time::OffsetDateTime::now_utc() - time::Duration::days(1));
    Ok(exec(c, "DELETE FROM login_attempts WHERE at < $1", vec![before.into()]).await?)
}

pub async fn log_attempt(c: &impl ConnectionTrait, ip: &str, email: &str, ok: bool) -> Result<()> {
    exec(
        c,
        "INSERT INTO login_attempts (ip, email, at, ok) VALUES ($1, $2, $3, $4)",
        vec![ip.into(), email.into(), now_iso().into(), ok.into()],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Invitation {
    pub id: i64,
    pub company_id: i64,
    pub email: String,
    pub invited_by: i64,
    pub created_at: String,
    pub accepted_at: Option<String>,
}

pub async fn invite(c: &impl ConnectionTrait, company_id: i64, email: &str, invited_by: i64, token: &str) -> Result<i64> {
    Ok(insert_id(
        c,
        "INSERT INTO invitations (company_id, email, token_hash, invited_by, created_at) VALUES ($1, $2, $3, $4, $5)",
        vec![company_id.into(), email.into(), token_hash(token).into(), invited_by.into(), now_iso().into()],
    )
    .await?)
}

pub async fn invitations_of(c: &impl ConnectionTrait, company_id: i64) -> Result<Vec<Invitation>> {
    Ok(all(
        c,
        "SELECT id, company_id, email, invited_by, created_at, accepted_at FROM invitations WHERE company_id = $1 ORDER BY id DESC",
        vec![company_id.into()],
    )
    .await?)
}

pub async fn invitation_by_token(c: &impl ConnectionTrait, token: &str) -> Result<Option<Invitation>> {
    Ok(one(
        c,
        "SELECT id, company_id, email, invited_by, created_at, accepted_at FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL",
        vec![token_hash(token).into()],
    )
    .await?)
}

pub async fn accept_invitation(c: &impl ConnectionTrait, id: i64) -> Result<()> {
    exec(c, "UPDATE invitations SET accepted_at = $1 WHERE id = $2", vec![now_iso().into(), id.into()]).await?;
    Ok(())
}
