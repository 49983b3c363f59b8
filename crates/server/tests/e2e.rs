//! End to end: the real server on a free localhost port, spoken to over TCP.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use molehunt_access::{Role, tokens};
use molehunt_server::{Bound, ServeOptions};
use serde_json::{Value, json};

/// One HTTP/1.1 request; returns status and body.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status: u16 = text.split(' ').nth(1).unwrap().parse().unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

const POLICY_V1: &str = r#"
@id("readers") @reason("readers may read")
permit (principal in Role::"reader", action == Action::"read", resource);
"#;
const POLICY_V2: &str = r#"
@id("readers") permit (principal in Role::"reader", action == Action::"read", resource);
@id("writers") permit (principal in Role::"reader", action == Action::"write", resource is Doc);
"#;

fn eval(user: &str, action: &str) -> Value {
    json!({"subject": {"type": "User", "id": user}, "action": {"name": action}, "resource": {"type": "Doc", "id": "d1"}})
}

#[test]
fn server_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let pol = dir.path().join("policies");
    std::fs::create_dir(&pol).unwrap();
    std::fs::write(pol.join("main.cedar"), POLICY_V1).unwrap();
    std::fs::write(
        pol.join("entities.json"),
        json!([{"uid": {"type": "User", "id": "ann"}, "attrs": {}, "parents": [{"type": "Role", "id": "reader"}]}]).to_string(),
    )
    .unwrap();
    let db = dir.path().join("m.db");
    let conn = molehunt_access::db::open(&db).unwrap();
    let (_, pep) = tokens::create(&conn, Role::Pep, "gateway").unwrap();
    let (_, analyst) = tokens::create(&conn, Role::Analyst, "ana").unwrap();
    let (_, admin) = tokens::create(&conn, Role::Admin, "root").unwrap();
    drop(conn);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut opts = ServeOptions::new(db.clone(), addr, pol.clone());
    opts.poll_interval = Duration::from_millis(100);
    let bound = rt.block_on(async { Bound::bind(opts) }).unwrap();
    let addr = bound.addr();
    let handle = bound.handle();
    rt.spawn(bound.run());

    // Public endpoints.
    let (st, body) = http(addr, "GET", "/healthz", None, None);
    assert_eq!((st, json_of(&body)), (200, json!({"status": "ok"})));
    let (st, body) = http(
        addr,
        "GET",
        "/.well-known/authzen-configuration",
        None,
        None,
    );
    assert_eq!(st, 200);
    assert_eq!(
        json_of(&body)["access_evaluation_endpoint"],
        json!(format!("http://{addr}/access/v1/evaluation"))
    );

    // 401 without or with a bad token, 403 with the wrong role.
    assert_eq!(
        http(
            addr,
            "POST",
            "/access/v1/evaluation",
            None,
            Some(&eval("ann", "read"))
        )
        .0,
        401
    );
    assert_eq!(
        http(
            addr,
            "POST",
            "/access/v1/evaluation",
            Some("mh_nope"),
            Some(&eval("ann", "read"))
        )
        .0,
        401
    );
    assert_eq!(
        http(
            addr,
            "POST",
            "/access/v1/evaluation",
            Some(&analyst),
            Some(&eval("ann", "read"))
        )
        .0,
        403
    );
    assert_eq!(
        http(addr, "GET", "/admin/v1/tokens", Some(&pep), None).0,
        403
    );
    assert_eq!(
        http(addr, "GET", "/admin/v1/tokens", Some(&analyst), None).0,
        403
    );

    // 200: single decisions.
    let (st, body) = http(
        addr,
        "POST",
        "/access/v1/evaluation",
        Some(&pep),
        Some(&eval("ann", "read")),
    );
    assert_eq!(st, 200, "{body}");
    let v = json_of(&body);
    assert_eq!(v["decision"], json!(true));
    assert_eq!(v["context"]["policies"], json!(["readers"]));
    assert_eq!(
        v["context"]["reason_admin"]["en"],
        json!("readers may read")
    );
    let (_, body) = http(
        addr,
        "POST",
        "/access/v1/evaluation",
        Some(&admin),
        Some(&eval("bob", "read")),
    );
    assert_eq!(json_of(&body)["decision"], json!(false));
    // Malformed input explains itself.
    let (st, body) = http(
        addr,
        "POST",
        "/access/v1/evaluation",
        Some(&pep),
        Some(&json!({"subject": {"type": "User"}})),
    );
    assert_eq!(st, 400);
    assert!(
        json_of(&body)["error"].as_str().unwrap().contains("id"),
        "{body}"
    );

    // Batch with defaults and a semantic.
    let batch = json!({
        "subject": {"type": "User", "id": "ann"},
        "resource": {"type": "Doc", "id": "d1"},
        "evaluations": [{"action": {"name": "read"}}, {"action": {"name": "write"}}, {"action": {"name": "read"}}],
        "options": {"evaluations_semantic": "deny_on_first_deny"}
    });
    let (st, body) = http(
        addr,
        "POST",
        "/access/v1/evaluations",
        Some(&pep),
        Some(&batch),
    );
    assert_eq!(st, 200, "{body}");
    let list: Vec<bool> = json_of(&body)["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["decision"].as_bool().unwrap())
        .collect();
    assert_eq!(list, [true, false]);

    // A changed policy is picked up (by the poller; the explicit reload makes it deterministic).
    std::fs::write(pol.join("main.cedar"), POLICY_V2).unwrap();
    let (st, body) = http(
        addr,
        "POST",
        "/admin/v1/policies/reload",
        Some(&admin),
        None,
    );
    assert_eq!(st, 200, "{body}");
    let (_, body) = http(
        addr,
        "POST",
        "/access/v1/evaluation",
        Some(&pep),
        Some(&eval("ann", "write")),
    );
    assert_eq!(json_of(&body)["decision"], json!(true), "{body}");

    // A broken file is rejected with its diagnostic; the previous set keeps serving.
    std::fs::write(
        pol.join("broken.cedar"),
        "permit (principal, action resource);",
    )
    .unwrap();
    let (st, body) = http(
        addr,
        "POST",
        "/admin/v1/policies/reload",
        Some(&admin),
        None,
    );
    assert_eq!(st, 422, "{body}");
    assert!(
        json_of(&body)["diagnostics"]
            .as_str()
            .unwrap()
            .contains("broken.cedar"),
        "{body}"
    );
    let (_, body) = http(
        addr,
        "POST",
        "/access/v1/evaluation",
        Some(&pep),
        Some(&eval("ann", "write")),
    );
    assert_eq!(json_of(&body)["decision"], json!(true));

    // The poller notices a fix without being asked (bounded wait, no fixed sleep).
    std::fs::remove_file(pol.join("broken.cedar")).unwrap();
    std::fs::write(pol.join("main.cedar"), POLICY_V1).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, body) = http(
            addr,
            "POST",
            "/access/v1/evaluation",
            Some(&pep),
            Some(&eval("ann", "write")),
        );
        if json_of(&body)["decision"] == json!(false) {
            break;
        }
        assert!(Instant::now() < deadline, "policy change not picked up");
        std::thread::sleep(Duration::from_millis(20));
    }

    // Grants through the API: self-approval refused, another approver grants.
    let req = json!({"subject": "User::\"bob\"", "role": "reader", "duration": "1h", "reason": "on call"});
    let (st, body) = http(addr, "POST", "/api/v1/grants", Some(&analyst), Some(&req));
    assert_eq!(st, 201, "{body}");
    let id = json_of(&body)["id"].as_str().unwrap().to_string();
    let (st, _) = http(
        addr,
        "POST",
        &format!("/api/v1/grants/{id}/approve"),
        Some(&analyst),
        Some(&json!({"approver": "User::\"bob\""})),
    );
    assert_eq!(st, 403);
    let (_, body) = http(
        addr,
        "POST",
        "/access/v1/evaluation",
        Some(&pep),
        Some(&eval("bob", "read")),
    );
    assert_eq!(json_of(&body)["decision"], json!(false));
    let (st, body) = http(
        addr,
        "POST",
        &format!("/api/v1/grants/{id}/approve"),
        Some(&analyst),
        Some(&json!({"approver": "User::\"ann\""})),
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(json_of(&body)["state"], json!("active"));
    let (_, body) = http(
        addr,
        "POST",
        "/access/v1/evaluation",
        Some(&pep),
        Some(&eval("bob", "read")),
    );
    assert_eq!(json_of(&body)["decision"], json!(true), "{body}");

    // Admin: a token made through the API works; revoked, it stops working.
    let (st, body) = http(
        addr,
        "POST",
        "/admin/v1/tokens",
        Some(&admin),
        Some(&json!({"role": "pep", "name": "edge"})),
    );
    assert_eq!(st, 201);
    let created = json_of(&body);
    let edge = created["token"].as_str().unwrap().to_string();
    assert_eq!(
        http(
            addr,
            "POST",
            "/access/v1/evaluation",
            Some(&edge),
            Some(&eval("ann", "read"))
        )
        .0,
        200
    );
    let (st, _) = http(
        addr,
        "DELETE",
        &format!("/admin/v1/tokens/{}", created["id"]),
        Some(&admin),
        None,
    );
    assert_eq!(st, 200);
    assert_eq!(
        http(
            addr,
            "POST",
            "/access/v1/evaluation",
            Some(&edge),
            Some(&eval("ann", "read"))
        )
        .0,
        401
    );

    // Entities through the API.
    let ents = json!([{"uid": {"type": "User", "id": "cy"}, "attrs": {}, "parents": [{"type": "Role", "id": "reader"}]}]);
    assert_eq!(
        http(
            addr,
            "POST",
            "/admin/v1/entities",
            Some(&admin),
            Some(&ents)
        )
        .0,
        200
    );
    let (_, body) = http(
        addr,
        "POST",
        "/access/v1/evaluation",
        Some(&pep),
        Some(&eval("cy", "read")),
    );
    assert_eq!(json_of(&body)["decision"], json!(true));

    // Case decisions (no detection results in this server: cases answer 503).
    let (st, _) = http(
        addr,
        "POST",
        "/api/v1/cases/P-1/decisions",
        Some(&analyst),
        Some(&json!({"decision": "escalated", "note": "shared bank account"})),
    );
    assert_eq!(st, 200);
    let (_, body) = http(
        addr,
        "GET",
        "/api/v1/cases/P-1/decisions",
        Some(&analyst),
        None,
    );
    assert_eq!(
        json_of(&body)["decisions"][0]["decision"],
        json!("escalated")
    );
    assert_eq!(
        http(addr, "GET", "/api/v1/cases", Some(&analyst), None).0,
        503
    );
    assert_eq!(http(addr, "GET", "/nope", Some(&admin), None).0, 404);

    handle.graceful_shutdown(Some(Duration::from_secs(2)));
    drop(rt);

    // Everything went to the ledger: decisions (batched), tokens, grants, reloads, case decisions.
    let kinds = ledger_kinds(&db);
    for k in [
        "access_decision",
        "token_create",
        "token_revoke",
        "grant_request",
        "grant_approve",
        "policy_reload",
        "case_decision",
        "entities_upsert",
    ] {
        assert!(
            kinds.iter().any(|x| x == k),
            "no `{k}` in the ledger: {kinds:?}"
        );
    }
    let decisions = kinds.iter().filter(|k| *k == "access_decision").count();
    assert!(decisions >= 15, "{decisions} decisions recorded");
}

fn ledger_kinds(db: &Path) -> Vec<String> {
    let ledger =
        molehunt_ledger::Ledger::open(db, molehunt_ledger::LedgerOptions::default()).unwrap();
    let size = ledger.size().unwrap();
    ledger
        .entries(0..size)
        .unwrap()
        .into_iter()
        .map(|(_, e)| {
            let v: Value = serde_json::from_slice(&e).unwrap();
            v["kind"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}
