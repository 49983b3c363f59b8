//! Name comparison: Jaro-Winkler similarity, default weights, and the free-standing
//! `compare_names` (the aligner is in `align.rs`).

use crate::align::{Alignment, Direct, NONE, OwnedSide, Scratch, Side, align};
use crate::model::EntityType;
use crate::normalize::normalize_name;

/// Scores at or above this are a match (`match: true`). Chosen on the evaluation set built
/// from the real lists (see docs/screening.md).
pub const DEFAULT_THRESHOLD: f64 = 0.85;

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

/// Compares two names and returns a score in [0,1] (1 = same name). Uses built-in weights;
/// the [`crate::Screener`] uses rarity weights from the imported lists instead.
pub fn compare_names(a: &str, b: &str, entity_type: Option<EntityType>) -> f64 {
    explain_names(a, b, entity_type).0
}

/// Like [`compare_names`], with a human-readable account of the alignment.
pub fn explain_names(a: &str, b: &str, entity_type: Option<EntityType>) -> (f64, String) {
    let side = |s: &str| {
        let n = normalize_name(s, entity_type);
        OwnedSide::new(&n.tokens, &n.keys, default_weight, |_| NONE)
    };
    let (qa, qb) = (side(a), side(b));
    let (ua, ub) = (qa.units(), qb.units());
    let mut al = Alignment::default();
    align(
        &Side {
            units: &ua,
            n: qa.n,
        },
        &Side {
            units: &ub,
            n: qb.n,
        },
        &mut Direct,
        &mut Scratch::default(),
        Some(&mut al),
    );
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
