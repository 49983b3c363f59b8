//! `molehunt names ...`: compare names with the screening matcher.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use molehunt_screen::{DEFAULT_THRESHOLD, EntityType, compare_names, explain_names};
use serde_json::json;

/// Output formats of `names compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    Table,
    Json,
    Jsonl,
}

#[derive(Debug, clap::Subcommand)]
pub enum NamesCommand {
    /// Score two names (0..1) or a CSV of pairs (`name1,name2`, optional `type`)
    Compare {
        /// First name
        #[arg(required_unless_present = "batch", conflicts_with = "batch")]
        a: Option<String>,
        /// Second name
        #[arg(required_unless_present = "batch", conflicts_with = "batch")]
        b: Option<String>,
        /// Entity type: person, organization, vessel or aircraft
        #[arg(long = "type", value_name = "TYPE")]
        entity_type: Option<EntityType>,
        /// CSV with a header and columns `name1,name2` (optional `type`); one JSON line per pair
        #[arg(long, value_name = "PAIRS.csv")]
        batch: Option<PathBuf>,
        #[arg(long, value_enum)]
        format: Option<CompareFormat>,
    },
}

pub fn run(cmd: NamesCommand) -> anyhow::Result<ExitCode> {
    let NamesCommand::Compare {
        a,
        b,
        entity_type,
        batch,
        format,
    } = cmd;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Some(path) = batch {
        if matches!(format, Some(CompareFormat::Table)) {
            bail!("--batch writes JSON lines: use --format jsonl");
        }
        let file = path.display().to_string();
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_path(&path)
            .with_context(|| format!("opening `{file}`"))?;
        let headers = rdr
            .headers()
            .with_context(|| format!("`{file}`: reading the header"))?
            .clone();
        let col = |n: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(n));
        let (Some(c1), Some(c2)) = (col("name1"), col("name2")) else {
            bail!(
                "`{file}`: the header must name the columns `name1` and `name2` (optional `type`)"
            );
        };
        let ct = col("type");
        for rec in rdr.records() {
            let rec = rec.with_context(|| format!("`{file}`: bad CSV"))?;
            let line = rec.position().map_or(0, |p| p.line());
            let ty = match ct.and_then(|c| rec.get(c)).filter(|t| !t.is_empty()) {
                Some(t) => Some(EntityType::parse(t).with_context(|| {
                    format!("`{file}` line {line}, field `type`: unknown type `{t}`")
                })?),
                None => entity_type,
            };
            let s = compare_names(rec.get(c1).unwrap_or(""), rec.get(c2).unwrap_or(""), ty);
            writeln!(
                out,
                "{}",
                json!({"score": round(s), "match": s >= DEFAULT_THRESHOLD})
            )?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
    let (s, why) = explain_names(&a, &b, entity_type);
    match format.unwrap_or(CompareFormat::Table) {
        CompareFormat::Table => {
            writeln!(
                out,
                "score {:.4}  match {}  (threshold {DEFAULT_THRESHOLD})",
                s,
                s >= DEFAULT_THRESHOLD
            )?;
            writeln!(out, "{why}")?;
        }
        CompareFormat::Json | CompareFormat::Jsonl => writeln!(
            out,
            "{}",
            json!({"score": round(s), "match": s >= DEFAULT_THRESHOLD})
        )?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn round(s: f64) -> f64 {
    (s * 10000.0).round() / 10000.0
}
