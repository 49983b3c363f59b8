//! `molehunt report`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use molehunt_engine::{Engine, EngineOptions, ReportFormat};

/// Write a case report for one person (Markdown or HTML)
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    db: super::DbArg,
    /// The person's id
    person_id: String,
    /// Report format
    #[arg(long, value_enum, default_value = "md")]
    format: Fmt,
    /// Write to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Fmt {
    Md,
    Html,
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.db.db, EngineOptions::default())
        .with_context(|| format!("opening `{}`", args.db.db.display()))?;
    let format = match args.format {
        Fmt::Md => ReportFormat::Markdown,
        Fmt::Html => ReportFormat::Html,
    };
    let text = engine.report(&args.person_id, format)?;
    match &args.out {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("writing `{}`", p.display()))?;
            eprintln!("report written to {}", p.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
