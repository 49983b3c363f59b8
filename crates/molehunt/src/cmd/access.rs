//! `molehunt access ...`: just-in-time grants.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use jiff::Timestamp;
use molehunt_access::audit::entry;
use molehunt_access::grants::{self, Grant, GrantRules, NewRequest};
use serde_json::json;

#[derive(Debug, Clone, clap::Args)]
pub struct PoliciesArg {
    /// Policies directory (its optional grants.toml sets maximum durations and approvers)
    #[arg(
        long,
        env = "MOLEHUNT_POLICIES",
        default_value = "policies",
        value_name = "DIR"
    )]
    pub policies: PathBuf,
}

#[derive(Debug, clap::Subcommand)]
pub enum AccessCommand {
    /// Ask for a role for a while; prints the request id alone on the last line
    Request {
        #[command(flatten)]
        db: super::DbArg,
        #[command(flatten)]
        policies: PoliciesArg,
        /// Who gets the role, in Cedar syntax, e.g. User::"alice@example.com"
        #[arg(long)]
        subject: String,
        /// The role (becomes the parent Role::"<role>" while the grant is valid)
        #[arg(long)]
        role: String,
        /// How long, from approval: e.g. 30m, 2h
        #[arg(long)]
        duration: String,
        /// Why (recorded in the ledger)
        #[arg(long)]
        reason: String,
        /// Who asks, in Cedar syntax (default: the subject)
        #[arg(long)]
        requester: Option<String>,
    },
    /// Approve a request (never by its requester or subject)
    Approve {
        #[command(flatten)]
        db: super::DbArg,
        id: String,
        /// The approver, in Cedar syntax
        #[arg(long)]
        approver: String,
    },
    /// Deny a pending request
    Deny {
        #[command(flatten)]
        db: super::DbArg,
        id: String,
        /// Who denies, in Cedar syntax
        #[arg(long)]
        by: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// List requests and grants with their current state
    List {
        #[command(flatten)]
        db: super::DbArg,
        #[arg(long, value_enum, default_value = "table")]
        format: super::Format,
    },
}

fn audit(db: &Path, kind: &str, fields: serde_json::Value) -> anyhow::Result<()> {
    let ledger = molehunt_ledger::Ledger::open(db, molehunt_ledger::LedgerOptions::default())
        .with_context(|| format!("cannot open the audit ledger in `{}`", db.display()))?;
    ledger
        .append_json(&entry(kind, fields))
        .context("cannot record to the audit ledger")?;
    Ok(())
}

fn describe(g: &Grant, now: Timestamp) -> String {
    let mut s = format!(
        "{}  {}  {} as `{}` for {}s",
        g.id,
        g.state(now),
        g.subject,
        g.role,
        g.duration_secs
    );
    if let Some(e) = g.expires_at {
        s.push_str(&format!(", until {e}"));
    }
    s.push_str(&format!(
        ", approvals {}/{}",
        g.approvers.len(),
        g.approvals_required
    ));
    s
}

pub fn run(cmd: AccessCommand) -> anyhow::Result<ExitCode> {
    let now = Timestamp::now();
    match cmd {
        AccessCommand::Request {
            db,
            policies,
            subject,
            role,
            duration,
            reason,
            requester,
        } => {
            let rules = GrantRules::load(&policies.policies)?;
            let conn = molehunt_access::db::open(&db.db)?;
            let req = NewRequest {
                subject: &subject,
                role: &role,
                duration: &duration,
                reason: &reason,
                requested_by: requester.as_deref(),
            };
            let g = grants::request(&conn, &rules, &req, now)?;
            audit(
                &db.db,
                "grant_request",
                json!({"id": g.id, "subject": g.subject, "role": g.role, "duration_secs": g.duration_secs,
                       "reason": g.reason, "requested_by": g.requested_by}),
            )?;
            println!("requested: {}", describe(&g, now));
            println!("{}", g.id);
        }
        AccessCommand::Approve { db, id, approver } => {
            let conn = molehunt_access::db::open(&db.db)?;
            let g = grants::approve(&conn, &id, &approver, now)?;
            audit(
                &db.db,
                "grant_approve",
                json!({"id": g.id, "approver": approver, "state": g.state(now), "expires_at": g.expires_at.map(|t| t.to_string())}),
            )?;
            println!("{}", describe(&g, now));
        }
        AccessCommand::Deny { db, id, by, reason } => {
            let conn = molehunt_access::db::open(&db.db)?;
            let g = grants::deny(&conn, &id, &by, now)?;
            audit(
                &db.db,
                "grant_deny",
                json!({"id": g.id, "by": by, "reason": reason}),
            )?;
            println!("{}", describe(&g, now));
        }
        AccessCommand::List { db, format } => {
            let conn = molehunt_access::db::open(&db.db)?;
            let list = grants::list(&conn)?;
            match format {
                super::Format::Json => {
                    let v: Vec<_> = list
                        .iter()
                        .map(|g| {
                            let mut v = serde_json::to_value(g).unwrap_or_default();
                            v["state"] = json!(g.state(now));
                            v
                        })
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&v)?);
                }
                super::Format::Table => {
                    for g in &list {
                        println!("{}", describe(g, now));
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
