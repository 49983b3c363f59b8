//! `molehunt access ...`.

use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum AccessCommand {}

pub fn run(cmd: AccessCommand) -> anyhow::Result<ExitCode> {
    match cmd {}
}
