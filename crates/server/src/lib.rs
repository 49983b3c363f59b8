//! molehunt-server: Molehunt's HTTP API (axum). The AuthZEN 1.0 decision endpoints over
//! [`molehunt_access::Pdp`], analyst endpoints for cases, networks, reports, case decisions and
//! just-in-time grants, and admin endpoints for tokens, entities and policy reload.
//!
//! Every endpoint but `/healthz`, `/openapi.json` and the AuthZEN metadata needs a bearer token
//! (`molehunt token create`). Policies reload when their files change (polled every second),
//! on SIGHUP and on `POST /admin/v1/policies/reload`; a set that fails to load is rejected with
//! its diagnostics in the log while the previous one keeps serving.

mod auth;
mod error;
pub mod openapi;
pub mod routes;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use molehunt_access::audit::{AuditSink, DecisionRecorder};
use molehunt_access::grants::GrantRules;
use molehunt_access::{IpClassifier, Pdp, PolicyBundle, RiskSource, TokenTable};
use serde_json::Value;

pub use error::ApiError;
pub use routes::{ENDPOINTS, router};
pub use state::{AppState, Reload};

/// Detection results the analyst endpoints read (implemented over the engine by the binary).
pub trait CaseSource: Send + Sync {
    /// Cases JSON (highest risk first), at most `limit`.
    fn cases(&self, limit: usize) -> Result<Value, String>;
    /// Networks JSON, at most `limit`.
    fn networks(&self, limit: usize) -> Result<Value, String>;
    /// A person's case report (Markdown, or HTML), `None` when the person is unknown.
    fn report(&self, person_id: &str, html: bool) -> Result<Option<String>, String>;
}

/// How to run the server.
pub struct ServeOptions {
    pub db: PathBuf,
    pub addr: SocketAddr,
    pub policies: PathBuf,
    /// PEM certificate chain and private key: serve HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// How often the policies directory, tokens and grants are re-read.
    pub poll_interval: Duration,
    /// Record to the audit ledger in the database (on by default).
    pub ledger: bool,
    pub risk: Option<Arc<dyn RiskSource>>,
    pub ip: Option<Arc<dyn IpClassifier>>,
    pub cases: Option<Arc<dyn CaseSource>>,
}

