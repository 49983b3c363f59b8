//! Bounded samples of supporting event ids: evidence cites at most a few
//! events, so memory stays per key, not per event.

/// How many event ids one piece of evidence keeps.
pub const MAX_SAMPLES: usize = 10;

/// The first [`MAX_SAMPLES`] event ids seen, plus a count of all.
///
/// The kept ids sit one after another in one buffer: one allocation per
/// sample set, and checking an id against the kept ones reads contiguous memory.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    buf: String,
    /// `ends[i]`: where kept id `i` ends in `buf` (the first `kept` are used).
    ends: [u32; MAX_SAMPLES],
    kept: u8,
    /// How many events were offered (kept or not).
    pub count: u64,
}

impl Samples {
    /// Records one supporting event; keeps its id while there is room.
    pub fn push(&mut self, id: &str) {
        self.count += 1;
        // once full, pushing costs one increment: no comparisons, no allocation
        if self.len() < MAX_SAMPLES && !self.contains(id) {
            self.keep(id);
        }
    }

    /// Adds another sample set's ids (bounded) and count.
    pub fn merge(&mut self, other: &Samples) {
        for id in other.ids() {
            if self.len() >= MAX_SAMPLES {
                break;
            }
            if !self.contains(id) {
                self.keep(id);
            }
        }
        self.count += other.count;
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The kept ids as owned strings (for [`molehunt_model::Evidence::events`]).
    pub fn to_vec(&self) -> Vec<String> {
        self.ids().map(str::to_string).collect()
    }

    fn len(&self) -> usize {
        usize::from(self.kept)
    }

    /// The kept ids, in the order they were kept.
    fn ids(&self) -> impl Iterator<Item = &str> {
        let ends = &self.ends[..self.len()];
        let starts = std::iter::once(0).chain(ends.iter().copied());
        starts
            .zip(ends)
            .map(|(a, &b)| self.buf.get(a as usize..b as usize).unwrap_or(""))
    }

    fn contains(&self, id: &str) -> bool {
        self.ids().any(|x| x == id)
    }

    fn keep(&mut self, id: &str) {
        let i = self.len();
        let end = self.buf.len() + id.len();
        // offsets are u32: a (never seen) id making the buffer exceed 4 GiB is not kept
        if let (Some(slot), Ok(end)) = (self.ends.get_mut(i), u32::try_from(end)) {
            self.buf.push_str(id);
            *slot = end;
            self.kept += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_counted() {
        let mut s = Samples::default();
        for i in 0..25 {
            s.push(&format!("e{i}"));
        }
        s.push("e0");
        assert_eq!(s.count, 26);
        assert_eq!(s.to_vec().len(), MAX_SAMPLES);
        assert_eq!(s.to_vec()[0], "e0");
        assert_eq!(s.to_vec()[9], "e9");
    }

    #[test]
    fn keeps_distinct_ids_in_order_and_merges() {
        let mut a = Samples::default();
        for id in ["x", "", "yy", "x", "", "zzz"] {
            a.push(id);
        }
        assert_eq!(a.to_vec(), vec!["x", "", "yy", "zzz"]);
        assert_eq!(a.count, 6);
        let mut b = Samples::default();
        b.push("yy");
        b.push("w");
        b.merge(&a);
        assert_eq!(b.to_vec(), vec!["yy", "w", "x", "", "zzz"]);
        assert_eq!(b.count, 8);
        let mut full = Samples::default();
        for i in 0..12 {
            full.push(&format!("f{i}"));
        }
        full.merge(&a);
        assert_eq!(full.to_vec().len(), MAX_SAMPLES);
        assert_eq!(full.count, 18);
        assert!(Samples::default().is_empty());
    }
}
