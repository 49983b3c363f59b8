//! `molehunt config ...`.

use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {}

pub fn run(cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    match cmd {}
}
