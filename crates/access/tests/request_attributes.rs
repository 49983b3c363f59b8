//! Requests that carry attributes (or gain granted roles) are decided over a slice of the
//! stored entities with the request's attributes merged in, or, when no selected policy's body
//! can look an entity up, over the stored entities standing in for that slice. Either way the
//! answer must be bare Cedar's over all entities with the request's attributes merged in: the
//! attributes here shadow stored ones, add new ones, change their type, and policies read them
//! (or only the context), with and without a schema.
#![allow(clippy::unwrap_used)]

mod common;

use cedar_policy::{Authorizer, Context, Entities, Entity, EntityUid, Request, Schema};
use jiff::{SignedDuration, Timestamp};
use molehunt_access::authzen::EvaluationRequest;
use molehunt_access::grants::GrantWindow;
use molehunt_access::{Pdp, PolicyBundle};
use serde_json::{Map, Value, json};

/// Policies of every kind a body can be: only the context (entity-free), the principal's or
/// the resource's attributes, `in`, an entity-typed attribute, a body that is not boolean.
const POLICIES: &str = r#"
@id("ctx-permit") permit (principal, action == Action::"read", resource) when { context.level < 3 };
@id("ctx-forbid") forbid (principal, action, resource) when { context has tag && context.tag == "blocked" };
@id("level") permit (principal, action == Action::"write", resource) when { principal.level >= 2 };
@id("dept") forbid (principal, action == Action::"write", resource) unless { principal.department == "eng" };
@id("clearance") permit (principal, action == Action::"delete", resource) when { principal has clearance && principal.clearance == "top" };
@id("secret") forbid (principal, action == Action::"read", resource) when { resource.secret && !(principal in Group::"cleared") };
@id("owner") permit (principal, action == Action::"delete", resource) when { resource has owner && resource.owner == principal };
@id("role") permit (principal in Role::"admin", action, resource);
@id("not-bool") permit (principal, action == Action::"read", resource == Document::"d2") when { context.label };
@id("not-bool-role") permit (principal in Role::"admin", action == Action::"list", resource) when { context.label };
"#;

const SCHEMA: &str = r#"
entity Role;
entity Group in [Role];
entity User in [Group, Role] { level: Long, department: String, clearance?: String };
entity Document { secret: Bool, owner?: User };
type Ctx = {
  level: Long, tag?: String, label?: String, jit_roles: Set<String>,
  risk: { known: Bool, score: Long, level: String, flags: Set<String>, network_id?: String },
};
action read, write, delete appliesTo { principal: [User], resource: [Document], context: Ctx };
"#;

/// Without a schema the `not-bool` policy is accepted (it fails when evaluated).
const SCHEMA_POLICIES: &str = r#"
@id("ctx-permit") permit (principal, action == Action::"read", resource) when { context.level < 3 };
@id("ctx-forbid") forbid (principal, action, resource) when { context has tag && context.tag == "blocked" };
@id("level") permit (principal, action == Action::"write", resource) when { principal.level >= 2 };
@id("dept") forbid (principal, action == Action::"write", resource) unless { principal.department == "eng" };
@id("clearance") permit (principal, action == Action::"delete", resource) when { principal has clearance && principal.clearance == "top" };
@id("secret") forbid (principal, action == Action::"read", resource) when { resource.secret && !(principal in Group::"cleared") };
@id("owner") permit (principal, action == Action::"delete", resource) when { resource has owner && resource.owner == principal };
@id("role") permit (principal in Role::"admin", action, resource);
"#;

fn entities() -> Vec<Value> {
    let user = |id: &str, level: i64, dept: &str, groups: &[&str]| {
        let parents: Vec<Value> = groups
            .iter()
            .map(|g| json!({"type": "Group", "id": g}))
            .collect();
        json!({"uid": {"type": "User", "id": id},
               "attrs": {"level": level, "department": dept}, "parents": parents})
    };
    let doc = |id: &str, secret: bool, owner: &str| {
        json!({"uid": {"type": "Document", "id": id},
               "attrs": {"secret": secret, "owner": {"__entity": {"type": "User", "id": owner}}},
               "parents": []})
    };
    vec![
        json!({"uid": {"type": "Role", "id": "admin"}, "attrs": {}, "parents": []}),
        json!({"uid": {"type": "Group", "id": "cleared"}, "attrs": {}, "parents": []}),
        json!({"uid": {"type": "Group", "id": "staff"}, "attrs": {}, "parents": [{"type": "Role", "id": "admin"}]}),
        user("alice", 3, "eng", &["cleared"]),
        user("bob", 1, "ops", &[]),
        user("carol", 2, "eng", &["staff"]),
        doc("d1", true, "alice"),
        doc("d2", false, "bob"),
        doc("d3", false, "carol"),
    ]
}

