#![allow(clippy::unwrap_used)]
//! Parsers, import, screening and wallets on the committed samples (always run).

mod common;

use common::data;
use molehunt_screen::{
    EntityType, ListFormat, Query, Screener, import_file, list_infos, parse_bytes, parse_file,
};

#[test]
fn advanced_xml_sample_parses_entries_fully() {
    let p = parse_file(&data("sdn_advanced_sample.xml")).unwrap();
    assert_eq!(p.format, ListFormat::OfacAdvancedXml);
    assert_eq!(p.date_of_issue.as_deref(), Some("2025-11-19"));
    let raw = std::fs::read_to_string(data("sdn_advanced_sample.xml")).unwrap();
    assert_eq!(p.entities.len(), raw.matches("<DistinctParty ").count());
    // Every documented name is the primary name or an alias.
    let names: usize = p.entities.iter().map(|e| 1 + e.aliases.len()).sum();
    assert_eq!(names, raw.matches("<DocumentedName ").count());
    let wallets: usize = p.entities.iter().map(|e| e.wallets.len()).sum();
    assert_eq!(wallets, count_wallet_features(&raw));
    let pak = p.entities.iter().find(|e| e.id == "23008").unwrap();
    assert_eq!(pak.name, "PAK, Chol Nam");
    assert_eq!(pak.entity_type, Some(EntityType::Person));
    assert_eq!(pak.dates_of_birth, ["1971-06-16"]);
    assert_eq!(pak.nationalities, ["KP"]);
    assert!(
        pak.aliases
            .iter()
            .any(|a| a.name == "PAK, Ch'o'l-nam" && a.strong)
    );
    assert!(pak.programs.contains(&"DPRK4".to_string()));
    assert!(pak.documents.iter().any(|d| d.number == "745420413"));
    let yan = p.entities.iter().find(|e| e.id == "25308").unwrap();
    assert!(
        yan.wallets
            .iter()
            .any(|w| w.chain == "XBT" && w.address == "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")
    );
}

/// Counts `<Feature>` elements whose type is a digital currency address, by plain text scan.
pub fn count_wallet_features(raw: &str) -> usize {
    let ids: Vec<String> = raw
        .lines()
        .filter(|l| l.contains("<FeatureType ID=") && l.contains("Digital Currency Address"))
        .filter_map(|l| l.split('"').nth(1).map(str::to_string))
        .collect();
    raw.lines()
        .filter(|l| l.trim_start().starts_with("<Feature ID="))
        .filter(|l| {
            ids.iter()
                .any(|id| l.contains(&format!("FeatureTypeID=\"{id}\"")))
        })
        .count()
}

#[test]
fn un_csv_and_ftm_samples_parse() {
    let un = parse_file(&data("un_consolidated_sample.xml")).unwrap();
    assert_eq!(un.format, ListFormat::UnXml);
    assert_eq!(un.date_of_issue.as_deref(), Some("2026-02-27"));
    assert_eq!(un.entities.len(), 7);
    assert!(
        un.entities
            .iter()
            .any(|e| e.id.starts_with("KPi") && e.nationalities == ["KP"])
    );
    let csv = parse_file(&data("sdn_sample.csv")).unwrap();
    assert_eq!(csv.format, ListFormat::OfacCsv);
    assert_eq!(csv.entities.len(), 6);
    let pak = csv.entities.iter().find(|e| e.id == "23008").unwrap();
    assert_eq!(pak.dates_of_birth, ["1971-06-16"]);
    assert_eq!(pak.nationalities, ["KP"]);
    let ftm = parse_file(&data("ftm_sample.json")).unwrap();
    assert_eq!(ftm.format, ListFormat::FtmJson);
    assert_eq!(ftm.list, "eu_fsf");
    assert_eq!(ftm.entities.len(), 6); // 4 persons + 2 organisations; the address is skipped
}

#[test]
fn bad_input_is_a_clear_error() {
    let e = parse_bytes(b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST>\n<INDIVIDUAL><DATAID>1</DATAID>\n</CONSOLIDATED_LIST>", None).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("line"), "{msg}");
    let e = parse_bytes(b"{\"id\": 1}\n", None).unwrap_err().to_string();
    assert!(e.contains("line 1"), "{e}");
    let e = parse_bytes(b"12,\"X\"\nabc,\"Y\"\n", Some(ListFormat::OfacCsv))
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2") && e.contains("ent_num"), "{e}");
    assert!(parse_bytes(b"hello", None).is_err());
}

fn sample_db() -> (tempfile::TempDir, Screener) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    import_file(&db, &data("sdn_advanced_sample.xml"), None).unwrap();
    import_file(&db, &data("un_consolidated_sample.xml"), None).unwrap();
    let s = Screener::load(&db).unwrap().unwrap();
    (dir, s)
}

