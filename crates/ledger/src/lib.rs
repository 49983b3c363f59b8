//! molehunt-ledger: a tamper-evident, append-only audit log in the style of Certificate
//! Transparency, verifiable by anyone holding its public key.
//!
//! - Entries are byte strings; an entry's index is its position. Hashing follows RFC 6962 /
//!   RFC 9162 (leaf `SHA-256(0x00 || entry)`, node `SHA-256(0x01 || left || right)`).
//! - Checkpoints are C2SP tlog-checkpoints signed as C2SP signed notes with Ed25519.
//! - Inclusion and consistency proofs cost O(log n) storage reads.
//! - Appends use group commit: concurrent callers share one fsync, and an append returns
//!   only once it is durable.
//! - Verification of proofs and checkpoints needs no database: see [`verify_inclusion`],
//!   [`verify_consistency`] and [`verify_checkpoint`].
//!
//! The log lives in a SQLite database (tables prefixed `ledger_`), which may be shared with
//! other writers; the signing key lives beside it in `<db>.ledger.key` (mode 0600).
//!
//! # Entry convention
//!
//! Molehunt records every state change as a compact JSON object with at least `kind` (what
//! happened, e.g. `"ingest"`, `"list_import"`, `"token_create"`) and `ts` (when, RFC 3339 in
//! UTC, e.g. `"2026-11-26T04:38:27.123Z"`), plus fields of that kind. Never put secrets
//! (token values, keys) in an entry: the log is meant to be shown.
//!
//! ```
//! use molehunt_ledger::{Ledger, LedgerOptions, verify_inclusion, leaf_hash};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let ledger = Ledger::open(&dir.path().join("molehunt.db"), LedgerOptions::default())?;
//! let i = ledger.append_json(&serde_json::json!({
//!     "kind": "ingest", "ts": "2026-11-26T04:38:27Z", "file": "events.jsonl", "events": 120,
//! }))?;
//! let cp = ledger.checkpoint()?; // signed note for the current tree
//! let proof = ledger.prove_inclusion(i, Some(cp.size))?;
//! verify_inclusion(i, cp.size, &leaf_hash(&proof.leaf), &proof.proof, &cp.root)?;
//! # Ok(()) }
//! ```

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

mod check;
mod keyfile;
pub mod note;
mod reader;
mod store;
pub mod tree;
pub mod verify;
mod writer;

pub use check::{Tamper, VerifySummary};
pub use keyfile::{default_key_path, load_verifier_key};
pub use note::{Checkpoint, NoteError, NoteSigner, VerifierKey, verify_checkpoint};
pub use reader::LedgerReader;
pub use store::StoredCheckpoint;
pub use tree::{Hash, empty_root, leaf_hash, node_hash};
pub use verify::{ProofError, root_from_inclusion, verify_consistency, verify_inclusion};

pub use writer::WriterStats;
use writer::{Payload, Reply, Shared, Writer};

/// Errors of the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("`{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("signing key: {0}")]
    Key(String),
    #[error("invalid origin `{0}`: it must be a non-empty key name without spaces or `+`")]
    BadOrigin(String),
    #[error("append failed: {0}")]
    Commit(String),
    #[error("the ledger is closed")]
    Closed,
    #[error("index {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {size} is larger than the log ({available} entries)")]
    SizeOutOfRange { size: u64, available: u64 },
    #[error("tree size {first} is larger than tree size {second}")]
    SizesOutOfOrder { first: u64, second: u64 },
    #[error("no audit ledger in `{}`", .0.display())]
    NoLedger(PathBuf),
    #[error(
        "no verifier key: the key file `{}` is absent; pass the log's verifier key string (`<name>+<hash>+<key>`)",
        .0.display()
    )]
    NoVerifierKey(PathBuf),
    #[error(
        "the signing key file `{}` is missing but the log has signed checkpoints: restore the key file (a new key would sign checkpoints that do not verify with the old ones)",
        .0.display()
    )]
    KeyMissing(PathBuf),
    #[error("no checkpoint yet: run `molehunt audit checkpoint`")]
    NoCheckpoint,
    #[error("stored ledger is inconsistent: {0}")]
    Corrupt(String),
    #[error("ledger verification failed: {0}")]
    Tampered(Tamper),
    #[error("entry is not serialisable: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Note(#[from] NoteError),
}

