//! Token alignment of two names, allocation-free on the hot path.
//!
//! A name is a [`Side`]: its tokens, then the joins of each adjacent token pair (`jong`+`un`
//! -> `jongun`). Adjacent tokens whose join matches one token of the other name are merged
//! first ("Jong Un" / "Jongun"), unless the single tokens already have partners. Token pairs
//! are scored by [`unit_sim`]; the best pairs are taken greedily (order-free), and the score
//! is `sum(sim * w) / (sum(w of pairs) + w of query tokens left over + 0.25 * w of entry
//! tokens left over)`, an entry token left over costing its full weight when fewer than two
//! full tokens agree.
//!
//! Similarities come from a [`Sims`] source so the index can cache them per query and
//! vocabulary token (each distinct pair is compared once per query, not once per candidate).

use crate::compare::jaro_winkler;

/// Extra query tokens the entity lacks cost this much of their weight.
const UNMATCHED_QUERY: f64 = 1.0;
/// Entity tokens missing from the query (omitted middle names) cost less once two tokens agree.
const UNMATCHED_ENTITY: f64 = 0.25;

/// No vocabulary id.
pub(crate) const NONE: u32 = u32::MAX;

/// One unit of a name: a token or the join of two adjacent tokens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct U<'a> {
    pub text: &'a str,
    /// [`key_id`] of the phonetic key of `text`: equal ids mean equal keys (0 if empty).
    pub kid: u64,
    pub w: f64,
    /// Vocabulary id (equal ids mean equal texts), [`NONE`] when not in the vocabulary.
    pub id: u32,
    /// [`char_mask`] of `text`.
    pub mask: u64,
}

impl U<'_> {
    fn same(&self, o: &U<'_>) -> bool {
        if self.id != NONE && o.id != NONE {
            self.id == o.id
        } else {
            self.text == o.text
        }
    }
}

/// A name as the aligner sees it: `units[..n]` are its tokens, `units[n..]` the joins of
/// tokens `i` and `i+1` (so `2n - 1` units in all, or none for an empty name).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Side<'a, 'b> {
    pub units: &'b [U<'a>],
    pub n: usize,
}

/// Token similarity in [0,1] (0 below the cut-off) and whether `a`, read as a join of two
/// tokens, is the same name as `b` ("jongun" / "jong un"), from one Jaro-Winkler computation.
pub(crate) fn unit_sim(a: &U<'_>, b: &U<'_>) -> (f64, bool) {
    if a.same(b) {
        return (1.0, true);
    }
    let (la, lb) = (a.text.len(), b.text.len());
    if la == 1 || lb == 1 {
        // An initial agrees with a name it begins.
        let (i, full) = if la == 1 { (a, b) } else { (b, a) };
        let s = if full.text.as_bytes().first() == i.text.as_bytes().first() {
            0.8
        } else {
            0.0
        };
        return (s, false);
    }
    let same_key = a.kid != 0 && a.kid == b.kid;
    let short_key = same_key && la.abs_diff(lb) <= 1;
    let cut: f64 = if la.min(lb) <= 4 { 0.9 } else { 0.86 };
    if !short_key && jw_bound(a, b) < if same_key { PHONETIC_MIN_JW } else { cut } {
        return (0.0, false);
    }
    let jw = jaro_winkler(a.text.as_bytes(), b.text.as_bytes());
    let joins = (same_key && jw >= 0.85) || jw >= 0.94;
    // Equal phonetic keys make a spelling variant (`mhmd`/`muhammad`, `cheol`/`chol`,
    // `bag`/`pak`): at least 0.9, when the lengths are close or the letters not too far
    // apart (`aseari`/`isil` share only `SL`).
    let phon = short_key || (same_key && jw >= PHONETIC_MIN_JW);
    let s = if phon {
        jw.max(0.9)
    } else if (a.text.as_bytes()[0] == b.text.as_bytes()[0] || jw >= 0.92)
        && la.min(lb) * 5 >= la.max(lb) * 3
    {
        // Spelling slips keep the first letter and the length (`hasan` is not `khorasan`).
        jw
    } else {
        0.0
    };
    (if s >= cut { s } else { 0.0 }, joins)
}

/// Least Jaro-Winkler similarity for equal phonetic keys to count (`mhmd`/`muhammad` 0.74).
const PHONETIC_MIN_JW: f64 = 0.65;

/// A 64-bit identity of a phonetic key (0 for the empty key).
pub(crate) fn key_id(k: &str) -> u64 {
    use std::hash::BuildHasher;
    if k.is_empty() {
        0
    } else {
        rustc_hash::FxBuildHasher.hash_one(k.as_bytes()) | 1
    }
}

