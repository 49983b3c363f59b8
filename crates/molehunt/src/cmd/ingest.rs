//! `molehunt ingest`.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct IngestArgs {}

pub fn run(_args: IngestArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`molehunt ingest` is not available in this build yet")
}
