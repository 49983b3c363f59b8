//! Read-only access: verifying, proving and reading a copied database never creates a key,
//! a table or a writer, and a copy verifies with the original's verifier key.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use molehunt_ledger::{
    Ledger, LedgerError, LedgerOptions, LedgerReader, VerifierKey, default_key_path,
    load_verifier_key, verify_inclusion,
};

/// A closed ledger of `n` entries with a checkpoint; returns its directory, path and key.
fn seeded(n: u64) -> (tempfile::TempDir, PathBuf, VerifierKey) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("orig.db");
    let l = Ledger::open(&db, LedgerOptions::default()).unwrap();
    l.append_owned((0..n).map(|i| format!("entry {i}").into_bytes()).collect())
        .unwrap();
    l.checkpoint().unwrap();
    l.append(b"after the checkpoint").unwrap();
    let vk = l.verifier_key().clone();
    drop(l); // signs a closing checkpoint and checkpoints the WAL into the file
    (dir, db, vk)
}

/// Copies only the database file (not its key) into a new directory.
fn copy_db(db: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    std::fs::copy(db, &copy).unwrap();
    (dir, copy)
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
fn copied_db_without_key_is_not_verified_and_gets_no_key() {
    let (_d, db, vk) = seeded(1000);
    let (_c, copy) = copy_db(&db);
    let key_path = default_key_path(&copy);
    let err = Ledger::verify_path(&copy, None, &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(err, LedgerError::NoVerifierKey(ref p) if p == &key_path),
        "{err}"
    );
    assert!(err.to_string().contains("verifier key"), "{err}");
    assert!(!key_path.exists(), "verification created a key");

    // With the original's verifier key the copy verifies, signatures included.
    let s = Ledger::verify_path(&copy, Some(&vk), &mut |_, _| {}).unwrap();
    assert_eq!(s.size, 1001);
    assert_eq!(s.checkpoints, 2);
    assert!(s.signatures_checked);
    assert!(!key_path.exists());

    // Reads and proofs on the copy create nothing either.
    let before = tables(&copy);
    let r = LedgerReader::open(&copy).unwrap();
    assert_eq!(r.size().unwrap(), 1001);
    let p = r.prove_inclusion(417, None).unwrap();
    verify_inclusion(
        417,
        p.tree_size,
        &molehunt_ledger::leaf_hash(&p.leaf),
        &p.proof,
        &p.root,
    )
    .unwrap();
    assert_eq!(p.leaf, b"entry 417");
    r.prove_consistency(10, None).unwrap();
    assert_eq!(r.entries(5..7).unwrap().len(), 2);
    let t = r.verify_tree_only(&mut |_, _| {}).unwrap();
    assert!(!t.signatures_checked);
    assert_eq!(t.root, s.root);
    drop(r);
    assert!(!key_path.exists());
    assert_eq!(tables(&copy), before);

    // Opening the copy for writing refuses to invent a key for a log with signed checkpoints.
    let err = Ledger::open(&copy, LedgerOptions::default()).unwrap_err();
    assert!(matches!(err, LedgerError::KeyMissing(_)), "{err}");
    assert!(!key_path.exists());
}

#[test]
fn verify_path_uses_the_key_file_beside_the_db_and_rejects_another_key() {
    let (_d, db, vk) = seeded(300);
    assert_eq!(
        load_verifier_key(&default_key_path(&db)).unwrap(),
        Some(vk.clone())
    );
    let s = Ledger::verify_path(&db, None, &mut |_, _| {}).unwrap();
    assert!(s.signatures_checked);
    assert_eq!(s.size, 301);

    let (_o, other_db, other) = seeded(1);
    assert_ne!(other, vk);
    let err = Ledger::verify_path(&db, Some(&other), &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, LedgerError::Tampered(_)), "{err}");
    drop(other_db);
}

#[test]
fn reader_creates_no_tables_and_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("absent.db");
    let err = LedgerReader::open(&absent).unwrap_err();
    assert!(matches!(err, LedgerError::NoLedger(_)), "{err}");
    assert!(!absent.exists());

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE people (id INTEGER PRIMARY KEY)")
        .unwrap();
    let err = LedgerReader::open(&other).unwrap_err();
    assert!(err.to_string().contains("no audit ledger"), "{err}");
    let err = Ledger::verify_path(&other, None, &mut |_, _| {}).unwrap_err();
    assert!(matches!(err, LedgerError::NoVerifierKey(_)), "{err}");
    assert_eq!(tables(&other), ["people"]);
    assert!(!default_key_path(&other).exists());
}

#[test]
fn reader_sees_a_live_writers_commits() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let l = Ledger::open(&db, LedgerOptions::default()).unwrap();
    l.append_batch(&[b"a".to_vec(), b"b".to_vec()]).unwrap();
    let r = LedgerReader::open(&db).unwrap();
    assert_eq!(r.size().unwrap(), 2);
    l.append(b"c").unwrap();
    l.checkpoint().unwrap();
    assert_eq!(r.size().unwrap(), 3);
    let s = r.verify(l.verifier_key(), &mut |_, _| {}).unwrap();
    assert_eq!((s.size, s.checkpoints), (3, 1));
    assert_eq!(r.origin().unwrap().as_deref(), Some("molehunt.local/audit"));
}
