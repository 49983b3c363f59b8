//! `molehunt ingest`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use molehunt_engine::{Engine, EngineOptions, IngestOptions, Progress};

/// Ingest event files into the store, then score
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    #[command(flatten)]
    db: super::DbArg,
    /// JSON Lines files per docs/EVENTS.md, person CSV files (`.csv` or a
    /// header naming `person_id`), or `-` for standard input
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Commit the valid records of a file with bad lines; the bad ones go,
    /// with reasons, to `<FILE>.rejected.jsonl` (`stdin.rejected.jsonl` for `-`)
    #[arg(long)]
    skip_invalid: bool,
    #[command(flatten)]
    pipeline: PipelineArgs,
    /// Store only; do not score (run `molehunt rescore` later)
    #[arg(long)]
    no_score: bool,
}

/// Options of the detection pipeline shared by `ingest` and `rescore`.
#[derive(Debug, Clone, clap::Args)]
pub struct PipelineArgs {
    /// Detection config (TOML) merged over the defaults
    #[arg(long, env = "MOLEHUNT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Newer IP data: a MaxMind DB file (GeoLite2/GeoIP2 country or ASN); repeatable
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip: Vec<PathBuf>,
    /// Newer IP data: a CSV IP-range file (ASN shape); repeatable
    #[arg(long, value_name = "FILE")]
    pub asn_csv: Vec<PathBuf>,
}

impl PipelineArgs {
    pub fn engine_options(&self) -> EngineOptions {
        EngineOptions {
            config_path: self.config.clone(),
            geoip: self.geoip.clone(),
            asn_csv: self.asn_csv.clone(),
            ..EngineOptions::default()
        }
    }
}

/// A progress bar on a terminal (standard error), nothing otherwise.
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    pub fn new() -> Bar {
        Bar(std::io::stderr()
            .is_terminal()
            .then(indicatif::ProgressBar::hidden))
    }
}

impl Progress for Bar {
    fn start(&self, what: &str, total: Option<u64>) {
        let Some(bar) = &self.0 else { return };
        bar.reset();
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        let style = match total {
            Some(t) => {
                bar.set_length(t);
                if what == "scoring" {
                    "{msg:>12} [{bar:40}] {pos}/{len} events {per_sec}"
                } else {
                    "{msg:>12} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
                }
            }
            None => {
                bar.unset_length();
                "{msg:>12} {spinner} {bytes} {bytes_per_sec}"
            }
        };
        if let Ok(s) = indicatif::ProgressStyle::with_template(style) {
            bar.set_style(s.progress_chars("=> "));
        }
        bar.set_message(what.rsplit('/').next().unwrap_or(what).to_string());
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let mut engine = Engine::open(&args.db.db, args.pipeline.engine_options())
        .with_context(|| format!("opening `{}`", args.db.db.display()))?;
    let opts = IngestOptions {
        skip_invalid: args.skip_invalid,
        analyze: !args.no_score,
        ..IngestOptions::default()
    };
    let (outcomes, rescore) = engine.ingest_paths(&args.files, &opts, &Bar::new())?;
    let mut failed = 0;
    for outcome in outcomes {
        match outcome {
            Ok(r) => {
                println!(
                    "{}: {} records, {} new, {} already stored, {} rejected",
                    r.source, r.records, r.inserted, r.duplicates, r.rejected
                );
                if let Some(p) = &r.rejected_file {
                    println!("  rejected lines with reasons: {}", p.display());
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
        }
    }
    if let Some(s) = rescore {
        println!(
            "scored {} persons from {} events: {} high or critical, {} networks ({:.2} s)",
            s.persons,
            s.events,
            s.high_or_critical,
            s.networks,
            s.elapsed.as_secs_f64()
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
