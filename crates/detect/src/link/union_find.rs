//! Disjoint sets over dense person indices (path halving, union by size).

/// Union-find over `0..n`.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    pub fn find(&mut self, mut x: u32) -> u32 {
        while let Some(&p) = self.parent.get(x as usize) {
            if p == x {
                break;
            }
            let gp = self.parent.get(p as usize).copied().unwrap_or(p);
            if let Some(slot) = self.parent.get_mut(x as usize) {
                *slot = gp;
            }
            x = gp;
        }
        x
    }

    /// Joins the sets of `a` and `b`; true when they were separate.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (sa, sb) = (self.size_of(ra), self.size_of(rb));
        let (big, small) = if sa >= sb { (ra, rb) } else { (rb, ra) };
        if let Some(p) = self.parent.get_mut(small as usize) {
            *p = big;
        }
        if let Some(s) = self.size.get_mut(big as usize) {
            *s = sa + sb;
        }
        true
    }

    fn size_of(&self, root: u32) -> u32 {
        self.size.get(root as usize).copied().unwrap_or(1)
    }

    /// The sets with at least `min` members, each sorted, in order of their smallest member.
    pub fn groups(&mut self, min: usize) -> Vec<Vec<u32>> {
        let n = self.parent.len();
        let mut by_root: std::collections::HashMap<u32, Vec<u32>> = Default::default();
        for i in 0..n as u32 {
            let r = self.find(i);
            by_root.entry(r).or_default().push(i);
        }
        let mut out: Vec<Vec<u32>> = by_root.into_values().filter(|g| g.len() >= min).collect();
        out.sort_by_key(|g| g.first().copied());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_transitively_and_keeps_singletons_apart() {
        let mut uf = UnionFind::new(6);
        assert!(uf.union(0, 1));
        assert!(uf.union(2, 1));
        assert!(!uf.union(0, 2));
        assert!(uf.union(4, 5));
        assert_eq!(uf.find(0), uf.find(2));
        assert_ne!(uf.find(0), uf.find(3));
        assert_eq!(uf.groups(2), vec![vec![0, 1, 2], vec![4, 5]]);
        assert_eq!(uf.groups(1).len(), 3);
    }

    #[test]
    fn out_of_range_is_harmless() {
        let mut uf = UnionFind::new(2);
        assert_eq!(uf.find(7), 7);
    }

    #[test]
    fn long_chains_compress() {
        let mut uf = UnionFind::new(10_000);
        for i in 1..10_000 {
            uf.union(i - 1, i);
        }
        let r = uf.find(0);
        assert!((0..10_000).all(|i| uf.find(i) == r));
    }
}
