//! `molehunt networks`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use molehunt_engine::{Engine, EngineOptions};

use super::cases::cut;

/// List networks of identities linked by shared identifiers
#[derive(Debug, clap::Args)]
pub struct NetworksArgs {
    #[command(flatten)]
    db: super::DbArg,
    /// Output format (`json`: the EVENTS.md "Outputs" shape)
    #[arg(long, value_enum, default_value = "table")]
    format: super::Format,
}

pub fn run(args: NetworksArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(&args.db.db, EngineOptions::default())
        .with_context(|| format!("opening `{}`", args.db.db.display()))?;
    let mut out = std::io::stdout().lock();
    match args.format {
        super::Format::Json => writeln!(out, "{}", engine.networks_json()?)?,
        super::Format::Table => {
            let networks = engine.networks()?;
            if networks.is_empty() {
                writeln!(out, "no networks")?;
            }
            for n in networks {
                writeln!(
                    out,
                    "{}  score {} ({}), {} persons: {}",
                    n.network_id,
                    n.score,
                    n.level.as_str(),
                    n.person_ids.len(),
                    cut(&n.person_ids.join(", "), 100)
                )?;
                for l in &n.links {
                    writeln!(
                        out,
                        "    {:<18} {:<28} {}",
                        l.kind,
                        cut(&l.value, 28),
                        cut(&l.person_ids.join(", "), 80)
                    )?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
