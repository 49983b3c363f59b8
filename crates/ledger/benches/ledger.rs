//! Ledger benchmarks (see docs/ledger.md for the method and figures).
//!
//! - `durable_append/*`: a ledger opened ONCE per configuration (outside the timing); each
//!   iteration issues a fixed number of appends from appender threads that are already
//!   started and waiting on a barrier; the clock runs from the barrier to the last
//!   acknowledgement (every `append` returns only after its commit with `synchronous=FULL`).
//!   Baselines in the same run: plain SQLite, one INSERT + commit (fsync) per row, and a
//!   ledger with one appender.
//! - `proofs/*`: inclusion and consistency proofs on 1,000 and 1,000,000 entries (O(log n)
//!   storage reads: the 1M proofs cost a small multiple of the 1k ones, not 1000x).
//! - `verify_1m/*`: read-only `Ledger::verify_path` of 1,000,000 entries against plain
//!   SHA-256 leaf hashing of the same bytes held in memory, and a bare SQLite scan.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use molehunt_ledger::{Ledger, LedgerOptions, LedgerReader, leaf_hash};

/// Appends per iteration of the group-commit benchmarks.
const GROUP_APPENDS: u64 = 200_000;
/// Appends per iteration of the one-fsync-per-append baselines (0.25 to 5 ms each here).
const SERIAL_APPENDS: u64 = 500;
/// Entries of the large log.
const BIG: u64 = 1_000_000;

/// About 130 bytes of JSON, like an access decision.
fn entry(i: u64) -> Vec<u8> {
    format!(
        "{{\"kind\":\"access_decision\",\"ts\":\"2026-11-26T04:38:27.123Z\",\"subject\":\"user-{}\",\"action\":\"read\",\"decision\":true,\"i\":{i}}}",
        i % 977
    )
    .into_bytes()
}

fn open(dir: &Path) -> Arc<Ledger> {
    Arc::new(Ledger::open(&dir.join("bench.db"), LedgerOptions::default()).unwrap())
}

/// `threads` appenders, already running, append `total` entries between them: one entry per
/// call (`batch == 1`, `Ledger::append`) or `batch` entries per `Ledger::append_owned`.
/// Returns the time from their release to the last acknowledgement.
fn run_appenders(l: &Arc<Ledger>, threads: u64, total: u64, batch: u64) -> Duration {
    let per = total / threads;
    let go = Arc::new(Barrier::new(threads as usize + 1));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (l, go) = (Arc::clone(l), Arc::clone(&go));
            // Entries are made before the clock starts.
            let data: Vec<Vec<u8>> = (t * per..(t + 1) * per).map(entry).collect();
            std::thread::spawn(move || {
                go.wait();
                if batch == 1 {
                    for e in &data {
                        l.append(e).unwrap();
                    }
                } else {
                    let mut it = data.into_iter();
                    loop {
                        let chunk: Vec<Vec<u8>> = it.by_ref().take(batch as usize).collect();
                        if chunk.is_empty() {
                            break;
                        }
                        l.append_owned(chunk).unwrap();
                    }
                }
            })
        })
        .collect();
    go.wait();
    let start = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    start.elapsed()
}

/// Plain SQLite, WAL and `synchronous=FULL`, one INSERT committed (fsynced) per row.
fn naive_sqlite(conn: &rusqlite::Connection, next: &mut i64, n: u64) -> Duration {
    let start = Instant::now();
    let mut st = conn
        .prepare_cached("INSERT INTO t (idx, leaf_hash, data) VALUES (?1, ?2, ?3)")
        .unwrap();
    for _ in 0..n {
        let e = entry(*next as u64);
        st.execute(rusqlite::params![*next, &leaf_hash(&e)[..], e])
            .unwrap();
        *next += 1;
    }
    start.elapsed()
}

