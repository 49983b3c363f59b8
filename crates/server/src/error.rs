//! One table from failures to HTTP answers: user errors explain themselves, internal errors say
//! "internal error" with a request id and the details go to the log.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use molehunt_access::grants::GrantError;
use molehunt_access::tokens::TokenError;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            request_id: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "missing or invalid bearer token")
    }

    pub fn forbidden(role: &str, needed: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            format!("a `{role}` token may not call this endpoint (needs `{needed}`)"),
        )
    }

    /// Log the cause under a fresh request id and answer without details.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let id = molehunt_access::tokens::random_hex(8);
        tracing::error!(request_id = %id, error = %cause, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("internal error (request id {id})"),
            request_id: Some(id),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": self.message});
        if let Some(id) = &self.request_id {
            body["request_id"] = json!(id);
        }
        let mut res = (self.status, Json(body)).into_response();
        if let Some(id) = self
            .request_id
            .and_then(|id| HeaderValue::from_str(&id).ok())
        {
            res.headers_mut().insert("x-request-id", id);
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert("www-authenticate", HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<GrantError> for ApiError {
    fn from(e: GrantError) -> Self {
        match e {
            GrantError::Db(db) => ApiError::internal(db),
            GrantError::NotFound(_) => ApiError::not_found(e.to_string()),
            GrantError::NotPending { .. } | GrantError::AlreadyApproved { .. } => {
                ApiError::new(StatusCode::CONFLICT, e.to_string())
            }
            GrantError::SelfApproval(_) => ApiError::new(StatusCode::FORBIDDEN, e.to_string()),
            GrantError::BadRules { .. } => ApiError::internal(e),
            _ => ApiError::bad_request(e.to_string()),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::NotFound(_) => ApiError::not_found(e.to_string()),
            TokenError::AlreadyRevoked(_) => ApiError::new(StatusCode::CONFLICT, e.to_string()),
            TokenError::BadName => ApiError::bad_request(e.to_string()),
            TokenError::Db(_) | TokenError::Random(_) => ApiError::internal(e),
        }
    }
}
