#![allow(clippy::unwrap_used)]
//! The pipeline through the public API: the analysis run while ingesting
//! equals a full recompute from the store (a differential test), multi-file
//! outcomes, ledger entries, person_risk by account.

use std::io::Write;

use molehunt_engine::{Engine, EngineOptions, IngestOptions, NoProgress, ReportFormat};

/// A ring sharing one bank account and one device, ahead of a generated workforce.
const RING: &str = r#"{"type":"person","person_id":"r1","full_name":"Ring One","claimed_country":"US"}
{"type":"person","person_id":"r2","full_name":"Ring Two","claimed_country":"US"}
{"type":"account","account_id":"ra1","person_id":"r1"}
{"type":"account","account_id":"ra2","person_id":"r2"}
{"type":"payout_method","person_id":"r1","method":"bank","account_hash":"ring-bank"}
{"type":"payout_method","person_id":"r2","method":"bank","account_hash":"ring-bank"}
"#;

fn input(events: u64) -> Vec<u8> {
    let mut buf = RING.as_bytes().to_vec();
    molehunt_engine::bench::generate(&mut buf, events, 11).unwrap();
    // generated upserts follow the ring's: still in analysis order
    writeln!(
        buf,
        r#"{{"type":"login","ts":"2027-01-01T00:00:00Z","account_id":"ra1","ip":"203.0.113.7","device_id":"ring-dev","vpn":"Astrill VPN"}}"#
    )
    .unwrap();
    writeln!(
        buf,
        r#"{{"type":"login","ts":"2027-01-01T00:10:00Z","account_id":"ra2","ip":"203.0.113.7","device_id":"ring-dev"}}"#
    )
    .unwrap();
    buf
}

#[test]
fn streamed_analysis_equals_recompute() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let mut engine = Engine::open(&db, EngineOptions::default()).unwrap();
    let data = input(20_000);
    let f = dir.path().join("in.jsonl");
    std::fs::write(&f, &data).unwrap();
    let (outcomes, rescore) = engine
        .ingest_paths(
            std::slice::from_ref(&f),
            &IngestOptions::default(),
            &NoProgress,
        )
        .unwrap();
    let report = outcomes.into_iter().next().unwrap().unwrap();
    assert!(report.ledger_index.is_some());
    assert!(
        rescore.unwrap().streamed,
        "in-order input into an empty store streams"
    );
    let streamed = engine.cases_json(None, None).unwrap();
    let nets = engine.networks_json().unwrap();
    let again = engine.rescore(&NoProgress).unwrap();
    assert!(!again.streamed);
    assert_eq!(engine.cases_json(None, None).unwrap(), streamed);
    assert_eq!(engine.networks_json().unwrap(), nets);
    let ring = engine.networks().unwrap();
    assert!(
        ring.iter().any(|n| n.person_ids.contains(&"r1".to_string())
            && n.person_ids.contains(&"r2".to_string())),
        "{nets}"
    );
    // the access gate's lookup, by person and by account
    let by_person = engine.person_risk("r1").unwrap().unwrap();
    let by_account = engine.person_risk("ra1").unwrap().unwrap();
    assert_eq!(by_person, by_account);
    assert!(
        engine
            .report("r1", ReportFormat::Markdown)
            .unwrap()
            .contains("ring-bank")
    );
}

#[test]
fn out_of_order_input_is_recomputed_with_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let data = String::from_utf8(input(3_000)).unwrap();
    let mut lines: Vec<&str> = data.lines().collect();
    let in_order = {
        let mut e = Engine::open(&dir.path().join("a.db"), EngineOptions::default()).unwrap();
        e.ingest_reader("a", data.as_bytes(), &IngestOptions::default(), &NoProgress)
            .unwrap();
        e.cases_json(None, None).unwrap()
    };
    lines.reverse();
    let reversed = lines.join("\n");
    let mut e = Engine::open(&dir.path().join("b.db"), EngineOptions::default()).unwrap();
    e.ingest_reader(
        "b",
        reversed.as_bytes(),
        &IngestOptions::default(),
        &NoProgress,
    )
    .unwrap();
    assert_eq!(e.cases_json(None, None).unwrap(), in_order);
}

#[test]
fn demo_population_streams_or_recomputes_identically() {
    let demo = molehunt_demo::generate(&molehunt_demo::DemoOptions {
        honest: 150,
        ..Default::default()
    });
    let text = demo.lines.join("\n");
    let dir = tempfile::tempdir().unwrap();
    let mut e = Engine::open(&dir.path().join("d.db"), EngineOptions::default()).unwrap();
    let r = e
        .ingest_reader(
            "demo.jsonl",
            text.as_bytes(),
            &IngestOptions::default(),
            &NoProgress,
        )
        .unwrap();
    assert_eq!(r.inserted as usize, demo.lines.len());
    let first = e.cases_json(None, None).unwrap();
    e.rescore(&NoProgress).unwrap();
    assert_eq!(e.cases_json(None, None).unwrap(), first);
}

