//! The `molehunt` command line: a thin layer over the library crates.
//!
//! Each subcommand lives in its own module under `cmd/` and is a few lines
//! that parse arguments and call the engine crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// mimalloc instead of the system allocator: the ingest pipeline allocates on
/// one thread and frees on another, which glibc's malloc handles poorly (about
/// a tenth of the pipeline's CPU went to it). See docs/benchmarks.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Molehunt: find remote IT workers hiding behind stolen identities, screen
/// payees against sanctions lists, gate access by risk, and keep an audit log
/// anyone can verify.
#[derive(Debug, Parser)]
#[command(name = "molehunt", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    // ---- detect ----
    /// Generate a synthetic population with fraud schemes, ingest it and show the top cases
    Demo(cmd::demo::DemoArgs),
    /// Ingest event files (JSON Lines per docs/EVENTS.md, or person CSV) into the store
    Ingest(cmd::ingest::IngestArgs),
    /// Recompute flags, networks and scores from the stored events
    Rescore(cmd::rescore::RescoreArgs),
    /// List cases (persons) ranked by risk, highest first
    Cases(cmd::cases::CasesArgs),
    /// List networks of identities linked by shared identifiers
    Networks(cmd::networks::NetworksArgs),
    /// Write a case report for one person (Markdown or HTML)
    Report(cmd::report::ReportArgs),
    /// Show or check the detection configuration
    #[command(subcommand)]
    Config(cmd::config::ConfigCommand),
    /// Run built-in benchmarks and print figures
    Bench(cmd::bench::BenchArgs),
    // ---- screen ----
    /// Screen a name or wallet against the imported sanctions lists
    Screen(cmd::screen::ScreenArgs),
    /// Import and show sanctions lists
    #[command(subcommand)]
    Lists(cmd::lists::ListsCommand),
    /// Compare names with the screening matcher
    #[command(subcommand)]
    Names(cmd::names::NamesCommand),
    // ---- prove ----
    /// The tamper-evident audit ledger: append, checkpoint, prove, verify
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    // ---- gate ----
    /// Run the HTTP API: AuthZEN access decisions, cases, grants
    Serve(cmd::serve::ServeArgs),
    /// Create, list and revoke API tokens
    #[command(subcommand)]
    Token(cmd::token::TokenCommand),
    /// Just-in-time access grants: request, approve, deny, list
    #[command(subcommand)]
    Access(cmd::access::AccessCommand),
    /// Check Cedar policies
    #[command(subcommand)]
    Policy(cmd::policy::PolicyCommand),
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    cmd::init_logging();
    match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Ingest(a) => cmd::ingest::run(a),
        Command::Rescore(a) => cmd::rescore::run(a),
        Command::Cases(a) => cmd::cases::run(a),
        Command::Networks(a) => cmd::networks::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Config(c) => cmd::config::run(c),
        Command::Bench(a) => cmd::bench::run(a),
        Command::Screen(a) => cmd::screen::run(a),
        Command::Lists(c) => cmd::lists::run(c),
        Command::Names(c) => cmd::names::run(c),
        Command::Audit(c) => cmd::audit::run(c),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Token(c) => cmd::token::run(c),
        Command::Access(c) => cmd::access::run(c),
        Command::Policy(c) => cmd::policy::run(c),
    }
}
