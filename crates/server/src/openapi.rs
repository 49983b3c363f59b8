//! The OpenAPI 3.1 description, built from [`crate::routes::ENDPOINTS`] (so it cannot miss a
//! route: a test calls every listed endpoint through the router).

use serde_json::{Map, Value, json};

use crate::routes::ENDPOINTS;

fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

fn body_for(method: &str, path: &str) -> Option<Value> {
    let schema = match (method, path) {
        ("post", "/access/v1/evaluation") => {
            json!({"$ref": "#/components/schemas/EvaluationRequest"})
        }
        ("post", "/access/v1/evaluations") => {
            json!({"$ref": "#/components/schemas/EvaluationsRequest"})
        }
        ("post", "/api/v1/grants") => {
            json!({"type": "object", "required": ["subject", "role", "duration", "reason"],
            "properties": {"subject": {"type": "string", "example": "User::\"alice@example.com\""}, "role": {"type": "string"},
                "duration": {"type": "string", "example": "2h"}, "reason": {"type": "string"}, "requested_by": {"type": "string"}}})
        }
        ("post", p) if p.ends_with("/approve") => {
            json!({"type": "object", "required": ["approver"], "properties": {"approver": {"type": "string"}}})
        }
        ("post", p) if p.ends_with("/deny") => {
            json!({"type": "object", "required": ["by"], "properties": {"by": {"type": "string"}, "reason": {"type": "string"}}})
        }
        ("post", p) if p.ends_with("/decisions") => {
            json!({"type": "object", "required": ["decision"],
            "properties": {"decision": {"enum": ["confirmed", "cleared", "escalated", "monitor"]}, "note": {"type": "string"}, "by": {"type": "string"}}})
        }
        ("post", "/admin/v1/tokens") => {
            json!({"type": "object", "required": ["role"], "properties": {"role": {"enum": ["pep", "analyst", "admin"]}, "name": {"type": "string"}}})
        }
        ("post", "/admin/v1/entities") => {
            json!({"type": "array", "items": {"type": "object", "description": "Cedar entity JSON: {uid, attrs, parents}"}})
        }
        ("delete", "/admin/v1/entities") => {
            json!({"type": "object", "required": ["uid"], "properties": {"uid": {"type": "object"}}})
        }
        _ => return None,
    };
    Some(json!({"required": true, "content": {"application/json": {"schema": schema}}}))
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for e in ENDPOINTS {
        let mut op = json!({
            "summary": e.summary,
            "x-molehunt-role": e.role,
            "responses": {
                "200": {"description": "success"},
                "400": {"description": "bad request (the message says why)"},
                "500": {"description": "internal error (with a request id)"}
            }
        });
        if e.role != "public" {
            op["security"] = json!([{"bearer": []}]);
            op["responses"]["401"] = json!({"description": "missing or invalid bearer token"});
            op["responses"]["403"] =
                json!({"description": "the token's role may not call this endpoint"});
        }
        let params = path_params(e.path);
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if let Some(body) = body_for(e.method, e.path) {
            op["requestBody"] = body;
        }
        let entry = paths.entry(e.path.to_string()).or_insert_with(|| json!({}));
        entry[e.method] = op;
    }
    let subject = json!({"type": "object", "required": ["type", "id"], "additionalProperties": true,
        "properties": {"type": {"type": "string"}, "id": {"type": "string"}, "properties": {"type": "object"}}});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Molehunt API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "AuthZEN 1.0 policy decision point on Cedar, cases, just-in-time grants. See docs/gate.md."},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Entity": subject,
                "Action": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "properties": {"type": "object"}}},
                "EvaluationRequest": {"type": "object", "required": ["subject", "action", "resource"], "properties": {
                    "subject": {"$ref": "#/components/schemas/Entity"}, "action": {"$ref": "#/components/schemas/Action"},
                    "resource": {"$ref": "#/components/schemas/Entity"}, "context": {"type": "object"}}},
                "EvaluationsRequest": {"type": "object", "properties": {
                    "subject": {"$ref": "#/components/schemas/Entity"}, "action": {"$ref": "#/components/schemas/Action"},
                    "resource": {"$ref": "#/components/schemas/Entity"}, "context": {"type": "object"},
                    "evaluations": {"type": "array", "items": {"type": "object"}},
                    "options": {"type": "object", "properties": {"evaluations_semantic": {"enum": ["execute_all", "deny_on_first_deny", "permit_on_first_permit"]}}}}},
                "EvaluationResponse": {"type": "object", "required": ["decision"], "properties": {"decision": {"type": "boolean"}, "context": {"type": "object"}}}
            }
        }
    })
}
