//! Writing one ingest inside one SQLite transaction with prepared statements.

use molehunt_model::{Record, Time};
use rusqlite::{Connection, OptionalExtension, Statement, params};
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use crate::{EventWriter, IngestCounts, NewEvent, StoreError, is_upsert};

/// Writes the events of one ingest; the transaction is rolled back unless
/// [`EventWriter::commit`] is called (a killed process leaves nothing either:
/// SQLite discards an uncommitted transaction on the next open).
pub struct SqliteWriter<'a> {
    conn: &'a Connection,
    insert: Statement<'a>,
    insert_id: Statement<'a>,
    account: Statement<'a>,
    /// Interned subject keys of this transaction: persons and accounts.
    persons: FxHashMap<String, i64>,
    accounts: FxHashMap<String, i64>,
    next_seq: i64,
    ingest: i64,
    source: String,
    open: bool,
}

const INSERT: &str = "INSERT INTO events \
    (seq, id, type, sort_ts, ts_ns, ts_offset, person_id, account_id, subject, ingest, raw) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

const INSERT_ID: &str = "INSERT OR IGNORE INTO event_ids (h1, h2, seq) VALUES (?1, ?2, ?3)";

/// The identity index key of an event id: 128 bits of SHA-256 over the id, as two integers.
pub fn id_key(id: &str) -> (i64, i64) {
    let d = Sha256::new()
        .chain_update(b"molehunt event id\0")
        .chain_update(id.as_bytes())
        .finalize();
    let mut a = [0u8; 8];
    let mut b = [0u8; 8];
    a.copy_from_slice(&d[..8]);
    b.copy_from_slice(&d[8..16]);
    (i64::from_be_bytes(a), i64::from_be_bytes(b))
}

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
            let next_seq: i64 =
                conn.query_row("SELECT coalesce(max(seq), 0) + 1 FROM events", [], |r| {
                    r.get(0)
                })?;
            Ok::<_, rusqlite::Error>((
                conn.prepare(INSERT)?,
                conn.prepare(INSERT_ID)?,
                conn.prepare(ACCOUNT)?,
                ingest,
                next_seq,
            ))
        })();
        match prepared {
            Ok((insert, insert_id, account, ingest, next_seq)) => Ok(SqliteWriter {
                conn,
                insert,
                insert_id,
                account,
                persons: FxHashMap::default(),
                accounts: FxHashMap::default(),
                next_seq,
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

    /// The interned key of a person (`person: true`) or account id.
    fn subject(&mut self, person: bool, name: &str) -> Result<i64, StoreError> {
        let cache = if person {
            &mut self.persons
        } else {
            &mut self.accounts
        };
        if let Some(&k) = cache.get(name) {
            return Ok(k);
        }
        let full = format!("{}:{name}", if person { 'p' } else { 'a' });
        let mut get = self
            .conn
            .prepare_cached("SELECT key FROM subjects WHERE name = ?1")?;
        let key = match get.query_row([&full], |r| r.get(0)).optional()? {
            Some(k) => k,
            None => {
                self.conn
                    .prepare_cached("INSERT INTO subjects (name) VALUES (?1)")?
                    .execute([&full])?;
                self.conn.last_insert_rowid()
            }
        };
        cache.insert(name.to_string(), key);
        Ok(key)
    }
}

impl EventWriter for SqliteWriter<'_> {
    fn insert(&mut self, new: &NewEvent<'_>) -> Result<bool, StoreError> {
        let record = &new.event.record;
        let seq = self.next_seq;
        let (h1, h2) = id_key(&new.event.id);
        if self.insert_id.execute(params![h1, h2, seq])? == 0 {
            return Ok(false);
        }
        self.next_seq += 1;
        let subject = match (record.person_id(), record.account_id()) {
            (Some(p), _) => Some(self.subject(true, p)?),
            (None, Some(a)) => Some(self.subject(false, a)?),
            (None, None) => None,
        };
        let ts = record.ts();
        let ts_ns = ts.as_ref().map(time_ns);
        let sort_ts = if is_upsert(record) { None } else { ts_ns };
        debug_assert_eq!(sort_ts, crate::analysis_time(record));
        self.insert.execute(params![
            seq,
            new.event.id,
            record.type_name(),
            sort_ts,
            ts_ns,
            ts.map(|t| t.offset_seconds),
            record.person_id(),
            record.account_id(),
            subject,
            self.ingest,
            new.raw,
        ])?;
        if let Record::Account(a) = record {
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
