//! `molehunt audit ...` as a user runs it.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn molehunt(db: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_molehunt"))
        .args(args)
        .env("MOLEHUNT_DB", db)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ok(db: &Path, args: &[&str], stdin: Option<&[u8]>) -> String {
    let out = molehunt(db, args, stdin);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s.trim()).unwrap()
}

#[test]
fn append_prove_consistency_show_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let mut input = Vec::new();
    for i in 0..300 {
        writeln!(
            input,
            "{{\"kind\":\"session\",\"ts\":\"2026-11-26T05:00:00Z\",\"n\":{i}}}"
        )
        .unwrap();
    }
    input.extend_from_slice(b"plain text line\n\xff\xfe not utf-8\nno final newline");
    assert_eq!(ok(&db, &["audit", "append"], Some(&input)).trim(), "0 302");
    let more = ok(
        &db,
        &["audit", "append", "--format", "json"],
        Some(b"one\ntwo\n"),
    );
    assert_eq!(
        json(&more),
        serde_json::json!({"first": 303, "last": 304, "count": 2})
    );

    // The closing checkpoint covers everything; `checkpoint` prints the signed note.
    let note = ok(&db, &["audit", "checkpoint"], None);
    assert!(note.starts_with("molehunt.local/audit\n305\n"), "{note}");
    assert!(note.contains("\n\n\u{2014} molehunt.local/audit "));
    let key = ok(&db, &["audit", "key"], None);
    assert!(key.trim().starts_with("molehunt.local/audit+"));
    let vk = molehunt_ledger::VerifierKey::parse(key.trim()).unwrap();
    let cp = molehunt_ledger::verify_checkpoint(&note, &vk).unwrap();
    assert_eq!(cp.size, 305);

    let p = json(&ok(
        &db,
        &["audit", "prove", "--index", "301", "--format", "json"],
        None,
    ));
    assert_eq!(p["tree_size"], 305);
    assert_eq!(p["leaf"], "//4gbm90IHV0Zi04");
    assert_eq!(p["root"], hex::encode(cp.root));
    for field in ["index", "tree_size", "leaf", "leaf_hash", "proof", "root"] {
        assert!(p.get(field).is_some(), "missing {field}");
    }
    let c = json(&ok(
        &db,
        &["audit", "consistency", "--from", "100", "--format", "json"],
        None,
    ));
    assert_eq!(
        (c["first"].as_u64(), c["second"].as_u64()),
        (Some(100), Some(305))
    );
    assert_eq!(c["second_root"], hex::encode(cp.root));

    // Anyone with the proof, the note and the key can verify, without the database.
    std::fs::write(
        dir.path().join("p.json"),
        serde_json::to_string(&p).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("c.json"),
        serde_json::to_string(&c).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("cp.txt"), &note).unwrap();
    let nodb = dir.path().join("absent.db");
    for proof in ["p.json", "c.json"] {
        let proof = dir.path().join(proof);
        let cp_path = dir.path().join("cp.txt");
        let args = [
            "audit",
            "verify-proof",
            "--proof",
            proof.to_str().unwrap(),
            "--checkpoint",
            cp_path.to_str().unwrap(),
            "--key",
            key.trim(),
        ];
        assert!(ok(&nodb, &args, None).starts_with("ok:"));
    }
    let mut forged = p.clone();
    forged["leaf"] = serde_json::json!("Zm9yZ2Vk");
    std::fs::write(
        dir.path().join("f.json"),
        serde_json::to_string(&forged).unwrap(),
    )
    .unwrap();
    let f = dir.path().join("f.json");
    assert!(
        !molehunt(
            &nodb,
            &["audit", "verify-proof", "--proof", f.to_str().unwrap()],
            None
        )
        .status
        .success()
    );

    let shown = ok(
        &db,
        &["audit", "show", "--from", "299", "--to", "302"],
        None,
    );
    let lines: Vec<serde_json::Value> = shown.lines().map(json).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["entry"]["n"], 299);
    assert_eq!(
        lines[1],
        serde_json::json!({"index": 300, "text": "plain text line"})
    );
    assert_eq!(lines[2]["index"], 301);
    assert!(lines[2].get("base64").is_some());

    let v = ok(&db, &["audit", "verify"], None);
    assert!(v.starts_with("ok: 305 entries"), "{v}");
}

#[test]
fn verify_names_the_changed_entry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let input: String = (0..500)
        .map(|i| format!("{{\"kind\":\"x\",\"ts\":\"2026-11-26T05:00:00Z\",\"i\":{i}}}\n"))
        .collect();
    ok(&db, &["audit", "append"], Some(input.as_bytes()));
    // Change one byte of entry 417 directly in the database file's table.
    let c = rusqlite::Connection::open(&db).unwrap();
    let data: Vec<u8> = c
        .query_row("SELECT data FROM ledger_entries WHERE idx = 417", [], |r| {
            r.get(0)
        })
        .unwrap();
    let mut changed = data.clone();
    let pos = changed.iter().position(|&b| b == b'x').unwrap();
    changed[pos] = b'y';
    c.execute(
        "UPDATE ledger_entries SET data = ?1 WHERE idx = 417",
        [&changed],
    )
    .unwrap();
    drop(c);
    let out = molehunt(&db, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("index 417"), "{err}");
}

#[test]
fn prove_rejects_out_of_range_requests() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    ok(&db, &["audit", "append"], Some(b"a\nb\nc\n"));
    let out = molehunt(&db, &["audit", "prove", "--index", "3"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("index 3"));
    let out = molehunt(
        &db,
        &["audit", "consistency", "--from", "2", "--to", "9"],
        None,
    );
    assert!(!out.status.success());
}