const USERS: [&str; 3] = ["alice", "bob", "carol"];
const DOCS: [&str; 3] = ["d1", "d2", "d3"];
/// `list` (only without a schema) is decided by policies whose bodies read only the context.
fn actions(typed: bool) -> &'static [&'static str] {
    if typed {
        &["read", "write", "delete"]
    } else {
        &["read", "write", "delete", "list"]
    }
}

/// Subject properties: none, shadowing a stored attribute (same type), adding one, changing a
/// stored attribute's type (only without a schema), several at once.
fn subject_properties(typed: bool) -> Vec<Option<Value>> {
    let mut out = vec![
        None,
        Some(json!({"level": 0})),
        Some(json!({"level": 5})),
        Some(json!({"department": "eng"})),
        Some(json!({"department": "ops", "level": 4})),
        Some(json!({"clearance": "top"})),
        Some(json!({"clearance": "low", "level": 2})),
    ];
    if !typed {
        out.push(Some(json!({"level": "high"})));
        out.push(Some(json!({"department": 7, "extra": [1, 2]})));
    }
    out
}

fn resource_properties(typed: bool) -> Vec<Option<Value>> {
    let mut out = vec![
        None,
        Some(json!({"secret": false})),
        Some(json!({"secret": true})),
    ];
    if !typed {
        out.push(Some(json!({"secret": "yes"})));
    }
    out
}

fn contexts(typed: bool) -> Vec<Value> {
    let mut out = vec![
        json!({"level": 1}),
        json!({"level": 5}),
        json!({"level": 1, "tag": "blocked"}),
    ];
    if !typed {
        out.push(json!({"level": 1, "label": "x"}));
        out.push(json!({"level": 1, "label": true}));
    }
    out
}

/// Bare Cedar over all entities, the request's attributes and the granted role merged in.
fn cedar(
    pdp: &Pdp,
    (base, all): (&[Value], &Entities),
    schema: Option<&Schema>,
    req: &EvaluationRequest,
    role: Option<&str>,
) -> (bool, Vec<String>, Vec<String>) {
    let find = |t: &str, id: &str| {
        base.iter()
            .find(|e| e["uid"]["type"] == t && e["uid"]["id"] == id)
            .unwrap()
            .clone()
    };
    let mut changed = Vec::new();
    let mut user = find("User", &req.subject.id);
    if let Some(r) = role {
        user["parents"]
            .as_array_mut()
            .unwrap()
            .push(json!({"type": "Role", "id": r}));
    }
    let props = req.subject.properties.clone().unwrap_or_default();
    for (k, v) in &props {
        user["attrs"][k] = v.clone();
    }
    if role.is_some() || !props.is_empty() {
        changed.push(user);
    }
    if let Some(props) = &req.resource.properties {
        let mut doc = find("Document", &req.resource.id);
        for (k, v) in props {
            doc["attrs"][k] = v.clone();
        }
        changed.push(doc);
    }
    let changed: Vec<Entity> = changed
        .into_iter()
        .map(|e| Entity::from_json_value(e, schema).unwrap())
        .collect();
    let all = all.clone().upsert_entities(changed, schema).unwrap();
    let mut ctx: Map<String, Value> = req.context.clone().unwrap_or_default();
    ctx.insert(
        "risk".into(),
        json!({"known": false, "score": 0, "level": "unknown", "flags": []}),
    );
    ctx.insert("jit_roles".into(), json!(role.iter().collect::<Vec<_>>()));
    let uid = |t: &str, id: &str| EntityUid::from_json(json!({"type": t, "id": id})).unwrap();
    let action = uid("Action", &req.action.name);
    let context = Context::from_json_value(Value::Object(ctx), schema.map(|s| (s, &action)));
    let request = Request::new(
        uid("User", &req.subject.id),
        action,
        uid("Document", &req.resource.id),
        context.unwrap(),
        schema,
    )
    .unwrap();
    let answer = Authorizer::new().is_authorized(&request, &pdp.snapshot().bundle.policies, &all);
    common::summary(&answer)
}

fn request(
    u: &str,
    a: &str,
    d: &str,
    sp: &Option<Value>,
    rp: &Option<Value>,
    ctx: &Value,
) -> EvaluationRequest {
    let mut subject = json!({"type": "User", "id": u});
    if let Some(p) = sp {
        subject["properties"] = p.clone();
    }
    let mut resource = json!({"type": "Document", "id": d});
    if let Some(p) = rp {
        resource["properties"] = p.clone();
    }
    serde_json::from_value(json!({"subject": subject, "action": {"name": a},
        "resource": resource, "context": ctx}))
    .unwrap()
}

