//! `molehunt cases`.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct CasesArgs {}

pub fn run(_args: CasesArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`molehunt cases` is not available in this build yet")
}
