//! AuthZEN 1.0 endpoints (role `pep`).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use molehunt_access::Role;
use molehunt_access::audit::decision_entry;
use molehunt_access::authzen::{
    BatchAnswer, EvaluationRequest, EvaluationResponse, EvaluationsRequest, EvaluationsResponse,
    PdpMetadata,
};

use crate::auth::require;
use crate::error::ApiError;
use crate::state::AppState;

pub fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(v)| v)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

pub async fn evaluation(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<EvaluationRequest>, JsonRejection>,
) -> Result<Json<EvaluationResponse>, ApiError> {
    let token = require(&state, &headers, Role::Pep)?;
    let req = json_body(body)?;
    let d = state.pdp.decide(&req);
    if let Some(rec) = &state.recorder {
        rec.record(&decision_entry(&req, &d, Some(&token.name)));
    }
    Ok(Json(d.response))
}

pub async fn evaluations(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<EvaluationsRequest>, JsonRejection>,
) -> Result<Json<BatchAnswer>, ApiError> {
    let token = require(&state, &headers, Role::Pep)?;
    let req = json_body(body)?;
    let (batch, list) = state
        .pdp
        .decide_batch(&req)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    if let Some(rec) = &state.recorder {
        for (r, d) in &list {
            rec.record(&decision_entry(r, d, Some(&token.name)));
        }
    }
    let mut answers: Vec<EvaluationResponse> = list.into_iter().map(|(_, d)| d.response).collect();
    Ok(Json(match (batch, answers.pop()) {
        (false, Some(one)) => BatchAnswer::One(one),
        (_, last) => {
            answers.extend(last);
            BatchAnswer::Many(EvaluationsResponse {
                evaluations: answers,
            })
        }
    }))
}

pub async fn configuration(State(state): State<Arc<AppState>>) -> Json<PdpMetadata> {
    Json(PdpMetadata::for_base(&state.base_url))
}
