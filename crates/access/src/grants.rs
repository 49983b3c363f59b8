//! Just-in-time grants: a subject asks for a role for a while, with a reason; distinct approvers
//! (never the requester) approve; the grant starts at approval and lapses on its own.
//!
//! Validity is decided at decision time against the [`crate::Clock`], never by a sweeper, so an
//! expired grant stops applying at once even if nothing else happens.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use cedar_policy::EntityUid;
use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::db::{DbError, Doing};

/// No configuration may allow grants longer than this.
pub const HARD_MAX_DURATION: SignedDuration = SignedDuration::from_hours(24);

/// Grant rules, from `grants.toml` in the policies directory (all optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GrantRules {
    /// Longest grant that may be requested (`"8h"` by default, at most 24h).
    pub max_duration: String,
    /// Distinct approvers needed (1 by default).
    pub approvals: u32,
    /// Per-role overrides of `approvals` and `max_duration`.
    pub roles: HashMap<String, RoleRule>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoleRule {
    pub max_duration: Option<String>,
    pub approvals: Option<u32>,
}

impl Default for GrantRules {
    fn default() -> Self {
        GrantRules {
            max_duration: "8h".into(),
            approvals: 1,
            roles: HashMap::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(
        "invalid entity `{input}`: {message} (expected Cedar syntax, e.g. User::\"alice@example.com\")"
    )]
    BadEntity { input: String, message: String },
    #[error("invalid duration `{0}` (expected e.g. `30m`, `2h`, `1h30m`)")]
    BadDuration(String),
    #[error("duration `{asked}` exceeds the maximum of {max} for role `{role}`")]
    TooLong {
        asked: String,
        max: String,
        role: String,
    },
    #[error("invalid role `{0}`: use letters, digits, `_`, `-` or `.`")]
    BadRole(String),
    #[error("a reason is required")]
    NoReason,
    #[error("no grant request `{0}`")]
    NotFound(String),
    #[error("grant request `{id}` is {status}, not pending")]
    NotPending { id: String, status: String },
    #[error("`{0}` cannot approve their own request")]
    SelfApproval(String),
    #[error("`{approver}` has already approved `{id}`")]
    AlreadyApproved { id: String, approver: String },
    #[error("invalid grant rules in `{path}`: {message}")]
    BadRules { path: String, message: String },
}

/// Parse a duration like `30m`, `2h`, `1h30m`, `90s` (or ISO 8601 `PT2H`).
pub fn parse_duration(s: &str) -> Result<SignedDuration, GrantError> {
    let d =
        SignedDuration::from_str(s.trim()).map_err(|_| GrantError::BadDuration(s.to_string()))?;
    if d <= SignedDuration::ZERO {
        return Err(GrantError::BadDuration(s.to_string()));
    }
    Ok(d)
}

/// Canonical Cedar form of an entity given by a user (`User::"alice"`).
pub fn canonical_entity(s: &str) -> Result<String, GrantError> {
    EntityUid::from_str(s.trim())
        .map(|u| u.to_string())
        .map_err(|e| GrantError::BadEntity {
            input: s.to_string(),
            message: e.to_string(),
        })
}

impl GrantRules {
    /// Rules from `<dir>/grants.toml`, or the defaults when the file is absent.
    pub fn load(dir: &Path) -> Result<GrantRules, GrantError> {
        let path = dir.join("grants.toml");
        let bad = |message: String| GrantError::BadRules {
            path: path.display().to_string(),
            message,
        };
        let rules = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str::<GrantRules>(&text).map_err(|e| bad(e.to_string()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => GrantRules::default(),
            Err(e) => return Err(bad(e.to_string())),
        };
        for role in std::iter::once("*").chain(rules.roles.keys().map(String::as_str)) {
            let max = rules.max_for(role).map_err(|e| bad(e.to_string()))?;
            if max > HARD_MAX_DURATION {
                return Err(bad(format!(
                    "max_duration for `{role}` exceeds the hard maximum of 24h"
                )));
            }
            if rules.approvals_for(role) == 0 {
                return Err(bad(format!("approvals for `{role}` must be at least 1")));
            }
        }
        Ok(rules)
    }

    pub fn max_for(&self, role: &str) -> Result<SignedDuration, GrantError> {
        let text = self
            .roles
            .get(role)
            .and_then(|r| r.max_duration.as_deref())
            .unwrap_or(&self.max_duration);
        Ok(parse_duration(text)?.min(HARD_MAX_DURATION))
    }

    pub fn approvals_for(&self, role: &str) -> u32 {
        self.roles
            .get(role)
            .and_then(|r| r.approvals)
            .unwrap_or(self.approvals)
    }
}

/// A grant request and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub id: String,
    pub subject: String,
    pub role: String,
    pub duration_secs: i64,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: Timestamp,
    pub approvals_required: u32,
    pub approvers: Vec<String>,
    /// `pending`, `approved` or `denied` as stored; see [`Grant::state`] for the live state.
    pub status: String,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<String>,
    pub starts_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
}

impl Grant {
    /// `pending`, `active`, `expired` or `denied` at `now`.
    pub fn state(&self, now: Timestamp) -> &'static str {
        match (self.status.as_str(), self.starts_at, self.expires_at) {
            ("approved", Some(s), Some(e)) if s <= now && now < e => "active",
            ("approved", _, _) => "expired",
            ("denied", _, _) => "denied",
            _ => "pending",
        }
    }
}

