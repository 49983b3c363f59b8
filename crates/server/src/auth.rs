//! Bearer tokens: 401 when missing or unknown, 403 when the role does not fit.

use axum::http::HeaderMap;
use molehunt_access::{Role, TokenInfo};

use crate::error::ApiError;
use crate::state::AppState;

/// The token of a request, if it may call an endpoint needing `needed`.
pub fn require(state: &AppState, headers: &HeaderMap, needed: Role) -> Result<TokenInfo, ApiError> {
    let secret = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(ApiError::unauthorized)?;
    let tokens = state.tokens.load();
    let info = tokens.check(secret).ok_or_else(ApiError::unauthorized)?;
    if !info.role.allows(needed) {
        return Err(ApiError::forbidden(info.role.as_str(), needed.as_str()));
    }
    Ok(info.clone())
}

/// The token of a request that any of `roles` may call.
pub fn require_any(
    state: &AppState,
    headers: &HeaderMap,
    roles: &[Role],
) -> Result<TokenInfo, ApiError> {
    let mut last = None;
    for r in roles {
        match require(state, headers, *r) {
            Ok(t) => return Ok(t),
            Err(e) if e.status == axum::http::StatusCode::FORBIDDEN => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(ApiError::unauthorized))
}
