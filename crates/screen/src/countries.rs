//! Country names (as OFAC, the UN and ISO write them) to ISO 3166-1 alpha-2 codes.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

static TABLE: &str = include_str!("countries.tsv");

static BY_NAME: LazyLock<FxHashMap<String, &'static str>> = LazyLock::new(|| {
    let mut m = FxHashMap::default();
    for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
        if let Some((code, name)) = line.split_once('\t') {
            m.insert(key(name), code);
        }
    }
    m
});

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Returns the alpha-2 code of a country name or code, or None when unknown.
pub fn to_iso2(name: &str) -> Option<&'static str> {
    let t = name.trim();
    if t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        let up = t.to_ascii_uppercase();
        return BY_NAME.values().find(|c| **c == up).copied();
    }
    BY_NAME.get(&key(t)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes() {
        assert_eq!(to_iso2("Korea, North"), Some("KP"));
        assert_eq!(to_iso2("Democratic People's Republic of Korea"), Some("KP"));
        assert_eq!(to_iso2("Russian Federation"), Some("RU"));
        assert_eq!(to_iso2("kp"), Some("KP"));
        assert_eq!(to_iso2("PRK"), Some("KP"));
        assert_eq!(to_iso2("Atlantis"), None);
    }
}
