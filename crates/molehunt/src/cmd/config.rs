//! `molehunt config ...`.

use std::path::PathBuf;
use std::process::ExitCode;

use molehunt_engine::load_config;

#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Print the effective detection config (defaults merged with a config file)
    Show {
        /// Config file (TOML) merged over the defaults
        #[arg(long, env = "MOLEHUNT_CONFIG", value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Check a config file: unknown keys and bad values are errors
    Check {
        /// Config file (TOML)
        file: PathBuf,
    },
}

pub fn run(cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCommand::Show { config } => {
            let c = load_config(config.as_deref())?;
            print!("{}", c.to_toml_string());
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Check { file } => match load_config(Some(&file)) {
            Ok(_) => {
                println!("{}: ok", file.display());
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(1))
            }
        },
    }
}
