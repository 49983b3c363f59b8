//! The in-memory name index.
//!
//! Every distinct token and every join of two adjacent tokens of a listed name is interned
//! once in a vocabulary (text, phonetic key, character signature, rarity weight); a name is a
//! run of vocabulary ids. Candidate generation works at the vocabulary level: each query
//! token (and join of two query tokens) probes the entries sharing its phonetic key, the
//! tokens sharing its first letter whose length and letters can still reach the
//! Jaro-Winkler cut-off, and the tokens one edit away at their start (another first letter,
//! one more or fewer, the first two swapped). Each probed entry is compared once per query (the comparison
//! is cached for the alignments that follow), and the postings of the entries that pair
//! with a query token give the candidate names together with the query tokens each can
//! cover. An upper bound of the final score from that coverage drops the names that cannot
//! reach the threshold before any full alignment is done.

use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::align::{NONE, OwnedSide, Sims, U, char_mask, key_id, match_bound};
use crate::cache::{CACHED_UNITS, SimCache};
use crate::model::Entity;
use crate::normalize::{NormName, normalize_name};
use crate::phonetic::key;

/// At most this many candidates (best upper bound first) are aligned in full.
pub(crate) const CANDIDATES: usize = 3000;

/// Least Jaro-Winkler similarity for equal phonetic keys to count (see `align::unit_sim`).
const PHONETIC_PROBE: f64 = 0.65;

/// One indexed name of an entity.
#[derive(Debug, Clone)]
pub(crate) struct IndexedName {
    pub entity: u32,
    /// Index of the alias in the entity, [`NONE`] for the primary name.
    pub alias: u32,
    /// Start of the name's units in `NameIndex::units`: `n` tokens then `n - 1` joins.
    off: u32,
    pub n: u16,
    pub strong: bool,
    /// The name holds a one-letter token (an initial, which pairs with many tokens).
    initial: bool,
}

/// A vocabulary entry, packed so a probe touches one cache line.
#[derive(Debug, Clone, Copy)]
struct Entry {
    kid: u64,
    sig: u64,
    /// Rarity weight as a token.
    w: f64,
    off: u32,
    len: u16,
    /// Bit 1: a token of some name; bit 2: the join of two tokens of some name.
    role: u8,
}

/// What a blocking list holds per entry: enough to bound the similarity without touching
/// the vocabulary.
#[derive(Debug, Clone, Copy)]
struct Probe {
    sig: u64,
    head: u32,
    id: u32,
    len: u8,
}

#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    entries: Vec<Entry>,
    arena: String,
    ids: FxHashMap<Box<str>, u32>,
    pub names: Vec<IndexedName>,
    units: Vec<u32>,
    post_off: Vec<u32>,
    post: Vec<u32>,
    by_key: FxHashMap<u64, Vec<Probe>>,
    /// Tokens by first letter, each bucket sorted by length.
    by_first: Vec<Vec<Probe>>,
    /// (hash of a token or of a variant without its first or second letter, id), sorted.
    dels: Vec<(u64, u32)>,
    total: f64,
}

fn hash(b: &[u8]) -> u64 {
    FxBuildHasher.hash_one(b)
}

/// Calls `f` with the hash of `t` and of its variants without the first or the second
/// byte. Two tokens one edit apart at the start (a substitution, insertion or deletion of
/// the first letter, or the first two swapped) share one of these hashes; edits further in
/// keep the first letter and are found by the first-letter scan.
fn deletion_hashes(t: &[u8], mut f: impl FnMut(u64)) {
    f(hash(t));
    if t.len() < 3 || t.len() > 64 {
        return;
    }
    f(hash(&t[1..]));
    if t[1] != t[0] {
        let mut buf = [0u8; 64];
        buf[0] = t[0];
        buf[1..t.len() - 1].copy_from_slice(&t[2..]);
        f(hash(&buf[..t.len() - 1]));
    }
}

/// The first four bytes of a token, little-endian, zero-padded.
fn head4(t: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    for (d, s) in b.iter_mut().zip(t) {
        *d = *s;
    }
    u32::from_le_bytes(b)
}

