//! `molehunt lists ...`: import and show sanctions lists.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde_json::json;

#[derive(Debug, clap::Subcommand)]
pub enum ListsCommand {
    /// Import list files (OFAC sdn_advanced.xml[.bz2] or sdn.csv, UN consolidated XML,
    /// OpenSanctions FtM JSON lines); each replaces its list's previous version atomically
    Import {
        #[command(flatten)]
        db: super::DbArg,
        /// List files; the format is detected
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Store under this list name instead of the format's default (one file only)
        #[arg(long)]
        list: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: super::Format,
    },
    /// Show the imported lists with their counts and dates of issue
    Show {
        #[command(flatten)]
        db: super::DbArg,
        #[arg(long, value_enum, default_value = "table")]
        format: super::Format,
    },
}

pub fn run(cmd: ListsCommand) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match cmd {
        ListsCommand::Import {
            db,
            files,
            list,
            format,
        } => {
            if list.is_some() && files.len() > 1 {
                bail!("--list names one list: import one file at a time with it");
            }
            for f in &files {
                let started = std::time::Instant::now();
                let r = molehunt_screen::import_file(&db.db, f, list.as_deref())
                    .with_context(|| format!("importing `{}`", f.display()))?;
                record(&db.db, &r)?;
                let c = &r.counts;
                match format {
                    super::Format::Table => writeln!(
                        out,
                        "{}: {} from `{}` ({}), date of issue {}: {} entities, {} names ({} aliases), {} wallets, {} documents in {:.1} s",
                        r.list,
                        if r.replaced { "replaced" } else { "imported" },
                        f.display(),
                        r.format.as_str(),
                        r.date_of_issue.as_deref().unwrap_or("unknown"),
                        c.entities,
                        c.names,
                        c.aliases,
                        c.wallets,
                        c.documents,
                        started.elapsed().as_secs_f64()
                    )?,
                    super::Format::Json => writeln!(out, "{}", serde_json::to_string(&r)?)?,
                }
            }
        }
        ListsCommand::Show { db, format } => {
            let infos = molehunt_screen::list_infos(&db.db)
                .with_context(|| format!("reading lists from `{}`", db.db.display()))?;
            match format {
                super::Format::Json => writeln!(out, "{}", serde_json::to_string(&infos)?)?,
                super::Format::Table => {
                    if infos.is_empty() {
                        writeln!(out, "no list imported: run `molehunt lists import FILE`")?;
                    }
                    writeln!(
                        out,
                        "{:<18} {:<18} {:<11} {:>8} {:>8} {:>8} {:>8}  IMPORTED",
                        "LIST", "FORMAT", "ISSUED", "ENTITIES", "ALIASES", "WALLETS", "DOCS"
                    )?;
                    for i in infos {
                        writeln!(
                            out,
                            "{:<18} {:<18} {:<11} {:>8} {:>8} {:>8} {:>8}  {}",
                            i.list,
                            i.format.as_str(),
                            i.date_of_issue.as_deref().unwrap_or("-"),
                            i.counts.entities,
                            i.counts.aliases,
                            i.counts.wallets,
                            i.counts.documents,
                            i.imported_at
                        )?;
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Records the import in the audit ledger.
fn record(db: &std::path::Path, r: &molehunt_screen::ImportReport) -> anyhow::Result<()> {
    let ledger = molehunt_ledger::Ledger::open(db, Default::default())
        .context("opening the audit ledger")?;
    ledger
        .append_json(&json!({
            "kind": "list_import",
            "ts": jiff::Timestamp::now().to_string(),
            "list": r.list,
            "date_of_issue": r.date_of_issue,
            "entities": r.counts.entities,
            "content_sha256": r.content_sha256,
        }))
        .context("recording the import in the audit ledger")?;
    Ok(())
}
