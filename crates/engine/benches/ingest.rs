//! End-to-end ingest benchmark (plain harness: one multi-second run is the
//! measurement; criterion's repetitions would take minutes).
//!
//! `cargo bench -p molehunt-engine --bench ingest` (MOLEHUNT_BENCH_EVENTS sets
//! the size, default 1,000,000). The same figures: `molehunt bench ingest`.

use std::process::ExitCode;

fn main() -> ExitCode {
    // `cargo test --benches` passes `--bench`-less args: run a tiny size then
    let quick = !std::env::args().any(|a| a == "--bench");
    let events = std::env::var("MOLEHUNT_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 5_000 } else { 1_000_000 });
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: temporary directory: {e}");
            return ExitCode::FAILURE;
        }
    };
    match molehunt_engine::bench::run(dir.path(), events) {
        Ok(f) => {
            println!("events:                 {} ({} bytes)", f.events, f.bytes);
            println!(
                "serde_json::Value parse {:>10.0} events/s (baseline)",
                f.serde_json_eps
            );
            println!(
                "parse + validate        {:>10.0} events/s ({:.2} x baseline)",
                f.parse_eps,
                f.parse_ratio()
            );
            println!(
                "parse + store (SQLite)  {:>10.0} events/s ({:.2} x baseline; no detection)",
                f.store_eps,
                f.store_ratio()
            );
            println!(
                "full pipeline (SQLite)  {:>10.0} events/s ({:.2} x baseline; {:.2} s; {} persons; streamed: {})",
                f.pipeline_eps,
                f.pipeline_ratio(),
                f.pipeline_secs,
                f.persons,
                f.streamed
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
