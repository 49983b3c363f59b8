//! Molehunt's persistence: the event store (the source of truth) and the
//! derived results (cases, networks, evidence), behind the small
//! [`EventStore`] trait so a PostgreSQL implementation can be added later.
//!
//! [`Store`] is the embedded default: one SQLite file in WAL mode. Tables
//! without a prefix belong to this crate (`events`, `accounts`, `ingests`,
//! `cases`, `networks`, `evidence`, `meta`); other crates keep prefixed tables
//! (`ledger_*`, `screen_*`, `access_*`) in the same file.
//!
//! ```
//! use molehunt_store::{EventStore, EventWriter, NewEvent, Store};
//! # fn main() -> Result<(), molehunt_store::StoreError> {
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = Store::open(&dir.path().join("molehunt.db"))?;
//! let line = r#"{"type":"account","account_id":"a1","person_id":"p1"}"#;
//! let event = molehunt_model::parse_line(line).unwrap();
//! let mut w = store.writer("example.jsonl")?;
//! assert!(w.insert(&NewEvent::new(&event, line))?);
//! assert!(!w.insert(&NewEvent::new(&event, line))?, "same id: ignored");
//! w.commit(&Default::default())?;
//! assert_eq!(store.event_count()?, 1);
//! # Ok(()) }
//! ```

mod block;
mod idruns;
mod read;
mod results;
mod schema;
mod sqlite;
mod write;
mod writeback;

use std::path::PathBuf;

use molehunt_model::{Event, Record, RiskLevel};

pub use sqlite::{Checkpointed, Durability, Store, StoreOptions};
pub use write::SqliteWriter;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("unexpected stored value: {0}")]
    Value(#[from] rusqlite::types::FromSqlError),
    #[error("cannot open database `{path}`: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database `{path}` has schema version {found}, this build knows {expected}")]
    SchemaVersion {
        path: PathBuf,
        found: i64,
        expected: i64,
    },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// An error raised by the caller's callback while streaming events.
    #[error("{0}")]
    Callback(String),
    /// An ingest told its identities are distinct ([`EventWriter::assume_distinct`])
    /// met one twice: nothing of it is stored, and the caller redoes it without
    /// the assumption.
    #[error("an identity occurs twice in this ingest")]
    RepeatedIdentity,
}

/// One event to insert: the parsed record (for the index columns) and the
/// raw JSON line exactly as received (unknown fields kept).
#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    pub event: &'a Event,
    pub raw: &'a str,
}

impl<'a> NewEvent<'a> {
    pub fn new(event: &'a Event, raw: &'a str) -> Self {
        NewEvent { event, raw }
    }
}

/// One stored event as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Insertion order (1-based, gaps possible after rolled-back ingests).
    pub seq: i64,
    pub id: String,
    pub kind: String,
    /// Unix time in nanoseconds, when the record has a time.
    pub ts_ns: Option<i64>,
    /// The UTC offset (seconds) the time was written with.
    pub ts_offset: Option<i32>,
    pub person_id: Option<String>,
    pub account_id: Option<String>,
    /// The raw JSON line.
    pub raw: String,
}

/// Counts recorded for one committed ingest (one file or stream).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestCounts {
    /// Lines read (non-blank).
    pub lines: u64,
    /// Events newly stored.
    pub inserted: u64,
    /// Valid events already stored (same id).
    pub duplicates: u64,
    /// Lines rejected (only with skip-invalid).
    pub rejected: u64,
    /// SHA-256 of the input content, hex.
    pub sha256: String,
}

/// A stored case: one person's current risk, from the last scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub person_id: String,
    pub score: u8,
    pub level: RiskLevel,
    pub network_id: Option<String>,
    /// Flag ids, highest scoring first.
    pub flags: Vec<String>,
    /// The full case as JSON (the scorer's serialised person score).
    pub json: String,
}

/// A stored network of linked identities.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkRow {
    pub network_id: String,
    pub score: u8,
    pub level: RiskLevel,
    pub person_ids: Vec<String>,
    /// The full network as JSON.
    pub json: String,
}

/// One stored piece of evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRow {
    pub person_id: String,
    pub flag: String,
    /// The evidence as JSON (`molehunt_model::Evidence`).
    pub json: String,
}

/// Everything one scoring run derived; replaced as a whole.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Results {
    /// Highest risk first.
    pub cases: Vec<CaseRow>,
    /// Highest risk first.
    pub networks: Vec<NetworkRow>,
    pub evidence: Vec<EvidenceRow>,
}