/// A signature of the multiset of characters of a token (its first 64 bytes): bits 0-25 a
/// letter occurs, 26-51 it occurs twice, 52-61 a digit occurs, 62 another byte occurs, 63
/// some byte occurs three times or more.
pub(crate) fn char_mask(t: &str) -> u64 {
    let mut counts = [0u8; 37];
    let mut sig = 0u64;
    for &c in t.as_bytes().iter().take(64) {
        let k = match c {
            b'a'..=b'z' => usize::from(c - b'a'),
            b'0'..=b'9' => 26 + usize::from(c - b'0'),
            _ => 36,
        };
        counts[k] = counts[k].saturating_add(1);
    }
    for (k, &n) in counts.iter().enumerate() {
        if n == 0 {
            continue;
        }
        sig |= match k {
            0..=25 => (1 << k) | if n >= 2 { 1 << (26 + k) } else { 0 },
            26..=35 => 1 << (52 + k - 26),
            _ => 1 << 62,
        };
        if n >= 3 || (k >= 26 && n >= 2) {
            sig |= 1 << 63;
        }
    }
    sig
}

/// An upper bound of the number of characters two tokens can match, from their signatures.
pub(crate) fn match_bound(la: usize, sa: u64, lb: usize, sb: u64) -> usize {
    let both = sa & sb;
    let m = (both & !(1 << 63)).count_ones() as usize;
    let m = if both >> 63 != 0 || both & (1 << 62) != 0 {
        la.min(lb)
    } else {
        m
    };
    m.min(la).min(lb)
}

/// Common prefix length (at most 4), as Winkler's bonus counts it.
pub(crate) fn prefix4(x: &[u8], y: &[u8]) -> usize {
    x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count()
}

/// An upper bound of the Jaro-Winkler similarity of `a` and `b` from their lengths,
/// character signatures and common prefix (no matching).
fn jw_bound(a: &U<'_>, b: &U<'_>) -> f64 {
    let (x, y) = (a.text.as_bytes(), b.text.as_bytes());
    let (la, lb) = (x.len().min(64), y.len().min(64));
    if la == 0 || lb == 0 {
        return 0.0;
    }
    let m = match_bound(la, a.mask, lb, b.mask) as f64;
    if m == 0.0 {
        return 0.0;
    }
    let jaro = (m / la as f64 + m / lb as f64 + 1.0) / 3.0;
    jaro + 0.1 * prefix4(x, y) as f64 * (1.0 - jaro)
}

/// Where similarities come from. `qi` is the index of `q` among the query's units.
pub(crate) trait Sims {
    fn get(&mut self, qi: usize, q: &U<'_>, c: &U<'_>) -> (f64, bool);
}

/// Computes every similarity directly (no cache).
pub(crate) struct Direct;

impl Sims for Direct {
    fn get(&mut self, _qi: usize, q: &U<'_>, c: &U<'_>) -> (f64, bool) {
        unit_sim(q, c)
    }
}

/// Reusable buffers of the aligner.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    qs: Vec<usize>,
    cs: Vec<usize>,
    cand: Vec<(f64, u16, u16)>,
    used_q: Vec<bool>,
    used_c: Vec<bool>,
}

/// The pairs and left-over tokens of an alignment, for explanations.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Alignment {
    pub score: f64,
    pub pairs: Vec<(String, String, f64)>,
    pub unmatched_query: Vec<String>,
    pub unmatched_entity: Vec<String>,
}

/// Merges adjacent units of `x` whose join is one unit of `y`; `x_is_query` tells which side
/// `x` is (similarities are always asked query first).
fn merge<S: Sims>(
    x: &Side<'_, '_>,
    y: &Side<'_, '_>,
    y_units: &[usize],
    x_is_query: bool,
    sims: &mut S,
    out: &mut Vec<usize>,
) {
    out.clear();
    let has_partner = |t: &U<'_>| y_units.iter().any(|&k| y.units[k].same(t));
    let mut i = 0;
    while i < x.n {
        if i + 1 < x.n {
            let (a, b) = (&x.units[i], &x.units[i + 1]);
            if a.text.len() >= 2 && b.text.len() >= 2 && !has_partner(a) && !has_partner(b) {
                let cat = &x.units[x.n + i];
                let hit = y_units.iter().any(|&k| {
                    let w = &y.units[k];
                    w.text.len() + 1 >= a.text.len() + b.text.len()
                        && if x_is_query {
                            sims.get(x.n + i, cat, w).1
                        } else {
                            sims.get(k, w, cat).1
                        }
                });
                if hit {
                    out.push(x.n + i);
                    i += 2;
                    continue;
                }
            }
        }
        out.push(i);
        i += 1;
    }
}

