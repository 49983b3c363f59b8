//! `molehunt token ...`.

use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {}

pub fn run(cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    match cmd {}
}
