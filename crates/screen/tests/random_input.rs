#![allow(clippy::unwrap_used)]
//! Random and truncated input never panics a parser or the matcher.

use molehunt_screen::{ListFormat, compare_names, normalize_name, parse_bytes};
use proptest::prelude::*;

const FORMATS: [Option<ListFormat>; 5] = [
    None,
    Some(ListFormat::OfacAdvancedXml),
    Some(ListFormat::OfacCsv),
    Some(ListFormat::UnXml),
    Some(ListFormat::FtmJson),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn parsers_survive_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        for f in FORMATS {
            let _ = parse_bytes(&data, f);
        }
    }

    #[test]
    fn parsers_survive_mutated_samples(cut in 0usize..6000, flip in 0usize..6000, byte in any::<u8>()) {
        for (file, f) in [("un_consolidated_sample.xml", ListFormat::UnXml), ("sdn_sample.csv", ListFormat::OfacCsv), ("ftm_sample.json", ListFormat::FtmJson), ("sdn_advanced_sample.xml", ListFormat::OfacAdvancedXml)] {
            let mut d = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file)).unwrap();
            d.truncate(cut.min(d.len()));
            if !d.is_empty() {
                let i = flip % d.len();
                d[i] = byte;
            }
            let _ = parse_bytes(&d, Some(f));
        }
    }

    #[test]
    fn matcher_is_total_and_bounded(a in "\\PC{0,40}", b in "\\PC{0,40}") {
        let s = compare_names(&a, &b, None);
        prop_assert!((0.0..=1.0).contains(&s));
        let _ = normalize_name(&a, None);
    }

    #[test]
    fn identical_names_score_one(a in "[A-Za-z]{2,10}( [A-Za-z]{2,10}){0,3}") {
        prop_assert!(compare_names(&a, &a, None) > 0.999);
    }
}
