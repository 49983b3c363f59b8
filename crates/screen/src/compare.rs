//! Name comparison: token alignment with Jaro-Winkler similarity, phonetic keys, joined and
//! split given names, initials, and rarity weights.

use crate::model::EntityType;
use crate::normalize::{NormName, normalize_name};

/// Scores at or above this are a match (`match: true`). Chosen on the evaluation set built
/// from the real lists (see docs/screening.md).
pub const DEFAULT_THRESHOLD: f64 = 0.85;

/// Extra query tokens the entity lacks cost this much of their weight.
const UNMATCHED_QUERY: f64 = 1.0;
/// Entity tokens missing from the query (omitted middle names) cost less once two tokens agree.
const UNMATCHED_ENTITY: f64 = 0.25;

/// Jaro-Winkler similarity of two ASCII byte strings (at most 64 bytes are compared),
/// allocation-free. Agrees with `strsim::jaro_winkler` (checked in tests).
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let a = &a[..a.len().min(64)];
    let b = &b[..b.len().min(64)];
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_m = [false; 64];
    let mut b_m = [false; 64];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        if lo >= hi {
            continue;
        }
        for (bj, bm) in b[lo..hi].iter().zip(&mut b_m[lo..hi]) {
            if !*bm && *bj == ca {
                a_m[i] = true;
                *bm = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut trans = 0usize;
    let mut k = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_m[i] {
            while !b_m[k] {
                k += 1;
            }
            if ca != b[k] {
                trans += 1;
            }
            k += 1;
        }
    }
    let m = matches as f64;
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + (m - (trans / 2) as f64) / m) / 3.0;
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + 0.1 * prefix * (1.0 - jaro)
}

/// One token with its key and weight, as the aligner sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tok {
    pub text: String,
    pub key: String,
    pub w: f64,
}

/// Default weights without corpus statistics: particles and the commonest given names count less.
pub(crate) fn default_weight(t: &str) -> f64 {
    match t {
        "al" | "el" | "bin" | "ibn" | "bint" | "abu" | "abd" | "de" | "da" | "di" | "del"
        | "van" | "von" | "der" | "la" | "le" | "the" | "of" | "and" | "y" => 0.2,
        "muhammad" | "ahmad" | "ahmed" | "ali" | "kim" | "ri" | "pak" | "li" | "wang" | "zhang"
        | "abdul" => 0.6,
        _ => 1.0,
    }
}

pub(crate) fn toks(n: &NormName, weight: impl Fn(&str) -> f64) -> Vec<Tok> {
    n.tokens
        .iter()
        .zip(&n.keys)
        .map(|(t, k)| Tok {
            text: t.clone(),
            key: k.clone(),
            w: weight(t),
        })
        .collect()
}

/// Similarity of two tokens in [0,1]; 0 below the cut-off.
fn token_sim(a: &Tok, b: &Tok) -> f64 {
    if a.text == b.text {
        return 1.0;
    }
    let (la, lb) = (a.text.len(), b.text.len());
    if la == 1 || lb == 1 {
        // An initial agrees with a name it begins.
        let (i, full) = if la == 1 { (a, b) } else { (b, a) };
        return if full.text.as_bytes().first() == i.text.as_bytes().first() {
            0.8
        } else {
            0.0
        };
    }
    let jw = jaro_winkler(a.text.as_bytes(), b.text.as_bytes());
    let phon = !a.key.is_empty() && a.key == b.key;
    let s = if phon { jw.max(0.9) } else { jw };
    let cut = if la.min(lb) <= 4 { 0.9 } else { 0.86 };
    if s >= cut { s } else { 0.0 }
}

fn joins(a: &Tok, b: &Tok, whole: &Tok) -> bool {
    let cat = format!("{}{}", a.text, b.text);
    if cat == whole.text {
        return true;
    }
    let ck = format!("{}{}", a.key, b.key);
    (!ck.is_empty()
        && crate::phonetic::key(&cat) == whole.key
        && jaro_winkler(cat.as_bytes(), whole.text.as_bytes()) >= 0.85)
        || jaro_winkler(cat.as_bytes(), whole.text.as_bytes()) >= 0.94
}

