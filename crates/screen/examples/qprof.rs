#![allow(clippy::unwrap_used)]
//! Query-path profile helper: imports OFAC advanced + UN into a DB once (path from argv[1],
//! reused when present), then times single queries and a batch.
//! `cargo run --release -p molehunt-screen --example qprof -- /tmp/screen.db`
use std::time::Instant;

use molehunt_screen::eval::build_eval_set;
use molehunt_screen::{Query, Screener, import_file};

fn main() {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions");
    let db = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/screen-qprof.db".into()),
    );
    if !db.exists() {
        for f in ["sdn_advanced.xml.bz2", "un_consolidated.xml"] {
            import_file(&db, &dir.join(f), None).unwrap();
        }
    }
    let t = Instant::now();
    let s = Screener::load(&db).unwrap().unwrap();
    println!("load {:?} {:.2} s", s.size(), t.elapsed().as_secs_f64());
    let qs: Vec<Query> = build_eval_set(&s, 3000, 7)
        .into_iter()
        .map(|c| c.query)
        .collect();
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut lat: Vec<f64> = vec![f64::MAX; qs.len()];
    let c0 = cpu();
    for _ in 0..reps {
        for (q, l) in qs.iter().zip(lat.iter_mut()) {
            let t = Instant::now();
            std::hint::black_box(s.screen(q));
            *l = l.min(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    let cpu_us = (cpu() - c0) * 1e6 / (qs.len() * reps) as f64;
    println!("single: mean cpu {cpu_us:.0} us per query");
    let mut slow: Vec<(f64, &str)> = lat
        .iter()
        .copied()
        .zip(qs.iter().map(|q| q.name.as_str()))
        .collect();
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (t, n) in slow.iter().take(12) {
        println!("  slow {t:.0} us {n:?}");
    }
    let mean = lat.iter().sum::<f64>() / lat.len() as f64;
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize];
    println!(
        "single: {} queries, median {:.0} us, mean {:.0} us, p90 {:.0} us, p99 {:.0} us",
        lat.len(),
        pct(0.5),
        mean,
        pct(0.9),
        pct(0.99)
    );
    let batch: Vec<Query> = qs.iter().cycle().take(5000).cloned().collect();
    let t = Instant::now();
    let c0 = cpu();
    let r = s.screen_batch(&batch);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "batch: {:.0} q/s wall, {:.0} us cpu per query",
        r.len() as f64 / secs,
        (cpu() - c0) * 1e6 / r.len() as f64
    );
}

/// CPU seconds used by this process so far (user + system, all threads).
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (t(11) + t(12)) / 100.0
}