#[test]
fn acceptance_names_on_sample() {
    let (_d, s) = sample_db();
    let top = |q: &Query| {
        s.screen(q)
            .first()
            .map(|m| (m.list.clone(), m.entity_id.clone(), m.is_match))
    };
    let kim = top(&Query::new("Kim Jong Un")).unwrap();
    assert_eq!(
        (kim.0.as_str(), kim.1.as_str(), kim.2),
        ("us_ofac_sdn", "20157", true)
    );
    for name in [
        "Pak Chol Nam",
        "Park Chol-nam",
        "PAK, Chol Nam",
        "박철남",
        "Пак Чол Нам",
    ] {
        let mut q = Query::new(name);
        q.dob = Some("1971".into());
        let m = s.screen(&q);
        assert_eq!(
            m.first().map(|m| m.entity_id.as_str()),
            Some("23008"),
            "{name}: {m:?}"
        );
        assert!(
            m[0].explanation.contains("dob 1971 agrees"),
            "{}",
            m[0].explanation
        );
    }
    assert!(s.screen(&Query::new("John Smith")).is_empty());
    // A namesake born decades later falls below the threshold.
    let mut q = Query::new("Pak Chol Nam");
    q.dob = Some("1995-02-03".into());
    assert!(
        s.screen(&q)
            .iter()
            .all(|m| m.entity_id != "23008" || m.score < 0.9)
    );
    // Type mismatch excludes.
    let mut q = Query::new("Kim Jong Un");
    q.entity_type = Some(EntityType::Vessel);
    assert!(s.screen(&q).is_empty());
}

#[test]
fn match_serialises_with_match_field() {
    let (_d, s) = sample_db();
    let m = s.screen(&Query::new("Kim Jong Un")).remove(0);
    let v = serde_json::to_value(&m).unwrap();
    for k in [
        "entity_id",
        "list",
        "name",
        "matched_name",
        "score",
        "match",
        "explanation",
    ] {
        assert!(v.get(k).is_some(), "{k} missing in {v}");
    }
}

#[test]
fn every_sample_wallet_is_found() {
    let (_d, s) = sample_db();
    let p = parse_file(&data("sdn_advanced_sample.xml")).unwrap();
    let mut n = 0;
    for e in &p.entities {
        for w in &e.wallets {
            let hits = s.screen_wallet(&w.address, None);
            assert!(
                hits.iter()
                    .any(|h| h.entity_id == e.id && h.chain == w.chain),
                "{} {}",
                w.chain,
                w.address
            );
            assert!(!s.screen_wallet(&w.address, Some(&w.chain)).is_empty());
            n += 1;
        }
    }
    assert!(n >= 8, "sample holds {n} wallets");
    assert!(
        s.screen_wallet("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", None)
            .is_empty()
    );
    let evm = p
        .entities
        .iter()
        .flat_map(|e| &e.wallets)
        .find(|w| w.address.starts_with("0x"))
        .unwrap();
    assert!(
        !s.screen_wallet(&evm.address.to_uppercase().replacen("0X", "0x", 1), None)
            .is_empty()
    );
}

#[test]
fn documents_are_found() {
    let (_d, s) = sample_db();
    let hits = s.screen_document("745 420 413");
    assert!(hits.iter().any(|h| h.entity_id == "23008"));
    assert!(s.screen_document("000000000").is_empty());
}

#[test]
fn import_replaces_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let first = import_file(&db, &data("sdn_advanced_sample.xml"), None).unwrap();
    assert!(!first.replaced);
    let again = import_file(&db, &data("sdn_advanced_sample.xml"), None).unwrap();
    assert!(again.replaced);
    let infos = list_infos(&db).unwrap();
    assert_eq!(infos.len(), 1);
    assert_eq!(infos[0].counts, first.counts);
    assert_eq!(infos[0].date_of_issue.as_deref(), Some("2025-11-19"));
    // A broken file of the same list leaves the stored version intact.
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, "<?xml version=\"1.0\"?><Sanctions xmlns=\"ADVANCED_XML\"><DateOfIssue><Year>2025</Year></DateOfIssue><DistinctParties><DistinctParty FixedRef=\"1\">").unwrap();
    assert!(import_file(&db, &bad, Some("us_ofac_sdn")).is_err());
    let s = Screener::load(&db).unwrap().unwrap();
    assert_eq!(s.size().0, first.counts.entities);
    // Reopen-and-verify: a fresh load sees the same list.
    assert_eq!(list_infos(&db).unwrap(), infos);
}

#[test]
fn empty_database_loads_none() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Screener::load(&dir.path().join("x.db")).unwrap().is_none());
}

#[test]
fn batch_keeps_input_order() {
    let (_d, s) = sample_db();
    let names = ["Kim Jong Un", "John Smith", "Pak Chol Nam"];
    let qs: Vec<Query> = (0..200).map(|i| Query::new(names[i % 3])).collect();
    let res = s.screen_batch(&qs);
    assert_eq!(res.len(), 200);
    for (i, r) in res.iter().enumerate() {
        assert_eq!(r, &s.screen(&qs[i]));
    }
}

#[test]
fn screener_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Screener>();
}

#[test]
fn blocking_recall_on_sample_is_total() {
    let (_d, s) = sample_db();
    for c in molehunt_screen::eval::build_eval_set(&s, 50, 3) {
        let brute = s.screen_exhaustive(&c.query);
        let fast = s.screen(&c.query);
        assert_eq!(brute, fast, "{:?}", c.query);
    }
}
