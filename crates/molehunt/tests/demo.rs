//! `molehunt demo` end to end: generates, ingests, ranks, measures, writes its files.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn demo_runs_and_writes_its_ground_truth() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out_dir = dir.path().join("out");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_molehunt"))
            .args(["demo", "--honest", "60", "--top", "5", "--seed", "3"])
            .arg("--db")
            .arg(&db)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("ground truth:"), "{stdout}");
    assert!(
        stdout.contains("critical") || stdout.contains("high"),
        "{stdout}"
    );
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("ground_truth.json")).unwrap())
            .unwrap();
    assert_eq!(truth["honest"].as_array().unwrap().len(), 60);
    let events = std::fs::read_to_string(out_dir.join("events.jsonl")).unwrap();
    assert!(events.lines().count() > 60 * 30);
    // a second run replaces the database instead of adding to it
    let second = run();
    assert!(second.status.success());
    let a: Vec<&str> = stdout.lines().take(1).collect();
    let second_out = String::from_utf8_lossy(&second.stdout);
    let b: Vec<&str> = second_out.lines().take(1).collect();
    assert_eq!(a, b, "same seed, same population, fresh database");
}