/// The current risk of a person (the access gate reads this).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRisk {
    pub person_id: String,
    pub score: u8,
    pub level: RiskLevel,
    pub network_id: Option<String>,
    /// Flag ids.
    pub flags: Vec<String>,
}

/// Writes one ingest's events inside one transaction: all or nothing.
pub trait EventWriter {
    /// Stores an event unless one with the same id is stored; true when new.
    fn insert(&mut self, event: &NewEvent<'_>) -> Result<bool, StoreError>;
    /// A hint, before the first insert: about this many events will come
    /// (estimated from the input's size), so memory can be sized once.
    fn expect(&mut self, _events: u64) {}
    /// A promise, before the first insert, that the caller can redo this ingest
    /// from its start: the writer may then skip remembering the ingest's own
    /// identities (a first ingest has nothing else to compare them with), and an
    /// identity met twice fails the ingest with [`StoreError::RepeatedIdentity`]
    /// instead of counting as a duplicate.
    fn assume_distinct(&mut self) {}
    /// Commits the events and records the ingest; returns its ingest number.
    fn commit(self, counts: &IngestCounts) -> Result<i64, StoreError>;
    /// Discards everything written (also what dropping the writer does).
    fn rollback(self) -> Result<(), StoreError>;
}

/// The storage interface: the SQLite [`Store`] now, PostgreSQL later.
pub trait EventStore {
    type Writer<'a>: EventWriter
    where
        Self: 'a;

    /// Starts writing one ingest (`source`: the file name or `-`).
    fn writer(&mut self, source: &str) -> Result<Self::Writer<'_>, StoreError>;
    /// Number of stored events.
    fn event_count(&self) -> Result<u64, StoreError>;
    /// Streams every stored event in analysis order: records without a time
    /// (person, account, document, payout_method upserts) in ingest order
    /// first, then timed events by time (ties in ingest order). Constant
    /// memory. The callback's error stops the stream and is returned.
    fn for_each_event(
        &self,
        f: &mut dyn FnMut(&StoredEvent) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError>;
    /// Events that name the person directly or through one of the person's
    /// accounts, in analysis order (untimed first), at most `limit`.
    fn events_of_person(
        &self,
        person_id: &str,
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, StoreError>;
    /// Events by id (in the order asked, unknown ids skipped).
    fn events_by_id(&self, ids: &[String]) -> Result<Vec<StoredEvent>, StoreError>;
    /// Replaces all derived results atomically.
    fn replace_results(&mut self, results: &Results) -> Result<(), StoreError>;
    /// Stored cases, highest risk first, optionally at `min_level` or above.
    fn cases(
        &self,
        limit: Option<usize>,
        min_level: Option<RiskLevel>,
    ) -> Result<Vec<CaseRow>, StoreError>;
    fn case(&self, person_id: &str) -> Result<Option<CaseRow>, StoreError>;
    /// Stored networks, highest risk first.
    fn networks(&self) -> Result<Vec<NetworkRow>, StoreError>;
    fn network(&self, network_id: &str) -> Result<Option<NetworkRow>, StoreError>;
    /// Stored evidence of one person.
    fn evidence_of(&self, person_id: &str) -> Result<Vec<EvidenceRow>, StoreError>;
    /// Current risk by person_id or by one of the person's account_ids.
    fn person_risk(&self, subject_id: &str) -> Result<Option<PersonRisk>, StoreError>;
}

/// True for the record types that are upserts without a place in time
/// (they are fed to the analyzer first, in ingest order).
pub fn is_upsert(record: &Record) -> bool {
    matches!(
        record,
        Record::Person(_) | Record::Account(_) | Record::Document(_) | Record::PayoutMethod(_)
    )
}

/// The sort key of a record in analysis order: `None` for upserts (they come
/// first, in ingest order), else the time in Unix nanoseconds (saturated).
pub fn analysis_time(record: &Record) -> Option<i64> {
    if is_upsert(record) {
        None
    } else {
        record.ts().as_ref().map(write::time_ns)
    }
}

/// Parses a stored risk level name.
pub(crate) fn level_from_str(s: &str) -> Result<RiskLevel, StoreError> {
    match s {
        "low" => Ok(RiskLevel::Low),
        "medium" => Ok(RiskLevel::Medium),
        "high" => Ok(RiskLevel::High),
        "critical" => Ok(RiskLevel::Critical),
        other => Err(StoreError::Corrupt(format!("unknown risk level `{other}`"))),
    }
}

pub(crate) fn level_rank(level: RiskLevel) -> i64 {
    match level {
        RiskLevel::Low => 0,
        RiskLevel::Medium => 1,
        RiskLevel::High => 2,
        RiskLevel::Critical => 3,
    }
}
