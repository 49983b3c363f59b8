//! The gate's tables (`access_*`) in the shared SQLite database.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

/// A database failure, with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("database error while {doing}: {source}")]
pub struct DbError {
    pub doing: &'static str,
    #[source]
    pub source: rusqlite::Error,
}

pub(crate) trait Doing<T> {
    fn doing(self, what: &'static str) -> Result<T, DbError>;
}

impl<T> Doing<T> for Result<T, rusqlite::Error> {
    fn doing(self, doing: &'static str) -> Result<T, DbError> {
        self.map_err(|source| DbError { doing, source })
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS access_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS access_grants (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    role TEXT NOT NULL,
    duration_secs INTEGER NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    approvals_required INTEGER NOT NULL,
    status TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT,
    starts_at TEXT,
    expires_at TEXT
);
CREATE INDEX IF NOT EXISTS access_grants_status ON access_grants(status, expires_at);
CREATE TABLE IF NOT EXISTS access_grant_approvals (
    grant_id TEXT NOT NULL REFERENCES access_grants(id),
    approver TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (grant_id, approver)
);
CREATE TABLE IF NOT EXISTS access_case_decisions (
    id INTEGER PRIMARY KEY,
    person_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    note TEXT NOT NULL,
    by TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_case_decisions_person ON access_case_decisions(person_id);
CREATE TABLE IF NOT EXISTS access_entities (
    uid TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
";

/// Open (creating when missing) the database at `path` with WAL and a busy timeout, and create
/// the gate's tables.
pub fn open(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open(path).doing("opening the database")?;
    conn.busy_timeout(Duration::from_secs(5))
        .doing("setting the busy timeout")?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .doing("enabling WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .doing("setting synchronous")?;
    conn.execute_batch(SCHEMA)
        .doing("creating the access tables")?;
    Ok(conn)
}