/// Every user, action, document and subject-properties case with every context (resource
/// properties taken in turn), twice (the second time every shape has been seen), against bare
/// Cedar.
fn agree(
    pdp: &Pdp,
    base: &[Value],
    schema: Option<&Schema>,
    role_of: impl Fn(&str) -> Option<&'static str>,
) -> usize {
    let typed = schema.is_some();
    let all = Entities::from_json_value(Value::Array(base.to_vec()), schema).unwrap();
    let rps = resource_properties(typed);
    let mut decided = 0;
    let (mut allowed, mut erred) = (0, 0);
    for _round in 0..2 {
        for u in USERS {
            for &a in actions(typed) {
                for d in DOCS {
                    for sp in subject_properties(typed) {
                        for ctx in contexts(typed) {
                            let rp = &rps[decided % rps.len()];
                            let req = request(u, a, d, &sp, rp, &ctx);
                            let gate = pdp.decide(&req);
                            let mut reasons = gate.policies.clone();
                            reasons.sort();
                            let mut errors = gate.errors.clone();
                            errors.sort();
                            let want = cedar(pdp, (base, &all), schema, &req, role_of(u));
                            assert_eq!((gate.response.decision, reasons, errors), want, "{req:?}");
                            decided += 1;
                            allowed += usize::from(want.0);
                            erred += usize::from(!want.2.is_empty());
                        }
                    }
                }
            }
        }
    }
    assert!(
        allowed > decided / 10 && allowed < decided * 9 / 10,
        "{allowed} of {decided}"
    );
    if !typed {
        assert!(erred > decided / 20, "{erred} of {decided} with errors");
    }
    decided
}

#[test]
fn request_attributes_decide_as_bare_cedar_without_a_schema() {
    let base = entities();
    let pdp = Pdp::new(PolicyBundle::from_text(POLICIES, None, base.clone()).unwrap()).unwrap();
    assert!(agree(&pdp, &base, None, |_| None) > 2000);
}

#[test]
fn request_attributes_and_granted_roles_decide_as_bare_cedar() {
    let base = entities();
    let pdp = Pdp::new(PolicyBundle::from_text(POLICIES, None, base.clone()).unwrap()).unwrap();
    let now = Timestamp::now();
    pdp.set_grants(vec![GrantWindow {
        id: "G-1".into(),
        subject: "User::\"bob\"".into(),
        role: "admin".into(),
        starts_at: now - SignedDuration::from_hours(1),
        expires_at: now + SignedDuration::from_hours(1),
    }]);
    agree(&pdp, &base, None, |u| (u == "bob").then_some("admin"));
}

#[test]
fn request_attributes_decide_as_bare_cedar_with_a_schema() {
    let base = entities();
    let bundle = PolicyBundle::from_text(SCHEMA_POLICIES, Some(SCHEMA), base.clone()).unwrap();
    let schema = bundle.schema.clone().unwrap();
    let pdp = Pdp::new(bundle).unwrap();
    agree(&pdp, &base, Some(&schema), |_| None);
}

/// Only context-reading policies: no slice is built for requests with attributes, yet
/// attributes that do not conform to the schema are still refused with Cedar's errors, also
/// after requests of the conforming shape were decided.
#[test]
fn attributes_are_checked_when_no_policy_reads_them() {
    let policies = r#"
@id("ctx-permit") permit (principal, action == Action::"read", resource) when { context.level < 3 };
@id("ctx-forbid") forbid (principal, action, resource) when { context has tag && context.tag == "blocked" };
"#;
    let fresh =
        || Pdp::new(PolicyBundle::from_text(policies, Some(SCHEMA), entities()).unwrap()).unwrap();
    let warmed = fresh();
    let ctx = json!({"level": 1});
    for u in USERS {
        for sp in subject_properties(true) {
            let r = request(u, "read", "d2", &sp, &None, &ctx);
            let d = warmed.decide(&r);
            assert!(d.response.decision && d.errors.is_empty(), "{r:?}: {d:?}");
        }
    }
    for bad in [
        json!({"level": "high"}),
        json!({"department": 7}),
        json!({"undeclared": "x"}),
        json!({"level": null}),
    ] {
        let r = request("alice", "read", "d2", &Some(bad.clone()), &None, &ctx);
        let (once, again) = (fresh().decide(&r), warmed.decide(&r));
        assert!(!again.response.decision, "{bad}");
        assert!(!again.errors.is_empty(), "{bad}");
        assert_eq!(again.errors, once.errors, "{bad}");
        assert_eq!(again.response, once.response, "{bad}");
    }
}
