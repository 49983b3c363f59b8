//! Shared server state and the background work: policy reload (on change, SIGHUP or request),
//! token and grant refresh, ledger writes.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::ArcSwap;
use molehunt_access::audit::{AuditSink, DecisionRecorder, entry};
use molehunt_access::grants::{self, GrantRules};
use molehunt_access::{DirStamp, Pdp, PolicyBundle, TokenTable};
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::CaseSource;
use crate::error::ApiError;

pub struct AppState {
    pub pdp: Arc<Pdp>,
    pub tokens: ArcSwap<TokenTable>,
    pub db: Mutex<Connection>,
    pub audit: Option<Arc<dyn AuditSink>>,
    pub recorder: Option<DecisionRecorder>,
    pub rules: GrantRules,
    pub cases: Option<Arc<dyn CaseSource>>,
    pub policies_dir: PathBuf,
    pub stamp: Mutex<DirStamp>,
    pub base_url: String,
}

/// The outcome of a reload attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    Unchanged,
    Reloaded { policies: usize },
    Rejected { diagnostics: String },
}

impl AppState {
    pub fn conn(&self) -> Result<MutexGuard<'_, Connection>, ApiError> {
        self.db
            .lock()
            .map_err(|_| ApiError::internal("database lock poisoned"))
    }

    /// Append one entry to the ledger, synchronously (rare events: tokens, grants, reloads).
    pub fn audit(&self, kind: &str, fields: Value) -> Result<(), ApiError> {
        if let Some(sink) = &self.audit {
            sink.append_json(&entry(kind, fields))
                .map_err(ApiError::internal)?;
        }
        Ok(())
    }

    /// Reload the policies directory if its files changed (or always, with `force`). A set that
    /// fails to load is rejected with its diagnostics logged, and the previous one keeps serving.
    pub fn reload_policies(&self, force: bool, trigger: &str) -> Reload {
        let stamp = match DirStamp::of(&self.policies_dir) {
            Ok(s) => s,
            Err(e) => return self.rejected(trigger, e.to_string()),
        };
        {
            let Ok(current) = self.stamp.lock() else {
                return Reload::Unchanged;
            };
            if !force && *current == stamp {
                return Reload::Unchanged;
            }
        }
        if let Ok(mut current) = self.stamp.lock() {
            *current = stamp;
        }
        let bundle = match PolicyBundle::load(&self.policies_dir) {
            Ok(b) => b,
            Err(e) => return self.rejected(trigger, e.to_string()),
        };
        let policies = bundle.policies.num_of_policies();
        if let Err(e) = self.pdp.replace_policies(bundle) {
            return self.rejected(
                trigger,
                format!("stored entities do not fit the new schema: {e}"),
            );
        }
        tracing::info!(policies, trigger, "policies reloaded");
        let _ = self.audit(
            "policy_reload",
            json!({"ok": true, "trigger": trigger, "policies": policies}),
        );
        Reload::Reloaded { policies }
    }

    fn rejected(&self, trigger: &str, diagnostics: String) -> Reload {
        tracing::error!(
            trigger,
            "policy reload rejected, the previous policies keep serving:\n{diagnostics}"
        );
        let _ = self.audit("policy_reload", json!({"ok": false, "trigger": trigger}));
        Reload::Rejected { diagnostics }
    }

    /// Re-read tokens and grants from the database (the CLI may change them while we run).
    pub fn refresh_from_db(&self) -> Result<(), String> {
        let conn = self
            .db
            .lock()
            .map_err(|_| "database lock poisoned".to_string())?;
        let table = TokenTable::load(&conn).map_err(|e| e.to_string())?;
        self.tokens.store(Arc::new(table));
        let windows =
            grants::approved_windows(&conn, self.pdp.clock().now()).map_err(|e| e.to_string())?;
        self.pdp.set_grants(windows);
        Ok(())
    }

    /// Entities managed through the API.
    pub fn load_api_entities(conn: &Connection) -> Result<Vec<Value>, String> {
        let mut stmt = conn
            .prepare("SELECT json FROM access_entities ORDER BY uid")
            .map_err(|e| e.to_string())?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for row in rows {
            let text = row.map_err(|e| e.to_string())?;
            out.push(serde_json::from_str(&text).map_err(|e| e.to_string())?);
        }
        Ok(out)
    }
}