#[test]
fn several_files_each_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.jsonl");
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&good, RING).unwrap();
    std::fs::write(
        &bad,
        "{\"type\":\"person\",\"person_id\":\"x\",\"full_name\":\"X\"}\n{\"type\":\"login\"}\n",
    )
    .unwrap();
    let again = dir.path().join("again.jsonl");
    std::fs::write(&again, RING).unwrap();
    let db = dir.path().join("m.db");
    let mut e = Engine::open(&db, EngineOptions::default()).unwrap();
    let (outcomes, rescore) = e
        .ingest_paths(
            &[good, bad.clone(), dir.path().join("missing.jsonl"), again],
            &IngestOptions::default(),
            &NoProgress,
        )
        .unwrap();
    assert!(outcomes[0].is_ok());
    // every committed file has its ledger entry, in file order
    let first = outcomes[0].as_ref().unwrap();
    let last = outcomes[3].as_ref().unwrap();
    assert_eq!((first.inserted, last.inserted, last.duplicates), (6, 0, 6));
    let (a, b) = (first.ledger_index.unwrap(), last.ledger_index.unwrap());
    assert_eq!(b, a + 1);
    let entries = molehunt_ledger::LedgerReader::open(&db)
        .unwrap()
        .entries(a..b + 1)
        .unwrap();
    let files: Vec<String> = entries
        .iter()
        .map(|(_, json)| {
            let v: serde_json::Value = serde_json::from_slice(json).unwrap();
            assert_eq!(v["kind"], "ingest");
            v["file"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(files, ["good.jsonl", "again.jsonl"]);
    let err = outcomes[1].as_ref().unwrap_err().to_string();
    assert!(
        err.contains("bad.jsonl:2: field `ts`: required field is missing"),
        "{err}"
    );
    assert!(outcomes[2].is_err());
    assert_eq!(rescore.unwrap().persons, 2, "scored what was committed");
    assert!(e.person_risk("x").unwrap().is_none());
    let v = molehunt_engine::validate(
        "bad.jsonl",
        std::fs::File::open(&bad)
            .map(std::io::BufReader::new)
            .unwrap(),
        None,
        10,
    )
    .unwrap();
    assert_eq!((v.records, v.valid, v.invalid), (2, 1, 1));
}

/// The IP data loads on the analysis thread while the first batches are stored:
/// when it cannot be read, the ingest fails with that error and stores nothing,
/// and the same engine ingests the file once the option is fixed.
#[test]
fn unreadable_ip_data_fails_the_ingest_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, input(3_000)).unwrap();
    let broken = dir.path().join("broken.mmdb");
    std::fs::write(&broken, b"not a MaxMind database").unwrap();
    let opts = EngineOptions {
        geoip: vec![broken],
        ..EngineOptions::default()
    };
    let mut engine = Engine::open(&db, opts).unwrap();
    let (outcomes, rescore) = engine
        .ingest_paths(
            std::slice::from_ref(&file),
            &IngestOptions::default(),
            &NoProgress,
        )
        .unwrap();
    let err = outcomes[0].as_ref().unwrap_err().to_string();
    assert!(err.contains("broken.mmdb"), "{err}");
    assert!(rescore.is_none());
    drop(engine);
    let mut engine = Engine::open(&db, EngineOptions::default()).unwrap();
    assert!(engine.cases().unwrap().is_empty());
    let report = engine
        .ingest_path(&file, &IngestOptions::default(), &NoProgress)
        .unwrap();
    assert_eq!(report.inserted, 3_008);
    assert!(!engine.cases().unwrap().is_empty());
}

/// A first ingest of a file assumes its identities distinct and skips
/// remembering them; a file that repeats lines is then redone with them
/// remembered: the same counts and results as an ingest that never assumed it
/// (from a reader, which cannot be read twice).
#[test]
fn a_file_with_repeated_lines_gives_what_a_careful_ingest_gives() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = input(2_000);
    let text = String::from_utf8(bytes.clone()).unwrap();
    for line in text.lines().skip(40).take(3) {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    let file = dir.path().join("repeats.jsonl");
    std::fs::write(&file, &bytes).unwrap();
    let mut from_file = Engine::open(&dir.path().join("f.db"), EngineOptions::default()).unwrap();
    let a = from_file
        .ingest_path(&file, &IngestOptions::default(), &NoProgress)
        .unwrap();
    let mut from_reader = Engine::open(&dir.path().join("r.db"), EngineOptions::default()).unwrap();
    let b = from_reader
        .ingest_reader(
            "repeats.jsonl",
            &bytes[..],
            &IngestOptions::default(),
            &NoProgress,
        )
        .unwrap();
    assert_eq!(
        (a.records, a.inserted, a.duplicates),
        (b.records, b.inserted, b.duplicates)
    );
    assert_eq!(a.duplicates, 3);
    let cases = |e: &Engine| serde_json::to_string(&e.cases().unwrap()).unwrap();
    assert_eq!(cases(&from_file), cases(&from_reader));
    assert!(!from_file.cases().unwrap().is_empty());
}
