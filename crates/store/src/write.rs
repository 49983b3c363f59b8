//! Writing one ingest inside one SQLite transaction: events go into blocks
//! (see `block.rs`), their identities into the identity index (`idruns.rs`).

use molehunt_model::{Record, Time};
use rusqlite::{Connection, Statement, params};
use rustc_hash::FxHashSet;
use sha2::{Digest, Sha256};

use crate::block::{BlockBuilder, Columns, ZSTD_LEVEL, hex16};
use crate::idruns::Runs;
use crate::{EventWriter, IngestCounts, NewEvent, StoreError, is_upsert};

/// The identity index key of an event id, as two integers: the 16 bytes of an id
/// written as 32 lowercase hex digits (every content id is), else the first 16
/// bytes of SHA-256 over the id. (A collision between the two forms would need a
/// second preimage of truncated SHA-256.)
pub fn id_key(id: &str) -> (i64, i64) {
    key_of(hex16(id), id)
}

/// [`id_key`] of an id already decoded by [`hex16`].
pub(crate) fn key_of(hex: Option<[u8; 16]>, id: &str) -> (i64, i64) {
    let bytes: [u8; 16] = match hex {
        Some(b) => b,
        None => {
            let d = Sha256::new()
                .chain_update(b"molehunt event id\0")
                .chain_update(id.as_bytes())
                .finalize();
            let mut b = [0u8; 16];
            b.copy_from_slice(&d[..16]);
            b
        }
    };
    let mut a = [0u8; 8];
    let mut b = [0u8; 8];
    a.copy_from_slice(&bytes[..8]);
    b.copy_from_slice(&bytes[8..]);
    (i64::from_be_bytes(a), i64::from_be_bytes(b))
}

/// Unix nanoseconds, saturated to the i64 range (years 1678-2262).
pub(crate) fn time_ns(t: &Time) -> i64 {
    let ns = t.utc.as_nanosecond();
    i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX })
}

/// Identities of one ingest remembered in memory, so that checking a new event
/// for a duplicate within the ingest needs no lookup in the identity index
/// (about 25 bytes each; beyond this many the writer forgets them and looks up
/// instead).
const SEEN_KEYS: usize = 1 << 21;
/// Identities written to the index together, as one sorted run. Most ingests
/// write theirs at commit, which overlaps the analysis thread's linking and
/// scoring; a bigger source writes one run per 2^20 events (24 MiB held at
/// most).
const KEY_CHUNK: usize = 1 << 20;

const INSERT_BLOCK: &str = "INSERT INTO event_blocks \
    (block, ingest, timed, first_seq, last_seq, min_ts, max_ts, count, raw_len, subjects, data) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/// Fills event blocks and the identity index; used by the writer and by the
/// schema migration.
pub(crate) struct BlockSink<'a> {
    conn: &'a Connection,
    insert_block: Statement<'a>,
    /// The identity index's runs (with the ones this sink wrote).
    pub(crate) runs: Runs,
    timed: BlockBuilder,
    untimed: BlockBuilder,
    /// Block numbers of the open builders (timed, untimed).
    numbers: [i64; 2],
    next_block: i64,
    /// Identities known to be stored: added by this sink, or found in the
    /// index by the writer (at most `seen_cap`).
    seen: FxHashSet<(i64, i64)>,
    /// Identities not yet written to the index, with their block.
    unwritten: Vec<((i64, i64), i64)>,
    /// Some identities of this sink were forgotten: only the index knows them.
    pub(crate) forgot: bool,
    seen_cap: usize,
    zstd: zstd::bulk::Compressor<'static>,
    ingest: i64,
}

