//! The SQLite schema of the store's own tables.

/// Bumped when the layout changes incompatibly.
pub const SCHEMA_VERSION: i64 = 2;

/// Idempotent DDL (every statement `IF NOT EXISTS`).
///
/// - `events`: the source of truth. `seq` is the insertion order; `id` the
///   event identity; `sort_ts` is the time in Unix nanoseconds for timed
///   events and NULL for upserts, so the index `events_order` yields exactly
///   the analysis order (NULLs first, in `seq` order, then by time, ties by
///   `seq`). `subject` is the interned key (table `subjects`) of the event's
///   `person_id`, else of its `account_id`: a small integer index instead of
///   two text indexes, for per-person timelines.
/// - `event_ids`: the identity index, 128 bits of SHA-256 over the id as two
///   integers (re-ingesting adds nothing). Integer keys keep the one random
///   B-tree insert per event cheap; `seq` finds the event back.
/// - `subjects`: `p:<person_id>` / `a:<account_id>` -> key.
/// - `accounts`: account -> person, from the latest `account` record.
/// - `ingests`: one row per committed ingest (file, counts, SHA-256).
/// - `cases`, `networks`, `evidence`: derived results, replaced by each scoring.
pub const DDL: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS events (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL,
    type       TEXT NOT NULL,
    sort_ts    INTEGER,
    ts_ns      INTEGER,
    ts_offset  INTEGER,
    person_id  TEXT,
    account_id TEXT,
    subject    INTEGER,
    ingest     INTEGER NOT NULL,
    raw        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_order ON events(sort_ts);
CREATE INDEX IF NOT EXISTS events_subject ON events(subject) WHERE subject IS NOT NULL;

CREATE TABLE IF NOT EXISTS event_ids (
    h1  INTEGER NOT NULL,
    h2  INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (h1, h2)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS subjects (
    key  INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL,
    seq        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS accounts_person ON accounts(person_id);

CREATE TABLE IF NOT EXISTS ingests (
    ingest     INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    lines      INTEGER NOT NULL,
    inserted   INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    rejected   INTEGER NOT NULL,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE IF NOT EXISTS cases (
    rank       INTEGER PRIMARY KEY,
    person_id  TEXT NOT NULL UNIQUE,
    score      INTEGER NOT NULL,
    level      TEXT NOT NULL,
    level_rank INTEGER NOT NULL,
    network_id TEXT,
    flags      TEXT NOT NULL,
    json       TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS networks (
    rank       INTEGER PRIMARY KEY,
    network_id TEXT NOT NULL UNIQUE,
    score      INTEGER NOT NULL,
    level      TEXT NOT NULL,
    person_ids TEXT NOT NULL,
    json       TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS evidence (
    seq       INTEGER PRIMARY KEY,
    person_id TEXT NOT NULL,
    flag      TEXT NOT NULL,
    json      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS evidence_person ON evidence(person_id);
"#;

/// Upgrades a schema-1 store in place, in one transaction (all or nothing): the text
/// identity and person/account indexes become `event_ids`, `subjects` and
/// `events.subject`. No event is rewritten; ids and analysis order are unchanged.
pub(crate) fn migrate_v1_to_v2(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let run = || -> rusqlite::Result<()> {
        conn.execute_batch(
            "ALTER TABLE events ADD COLUMN subject INTEGER;
             CREATE TABLE event_ids (
                 h1 INTEGER NOT NULL, h2 INTEGER NOT NULL, seq INTEGER NOT NULL,
                 PRIMARY KEY (h1, h2)
             ) WITHOUT ROWID;
             CREATE TABLE subjects (key INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
             INSERT OR IGNORE INTO subjects (name)
                 SELECT 'p:' || person_id FROM events WHERE person_id IS NOT NULL ORDER BY seq;
             INSERT OR IGNORE INTO subjects (name)
                 SELECT 'a:' || account_id FROM events
                 WHERE person_id IS NULL AND account_id IS NOT NULL ORDER BY seq;
             UPDATE events SET subject = (SELECT key FROM subjects WHERE name =
                 CASE WHEN events.person_id IS NOT NULL THEN 'p:' || events.person_id
                      ELSE 'a:' || events.account_id END)
             WHERE person_id IS NOT NULL OR account_id IS NOT NULL;",
        )?;
        {
            let mut read = conn.prepare("SELECT seq, id FROM events ORDER BY seq")?;
            let mut insert =
                conn.prepare("INSERT OR IGNORE INTO event_ids (h1, h2, seq) VALUES (?1, ?2, ?3)")?;
            let mut rows = read.query([])?;
            while let Some(row) = rows.next()? {
                let seq: i64 = row.get(0)?;
                let (h1, h2) = crate::write::id_key(row.get_ref(1)?.as_str()?);
                insert.execute(rusqlite::params![h1, h2, seq])?;
            }
        }
        conn.execute_batch(
            "DROP INDEX IF EXISTS events_id;
             DROP INDEX IF EXISTS events_person;
             DROP INDEX IF EXISTS events_account;
             CREATE INDEX events_subject ON events(subject) WHERE subject IS NOT NULL;
             UPDATE meta SET value = '2' WHERE key = 'store_schema';",
        )
    };
    match run() {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}
