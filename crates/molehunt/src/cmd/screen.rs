//! `molehunt screen`.

use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ScreenArgs {}

pub fn run(_args: ScreenArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`molehunt screen` is not available in this build yet")
}
