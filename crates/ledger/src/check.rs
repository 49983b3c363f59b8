//! Full verification of a stored log (`molehunt audit verify`) and entry reads.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::mpsc;

use rusqlite::{Connection, params};

use crate::LedgerError;
use crate::note::{VerifierKey, parse_checkpoint_unverified, verify_checkpoint};
use crate::store::{self, STRIDE, StoredCheckpoint};
use crate::tree::{Frontier, Hash, leaf_hash};

/// The first problem found: the index of the first entry that is (or may be) bad.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tamper {
    /// First bad index (or, when only a range can be blamed, its start).
    pub index: u64,
    /// What does not match.
    pub detail: String,
}

impl std::fmt::Display for Tamper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "entry {}: {}", self.index, self.detail)
    }
}

/// What a successful verification covered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifySummary {
    /// Entries checked.
    pub size: u64,
    /// Root hash of the whole log.
    pub root: Hash,
    /// Stored checkpoints checked.
    pub checkpoints: usize,
    /// Whether the checkpoints' signatures were checked (false for a tree-only check).
    pub signatures_checked: bool,
}

/// Blob (or text) bytes of a column; `None` for other types.
fn bytes(v: rusqlite::types::ValueRef<'_>) -> Option<&[u8]> {
    match v {
        rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => Some(b),
        _ => None,
    }
}

fn clamp(range: &Range<u64>) -> (i64, i64) {
    let lo = i64::try_from(range.start).unwrap_or(i64::MAX);
    let hi = i64::try_from(range.end).unwrap_or(i64::MAX);
    (lo, hi)
}

pub(crate) fn for_each_entry(
    c: &Connection,
    range: Range<u64>,
    f: &mut crate::EntryVisitor<'_>,
) -> Result<(), LedgerError> {
    let (lo, hi) = clamp(&range);
    let mut st = c.prepare_cached(
        "SELECT idx, data FROM ledger_entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
    )?;
    let mut rows = st.query(params![lo, hi])?;
    while let Some(r) = rows.next()? {
        let idx: i64 = r.get(0)?;
        let data = bytes(r.get_ref(1)?)
            .ok_or_else(|| LedgerError::Corrupt(format!("entry {idx} is not a byte string")))?;
        f(idx as u64, data)?;
    }
    Ok(())
}

pub(crate) fn entries(
    c: &Connection,
    range: Range<u64>,
) -> Result<Vec<(u64, Vec<u8>)>, LedgerError> {
    let mut out = Vec::new();
    for_each_entry(c, range, &mut |i, d| {
        out.push((i, d.to_vec()));
        Ok(())
    })?;
    Ok(out)
}

fn tampered(index: u64, detail: impl Into<String>) -> LedgerError {
    LedgerError::Tampered(Tamper {
        index,
        detail: detail.into(),
    })
}

/// Entries per chunk handed to the hashing thread.
const CHUNK: usize = 4096;

/// Consecutive stored entries: their stored leaf hashes and their bytes (concatenated).
#[derive(Default)]
struct Chunk {
    stored: Vec<Hash>,
    data: Vec<u8>,
    ends: Vec<usize>,
}

/// A chunk's recomputed leaf hashes and the offset of its first stored-hash mismatch.
struct Hashed {
    leaves: Vec<Hash>,
    mismatch: Option<usize>,
}

impl Chunk {
    fn push(&mut self, stored: Hash, data: &[u8]) {
        self.stored.push(stored);
        self.data.extend_from_slice(data);
        self.ends.push(self.data.len());
    }

    fn hash(self) -> Hashed {
        let mut start = 0;
        let leaves: Vec<Hash> = self
            .ends
            .iter()
            .map(|&end| {
                let h = leaf_hash(&self.data[start..end]);
                start = end;
                h
            })
            .collect();
        let mismatch = leaves.iter().zip(&self.stored).position(|(a, b)| a != b);
        // Hashes after a mismatch are never used.
        Hashed { leaves, mismatch }
    }
}

/// Checks one stored checkpoint against the recomputed root at its size (and its signature
/// by `key`, when given). `good` is the size of the last checkpoint that verified: a root
/// mismatch blames the entries after it.
fn check_checkpoint(
    cp: &StoredCheckpoint,
    root: &Hash,
    key: Option<&VerifierKey>,
    good: u64,
) -> Result<(), LedgerError> {
    let signed = match key {
        Some(key) => verify_checkpoint(&cp.note, key),
        None => parse_checkpoint_unverified(&cp.note),
    }
    .map_err(|e| {
        tampered(
            good,
            format!("checkpoint of size {} does not verify: {e}", cp.size),
        )
    })?;
    if signed.size != cp.size || signed.root != cp.root {
        return Err(tampered(
            good,
            format!(
                "checkpoint of size {} differs from its signed note",
                cp.size
            ),
        ));
    }
    if &signed.root != root {
        return Err(tampered(
            good,
            format!(
                "the signed checkpoint of size {} does not match the stored entries {good}..{}",
                cp.size, cp.size
            ),
        ));
    }
    Ok(())
}

