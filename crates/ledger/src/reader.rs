//! Read access to a stored log: entries, roots, proofs and full verification.
//!
//! [`LedgerReader::open`] opens the database **read-only**: it never creates tables, a
//! signing key or a writer thread, so it is what to use on a copy of someone else's
//! database (`molehunt audit verify|show|prove|consistency`). [`crate::Ledger`] uses the
//! same code over its own connection.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::check::{self, VerifySummary};
use crate::note::VerifierKey;
use crate::store::{self, StoredCheckpoint};
use crate::tree::{self, Hash};
use crate::{ConsistencyProof, EntryVisitor, InclusionProof, LedgerError};

/// Read-only access to a ledger. `Send + Sync`.
pub struct LedgerReader {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for LedgerReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerReader")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Whether `conn` holds the ledger's tables.
fn has_ledger(conn: &Connection) -> Result<bool, LedgerError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger_entries'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

impl LedgerReader {
    /// Opens the ledger in the SQLite database at `db_path` read-only. Fails with
    /// [`LedgerError::NoLedger`] when the file does not exist or holds no ledger. Nothing
    /// is created or written (SQLite may create its `-wal`/`-shm` companions to read a WAL
    /// database).
    pub fn open(db_path: &Path) -> Result<LedgerReader, LedgerError> {
        let no_ledger = || LedgerError::NoLedger(db_path.to_path_buf());
        if !db_path.is_file() {
            return Err(no_ledger());
        }
        let conn = Connection::open_with_flags(
            db_path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.execute_batch("PRAGMA query_only = ON")?;
        if !has_ledger(&conn)? {
            return Err(no_ledger());
        }
        Ok(LedgerReader::from_conn(conn, db_path))
    }

    pub(crate) fn from_conn(conn: Connection, path: &Path) -> LedgerReader {
        LedgerReader {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        }
    }

    /// The database path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let conn = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&conn)
    }

    /// The log's origin (name), if one was stored.
    pub fn origin(&self) -> Result<Option<String>, LedgerError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT value FROM ledger_meta WHERE key = 'origin'",
                [],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    /// Number of entries stored.
    pub fn size(&self) -> Result<u64, LedgerError> {
        self.read(store::size)
    }

    /// The latest stored checkpoint, if any.
    pub fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, LedgerError> {
        self.read(store::latest_checkpoint)
    }

    /// The RFC 6962 root hash of the first `size` entries (O(log n) reads).
    pub fn root(&self, size: u64) -> Result<Hash, LedgerError> {
        self.read(|c| {
            let available = store::size(c)?;
            if size > available {
                return Err(LedgerError::SizeOutOfRange { size, available });
            }
            store::range_hash(c, 0, size)
        })
    }

    /// Entries with index in `range` (clamped to the log), in order.
    pub fn entries(&self, range: Range<u64>) -> Result<Vec<(u64, Vec<u8>)>, LedgerError> {
        self.read(|c| check::entries(c, range))
    }

    /// Calls `f` on each entry with index in `range`, in order, without holding them all.
    pub fn for_each_entry(
        &self,
        range: Range<u64>,
        f: &mut EntryVisitor<'_>,
    ) -> Result<(), LedgerError> {
        self.read(|c| check::for_each_entry(c, range, f))
    }

    /// Inclusion proof of entry `index` in the tree of `size` entries (default: the latest
    /// checkpoint's size). O(log n) range reads.
    pub fn prove_inclusion(
        &self,
        index: u64,
        size: Option<u64>,
    ) -> Result<InclusionProof, LedgerError> {
        self.read(|c| {
            let size = proof_size(c, size)?;
            if index >= size {
                return Err(LedgerError::IndexOutOfRange { index, size });
            }
            let proof = tree::inclusion_ranges(index, size)
                .into_iter()
                .map(|(lo, hi)| store::range_hash(c, lo, hi))
                .collect::<Result<Vec<_>, _>>()?;
            let leaf = check::entries(c, index..index + 1)?
                .pop()
                .map(|(_, d)| d)
                .ok_or_else(|| LedgerError::Corrupt(format!("entry {index} missing")))?;
            let root = store::range_hash(c, 0, size)?;
            Ok(InclusionProof {
                index,
                tree_size: size,
                leaf,
                proof,
                root,
            })
        })
    }

    /// Consistency proof between tree sizes `first` and `second` (default: the latest
    /// checkpoint's size). O(log n) range reads.
    pub fn prove_consistency(
        &self,
        first: u64,
        second: Option<u64>,
    ) -> Result<ConsistencyProof, LedgerError> {
        self.read(|c| {
            let second = proof_size(c, second)?;
            if first > second {
                return Err(LedgerError::SizesOutOfOrder { first, second });
            }
            let proof = tree::consistency_ranges(first, second)
                .into_iter()
                .map(|(lo, hi)| store::range_hash(c, lo, hi))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ConsistencyProof {
                first,
                second,
                proof,
                first_root: store::range_hash(c, 0, first)?,
                second_root: store::range_hash(c, 0, second)?,
            })
        })
    }

    /// Recomputes every leaf hash and the tree from the stored entries, checks the stored
    /// interior hashes and every stored checkpoint (its root, and its signature by `key`).
    /// Fails with [`LedgerError::Tampered`] naming the first bad index.
    pub fn verify(
        &self,
        key: &VerifierKey,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<VerifySummary, LedgerError> {
        self.read(|c| check::verify_all(c, Some(key), progress))
    }

    /// Like [`LedgerReader::verify`] but without a key: the tree, the stored hashes and the
    /// roots written in the checkpoint notes are checked, **signatures are not**
    /// (`VerifySummary::signatures_checked` is false). Someone able to rewrite the database
    /// can rewrite a consistent tree; only signatures catch that.
    pub fn verify_tree_only(
        &self,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<VerifySummary, LedgerError> {
        self.read(|c| check::verify_all(c, None, progress))
    }
}

/// The size to prove against: `size`, or the latest checkpoint's.
fn proof_size(c: &Connection, size: Option<u64>) -> Result<u64, LedgerError> {
    let available = store::size(c)?;
    let size = match size {
        Some(s) => s,
        None => {
            store::latest_checkpoint(c)?
                .ok_or(LedgerError::NoCheckpoint)?
                .size
        }
    };
    if size > available {
        return Err(LedgerError::SizeOutOfRange { size, available });
    }
    Ok(size)
}
