//! The stored ledger: appends, reopen, proofs from storage against the in-memory reference,
//! checkpoints, concurrent writers and tamper detection.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{leaf_hashes, mem_consistency, mem_inclusion, mth};
use molehunt_ledger::{
    Ledger, LedgerError, LedgerOptions, leaf_hash, verify_checkpoint, verify_consistency,
    verify_inclusion,
};

fn opts() -> LedgerOptions {
    LedgerOptions {
        checkpoint_interval: Duration::from_secs(3600),
        ..LedgerOptions::default()
    }
}

fn entries(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            format!("{{\"kind\":\"test\",\"ts\":\"2026-01-01T00:00:00Z\",\"i\":{i}}}").into_bytes()
        })
        .collect()
}

#[test]
fn proofs_from_storage_match_the_reference_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let es = entries(1100);
    let ledger = Ledger::open(&db, opts()).unwrap();
    assert_eq!(ledger.append(&es[0]).unwrap(), 0);
    assert_eq!(ledger.append_batch(&es[1..700]).unwrap(), 1..700);
    for e in &es[700..] {
        ledger.append(e).unwrap();
    }
    let hs = leaf_hashes(&es);
    let cp = ledger.checkpoint().unwrap();
    assert_eq!(cp.size, 1100);
    assert_eq!(cp.root, mth(&hs));
    let signed = verify_checkpoint(&cp.note, ledger.verifier_key()).unwrap();
    assert_eq!(
        (signed.size, signed.root, signed.origin.as_str()),
        (1100, cp.root, "molehunt.local/audit")
    );
    for &size in &[1u64, 2, 255, 256, 257, 511, 512, 513, 1024, 1100] {
        assert_eq!(
            ledger.root(size).unwrap(),
            mth(&hs[..size as usize]),
            "root {size}"
        );
        for index in [0, size / 3, size / 2, size - 1] {
            let p = ledger.prove_inclusion(index, Some(size)).unwrap();
            assert_eq!(p.proof, mem_inclusion(&hs[..size as usize], index, size));
            assert_eq!(p.leaf, es[index as usize]);
            verify_inclusion(index, size, &leaf_hash(&p.leaf), &p.proof, &p.root).unwrap();
        }
        for first in [1, size / 2, size - 1] {
            let c = ledger.prove_consistency(first, Some(size)).unwrap();
            assert_eq!(c.proof, mem_consistency(&hs, first, size));
            verify_consistency(first, size, &c.proof, &c.first_root, &c.second_root).unwrap();
        }
    }
    // Default size: the latest checkpoint.
    assert_eq!(ledger.prove_inclusion(5, None).unwrap().tree_size, 1100);
    assert!(matches!(
        ledger.prove_inclusion(1100, None),
        Err(LedgerError::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        ledger.prove_inclusion(0, Some(5000)),
        Err(LedgerError::SizeOutOfRange { .. })
    ));
    let summary = ledger.verify(None, &mut |_, _| {}).unwrap();
    assert_eq!((summary.size, summary.checkpoints), (1100, 1));
}

#[test]
fn reopen_continues_the_same_tree_and_closing_signs_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let es = entries(600);
    {
        let l = Ledger::open(&db, opts()).unwrap();
        l.append_batch(&es[..300]).unwrap();
    }
    let l = Ledger::open(&db, opts()).unwrap();
    // The first handle signed a checkpoint when it closed.
    assert_eq!(l.latest_checkpoint().unwrap().unwrap().size, 300);
    assert_eq!(l.append_batch(&es[300..]).unwrap(), 300..600);
    assert_eq!(l.checkpoint().unwrap().root, mth(&leaf_hashes(&es)));
    // The key was kept: same verifier key.
    let vk = l.verifier_key().to_string();
    drop(l);
    let l = Ledger::open(&db, opts()).unwrap();
    assert_eq!(l.verifier_key().to_string(), vk);
    assert_eq!(l.verify(None, &mut |_, _| {}).unwrap().checkpoints, 2);
}

#[cfg(unix)]
#[test]
fn key_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let _l = Ledger::open(&db, opts()).unwrap();
    let meta = std::fs::metadata(molehunt_ledger::default_key_path(&db)).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}

