//! `molehunt serve`: the HTTP API (AuthZEN decisions, cases, grants, tokens).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use molehunt_access::{CachedRisk, RiskInfo, RiskSource};
use molehunt_engine::{Engine, EngineError, EngineOptions, ReportFormat};
use molehunt_server::{CaseSource, ServeOptions};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: super::DbArg,
    /// Address to listen on (localhost unless told otherwise; port 0 picks a free port)
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Policies directory: *.cedar, optional *.cedarschema, entities.json, grants.toml
    #[arg(
        long,
        env = "MOLEHUNT_POLICIES",
        default_value = "policies",
        value_name = "DIR"
    )]
    policies: PathBuf,
    /// PEM certificate chain for HTTPS (with --tls-key)
    #[arg(long, requires = "tls_key", value_name = "FILE")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS (with --tls-cert)
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    tls_key: Option<PathBuf>,
    /// Seconds a subject's risk is cached on the decision path
    #[arg(long, default_value_t = 2)]
    risk_cache_secs: u64,
}

/// The engine's stored results as the gate's risk source and the analysts' cases.
struct EngineSource(Mutex<Engine>);

impl EngineSource {
    fn engine(&self) -> Result<std::sync::MutexGuard<'_, Engine>, String> {
        self.0
            .lock()
            .map_err(|_| "engine lock poisoned".to_string())
    }
}

impl RiskSource for EngineSource {
    fn person_risk(&self, subject_id: &str) -> Result<Option<RiskInfo>, String> {
        let risk = self
            .engine()?
            .person_risk(subject_id)
            .map_err(|e| e.to_string())?;
        Ok(risk.map(|r| RiskInfo {
            person_id: r.person_id,
            score: r.score,
            level: r.level,
            network_id: r.network_id,
            flags: r.flags,
        }))
    }
}

impl CaseSource for EngineSource {
    fn cases(&self, limit: usize) -> Result<serde_json::Value, String> {
        let text = self
            .engine()?
            .cases_json(Some(limit), None)
            .map_err(|e| e.to_string())?;
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }

    fn networks(&self, limit: usize) -> Result<serde_json::Value, String> {
        let list = self.engine()?.networks().map_err(|e| e.to_string())?;
        serde_json::to_value(list.into_iter().take(limit).collect::<Vec<_>>())
            .map_err(|e| e.to_string())
    }

    fn report(&self, person_id: &str, html: bool) -> Result<Option<String>, String> {
        let format = if html {
            ReportFormat::Html
        } else {
            ReportFormat::Markdown
        };
        match self.engine()?.report(person_id, format) {
            Ok(text) => Ok(Some(text)),
            Err(EngineError::UnknownPerson(_)) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    super::init_logging();
    if !args.addr.ip().is_loopback() {
        tracing::warn!(addr = %args.addr, "listening beyond localhost");
    }
    let engine = Engine::open(&args.db.db, EngineOptions::default())
        .with_context(|| format!("cannot open `{}`", args.db.db.display()))?;
    let source = Arc::new(EngineSource(Mutex::new(engine)));
    let risk = Arc::new(CachedRisk::new(
        source.clone(),
        Duration::from_secs(args.risk_cache_secs),
    ));
    let intel =
        molehunt_intel::IpIntel::bundled().context("cannot load the bundled IP intelligence")?;
    let mut opts = ServeOptions::new(args.db.db.clone(), args.addr, args.policies.clone());
    opts.tls = args.tls_cert.zip(args.tls_key);
    opts.risk = Some(risk);
    opts.cases = Some(source);
    opts.ip = Some(Arc::new(intel));
    molehunt_server::run_blocking(opts)?;
    Ok(ExitCode::SUCCESS)
}