/// Merges adjacent tokens of `x` whose concatenation is one token of `y` ("jong un" vs
/// "jongun"), unless the single tokens already have partners.
fn merge_joined(x: &mut Vec<Tok>, y: &[Tok]) {
    let mut i = 0;
    while i + 1 < x.len() {
        let has_partner = |t: &Tok| y.iter().any(|u| u.text == t.text);
        let (a, b) = (&x[i], &x[i + 1]);
        let eligible = a.text.len() >= 2 && b.text.len() >= 2 && !has_partner(a) && !has_partner(b);
        let hit = if eligible {
            y.iter()
                .find(|w| w.text.len() + 1 >= a.text.len() + b.text.len() && joins(a, b, w))
        } else {
            None
        };
        if let Some(w) = hit {
            let key = w.key.clone();
            let next = x.remove(i + 1);
            let cur = &mut x[i];
            cur.text.push_str(&next.text);
            cur.key = key;
            cur.w = cur.w.max(next.w);
        }
        i += 1;
    }
}

/// Result of aligning two names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Alignment {
    pub score: f64,
    pub pairs: Vec<(String, String, f64)>,
    pub unmatched_query: Vec<String>,
    pub unmatched_entity: Vec<String>,
}

fn needs_merge(x: &[Tok], y: &[Tok]) -> bool {
    let free = |t: &Tok| t.text.len() >= 2 && !y.iter().any(|u| u.text == t.text);
    x.windows(2).any(|w| free(&w[0]) && free(&w[1]))
}

/// Aligns query tokens with entity tokens and scores the alignment.
pub(crate) fn align(q: &[Tok], c: &[Tok]) -> Alignment {
    align_core(q, c, true)
}

/// The score of [`align`] without building the description (the hot path).
pub(crate) fn align_score(q: &[Tok], c: &[Tok]) -> f64 {
    align_core(q, c, false).score
}

fn align_core(q: &[Tok], c: &[Tok], record: bool) -> Alignment {
    let mut qm: Option<Vec<Tok>> = None;
    let mut cm: Option<Vec<Tok>> = None;
    if needs_merge(q, c) {
        let mut v = q.to_vec();
        merge_joined(&mut v, c);
        qm = Some(v);
    }
    let qs: &[Tok] = qm.as_deref().unwrap_or(q);
    if needs_merge(c, qs) {
        let mut v = c.to_vec();
        merge_joined(&mut v, qs);
        cm = Some(v);
    }
    let cs: &[Tok] = cm.as_deref().unwrap_or(c);
    let (q, c) = (qs, cs);
    let mut cand: Vec<(f64, u16, u16)> = Vec::with_capacity(q.len() * c.len());
    for (i, a) in q.iter().enumerate() {
        for (j, b) in c.iter().enumerate() {
            let s = token_sim(a, b);
            if s > 0.0 {
                cand.push((s, i as u16, j as u16));
            }
        }
    }
    cand.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut used_q = [false; 64];
    let mut used_c = [false; 64];
    let mut pairs = Vec::new();
    let (mut num, mut den) = (0.0, 0.0);
    let mut full_matches = 0;
    for (s, i, j) in cand {
        let (i, j) = (usize::from(i), usize::from(j));
        if i >= 64 || j >= 64 || used_q[i] || used_c[j] {
            continue;
        }
        used_q[i] = true;
        used_c[j] = true;
        let w = (q[i].w + c[j].w) / 2.0;
        num += s * w;
        den += w;
        if q[i].text.len() > 1 && c[j].text.len() > 1 {
            full_matches += 1;
        }
        if record {
            pairs.push((q[i].text.clone(), c[j].text.clone(), s));
        }
    }
    let empty = Alignment {
        score: 0.0,
        pairs: Vec::new(),
        unmatched_query: Vec::new(),
        unmatched_entity: Vec::new(),
    };
    if full_matches == 0 {
        return Alignment { pairs, ..empty };
    }
    for (k, t) in q.iter().enumerate() {
        if !used_q.get(k).copied().unwrap_or(false) {
            den += UNMATCHED_QUERY * t.w;
        }
    }
    let omit = if full_matches >= 2 {
        UNMATCHED_ENTITY
    } else {
        1.0
    };
    for (k, t) in c.iter().enumerate() {
        if !used_c.get(k).copied().unwrap_or(false) {
            den += omit * t.w;
        }
    }
    let score = if den > 0.0 {
        (num / den).clamp(0.0, 1.0)
    } else {
        0.0
    };
    if !record {
        return Alignment { score, ..empty };
    }
    let unmatched = |v: &[Tok], used: &[bool; 64]| -> Vec<String> {
        v.iter()
            .enumerate()
            .filter(|(k, _)| !used.get(*k).copied().unwrap_or(false))
            .map(|(_, t)| t.text.clone())
            .collect()
    };
    Alignment {
        score,
        pairs,
        unmatched_query: unmatched(q, &used_q),
        unmatched_entity: unmatched(c, &used_c),
    }
}