#[test]
fn concurrent_appenders_and_two_handles_share_one_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let a = Arc::new(Ledger::open(&db, opts()).unwrap());
    // A second handle on the same file behaves like another process.
    let b = Arc::new(Ledger::open(&db, opts()).unwrap());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let l = if t % 2 == 0 {
                Arc::clone(&a)
            } else {
                Arc::clone(&b)
            };
            std::thread::spawn(move || {
                (0..200)
                    .map(|i| {
                        let e = format!("t{t}-{i}").into_bytes();
                        (l.append(&e).unwrap(), e)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut acked: Vec<(u64, Vec<u8>)> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    acked.sort();
    assert_eq!(acked.len(), 1600);
    // Each handle's writer counted its own entries; a commit holds at least one.
    let (sa, sb) = (a.writer_stats(), b.writer_stats());
    assert_eq!(sa.entries + sb.entries, 1600);
    assert!(sa.commits >= 1 && sa.commits <= sa.entries, "{sa:?}");
    assert!(sb.commits >= 1 && sb.commits <= sb.entries, "{sb:?}");
    assert!(
        acked
            .iter()
            .enumerate()
            .all(|(i, (idx, _))| *idx == i as u64),
        "indices are dense and unique"
    );
    let stored = a.entries(0..2000).unwrap();
    assert_eq!(stored, acked);
    b.checkpoint().unwrap();
    let cp = a.checkpoint().unwrap();
    assert_eq!(
        cp.root,
        mth(&acked.iter().map(|(_, e)| leaf_hash(e)).collect::<Vec<_>>())
    );
    a.verify(None, &mut |_, _| {}).unwrap();
}

fn sql(db: &std::path::Path, stmt: &str) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute_batch(stmt).unwrap();
}

fn tampered_index(db: &std::path::Path) -> u64 {
    let l = Ledger::open(db, opts()).unwrap();
    match l.verify(None, &mut |_, _| {}) {
        Err(LedgerError::Tampered(t)) => t.index,
        other => panic!("expected tampering to be found, got {other:?}"),
    }
}

fn seeded(n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let l = Ledger::open(&db, opts()).unwrap();
    l.append_batch(&entries(n)).unwrap();
    l.checkpoint().unwrap();
    (dir, db)
}

#[test]
fn changed_entry_byte_is_found_at_its_index() {
    let (_d, db) = seeded(1000);
    // Flip one byte of entry 613's data in place.
    sql(
        &db,
        "UPDATE ledger_entries SET data = CAST(replace(CAST(data AS TEXT), '613', '614') AS BLOB) WHERE idx = 613",
    );
    assert_eq!(tampered_index(&db), 613);
}

#[test]
fn rewritten_entry_with_its_leaf_hash_is_still_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    {
        let l = Ledger::open(&db, opts()).unwrap();
        let es = entries(1000);
        l.append_batch(&es[..600]).unwrap();
        l.checkpoint().unwrap();
        l.append_batch(&es[600..]).unwrap();
        l.checkpoint().unwrap();
    }
    let forged = b"{\"kind\":\"test\",\"forged\":true}";
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute(
        "UPDATE ledger_entries SET data = ?1, leaf_hash = ?2 WHERE idx = 700",
        rusqlite::params![&forged[..], &leaf_hash(forged)[..]],
    )
    .unwrap();
    // The stored subtree hash over 512..768 no longer matches: the range start is named.
    assert_eq!(tampered_index(&db), 512);
    // Rewrite that interior hash to match: now only the signed checkpoints can tell, and
    // the one of size 600 still verifies, so the blame falls on 600..1000.
    let hs: Vec<[u8; 32]> = c
        .prepare("SELECT leaf_hash FROM ledger_entries WHERE idx >= 512 AND idx < 768 ORDER BY idx")
        .unwrap()
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|h| h.unwrap().try_into().unwrap())
        .collect();
    c.execute(
        "UPDATE ledger_nodes SET hash = ?1 WHERE level = 8 AND idx = 2",
        [&mth(&hs)[..]],
    )
    .unwrap();
    drop(c);
    assert_eq!(tampered_index(&db), 600);
}

#[test]
fn deleted_entry_and_forged_checkpoint_are_found() {
    let (_d, db) = seeded(300);
    sql(&db, "DELETE FROM ledger_entries WHERE idx = 42");
    assert_eq!(tampered_index(&db), 42);
    let (_d2, db2) = seeded(300);
    sql(
        &db2,
        "UPDATE ledger_checkpoints SET note = replace(note, char(10) || '300' || char(10), char(10) || '299' || char(10))",
    );
    assert_eq!(tampered_index(&db2), 0);
}

/// Verification hashes in chunks on a second thread: the first bad index is still the one
/// reported, whichever chunk and whichever kind of problem.
#[test]
fn first_bad_index_wins_across_hashing_chunks() {
    let (_d, db) = seeded(10_000);
    sql(&db, "DELETE FROM ledger_entries WHERE idx = 9000");
    assert_eq!(tampered_index(&db), 9000);
    sql(
        &db,
        "UPDATE ledger_entries SET data = CAST('changed' AS BLOB) WHERE idx = 5000",
    );
    assert_eq!(tampered_index(&db), 5000);
    sql(
        &db,
        "UPDATE ledger_entries SET leaf_hash = x'00' WHERE idx = 4097",
    );
    assert_eq!(tampered_index(&db), 4097);
}

/// A commit that fails (another connection holds the write lock past the busy timeout)
/// answers its callers with an error instead of leaving them waiting, and the ledger goes
/// on afterwards with a dense, verifying log.
#[test]
fn failed_commit_is_reported_and_the_ledger_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let l = Ledger::open(
        &db,
        LedgerOptions {
            busy_timeout: Duration::from_millis(20),
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(l.append(b"first").unwrap(), 0);
    let blocker = rusqlite::Connection::open(&db).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let err = l.append(b"blocked").unwrap_err();
    assert!(matches!(err, LedgerError::Commit(_)), "{err}");
    let err = l.append_batch(&entries(3)).unwrap_err();
    assert!(matches!(err, LedgerError::Commit(_)), "{err}");
    blocker.execute_batch("ROLLBACK").unwrap();
    assert_eq!(l.append(b"second").unwrap(), 1);
    l.checkpoint().unwrap();
    assert_eq!(
        l.entries(0..10).unwrap(),
        vec![(0, b"first".to_vec()), (1, b"second".to_vec())]
    );
    assert_eq!(l.verify(None, &mut |_, _| {}).unwrap().size, 2);
}
