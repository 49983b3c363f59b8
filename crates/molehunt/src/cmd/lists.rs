//! `molehunt lists ...`.

use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum ListsCommand {}

pub fn run(cmd: ListsCommand) -> anyhow::Result<ExitCode> {
    match cmd {}
}
