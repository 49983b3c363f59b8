#![allow(clippy::unwrap_used)]
//! Output shapes of `cases`, `networks`, `report`, `rescore` and `config`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_molehunt");

fn molehunt(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("MOLEHUNT_DB", db)
        .env_remove("MOLEHUNT_CONFIG")
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Two persons paid into one bank account (a network), one honest person.
const EVENTS: &str = r#"{"type":"person","person_id":"p1","full_name":"Ann <b>Lee</b>","claimed_country":"US"}
{"type":"person","person_id":"p2","full_name":"Bo Kim","claimed_country":"US"}
{"type":"person","person_id":"p3","full_name":"Cy Doe","claimed_country":"US"}
{"type":"account","account_id":"a1","person_id":"p1"}
{"type":"payout_method","person_id":"p1","method":"bank","account_hash":"h-shared","holder_name":"Someone Else"}
{"type":"payout_method","person_id":"p2","method":"bank","account_hash":"h-shared"}
{"type":"payout_method","person_id":"p3","method":"bank","account_hash":"h-own"}
{"type":"login","ts":"2026-03-01T14:05:00Z","account_id":"a1","ip":"8.8.8.8","vpn":"Astrill VPN"}
"#;

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let f = dir.path().join("e.jsonl");
    std::fs::write(&f, EVENTS).unwrap();
    ok(&molehunt(&db, &["ingest", f.to_str().unwrap()]));
    (dir, db)
}

#[test]
fn cases_json_shape() {
    let (_dir, db) = setup();
    let v: Value =
        serde_json::from_str(&ok(&molehunt(&db, &["cases", "--format", "json"]))).unwrap();
    let cases = v.as_array().unwrap();
    assert_eq!(cases.len(), 3);
    let mut last = 101;
    for c in cases {
        let score = c["score"].as_u64().unwrap();
        assert!(score <= 100 && score <= last, "highest risk first");
        last = score;
        assert!(c["person_id"].is_string());
        assert!(["low", "medium", "high", "critical"].contains(&c["level"].as_str().unwrap()));
        assert!(c["network_id"].is_string() || c["network_id"].is_null());
        for f in c["flags"].as_array().unwrap() {
            assert!(f["id"].is_string() && f["severity"].is_string() && f["detail"].is_string());
        }
    }
    let p1 = cases.iter().find(|c| c["person_id"] == "p1").unwrap();
    assert!(
        p1["network_id"].is_string(),
        "p1 shares a bank account with p2"
    );
    let v: Value = serde_json::from_str(&ok(&molehunt(
        &db,
        &["cases", "--format", "json", "--limit", "1"],
    )))
    .unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let v: Value = serde_json::from_str(&ok(&molehunt(
        &db,
        &["cases", "--format", "json", "--level", "critical"],
    )))
    .unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|c| c["level"] == "critical")
    );
    let table = ok(&molehunt(&db, &["cases"]));
    assert!(table.contains("PERSON") && table.contains("p1"), "{table}");
}

#[test]
fn networks_json_shape_and_stable_ids() {
    let (_dir, db) = setup();
    let v: Value =
        serde_json::from_str(&ok(&molehunt(&db, &["networks", "--format", "json"]))).unwrap();
    let nets = v.as_array().unwrap();
    assert_eq!(nets.len(), 1);
    let n = &nets[0];
    let id = n["network_id"].as_str().unwrap().to_string();
    let mut persons: Vec<&str> = n["person_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    persons.sort();
    assert_eq!(persons, vec!["p1", "p2"]);
    let links = n["links"].as_array().unwrap();
    assert!(links.iter().any(|l| l["kind"] == "bank_account"));
    for l in links {
        assert!(l["kind"].is_string() && l["person_ids"].is_array());
    }
    let out = ok(&molehunt(&db, &["rescore"]));
    assert!(out.contains("scored 3 persons"), "{out}");
    let v: Value =
        serde_json::from_str(&ok(&molehunt(&db, &["networks", "--format", "json"]))).unwrap();
    assert_eq!(
        v[0]["network_id"],
        id.as_str(),
        "network id survives a rescore"
    );
    assert!(ok(&molehunt(&db, &["networks"])).contains(&id));
}

#[test]
fn report_markdown_and_html() {
    let (dir, db) = setup();
    let md = ok(&molehunt(&db, &["report", "p1"]));
    assert!(md.contains("# Case report"), "{md}");
    assert!(md.contains("## Flags") && md.contains("## Timeline") && md.contains("## Network"));
    assert!(
        md.contains("h-shared") || md.contains("bank_account"),
        "{md}"
    );
    let out = dir.path().join("p1.html");
    ok(&molehunt(
        &db,
        &[
            "report",
            "p1",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let html = std::fs::read_to_string(out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<b>Lee</b>"), "names are escaped");
    assert!(html.contains("&lt;b&gt;Lee&lt;/b&gt;"));
    let missing = molehunt(&db, &["report", "nobody"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no person `nobody`"));
}

#[test]
fn config_show_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let shown = ok(&molehunt(&db, &["config", "show"]));
    let good = dir.path().join("good.toml");
    std::fs::write(&good, &shown).unwrap();
    assert!(ok(&molehunt(&db, &["config", "check", good.to_str().unwrap()])).contains("ok"));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[nonsense]\nthreshold = 1\n").unwrap();
    let out = molehunt(&db, &["config", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
    let shown2 = ok(&molehunt(
        &db,
        &["config", "show", "--config", good.to_str().unwrap()],
    ));
    assert_eq!(shown, shown2);
}

/// `bench ingest --rounds` measures the same generated file several times and prints each
/// round, the median and the best; a bad round count is refused by name.
#[test]
fn bench_rounds_print_median_and_best() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let work = dir.path().join("bench");
    let out = molehunt(
        &db,
        &[
            "bench",
            "ingest",
            "--events",
            "3000",
            "--rounds",
            "2",
            "--dir",
            work.to_str().unwrap(),
        ],
    );
    let text = ok(&out);
    assert!(text.contains("events: 3000"), "{text}");
    let row = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no `{name}` row in {text}"))
            .split_whitespace()
            .skip(1)
            .map(|v| v.parse::<f64>().unwrap())
            .collect::<Vec<f64>>()
    };
    let (one, two, median, best) = (row("1"), row("2"), row("median"), row("best"));
    for (i, m) in median.iter().enumerate() {
        assert!((m - (one[i] + two[i]) / 2.0).abs() <= 1.0, "{text}");
        assert!((best[i] - one[i].max(two[i])).abs() <= 1.0, "{text}");
        assert!(one[i] > 0.0 && two[i] > 0.0);
    }
    let bad = molehunt(&db, &["bench", "ingest", "--rounds", "0"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--rounds"));
}
