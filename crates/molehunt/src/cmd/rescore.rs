//! `molehunt rescore`.

use std::process::ExitCode;

use anyhow::Context;
use molehunt_engine::Engine;

use super::ingest::{Bar, PipelineArgs};

/// Recompute flags, networks and scores from the stored events
#[derive(Debug, clap::Args)]
pub struct RescoreArgs {
    #[command(flatten)]
    db: super::DbArg,
    #[command(flatten)]
    pipeline: PipelineArgs,
}

pub fn run(args: RescoreArgs) -> anyhow::Result<ExitCode> {
    let mut engine = Engine::open(&args.db.db, args.pipeline.engine_options())
        .with_context(|| format!("opening `{}`", args.db.db.display()))?;
    let s = engine.rescore(&Bar::new())?;
    println!(
        "scored {} persons from {} events: {} high or critical, {} networks, {} evidence items ({:.2} s)",
        s.persons,
        s.events,
        s.high_or_critical,
        s.networks,
        s.evidence,
        s.elapsed.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