/// Rarity weight in [0.15, 1] of a token in `df` of `total` names: 1 for tokens in at most
/// 5 names, falling with the log of their frequency, particles at most 0.2.
fn rarity(tok: &str, df: u32, total: f64) -> f64 {
    let df = f64::from(df.max(1));
    let full = (total / 5.0).max(2.0).ln();
    let w = (total / df).max(1.0).ln() / full;
    let particle = crate::compare::default_weight(tok);
    w.clamp(0.15, 1.0).min(particle.max(0.15))
}

/// Jaro-Winkler upper bound from lengths, signatures and a common prefix of `p` letters.
fn bound(la: usize, sa: u64, lb: usize, sb: u64, p: usize) -> f64 {
    let m = match_bound(la, sa, lb, sb) as f64;
    if m == 0.0 {
        return 0.0;
    }
    let jaro = (m / la as f64 + m / lb as f64 + 1.0) / 3.0;
    jaro + 0.1 * p as f64 * (1.0 - jaro)
}

impl NameIndex {
    fn intern(&mut self, t: &str, role: u8) -> u32 {
        if let Some(&id) = self.ids.get(t) {
            self.entries[id as usize].role |= role;
            return id;
        }
        let id = self.entries.len() as u32;
        let k = key(t);
        self.entries.push(Entry {
            kid: key_id(&k),
            sig: char_mask(t),
            w: 1.0,
            off: self.arena.len() as u32,
            len: u16::try_from(t.len()).unwrap_or(u16::MAX),
            role,
        });
        let end = t.len().min(usize::from(u16::MAX));
        self.arena.push_str(t.get(..end).unwrap_or(t));
        self.ids.insert(t.into(), id);
        id
    }

    fn text(&self, id: u32) -> &str {
        let e = &self.entries[id as usize];
        let a = e.off as usize;
        self.arena.get(a..a + usize::from(e.len)).unwrap_or("")
    }

    pub fn build(entities: &[Entity]) -> NameIndex {
        let mut idx = NameIndex::default();
        let mut df: Vec<u32> = Vec::new();
        let mut seen: Vec<Vec<String>> = Vec::new();
        let mut toks: Vec<u32> = Vec::new();
        for (i, e) in entities.iter().enumerate() {
            seen.clear();
            let primary = std::iter::once((e.name.as_str(), true, NONE));
            let aliases = e
                .aliases
                .iter()
                .enumerate()
                .map(|(k, a)| (a.name.as_str(), a.strong, k as u32));
            for (name, strong, alias) in primary.chain(aliases) {
                let n = normalize_name(name, e.entity_type);
                if n.tokens.is_empty() || seen.contains(&n.tokens) {
                    continue;
                }
                let off = idx.units.len() as u32;
                toks.clear();
                for t in &n.tokens {
                    let id = idx.intern(t, 1);
                    toks.push(id);
                    idx.units.push(id);
                }
                for w in n.tokens.windows(2) {
                    let id = idx.intern(&format!("{}{}", w[0], w[1]), 2);
                    idx.units.push(id);
                }
                df.resize(idx.entries.len(), 0);
                toks.sort_unstable();
                toks.dedup();
                for &t in &toks {
                    df[t as usize] += 1;
                }
                idx.names.push(IndexedName {
                    entity: i as u32,
                    alias,
                    off,
                    n: u16::try_from(n.tokens.len()).unwrap_or(u16::MAX),
                    strong,
                    initial: n.tokens.iter().any(|t| t.len() == 1),
                });
                seen.push(n.tokens);
            }
        }
        idx.total = idx.names.len().max(1) as f64;
        for id in 0..idx.entries.len() {
            let w = rarity(
                idx.text(id as u32),
                df.get(id).copied().unwrap_or(0),
                idx.total,
            );
            idx.entries[id].w = w;
        }
        idx.build_postings();
        idx.build_blocks();
        idx
    }

