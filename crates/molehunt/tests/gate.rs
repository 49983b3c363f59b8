//! The gate's commands as a user runs them: tokens, policy check, grants, and `serve`.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_molehunt"));
    c.env_remove("MOLEHUNT_DB").env_remove("MOLEHUNT_POLICIES");
    c
}

fn policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn last_line(o: &Output) -> String {
    stdout(o)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn policy_check_reports_diagnostics() {
    let ok = run(&["policy", "check", policies().to_str().unwrap()]);
    assert!(ok.status.success(), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("0 errors"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.cedar"),
        "permit (principal, action, resource) when { principal.x == };",
    )
    .unwrap();
    let bad = run(&["policy", "check", dir.path().to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stdout(&bad).contains("error: bad.cedar"),
        "{}",
        stdout(&bad)
    );
}

#[test]
fn tokens_create_list_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let db = db.to_str().unwrap();
    let o = run(&[
        "token", "create", "--db", db, "--role", "analyst", "--name", "ana",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let secret = last_line(&o);
    assert!(secret.starts_with("mh_") && !secret.contains(' '));
    let list = run(&["token", "list", "--db", db, "--format", "json"]);
    let v: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(v[0]["role"], json!("analyst"));
    assert!(!stdout(&list).contains(&secret), "secrets are never listed");
    assert!(
        run(&["token", "revoke", "--db", db, "ana"])
            .status
            .success()
    );
    let again = run(&["token", "revoke", "--db", db, "ana"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already revoked"));
    let bad = run(&["token", "create", "--db", db, "--role", "root"]);
    assert!(!bad.status.success());
}

#[test]
fn grants_refuse_self_approval() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let db = db.to_str().unwrap();
    let pol = policies();
    let pol = pol.to_str().unwrap();
    let alice = r#"User::"alice@example.com""#;
    let o = run(&[
        "access",
        "request",
        "--db",
        db,
        "--policies",
        pol,
        "--subject",
        alice,
        "--role",
        "operator",
        "--duration",
        "30m",
        "--reason",
        "incident",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let id = last_line(&o);
    assert!(id.starts_with("jit-"), "{id}");
    let own = run(&["access", "approve", "--db", db, &id, "--approver", alice]);
    assert!(!own.status.success());
    assert!(String::from_utf8_lossy(&own.stderr).contains("cannot approve their own request"));
    let ok = run(&[
        "access",
        "approve",
        "--db",
        db,
        &id,
        "--approver",
        r#"User::"bob@example.com""#,
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(stdout(&ok).contains("active"));
    let list = run(&["access", "list", "--db", db, "--format", "json"]);
    let v: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(v[0]["state"], json!("active"));
    let long = run(&[
        "access",
        "request",
        "--db",
        db,
        "--policies",
        pol,
        "--subject",
        alice,
        "--role",
        "admin",
        "--duration",
        "3h",
        "--reason",
        "x",
    ]);
    assert!(String::from_utf8_lossy(&long.stderr).contains("exceeds the maximum"));
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(db: &str, pol: &str) -> (Server, SocketAddr) {
    let mut child = bin()
        .args([
            "serve",
            "--db",
            db,
            "--policies",
            pol,
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected: {line}"));
    (server, addr.parse().unwrap())
}

fn post(addr: SocketAddr, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = body.to_string();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split(' ').nth(1).unwrap().parse().unwrap();
    let body = raw.split_once("\r\n\r\n").unwrap().1;
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn serve_answers_authzen_with_the_default_policies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let db = db.to_str().unwrap();
    let pep = last_line(&run(&["token", "create", "--db", db, "--role", "pep"]));
    let analyst = last_line(&run(&["token", "create", "--db", db, "--role", "analyst"]));
    let (_server, addr) = start_server(db, policies().to_str().unwrap());
    let req = json!({
        "subject": {"type": "User", "id": "bob@example.com"},
        "action": {"name": "deploy"},
        "resource": {"type": "Host", "id": "prod-db-1"},
        "context": {"device": {"managed": true}}
    });
    assert_eq!(post(addr, "/access/v1/evaluation", "mh_bad", &req).0, 401);
    assert_eq!(post(addr, "/access/v1/evaluation", &analyst, &req).0, 403);
    let (st, v) = post(addr, "/access/v1/evaluation", &pep, &req);
    assert_eq!(st, 200);
    assert_eq!(v["decision"], json!(true), "{v}");
    assert_eq!(
        v["context"]["policies"],
        json!(["operators-privileged-hosts"])
    );
}

/// Acceptance: a person whom the core pipeline scores high is denied a privileged action by
/// the shipped default policies, and a low-risk colleague with the same role is not.
#[test]
fn pipeline_high_risk_person_is_denied_privileged_action() {
    use molehunt_engine::{Engine, EngineOptions, IngestOptions, NoProgress};
    use molehunt_model::RiskLevel;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let demo = molehunt_demo::generate(&molehunt_demo::DemoOptions {
        honest: 150,
        ..Default::default()
    });
    let mut engine = Engine::open(&db, EngineOptions::default()).unwrap();
    let text = demo.lines.join("\n");
    engine
        .ingest_reader(
            "demo.jsonl",
            std::io::Cursor::new(text),
            &IngestOptions::default(),
            &NoProgress,
        )
        .unwrap();
    let cases = engine.cases().unwrap();
    let high = cases
        .iter()
        .find(|c| c.level >= RiskLevel::High)
        .expect("the demo has high-risk persons");
    let low = cases
        .iter()
        .rev()
        .find(|c| c.level == RiskLevel::Low)
        .expect("the demo has low-risk persons");
    drop(engine);

    // The default policies, with both persons as operators.
    let pol = dir.path().join("policies");
    std::fs::create_dir(&pol).unwrap();
    for f in ["schema.cedarschema", "00-roles.cedar", "10-risk.cedar"] {
        std::fs::copy(policies().join(f), pol.join(f)).unwrap();
    }
    let mut entities: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(policies().join("entities.json")).unwrap())
            .unwrap();
    for p in [&high.person_id, &low.person_id] {
        entities.push(json!({"uid": {"type": "User", "id": p}, "attrs": {}, "parents": [{"type": "Group", "id": "platform"}]}));
    }
    std::fs::write(
        pol.join("entities.json"),
        Value::Array(entities).to_string(),
    )
    .unwrap();

    let db_s = db.to_str().unwrap();
    let pep = last_line(&run(&["token", "create", "--db", db_s, "--role", "pep"]));
    let (_server, addr) = start_server(db_s, pol.to_str().unwrap());
    let deploy = |who: &str| {
        json!({"subject": {"type": "User", "id": who}, "action": {"name": "deploy"},
               "resource": {"type": "Host", "id": "prod-db-1"}, "context": {"device": {"managed": true}}})
    };
    let (st, v) = post(addr, "/access/v1/evaluation", &pep, &deploy(&low.person_id));
    assert_eq!(st, 200);
    assert_eq!(v["decision"], json!(true), "low-risk operator: {v}");
    let (_, v) = post(
        addr,
        "/access/v1/evaluation",
        &pep,
        &deploy(&high.person_id),
    );
    assert_eq!(v["decision"], json!(false), "high-risk operator: {v}");
    assert_eq!(
        v["context"]["policies"],
        json!(["deny-privileged-at-high-risk"])
    );
}
