//! `molehunt policy ...`: check Cedar policies.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Parse and validate a policies directory (*.cedar, optional *.cedarschema in strict mode,
    /// entities.json) and print Cedar's diagnostics
    Check {
        /// The policies directory
        dir: PathBuf,
    },
}

pub fn run(cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Check { dir } => {
            let report = molehunt_access::check_dir(&dir)?;
            for w in &report.warnings {
                println!("warning: {w}");
            }
            for e in &report.errors {
                println!("error: {e}");
            }
            println!(
                "{}: {} policies in {} files, {} schema files, {} entities: {} errors, {} warnings",
                dir.display(),
                report.policies,
                report.policy_files,
                report.schema_files,
                report.entities,
                report.errors.len(),
                report.warnings.len()
            );
            Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