    /// Postings: vocabulary id -> names holding it (as a token or a join), CSR.
    fn build_postings(&mut self) {
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(self.units.len());
        let mut mine: Vec<u32> = Vec::new();
        for (ni, n) in self.names.iter().enumerate() {
            let len = 2 * usize::from(n.n) - 1;
            mine.clear();
            mine.extend_from_slice(&self.units[n.off as usize..n.off as usize + len]);
            mine.sort_unstable();
            mine.dedup();
            pairs.extend(mine.iter().map(|&u| (u, ni as u32)));
        }
        pairs.sort_unstable();
        self.post_off = vec![0; self.entries.len() + 1];
        for &(u, _) in &pairs {
            self.post_off[u as usize + 1] += 1;
        }
        for i in 1..self.post_off.len() {
            self.post_off[i] += self.post_off[i - 1];
        }
        self.post = pairs.into_iter().map(|(_, n)| n).collect();
    }

    fn build_blocks(&mut self) {
        let arena = std::mem::take(&mut self.arena);
        for id in 0..self.entries.len() as u32 {
            let e = self.entries[id as usize];
            let a = e.off as usize;
            let b = arena
                .get(a..a + usize::from(e.len))
                .unwrap_or("")
                .as_bytes();
            let probe = Probe {
                sig: e.sig,
                head: head4(b),
                id,
                len: u8::try_from(b.len()).unwrap_or(u8::MAX),
            };
            if e.kid != 0 {
                self.by_key.entry(e.kid).or_default().push(probe);
            }
            if e.role & 1 != 0 && (2..=64).contains(&b.len()) {
                let first = usize::from(b[0]);
                if self.by_first.len() <= first {
                    self.by_first.resize(first + 1, Vec::new());
                }
                self.by_first[first].push(probe);
                let dels = &mut self.dels;
                deletion_hashes(b, |h| dels.push((h, id)));
            }
        }
        self.arena = arena;
        for b in &mut self.by_first {
            b.sort_unstable_by_key(|p| (p.len, p.id));
        }
        self.dels.sort_unstable();
        self.dels.dedup();
    }

    /// The vocabulary id of `t`, [`NONE`] when absent.
    pub fn id(&self, t: &str) -> u32 {
        self.ids.get(t).copied().unwrap_or(NONE)
    }

    /// Rarity weight of a token (1 for tokens not in the lists).
    pub fn weight(&self, t: &str) -> f64 {
        match self.ids.get(t) {
            Some(&id) => self.entries[id as usize].w,
            None => rarity(t, 0, self.total),
        }
    }

    /// The query's tokens and joins with rarity weights and vocabulary ids.
    pub fn query_side(&self, n: &NormName) -> OwnedSide {
        OwnedSide::new(&n.tokens, &n.keys, |t| self.weight(t), |t| self.id(t))
    }

