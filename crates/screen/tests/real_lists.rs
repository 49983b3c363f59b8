#![allow(clippy::unwrap_used)]
//! The real lists in `../shared/data` (skipped when absent): counts match the files, every
//! OFAC-listed wallet of `crypto/` is found, the acceptance names, and the blocking index's
//! recall against brute force.

mod common;

use std::io::Read;
use std::sync::OnceLock;

use molehunt_screen::eval::build_eval_set;
use molehunt_screen::{Query, Screener, import_file};

struct Real {
    _dir: tempfile::TempDir,
    screener: Screener,
    xml: String,
}

fn real() -> Option<&'static Real> {
    static REAL: OnceLock<Option<Real>> = OnceLock::new();
    REAL.get_or_init(|| {
        let base = common::shared("sanctions")?;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("real.db");
        let adv = import_file(&db, &base.join("sdn_advanced.xml.bz2"), None).unwrap();
        let un = import_file(&db, &base.join("un_consolidated.xml"), None).unwrap();
        let mut xml = String::new();
        bzip2::read::MultiBzDecoder::new(
            std::fs::File::open(base.join("sdn_advanced.xml.bz2")).unwrap(),
        )
        .read_to_string(&mut xml)
        .unwrap();
        // Counts against plain text scans of the files.
        assert_eq!(adv.counts.entities, xml.matches("<DistinctParty ").count());
        assert_eq!(adv.counts.names, xml.matches("<DocumentedName ").count());
        assert_eq!(adv.date_of_issue.as_deref(), Some("2025-11-19"));
        let un_text = std::fs::read_to_string(base.join("un_consolidated.xml")).unwrap();
        assert_eq!(
            un.counts.entities,
            un_text.matches("<INDIVIDUAL>").count() + un_text.matches("<ENTITY>").count()
        );
        assert_eq!(un.counts.entities, 730 + 273);
        let screener = Screener::load(&db).unwrap().unwrap();
        Some(Real {
            _dir: dir,
            screener,
            xml,
        })
    })
    .as_ref()
}

#[test]
fn advanced_xml_wallet_count_matches_features() {
    let Some(r) = real() else { return };
    let ids: Vec<String> = r
        .xml
        .lines()
        .filter(|l| l.contains("<FeatureType ID=") && l.contains("Digital Currency Address"))
        .filter_map(|l| l.split('"').nth(1).map(str::to_string))
        .collect();
    let features = r
        .xml
        .lines()
        .filter(|l| l.trim_start().starts_with("<Feature ID="))
        .filter(|l| {
            ids.iter()
                .any(|id| l.contains(&format!("FeatureTypeID=\"{id}\"")))
        })
        .count();
    let wallets: usize = r
        .screener
        .entities()
        .filter(|(l, _)| l == "us_ofac_sdn")
        .map(|(_, e)| e.wallets.len())
        .sum();
    assert_eq!(wallets, features);
}

#[test]
fn every_ofac_crypto_address_is_found() {
    let Some(r) = real() else { return };
    let Some(dir) = common::shared("sanctions/crypto") else {
        return;
    };
    let mut n = 0;
    for f in std::fs::read_dir(dir).unwrap() {
        let p = f.unwrap().path();
        let chain = p
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches("sanctioned_addresses_")
            .to_string();
        for addr in std::fs::read_to_string(&p)
            .unwrap()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let hits = r.screener.screen_wallet(addr, Some(&chain));
            assert!(!hits.is_empty(), "{chain} {addr} not found");
            assert!(hits.iter().all(|h| h.list == "us_ofac_sdn"));
            n += 1;
        }
    }
    assert!(n >= 700, "{n} addresses checked");
}

#[test]
fn acceptance_names_on_real_lists() {
    let Some(r) = real() else { return };
    let s = &r.screener;
    let kim = s.screen(&Query::new("Kim Jong Un"));
    assert!(
        kim.iter()
            .any(|m| m.list == "us_ofac_sdn" && m.entity_id == "20157" && m.is_match),
        "{kim:?}"
    );
    for name in ["Pak Chol Nam", "Park Chol-nam", "PAK, Chol Nam"] {
        let mut q = Query::new(name);
        q.dob = Some("1971".into());
        let m = s.screen(&q);
        let first = m.first().unwrap();
        assert_eq!(
            (first.entity_id.as_str(), first.name.as_str()),
            ("23008", "PAK, Chol Nam"),
            "{name}: {m:?}"
        );
        assert!(first.is_match);
    }
    let js = s.screen(&Query::new("John Smith"));
    assert!(js.is_empty(), "{js:?}");
}

#[test]
fn blocking_recall_against_brute_force() {
    let Some(r) = real() else { return };
    let s = &r.screener;
    let cases = build_eval_set(s, 12, 99);
    let (mut want, mut got) = (0usize, 0usize);
    for c in &cases {
        let brute: Vec<_> = s
            .screen_exhaustive(&c.query)
            .into_iter()
            .map(|m| (m.list, m.entity_id))
            .collect();
        let fast: Vec<_> = s
            .screen(&c.query)
            .into_iter()
            .map(|m| (m.list, m.entity_id))
            .collect();
        want += brute.len();
        got += brute.iter().filter(|b| fast.contains(b)).count();
    }
    let recall = got as f64 / want.max(1) as f64;
    eprintln!(
        "blocking recall {got}/{want} = {recall:.4} over {} queries",
        cases.len()
    );
    assert!(recall >= 0.99, "blocking recall {recall}");
}