impl<'a> BlockSink<'a> {
    pub(crate) fn new(conn: &'a Connection, ingest: i64) -> Result<Self, StoreError> {
        let next_block: i64 = conn.query_row(
            "SELECT coalesce(max(block), 0) + 1 FROM event_blocks",
            [],
            |r| r.get(0),
        )?;
        Ok(BlockSink {
            conn,
            insert_block: conn.prepare(INSERT_BLOCK)?,
            runs: Runs::load(conn)?,
            timed: BlockBuilder::new(true),
            untimed: BlockBuilder::new(false),
            numbers: [0, 0],
            next_block,
            seen: FxHashSet::default(),
            unwritten: Vec::with_capacity(KEY_CHUNK),
            forgot: false,
            seen_cap: SEEN_KEYS,
            zstd: zstd::bulk::Compressor::new(ZSTD_LEVEL)
                .map_err(|e| StoreError::Corrupt(format!("zstd: {e}")))?,
            ingest,
        })
    }

    /// Remembers an identity as stored; false when it already was remembered.
    /// At the memory cap the identities not yet in the index are written
    /// there and the memory starts over (`forgot` is set: from then on only
    /// the index knows them all).
    pub(crate) fn remember(&mut self, key: (i64, i64)) -> Result<bool, StoreError> {
        if self.seen.len() >= self.seen_cap && !self.seen.contains(&key) {
            // what is forgotten must be findable in the index
            self.write_keys()?;
            self.seen = FxHashSet::default();
            self.forgot = true;
        }
        Ok(self.seen.insert(key))
    }

    /// Adds one event (its identity must be new; the writer checks that with
    /// [`BlockSink::remember`] and the index first).
    pub(crate) fn add(&mut self, key: (i64, i64), c: &Columns<'_>) -> Result<(), StoreError> {
        let timed = c.sort_ts.is_some();
        let slot = usize::from(!timed);
        let builder = if timed {
            &mut self.timed
        } else {
            &mut self.untimed
        };
        if builder.is_empty() {
            self.numbers[slot] = self.next_block;
            self.next_block += 1;
        }
        builder.push(c)?;
        let full = builder.is_full();
        self.unwritten.push((key, self.numbers[slot]));
        if full {
            self.flush_block(timed)?;
        }
        if self.unwritten.len() >= KEY_CHUNK {
            self.write_keys()?;
        }
        Ok(())
    }

    fn flush_block(&mut self, timed: bool) -> Result<(), StoreError> {
        let (builder, number) = if timed {
            (&mut self.timed, self.numbers[0])
        } else {
            (&mut self.untimed, self.numbers[1])
        };
        if builder.is_empty() {
            return Ok(());
        }
        let b = builder.build(&mut self.zstd)?;
        self.insert_block.execute(params![
            number,
            self.ingest,
            timed,
            b.first_seq,
            b.last_seq,
            b.min_ts,
            b.max_ts,
            b.count as i64,
            b.raw_len as i64,
            b.subjects,
            b.data,
        ])?;
        Ok(())
    }

    fn write_keys(&mut self) -> Result<(), StoreError> {
        self.runs.add_unsorted(self.conn, &mut self.unwritten)?;
        self.unwritten.clear();
        Ok(())
    }

    /// Ends the current blocks (the next events start new ones) and records
    /// them under `ingest` from now on.
    pub(crate) fn set_ingest(&mut self, ingest: i64) -> Result<(), StoreError> {
        self.flush_block(true)?;
        self.flush_block(false)?;
        self.ingest = ingest;
        Ok(())
    }

    /// Writes everything still held.
    pub(crate) fn finish(&mut self) -> Result<(), StoreError> {
        self.flush_block(true)?;
        self.flush_block(false)?;
        self.write_keys()
    }
}

/// Writes the events of one ingest; the transaction is rolled back unless
/// [`EventWriter::commit`] is called (a killed process leaves nothing either:
/// SQLite discards an uncommitted transaction on the next open).
pub struct SqliteWriter<'a> {
    conn: &'a Connection,
    sink: BlockSink<'a>,
    account: Statement<'a>,
    next_seq: i64,
    ingest: i64,
    source: String,
    open: bool,
    /// The connection's page cache size to restore (set by a first ingest).
    cache_before: Option<i64>,
    /// A first ingest the caller can redo: its identities are not remembered
    /// (see [`EventWriter::assume_distinct`]).
    distinct: bool,
    /// Starts the disk writes of the WAL while the ingest fills it.
    _writeback: crate::writeback::Writeback,
}