    fn unit(&self, id: u32, w: f64) -> U<'_> {
        let e = &self.entries[id as usize];
        U {
            text: self.text(id),
            kid: e.kid,
            w,
            id,
            mask: e.sig,
        }
    }

    /// Fills `out` with the units of name `ni` (tokens, then joins weighted by the heavier
    /// of their two tokens); returns the token count.
    pub fn name_units<'a>(&'a self, ni: u32, out: &mut Vec<U<'a>>) -> usize {
        out.clear();
        let Some(n) = self.names.get(ni as usize) else {
            return 0;
        };
        let (off, k) = (n.off as usize, usize::from(n.n));
        let toks = &self.units[off..off + k];
        for &t in toks {
            out.push(self.unit(t, self.entries[t as usize].w));
        }
        for (i, &j) in self.units[off + k..off + 2 * k - 1].iter().enumerate() {
            let w = self.entries[toks[i] as usize]
                .w
                .max(self.entries[toks[i + 1] as usize].w);
            out.push(self.unit(j, w));
        }
        k
    }

    fn postings(&self, id: u32) -> &[u32] {
        let (a, b) = (
            self.post_off[id as usize] as usize,
            self.post_off[id as usize + 1] as usize,
        );
        &self.post[a..b]
    }

    /// Vocabulary entries that may pair with query unit `u` (`token`: a query token, else a
    /// join of two), filtered by cheap bounds; may repeat.
    fn probe(&self, u: &U<'_>, token: bool, hits: &mut Vec<u32>) {
        hits.clear();
        let b = u.text.as_bytes();
        let la = b.len().min(64);
        let head = head4(b);
        let prefix = |h: u32, lb: usize| {
            (((head ^ h).trailing_zeros() / 8) as usize)
                .min(la.min(lb))
                .min(4)
        };
        if u.id != NONE {
            hits.push(u.id);
        }
        if u.kid != 0
            && let Some(v) = self.by_key.get(&u.kid)
        {
            for p in v {
                let lb = usize::from(p.len).min(64);
                let short = la.abs_diff(lb) <= 1;
                if short || bound(la, u.mask, lb, p.sig, prefix(p.head, lb)) >= PHONETIC_PROBE {
                    hits.push(p.id);
                }
            }
        }
        if !token {
            return;
        }
        if let Some(v) = self.by_first.get(usize::from(b[0])) {
            // need[lb][p]: the fewest matching characters that can reach the cut-off with a
            // common prefix of p letters (u8::MAX when the lengths are too far apart).
            let mut need = [[u8::MAX; 5]; 65];
            for (lb, row) in need.iter_mut().enumerate().skip(2) {
                if la.min(lb) * 5 < la.max(lb) * 3 {
                    continue;
                }
                let cut = if la.min(lb) <= 4 { 0.9 } else { 0.86 };
                for (p, slot) in row.iter_mut().enumerate() {
                    let jaro = (cut - 0.1 * p as f64) / (1.0 - 0.1 * p as f64);
                    // (m/la + m/lb + 1) / 3 >= jaro  <=>  m >= (3 jaro - 1) la lb / (la + lb)
                    let m = (3.0 * jaro - 1.0) * (la * lb) as f64 / (la + lb) as f64;
                    *slot = (m - 1e-9).ceil().clamp(0.0, 64.0) as u8;
                }
            }
            // The bucket is sorted by length: only lengths within the 0.6 ratio are read.
            let lo = (la * 3).div_ceil(5);
            let hi = la * 5 / 3;
            let from = v.partition_point(|p| usize::from(p.len) < lo);
            let to = v.partition_point(|p| usize::from(p.len) <= hi);
            for p in v.get(from..to).unwrap_or(&[]) {
                let lb = usize::from(p.len).min(64);
                let need = need[lb][prefix(p.head, lb)];
                if need != u8::MAX && match_bound(la, u.mask, lb, p.sig) >= usize::from(need) {
                    hits.push(p.id);
                }
            }
        }
        deletion_hashes(b, |h| {
            let from = self.dels.partition_point(|&(x, _)| x < h);
            for &(x, id) in &self.dels[from..] {
                if x != h {
                    break;
                }
                hits.push(id);
            }
        });
    }

    /// Candidate names for query `q` whose score upper bound reaches `min`, best bound
    /// first, at most `cap`. `cache` holds the query's similarities afterwards.
    pub fn candidates(
        &self,
        q: &OwnedSide,
        min: f64,
        cap: usize,
        cache: &mut SimCache,
        mask: &mut Vec<u32>,
        touched: &mut Vec<u32>,
    ) -> Vec<u32> {
        let units = q.units();
        let n = q.n;
        if mask.len() < self.names.len() {
            mask.resize(self.names.len(), 0);
        }
        touched.clear();
        let ws = &q.ws[..n];
        let initials: u32 = (0..n)
            .filter(|&i| q.texts[i].len() < 2)
            .map(bit)
            .fold(0, |a, b| a | b);
        let essential = essential_tokens(ws, initials, min);
        let unit_bits = |ui: usize| -> u32 {
            if ui < n {
                bit(ui)
            } else {
                bit(ui - n) | bit(ui - n + 1)
            }
        };
        // Units whose postings are walked: those touching an essential token (a surviving
        // name must cover one), and those beyond the cache. The others are only recorded as
        // pairing in the cache and looked up for the names the walk finds.
        let walked = |ui: usize| ui >= CACHED_UNITS || unit_bits(ui) & essential != 0;
        let mut lazy: u16 = 0;
        let mut hits: Vec<u32> = Vec::new();
        for (ui, u) in units.iter().enumerate() {
            if u.text.len() < 2 {
                continue;
            }
            let token = ui < n;
            let bits = unit_bits(ui);
            let walk = walked(ui);
            if !walk {
                lazy |= 1 << ui;
            }
            self.probe(u, token, &mut hits);
            for &v in &hits {
                if !cache.first_visit(ui, v) {
                    continue;
                }
                let c = self.unit(v, 1.0);
                let role = self.entries[v as usize].role;
                // A query token pairs with a listed token (similarity > 0) or is the join of
                // two listed tokens; a join of two query tokens must be one listed token.
                let positive = if token {
                    (role & 1 != 0 && cache.get(ui, u, &c).0 > 0.0)
                        || (role & 2 != 0 && cache.get(ui, u, &c).1)
                } else {
                    role & 1 != 0 && cache.get(ui, u, &c).1
                };
                if !positive {
                    continue;
                }
                if !walk {
                    cache.set_pos(ui, v);
                    continue;
                }
                for &ni in self.postings(v) {
                    let m = &mut mask[ni as usize];
                    if *m == 0 {
                        touched.push(ni);
                    }
                    *m |= bits;
                }
            }
        }
        // Upper bound of the score from the query tokens a name can cover: a covered token
        // pairs at best with similarity 1 and an entry weight of 1; an uncovered one adds its
        // weight to the denominator only.
        let all: u32 = (0..n).map(bit).fold(0, |a, b| a | b);
        let lazy_bits: u32 = (0..units.len())
            .filter(|&ui| ui < 16 && lazy & (1 << ui) != 0)
            .fold(0, |a, ui| a | unit_bits(ui));
        let bound_of = |cover: u32, strong: bool| {
            let (mut d, mut left) = (0.0, 0.0);
            for (i, w) in ws.iter().enumerate() {
                if i >= 32 || cover & bit(i) != 0 {
                    d += (w + 1.0) / 2.0;
                } else {
                    left += w;
                }
            }
            let ub: f64 = if d + left > 0.0 { d / (d + left) } else { 0.0 };
            if strong {
                ub
            } else {
                ub * crate::screener::WEAK_ALIAS
            }
        };
        let mut out: Vec<(f64, u32)> = Vec::new();
        for &ni in touched.iter() {
            let mut m = std::mem::take(&mut mask[ni as usize]);
            let Some(name) = self.names.get(ni as usize) else {
                continue;
            };
            let cover = if name.initial { all } else { m | initials };
            if lazy != 0 && cover != all {
                // Look the lazily probed tokens up only when they could lift the bound.
                if bound_of(cover | lazy_bits, name.strong) < min {
                    continue;
                }
                let (off, k) = (name.off as usize, usize::from(name.n));
                for &v in &self.units[off..off + 2 * k - 1] {
                    let mut p = cache.pos(v) & lazy;
                    while p != 0 {
                        let ui = p.trailing_zeros() as usize;
                        m |= unit_bits(ui);
                        p &= p - 1;
                    }
                }
            }
            let cover = if name.initial { all } else { m | initials };
            let ub = bound_of(cover, name.strong);
            if ub >= min {
                out.push((ub, ni));
            }
        }
        if out.len() > cap {
            out.select_nth_unstable_by(cap, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            out.truncate(cap);
        }
        out.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        out.into_iter().map(|(_, id)| id).collect()
    }

    /// Number of vocabulary entries (tokens and joins).
    pub fn vocab_len(&self) -> usize {
        self.entries.len()
    }

    /// Approximate heap bytes of the index.
    pub fn heap_bytes(&self) -> usize {
        let entries =
            self.entries.capacity() * std::mem::size_of::<Entry>() + self.arena.capacity();
        let ids: usize = self.ids.keys().map(|k| k.len() + 16 + 8).sum();
        let names = self.names.capacity() * std::mem::size_of::<IndexedName>();
        let lists = (self.units.capacity() + self.post_off.capacity() + self.post.capacity()) * 4
            + self.dels.capacity() * 16;
        let probes: usize = self
            .by_key
            .values()
            .chain(&self.by_first)
            .map(|v| 8 + 24 + v.capacity() * std::mem::size_of::<Probe>())
            .sum();
        entries + ids + names + lists + probes
    }
}

