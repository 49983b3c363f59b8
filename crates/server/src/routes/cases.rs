//! Analyst endpoints over the detection results: cases, networks, reports, case decisions.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use molehunt_access::Role;
use rusqlite::params;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::CaseSource;
use crate::auth::require;
use crate::error::ApiError;
use crate::routes::authzen::json_body;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default = "default_limit")]
    pub limit: usize,
}

fn default_limit() -> usize {
    100
}

fn source(state: &AppState) -> Result<&Arc<dyn CaseSource>, ApiError> {
    state.cases.as_ref().ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "no detection results are available in this server",
        )
    })
}

pub async fn cases(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    require(&state, &headers, Role::Analyst)?;
    let src = source(&state)?.clone();
    let v = tokio::task::spawn_blocking(move || src.cases(q.limit))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(Json(v))
}

pub async fn networks(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    require(&state, &headers, Role::Analyst)?;
    let src = source(&state)?.clone();
    let v = tokio::task::spawn_blocking(move || src.networks(q.limit))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(Json(v))
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    pub format: Option<String>,
}

pub async fn report(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(person): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    require(&state, &headers, Role::Analyst)?;
    let html = match q.format.as_deref() {
        None | Some("markdown") | Some("md") => false,
        Some("html") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "unknown format `{other}` (expected markdown or html)"
            )));
        }
    };
    let src = source(&state)?.clone();
    let p = person.clone();
    let text = tokio::task::spawn_blocking(move || src.report(&p, html))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let text = text.ok_or_else(|| ApiError::not_found(format!("no case for person `{person}`")))?;
    let ct = if html {
        "text/html; charset=utf-8"
    } else {
        "text/markdown; charset=utf-8"
    };
    Ok(([(header::CONTENT_TYPE, ct)], text).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseDecision {
    /// e.g. `confirmed`, `cleared`, `escalated`, `monitor`
    pub decision: String,
    #[serde(default)]
    pub note: String,
    /// Who decides (an analyst's name or entity); defaults to the token's name.
    #[serde(default)]
    pub by: Option<String>,
}

const DECISIONS: &[&str] = &["confirmed", "cleared", "escalated", "monitor"];

pub async fn decide(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(person): Path<String>,
    body: Result<Json<CaseDecision>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let token = require(&state, &headers, Role::Analyst)?;
    let d = json_body(body)?;
    if !DECISIONS.contains(&d.decision.as_str()) {
        return Err(ApiError::bad_request(format!(
            "unknown decision `{}` (expected one of {})",
            d.decision,
            DECISIONS.join(", ")
        )));
    }
    if person.is_empty() || person.len() > 200 {
        return Err(ApiError::bad_request(
            "person id must be 1 to 200 characters",
        ));
    }
    let by = d.by.unwrap_or_else(|| token.name.clone());
    let at = jiff::Timestamp::now().to_string();
    {
        let conn = state.conn()?;
        conn.execute(
            "INSERT INTO access_case_decisions (person_id, decision, note, by, at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![person, d.decision, d.note, by, at],
        )
        .map_err(ApiError::internal)?;
    }
    state.audit(
        "case_decision",
        json!({"person_id": person, "decision": d.decision, "by": by, "token": token.name}),
    )?;
    Ok(Json(
        json!({"person_id": person, "decision": d.decision, "note": d.note, "by": by, "at": at}),
    ))
}

pub async fn decisions(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(person): Path<String>,
) -> Result<Json<Value>, ApiError> {
    require(&state, &headers, Role::Analyst)?;
    let conn = state.conn()?;
    let mut stmt = conn
        .prepare("SELECT decision, note, by, at FROM access_case_decisions WHERE person_id = ?1 ORDER BY id")
        .map_err(ApiError::internal)?;
    let rows = stmt
        .query_map(params![person], |r| {
            Ok(json!({"decision": r.get::<_, String>(0)?, "note": r.get::<_, String>(1)?, "by": r.get::<_, String>(2)?, "at": r.get::<_, String>(3)?}))
        })
        .map_err(ApiError::internal)?;
    let list: Vec<Value> = rows.collect::<Result<_, _>>().map_err(ApiError::internal)?;
    Ok(Json(json!({"person_id": person, "decisions": list})))
}