/// A callback over `(index, entry bytes)`.
pub type EntryVisitor<'a> = dyn FnMut(u64, &[u8]) -> Result<(), LedgerError> + 'a;

/// How to open a ledger.
#[derive(Clone, Debug)]
pub struct LedgerOptions {
    /// The log's name: the first line of every checkpoint, and the name of a newly created
    /// signing key. Fixed when the ledger is created: later opens keep the stored origin.
    pub origin: String,
    /// The signing key file; `None` means `<db>.ledger.key`.
    pub key_path: Option<PathBuf>,
    /// Sign a checkpoint at most this often while appending (and once idle after appends).
    pub checkpoint_interval: Duration,
    /// How long to wait for other writers of the same database.
    pub busy_timeout: Duration,
}

impl Default for LedgerOptions {
    fn default() -> Self {
        LedgerOptions {
            origin: "molehunt.local/audit".to_string(),
            key_path: None,
            checkpoint_interval: Duration::from_secs(1),
            busy_timeout: Duration::from_secs(30),
        }
    }
}

/// An inclusion proof with the entry it proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InclusionProof {
    pub index: u64,
    pub tree_size: u64,
    /// The entry bytes.
    pub leaf: Vec<u8>,
    pub proof: Vec<Hash>,
    pub root: Hash,
}

/// A consistency proof between two tree sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsistencyProof {
    pub first: u64,
    pub second: u64,
    pub proof: Vec<Hash>,
    pub first_root: Hash,
    pub second_root: Hash,
}