/// The query tokens (bits) of which a surviving name must cover at least one: the others,
/// lightest first, are as many as can be covered together (with the `initials`, which
/// always count as covered) without the bound reaching `min`.
fn essential_tokens(ws: &[f64], initials: u32, min: f64) -> u32 {
    let all: u32 = (0..ws.len()).map(bit).fold(0, |a, b| a | b);
    if min <= 0.0 {
        return all & !initials;
    }
    let mut order: Vec<usize> = (0..ws.len().min(32))
        .filter(|&i| initials & bit(i) == 0)
        .collect();
    order.sort_by(|&a, &b| ws[a].total_cmp(&ws[b]).then(a.cmp(&b)));
    let (mut d, mut left) = (0.0, 0.0);
    for (i, w) in ws.iter().enumerate() {
        if i < 32 && initials & bit(i) != 0 {
            d += (w + 1.0) / 2.0;
        } else {
            left += w;
        }
    }
    let mut optional = initials;
    for i in order {
        let (d2, left2) = (d + (ws[i] + 1.0) / 2.0, left - ws[i]);
        let ub = if d2 + left2 > 0.0 {
            d2 / (d2 + left2)
        } else {
            0.0
        };
        if ub >= min {
            break;
        }
        d = d2;
        left = left2;
        optional |= bit(i);
    }
    all & !optional
}

