#![allow(clippy::unwrap_used)]
//! `molehunt lists`, `molehunt screen` and `molehunt names` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_molehunt"))
}

fn sample(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../screen/tests/data")
        .join(file)
}

fn run(args: &[&str], db: &Path) -> (bool, String, String) {
    let out = bin().args(args).arg("--db").arg(db).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn imported() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let adv = sample("sdn_advanced_sample.xml");
    let un = sample("un_consolidated_sample.xml");
    let (ok, out, err) = run(
        &[
            "lists",
            "import",
            adv.to_str().unwrap(),
            un.to_str().unwrap(),
        ],
        &db,
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("us_ofac_sdn") && out.contains("2025-11-19") && out.contains("11 entities"),
        "{out}"
    );
    assert!(
        out.contains("un_sc_sanctions") && out.contains("2026-02-27"),
        "{out}"
    );
    (dir, db)
}

#[test]
fn lists_import_and_show() {
    let (_d, db) = imported();
    let (ok, out, _) = run(&["lists", "show", "--format", "json"], &db);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    let (ok, out, _) = run(&["lists", "show"], &db);
    assert!(ok && out.contains("us_ofac_sdn"), "{out}");
    // Re-import replaces.
    let (ok, out, _) = run(
        &[
            "lists",
            "import",
            sample("sdn_advanced_sample.xml").to_str().unwrap(),
        ],
        &db,
    );
    assert!(ok && out.contains("replaced"), "{out}");
}

#[test]
fn lists_import_rejects_unknown_files() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.txt");
    std::fs::write(&f, "hello").unwrap();
    let (ok, _, err) = run(
        &["lists", "import", f.to_str().unwrap()],
        &dir.path().join("m.db"),
    );
    assert!(!ok && err.contains("unknown list format"), "{err}");
}

#[test]
fn screen_name_json() {
    let (_d, db) = imported();
    let (ok, out, err) = run(
        &[
            "screen",
            "--name",
            "Park Chol-nam",
            "--dob",
            "1971",
            "--format",
            "json",
        ],
        &db,
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["query"]["name"], "Park Chol-nam");
    let m = &v["matches"][0];
    assert_eq!(m["entity_id"], "23008");
    assert_eq!(m["name"], "PAK, Chol Nam");
    assert_eq!(m["match"], true);
    for k in ["list", "matched_name", "score", "explanation"] {
        assert!(!m[k].is_null(), "{k}");
    }
    let (ok, out, _) = run(&["screen", "--name", "John Smith", "--format", "json"], &db);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["matches"].as_array().unwrap().len(), 0);
    let (ok, out, _) = run(&["screen", "--name", "Kim Jong Un"], &db);
    assert!(ok && out.contains("Kim, Jong Un"), "{out}");
}

#[test]
fn screen_rejects_bad_qualifiers() {
    let (_d, db) = imported();
    let (ok, _, err) = run(&["screen", "--name", "X", "--dob", "71"], &db);
    assert!(!ok && err.contains("YYYY"), "{err}");
    let (ok, _, err) = run(&["screen", "--name", "X", "--country", "Korea"], &db);
    assert!(!ok && err.contains("alpha-2"), "{err}");
}

#[test]
fn screen_wallet() {
    let (_d, db) = imported();
    let (ok, out, err) = run(
        &[
            "screen",
            "--wallet",
            "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h",
            "--format",
            "json",
        ],
        &db,
    );
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["matches"][0]["entity_id"], "25308");
    assert_eq!(v["matches"][0]["chain"], "XBT");
    let (ok, out, _) = run(
        &[
            "screen",
            "--wallet",
            "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
            "--format",
            "json",
        ],
        &db,
    );
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["matches"].as_array().unwrap().is_empty());
}

#[test]
fn screen_batch_keeps_order() {
    let (d, db) = imported();
    let csv = d.path().join("q.csv");
    std::fs::write(&csv, "id,name,dob,country,type\na1,John Smith,,,\na2,Park Chol-nam,1971,KP,person\na3,Kim Jong Un,,,\na4,\"PAK, Chol Nam\",,,\n").unwrap();
    let (ok, out, err) = run(
        &[
            "screen",
            "--batch",
            csv.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
        &db,
    );
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a1", "a2", "a3", "a4"]);
    assert!(lines[0]["matches"].as_array().unwrap().is_empty());
    assert_eq!(lines[1]["matches"][0]["entity_id"], "23008");
    assert_eq!(lines[1]["matches"][0]["match"], true);
    assert_eq!(lines[2]["matches"][0]["entity_id"], "20157");
    let bad = d.path().join("bad.csv");
    std::fs::write(&bad, "id,name,type\nx,Foo,spaceship\n").unwrap();
    let (ok, _, err) = run(&["screen", "--batch", bad.to_str().unwrap()], &db);
    assert!(
        !ok && err.contains("line 2") && err.contains("type"),
        "{err}"
    );
}

#[test]
fn names_compare_single_and_batch() {
    let out = bin()
        .args([
            "names",
            "compare",
            "Park Chol-nam",
            "PAK, Chol Nam",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["match"], true);
    assert!(v["score"].as_f64().unwrap() > 0.9);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("p.csv");
    std::fs::write(
        &csv,
        "name1,name2,type\nKim Jong Un,\"KIM, Jong Un\",person\nJohn Smith,\"KIM, Jong Un\",\n",
    )
    .unwrap();
    let out = bin()
        .args([
            "names",
            "compare",
            "--batch",
            csv.to_str().unwrap(),
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["match"], true);
    assert_eq!(lines[1]["match"], false);
}

#[test]
fn screen_without_lists_explains() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(&["screen", "--name", "X"], &dir.path().join("m.db"));
    assert!(!ok && err.contains("lists import"), "{err}");
}

/// Real OFAC wallets through `lists import` and `screen --wallet` (skipped when ../shared is
/// absent). To keep the debug-binary CI run short this imports the real legacy `sdn.csv`
/// (3.9 MB) rather than the 121 MB advanced XML, and screens, per chain file of `crypto/`,
/// the first address the CSV's remarks hold. Every address of every chain file is checked
/// against the advanced XML by the library test in crates/screen/tests/real_lists.rs.
#[test]
fn real_wallets_by_cli() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions");
    if !base.exists() {
        eprintln!("skipping: {} is absent", base.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let csv = base.join("sdn.csv");
    let (ok, out, err) = run(&["lists", "import", csv.to_str().unwrap()], &db);
    assert!(ok, "{err}");
    assert!(out.contains("us_ofac_sdn_csv"), "{out}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut chains = 0;
    for f in std::fs::read_dir(base.join("crypto")).unwrap() {
        let p = f.unwrap().path();
        let list = std::fs::read_to_string(&p).unwrap();
        let Some(addr) = list
            .lines()
            .map(str::trim)
            .find(|a| !a.is_empty() && text.contains(a))
        else {
            continue;
        };
        let (ok, out, err) = run(&["screen", "--wallet", addr, "--format", "json"], &db);
        assert!(ok, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let m = v["matches"].as_array().unwrap();
        assert!(
            m.iter().any(|x| x["list"] == "us_ofac_sdn_csv"),
            "{} {addr}: {out}",
            p.display()
        );
        chains += 1;
    }
    assert!(chains >= 10, "only {chains} chains checked");
}