/// Streams every entry, recomputing leaf hashes and the tree; compares the stored leaf and
/// interior hashes and every stored checkpoint. Fails with [`LedgerError::Tampered`]
/// naming the first bad index.
pub(crate) fn verify_all(
    c: &Connection,
    key: Option<&VerifierKey>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<VerifySummary, LedgerError> {
    // One read transaction: a consistent snapshot while writers go on.
    c.execute_batch("BEGIN")?;
    let result = verify_snapshot(c, key, progress);
    let _ = c.execute_batch("COMMIT");
    result
}

fn verify_snapshot(
    c: &Connection,
    key: Option<&VerifierKey>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<VerifySummary, LedgerError> {
    let total = store::size(c)?;
    let checkpoints = store::all_checkpoints(c)?;
    let mut nodes: HashMap<(u32, u64), Hash> = HashMap::new();
    {
        let mut st = c.prepare("SELECT level, idx, hash FROM ledger_nodes")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let (level, idx): (u32, i64) = (r.get(0)?, r.get(1)?);
            let h: Hash = r.get::<_, Vec<u8>>(2)?.try_into().map_err(|_| {
                tampered(
                    idx as u64,
                    format!("stored hash at level {level} is not 32 bytes"),
                )
            })?;
            nodes.insert((level, idx as u64), h);
        }
    }
    let mut cps = checkpoints.iter().peekable();
    let mut good = 0u64;
    let mut fr = Frontier::new();
    let mut check_cps = |fr: &Frontier, good: &mut u64| -> Result<(), LedgerError> {
        while let Some(cp) = cps.next_if(|cp| cp.size <= fr.size()) {
            check_checkpoint(cp, &fr.root(), key, *good)?;
            *good = cp.size;
        }
        Ok(())
    };
    check_cps(&fr, &mut good)?;
    progress(0, total);
    let mut bad_node: Option<LedgerError> = None;
    // The leaves are hashed on a second thread while this one reads the next rows.
    let mut apply = |done: Hashed, fr: &mut Frontier| -> Result<(), LedgerError> {
        for (k, leaf) in done.leaves.into_iter().enumerate() {
            if done.mismatch == Some(k) {
                return Err(tampered(
                    fr.size(),
                    "entry bytes do not match the stored leaf hash",
                ));
            }
            fr.push(leaf, |level, nidx, h| {
                if level % STRIDE == 0 && bad_node.is_none() && nodes.get(&(level, nidx)) != Some(h)
                {
                    let lo = nidx << level;
                    bad_node = Some(tampered(
                        lo,
                        format!(
                            "entries {lo}..{} do not match their stored subtree hash",
                            lo + (1u64 << level)
                        ),
                    ));
                }
            });
            if let Some(e) = bad_node.take() {
                return Err(e);
            }
            check_cps(fr, &mut good)?;
            if fr.size().is_multiple_of(65_536) {
                progress(fr.size(), total);
            }
        }
        Ok(())
    };
    std::thread::scope(|scope| -> Result<(), LedgerError> {
        let (work_tx, work_rx) = mpsc::sync_channel::<Chunk>(2);
        let (done_tx, done_rx) = mpsc::channel::<Hashed>();
        scope.spawn(move || {
            while let Ok(chunk) = work_rx.recv() {
                if done_tx.send(chunk.hash()).is_err() {
                    return;
                }
            }
        });
        let mut st = c.prepare("SELECT idx, leaf_hash, data FROM ledger_entries ORDER BY idx")?;
        let mut rows = st.query([])?;
        let mut chunk = Chunk::default();
        let mut next = 0u64;
        // A problem seen while reading; reported unless an earlier index is bad.
        let mut read_err: Option<LedgerError> = None;
        while let Some(r) = rows.next()? {
            let idx: i64 = r.get(0)?;
            if idx as u64 != next {
                read_err = Some(tampered(next, "entry is missing"));
                break;
            }
            let (Some(stored), Some(data)) = (bytes(r.get_ref(1)?), bytes(r.get_ref(2)?)) else {
                read_err = Some(tampered(next, "stored entry is not a byte string"));
                break;
            };
            let Ok(stored) = Hash::try_from(stored) else {
                read_err = Some(tampered(
                    next,
                    "entry bytes do not match the stored leaf hash",
                ));
                break;
            };
            chunk.push(stored, data);
            next += 1;
            if chunk.stored.len() == CHUNK {
                let full = std::mem::take(&mut chunk);
                if work_tx.send(full).is_err() {
                    break;
                }
                while let Ok(done) = done_rx.try_recv() {
                    apply(done, &mut fr)?;
                }
            }
        }
        if !chunk.stored.is_empty() {
            let _ = work_tx.send(chunk);
        }
        drop(work_tx);
        for done in done_rx {
            apply(done, &mut fr)?;
        }
        match read_err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    })?;
    if let Some(cp) = cps.next() {
        return Err(tampered(
            fr.size(),
            format!("a checkpoint of size {} covers missing entries", cp.size),
        ));
    }
    progress(fr.size(), total);
    Ok(VerifySummary {
        size: fr.size(),
        root: fr.root(),
        checkpoints: checkpoints.len(),
        signatures_checked: key.is_some(),
    })
}
