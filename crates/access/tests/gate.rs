//! The access gate's library as a user drives it: the shipped default policies, risk, IP class,
//! batches, grants with an injected clock.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use molehunt_access::authzen::{BatchAnswer, EvaluationRequest, EvaluationsRequest};
use molehunt_access::grants::{self, GrantError, GrantRules, NewRequest};
use molehunt_access::risk::{MemoryIpClasses, MemoryRisk};
use molehunt_access::{Clock, ManualClock, Pdp, PolicyBundle, RiskInfo, check_dir};
use molehunt_model::{IpClass, RiskLevel};
use serde_json::json;

fn policies_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies")
}

fn req(v: serde_json::Value) -> EvaluationRequest {
    serde_json::from_value(v).unwrap()
}

fn deploy_by(user: &str, ip: Option<&str>) -> EvaluationRequest {
    let mut ctx = json!({"device": {"managed": true}});
    if let Some(ip) = ip {
        ctx["ip"] = json!(ip);
    }
    req(json!({
        "subject": {"type": "User", "id": user},
        "action": {"name": "deploy"},
        "resource": {"type": "Host", "id": "prod-db-1"},
        "context": ctx
    }))
}

fn risk(person: &str, score: u8, level: RiskLevel) -> RiskInfo {
    RiskInfo {
        person_id: person.into(),
        score,
        level,
        network_id: Some("NET-7".into()),
        flags: vec!["NET-001".into()],
    }
}

#[test]
fn shipped_policies_check_clean() {
    let report = check_dir(&policies_dir()).unwrap();
    assert!(report.is_ok(), "{:?}", report.errors);
    assert!(report.policies >= 7);
    assert_eq!(report.schema_files, 1);
}

#[test]
fn high_risk_person_is_denied_a_privileged_action() {
    let mut risks = MemoryRisk::new();
    risks.insert(risk("P-1", 12, RiskLevel::Low), &["bob@example.com"]);
    let pdp = Pdp::new(PolicyBundle::load(&policies_dir()).unwrap())
        .unwrap()
        .with_risk(Arc::new(risks));
    let ok = pdp.evaluate(&deploy_by("bob@example.com", None));
    assert!(ok.decision, "{ok:?}");

    let mut risks = MemoryRisk::new();
    risks.insert(risk("P-1", 88, RiskLevel::Critical), &["bob@example.com"]);
    let pdp = Pdp::new(PolicyBundle::load(&policies_dir()).unwrap())
        .unwrap()
        .with_risk(Arc::new(risks));
    let denied = pdp.evaluate(&deploy_by("bob@example.com", None));
    assert!(!denied.decision);
    let ctx = denied.context.unwrap();
    assert_eq!(ctx["policies"], json!(["deny-privileged-at-high-risk"]));
    assert_eq!(ctx["risk_level"], json!("critical"));
}

#[test]
fn pep_cannot_lower_the_risk_through_the_context() {
    let mut risks = MemoryRisk::new();
    risks.insert(risk("P-1", 70, RiskLevel::High), &["bob@example.com"]);
    let pdp = Pdp::new(PolicyBundle::load(&policies_dir()).unwrap())
        .unwrap()
        .with_risk(Arc::new(risks));
    let mut r = deploy_by("bob@example.com", None);
    r.context.as_mut().unwrap().insert(
        "risk".into(),
        json!({"known": true, "score": 0, "level": "low", "flags": []}),
    );
    assert!(!pdp.evaluate(&r).decision);
}

#[test]
fn anonymizer_ip_is_denied() {
    let classes = MemoryIpClasses(HashMap::from([(
        "203.0.113.9".parse().unwrap(),
        IpClass::Vpn,
    )]));
    let pdp = Pdp::new(PolicyBundle::load(&policies_dir()).unwrap())
        .unwrap()
        .with_ip_classifier(Arc::new(classes));
    assert!(
        pdp.evaluate(&deploy_by("bob@example.com", Some("198.51.100.1")))
            .decision
    );
    let d = pdp.evaluate(&deploy_by("bob@example.com", Some("203.0.113.9")));
    assert!(!d.decision);
    assert_eq!(d.context.unwrap()["policies"], json!(["deny-anonymizers"]));
}

#[test]
fn source_code_needs_a_managed_device() {
    let pdp = Pdp::new(PolicyBundle::load(&policies_dir()).unwrap()).unwrap();
    let mut r = req(json!({
        "subject": {"type": "User", "id": "alice@example.com"},
        "action": {"name": "write"},
        "resource": {"type": "Repository", "id": "payments"},
        "context": {"device": {"managed": true}}
    }));
    assert!(pdp.evaluate(&r).decision);
    r.context = Some(serde_json::Map::new());
    let d = pdp.evaluate(&r);
    assert!(!d.decision);
    assert_eq!(
        d.context.unwrap()["policies"],
        json!(["require-managed-device-for-source"])
    );
}

