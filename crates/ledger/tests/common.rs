//! Shared helpers of the ledger's integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use molehunt_ledger::tree::{consistency_ranges, inclusion_ranges};
use molehunt_ledger::{Hash, empty_root, leaf_hash, node_hash};

/// The obvious recursive RFC 6962 MTH, the reference for everything else.
pub fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

pub fn leaf_hashes(entries: &[Vec<u8>]) -> Vec<Hash> {
    entries.iter().map(|e| leaf_hash(e)).collect()
}

/// Inclusion proof computed in memory from the proof ranges.
pub fn mem_inclusion(leaves: &[Hash], index: u64, size: u64) -> Vec<Hash> {
    inclusion_ranges(index, size)
        .into_iter()
        .map(|(lo, hi)| mth(&leaves[lo as usize..hi as usize]))
        .collect()
}

/// Consistency proof computed in memory from the proof ranges.
pub fn mem_consistency(leaves: &[Hash], first: u64, second: u64) -> Vec<Hash> {
    consistency_ranges(first, second)
        .into_iter()
        .map(|(lo, hi)| mth(&leaves[lo as usize..hi as usize]))
        .collect()
}

pub fn dh(s: &str) -> Hash {
    hex::decode(s).unwrap().try_into().unwrap()
}
