//! Writing one ingest inside one SQLite transaction with prepared statements.

use molehunt_model::{Record, Time};
use rusqlite::{Connection, Statement, params};

use crate::{EventWriter, IngestCounts, NewEvent, StoreError, is_upsert};

/// Writes the events of one ingest; the transaction is rolled back unless
/// [`EventWriter::commit`] is called (a killed process leaves nothing either:
/// SQLite discards an uncommitted transaction on the next open).
pub struct SqliteWriter<'a> {
    conn: &'a Connection,
    insert: Statement<'a>,
    account: Statement<'a>,
    ingest: i64,
    source: String,
    open: bool,
}

const INSERT: &str = "INSERT OR IGNORE INTO events \
    (id, type, sort_ts, ts_ns, ts_offset, person_id, account_id, ingest, raw) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

const ACCOUNT: &str = "INSERT INTO accounts(account_id, person_id, seq) VALUES (?1, ?2, ?3) \
    ON CONFLICT(account_id) DO UPDATE SET person_id = excluded.person_id, seq = excluded.seq \
    WHERE excluded.seq > accounts.seq";

/// Unix nanoseconds, saturated to the i64 range (years 1678-2262).
pub(crate) fn time_ns(t: &Time) -> i64 {
    let ns = t.utc.as_nanosecond();
    i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX })
}

impl<'a> SqliteWriter<'a> {
    pub(crate) fn begin(conn: &'a Connection, source: &str) -> Result<Self, StoreError> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let prepared = (|| {
            let ingest: i64 = conn.query_row(
                "SELECT coalesce(max(ingest), 0) + 1 FROM ingests",
                [],
                |r| r.get(0),
            )?;
            Ok::<_, rusqlite::Error>((conn.prepare(INSERT)?, conn.prepare(ACCOUNT)?, ingest))
        })();
        match prepared {
            Ok((insert, account, ingest)) => Ok(SqliteWriter {
                conn,
                insert,
                account,
                ingest,
                source: source.to_string(),
                open: true,
            }),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e.into())
            }
        }
    }

    /// The number this ingest will have once committed.
    pub fn ingest_number(&self) -> i64 {
        self.ingest
    }
}

impl EventWriter for SqliteWriter<'_> {
    fn insert(&mut self, new: &NewEvent<'_>) -> Result<bool, StoreError> {
        let record = &new.event.record;
        let ts = record.ts();
        let ts_ns = ts.as_ref().map(time_ns);
        let sort_ts = if is_upsert(record) { None } else { ts_ns };
        debug_assert_eq!(sort_ts, crate::analysis_time(record));
        let changed = self.insert.execute(params![
            new.event.id,
            record.type_name(),
            sort_ts,
            ts_ns,
            ts.map(|t| t.offset_seconds),
            record.person_id(),
            record.account_id(),
            self.ingest,
            new.raw,
        ])?;
        if changed == 0 {
            return Ok(false);
        }
        if let Record::Account(a) = record {
            let seq = self.conn.last_insert_rowid();
            self.account
                .execute(params![a.account_id, a.person_id, seq])?;
        }
        Ok(true)
    }

    fn commit(mut self, counts: &IngestCounts) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO ingests(ingest, source, sha256, lines, inserted, duplicates, rejected) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                self.ingest,
                self.source,
                counts.sha256,
                counts.lines as i64,
                counts.inserted as i64,
                counts.duplicates as i64,
                counts.rejected as i64,
            ],
        )?;
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(self.ingest)
    }

    fn rollback(mut self) -> Result<(), StoreError> {
        self.open = false;
        self.conn.execute_batch("ROLLBACK")?;
        Ok(())
    }
}

impl Drop for SqliteWriter<'_> {
    fn drop(&mut self) {
        if self.open && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
