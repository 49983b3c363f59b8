//! The OpenAPI description lists every route the router serves, and nothing else.
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use molehunt_server::{ENDPOINTS, ServeOptions, build_state, openapi, router};
use tower::ServiceExt;

#[tokio::test]
async fn every_documented_endpoint_is_routed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.cedar"),
        "permit (principal, action, resource);",
    )
    .unwrap();
    let mut opts = ServeOptions::new(
        dir.path().join("m.db"),
        "127.0.0.1:0".parse().unwrap(),
        dir.path().to_path_buf(),
    );
    opts.ledger = false;
    let state = build_state(&opts).unwrap();
    let doc = openapi::document();
    for e in ENDPOINTS {
        assert!(
            doc["paths"][e.path][e.method].is_object(),
            "{} {} not documented",
            e.method,
            e.path
        );
        let uri = e.path.replace('{', "x").replace('}', "");
        let req = Request::builder()
            .method(e.method.to_uppercase().as_str())
            .uri(&uri)
            .body(Body::empty())
            .unwrap();
        let res = router(state.clone()).oneshot(req).await.unwrap();
        let expected = if e.role == "public" {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(res.status(), expected, "{} {}", e.method, e.path);
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(documented, ENDPOINTS.len());
    // Not listed: not routed.
    let res = router(state)
        .oneshot(
            Request::builder()
                .uri("/api/v1/secret")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