/// The audit ledger. `Send + Sync`: share it with `Arc` across threads.
pub struct Ledger {
    shared: Arc<Shared>,
    writer: Mutex<Option<JoinHandle<()>>>,
    reader: LedgerReader,
    verifier: VerifierKey,
    path: PathBuf,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Ledger {
    /// Opens (creating tables and the signing key on first use) the ledger kept in the
    /// SQLite database at `db_path`.
    pub fn open(db_path: &Path, opts: LedgerOptions) -> Result<Ledger, LedgerError> {
        if !note::valid_key_name(&opts.origin) {
            return Err(LedgerError::BadOrigin(opts.origin));
        }
        let key_path = opts
            .key_path
            .clone()
            .unwrap_or_else(|| default_key_path(db_path));
        let wconn = store::open(db_path, opts.busy_timeout)?;
        let origin = store::origin(&wconn, &opts.origin)?;
        if !key_path.exists() && store::latest_checkpoint(&wconn)?.is_some() {
            // A new key could never sign checkpoints that verify with the old ones'.
            return Err(LedgerError::KeyMissing(key_path));
        }
        let signer = keyfile::load_or_create(&key_path, &origin)?;
        let verifier = signer.verifier();
        let reader = store::open(db_path, opts.busy_timeout)?;
        let shared = Arc::new(Shared::default());
        let w = Writer::new(wconn, signer, origin, opts.checkpoint_interval);
        let s2 = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("ledger-writer".into())
            .spawn(move || w.run(&s2))
            .map_err(|e| LedgerError::Io {
                path: db_path.to_path_buf(),
                source: e,
            })?;
        Ok(Ledger {
            shared,
            writer: Mutex::new(Some(handle)),
            reader: LedgerReader::from_conn(reader, db_path),
            verifier,
            path: db_path.to_path_buf(),
        })
    }

    fn range(&self, p: Payload) -> Result<Range<u64>, LedgerError> {
        match self.shared.submit(p)? {
            Reply::Range(r) => Ok(r),
            Reply::Checkpoint(_) => Err(LedgerError::Commit("unexpected reply".into())),
        }
    }

    /// Appends one entry; returns its index once it is durable (group commit: concurrent
    /// callers share an fsync).
    pub fn append(&self, entry: &[u8]) -> Result<u64, LedgerError> {
        Ok(self.range(Payload::one(entry.to_vec()))?.start)
    }

    /// Appends many entries atomically and durably; returns their index range.
    pub fn append_batch(&self, entries: &[Vec<u8>]) -> Result<Range<u64>, LedgerError> {
        self.range(Payload::many(entries.to_vec()))
    }

    /// Like [`Ledger::append_batch`], taking ownership (no copy).
    pub fn append_owned(&self, entries: Vec<Vec<u8>>) -> Result<Range<u64>, LedgerError> {
        self.range(Payload::many(entries))
    }

    /// Convenience: serialises `value` as compact JSON and appends it.
    pub fn append_json(&self, value: &serde_json::Value) -> Result<u64, LedgerError> {
        Ok(self.range(Payload::one(serde_json::to_vec(value)?))?.start)
    }

    /// Signs a checkpoint for the current tree if it grew since the latest one, and returns
    /// the latest signed checkpoint.
    pub fn checkpoint(&self) -> Result<StoredCheckpoint, LedgerError> {
        match self.shared.submit(Payload::Checkpoint)? {
            Reply::Checkpoint(c) => Ok(c),
            Reply::Range(_) => Err(LedgerError::Commit("unexpected reply".into())),
        }
    }

    /// Commits and entries written by this handle's writer so far (entries per commit is
    /// the group-commit factor: appends per fsync).
    pub fn writer_stats(&self) -> WriterStats {
        self.shared.stats()
    }

    /// The verifier key of this log's signing key.
    pub fn verifier_key(&self) -> &VerifierKey {
        &self.verifier
    }

    /// Read access over this ledger's own connection (the same methods as a
    /// [`LedgerReader`] opened read-only on the file).
    pub fn reader(&self) -> &LedgerReader {
        &self.reader
    }

    /// Number of entries stored.
    pub fn size(&self) -> Result<u64, LedgerError> {
        self.reader.size()
    }

    /// The latest stored checkpoint, if any.
    pub fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, LedgerError> {
        self.reader.latest_checkpoint()
    }

    /// The RFC 6962 root hash of the first `size` entries (O(log n) reads).
    pub fn root(&self, size: u64) -> Result<Hash, LedgerError> {
        self.reader.root(size)
    }

    /// Entries with index in `range` (clamped to the log), in order.
    pub fn entries(&self, range: Range<u64>) -> Result<Vec<(u64, Vec<u8>)>, LedgerError> {
        self.reader.entries(range)
    }

    /// Calls `f` on each entry with index in `range`, in order, without holding them all.
    pub fn for_each_entry(
        &self,
        range: Range<u64>,
        f: &mut EntryVisitor<'_>,
    ) -> Result<(), LedgerError> {
        self.reader.for_each_entry(range, f)
    }

    /// Inclusion proof of entry `index` in the tree of `size` entries (default: the latest
    /// checkpoint's size).
    pub fn prove_inclusion(
        &self,
        index: u64,
        size: Option<u64>,
    ) -> Result<InclusionProof, LedgerError> {
        self.reader.prove_inclusion(index, size)
    }

    /// Consistency proof between tree sizes `first` and `second` (default: the latest
    /// checkpoint's size).
    pub fn prove_consistency(
        &self,
        first: u64,
        second: Option<u64>,
    ) -> Result<ConsistencyProof, LedgerError> {
        self.reader.prove_consistency(first, second)
    }

    /// Recomputes every leaf hash and the tree from the stored entries, checks the stored
    /// interior hashes and every stored checkpoint (root and signature by `key`, default
    /// this log's key). `progress(done, total)` is called now and then.
    pub fn verify(
        &self,
        key: Option<&VerifierKey>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<VerifySummary, LedgerError> {
        self.reader.verify(key.unwrap_or(&self.verifier), progress)
    }

    /// Verifies the ledger in the database at `db_path` **read-only** (no key, table or
    /// writer thread is ever created). Signatures are checked with `key`, else with the
    /// verifier of the key file beside the database (`<db>.ledger.key`) when it exists;
    /// otherwise this fails with [`LedgerError::NoVerifierKey`] before reading anything.
    /// For a check without signatures see [`LedgerReader::verify_tree_only`].
    pub fn verify_path(
        db_path: &Path,
        key: Option<&VerifierKey>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<VerifySummary, LedgerError> {
        let key = match key {
            Some(k) => k.clone(),
            None => {
                let path = default_key_path(db_path);
                load_verifier_key(&path)?.ok_or(LedgerError::NoVerifierKey(path))?
            }
        };
        LedgerReader::open(db_path)?.verify(&key, progress)
    }

    /// Stops the writer after it has written everything queued (signing a final checkpoint
    /// if this handle appended since the last one). Dropping the ledger does the same.
    pub fn close(self) {}
}

impl Drop for Ledger {
    fn drop(&mut self) {
        self.shared.shutdown();
        let handle = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}
