//! `molehunt networks`.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct NetworksArgs {}

pub fn run(_args: NetworksArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`molehunt networks` is not available in this build yet")
}
