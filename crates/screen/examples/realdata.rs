#![allow(clippy::unwrap_used)]
//! Imports the real lists from ../shared, prints counts and timings, the evaluation report
//! (molehunt vs brute-force Jaro-Winkler) and query latency/throughput figures.
//! `cargo run --release -p molehunt-screen --example realdata`
use std::time::Instant;

use molehunt_screen::eval::{build_eval_set, report};
use molehunt_screen::{Query, Screener, import_file};

fn main() {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions");
    if !dir.exists() {
        eprintln!("note: {} is absent", dir.display());
        return;
    }
    let db = std::env::temp_dir().join(format!("screen-realdata-{}.db", std::process::id()));
    for f in ["sdn_advanced.xml.bz2", "un_consolidated.xml"] {
        let t = Instant::now();
        match import_file(&db, &dir.join(f), None) {
            Ok(r) => println!(
                "import {f}: {} {:?} {:?} in {:.2} s wall, process cpu {:.2} s",
                r.list,
                r.date_of_issue,
                r.counts,
                t.elapsed().as_secs_f64(),
                cpu()
            ),
            Err(e) => println!("import {f}: ERROR {e}"),
        }
    }
    let t = Instant::now();
    let Ok(Some(s)) = Screener::load(&db) else {
        return;
    };
    println!(
        "load + index: {:?} (entities, names) in {:.2} s, heap ~{:.1} MB",
        s.size(),
        t.elapsed().as_secs_f64(),
        s.heap_bytes() as f64 / 1e6
    );
    let t = Instant::now();
    let n: usize = std::env::var("EVAL_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let cases = build_eval_set(&s, n, 42);
    println!("{}", report(&s, &cases, &[0.85, 0.90, 0.92, 0.95]));
    println!(
        "(evaluation incl. baseline {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let qs: Vec<Query> = build_eval_set(&s, 3000, 7)
        .into_iter()
        .map(|c| c.query)
        .collect();
    let mut lat: Vec<f64> = Vec::with_capacity(qs.len());
    for q in &qs {
        let t = Instant::now();
        std::hint::black_box(s.screen(q));
        lat.push(t.elapsed().as_secs_f64() * 1e6);
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize];
    println!(
        "single query over {} queries: median {:.0} us, p90 {:.0} us, p99 {:.0} us",
        lat.len(),
        pct(0.5),
        pct(0.9),
        pct(0.99)
    );
    let batch: Vec<Query> = qs.iter().cycle().take(5000).cloned().collect();
    let t = Instant::now();
    let r = s.screen_batch(&batch);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "batch: {} queries in {:.3} s = {:.0} queries/s on {} threads",
        r.len(),
        secs,
        r.len() as f64 / secs,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let base = molehunt_screen::eval::Baseline::new(&s);
    let t = Instant::now();
    for q in qs.iter().take(200) {
        std::hint::black_box(base.screen(q, 0.9));
    }
    println!(
        "brute-force JW baseline: {:.0} us per query (same process)",
        t.elapsed().as_secs_f64() * 1e6 / 200.0
    );
    let _ = std::fs::remove_file(&db);
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
