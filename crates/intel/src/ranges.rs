//! Sorted, non-overlapping inclusive ranges with binary-search lookup.
//!
//! IPv4 addresses are keyed as `u32`, IPv6 as `u128`. Building normalises
//! any input: ranges are sorted, inverted ones dropped, overlaps resolved in
//! favour of the range that starts first (later ones are trimmed), and
//! touching ranges with equal values merged.

/// An integer key type (an IP address as a number).
pub trait Key: Copy + Ord + std::fmt::Debug {
    /// `self + 1`, or `None` at the top of the key space.
    fn succ(self) -> Option<Self>;
    /// The top 16 bits: the bucket of the first-level index.
    fn bucket(self) -> usize;
}

impl Key for u32 {
    fn succ(self) -> Option<Self> {
        self.checked_add(1)
    }
    #[inline]
    fn bucket(self) -> usize {
        (self >> 16) as usize
    }
}

impl Key for u128 {
    fn succ(self) -> Option<Self> {
        self.checked_add(1)
    }
    #[inline]
    fn bucket(self) -> usize {
        (self >> 112) as usize
    }
}

/// Tables smaller than this are searched without the first-level index.
const INDEX_MIN_LEN: usize = 1024;
const BUCKETS: usize = 1 << 16;

/// Inclusive ranges `start..=end` mapped to values, searchable in `O(log n)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeTable<K, V> {
    starts: Vec<K>,
    ends: Vec<K>,
    values: Vec<V>,
    /// `index[b]`: the first range starting in bucket `b` or later
    /// (`BUCKETS + 1` entries), so a search only looks at one bucket's
    /// ranges; empty for small tables.
    index: Vec<u32>,
}

impl<K, V> Default for RangeTable<K, V> {
    fn default() -> Self {
        RangeTable {
            starts: Vec::new(),
            ends: Vec::new(),
            values: Vec::new(),
            index: Vec::new(),
        }
    }
}

impl<K: Key, V: PartialEq> RangeTable<K, V> {
    /// Builds a table from ranges in any order (see the module docs for the
    /// normalisation rules).
    pub fn from_ranges(mut ranges: Vec<(K, K, V)>) -> Self {
        ranges.retain(|(s, e, _)| s <= e);
        // Stable sort: among ranges with the same start the earlier input wins.
        ranges.sort_by_key(|r| r.0);
        let mut table = RangeTable {
            starts: Vec::with_capacity(ranges.len()),
            ends: Vec::with_capacity(ranges.len()),
            values: Vec::with_capacity(ranges.len()),
            index: Vec::new(),
        };
        for (mut start, end, value) in ranges {
            if let Some(&last_end) = table.ends.last() {
                if end <= last_end {
                    continue;
                }
                if start <= last_end {
                    match last_end.succ() {
                        Some(next) => start = next,
                        None => continue,
                    }
                }
                let touches = last_end.succ() == Some(start);
                if touches && table.values.last() == Some(&value) {
                    if let Some(last) = table.ends.last_mut() {
                        *last = end;
                    }
                    continue;
                }
            }
            table.starts.push(start);
            table.ends.push(end);
            table.values.push(value);
        }
        table.starts.shrink_to_fit();
        table.ends.shrink_to_fit();
        table.values.shrink_to_fit();
        if table.starts.len() >= INDEX_MIN_LEN {
            let mut index = Vec::with_capacity(BUCKETS + 1);
            let mut i = 0usize;
            for b in 0..=BUCKETS {
                while i < table.starts.len() && table.starts[i].bucket() < b {
                    i += 1;
                }
                index.push(i as u32);
            }
            table.index = index;
        }
        table
    }

    /// The value of the range containing `key`.
    #[inline]
    pub fn get(&self, key: K) -> Option<&V> {
        let i = if self.index.is_empty() {
            self.starts.partition_point(|&s| s <= key)
        } else {
            // Ranges before `lo` start in earlier buckets (<= key), ranges
            // from `hi` in later ones (> key): search the bucket only.
            let b = key.bucket();
            let lo = self.index[b] as usize;
            let hi = self.index[b + 1] as usize;
            lo + self.starts[lo..hi].partition_point(|&s| s <= key)
        };
        if i == 0 {
            return None;
        }
        let i = i - 1;
        if key <= self.ends[i] {
            self.values.get(i)
        } else {
            None
        }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// All ranges in order.
    pub fn iter(&self) -> impl Iterator<Item = (K, K, &V)> + '_ {
        self.starts
            .iter()
            .zip(&self.ends)
            .zip(&self.values)
            .map(|((&s, &e), v)| (s, e, v))
    }
}