#[test]
fn request_properties_are_merged_and_checked_against_the_schema() {
    let pdp = Pdp::new(PolicyBundle::load(&policies_dir()).unwrap()).unwrap();
    // A top-level field of the subject is a property; `department` is declared a String.
    let bad = req(json!({
        "subject": {"type": "User", "id": "alice@example.com", "department": 7},
        "action": {"name": "read"},
        "resource": {"type": "Document", "id": "d1"},
        "context": {}
    }));
    let d = pdp.evaluate(&bad);
    assert!(!d.decision);
    let ctx = d.context.unwrap();
    let error = ctx["error"].as_str().unwrap();
    assert!(error.contains("department"), "{error}");
    let good = req(json!({
        "subject": {"type": "User", "id": "alice@example.com", "properties": {"department": "sales"}},
        "action": {"name": "read"},
        "resource": {"type": "Document", "id": "d1"},
        "context": {}
    }));
    assert!(pdp.evaluate(&good).decision);
}

#[test]
fn action_properties_reach_policies_through_the_context() {
    let bundle = PolicyBundle::from_text(
        r#"@id("get-only") permit (principal, action == Action::"call", resource)
           when { context has action_properties && context.action_properties has method
                  && context.action_properties.method == "GET" };"#,
        None,
        vec![],
    )
    .unwrap();
    let pdp = Pdp::new(bundle).unwrap();
    let call = |props: serde_json::Value, ctx: serde_json::Value| {
        let mut action = json!({"name": "call"});
        if !props.is_null() {
            action["properties"] = props;
        }
        req(json!({
            "subject": {"type": "User", "id": "a"}, "action": action,
            "resource": {"type": "Api", "id": "orders"}, "context": ctx
        }))
    };
    assert!(
        pdp.evaluate(&call(json!({"method": "GET"}), json!({})))
            .decision
    );
    assert!(
        !pdp.evaluate(&call(json!({"method": "POST"}), json!({})))
            .decision
    );
    assert!(!pdp.evaluate(&call(json!(null), json!({}))).decision);
    // The action's properties replace a context key of the same name.
    let spoof = call(
        json!({"method": "POST"}),
        json!({"action_properties": {"method": "GET"}}),
    );
    assert!(!pdp.evaluate(&spoof).decision);

    // With the shipped schema: `method` is declared, anything else is refused with its name.
    let pdp = Pdp::new(PolicyBundle::load(&policies_dir()).unwrap()).unwrap();
    let read = |props: serde_json::Value| {
        req(json!({
            "subject": {"type": "User", "id": "alice@example.com"},
            "action": {"name": "read", "properties": props},
            "resource": {"type": "Document", "id": "d1"},
            "context": {}
        }))
    };
    assert!(pdp.evaluate(&read(json!({"method": "GET"}))).decision);
    let d = pdp.evaluate(&read(json!({"verb": "GET"})));
    assert!(!d.decision);
    let error = d.context.unwrap()["error"].as_str().unwrap().to_string();
    assert!(error.contains("verb"), "{error}");
}

#[test]
fn batch_semantics() {
    let pdp = Pdp::new(PolicyBundle::load(&policies_dir()).unwrap()).unwrap();
    let body = |semantic: &str| -> EvaluationsRequest {
        serde_json::from_value(json!({
            "subject": {"type": "User", "id": "alice@example.com"},
            "context": {"device": {"managed": true}},
            "evaluations": [
                {"action": {"name": "read"}, "resource": {"type": "Document", "id": "a"}},
                {"action": {"name": "deploy"}, "resource": {"type": "Host", "id": "prod-db-1"}},
                {"action": {"name": "read"}, "resource": {"type": "Repository", "id": "payments"}}
            ],
            "options": {"evaluations_semantic": semantic}
        }))
        .unwrap()
    };
    let decisions = |a: BatchAnswer| match a {
        BatchAnswer::Many(m) => m.evaluations.iter().map(|e| e.decision).collect::<Vec<_>>(),
        BatchAnswer::One(_) => panic!("expected a batch"),
    };
    assert_eq!(
        decisions(pdp.evaluate_batch(&body("execute_all")).unwrap()),
        [true, false, true]
    );
    assert_eq!(
        decisions(pdp.evaluate_batch(&body("deny_on_first_deny")).unwrap()),
        [true, false]
    );
    assert_eq!(
        decisions(pdp.evaluate_batch(&body("permit_on_first_permit")).unwrap()),
        [true]
    );
}