/// The page cache of an ingest into a store with no identity index yet (a
/// first ingest), in KiB. Such an ingest looks nothing up, and with a small
/// cache its pages go to the WAL while it runs, where the disk starts on them
/// (see `writeback.rs`), instead of all at its commit. Later ingests keep the
/// connection's cache: they look their identities up in the index.
const FIRST_INGEST_CACHE_KIB: i64 = 16 * 1024;

/// The WAL file of a connection's main database (none in memory).
fn wal_path(conn: &Connection) -> Option<std::path::PathBuf> {
    let db = conn.path().filter(|p| !p.is_empty())?;
    let mut p = std::ffi::OsString::from(db);
    p.push("-wal");
    Some(std::path::PathBuf::from(p))
}

/// SQLite's default: a commit that leaves more WAL pages than this checkpoints.
const WAL_AUTOCHECKPOINT: i64 = 1000;

const ACCOUNT: &str = "INSERT INTO accounts(account_id, person_id, seq) VALUES (?1, ?2, ?3) \
    ON CONFLICT(account_id) DO UPDATE SET person_id = excluded.person_id, seq = excluded.seq \
    WHERE excluded.seq > accounts.seq";

impl<'a> SqliteWriter<'a> {
    pub(crate) fn begin(conn: &'a Connection, source: &str) -> Result<Self, StoreError> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let prepared = (|| {
            let ingest: i64 = conn.query_row(
                "SELECT coalesce(max(ingest), 0) + 1 FROM ingests",
                [],
                |r| r.get(0),
            )?;
            let next_seq: i64 = conn.query_row(
                "SELECT coalesce(max(last_seq), 0) + 1 FROM event_blocks",
                [],
                |r| r.get(0),
            )?;
            let sink = BlockSink::new(conn, ingest)?;
            let account = conn.prepare(ACCOUNT)?;
            // last: nothing fails between this and the writer that restores it
            let before: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
            // (a negative size is in KiB: a larger cache than the first ingest's)
            let cache_before = match sink.runs.is_empty() && before < -FIRST_INGEST_CACHE_KIB {
                true => {
                    conn.pragma_update(None, "cache_size", -FIRST_INGEST_CACHE_KIB)?;
                    Some(before)
                }
                false => None,
            };
            Ok::<_, StoreError>(SqliteWriter {
                conn,
                sink,
                account,
                next_seq,
                ingest,
                source: source.to_string(),
                open: true,
                cache_before,
                distinct: false,
                _writeback: crate::writeback::Writeback::start(wal_path(conn)),
            })
        })();
        if prepared.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        prepared
    }

    /// The number this ingest will have once committed.
    pub fn ingest_number(&self) -> i64 {
        self.ingest
    }

    /// Whether the identity is stored already (by an earlier ingest or earlier
    /// in this one); either way it is remembered as stored from now on. One
    /// probe of the in-memory set for a new identity.
    fn is_stored(&mut self, key: (i64, i64)) -> Result<bool, StoreError> {
        if self.distinct {
            // a repeat within the identities not yet in the index fails the
            // commit's sort; the index has the earlier ones of a big source
            if self.sink.runs.is_empty() {
                return Ok(false);
            }
            return Ok(self.sink.runs.find(self.conn, key)?.is_some());
        }
        if !self.sink.remember(key)? {
            return Ok(true);
        }
        // the index is empty for a first ingest (until the memory cap is reached)
        if self.sink.runs.is_empty() {
            return Ok(false);
        }
        Ok(self.sink.runs.find(self.conn, key)?.is_some())
    }
}

