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
        /// Measurement rounds on the same file; with more than one, each round is printed
        /// and the median and best follow (this VM-friendly figure is what to quote)
        #[arg(long, default_value_t = 1, value_name = "R",
              value_parser = clap::value_parser!(u32).range(1..=50))]
        rounds: u32,
    },
}

pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.what {
        BenchWhat::Ingest {
            events,
            dir,
            rounds,
        } => {
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
            let measured = (|| {
                let input = molehunt_engine::bench::generate_file(&dir, events)?;
                let mut all = Vec::new();
                for round in 1..=rounds {
                    if rounds > 1 {
                        eprintln!("round {round} of {rounds} ...");
                    }
                    all.push(molehunt_engine::bench::measure(&dir, &input)?);
                }
                Ok::<_, molehunt_engine::EngineError>(all)
            })();
            if temporary {
                let _ = std::fs::remove_dir_all(&dir);
            }
            let all = measured?;
            if let [f] = all.as_slice() {
                print_one(f);
            } else {
                print_rounds(&all);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_one(f: &molehunt_engine::bench::BenchFigures) {
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

/// A table of the rounds, then the median and best of each column (events/s).
fn print_rounds(all: &[molehunt_engine::bench::BenchFigures]) {
    let Some(first) = all.first() else {
        return;
    };
    let mib = first.bytes as f64 / (1024.0 * 1024.0);
    println!(
        "events: {} ({mib:.1} MiB), {} persons, {}",
        first.events,
        first.persons,
        if first.streamed {
            "scored while ingesting"
        } else {
            "scored from the store"
        }
    );
    println!(
        "{:<8} {:>12} {:>12} {:>12} {:>12} {:>7}",
        "round", "serde_json/s", "parse/s", "store/s", "pipeline/s", "ratio"
    );
    for (i, f) in all.iter().enumerate() {
        println!(
            "{:<8} {:>12.0} {:>12.0} {:>12.0} {:>12.0} {:>7.2}",
            i + 1,
            f.serde_json_eps,
            f.parse_eps,
            f.store_eps,
            f.pipeline_eps,
            f.pipeline_ratio()
        );
    }
    let col = |get: fn(&molehunt_engine::bench::BenchFigures) -> f64| {
        let mut v: Vec<f64> = all.iter().map(get).collect();
        v.sort_by(f64::total_cmp);
        let median = if v.len() % 2 == 1 {
            v[v.len() / 2]
        } else {
            (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
        };
        (median, v.last().copied().unwrap_or(median))
    };
    let cols = [
        col(|f| f.serde_json_eps),
        col(|f| f.parse_eps),
        col(|f| f.store_eps),
        col(|f| f.pipeline_eps),
        col(|f| f.pipeline_ratio()),
    ];
    println!(
        "{:<8} {:>12.0} {:>12.0} {:>12.0} {:>12.0} {:>7.2}",
        "median", cols[0].0, cols[1].0, cols[2].0, cols[3].0, cols[4].0
    );
    println!(
        "{:<8} {:>12.0} {:>12.0} {:>12.0} {:>12.0} {:>7.2}",
        "best", cols[0].1, cols[1].1, cols[2].1, cols[3].1, cols[4].1
    );
    println!("(ratio: full pipeline / serde_json baseline of the same round)");
}