/// A new request.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub subject: &'a str,
    pub role: &'a str,
    pub duration: &'a str,
    pub reason: &'a str,
    /// Who asks (defaults to the subject).
    pub requested_by: Option<&'a str>,
}

fn valid_role(role: &str) -> bool {
    !role.is_empty()
        && role.len() <= 100
        && role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
}

fn ts(s: Option<String>) -> Option<Timestamp> {
    s.and_then(|s| s.parse().ok())
}

fn load(conn: &Connection, id: &str) -> Result<Option<Grant>, GrantError> {
    let grant = conn
        .query_row(
            "SELECT id, subject, role, duration_secs, reason, requested_by, requested_at, approvals_required,
                    status, decided_at, decided_by, starts_at, expires_at FROM access_grants WHERE id = ?1",
            params![id],
            row_grant,
        )
        .optional()
        .doing("reading a grant")?;
    let Some(mut grant) = grant else {
        return Ok(None);
    };
    let mut stmt = conn
        .prepare(
            "SELECT approver FROM access_grant_approvals WHERE grant_id = ?1 ORDER BY at, approver",
        )
        .doing("reading approvals")?;
    grant.approvers = stmt
        .query_map(params![id], |r| r.get(0))
        .doing("reading approvals")?
        .collect::<Result<_, _>>()
        .doing("reading approvals")?;
    Ok(Some(grant))
}

fn row_grant(r: &rusqlite::Row<'_>) -> rusqlite::Result<Grant> {
    Ok(Grant {
        id: r.get(0)?,
        subject: r.get(1)?,
        role: r.get(2)?,
        duration_secs: r.get(3)?,
        reason: r.get(4)?,
        requested_by: r.get(5)?,
        requested_at: ts(r.get(6)?).unwrap_or(Timestamp::UNIX_EPOCH),
        approvals_required: r.get(7)?,
        approvers: Vec::new(),
        status: r.get(8)?,
        decided_at: ts(r.get(9)?),
        decided_by: r.get(10)?,
        starts_at: ts(r.get(11)?),
        expires_at: ts(r.get(12)?),
    })
}

/// Record a request; the grant is pending until enough approvers approve.
pub fn request(
    conn: &Connection,
    rules: &GrantRules,
    req: &NewRequest<'_>,
    now: Timestamp,
) -> Result<Grant, GrantError> {
    let subject = canonical_entity(req.subject)?;
    let requested_by = match req.requested_by {
        Some(r) => canonical_entity(r)?,
        None => subject.clone(),
    };
    if !valid_role(req.role) {
        return Err(GrantError::BadRole(req.role.to_string()));
    }
    if req.reason.trim().is_empty() {
        return Err(GrantError::NoReason);
    }
    let duration = parse_duration(req.duration)?;
    let max = rules.max_for(req.role)?;
    if duration > max {
        return Err(GrantError::TooLong {
            asked: req.duration.to_string(),
            max: format!("{max:#}"),
            role: req.role.to_string(),
        });
    }
    let id = format!("jit-{}", crate::tokens::random_hex(8));
    let approvals = rules.approvals_for(req.role);
    conn.execute(
        "INSERT INTO access_grants (id, subject, role, duration_secs, reason, requested_by, requested_at,
            approvals_required, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
        params![id, subject, req.role, duration.as_secs(), req.reason.trim(), requested_by, now.to_string(), approvals],
    )
    .doing("recording a grant request")?;
    load(conn, &id)?.ok_or(GrantError::NotFound(id))
}

