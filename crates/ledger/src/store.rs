//! SQLite storage of the log: entries with their leaf hashes, interior subtree hashes at
//! every `STRIDE`-th level (a tile-like layout), and signed checkpoints.
//!
//! Any complete subtree hash is one range read of at most `2^(STRIDE-1)` stored hashes, so
//! a proof costs O(log n) storage reads, never a scan.

use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::LedgerError;
use crate::tree::{Frontier, Hash, decompose, fold_right, node_hash};

/// Interior hashes are stored at levels that are multiples of this (8: one stored node per
/// 256 leaves, 1/255 of a row per entry).
pub const STRIDE: u32 = 8;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS ledger_entries (
    idx INTEGER PRIMARY KEY,
    leaf_hash BLOB NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_nodes (
    level INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_checkpoints (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    note TEXT NOT NULL,
    created_unix INTEGER NOT NULL
);
";

/// Opens a connection with WAL, a busy timeout and full fsync on commit, and creates the
/// ledger tables when missing.
pub fn open(path: &std::path::Path, busy: Duration) -> Result<Connection, LedgerError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(busy)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode = %mode, "ledger database is not in WAL mode");
    }
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA cache_size = -32000;")?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

fn to_i64(v: u64) -> Result<i64, LedgerError> {
    i64::try_from(v).map_err(|_| LedgerError::Corrupt(format!("value {v} out of range")))
}

fn blob_hash(v: Vec<u8>, what: &str) -> Result<Hash, LedgerError> {
    v.try_into()
        .map_err(|_| LedgerError::Corrupt(format!("{what} is not 32 bytes")))
}

/// The log's origin: fixed by the first opener (`wanted`), kept thereafter.
pub fn origin(conn: &Connection, wanted: &str) -> Result<String, LedgerError> {
    conn.execute(
        "INSERT OR IGNORE INTO ledger_meta (key, value) VALUES ('origin', ?1)",
        [wanted],
    )?;
    let origin: String = conn.query_row(
        "SELECT value FROM ledger_meta WHERE key = 'origin'",
        [],
        |r| r.get(0),
    )?;
    if origin != wanted {
        tracing::warn!(stored = %origin, requested = %wanted, "the ledger keeps the origin it was created with");
    }
    Ok(origin)
}

/// Number of stored entries (one more than the largest index).
pub fn size(conn: &Connection) -> Result<u64, LedgerError> {
    let max: Option<i64> = conn
        .prepare_cached("SELECT MAX(idx) FROM ledger_entries")?
        .query_row([], |r| r.get(0))?;
    Ok(max.map_or(0, |m| m as u64 + 1))
}

/// Stored hashes of `count` consecutive nodes of a stored level, starting at `first`.
fn stored_run(
    conn: &Connection,
    level: u32,
    first: u64,
    count: u64,
) -> Result<Vec<Hash>, LedgerError> {
    let (lo, hi) = (to_i64(first)?, to_i64(first + count)?);
    let mut out = Vec::with_capacity(count as usize);
    if level == 0 {
        let mut st = conn.prepare_cached(
            "SELECT leaf_hash FROM ledger_entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
        )?;
        let mut rows = st.query(params![lo, hi])?;
        while let Some(r) = rows.next()? {
            out.push(blob_hash(r.get(0)?, "leaf hash")?);
        }
    } else {
        let mut st = conn.prepare_cached(
            "SELECT hash FROM ledger_nodes WHERE level = ?1 AND idx >= ?2 AND idx < ?3 ORDER BY idx",
        )?;
        let mut rows = st.query(params![level, lo, hi])?;
        while let Some(r) = rows.next()? {
            out.push(blob_hash(r.get(0)?, "node hash")?);
        }
    }
    if out.len() as u64 != count {
        return Err(LedgerError::Corrupt(format!(
            "missing hashes at level {level}, nodes {first}..{}",
            first + count
        )));
    }
    Ok(out)
}

/// Hash of the complete subtree `(level, index)`: one range read.
pub fn subtree_hash(conn: &Connection, level: u32, index: u64) -> Result<Hash, LedgerError> {
    let base = level - level % STRIDE;
    let span = level - base;
    let mut hs = stored_run(conn, base, index << span, 1u64 << span)?;
    while hs.len() > 1 {
        hs = hs
            .chunks_exact(2)
            .map(|p| node_hash(&p[0], &p[1]))
            .collect();
    }
    hs.pop()
        .ok_or_else(|| LedgerError::Corrupt("empty subtree".into()))
}

/// RFC 6962 hash of the leaf range `[lo, hi)` (with `lo` aligned as proof ranges are).
pub fn range_hash(conn: &Connection, lo: u64, hi: u64) -> Result<Hash, LedgerError> {
    let parts = decompose(lo, hi)
        .into_iter()
        .map(|(l, i)| subtree_hash(conn, l, i))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(fold_right(&parts))
}

/// The frontier (compact right edge) of the stored tree at `size`.
pub fn load_frontier(conn: &Connection, size: u64) -> Result<Frontier, LedgerError> {
    let nodes = decompose(0, size)
        .into_iter()
        .map(|(l, i)| subtree_hash(conn, l, i))
        .collect::<Result<Vec<_>, _>>()?;
    Frontier::from_parts(size, nodes).ok_or_else(|| LedgerError::Corrupt("bad frontier".into()))
}

/// A signed checkpoint as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// Tree size.
    pub size: u64,
    /// Root hash.
    pub root: Hash,
    /// The signed note text.
    pub note: String,
    /// When it was signed (Unix seconds).
    pub created_unix: i64,
}

fn row_checkpoint(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, Vec<u8>, String, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn to_checkpoint(t: (i64, Vec<u8>, String, i64)) -> Result<StoredCheckpoint, LedgerError> {
    Ok(StoredCheckpoint {
        size: t.0 as u64,
        root: blob_hash(t.1, "checkpoint root")?,
        note: t.2,
        created_unix: t.3,
    })
}

/// The checkpoint with the largest tree size.
pub fn latest_checkpoint(conn: &Connection) -> Result<Option<StoredCheckpoint>, LedgerError> {
    conn.prepare_cached(
        "SELECT size, root, note, created_unix FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
    )?
    .query_row([], row_checkpoint)
    .optional()?
    .map(to_checkpoint)
    .transpose()
}

/// All checkpoints, smallest tree size first.
pub fn all_checkpoints(conn: &Connection) -> Result<Vec<StoredCheckpoint>, LedgerError> {
    let mut st = conn
        .prepare("SELECT size, root, note, created_unix FROM ledger_checkpoints ORDER BY size")?;
    let rows = st.query_map([], row_checkpoint)?;
    rows.map(|r| to_checkpoint(r?)).collect()
}

/// Stores a checkpoint (a no-op when one of that size exists).
pub fn insert_checkpoint(conn: &Connection, cp: &StoredCheckpoint) -> Result<(), LedgerError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO ledger_checkpoints (size, root, note, created_unix) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![to_i64(cp.size)?, &cp.root[..], cp.note, cp.created_unix])?;
    Ok(())
}