/// A set of key ranges (a range table without values).
pub type RangeSet<K> = RangeTable<K, ()>;

impl<K: Key> RangeTable<K, ()> {
    /// The union of the given ranges.
    pub fn from_set(ranges: Vec<(K, K)>) -> Self {
        Self::from_ranges(ranges.into_iter().map(|(s, e)| (s, e, ())).collect())
    }

    /// The union of this set and more ranges.
    pub fn union(&self, more: Vec<(K, K)>) -> Self {
        let mut all: Vec<(K, K)> = self.iter().map(|(s, e, _)| (s, e)).collect();
        all.extend(more);
        Self::from_set(all)
    }

    #[inline]
    pub fn contains(&self, key: K) -> bool {
        self.get(key).is_some()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lookup_hits_and_misses() {
        let t = RangeTable::from_ranges(vec![(10u32, 20, 'a'), (30, 40, 'b'), (0, 5, 'c')]);
        assert_eq!(t.get(0), Some(&'c'));
        assert_eq!(t.get(5), Some(&'c'));
        assert_eq!(t.get(6), None);
        assert_eq!(t.get(10), Some(&'a'));
        assert_eq!(t.get(20), Some(&'a'));
        assert_eq!(t.get(25), None);
        assert_eq!(t.get(40), Some(&'b'));
        assert_eq!(t.get(u32::MAX), None);
    }

    #[test]
    fn overlaps_trimmed_and_adjacent_equal_merged() {
        let t = RangeTable::from_ranges(vec![
            (10u32, 20, 1),
            (15, 30, 2),
            (12, 14, 3),
            (31, 40, 2),
            (5, 9, 1),
        ]);
        let v: Vec<_> = t.iter().map(|(s, e, v)| (s, e, *v)).collect();
        assert_eq!(v, vec![(5, 20, 1), (21, 40, 2)]);
    }

    #[test]
    fn inverted_ranges_dropped_and_top_of_space() {
        let t = RangeTable::from_ranges(vec![(9u32, 3, 0), (u32::MAX - 1, u32::MAX, 7)]);
        assert_eq!(t.len(), 1);
        assert_eq!(t.get(u32::MAX), Some(&7));
        let s = RangeSet::from_set(vec![(0u128, u128::MAX), (5, 6)]);
        assert_eq!(s.len(), 1);
        assert!(s.contains(u128::MAX));
    }

    #[test]
    fn indexed_search_agrees_with_plain_search() {
        let mut x = 12345u32;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let ranges: Vec<(u32, u32, u32)> = (0..5000)
            .map(|i| {
                let s = next();
                (s, s.saturating_add(next() % 70_000), i)
            })
            .collect();
        let t = RangeTable::from_ranges(ranges);
        assert!(!t.index.is_empty());
        let plain = RangeTable {
            index: Vec::new(),
            ..t.clone()
        };
        for _ in 0..20_000 {
            let k = next();
            assert_eq!(t.get(k), plain.get(k), "{k}");
        }
        for (s, e, v) in t.iter() {
            assert_eq!(t.get(s), Some(v));
            assert_eq!(t.get(e), Some(v));
        }
        assert_eq!(t.get(u32::MAX), plain.get(u32::MAX));
        assert_eq!(t.get(0), plain.get(0));
    }

    #[test]
    fn set_union_merges() {
        let s = RangeSet::from_set(vec![(1u32, 3), (4, 6)]);
        assert_eq!(s.len(), 1);
        let u = s.union(vec![(10, 12), (2, 11)]);
        assert_eq!(
            u.iter().map(|(a, b, _)| (a, b)).collect::<Vec<_>>(),
            vec![(1, 12)]
        );
    }
}
