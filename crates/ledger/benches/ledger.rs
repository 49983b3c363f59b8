//! Ledger benchmarks: durable appends with group commit (against one fsync per append in the
//! same process), batch appends, proofs and full verification of 1,000,000 entries.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use molehunt_ledger::{Ledger, LedgerOptions};

fn entry(i: u64) -> Vec<u8> {
    format!(
        "{{\"kind\":\"access_decision\",\"ts\":\"2026-11-26T04:38:27.123Z\",\"subject\":\"user-{}\",\"action\":\"read\",\"decision\":true,\"i\":{i}}}",
        i % 977
    )
    .into_bytes()
}

fn fresh() -> (tempfile::TempDir, Ledger) {
    let dir = tempfile::tempdir().unwrap();
    let l = Ledger::open(&dir.path().join("bench.db"), LedgerOptions::default()).unwrap();
    (dir, l)
}

/// `threads` callers each append one entry at a time; every append waits until durable.
fn concurrent_appends(threads: u64, iters: u64) -> Duration {
    let (_dir, l) = fresh();
    let l = Arc::new(l);
    let per = iters.div_ceil(threads);
    let start = Instant::now();
    let hs: Vec<_> = (0..threads)
        .map(|t| {
            let l = Arc::clone(&l);
            std::thread::spawn(move || {
                for i in 0..per {
                    l.append(&entry(t * per + i)).unwrap();
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    start.elapsed()
}

fn appends(c: &mut Criterion) {
    let mut g = c.benchmark_group("durable_append");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_caller_fsync_each", |b| {
        b.iter_custom(|n| concurrent_appends(1, n))
    });
    for threads in [64u64, 256] {
        g.bench_function(format!("group_commit_{threads}_callers"), |b| {
            b.iter_custom(|n| concurrent_appends(threads, n))
        });
    }
    g.bench_function("append_batch_1000", |b| {
        b.iter_custom(|n| {
            let (_dir, l) = fresh();
            let batches = n.div_ceil(1000);
            let data: Vec<Vec<u8>> = (0..1000).map(entry).collect();
            let start = Instant::now();
            for _ in 0..batches {
                l.append_batch(&data).unwrap();
            }
            start.elapsed().mul_f64(n as f64 / (batches * 1000) as f64)
        })
    });
    g.finish();
}

fn big_log(n: u64) -> (tempfile::TempDir, Ledger) {
    let (dir, l) = fresh();
    let mut i = 0;
    while i < n {
        let k = (n - i).min(50_000);
        l.append_owned((i..i + k).map(entry).collect()).unwrap();
        i += k;
    }
    l.checkpoint().unwrap();
    (dir, l)
}

fn proofs_and_verify(c: &mut Criterion) {
    let n = 1_000_000;
    let (_dir, l) = big_log(n);
    let mut g = c.benchmark_group("ledger_1m");
    g.sample_size(10);
    let mut i = 0u64;
    g.bench_function("prove_inclusion", |b| {
        b.iter(|| {
            i = (i + 7919) % n;
            l.prove_inclusion(i, None).unwrap()
        })
    });
    let mut m = 1u64;
    g.bench_function("prove_consistency", |b| {
        b.iter(|| {
            m = (m + 104_729) % (n - 1) + 1;
            l.prove_consistency(m, None).unwrap()
        })
    });
    g.throughput(Throughput::Elements(n));
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("verify_all", |b| {
        b.iter(|| l.verify(None, &mut |_, _| {}).unwrap())
    });
    g.finish();
}

criterion_group!(benches, appends, proofs_and_verify);
criterion_main!(benches);
