//! The SQLite store: opening, pragmas, schema, and the [`EventStore`] impl.

use std::path::{Path, PathBuf};
use std::time::Duration;

use molehunt_model::RiskLevel;
use rusqlite::{Connection, OptionalExtension};

use crate::schema::{DDL, SCHEMA_VERSION};
use crate::write::SqliteWriter;
use crate::{
    CaseRow, EventStore, EvidenceRow, NetworkRow, PersonRisk, Results, StoreError, StoredEvent,
};

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=NORMAL` under WAL: a commit survives a killed process;
    /// after a power loss or OS crash the last commits may be missing, but
    /// the database is never corrupt (re-running the ingest restores them).
    #[default]
    Normal,
    /// `synchronous=FULL`: every commit is fsynced before it returns.
    Full,
}

/// The default page size of a new store. Events live in compressed blocks of
/// tens of KiB, so bigger pages mean shorter overflow chains and a quarter of
/// the WAL frames to write and checkpoint; on the 1M-event benchmark the ingest
/// took 3-9% less wall time than with SQLite's default of 4,096 (three
/// alternating quiet runs). Small writes (results, ledger batches) lose little.
const PAGE_SIZE: u32 = 16384;

/// Options for [`Store::open_with`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub durability: Durability,
    /// SQLite page cache in KiB (a first ingest uses less, see `write.rs`).
    pub cache_kib: u32,
    /// How long to wait for another writer.
    pub busy_timeout: Duration,
    /// Page size of a newly created database file, in bytes (a power of two
    /// from 512 to 65,536); an existing file keeps its own.
    pub page_size: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            durability: Durability::Normal,
            cache_kib: 64 * 1024,
            busy_timeout: Duration::from_secs(30),
            page_size: PAGE_SIZE,
        }
    }
}

/// The embedded SQLite store (one file).
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// A checkpoint running on a second connection (see
    /// [`Store::checkpoint_in_background`]).
    checkpointer: Option<std::thread::JoinHandle<Result<Checkpointed, rusqlite::Error>>>,
}

/// What a checkpoint did: SQLite's `PRAGMA wal_checkpoint` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpointed {
    /// The checkpoint could not finish (another connection was checkpointing or
    /// reading an older snapshot).
    pub busy: bool,
    /// Frames in the WAL.
    pub wal_frames: i64,
    /// Frames copied into the database file.
    pub checkpointed: i64,
}

impl Drop for Store {
    fn drop(&mut self) {
        // the WAL is copied into the database file before the store goes away
        let _ = self.wait_checkpoint();
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating when missing) the store at `path` with default options.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, &StoreOptions::default())
    }

    /// Opens (creating when missing) the store at `path`.
    pub fn open_with(path: &Path, opts: &StoreOptions) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(opts.busy_timeout).map_err(open_err)?;
        // takes effect only while the file is still empty (before WAL is set)
        conn.pragma_update(None, "page_size", opts.page_size)
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        let sync = match opts.durability {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        };
        conn.pragma_update(None, "synchronous", sync)
            .map_err(open_err)?;
        conn.pragma_update(None, "cache_size", -i64::from(opts.cache_kib))
            .map_err(open_err)?;
        conn.pragma_update(None, "temp_store", "FILE")
            .map_err(open_err)?;
        conn.set_prepared_statement_cache_capacity(64);
        let store = Store {
            conn,
            path: path.to_path_buf(),
            checkpointer: None,
        };
        store.migrate()?;
        Ok(store)
    }

    /// Copies the WAL into the database file on a second connection and thread
    /// (SQLite's PASSIVE checkpoint: it never waits for or blocks this
    /// connection). An ingest commits without checkpointing and calls this, so
    /// that the copy and its fsync overlap scoring and saving the results
    /// instead of delaying them. At most one runs at a time; dropping the store
    /// waits for it.
    pub fn checkpoint_in_background(&mut self) {
        // one at a time: a second would find the checkpoint lock taken anyway
        let _ = self.wait_checkpoint();
        let path = self.path.clone();
        self.checkpointer = Some(std::thread::spawn(move || {
            let conn = Connection::open_with_flags(
                &path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            // the checkpoint's copies reach the disk while it runs, not all in its final sync
            let _writeback = crate::writeback::Writeback::start(Some(path.clone()));
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok(Checkpointed {
                    busy: r.get::<_, i64>(0)? != 0,
                    wal_frames: r.get(1)?,
                    checkpointed: r.get(2)?,
                })
            })
        }));
    }

    /// Waits for the background checkpoint, if one runs, and says what it did.
    pub fn wait_checkpoint(&mut self) -> Result<Option<Checkpointed>, StoreError> {
        match self.checkpointer.take() {
            None => Ok(None),
            Some(handle) => match handle.join() {
                Ok(done) => Ok(Some(done?)),
                Err(_) => Err(StoreError::Corrupt("the checkpoint thread panicked".into())),
            },
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection (for crates that keep prefixed tables here).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'store_schema'",
                [],
                |r| r.get(0),
            )
            .optional()
            .or_else(|e| match e {
                // fresh file: no meta table yet
                rusqlite::Error::SqliteFailure(_, Some(ref m)) if m.contains("no such table") => {
                    Ok(None)
                }
                e => Err(e),
            })?;
        if let Some(v) = found {
            let found: i64 = v
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("schema version `{v}`")))?;
            if found == 1 || found == 2 {
                crate::schema::migrate_rows_to_blocks(&self.conn)?;
            } else if found == 3 {
                crate::schema::migrate_3_to_4(&self.conn)?;
            } else if found != SCHEMA_VERSION {
                return Err(StoreError::SchemaVersion {
                    path: self.path.clone(),
                    found,
                    expected: SCHEMA_VERSION,
                });
            }
        }
        self.conn.execute_batch(DDL)?;
        crate::schema::create_event_tables(&self.conn)?;
        self.conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('store_schema', ?1)",
            [SCHEMA_VERSION.to_string()],
        )?;
        Ok(())
    }

    /// Current risk of a person, looked up by person_id or by one of the
    /// person's account_ids (inherent twin of [`EventStore::person_risk`]).
    pub fn person_risk(&self, subject_id: &str) -> Result<Option<PersonRisk>, StoreError> {
        crate::results::person_risk(&self.conn, subject_id)
    }

    /// The committed ingests: (number, source, sha256, inserted), oldest first.
    pub fn ingests(&self) -> Result<Vec<(i64, String, String, u64)>, StoreError> {
        let mut st = self
            .conn
            .prepare("SELECT ingest, source, sha256, inserted FROM ingests ORDER BY ingest")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The person an account belongs to (latest `account` record).
    pub fn account_person(&self, account_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT person_id FROM accounts WHERE account_id = ?1",
                [account_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The account ids of a person.
    pub fn accounts_of(&self, person_id: &str) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT account_id FROM accounts WHERE person_id = ?1 ORDER BY account_id",
        )?;
        let rows = st.query_map([person_id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl EventStore for Store {
    type Writer<'a> = SqliteWriter<'a>;

    fn writer(&mut self, source: &str) -> Result<SqliteWriter<'_>, StoreError> {
        SqliteWriter::begin(&self.conn, source)
    }

    fn event_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT coalesce(sum(count), 0) FROM event_blocks",
            [],
            |r| r.get(0),
        )?)
    }

    fn for_each_event(
        &self,
        f: &mut dyn FnMut(&StoredEvent) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        crate::read::for_each_event(&self.conn, f)
    }

    fn events_of_person(
        &self,
        person_id: &str,
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        crate::read::events_of_person(&self.conn, person_id, limit)
    }

    fn events_by_id(&self, ids: &[String]) -> Result<Vec<StoredEvent>, StoreError> {
        crate::read::events_by_id(&self.conn, ids)
    }

    fn replace_results(&mut self, results: &Results) -> Result<(), StoreError> {
        crate::results::replace(&mut self.conn, results)
    }

    fn cases(
        &self,
        limit: Option<usize>,
        min_level: Option<RiskLevel>,
    ) -> Result<Vec<CaseRow>, StoreError> {
        crate::results::cases(&self.conn, limit, min_level)
    }

    fn case(&self, person_id: &str) -> Result<Option<CaseRow>, StoreError> {
        crate::results::case(&self.conn, person_id)
    }

    fn networks(&self) -> Result<Vec<NetworkRow>, StoreError> {
        crate::results::networks(&self.conn, None)
    }

    fn network(&self, network_id: &str) -> Result<Option<NetworkRow>, StoreError> {
        Ok(crate::results::networks(&self.conn, Some(network_id))?
            .into_iter()
            .next())
    }

    fn evidence_of(&self, person_id: &str) -> Result<Vec<EvidenceRow>, StoreError> {
        crate::results::evidence_of(&self.conn, person_id)
    }

    fn person_risk(&self, subject_id: &str) -> Result<Option<PersonRisk>, StoreError> {
        crate::results::person_risk(&self.conn, subject_id)
    }
}
