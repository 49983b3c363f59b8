//! `molehunt rescore`.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct RescoreArgs {}

pub fn run(_args: RescoreArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`molehunt rescore` is not available in this build yet")
}
