//! `molehunt bench`.

use std::process::ExitCode;

use anyhow::Context;

/// Run built-in benchmarks and print figures
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchWhat,
}

#[derive(Debug, clap::Subcommand)]
enum BenchWhat {
    /// Ingest -> enrich -> detect -> link -> score into SQLite, against serde_json parsing
    Ingest {
        /// Events in the generated file
        #[arg(long, default_value_t = 1_000_000, value_name = "N")]
        events: u64,
        /// Working directory (default: a temporary one)
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.what {
        BenchWhat::Ingest { events, dir } => {
            let (dir, temporary) = match dir {
                Some(d) => (d, false),
                None => (
                    std::env::temp_dir().join(format!("molehunt-bench-{}", std::process::id())),
                    true,
                ),
            };
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("creating `{}`", dir.display()))?;
            eprintln!("generating {events} events in {} ...", dir.display());
            let f = molehunt_engine::bench::run(&dir, events);
            if temporary {
                let _ = std::fs::remove_dir_all(&dir);
            }
            let f = f?;
            let mib = f.bytes as f64 / (1024.0 * 1024.0);
            println!("events:                   {} ({mib:.1} MiB)", f.events);
            println!(
                "serde_json parse:         {:>10.0} events/s (baseline)",
                f.serde_json_eps
            );
            println!(
                "parse + validate:         {:>10.0} events/s ({:.2} x baseline)",
                f.parse_eps,
                f.parse_ratio()
            );
            println!(
                "parse + store (SQLite):   {:>10.0} events/s ({:.2} x baseline; no detection)",
                f.store_eps,
                f.store_ratio()
            );
            println!(
                "full pipeline (SQLite):   {:>10.0} events/s ({:.2} x baseline, {:.2} s, {} persons, {})",
                f.pipeline_eps,
                f.pipeline_ratio(),
                f.pipeline_secs,
                f.persons,
                if f.streamed {
                    "scored while ingesting"
                } else {
                    "scored from the store"
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
