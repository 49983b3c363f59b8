//! Crash test: a real writer process appending from several threads is killed at random
//! moments; after each kill the log must reopen, verify, and hold every entry the writer
//! had acknowledged (printed after `append` returned).
//!
//! The writer is this test binary itself, re-run with `MOLEHUNT_LEDGER_CHILD_DB` set: the
//! `child_writer` function below only writes when that variable is set.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use molehunt_ledger::{Ledger, LedgerOptions, LedgerReader};

const CHILD_ENV: &str = "MOLEHUNT_LEDGER_CHILD_DB";

/// The writer process (a no-op in a normal test run).
#[test]
fn child_writer() {
    let Ok(db) = std::env::var(CHILD_ENV) else {
        return;
    };
    let opts = LedgerOptions {
        checkpoint_interval: Duration::from_millis(20),
        ..LedgerOptions::default()
    };
    let ledger = Arc::new(Ledger::open(std::path::Path::new(&db), opts).unwrap());
    let pid = std::process::id();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let l = Arc::clone(&ledger);
            std::thread::spawn(move || {
                for i in 0u64.. {
                    if t == 0 && i % 7 == 0 {
                        let batch: Vec<Vec<u8>> = (0..16)
                            .map(|k| format!("p{pid}-t{t}-{i}-{k}").into_bytes())
                            .collect();
                        let r = l.append_batch(&batch).unwrap();
                        let mut out = std::io::stdout().lock();
                        for (idx, e) in r.zip(&batch) {
                            writeln!(out, "ACK {idx} {}", String::from_utf8_lossy(e)).unwrap();
                        }
                        out.flush().unwrap();
                    } else {
                        let e = format!("p{pid}-t{t}-{i}");
                        let idx = l.append(e.as_bytes()).unwrap();
                        let mut out = std::io::stdout().lock();
                        writeln!(out, "ACK {idx} {e}").unwrap();
                        out.flush().unwrap();
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// A small deterministic-enough random number without a dependency.
fn pseudo_random(seed: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let mut x = seed ^ nanos ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

#[test]
fn killed_writer_loses_no_acknowledged_entry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let exe = std::env::current_exe().unwrap();
    let mut acked: BTreeMap<u64, String> = BTreeMap::new();
    for round in 0..4u64 {
        // Kill after a random number of acknowledgements (a random moment of the writer's life).
        let target = 20 + pseudo_random(round) % 400;
        let mut child = Command::new(&exe)
            .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut seen = 0u64;
        let mut lines = BufReader::new(stdout).lines();
        while seen < target {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(rest) = line.strip_prefix("ACK ") {
                let (idx, entry) = rest.split_once(' ').unwrap();
                let idx: u64 = idx.parse().unwrap();
                assert!(
                    acked.insert(idx, entry.to_string()).is_none(),
                    "index {idx} acknowledged twice"
                );
                seen += 1;
            }
        }
        child.kill().unwrap();
        // Acknowledgements already in the pipe count too.
        for line in lines.map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("ACK ") {
                let (idx, entry) = rest.split_once(' ').unwrap();
                acked.insert(idx.parse().unwrap(), entry.to_string());
            }
        }
        child.wait().unwrap();
        assert!(
            seen >= target.min(20),
            "round {round}: writer acknowledged only {seen} entries"
        );

        // Read-only, as `molehunt audit verify` does after a crash (the key file is beside).
        let summary = Ledger::verify_path(&db, None, &mut |_, _| {}).unwrap();
        let stored: BTreeMap<u64, Vec<u8>> = LedgerReader::open(&db)
            .unwrap()
            .entries(0..u64::MAX)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(stored.len() as u64, summary.size);
        for (idx, entry) in &acked {
            assert_eq!(
                stored.get(idx).map(Vec::as_slice),
                Some(entry.as_bytes()),
                "round {round}: entry {idx} lost"
            );
        }
    }
    assert!(acked.len() >= 80);
}