impl ServeOptions {
    pub fn new(db: PathBuf, addr: SocketAddr, policies: PathBuf) -> Self {
        ServeOptions {
            db,
            addr,
            policies,
            tls: None,
            poll_interval: Duration::from_secs(1),
            ledger: true,
            risk: None,
            ip: None,
            cases: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Policy(#[from] molehunt_access::PolicyError),
    #[error("stored entities: {0}")]
    Entities(#[from] molehunt_access::entities::EntityError),
    #[error(transparent)]
    Db(#[from] molehunt_access::db::DbError),
    #[error(transparent)]
    Grants(#[from] molehunt_access::grants::GrantError),
    #[error("cannot open the audit ledger: {0}")]
    Ledger(String),
    #[error("cannot listen on `{addr}`: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot load TLS certificate or key: {0}")]
    Tls(std::io::Error),
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Other(String),
}

/// Build the shared state: policies, database, ledger, tokens, grants.
pub fn build_state(opts: &ServeOptions) -> Result<Arc<AppState>, ServeError> {
    let bundle = PolicyBundle::load(&opts.policies)?;
    let stamp = bundle.stamp.clone();
    let rules = GrantRules::load(&opts.policies)?;
    let conn = molehunt_access::db::open(&opts.db)?;
    let mut pdp = Pdp::new(bundle)?;
    if let Some(r) = &opts.risk {
        pdp = pdp.with_risk(r.clone());
    }
    if let Some(ip) = &opts.ip {
        pdp = pdp.with_ip_classifier(ip.clone());
    }
    let api_entities = AppState::load_api_entities(&conn).map_err(ServeError::Other)?;
    if !api_entities.is_empty() {
        pdp.set_api_entities(api_entities)?;
    }
    let audit: Option<Arc<dyn AuditSink>> = if opts.ledger {
        let ledger =
            molehunt_ledger::Ledger::open(&opts.db, molehunt_ledger::LedgerOptions::default())
                .map_err(|e| ServeError::Ledger(e.to_string()))?;
        Some(Arc::new(ledger))
    } else {
        None
    };
    let recorder = audit.clone().map(DecisionRecorder::start);
    let scheme = if opts.tls.is_some() { "https" } else { "http" };
    let state = AppState {
        pdp: Arc::new(pdp),
        tokens: ArcSwap::from_pointee(TokenTable::default()),
        db: Mutex::new(conn),
        audit,
        recorder,
        rules,
        cases: opts.cases.clone(),
        policies_dir: opts.policies.clone(),
        stamp: Mutex::new(stamp),
        base_url: format!("{scheme}://{}", opts.addr),
    };
    state.refresh_from_db().map_err(ServeError::Other)?;
    Ok(Arc::new(state))
}

/// Run the server until Ctrl-C or SIGTERM, on a Tokio runtime of its own. Prints
/// `listening on <url>` on standard output once bound (the address has the real port when
/// `--addr` asked for port 0).
pub fn run_blocking(opts: ServeOptions) -> Result<(), ServeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(serve(opts))
}

pub async fn serve(opts: ServeOptions) -> Result<(), ServeError> {
    let bound = Bound::bind(opts)?;
    println!("listening on {}", bound.url());
    let h = bound.handle();
    tokio::spawn(async move {
        shutdown_signal().await;
        h.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    bound.run().await
}

/// A server bound to its address, not yet serving.
pub struct Bound {
    listener: std::net::TcpListener,
    opts: ServeOptions,
    state: Arc<AppState>,
    handle: axum_server::Handle<SocketAddr>,
}

impl Bound {
    /// Bind the listener and load everything (policies, database, ledger). Must be called
    /// within a Tokio runtime.
    pub fn bind(mut opts: ServeOptions) -> Result<Bound, ServeError> {
        let listener =
            std::net::TcpListener::bind(opts.addr).map_err(|source| ServeError::Bind {
                addr: opts.addr,
                source,
            })?;
        listener.set_nonblocking(true)?;
        opts.addr = listener.local_addr()?;
        let state = build_state(&opts)?;
        Ok(Bound {
            listener,
            opts,
            state,
            handle: axum_server::Handle::new(),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.opts.addr
    }

    pub fn url(&self) -> String {
        let scheme = if self.opts.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.opts.addr)
    }

    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// A handle to stop the server (`graceful_shutdown`).
    pub fn handle(&self) -> axum_server::Handle<SocketAddr> {
        self.handle.clone()
    }

    /// Serve until the handle is told to shut down.
    pub async fn run(self) -> Result<(), ServeError> {
        let Bound {
            listener,
            opts,
            state,
            handle,
        } = self;
        let app = router(state.clone());
        spawn_background(state.clone(), opts.poll_interval);
        tracing::info!(addr = %opts.addr, tls = opts.tls.is_some(), "serving");
        let service = app.into_make_service();
        match &opts.tls {
            Some((cert, key)) => {
                let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                    .await
                    .map_err(ServeError::Tls)?;
                axum_server::from_tcp_rustls(listener, config)?
                    .handle(handle)
                    .serve(service)
                    .await?;
            }
            None => {
                axum_server::from_tcp(listener)?
                    .handle(handle)
                    .serve(service)
                    .await?;
            }
        }
        Ok(())
    }
}

fn spawn_background(state: Arc<AppState>, every: Duration) {
    let st = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let s = st.clone();
            let _ = tokio::task::spawn_blocking(move || {
                s.reload_policies(false, "change");
                if let Err(e) = s.refresh_from_db() {
                    tracing::error!(error = %e, "cannot refresh tokens and grants");
                }
            })
            .await;
        }
    });
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            return;
        };
        while hup.recv().await.is_some() {
            let s = state.clone();
            let _ = tokio::task::spawn_blocking(move || s.reload_policies(true, "sighup")).await;
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
