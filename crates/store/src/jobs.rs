//! The job outbox. Work that leaves the process (e-mail) is written as a job in the same
//! transaction as the change that caused it, so it is never lost and never sent for a change
//! that rolled back. Workers on any node claim due jobs; failures retry with exponential backoff
//! until `MAX_ATTEMPTS`, then the job is parked as `dead` for an operator to look at.

use crate::{Count, Result, exec, iso, now_iso, one};
use sea_orm::{ConnectionTrait, DatabaseBackend, FromQueryResult};

pub const MAX_ATTEMPTS: i64 = 8;
/// A claimed job whose worker died is claimable again after this long.
const LEASE_SECONDS: i64 = 300;

#[derive(Debug, Clone, FromQueryResult)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

pub async fn enqueue(c: &impl ConnectionTrait, kind: &str, payload: &serde_json::Value) -> Result<()> {
    let now = now_iso();
    exec(
        c,
        "INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4)",
        vec![kind.into(), payload.to_string().into(), now.clone().into(), now.into()],
    )
    .await?;
    Ok(())
}

/// Claims the oldest due job. On PostgreSQL `SKIP LOCKED` lets several nodes claim in parallel
/// without waiting on each other; SQLite has one writer, so the plain update is already atomic.
pub async fn claim(c: &impl ConnectionTrait) -> Result<Option<Job>> {
    let now = time::OffsetDateTime::now_utc();
    let lease = iso(now + time::Duration::seconds(LEASE_SECONDS));
    let now = iso(now);
    let lock = if c.get_database_backend() == DatabaseBackend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $1 \
         WHERE id = (SELECT id FROM jobs WHERE (status = 'pending' AND run_at <= $2) OR (status = 'running' AND locked_until < $2) ORDER BY id LIMIT 1 {lock}) \
         RETURNING id, kind, payload, attempts"
    );
    Ok(one(c, &sql, vec![lease.into(), now.into()]).await?)
}

pub async fn complete(c: &impl ConnectionTrait, id: i64) -> Result<()> {
    exec(c, "UPDATE jobs SET status = 'done', finished_at = $1, locked_until = NULL WHERE id = $2", vec![now_iso().into(), id.into()])
        .await?;
    Ok(())
}

/// Schedules a retry after 2^attempts × 10 seconds, or parks the job as dead.
pub async fn fail(c: &impl ConnectionTrait, job: &Job, error: &str) -> Result<()> {
    if job.attempts >= MAX_ATTEMPTS {
        exec(
            c,
            "UPDATE jobs SET status = 'dead', last_error = $1, finished_at = $2, locked_until = NULL WHERE id = $3",
            vec![error.into(), now_iso().into(), job.id.into()],
        )
        .await?;
    } else {
        let delay = 10i64 << job.attempts.clamp(0, 16);
        let at = iso(time::OffsetDateTime::now_utc() + time::Duration::seconds(delay));
        exec(
            c,
            "UPDATE jobs SET status = 'pending', last_error = $1, run_at = $2, locked_until = NULL WHERE id = $3",
            vec![error.into(), at.into(), job.id.into()],
        )
        .await?;
    }
    Ok(())
}

pub async fn count_by_status(c: &impl ConnectionTrait, status: &str) -> Result<i64> {
    let n: Option<Count> = one(c, "SELECT COUNT(*) AS n FROM jobs WHERE status = $1", vec![status.into()]).await?;
    Ok(n.map(|n| n.n).unwrap_or(0))
}
