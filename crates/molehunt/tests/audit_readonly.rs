//! `molehunt audit verify|show|prove|consistency` are read-only: on a copied database (its
//! key file left behind) they create no key and no table, and the copy verifies with
//! `--key <verifier key string>`.
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

fn tables(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn copied_db_verifies_with_key_and_never_gets_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let input: String = (0..200)
        .map(|i| format!("{{\"kind\":\"x\",\"ts\":\"2026-11-26T05:00:00Z\",\"i\":{i}}}\n"))
        .collect();
    ok(&db, &["audit", "append"], Some(input.as_bytes()));
    let key = ok(&db, &["audit", "key"], None).trim().to_string();

    let copies = tempfile::tempdir().unwrap();
    let copy = copies.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    let key_file = copies.path().join("copy.db.ledger.key");
    let before = tables(&copy);

    // Without a key: a clear error, non-zero exit, and no key file appears.
    let out = molehunt(&copy, &["audit", "verify"], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--key <verifier key string>"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).is_empty());
    assert!(!key_file.exists(), "verify created a key file");

    // With the original's verifier key: signatures checked.
    let v = ok(&copy, &["audit", "verify", "--key", &key], None);
    assert!(
        v.starts_with("ok: 200 entries, 1 signed checkpoints"),
        "{v}"
    );
    // Tree only: says so.
    let v = ok(&copy, &["audit", "verify", "--tree-only"], None);
    assert!(v.contains("signatures NOT checked"), "{v}");

    // Other read-only commands work on the copy and create nothing.
    let shown = ok(&copy, &["audit", "show", "--from", "7", "--to", "8"], None);
    assert!(shown.contains("\"i\":7"), "{shown}");
    ok(
        &copy,
        &["audit", "prove", "--index", "5", "--format", "json"],
        None,
    );
    ok(&copy, &["audit", "consistency", "--from", "3"], None);
    assert!(!key_file.exists(), "a read-only command created a key file");
    assert_eq!(tables(&copy), before);

    // `key` and writers refuse to invent a new key for a log with signed checkpoints.
    let out = molehunt(&copy, &["audit", "key"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing"));
    let out = molehunt(&copy, &["audit", "append"], Some(b"x\n"));
    assert!(!out.status.success());
    assert!(!key_file.exists());

    // A key from another log does not verify the copy, and the failure names an index.
    let other = copies.path().join("other.db");
    ok(&other, &["audit", "append"], Some(b"y\n"));
    let other_key = ok(&other, &["audit", "key"], None);
    let out = molehunt(&copy, &["audit", "verify", "--key", other_key.trim()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("index 0"));
}

#[test]
fn read_only_commands_on_a_db_without_ledger_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plain.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE people (id INTEGER PRIMARY KEY)")
        .unwrap();
    for args in [
        &["audit", "verify", "--tree-only"][..],
        &["audit", "show"],
        &["audit", "prove", "--index", "0"],
        &["audit", "consistency", "--from", "0"],
    ] {
        let out = molehunt(&db, args, None);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no audit ledger"), "{args:?}: {err}");
    }
    assert_eq!(tables(&db), ["people"]);
    assert!(!dir.path().join("plain.db.ledger.key").exists());
    let absent = dir.path().join("absent.db");
    assert!(!molehunt(&absent, &["audit", "show"], None).status.success());
    assert!(!absent.exists());
}
