//! RFC 6962 / RFC 9162 Merkle tree hashing, proof shapes and the compact
//! right edge ("frontier") of a growing tree.
//!
//! Leaf hash: `SHA-256(0x00 || entry)`; interior node: `SHA-256(0x01 || left || right)`;
//! the root of the empty tree is `SHA-256("")`. A *subtree* `(level, index)` is the
//! complete tree over leaves `[index << level, (index + 1) << level)`.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 || entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 65];
    buf[0] = 1;
    buf[1..33].copy_from_slice(left);
    buf[33..].copy_from_slice(right);
    Sha256::digest(buf).into()
}

/// The root hash of the empty tree, `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Largest power of two strictly smaller than `n` (`n >= 2`).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// Splits the leaf range `[lo, hi)` into maximal aligned complete subtrees, left to right,
/// as `(level, index)` pairs. For the ranges that RFC 6962 recursion produces (an aligned
/// start) the hash of the range is the right fold of these subtrees' hashes.
pub fn decompose(mut lo: u64, hi: u64) -> Vec<(u32, u64)> {
    let mut out = Vec::new();
    while lo < hi {
        let align = if lo == 0 { 63 } else { lo.trailing_zeros() };
        let fit = 63 - (hi - lo).leading_zeros();
        let level = align.min(fit);
        out.push((level, lo >> level));
        lo += 1u64 << level;
    }
    out
}

/// Right fold of subtree hashes, largest (leftmost) first: the RFC 6962 hash of their union.
pub fn fold_right(hashes: &[Hash]) -> Hash {
    match hashes.split_last() {
        None => empty_root(),
        Some((last, rest)) => rest.iter().rev().fold(*last, |acc, h| node_hash(h, &acc)),
    }
}

/// The leaf ranges whose hashes form the inclusion proof of `index` in a tree of `size`
/// leaves, in proof order (nearest the leaf first). Requires `index < size`.
pub fn inclusion_ranges(index: u64, size: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let (mut lo, mut hi) = (0u64, size);
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index - lo < k {
            out.push((lo + k, hi));
            hi = lo + k;
        } else {
            out.push((lo, lo + k));
            lo += k;
        }
    }
    out.reverse();
    out
}

/// The leaf ranges whose hashes form the consistency proof between tree sizes `first` and
/// `second` (RFC 6962 `PROOF(m, D[n])`), in proof order. Empty when `first` is 0 or equals
/// `second`. Requires `first <= second`.
pub fn consistency_ranges(first: u64, second: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    if first == 0 || first >= second {
        return out;
    }
    let (mut lo, mut hi, mut m) = (0u64, second, first);
    let mut complete = true;
    // Iterative SUBPROOF: outer hashes on the way down, then the terminal one.
    loop {
        let n = hi - lo;
        if m == n {
            if !complete {
                out.push((lo, hi));
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            out.push((lo + k, hi));
            hi = lo + k;
        } else {
            out.push((lo, lo + k));
            lo += k;
            m -= k;
            complete = false;
        }
    }
    // The recursion emits the innermost hash first, then the outer ones inside-out.
    out.reverse();
    out
}

/// The compact right edge of the tree over leaves `[0, size)`: one complete subtree hash
/// per set bit of `size`, largest first. Appending is amortised O(1); the root is O(log n).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// Rebuilds a frontier from the hashes of the subtrees of `decompose(0, size)`.
    /// Returns `None` when the count does not match the bits of `size`.
    pub fn from_parts(size: u64, nodes: Vec<Hash>) -> Option<Frontier> {
        (nodes.len() == size.count_ones() as usize).then_some(Frontier { size, nodes })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash; `on_node(level, index, hash)` sees every complete subtree of
    /// level >= 1 that the append completes.
    pub fn push(&mut self, leaf: Hash, mut on_node: impl FnMut(u32, u64, &Hash)) {
        let old = self.size;
        let mut h = leaf;
        let mut level = 0u32;
        while (old >> level) & 1 == 1 {
            let Some(left) = self.nodes.pop() else { break };
            h = node_hash(&left, &h);
            level += 1;
            on_node(level, old >> level, &h);
        }
        self.nodes.push(h);
        self.size = old + 1;
    }

    /// The RFC 6962 root hash of the tree.
    pub fn root(&self) -> Hash {
        fold_right(&self.nodes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The obvious recursive definition of RFC 6962 MTH.
    pub(crate) fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(&(i as u64).to_be_bytes()))
            .collect()
    }

    #[test]
    fn frontier_root_matches_recursive_definition() {
        let ls = leaves(300);
        let mut f = Frontier::new();
        assert_eq!(f.root(), mth(&[]));
        for (i, l) in ls.iter().enumerate() {
            f.push(*l, |level, idx, h| {
                let lo = (idx << level) as usize;
                assert_eq!(*h, mth(&ls[lo..lo + (1 << level)]));
            });
            assert_eq!(f.root(), mth(&ls[..=i]), "size {}", i + 1);
        }
    }

    #[test]
    fn decompose_fold_matches_mth_for_prefixes() {
        let ls = leaves(70);
        for n in 0..70u64 {
            let hs: Vec<Hash> = decompose(0, n)
                .iter()
                .map(|&(l, i)| mth(&ls[(i << l) as usize..((i + 1) << l) as usize]))
                .collect();
            assert_eq!(fold_right(&hs), mth(&ls[..n as usize]));
        }
    }
}