fn bit(i: usize) -> u32 {
    if i < 32 { 1 << i } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletions_meet_on_one_edit() {
        let set = |t: &str| {
            let mut v = Vec::new();
            deletion_hashes(t.as_bytes(), |h| v.push(h));
            v
        };
        let shares = |a: &str, b: &str| set(a).iter().any(|h| set(b).contains(h));
        assert!(shares("xohamed", "mohamed")); // substitution
        assert!(shares("ohamed", "mohamed")); // deletion
        assert!(shares("mohamed", "omhamed")); // transposition
        assert!(!shares("smith", "jones"));
    }

    #[test]
    fn essential_tokens_leave_out_what_cannot_match_alone() {
        // "muhammad ali zarif": the two common tokens together stay below 0.85.
        assert_eq!(essential_tokens(&[0.15, 0.2, 1.0], 0, 0.85), 0b100);
        // Two rare tokens: a name must cover both, so walking one finds every survivor.
        assert_eq!(essential_tokens(&[1.0, 1.0], 0, 0.85), 0b10);
        // A low threshold: covering either may do.
        assert_eq!(essential_tokens(&[1.0, 1.0], 0, 0.4), 0b11);
        // No threshold: everything is walked; initials never are.
        assert_eq!(essential_tokens(&[1.0, 0.5, 1.0], 0b010, 0.0), 0b101);
    }

    #[test]
    fn bound_is_above_jaro_winkler() {
        let words = [
            "asgari", "ahstari", "muhammad", "mhmd", "kim", "jongun", "jong", "aaab",
        ];
        for a in words {
            for b in words {
                let jw = crate::compare::jaro_winkler(a.as_bytes(), b.as_bytes());
                let p = crate::align::prefix4(a.as_bytes(), b.as_bytes());
                let ub = bound(a.len(), char_mask(a), b.len(), char_mask(b), p);
                assert!(ub + 1e-9 >= jw, "{a} {b} {ub} {jw}");
            }
        }
    }
}
