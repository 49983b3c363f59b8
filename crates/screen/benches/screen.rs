//! Screening benchmarks: import of the real OFAC advanced XML, single-query latency, batch
//! throughput against OFAC + UN, index memory, and the evaluation report (molehunt vs a
//! brute-force Jaro-Winkler baseline run in the same process). Needs `../shared/data`; prints a
//! note and measures the committed samples only when it is absent.

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use molehunt_screen::eval::{Baseline, build_eval_set, report};
use molehunt_screen::{Query, Screener, import_file};

fn shared() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sanctions");
    p.exists().then_some(p)
}

fn setup(db: &Path) -> Screener {
    let files: Vec<PathBuf> = match shared() {
        Some(s) => vec![
            s.join("sdn_advanced.xml.bz2"),
            s.join("un_consolidated.xml"),
        ],
        None => {
            eprintln!("note: ../shared/data is absent; benchmarking the committed samples only");
            let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
            vec![
                d.join("sdn_advanced_sample.xml"),
                d.join("un_consolidated_sample.xml"),
            ]
        }
    };
    for f in &files {
        let t = Instant::now();
        let r = import_file(db, f, None).expect("import");
        eprintln!(
            "import {}: {} entities, {} names, {} wallets in {:.2} s",
            f.display(),
            r.counts.entities,
            r.counts.names,
            r.counts.wallets,
            t.elapsed().as_secs_f64()
        );
    }
    let t = Instant::now();
    let s = Screener::load(db).expect("load").expect("lists");
    let (e, n) = s.size();
    eprintln!(
        "load + index build: {e} entities, {n} indexed names in {:.2} s; heap ~{:.1} MB",
        t.elapsed().as_secs_f64(),
        s.heap_bytes() as f64 / 1e6
    );
    s
}

fn queries(s: &Screener) -> Vec<Query> {
    let cases = build_eval_set(s, 2000, 7);
    cases.into_iter().map(|c| c.query).collect()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bench.db");
    if let Some(s) = shared() {
        let f = s.join("sdn_advanced.xml.bz2");
        let mut g = c.benchmark_group("import");
        g.sample_size(10);
        g.measurement_time(std::time::Duration::from_secs(20));
        // Baseline in the same run: bzip2 decompression alone, the floor of any import.
        g.bench_function("bunzip2_only_baseline", |b| {
            b.iter(|| {
                let mut sink = std::io::sink();
                let f = std::fs::File::open(&f).expect("open");
                std::io::copy(&mut bzip2::read::MultiBzDecoder::new(f), &mut sink).expect("bunzip2")
            })
        });
        g.bench_function("ofac_advanced_xml_bz2_121MB", |b| {
            b.iter(|| import_file(&db, &f, None).expect("import"))
        });
        g.finish();
    }
    let s = setup(&db);
    let qs = queries(&s);
    eprintln!("{} benchmark queries", qs.len());

    // Evaluation with the baseline in the same run (SCREEN_BENCH_EVAL=0 skips it).
    if std::env::var("SCREEN_BENCH_EVAL").as_deref() != Ok("0") {
        let cases = build_eval_set(&s, 200, 42);
        let t = Instant::now();
        eprintln!("{}", report(&s, &cases, &[0.85, 0.90, 0.92, 0.95]));
        eprintln!("(evaluation took {:.1} s)", t.elapsed().as_secs_f64());
    }

    let mut g = c.benchmark_group("screen");
    let mut i = 0;
    g.bench_function("single_query", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            s.screen(&qs[i])
        })
    });
    let base = Baseline::new(&s);
    let mut j = 0;
    g.sample_size(10);
    g.bench_function("single_query_bruteforce_jw_baseline", |b| {
        b.iter(|| {
            j = (j + 1) % qs.len();
            base.screen(&qs[j], 0.9)
        })
    });
    g.bench_function("load_persisted_index", |b| {
        b.iter(|| Screener::load(&db).expect("load").expect("lists"))
    });
    let batch: Vec<Query> = qs.iter().take(5000).cloned().collect();
    g.throughput(criterion::Throughput::Elements(batch.len() as u64));
    g.bench_function("batch_5000_queries", |b| b.iter(|| s.screen_batch(&batch)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
