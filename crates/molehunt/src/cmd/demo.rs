//! `molehunt demo`: generate a synthetic population with schemes, ingest it
//! through the engine, print the top cases with their reasons and how well
//! the ground truth was recovered.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use molehunt_demo::{DemoOptions, generate};
use molehunt_engine::{Engine, EngineOptions, IngestOptions};
use molehunt_model::RiskLevel;

use super::cases::cut;
use super::ingest::Bar;

/// Generate a synthetic population with DPRK IT-worker schemes, score it and show the top cases
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Database to create (an existing file is replaced)
    #[arg(long, value_name = "PATH", default_value = "molehunt-demo.db")]
    db: PathBuf,
    /// Random seed (the same seed gives the same population)
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Number of honest workers
    #[arg(long, value_name = "N", default_value_t = 3000)]
    honest: usize,
    /// Also write events.jsonl and ground_truth.json into DIR
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Number of cases to show
    #[arg(long, value_name = "N", default_value_t = 25)]
    top: usize,
}

fn remove_db(path: &std::path::Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            fs::remove_file(&p).with_context(|| {
                format!("removing the previous demo database `{}`", p.display())
            })?;
        }
    }
    Ok(())
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let opts = DemoOptions {
        seed: args.seed,
        honest: args.honest,
        ..DemoOptions::default()
    };
    let demo = generate(&opts);
    let mut input = demo.lines.join("\n");
    input.push('\n');
    if let Some(dir) = &args.out {
        fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
        let events = dir.join("events.jsonl");
        fs::write(&events, &input).with_context(|| format!("writing `{}`", events.display()))?;
        let truth = dir.join("ground_truth.json");
        let json =
            serde_json::to_string_pretty(&demo.truth).context("serialising the ground truth")?;
        fs::write(&truth, json + "\n").with_context(|| format!("writing `{}`", truth.display()))?;
    }

    remove_db(&args.db)?;
    let mut engine = Engine::open(&args.db, EngineOptions::default())
        .with_context(|| format!("opening `{}`", args.db.display()))?;
    let report = engine
        .ingest_reader(
            "demo.jsonl",
            input.as_bytes(),
            &IngestOptions::default(),
            &Bar::new(),
        )
        .context("ingesting the demo population")?;
    let cases = engine.cases().context("reading cases")?;
    let networks = engine.networks().context("reading networks")?;

    let mut out = std::io::stdout().lock();
    let members = demo.truth.scheme_members().len();
    writeln!(
        out,
        "Generated {} honest workers and {} scheme members (seed {}): {} events into {}",
        demo.truth.honest.len(),
        members,
        args.seed,
        report.inserted,
        args.db.display()
    )?;
    let flagged = cases.iter().filter(|c| c.level >= RiskLevel::High).count();
    writeln!(
        out,
        "{} persons at high or critical, {} networks\n",
        flagged,
        networks.len()
    )?;
    writeln!(
        out,
        "{:<8} {:>5}  {:<8}  {:<18} {:<22} reasons",
        "person", "score", "level", "network", "name"
    )?;
    for c in cases.iter().take(args.top) {
        let reasons: Vec<String> = c
            .flags
            .iter()
            .filter(|f| f.points >= 1.0)
            .take(5)
            .map(|f| format!("{} (+{:.0})", f.id, f.points))
            .collect();
        writeln!(
            out,
            "{:<8} {:>5}  {:<8}  {:<18} {:<22} {}",
            c.person_id,
            c.score,
            c.level.as_str(),
            c.network_id.as_deref().unwrap_or("-"),
            cut(c.full_name.as_deref().unwrap_or("-"), 22),
            reasons.join(", ")
        )?;
        if let Some(top) = c.flags.first() {
            writeln!(
                out,
                "{:<8} {:>5}  {:<8}  {}",
                "",
                "",
                "",
                cut(&top.detail, 110)
            )?;
        }
    }
    let levels: Vec<_> = cases
        .iter()
        .map(|c| (c.person_id.clone(), c.level, c.network_id.clone()))
        .collect();
    let nets: Vec<_> = networks
        .iter()
        .map(|n| (n.network_id.clone(), n.person_ids.clone()))
        .collect();
    let metrics = demo.truth.evaluate(&levels, &nets);
    writeln!(out, "\n{}", metrics.summary())?;
    writeln!(
        out,
        "Next: molehunt cases --db {0} | molehunt networks --db {0} | molehunt report --db {0} {1}",
        args.db.display(),
        cases
            .first()
            .map(|c| c.person_id.as_str())
            .unwrap_or("PERSON_ID")
    )?;
    Ok(ExitCode::SUCCESS)
}