/// Approve a pending request. Refuses the requester and the subject; once enough distinct
/// approvers have approved, the grant starts now and expires after its duration.
pub fn approve(
    conn: &Connection,
    id: &str,
    approver: &str,
    now: Timestamp,
) -> Result<Grant, GrantError> {
    let approver = canonical_entity(approver)?;
    let grant = load(conn, id)?.ok_or_else(|| GrantError::NotFound(id.to_string()))?;
    if grant.status != "pending" {
        return Err(GrantError::NotPending {
            id: id.to_string(),
            status: grant.state(now).to_string(),
        });
    }
    if approver == grant.requested_by || approver == grant.subject {
        return Err(GrantError::SelfApproval(approver));
    }
    if grant.approvers.contains(&approver) {
        return Err(GrantError::AlreadyApproved {
            id: id.to_string(),
            approver,
        });
    }
    conn.execute(
        "INSERT INTO access_grant_approvals (grant_id, approver, at) VALUES (?1, ?2, ?3)",
        params![id, approver, now.to_string()],
    )
    .doing("recording an approval")?;
    if grant.approvers.len() + 1 >= grant.approvals_required as usize {
        let expires = now
            .checked_add(SignedDuration::from_secs(grant.duration_secs))
            .unwrap_or(now);
        conn.execute(
            "UPDATE access_grants SET status = 'approved', decided_at = ?2, decided_by = ?3, starts_at = ?2,
                expires_at = ?4 WHERE id = ?1 AND status = 'pending'",
            params![id, now.to_string(), approver, expires.to_string()],
        )
        .doing("approving a grant")?;
    }
    load(conn, id)?.ok_or_else(|| GrantError::NotFound(id.to_string()))
}

/// Deny a pending request.
pub fn deny(conn: &Connection, id: &str, by: &str, now: Timestamp) -> Result<Grant, GrantError> {
    let by = canonical_entity(by)?;
    let grant = load(conn, id)?.ok_or_else(|| GrantError::NotFound(id.to_string()))?;
    if grant.status != "pending" {
        return Err(GrantError::NotPending {
            id: id.to_string(),
            status: grant.state(now).to_string(),
        });
    }
    conn.execute(
        "UPDATE access_grants SET status = 'denied', decided_at = ?2, decided_by = ?3 WHERE id = ?1",
        params![id, now.to_string(), by],
    )
    .doing("denying a grant")?;
    load(conn, id)?.ok_or_else(|| GrantError::NotFound(id.to_string()))
}

/// Every grant request, newest first.
pub fn list(conn: &Connection) -> Result<Vec<Grant>, GrantError> {
    let ids: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT id FROM access_grants ORDER BY requested_at DESC, id")
            .doing("listing grants")?;
        stmt.query_map([], |r| r.get(0))
            .doing("listing grants")?
            .collect::<Result<_, _>>()
            .doing("listing grants")?
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(g) = load(conn, &id)? {
            out.push(g);
        }
    }
    Ok(out)
}

/// One approved grant's window, as the decision point sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantWindow {
    pub id: String,
    pub subject: String,
    pub role: String,
    pub starts_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Approved grants that have not expired at `now` (the decision point still checks each window
/// against its clock at decision time).
pub fn approved_windows(conn: &Connection, now: Timestamp) -> Result<Vec<GrantWindow>, GrantError> {
    let mut stmt = conn
        .prepare("SELECT id, subject, role, starts_at, expires_at FROM access_grants WHERE status = 'approved'")
        .doing("loading grants")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                ts(r.get(3)?),
                ts(r.get(4)?),
            ))
        })
        .doing("loading grants")?;
    let mut out = Vec::new();
    for row in rows {
        let (id, subject, role, starts, expires) = row.doing("loading grants")?;
        if let (Some(starts_at), Some(expires_at)) = (starts, expires)
            && expires_at > now
        {
            out.push(GrantWindow {
                id,
                subject,
                role,
                starts_at,
                expires_at,
            });
        }
    }
    Ok(out)
}