impl EventWriter for SqliteWriter<'_> {
    /// Sizes the set of this ingest's identities once: grown by doubling, its
    /// rehashes and the fresh pages of every size were a quarter of the
    /// storing thread's time on the 1M-event benchmark.
    fn expect(&mut self, events: u64) {
        if self.distinct {
            return;
        }
        let n = usize::try_from(events).unwrap_or(usize::MAX).min(SEEN_KEYS);
        self.sink
            .seen
            .reserve(n.saturating_sub(self.sink.seen.len()));
    }

    /// Taken only by a first ingest (no identity index yet): a later one has
    /// stored identities to compare with anyway.
    fn assume_distinct(&mut self) {
        self.distinct = self.sink.runs.is_empty() && self.sink.seen.is_empty();
    }

    fn insert(&mut self, new: &NewEvent<'_>) -> Result<bool, StoreError> {
        let record = &new.event.record;
        // decoded by the parsing thread: this thread never reads the id's text
        let id_hex = new.event.id_bytes();
        debug_assert_eq!(id_hex, hex16(&new.event.id));
        let key = key_of(id_hex, &new.event.id);
        if self.is_stored(key)? {
            return Ok(false);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let ts = record.ts();
        let ts_ns = ts.as_ref().map(time_ns);
        let sort_ts = if is_upsert(record) { None } else { ts_ns };
        debug_assert_eq!(sort_ts, crate::analysis_time(record));
        self.sink.add(
            key,
            &Columns {
                seq,
                id: &new.event.id,
                id_hex,
                kind: record.type_name(),
                sort_ts,
                ts_ns,
                ts_offset: ts.map(|t| t.offset_seconds),
                person_id: record.person_id(),
                account_id: record.account_id(),
                raw: new.raw,
            },
        )?;
        if let Record::Account(a) = record {
            self.account
                .execute(params![a.account_id, a.person_id, seq])?;
        }
        Ok(true)
    }

    fn commit(mut self, counts: &IngestCounts) -> Result<i64, StoreError> {
        self.sink.finish()?;
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
        // The commit does not copy the WAL into the database file itself (SQLite
        // would, past 1,000 pages): the caller runs that on a second connection
        // (`Store::checkpoint_in_background`), or the next commit of this
        // connection does it.
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let committed = self.conn.execute_batch("COMMIT");
        let restored = self
            .conn
            .pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT);
        committed?;
        restored?;
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
        if let Some(size) = self.cache_before {
            let _ = self.conn.pragma_update(None, "cache_size", size);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{EventStore, IngestCounts, NewEvent, Store, StoreError};
    use molehunt_model::parse_line;

    /// A first ingest (no identity index yet) runs with a smaller page cache and
    /// gives the connection's back; a later one keeps the connection's.
    #[test]
    fn only_a_first_ingest_shrinks_the_page_cache() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db")).unwrap();
        let cache = |s: &Store| -> i64 {
            s.connection()
                .query_row("PRAGMA cache_size", [], |r| r.get(0))
                .unwrap()
        };
        let configured = cache(&store);
        assert!(configured < -FIRST_INGEST_CACHE_KIB, "{configured}");
        let event = parse_line(
            r#"{"type":"login","ts":"2026-01-01T00:00:00Z","account_id":"a","ip":"192.0.2.1"}"#,
        )
        .unwrap();
        let mut w = store.writer("first").unwrap();
        assert_eq!(cache_of(w.conn), -FIRST_INGEST_CACHE_KIB);
        assert!(w.insert(&NewEvent::new(&event, "{}")).unwrap());
        w.commit(&IngestCounts::default()).unwrap();
        assert_eq!(cache(&store), configured);
        let w = store.writer("second").unwrap();
        assert_eq!(cache_of(w.conn), configured);
        w.rollback().unwrap();
        assert_eq!(cache(&store), configured);
    }

    /// A first ingest told its identities are distinct does not remember them:
    /// a repeat fails its commit and stores nothing. A later ingest ignores the
    /// promise and counts the repeat as a duplicate.
    #[test]
    fn distinct_first_ingest_fails_on_a_repeat_and_later_ones_count_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("d.db")).unwrap();
        let event = |ip: &str| {
            parse_line(&format!(
                r#"{{"type":"login","ts":"2026-01-01T00:00:00Z","account_id":"a","ip":"{ip}"}}"#
            ))
            .unwrap()
        };
        let (one, two) = (event("192.0.2.1"), event("192.0.2.2"));
        let mut w = store.writer("first").unwrap();
        w.assume_distinct();
        assert!(w.insert(&NewEvent::new(&one, "{}")).unwrap());
        assert!(
            w.insert(&NewEvent::new(&one, "{}")).unwrap(),
            "not remembered"
        );
        let r = w.commit(&IngestCounts::default());
        assert!(matches!(r, Err(StoreError::RepeatedIdentity)), "{r:?}");
        assert_eq!(store.event_count().unwrap(), 0);
        let mut w = store.writer("first again").unwrap();
        assert!(w.insert(&NewEvent::new(&one, "{}")).unwrap());
        assert!(!w.insert(&NewEvent::new(&one, "{}")).unwrap());
        w.commit(&IngestCounts::default()).unwrap();
        let mut w = store.writer("second").unwrap();
        w.assume_distinct();
        assert!(!w.insert(&NewEvent::new(&one, "{}")).unwrap());
        assert!(w.insert(&NewEvent::new(&two, "{}")).unwrap());
        assert!(!w.insert(&NewEvent::new(&two, "{}")).unwrap());
        w.commit(&IngestCounts::default()).unwrap();
        assert_eq!(store.event_count().unwrap(), 2);
    }

    fn cache_of(c: &Connection) -> i64 {
        c.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap()
    }

    /// The size hint sizes the identity set once, never past its memory cap.
    #[test]
    fn expected_events_size_the_identity_set() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("e.db")).unwrap();
        let mut w = store.writer("x").unwrap();
        w.expect(5_000);
        let cap = w.sink.seen.capacity();
        assert!(cap >= 5_000, "{cap}");
        w.sink.seen_cap = SEEN_KEYS;
        w.expect(u64::MAX);
        assert!(w.sink.seen.capacity() >= SEEN_KEYS);
        assert!(w.sink.seen.capacity() < 2 * SEEN_KEYS);
        w.rollback().unwrap();
    }

    /// Identities forgotten mid-ingest (the memory cap) still catch later
    /// duplicates through the index, within the ingest and after it.
    #[test]
    fn duplicates_found_after_identities_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.db")).unwrap();
        let lines: Vec<String> = (0..10)
            .map(|i| {
                format!(
                    r#"{{"type":"login","ts":"2026-03-01T10:00:0{i}Z","account_id":"a1","ip":"203.0.113.9"}}"#
                )
            })
            .collect();
        let events: Vec<_> = lines
            .iter()
            .map(|l| molehunt_model::parse_line(l).unwrap())
            .collect();
        let mut w = store.writer("x").unwrap();
        w.sink.seen_cap = 3;
        let mut new = 0;
        for round in 0..2 {
            for (e, l) in events.iter().zip(&lines) {
                if w.insert(&NewEvent::new(e, l)).unwrap() {
                    new += 1;
                }
            }
            assert_eq!(new, 10, "round {round}");
            assert!(w.sink.forgot);
        }
        w.commit(&IngestCounts::default()).unwrap();
        assert_eq!(store.event_count().unwrap(), 10);
        let mut w = store.writer("y").unwrap();
        assert!(!w.insert(&NewEvent::new(&events[4], &lines[4])).unwrap());
        w.rollback().unwrap();
        let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
        assert_eq!(store.events_by_id(&ids).unwrap().len(), 10);
    }

    #[test]
    fn content_ids_key_by_their_own_bytes() {
        let hex = "00112233445566778899aabbccddeeff";
        assert_eq!(
            id_key(hex),
            (0x0011_2233_4455_6677, 0x8899_aabb_ccdd_eeff_u64 as i64)
        );
        assert_ne!(id_key("evt-1"), id_key("evt-2"));
    }
}
