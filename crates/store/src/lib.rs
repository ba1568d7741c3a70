//! GlobalDesk storage on SQLite (the embedded default) and PostgreSQL (several nodes).
//!
//! One code base serves both: statements are written once in the SQL both engines accept, with
//! `$n` placeholders (sqlx's SQLite driver maps `$n` to positions), and the few DDL differences
//! are substituted in [`migrate`]. Every function takes a [`ConnectionTrait`], so the same code
//! runs inside or outside a transaction.

pub mod agencies;
pub mod applications;
pub mod audit;
pub mod cases;
pub mod changes;
pub mod companies;
pub mod company_index;
pub mod desk;
pub mod experts;
pub mod jobs;
pub mod kb;
pub mod migrate;
pub mod plans;
pub mod playbooks;
pub mod programs;
pub mod reference;
pub mod sessions;
pub mod sync;
pub mod tokens;
pub mod users;

use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection, FromQueryResult, Statement};
use std::time::Duration;

pub use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait, Value};

/// Storage errors. Callers match on the variants they can explain to a person (a duplicate, a
/// stale version); everything else is an internal failure that the web layer logs and hides.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Duplicate(&'static str),
    #[error("the record was changed by someone else")]
    StaleVersion,
    #[error("invalid data: {0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl StoreError {
    /// Maps unique-constraint violations (worded differently by each engine) to `Duplicate`.
    pub(crate) fn unique(what: &'static str) -> impl Fn(DbErr) -> StoreError {
        move |e| {
            let msg = e.to_string();
            if msg.contains("UNIQUE constraint failed") || msg.contains("duplicate key value") {
                StoreError::Duplicate(what)
            } else {
                StoreError::Db(e)
            }
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone)]
pub struct Store {
    pub db: DatabaseConnection,
}

impl Store {
    /// Connects to `sqlite://path?mode=rwc` or `postgres://…`. SQLite gets WAL and a busy
    /// timeout so that readers never wait for the writer and writers queue instead of failing.
    pub async fn connect(url: &str) -> Result<Store> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false).acquire_timeout(Duration::from_secs(10));
        if url.starts_with("sqlite:") {
            opts.max_connections(8).min_connections(1).map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
        } else {
            opts.max_connections(32).min_connections(1);
        }
        let db = Database::connect(opts).await?;
        Ok(Store { db })
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// Runs one statement without parameters (administration: CREATE DATABASE, VACUUM INTO).
    pub async fn execute_unprepared(&self, sql: &str) -> Result<()> {
        self.db.execute_unprepared(sql).await?;
        Ok(())
    }

    pub async fn close(self) -> Result<()> {
        self.db.close().await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }
}

/// Builds a statement for the connection's engine.
pub(crate) fn stmt(c: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(c.get_database_backend(), sql, values)
}

pub(crate) async fn exec(c: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
    Ok(c.execute_raw(stmt(c, sql, values)).await?.rows_affected())
}

pub(crate) async fn all<T: FromQueryResult>(c: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Vec<T>, DbErr> {
    T::find_by_statement(stmt(c, sql, values)).all(c).await
}

pub(crate) async fn one<T: FromQueryResult>(c: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Option<T>, DbErr> {
    T::find_by_statement(stmt(c, sql, values)).one(c).await
}

/// Inserts and returns the new row's id (both engines support `RETURNING`).
pub(crate) async fn insert_id(c: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<i64, DbErr> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let row: Option<Id> = one(c, &format!("{sql} RETURNING id"), values).await?;
    row.map(|r| r.id).ok_or_else(|| DbErr::RecordNotInserted)
}

#[derive(FromQueryResult)]
pub(crate) struct Count {
    pub n: i64,
}

/// Current UTC time as ISO 8601 text; stored as TEXT so both engines sort and compare it alike.
pub fn now_iso() -> String {
    iso(time::OffsetDateTime::now_utc())
}

pub fn iso(t: time::OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// SHA-256 of a secret token, hex: what we store instead of the token itself.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// A random URL-safe secret of 32 bytes.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the OS random source is available");
    hex::encode(b)
}

/// Ids as the inside of an SQL `IN (…)` list. Only integers go in, so nothing needs quoting;
/// callers handle the empty list (an empty `IN ()` is not valid SQL).
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

/// Inserts many rows with multi-row `VALUES` statements (for seeding and imports), in chunks
/// that stay under both engines' parameter limits.
pub async fn bulk_insert(c: &impl ConnectionTrait, table: &str, columns: &[&str], rows: Vec<Vec<Value>>) -> Result<()> {
    // PostgreSQL takes large statements well. Through the SQLite driver the cost of a statement
    // grows faster than its parameters (300 demo cases took 3.4 s in chunks of 30,000
    // parameters), so SQLite gets statements of under a thousand.
    let params = if c.get_database_backend() == DatabaseBackend::Sqlite { 900 } else { 30_000 };
    let per_chunk = (params / columns.len().max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_chunk).collect();
        let mut marks = Vec::with_capacity(chunk.len());
        let mut values = Vec::with_capacity(chunk.len() * columns.len());
        for row in chunk {
            let start = values.len();
            marks.push(format!("({})", (1..=row.len()).map(|i| format!("${}", start + i)).collect::<Vec<_>>().join(", ")));
            values.extend(row);
        }
        exec(c, &format!("INSERT INTO {table} ({}) VALUES {}", columns.join(", "), marks.join(", ")), values).await?;
    }
    Ok(())
}

/// After rows were inserted with explicit ids, moves PostgreSQL's identity sequence past them.
pub async fn sync_identity(c: &impl ConnectionTrait, table: &str) -> Result<()> {
    if c.get_database_backend() == DatabaseBackend::Postgres {
        exec(c, &format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"), vec![])
            .await?;
    }
    Ok(())
}