fn appends(c: &mut Criterion) {
    let mut g = c.benchmark_group("durable_append");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));

    g.throughput(Throughput::Elements(SERIAL_APPENDS));
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("naive.db")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE t (idx INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL, data BLOB NOT NULL);",
    )
    .unwrap();
    let mut next = 0i64;
    g.bench_function("baseline_sqlite_insert_fsync_each", |b| {
        b.iter_custom(|n| {
            (0..n)
                .map(|_| naive_sqlite(&conn, &mut next, SERIAL_APPENDS))
                .sum()
        })
    });
    let l = open(dir.path());
    g.bench_function("ledger_1_appender", |b| {
        b.iter_custom(|n| {
            (0..n)
                .map(|_| run_appenders(&l, 1, SERIAL_APPENDS, 1))
                .sum()
        })
    });

    g.throughput(Throughput::Elements(GROUP_APPENDS));
    for (threads, batch) in [(64u64, 1u64), (256, 1), (1000, 1), (1, 1000), (8, 1000)] {
        let name = if batch == 1 {
            format!("group_commit_{threads}_appenders")
        } else {
            format!("append_batch_{batch}_x{threads}_callers")
        };
        // A fresh ledger per configuration, opened once, outside the timing.
        let ldir = tempfile::tempdir().unwrap();
        let l = open(ldir.path());
        let before = l.writer_stats();
        g.bench_function(&name, |b| {
            b.iter_custom(|n| {
                (0..n)
                    .map(|_| run_appenders(&l, threads, GROUP_APPENDS, batch))
                    .sum()
            })
        });
        let after = l.writer_stats();
        let (commits, entries) = (
            after.commits - before.commits,
            after.entries - before.entries,
        );
        if commits > 0 {
            eprintln!(
                "{name}: {entries} entries in {commits} commits, {:.0} appends per fsync",
                entries as f64 / commits as f64
            );
        }
    }
    g.finish();
    drop(l);
    drop(conn);
}

/// A closed ledger of `n` entries with a final checkpoint.
fn build(dir: &Path, n: u64) -> std::path::PathBuf {
    let db = dir.join(format!("log{n}.db"));
    let l = Ledger::open(&db, LedgerOptions::default()).unwrap();
    let mut i = 0;
    while i < n {
        let k = (n - i).min(50_000);
        l.append_owned((i..i + k).map(entry).collect()).unwrap();
        i += k;
    }
    l.checkpoint().unwrap();
    db
}

fn proofs_and_verify(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let small = build(dir.path(), 1_000);
    let big = build(dir.path(), BIG);

    let mut g = c.benchmark_group("proofs");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (db, n) in [(&small, 1_000u64), (&big, BIG)] {
        let r = LedgerReader::open(db).unwrap();
        let mut i = 0u64;
        g.bench_function(format!("prove_inclusion_{n}"), |b| {
            b.iter(|| {
                i = (i + 7919) % n;
                r.prove_inclusion(i, None).unwrap()
            })
        });
        let mut m = 1u64;
        g.bench_function(format!("prove_consistency_{n}"), |b| {
            b.iter(|| {
                m = (m + 104_729) % (n - 1) + 1;
                r.prove_consistency(m, None).unwrap()
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("verify_1m");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(BIG));
    g.bench_function("ledger_verify_path", |b| {
        b.iter(|| {
            let s = Ledger::verify_path(&big, None, &mut |_, _| {}).unwrap();
            assert_eq!(s.size, BIG);
            s
        })
    });
    let r = LedgerReader::open(&big).unwrap();
    let data: Vec<Vec<u8>> = r
        .entries(0..BIG)
        .unwrap()
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    g.bench_function("baseline_sha256_of_entries", |b| {
        b.iter(|| {
            let mut x = 0u8;
            for d in &data {
                x ^= leaf_hash(d)[0];
            }
            x
        })
    });
    g.bench_function("baseline_sqlite_scan", |b| {
        b.iter(|| {
            let mut bytes = 0usize;
            r.for_each_entry(0..BIG, &mut |_, d| {
                bytes += d.len();
                Ok(())
            })
            .unwrap();
            bytes
        })
    });
    g.finish();
}

criterion_group!(benches, appends, proofs_and_verify);
criterion_main!(benches);
