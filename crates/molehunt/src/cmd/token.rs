//! `molehunt token ...`: API tokens for the HTTP server.

use std::process::ExitCode;

use anyhow::Context;
use molehunt_access::audit::entry;
use molehunt_access::{Role, tokens};
use serde_json::json;

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once, alone on the last line, and stored only hashed
    Create {
        #[command(flatten)]
        db: super::DbArg,
        /// pep (evaluation endpoints only), analyst (cases, decisions, grants) or admin (everything)
        #[arg(long, value_name = "pep|analyst|admin")]
        role: Role,
        /// A name to recognise the token by (default: `<role>-token`)
        #[arg(long)]
        name: Option<String>,
    },
    /// List tokens (never their secrets)
    List {
        #[command(flatten)]
        db: super::DbArg,
        #[arg(long, value_enum, default_value = "table")]
        format: super::Format,
    },
    /// Revoke a token by id or name
    Revoke {
        #[command(flatten)]
        db: super::DbArg,
        /// The token's id or name
        token: String,
    },
}

fn ledger_entry(db: &std::path::Path, kind: &str, fields: serde_json::Value) -> anyhow::Result<()> {
    let ledger = molehunt_ledger::Ledger::open(db, molehunt_ledger::LedgerOptions::default())
        .with_context(|| format!("cannot open the audit ledger in `{}`", db.display()))?;
    ledger
        .append_json(&entry(kind, fields))
        .context("cannot record to the audit ledger")?;
    Ok(())
}

pub fn run(cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TokenCommand::Create { db, role, name } => {
            let conn = molehunt_access::db::open(&db.db)?;
            let name = name.unwrap_or_else(|| format!("{role}-token"));
            let (info, secret) = tokens::create(&conn, role, &name)?;
            ledger_entry(
                &db.db,
                "token_create",
                json!({"id": info.id, "name": info.name, "role": info.role, "by": "cli"}),
            )?;
            println!(
                "created {} token {} (`{}`); it is shown only now:",
                info.role, info.id, info.name
            );
            println!("{secret}");
        }
        TokenCommand::List { db, format } => {
            let conn = molehunt_access::db::open(&db.db)?;
            let list = tokens::list(&conn)?;
            match format {
                super::Format::Json => println!("{}", serde_json::to_string_pretty(&list)?),
                super::Format::Table => {
                    println!(
                        "{:>4}  {:<8}  {:<24}  {:<27}  revoked",
                        "id", "role", "name", "created"
                    );
                    for t in list {
                        println!(
                            "{:>4}  {:<8}  {:<24}  {:<27}  {}",
                            t.id,
                            t.role,
                            t.name,
                            t.created_at,
                            t.revoked_at.as_deref().unwrap_or("-")
                        );
                    }
                }
            }
        }
        TokenCommand::Revoke { db, token } => {
            let conn = molehunt_access::db::open(&db.db)?;
            let info = tokens::revoke(&conn, &token)?;
            ledger_entry(
                &db.db,
                "token_revoke",
                json!({"id": info.id, "name": info.name, "role": info.role, "by": "cli"}),
            )?;
            println!("revoked token {} (`{}`)", info.id, info.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