/// Compares two names and returns a score in [0,1] (1 = same name). Uses built-in weights;
/// the [`crate::Screener`] uses rarity weights from the imported lists instead.
pub fn compare_names(a: &str, b: &str, entity_type: Option<EntityType>) -> f64 {
    explain_names(a, b, entity_type).0
}

/// Like [`compare_names`], with a human-readable account of the alignment.
pub fn explain_names(a: &str, b: &str, entity_type: Option<EntityType>) -> (f64, String) {
    let qa = toks(&normalize_name(a, entity_type), default_weight);
    let qb = toks(&normalize_name(b, entity_type), default_weight);
    let al = align(&qa, &qb);
    (al.score, describe(&al))
}

pub(crate) fn describe(al: &Alignment) -> String {
    let mut s = String::new();
    for (a, b, sim) in &al.pairs {
        if !s.is_empty() {
            s.push(' ');
        }
        if a == b {
            s.push_str(&format!("{a}={b}"));
        } else {
            s.push_str(&format!("{a}~{b}({sim:.2})"));
        }
    }
    if !al.unmatched_query.is_empty() {
        s.push_str(&format!("; query only: {}", al.unmatched_query.join(" ")));
    }
    if !al.unmatched_entity.is_empty() {
        s.push_str(&format!("; entry only: {}", al.unmatched_entity.join(" ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jw_agrees_with_strsim() {
        let words = [
            "",
            "a",
            "martha",
            "marhta",
            "dixon",
            "dicksonx",
            "jong",
            "john",
            "cholnam",
            "chol",
            "pak",
            "park",
            "mhmd",
            "muhammad",
            "abcdefghij",
            "jihgfedcba",
        ];
        for a in words {
            for b in words {
                let x = jaro_winkler(a.as_bytes(), b.as_bytes());
                let y = strsim::jaro_winkler(a, b);
                assert!((x - y).abs() < 1e-9, "{a} {b} {x} {y}");
            }
        }
    }

    #[test]
    fn korean_forms() {
        let t = Some(EntityType::Person);
        for q in [
            "Pak Chol Nam",
            "Park Chol-nam",
            "PAK, Chol Nam",
            "Chol Nam Pak",
            "Bak Cholnam",
            "박철남",
        ] {
            let s = compare_names(q, "PAK, Chol Nam", t);
            assert!(s >= DEFAULT_THRESHOLD, "{q}: {s}");
        }
        assert!(compare_names("Kim Jong Un", "KIM, Jong Un", t) > 0.99);
        assert!(compare_names("Gim Jong-un", "KIM, Jong Un", t) >= DEFAULT_THRESHOLD);
        assert!(compare_names("김정은", "KIM Jong Un", t) >= DEFAULT_THRESHOLD);
        assert!(compare_names("Ri Yong Ho", "LEE Yong Ho", t) >= DEFAULT_THRESHOLD);
    }

    #[test]
    fn omissions_initials_typos() {
        let t = Some(EntityType::Person);
        assert!(
            compare_names("Vladimir Putin", "PUTIN, Vladimir Vladimirovich", t)
                >= DEFAULT_THRESHOLD
        );
        assert!(compare_names("V. Putin", "PUTIN, Vladimir", t) > 0.7);
        assert!(compare_names("Vladimir Puttin", "PUTIN, Vladimir", t) >= DEFAULT_THRESHOLD);
        assert!(compare_names("Мухаммад Юсуф", "Muhammad YUSUF", t) >= DEFAULT_THRESHOLD);
    }

    #[test]
    fn negatives() {
        let t = Some(EntityType::Person);
        assert!(compare_names("John Smith", "Jong Su Kim", t) < 0.5);
        assert!(compare_names("Kim", "KIM, Jong Un", t) < DEFAULT_THRESHOLD);
        assert!(compare_names("Kim Min Jun", "KIM, Jong Un", t) < DEFAULT_THRESHOLD);
        assert!(compare_names("Pak Sung Ho", "PAK, Chol Nam", t) < DEFAULT_THRESHOLD);
        assert_eq!(compare_names("", "PAK", t), 0.0);
    }

    #[test]
    fn symmetric_enough() {
        let a = compare_names("Park Chol-nam", "PAK Chol Nam", None);
        let b = compare_names("PAK Chol Nam", "Park Chol-nam", None);
        assert!((a - b).abs() < 1e-9);
    }
}