#[test]
fn jit_grant_lifecycle_with_injected_clock() {
    let dir = tempfile::tempdir().unwrap();
    let conn = molehunt_access::db::open(&dir.path().join("m.db")).unwrap();
    let rules = GrantRules::load(&policies_dir()).unwrap();
    let start: Timestamp = "2026-11-26T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let pdp = Pdp::new(PolicyBundle::load(&policies_dir()).unwrap())
        .unwrap()
        .with_clock(clock.clone());

    // alice (engineer) cannot deploy to a host.
    assert!(!pdp.evaluate(&deploy_by("alice@example.com", None)).decision);

    let new = NewRequest {
        subject: r#"User::"alice@example.com""#,
        role: "operator",
        duration: "30m",
        reason: "incident 42",
        requested_by: None,
    };
    let g = grants::request(&conn, &rules, &new, clock.now()).unwrap();
    assert_eq!(g.state(clock.now()), "pending");
    // Too long, and self-approval, are refused.
    let long = NewRequest {
        duration: "9h",
        ..new.clone()
    };
    assert!(matches!(
        grants::request(&conn, &rules, &long, clock.now()),
        Err(GrantError::TooLong { .. })
    ));
    let err =
        grants::approve(&conn, &g.id, r#"User::"alice@example.com""#, clock.now()).unwrap_err();
    assert!(matches!(err, GrantError::SelfApproval(_)), "{err}");
    pdp.set_grants(grants::approved_windows(&conn, clock.now()).unwrap());
    assert!(
        !pdp.evaluate(&deploy_by("alice@example.com", None)).decision,
        "pending grants do not apply"
    );

    // Approval by another person grants from now on.
    clock.advance(SignedDuration::from_mins(5));
    let g = grants::approve(&conn, &g.id, r#"User::"bob@example.com""#, clock.now()).unwrap();
    assert_eq!(g.state(clock.now()), "active");
    pdp.set_grants(grants::approved_windows(&conn, clock.now()).unwrap());
    let d = pdp.evaluate(&deploy_by("alice@example.com", None));
    assert!(d.decision, "{d:?}");
    assert_eq!(d.context.unwrap()["jit_roles"], json!(["operator"]));

    // Thirty minutes later it lapses by itself, with no reload.
    clock.advance(SignedDuration::from_mins(30));
    assert!(!pdp.evaluate(&deploy_by("alice@example.com", None)).decision);
    assert_eq!(
        grants::list(&conn).unwrap()[0].state(clock.now()),
        "expired"
    );
}

#[test]
fn admin_grants_need_two_distinct_approvers() {
    let dir = tempfile::tempdir().unwrap();
    let conn = molehunt_access::db::open(&dir.path().join("m.db")).unwrap();
    let rules = GrantRules::load(&policies_dir()).unwrap();
    let now = Timestamp::now();
    let new = NewRequest {
        subject: r#"User::"alice@example.com""#,
        role: "admin",
        duration: "1h",
        reason: "migration",
        requested_by: None,
    };
    let g = grants::request(&conn, &rules, &new, now).unwrap();
    assert_eq!(g.approvals_required, 2);
    let g1 = grants::approve(&conn, &g.id, r#"User::"bob@example.com""#, now).unwrap();
    assert_eq!(g1.state(now), "pending");
    assert!(matches!(
        grants::approve(&conn, &g.id, r#"User::"bob@example.com""#, now),
        Err(GrantError::AlreadyApproved { .. })
    ));
    let g2 = grants::approve(&conn, &g.id, r#"User::"carol@example.com""#, now).unwrap();
    assert_eq!(g2.state(now), "active");
    assert_eq!(g2.approvers.len(), 2);
    assert!(matches!(
        grants::deny(&conn, &g.id, r#"User::"bob@example.com""#, now),
        Err(GrantError::NotPending { .. })
    ));
}

#[test]
fn broken_policy_is_reported_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.cedar"),
        "permit (principal, action, resource);",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad.cedar"),
        "permit (principal, action resource);",
    )
    .unwrap();
    let report = check_dir(dir.path()).unwrap();
    assert_eq!(report.errors.len(), 1);
    assert!(
        report.errors[0].starts_with("bad.cedar: "),
        "{}",
        report.errors[0]
    );
    let err = PolicyBundle::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("bad.cedar"), "{err}");
}

#[test]
fn validation_errors_refuse_the_set() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        policies_dir().join("schema.cedarschema"),
        dir.path().join("schema.cedarschema"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.cedar"),
        "permit (principal, action, resource) when { principal.shoe_size > 3 };",
    )
    .unwrap();
    let report = check_dir(dir.path()).unwrap();
    assert!(!report.is_ok());
    assert!(
        report.errors.iter().any(|e| e.contains("shoe_size")),
        "{:?}",
        report.errors
    );
}

#[test]
fn random_bytes_never_panic_the_loader() {
    use proptest::prelude::*;
    proptest!(ProptestConfig::with_cases(64), |(text in ".{0,200}")| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.cedar"), &text).unwrap();
        std::fs::write(dir.path().join("entities.json"), &text).unwrap();
        let _ = check_dir(dir.path());
        let _ = serde_json::from_str::<EvaluationRequest>(&text);
    });
}
