//! API tokens: random secrets shown once, stored only as SHA-256 hashes, each with a role.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use base64::Engine;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::{DbError, Doing};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A policy enforcement point: evaluation endpoints only.
    Pep,
    /// Reads cases, networks and reports; records case decisions; requests and approves grants.
    Analyst,
    /// Everything.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Pep => "pep",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// Whether a token of this role may call an endpoint that needs `needed`. `admin` may do
    /// everything; `pep` and `analyst` only their own endpoints.
    pub fn allows(self, needed: Role) -> bool {
        self == Role::Admin || self == needed
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}` (expected pep, analyst or admin)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pep" => Ok(Role::Pep),
            "analyst" => Ok(Role::Analyst),
            "admin" => Ok(Role::Admin),
            other => Err(UnknownRole(other.to_string())),
        }
    }
}

/// A token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("no token `{0}`")]
    NotFound(String),
    #[error("token `{0}` is already revoked")]
    AlreadyRevoked(String),
    #[error("cannot read random bytes: {0}")]
    Random(String),
    #[error("token name must be 1 to 100 characters")]
    BadName,
}

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // A failing OS random source falls back to a time-based value only for non-secret ids.
    if getrandom::fill(&mut buf).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let nanos = t.as_nanos().to_le_bytes();
        for (i, b) in buf.iter_mut().enumerate() {
            *b = nanos.get(i % nanos.len()).copied().unwrap_or(0);
        }
    }
    hex::encode(buf)
}

/// The SHA-256 of a token secret, as stored.
pub fn hash_token(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

fn now_rfc3339() -> String {
    jiff::Timestamp::now().to_string()
}

/// Create a token; returns its record and the secret (shown once, never stored).
pub fn create(
    conn: &Connection,
    role: Role,
    name: &str,
) -> Result<(TokenInfo, String), TokenError> {
    if name.is_empty() || name.chars().count() > 100 {
        return Err(TokenError::BadName);
    }
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| TokenError::Random(e.to_string()))?;
    let secret = format!(
        "mh_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    );
    let created_at = now_rfc3339();
    conn.execute(
        "INSERT INTO access_tokens (name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            name,
            role.as_str(),
            hex::encode(hash_token(&secret)),
            created_at
        ],
    )
    .doing("storing a token")?;
    let info = TokenInfo {
        id: conn.last_insert_rowid(),
        name: name.to_string(),
        role,
        created_at,
        revoked_at: None,
    };
    Ok((info, secret))
}

fn row_info(row: &rusqlite::Row<'_>) -> rusqlite::Result<TokenInfo> {
    let role: String = row.get(2)?;
    Ok(TokenInfo {
        id: row.get(0)?,
        name: row.get(1)?,
        role: role.parse().unwrap_or(Role::Pep),
        created_at: row.get(3)?,
        revoked_at: row.get(4)?,
    })
}

/// Every token, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<TokenInfo>, TokenError> {
    let mut stmt = conn
        .prepare("SELECT id, name, role, created_at, revoked_at FROM access_tokens ORDER BY id")
        .doing("listing tokens")?;
    let rows = stmt.query_map([], row_info).doing("listing tokens")?;
    Ok(rows
        .collect::<Result<Vec<_>, _>>()
        .doing("listing tokens")?)
}

/// Revoke a token by id or by name (a name must be unique among live tokens).
pub fn revoke(conn: &Connection, id_or_name: &str) -> Result<TokenInfo, TokenError> {
    let found = conn
        .query_row(
            "SELECT id, name, role, created_at, revoked_at FROM access_tokens
             WHERE CAST(id AS TEXT) = ?1 OR name = ?1 ORDER BY revoked_at IS NULL DESC, id DESC LIMIT 1",
            params![id_or_name],
            row_info,
        )
        .optional()
        .doing("finding a token")?;
    let mut info = found.ok_or_else(|| TokenError::NotFound(id_or_name.to_string()))?;
    if info.revoked_at.is_some() {
        return Err(TokenError::AlreadyRevoked(id_or_name.to_string()));
    }
    let at = now_rfc3339();
    conn.execute(
        "UPDATE access_tokens SET revoked_at = ?1 WHERE id = ?2",
        params![at, info.id],
    )
    .doing("revoking a token")?;
    info.revoked_at = Some(at);
    Ok(info)
}

/// The live tokens by hash, for checking bearer tokens without touching the database.
#[derive(Debug, Clone, Default)]
pub struct TokenTable(HashMap<[u8; 32], TokenInfo>);

impl TokenTable {
    pub fn load(conn: &Connection) -> Result<TokenTable, TokenError> {
        let mut stmt = conn
            .prepare("SELECT id, name, role, created_at, revoked_at, hash FROM access_tokens WHERE revoked_at IS NULL")
            .doing("loading tokens")?;
        let mut map = HashMap::new();
        let rows = stmt
            .query_map([], |row| {
                let hash: String = row.get(5)?;
                Ok((hash, row_info(row)?))
            })
            .doing("loading tokens")?;
        for row in rows {
            let (hash, info) = row.doing("loading tokens")?;
            let mut key = [0u8; 32];
            if hex::decode_to_slice(&hash, &mut key).is_ok() {
                map.insert(key, info);
            }
        }
        Ok(TokenTable(map))
    }

    /// The token a secret belongs to, if it is live.
    pub fn check(&self, secret: &str) -> Option<&TokenInfo> {
        self.0.get(&hash_token(secret))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn create_check_revoke() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(&dir.path().join("t.db")).unwrap();
        let (info, secret) = create(&conn, Role::Analyst, "alice laptop").unwrap();
        assert!(secret.starts_with("mh_") && secret.len() > 40);
        let stored: String = conn
            .query_row("SELECT hash FROM access_tokens", [], |r| r.get(0))
            .unwrap();
        assert!(
            !stored.contains(&secret),
            "the secret itself is never stored"
        );
        let table = TokenTable::load(&conn).unwrap();
        assert_eq!(table.check(&secret).unwrap().role, Role::Analyst);
        assert!(table.check("mh_wrong").is_none());
        revoke(&conn, &info.id.to_string()).unwrap();
        assert!(TokenTable::load(&conn).unwrap().check(&secret).is_none());
        assert!(matches!(
            revoke(&conn, "alice laptop"),
            Err(TokenError::AlreadyRevoked(_))
        ));
        assert!(matches!(
            revoke(&conn, "nope"),
            Err(TokenError::NotFound(_))
        ));
        assert_eq!(list(&conn).unwrap().len(), 1);
    }

    #[test]
    fn roles() {
        assert!(Role::Admin.allows(Role::Pep));
        assert!(!Role::Pep.allows(Role::Analyst));
        assert!(!Role::Analyst.allows(Role::Pep));
        assert_eq!("admin".parse::<Role>().unwrap(), Role::Admin);
        assert!("root".parse::<Role>().is_err());
    }
}
