//! Admin endpoints: tokens, entities, policy reload.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use molehunt_access::entities::entity_uid;
use molehunt_access::{Role, tokens};
use rusqlite::params;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::require;
use crate::error::ApiError;
use crate::routes::authzen::json_body;
use crate::state::{AppState, Reload};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub role: Role,
    pub name: Option<String>,
}

pub async fn token_create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<NewToken>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let admin = require(&state, &headers, Role::Admin)?;
    let b = json_body(body)?;
    let name = b.name.unwrap_or_else(|| format!("{}-token", b.role));
    let (info, secret) = tokens::create(&*state.conn()?, b.role, &name)?;
    state.audit(
        "token_create",
        json!({"id": info.id, "name": info.name, "role": info.role, "by": admin.name}),
    )?;
    state.refresh_from_db().map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": info.id, "name": info.name, "role": info.role, "token": secret})),
    ))
}

pub async fn token_list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    require(&state, &headers, Role::Admin)?;
    let list = tokens::list(&*state.conn()?)?;
    Ok(Json(json!({"tokens": list})))
}

pub async fn token_revoke(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let admin = require(&state, &headers, Role::Admin)?;
    let info = tokens::revoke(&*state.conn()?, &id)?;
    state.audit(
        "token_revoke",
        json!({"id": info.id, "name": info.name, "role": info.role, "by": admin.name}),
    )?;
    state.refresh_from_db().map_err(ApiError::internal)?;
    Ok(Json(json!(info)))
}

pub async fn entities_list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    require(&state, &headers, Role::Admin)?;
    let list = AppState::load_api_entities(&*state.conn()?).map_err(ApiError::internal)?;
    Ok(Json(json!({"entities": list})))
}

/// Insert or replace entities (Cedar entity JSON objects). The whole set is checked against the
/// schema before anything is stored.
pub async fn entities_put(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<Vec<Value>>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let admin = require(&state, &headers, Role::Admin)?;
    let list = json_body(body)?;
    let mut keyed = Vec::with_capacity(list.len());
    for (i, e) in list.into_iter().enumerate() {
        let uid = entity_uid(&e).map_err(|m| ApiError::bad_request(format!("entity {i}: {m}")))?;
        keyed.push((uid.to_string(), e));
    }
    let conn = state.conn()?;
    let mut all = AppState::load_api_entities(&conn).map_err(ApiError::internal)?;
    all.retain(|e| {
        entity_uid(e)
            .map(|u| !keyed.iter().any(|(k, _)| *k == u.to_string()))
            .unwrap_or(true)
    });
    all.extend(keyed.iter().map(|(_, e)| e.clone()));
    state
        .pdp
        .set_api_entities(all)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let now = jiff::Timestamp::now().to_string();
    for (uid, e) in &keyed {
        conn.execute(
            "INSERT INTO access_entities (uid, json, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(uid) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at",
            params![uid, e.to_string(), now],
        )
        .map_err(ApiError::internal)?;
    }
    drop(conn);
    let uids: Vec<&String> = keyed.iter().map(|(k, _)| k).collect();
    state.audit("entities_upsert", json!({"uids": uids, "by": admin.name}))?;
    Ok(Json(json!({"upserted": keyed.len()})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteEntity {
    pub uid: Value,
}

pub async fn entities_delete(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<DeleteEntity>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let admin = require(&state, &headers, Role::Admin)?;
    let b = json_body(body)?;
    let uid = entity_uid(&json!({"uid": b.uid}))
        .map_err(ApiError::bad_request)?
        .to_string();
    let conn = state.conn()?;
    let mut all = AppState::load_api_entities(&conn).map_err(ApiError::internal)?;
    let before = all.len();
    all.retain(|e| entity_uid(e).map(|u| u.to_string() != uid).unwrap_or(true));
    if all.len() == before {
        return Err(ApiError::not_found(format!(
            "no API-managed entity `{uid}`"
        )));
    }
    state
        .pdp
        .set_api_entities(all)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    conn.execute("DELETE FROM access_entities WHERE uid = ?1", params![uid])
        .map_err(ApiError::internal)?;
    drop(conn);
    state.audit("entities_delete", json!({"uid": uid, "by": admin.name}))?;
    Ok(Json(json!({"deleted": uid})))
}

pub async fn reload(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    require(&state, &headers, Role::Admin)?;
    let st = state.clone();
    let outcome = tokio::task::spawn_blocking(move || st.reload_policies(true, "api"))
        .await
        .map_err(ApiError::internal)?;
    Ok(match outcome {
        Reload::Rejected { diagnostics } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "reloaded": false,
                "error": "the new policies were rejected; the previous ones keep serving",
                "diagnostics": diagnostics,
            })),
        ),
        Reload::Reloaded { policies } => (
            StatusCode::OK,
            Json(json!({"reloaded": true, "policies": policies})),
        ),
        Reload::Unchanged => (StatusCode::OK, Json(json!({"reloaded": false}))),
    })
}
