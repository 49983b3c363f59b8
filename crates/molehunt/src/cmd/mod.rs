//! One module per subcommand (or subcommand group).

use std::path::PathBuf;

use clap::Args;

pub mod access;
pub mod audit;
pub mod bench;
pub mod cases;
pub mod config;
pub mod demo;
pub mod ingest;
pub mod lists;
pub mod names;
pub mod networks;
pub mod policy;
pub mod report;
pub mod rescore;
pub mod screen;
pub mod serve;
pub mod token;

/// The database option shared by every subcommand that touches the store.
#[derive(Debug, Clone, Args)]
pub struct DbArg {
    /// SQLite database file (created when missing)
    #[arg(
        long,
        env = "MOLEHUNT_DB",
        default_value = "molehunt.db",
        value_name = "PATH"
    )]
    pub db: PathBuf,
}

/// Logs go to standard error; `MOLEHUNT_LOG` (e.g. `info`, `debug`) sets the level.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MOLEHUNT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Output formats of listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}
