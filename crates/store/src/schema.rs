//! The SQLite schema of the store's own tables.

/// Bumped when the layout changes incompatibly.
pub const SCHEMA_VERSION: i64 = 4;

/// The event log's tables (also created by the migration from older schemas).
///
/// - `event_blocks`: the source of truth, events in blocks of up to 4,096
///   (see `block.rs`): untimed blocks (`timed` = 0: upserts and events without a
///   time) hold events in `seq` order, timed blocks in (time, `seq`) order with
///   their time range in `min_ts`/`max_ts` (Unix nanoseconds). `seq` numbers
///   events in insertion order; `subjects` is a Bloom filter of the persons and
///   accounts a block mentions; `data` the zstd-compressed payload of `raw_len`
///   bytes. The index `event_blocks_order` yields the blocks of a full
///   analysis-order scan.
/// - `id_runs`, `id_pages`: the identity index, 128 bits of each id as two
///   integers (see `write::id_key`) with the event's block, in sorted runs of
///   packed pages (see `idruns.rs`; re-ingesting adds nothing). Schema 3 kept it
///   in a B-tree table `event_ids`.
pub const EVENT_DDL: &str = r#"
CREATE TABLE IF NOT EXISTS event_blocks (
    block     INTEGER PRIMARY KEY,
    ingest    INTEGER NOT NULL,
    timed     INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    min_ts    INTEGER,
    max_ts    INTEGER,
    count     INTEGER NOT NULL,
    raw_len   INTEGER NOT NULL,
    subjects  BLOB NOT NULL,
    data      BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS event_blocks_order ON event_blocks(timed, min_ts, first_seq);
"#;

/// Idempotent DDL of the other tables (every statement `IF NOT EXISTS`).
///
/// - `accounts`: account -> person, from the latest `account` record.
/// - `ingests`: one row per committed ingest (file, counts, SHA-256).
/// - `cases`, `networks`, `evidence`: derived results, replaced by each scoring.
pub const DDL: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

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

/// Creates the event log's tables.
pub(crate) fn create_event_tables(conn: &rusqlite::Connection) -> Result<(), crate::StoreError> {
    conn.execute_batch(EVENT_DDL)?;
    conn.execute_batch(crate::idruns::DDL)?;
    Ok(())
}

/// Upgrades a schema-3 store in place, in one transaction: the B-tree table
/// `event_ids` becomes one run of the identity index.
pub(crate) fn migrate_3_to_4(conn: &rusqlite::Connection) -> Result<(), crate::StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let run = || -> Result<(), crate::StoreError> {
        conn.execute_batch(crate::idruns::DDL)?;
        let n: i64 = conn.query_row("SELECT count(*) FROM event_ids", [], |r| r.get(0))?;
        if n > 0 {
            let mut read = conn.prepare("SELECT h1, h2, block FROM event_ids ORDER BY h1, h2")?;
            let mut rows = read.query([])?;
            let entries = std::iter::from_fn(|| match rows.next() {
                Ok(Some(row)) => Some(
                    (|| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))()
                        .map_err(crate::StoreError::Sqlite),
                ),
                Ok(None) => None,
                Err(e) => Some(Err(e.into())),
            });
            crate::idruns::write_run(conn, n as usize, entries, None)?;
        }
        conn.execute_batch(
            "DROP TABLE event_ids;
             UPDATE meta SET value = '4' WHERE key = 'store_schema';",
        )?;
        Ok(())
    };
    match run() {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Upgrades a schema-1 or schema-2 store in place, in one transaction (all or
/// nothing): the row-per-event `events` table and its indexes become event
/// blocks and the identity index. Seqs, ids, raw lines and the analysis
/// order are unchanged.
pub(crate) fn migrate_rows_to_blocks(conn: &rusqlite::Connection) -> Result<(), crate::StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let run = || -> Result<(), crate::StoreError> {
        conn.execute_batch(
            "DROP TABLE IF EXISTS event_ids;
             DROP TABLE IF EXISTS subjects;
             DROP INDEX IF EXISTS events_id;
             DROP INDEX IF EXISTS events_order;
             DROP INDEX IF EXISTS events_subject;
             DROP INDEX IF EXISTS events_person;
             DROP INDEX IF EXISTS events_account;",
        )?;
        create_event_tables(conn)?;
        {
            let mut sink = crate::write::BlockSink::new(conn, 0)?;
            let mut read = conn.prepare(
                "SELECT seq, id, type, sort_ts, ts_ns, ts_offset, person_id, account_id, \
                 ingest, raw FROM events ORDER BY seq",
            )?;
            let mut rows = read.query([])?;
            let mut ingest = None;
            while let Some(row) = rows.next()? {
                let this: i64 = row.get(8)?;
                if ingest != Some(this) {
                    sink.set_ingest(this)?;
                    ingest = Some(this);
                }
                let id = row.get_ref(1)?.as_str()?;
                let c = crate::block::Columns {
                    seq: row.get(0)?,
                    id,
                    id_hex: crate::block::hex16(id),
                    kind: row.get_ref(2)?.as_str()?,
                    sort_ts: row.get(3)?,
                    ts_ns: row.get(4)?,
                    ts_offset: row.get(5)?,
                    person_id: row.get_ref(6)?.as_str_or_null()?,
                    account_id: row.get_ref(7)?.as_str_or_null()?,
                    raw: row.get_ref(9)?.as_str()?,
                };
                sink.add(crate::write::key_of(c.id_hex, id), &c)?;
            }
            sink.finish()?;
        }
        conn.execute_batch(
            "DROP TABLE events;
             UPDATE meta SET value = '4' WHERE key = 'store_schema';",
        )?;
        Ok(())
    };
    match run() {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::{EventStore, EventWriter, IngestCounts, NewEvent, Store};

    /// A schema-3 store (identity index in the B-tree table `event_ids`) is
    /// upgraded in place: every identity is still found, re-ingesting adds nothing.
    #[test]
    fn schema_3_identity_table_becomes_a_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.db");
        let lines: Vec<String> = (0..700)
            .map(|i| {
                format!(
                    r#"{{"type":"login","ts":"2026-03-01T10:{:02}:{:02}Z","account_id":"a{}","ip":"203.0.113.9"}}"#,
                    i / 60,
                    i % 60,
                    i % 7
                )
            })
            .collect();
        let events: Vec<_> = lines
            .iter()
            .map(|l| molehunt_model::parse_line(l).unwrap())
            .collect();
        let insert_all = |store: &mut Store| {
            let mut w = store.writer("x").unwrap();
            let mut new = 0;
            for (e, l) in events.iter().zip(&lines) {
                new += usize::from(w.insert(&NewEvent::new(e, l)).unwrap());
            }
            w.commit(&IngestCounts::default()).unwrap();
            new
        };
        {
            let mut store = Store::open(&path).unwrap();
            assert_eq!(insert_all(&mut store), 700);
        }
        // written back as schema 3 wrote it
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(
                "CREATE TABLE event_ids (h1 INTEGER NOT NULL, h2 INTEGER NOT NULL,
                     block INTEGER NOT NULL, PRIMARY KEY (h1, h2)) WITHOUT ROWID;",
            )
            .unwrap();
            let run_ids: Vec<i64> = c
                .prepare("SELECT run FROM id_runs")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            for run in run_ids {
                let mut reader = crate::idruns::RunReader::of_run(&c, run).unwrap();
                while let Some(((h1, h2), block)) = reader.next().unwrap() {
                    c.execute(
                        "INSERT INTO event_ids VALUES (?1, ?2, ?3)",
                        rusqlite::params![h1, h2, block],
                    )
                    .unwrap();
                }
            }
            c.execute_batch(
                "DROP TABLE id_runs; DROP TABLE id_pages;
                 UPDATE meta SET value = '3' WHERE key = 'store_schema';",
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        let c = store.connection();
        let version: String = c
            .query_row(
                "SELECT value FROM meta WHERE key = 'store_schema'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(version, "4");
        let old: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'event_ids'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(old, 0);
        let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
        let found = store.events_by_id(&ids).unwrap();
        assert_eq!(found.len(), 700);
        assert_eq!(found[123].raw, lines[123]);
        assert_eq!(insert_all(&mut store), 0);
        assert_eq!(store.event_count().unwrap(), 700);
    }
}
