//! The router and the table of every endpoint (also the source of the OpenAPI description).

pub mod admin;
pub mod authzen;
pub mod cases;
pub mod grants;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

/// Largest request body accepted (AuthZEN batches included).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Longest a request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// One endpoint: method, path (axum syntax), who may call it, what it does.
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    /// `public`, `pep`, `analyst` or `admin` (admin may call everything).
    pub role: &'static str,
    pub summary: &'static str,
}

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "get",
        path: "/healthz",
        role: "public",
        summary: "Liveness: always `{\"status\":\"ok\"}`",
    },
    Endpoint {
        method: "get",
        path: "/openapi.json",
        role: "public",
        summary: "This OpenAPI description",
    },
    Endpoint {
        method: "get",
        path: "/.well-known/authzen-configuration",
        role: "public",
        summary: "AuthZEN PDP metadata",
    },
    Endpoint {
        method: "post",
        path: "/access/v1/evaluation",
        role: "pep",
        summary: "AuthZEN access evaluation: one decision",
    },
    Endpoint {
        method: "post",
        path: "/access/v1/evaluations",
        role: "pep",
        summary: "AuthZEN access evaluations: a batch with defaults and a semantic",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/cases",
        role: "analyst",
        summary: "Cases (persons) ranked by risk; `?limit=`",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/networks",
        role: "analyst",
        summary: "Networks of linked identities; `?limit=`",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/cases/{person_id}/report",
        role: "analyst",
        summary: "Case report; `?format=markdown|html`",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/cases/{person_id}/decisions",
        role: "analyst",
        summary: "Decisions recorded on a case",
    },
    Endpoint {
        method: "post",
        path: "/api/v1/cases/{person_id}/decisions",
        role: "analyst",
        summary: "Record a case decision (`confirmed`, `cleared`, `escalated`, `monitor`)",
    },
    Endpoint {
        method: "get",
        path: "/api/v1/grants",
        role: "analyst",
        summary: "Just-in-time grant requests and their state",
    },
    Endpoint {
        method: "post",
        path: "/api/v1/grants",
        role: "analyst",
        summary: "Request a just-in-time grant",
    },
    Endpoint {
        method: "post",
        path: "/api/v1/grants/{id}/approve",
        role: "analyst",
        summary: "Approve a grant request (never the requester's own)",
    },
    Endpoint {
        method: "post",
        path: "/api/v1/grants/{id}/deny",
        role: "analyst",
        summary: "Deny a grant request",
    },
    Endpoint {
        method: "get",
        path: "/admin/v1/tokens",
        role: "admin",
        summary: "List API tokens (never their secrets)",
    },
    Endpoint {
        method: "post",
        path: "/admin/v1/tokens",
        role: "admin",
        summary: "Create a token; the secret is in this answer only",
    },
    Endpoint {
        method: "delete",
        path: "/admin/v1/tokens/{id}",
        role: "admin",
        summary: "Revoke a token by id or name",
    },
    Endpoint {
        method: "get",
        path: "/admin/v1/entities",
        role: "admin",
        summary: "Entities managed through the API",
    },
    Endpoint {
        method: "post",
        path: "/admin/v1/entities",
        role: "admin",
        summary: "Insert or replace Cedar entities (JSON array)",
    },
    Endpoint {
        method: "delete",
        path: "/admin/v1/entities",
        role: "admin",
        summary: "Delete an API-managed entity (`{\"uid\": {...}}`)",
    },
    Endpoint {
        method: "post",
        path: "/admin/v1/policies/reload",
        role: "admin",
        summary: "Reload the policies directory now",
    },
];

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/healthz",
            get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
        )
        .route(
            "/openapi.json",
            get(|| async { axum::Json(crate::openapi::document()) }),
        )
        .route(
            "/.well-known/authzen-configuration",
            get(authzen::configuration),
        )
        .route("/access/v1/evaluation", post(authzen::evaluation))
        .route("/access/v1/evaluations", post(authzen::evaluations))
        .route("/api/v1/cases", get(cases::cases))
        .route("/api/v1/networks", get(cases::networks))
        .route("/api/v1/cases/{person_id}/report", get(cases::report))
        .route(
            "/api/v1/cases/{person_id}/decisions",
            get(cases::decisions).post(cases::decide),
        )
        .route("/api/v1/grants", get(grants::list).post(grants::create))
        .route("/api/v1/grants/{id}/approve", post(grants::approve))
        .route("/api/v1/grants/{id}/deny", post(grants::deny))
        .route(
            "/admin/v1/tokens",
            get(admin::token_list).post(admin::token_create),
        )
        .route("/admin/v1/tokens/{id}", delete(admin::token_revoke))
        .route(
            "/admin/v1/entities",
            get(admin::entities_list)
                .post(admin::entities_put)
                .delete(admin::entities_delete),
        )
        .route("/admin/v1/policies/reload", post(admin::reload))
        .fallback(|| async { crate::error::ApiError::not_found("no such endpoint") })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
