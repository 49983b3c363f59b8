//! Just-in-time grant endpoints (analysts and admins).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use molehunt_access::Role;
use molehunt_access::grants::{self, Grant, NewRequest};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::require_any;
use crate::error::ApiError;
use crate::routes::authzen::json_body;
use crate::state::AppState;

const WHO: &[Role] = &[Role::Analyst];

fn view(g: &Grant, now: jiff::Timestamp) -> Value {
    let mut v = serde_json::to_value(g).unwrap_or(Value::Null);
    v["state"] = json!(g.state(now));
    v
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    pub subject: String,
    pub role: String,
    pub duration: String,
    pub reason: String,
    #[serde(default)]
    pub requested_by: Option<String>,
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<RequestBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let token = require_any(&state, &headers, WHO)?;
    let b = json_body(body)?;
    let now = state.pdp.clock().now();
    let g = {
        let conn = state.conn()?;
        let req = NewRequest {
            subject: &b.subject,
            role: &b.role,
            duration: &b.duration,
            reason: &b.reason,
            requested_by: b.requested_by.as_deref(),
        };
        grants::request(&conn, &state.rules, &req, now)?
    };
    state.audit(
        "grant_request",
        json!({"id": g.id, "subject": g.subject, "role": g.role, "duration_secs": g.duration_secs, "reason": g.reason,
               "requested_by": g.requested_by, "token": token.name}),
    )?;
    Ok((StatusCode::CREATED, Json(view(&g, now))))
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    require_any(&state, &headers, WHO)?;
    let now = state.pdp.clock().now();
    let all = grants::list(&*state.conn()?)?;
    Ok(Json(
        json!({"grants": all.iter().map(|g| view(g, now)).collect::<Vec<_>>()}),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    pub approver: String,
}

pub async fn approve(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<ApproveBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let token = require_any(&state, &headers, WHO)?;
    let b = json_body(body)?;
    let now = state.pdp.clock().now();
    let g = grants::approve(&*state.conn()?, &id, &b.approver, now)?;
    state.audit(
        "grant_approve",
        json!({"id": g.id, "approver": b.approver, "state": g.state(now), "expires_at": g.expires_at.map(|t| t.to_string()), "token": token.name}),
    )?;
    state.refresh_from_db().map_err(ApiError::internal)?;
    Ok(Json(view(&g, now)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenyBody {
    pub by: String,
    #[serde(default)]
    pub reason: Option<String>,
}

pub async fn deny(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<DenyBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let token = require_any(&state, &headers, WHO)?;
    let b = json_body(body)?;
    let now = state.pdp.clock().now();
    let g = grants::deny(&*state.conn()?, &id, &b.by, now)?;
    state.audit(
        "grant_deny",
        json!({"id": g.id, "by": b.by, "reason": b.reason, "token": token.name}),
    )?;
    Ok(Json(view(&g, now)))
}
