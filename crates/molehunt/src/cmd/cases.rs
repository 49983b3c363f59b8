//! `molehunt cases`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use molehunt_engine::{Engine, EngineOptions};
use molehunt_model::RiskLevel;

/// List cases (persons) ranked by risk, highest first
#[derive(Debug, clap::Args)]
pub struct CasesArgs {
    #[command(flatten)]
    db: super::DbArg,
    /// Show at most N cases
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Show only cases at this level or above
    #[arg(long, value_enum, value_name = "LEVEL")]
    level: Option<Level>,
    /// Output format (`json`: the EVENTS.md "Outputs" shape)
    #[arg(long, value_enum, default_value = "table")]
    format: super::Format,
}

/// A risk level on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl From<Level> for RiskLevel {
    fn from(l: Level) -> RiskLevel {
        match l {
            Level::Low => RiskLevel::Low,
            Level::Medium => RiskLevel::Medium,
            Level::High => RiskLevel::High,
            Level::Critical => RiskLevel::Critical,
        }
    }
}

/// Cuts `s` to at most `n` characters, marking the cut.
pub fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('~');
        out
    }
}

pub fn run(args: CasesArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.db.db, EngineOptions::default())
        .with_context(|| format!("opening `{}`", args.db.db.display()))?;
    let level = args.level.map(RiskLevel::from);
    let mut out = std::io::stdout().lock();
    match args.format {
        super::Format::Json => {
            writeln!(out, "{}", engine.cases_json(args.limit, level)?)?;
        }
        super::Format::Table => {
            let cases = engine.cases_filtered(args.limit, level)?;
            if cases.is_empty() {
                writeln!(out, "no cases (ingest events with `molehunt ingest FILE`)")?;
                return Ok(ExitCode::SUCCESS);
            }
            writeln!(
                out,
                "{:>4}  {:<16} {:<22} {:>5}  {:<8} {:<10} FLAGS",
                "#", "PERSON", "NAME", "SCORE", "LEVEL", "NETWORK"
            )?;
            for (i, c) in cases.iter().enumerate() {
                let flags: Vec<&str> = c.flags.iter().map(|f| f.id.as_str()).collect();
                writeln!(
                    out,
                    "{:>4}  {:<16} {:<22} {:>5}  {:<8} {:<10} {}",
                    i + 1,
                    cut(&c.person_id, 16),
                    cut(c.full_name.as_deref().unwrap_or("-"), 22),
                    c.score,
                    c.level.as_str(),
                    cut(c.network_id.as_deref().unwrap_or("-"), 10),
                    cut(&flags.join(" "), 60)
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
