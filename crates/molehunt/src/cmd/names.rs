//! `molehunt names ...`.

use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum NamesCommand {}

pub fn run(cmd: NamesCommand) -> anyhow::Result<ExitCode> {
    match cmd {}
}