/// Aligns query `q` with entry `c` and returns the score; fills `rec` when given.
pub(crate) fn align<S: Sims>(
    q: &Side<'_, '_>,
    c: &Side<'_, '_>,
    sims: &mut S,
    sc: &mut Scratch,
    rec: Option<&mut Alignment>,
) -> f64 {
    if q.n == 0 || c.n == 0 {
        return 0.0;
    }
    let Scratch {
        qs,
        cs,
        cand,
        used_q,
        used_c,
    } = sc;
    let all_c: Vec<usize>;
    let c_toks: &[usize] = if c.n <= 64 {
        &ALL[..c.n]
    } else {
        all_c = (0..c.n).collect();
        &all_c
    };
    merge(q, c, c_toks, true, sims, qs);
    merge(c, q, qs, false, sims, cs);
    cand.clear();
    for (i, &qi) in qs.iter().enumerate() {
        for (j, &cj) in cs.iter().enumerate() {
            let s = sims.get(qi, &q.units[qi], &c.units[cj]).0;
            if s > 0.0 {
                cand.push((s, i as u16, j as u16));
            }
        }
    }
    cand.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    used_q.clear();
    used_q.resize(qs.len(), false);
    used_c.clear();
    used_c.resize(cs.len(), false);
    let (mut num, mut den) = (0.0, 0.0);
    let mut full_matches = 0;
    let mut rec = rec;
    if let Some(r) = rec.as_deref_mut() {
        *r = Alignment::default();
    }
    for &(s, i, j) in cand.iter() {
        let (i, j) = (usize::from(i), usize::from(j));
        if used_q[i] || used_c[j] {
            continue;
        }
        used_q[i] = true;
        used_c[j] = true;
        let (a, b) = (&q.units[qs[i]], &c.units[cs[j]]);
        let w = (a.w + b.w) / 2.0;
        num += s * w;
        den += w;
        if a.text.len() > 1 && b.text.len() > 1 {
            full_matches += 1;
        }
        if let Some(r) = rec.as_deref_mut() {
            r.pairs.push((a.text.to_string(), b.text.to_string(), s));
        }
    }
    if full_matches == 0 {
        return 0.0;
    }
    for (k, &qi) in qs.iter().enumerate() {
        if !used_q[k] {
            den += UNMATCHED_QUERY * q.units[qi].w;
        }
    }
    let omit = if full_matches >= 2 {
        UNMATCHED_ENTITY
    } else {
        1.0
    };
    for (k, &cj) in cs.iter().enumerate() {
        if !used_c[k] {
            den += omit * c.units[cj].w;
        }
    }
    let score = if den > 0.0 {
        (num / den).clamp(0.0, 1.0)
    } else {
        0.0
    };
    if let Some(r) = rec {
        r.score = score;
        let left = |side: &Side<'_, '_>, idx: &[usize], used: &[bool]| -> Vec<String> {
            idx.iter()
                .zip(used)
                .filter(|(_, u)| !**u)
                .map(|(&k, _)| side.units[k].text.to_string())
                .collect()
        };
        r.unmatched_query = left(q, qs, used_q);
        r.unmatched_entity = left(c, cs, used_c);
    }
    score
}

const ALL: [usize; 64] = {
    let mut a = [0usize; 64];
    let mut i = 0;
    while i < 64 {
        a[i] = i;
        i += 1;
    }
    a
};

/// Owned units of a free-standing name (a query, or `names compare` input).
#[derive(Debug, Clone, Default)]
pub(crate) struct OwnedSide {
    pub texts: Vec<String>,
    pub keys: Vec<String>,
    pub ws: Vec<f64>,
    pub ids: Vec<u32>,
    pub masks: Vec<u64>,
    pub n: usize,
}

impl OwnedSide {
    /// Tokens with their keys and weights; `id` looks a text up in a vocabulary.
    pub fn new(
        tokens: &[String],
        keys: &[String],
        weight: impl Fn(&str) -> f64,
        id: impl Fn(&str) -> u32,
    ) -> OwnedSide {
        let n = tokens.len();
        let mut s = OwnedSide {
            n,
            ..OwnedSide::default()
        };
        for (t, k) in tokens.iter().zip(keys) {
            s.ws.push(weight(t));
            s.ids.push(id(t));
            s.masks.push(char_mask(t));
            s.texts.push(t.clone());
            s.keys.push(k.clone());
        }
        for i in 0..n.saturating_sub(1) {
            let cat = format!("{}{}", tokens[i], tokens[i + 1]);
            s.keys.push(crate::phonetic::key(&cat));
            s.ids.push(id(&cat));
            s.ws.push(s.ws[i].max(s.ws[i + 1]));
            s.masks.push(char_mask(&cat));
            s.texts.push(cat);
        }
        s
    }

    pub fn units(&self) -> Vec<U<'_>> {
        (0..self.texts.len())
            .map(|i| U {
                text: &self.texts[i],
                kid: key_id(&self.keys[i]),
                w: self.ws[i],
                id: self.ids[i],
                mask: self.masks[i],
            })
            .collect()
    }
}
