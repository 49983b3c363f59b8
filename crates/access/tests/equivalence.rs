//! The gate's shortcuts (policy pre-selection, stored entities handed to Cedar as they are,
//! schema checks remembered by request shape) must not change a single decision: thousands of
//! random requests are decided by the gate and by bare Cedar on all 100 policies and all
//! entities (the request's attributes and granted roles merged in), and must agree on the
//! decision, the deciding policies and the errors.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use cedar_policy::{Authorizer, Context, Entities, Entity, EntityUid, Request, Schema};
use jiff::{SignedDuration, Timestamp};
use molehunt_access::authzen::EvaluationRequest;
use molehunt_access::grants::GrantWindow;
use molehunt_access::risk::MemoryRisk;
use molehunt_access::{Pdp, PolicyBundle, RiskInfo};
use molehunt_model::RiskLevel;
use serde_json::{Map, Value, json};

const SCHEMA: &str = r#"
type Risk = { known: Bool, score: Long, level: String, flags: Set<String>, network_id?: String };
type Ctx = {
  risk: Risk, jit_roles: Set<String>, ip?: String, ip_class?: String,
  action_properties?: { method?: String },
};
entity Role in [Role];
entity Group in [Role];
entity Folder in [Folder];
entity User in [Group, Role] { department: String, level: Long };
entity Document in [Folder] { owner: String, secret: Bool };
action modify;
action read appliesTo { principal: [User], resource: [Document], context: Ctx };
action write, delete in [modify] appliesTo { principal: [User], resource: [Document], context: Ctx };
"#;

const GROUPS: usize = 20;
const FOLDERS: usize = 20;
const ROLES: usize = 5;
const USERS: usize = 300;
const DOCS: usize = 200;
const ACTIONS: [&str; 3] = ["read", "write", "delete"];

/// 100 policies with every kind of scope (`==`, `in`, `is`, `is .. in`, action groups, any)
/// and conditions on the context, the principal's and the resource's attributes.
fn policies() -> String {
    let mut s = String::new();
    let mut n = 0;
    let mut add = |text: String| {
        s.push_str(&format!("@id(\"p{n}\") {text}\n"));
        n += 1;
    };
    for i in 0..40 {
        add(format!(
            "permit (principal in Group::\"g{}\", action == Action::\"{}\", resource in Folder::\"f{}\") when {{ context.risk.score < {} }};",
            i % GROUPS,
            ACTIONS[i % 3],
            (i * 7) % FOLDERS,
            40 + i
        ));
    }
    for i in 0..10 {
        add(format!(
            "permit (principal == User::\"u{}\", action in [Action::\"read\", Action::\"write\"], resource);",
            i * 29
        ));
    }
    for i in 0..10 {
        add(format!(
            "permit (principal is User in Group::\"g{}\", action in Action::\"modify\", resource is Document in Folder::\"f{}\") when {{ principal.level >= 2 }};",
            (i * 3) % GROUPS,
            i % FOLDERS
        ));
    }
    for i in 0..10 {
        add(format!(
            "permit (principal in Role::\"r{}\", action, resource == Document::\"d{}\");",
            i % ROLES,
            i * 17
        ));
    }
    for i in 0..10 {
        add(format!(
            "forbid (principal, action, resource) when {{ context.risk.flags.contains(\"FLAG-{i}\") }};"
        ));
    }
    for i in 0..5 {
        add(format!(
            "forbid (principal is User, action == Action::\"delete\", resource in Folder::\"f{i}\") unless {{ principal.department == \"d{i}\" }};"
        ));
    }
    for _ in 0..5 {
        add("forbid (principal, action, resource is Document) when { resource.secret && !(context has action_properties && context.action_properties has method && context.action_properties.method == \"GET\") };".to_string());
    }
    for i in 0..10 {
        add(format!(
            "permit (principal, action == Action::\"read\", resource in Folder::\"f{}\") when {{ principal.department == \"d{}\" }};",
            (i * 3) % FOLDERS,
            i % 6
        ));
    }
    s
}

fn entities() -> Vec<Value> {
    let mut out = Vec::new();
    for r in 0..ROLES {
        // Roles nest too (r3 in r1 in r0, ...): a granted role brings its ancestors.
        let parents = if r == 0 {
            json!([])
        } else {
            json!([{"type": "Role", "id": format!("r{}", (r - 1) / 2)}])
        };
        out.push(
            json!({"uid": {"type": "Role", "id": format!("r{r}")}, "attrs": {}, "parents": parents}),
        );
    }
    for g in 0..GROUPS {
        let parents = if g % 4 == 0 {
            json!([{"type": "Role", "id": format!("r{}", g % ROLES)}])
        } else {
            json!([])
        };
        out.push(json!({"uid": {"type": "Group", "id": format!("g{g}")}, "attrs": {}, "parents": parents}));
    }
    for f in 0..FOLDERS {
        // Folders nest: f3 is in f1, f1 in f0, ...
        let parents = if f == 0 {
            json!([])
        } else {
            json!([{"type": "Folder", "id": format!("f{}", (f - 1) / 2)}])
        };
        out.push(json!({"uid": {"type": "Folder", "id": format!("f{f}")}, "attrs": {}, "parents": parents}));
    }
    for u in 0..USERS {
        out.push(json!({"uid": {"type": "User", "id": format!("u{u}")},
            "attrs": {"department": format!("d{}", u % 6), "level": (u % 4) as i64},
            "parents": [{"type": "Group", "id": format!("g{}", u % GROUPS)}, {"type": "Group", "id": format!("g{}", (u * 7) % GROUPS)}]}));
    }
    for d in 0..DOCS {
        out.push(json!({"uid": {"type": "Document", "id": format!("d{d}")},
            "attrs": {"owner": format!("u{}", d % USERS), "secret": d % 9 == 0},
            "parents": [{"type": "Folder", "id": format!("f{}", d % FOLDERS)}]}));
    }
    out
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn risk_of(u: usize) -> Option<RiskInfo> {
    (!u.is_multiple_of(3)).then(|| RiskInfo {
        person_id: format!("P-{u}"),
        score: (u * 37 % 100) as u8,
        level: RiskLevel::Low,
        network_id: u.is_multiple_of(5).then(|| "NET-1".to_string()),
        flags: if u.is_multiple_of(4) {
            vec![format!("FLAG-{}", u % 40)]
        } else {
            vec![]
        },
    })
}

fn risk_json(r: &Option<RiskInfo>) -> Value {
    match r {
        Some(r) => {
            let mut v = json!({"known": true, "score": r.score, "level": r.level.as_str(), "flags": r.flags});
            if let Some(n) = &r.network_id {
                v["network_id"] = json!(n);
            }
            v
        }
        None => json!({"known": false, "score": 0, "level": "unknown", "flags": []}),
    }
}

/// The role granted to user `u`, if any.
fn role_of(u: usize) -> Option<String> {
    u.is_multiple_of(11).then(|| format!("r{}", u % ROLES))
}

fn random_request(rng: &mut Rng) -> (EvaluationRequest, usize) {
    let u = rng.below(USERS);
    let mut subject = json!({"type": "User", "id": format!("u{u}")});
    match rng.below(8) {
        0 => subject["properties"] = json!({"department": format!("d{}", rng.below(6))}),
        1 => subject["properties"] = json!({"level": rng.below(4)}),
        _ => {}
    }
    let mut resource = json!({"type": "Document", "id": format!("d{}", rng.below(DOCS))});
    if rng.below(10) == 0 {
        resource["properties"] = json!({"secret": rng.below(2) == 0});
    }
    let mut action = json!({"name": ACTIONS[rng.below(3)]});
    if rng.below(5) == 0 {
        action["properties"] = json!({"method": if rng.below(2) == 0 { "GET" } else { "POST" }});
    }
    let mut ctx = json!({});
    if rng.below(2) == 0 {
        ctx["ip"] = json!("198.51.100.7");
    }
    // Keys the gate writes itself: a request's own values are replaced (or, for `ip_class`
    // without a classifier, dropped), whatever their type.
    match rng.below(12) {
        0 => ctx["risk"] = json!({"known": false, "score": 0}),
        1 => ctx["ip_class"] = json!("residential"),
        2 => ctx["jit_roles"] = json!(null),
        3 => ctx["action_properties"] = json!({"method": "GET"}),
        _ => {}
    }
    let r = serde_json::from_value(json!({
        "subject": subject, "action": action, "resource": resource, "context": ctx
    }))
    .unwrap();
    (r, u)
}

/// Bare Cedar's answer: all policies, all entities with the request's attributes and the
/// granted role merged in, the context the gate documents.
fn cedar_answer(
    req: &EvaluationRequest,
    u: usize,
    base: &[Value],
    all: &Entities,
    schema: &Schema,
    pdp: &Pdp,
) -> (bool, Vec<String>, Vec<String>) {
    let role = role_of(u);
    let merged = req.subject.properties.is_some() || req.resource.properties.is_some();
    let owned;
    let entities = if merged || role.is_some() {
        let d: usize = req.resource.id[1..].parse().unwrap();
        let mut user = base[ROLES + GROUPS + FOLDERS + u].clone();
        let mut doc = base[ROLES + GROUPS + FOLDERS + USERS + d].clone();
        assert_eq!(user["uid"]["id"], req.subject.id.as_str());
        assert_eq!(doc["uid"]["id"], req.resource.id.as_str());
        if let Some(r) = &role {
            user["parents"]
                .as_array_mut()
                .unwrap()
                .push(json!({"type": "Role", "id": r}));
        }
        for (k, v) in req.subject.properties.iter().flatten() {
            user["attrs"][k] = v.clone();
        }
        for (k, v) in req.resource.properties.iter().flatten() {
            doc["attrs"][k] = v.clone();
        }
        let changed = [user, doc].map(|e| Entity::from_json_value(e, Some(schema)).unwrap());
        owned = all.clone().upsert_entities(changed, Some(schema)).unwrap();
        &owned
    } else {
        all
    };
    let mut ctx: Map<String, Value> = req.context.clone().unwrap_or_default();
    ctx.remove("ip_class");
    ctx.insert("risk".into(), risk_json(&risk_of(u)));
    ctx.insert("jit_roles".into(), json!(role.iter().collect::<Vec<_>>()));
    if let Some(p) = &req.action.properties {
        ctx.insert("action_properties".into(), Value::Object(p.clone()));
    }
    let uid = |t: &str, id: &str| EntityUid::from_json(json!({"type": t, "id": id})).unwrap();
    let action = uid("Action", &req.action.name);
    let context = Context::from_json_value(Value::Object(ctx), Some((schema, &action))).unwrap();
    let request = Request::new(
        uid("User", &req.subject.id),
        action,
        uid("Document", &req.resource.id),
        context,
        Some(schema),
    )
    .unwrap();
    let snap = pdp.snapshot();
    let answer = Authorizer::new().is_authorized(&request, &snap.bundle.policies, entities);
    common::summary(&answer)
}

#[test]
fn gate_and_bare_cedar_agree_on_random_requests() {
    let base = entities();
    let bundle = PolicyBundle::from_text(&policies(), Some(SCHEMA), base.clone()).unwrap();
    assert_eq!(bundle.policies.num_of_policies(), 100);
    let schema = bundle.schema.clone().unwrap();
    let mut risks = MemoryRisk::new();
    for u in 0..USERS {
        if let Some(r) = risk_of(u) {
            risks.insert(r, &[format!("u{u}").as_str()]);
        }
    }
    let pdp = Pdp::new(bundle).unwrap().with_risk(Arc::new(risks));
    let now = Timestamp::now();
    pdp.set_grants(
        (0..USERS)
            .filter_map(|u| {
                Some(GrantWindow {
                    id: format!("G-{u}"),
                    subject: format!("User::\"u{u}\""),
                    role: role_of(u)?,
                    starts_at: now - SignedDuration::from_hours(1),
                    expires_at: now + SignedDuration::from_hours(1),
                })
            })
            .collect(),
    );
    let all = Entities::from_json_value(Value::Array(base.clone()), Some(&schema)).unwrap();

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut permits, mut merged, mut granted) = (0, 0, 0);
    let mut decided_by: HashSet<String> = HashSet::new();
    for n in 0..2000 {
        let (req, u) = random_request(&mut rng);
        let gate = pdp.decide(&req);
        let (decision, reasons, errors) = cedar_answer(&req, u, &base, &all, &schema, &pdp);
        let mut gate_reasons = gate.policies.clone();
        gate_reasons.sort();
        let mut gate_errors = gate.errors.clone();
        gate_errors.sort();
        assert_eq!(
            (gate.response.decision, &gate_reasons, &gate_errors),
            (decision, &reasons, &errors),
            "request {n}: {req:?}"
        );
        permits += usize::from(decision);
        merged +=
            usize::from(req.subject.properties.is_some() || req.resource.properties.is_some());
        granted += usize::from(role_of(u).is_some());
        decided_by.extend(reasons);
    }
    // The sample exercises both answers, merged attributes, grants and many policies.
    assert!(permits > 200 && permits < 1800, "{permits} permits");
    assert!(
        merged > 300 && granted > 60,
        "{merged} merged, {granted} granted"
    );
    assert!(
        decided_by.len() > 40,
        "{} deciding policies",
        decided_by.len()
    );
}

/// A request shape the schema check accepted once is not checked again; requests of any other
/// shape (or naming another id of an enumerated type) still are, with Cedar's own errors.
#[test]
fn schema_checks_still_refuse_what_they_refused() {
    let schema = format!(
        "{SCHEMA}\nentity Env enum [\"prod\", \"dev\"];\naction deploy appliesTo {{ principal: [User], resource: [Env], context: Ctx }};"
    );
    let policies = format!(
        "{}\n@id(\"deploy\") permit (principal, action == Action::\"deploy\", resource == Env::\"prod\");",
        policies()
    );
    let fresh = || {
        Pdp::new(PolicyBundle::from_text(&policies, Some(&schema), entities()).unwrap()).unwrap()
    };
    let warmed = fresh();
    let mut rng = Rng(7);
    for _ in 0..300 {
        warmed.decide(&random_request(&mut rng).0);
    }
    let ok = |v: Value| -> EvaluationRequest { serde_json::from_value(v).unwrap() };
    let deploy = |env: &str| {
        ok(
            json!({"subject": {"type": "User", "id": "u1"}, "action": {"name": "deploy"},
            "resource": {"type": "Env", "id": env}}),
        )
    };
    assert!(warmed.decide(&deploy("prod")).response.decision);
    let bad = [
        // context of the wrong type
        json!({"subject": {"type": "User", "id": "u1"}, "action": {"name": "read"},
            "resource": {"type": "Document", "id": "d1"}, "context": {"ip": 7}}),
        json!({"subject": {"type": "User", "id": "u1"}, "action": {"name": "read"},
            "resource": {"type": "Document", "id": "d1"}, "context": {"ip": ["x"]}}),
        json!({"subject": {"type": "User", "id": "u1"}, "action": {"name": "read", "properties": {"method": 1}},
            "resource": {"type": "Document", "id": "d1"}}),
        json!({"subject": {"type": "User", "id": "u1"}, "action": {"name": "read"},
            "resource": {"type": "Document", "id": "d1"}, "context": {"undeclared": "x"}}),
        // undeclared action, wrong principal or resource type
        json!({"subject": {"type": "User", "id": "u1"}, "action": {"name": "erase"},
            "resource": {"type": "Document", "id": "d1"}}),
        json!({"subject": {"type": "Group", "id": "g1"}, "action": {"name": "read"},
            "resource": {"type": "Document", "id": "d1"}}),
        json!({"subject": {"type": "User", "id": "u1"}, "action": {"name": "read"},
            "resource": {"type": "Folder", "id": "f1"}}),
        // attributes of the wrong type
        json!({"subject": {"type": "User", "id": "u1", "properties": {"level": "high"}},
            "action": {"name": "read"}, "resource": {"type": "Document", "id": "d1"}}),
        // an id an enumerated type does not list
        json!({"subject": {"type": "User", "id": "u1"}, "action": {"name": "deploy"},
            "resource": {"type": "Env", "id": "qa"}}),
    ];
    for b in bad {
        let r = ok(b.clone());
        let (once, again) = (fresh().decide(&r), warmed.decide(&r));
        assert!(!again.response.decision, "{b}");
        assert!(!again.errors.is_empty(), "{b}");
        assert_eq!(again.errors, once.errors, "{b}");
        assert_eq!(again.response, once.response, "{b}");
    }
    assert!(warmed.decide(&deploy("dev")).errors.is_empty());
}

/// Policies whose evaluation fails (a missing attribute, an attribute of the wrong type) are
/// skipped with Cedar's own error text, as bare Cedar skips them: no schema, so nothing catches
/// the mistakes before evaluation.
#[test]
fn evaluation_errors_are_cedars() {
    let policies = r#"
@id("needs-level") permit (principal, action, resource) when { principal.level > 1 };
@id("secret") forbid (principal, action == Action::"read", resource) when { resource.secret };
@id("reader") permit (principal is User, action == Action::"read", resource);
@id("owner") permit (principal, action == Action::"write", resource) when { resource.owner == principal };
@id("deleter") permit (principal in Group::"admins", action == Action::"delete", resource) when { principal.level >= 0 };
@id("not-bool") permit (principal, action == Action::"delete", resource is Document) when { principal.level };
@id("unless") forbid (principal, action == Action::"write", resource) unless { resource.secret == false };
@id("no-body") permit (principal == User::"b", action, resource == Document::"d2");
"#;
    let user = |id: &str, attrs: Value| {
        json!({"uid": {"type": "User", "id": id}, "attrs": attrs,
               "parents": [{"type": "Group", "id": "admins"}]})
    };
    let doc = |id: &str, attrs: Value| json!({"uid": {"type": "Document", "id": id}, "attrs": attrs, "parents": []});
    let list = vec![
        json!({"uid": {"type": "Group", "id": "admins"}, "attrs": {}, "parents": []}),
        user("a", json!({"level": 3})),
        user("b", json!({})),
        user("c", json!({"level": "high"})),
        doc(
            "d1",
            json!({"secret": false, "owner": {"__entity": {"type": "User", "id": "a"}}}),
        ),
        doc("d2", json!({})),
        doc("d3", json!({"secret": "yes", "owner": "a"})),
    ];
    let pdp = Pdp::new(PolicyBundle::from_text(policies, None, list.clone()).unwrap()).unwrap();
    let all = Entities::from_json_value(Value::Array(list), None).unwrap();
    let snap = pdp.snapshot();
    let (mut allowed, mut denied, mut erred) = (0, 0, 0);
    for u in ["a", "b", "c"] {
        for d in ["d1", "d2", "d3"] {
            for a in ["read", "write", "delete"] {
                let req: EvaluationRequest = serde_json::from_value(json!({
                    "subject": {"type": "User", "id": u},
                    "action": {"name": a},
                    "resource": {"type": "Document", "id": d},
                }))
                .unwrap();
                let gate = pdp.decide(&req);
                let uid =
                    |t: &str, id: &str| EntityUid::from_json(json!({"type": t, "id": id})).unwrap();
                let request = Request::new(
                    uid("User", u),
                    uid("Action", a),
                    uid("Document", d),
                    Context::empty(),
                    None,
                )
                .unwrap();
                let answer = Authorizer::new().is_authorized(&request, &snap.bundle.policies, &all);
                let (cedar_allows, reasons, errors) = common::summary(&answer);
                let mut gate_reasons = gate.policies.clone();
                gate_reasons.sort();
                let mut gate_errors = gate.errors.clone();
                gate_errors.sort();
                assert_eq!(
                    (gate.response.decision, &gate_reasons, &gate_errors),
                    (cedar_allows, &reasons, &errors),
                    "{u} {a} {d}"
                );
                allowed += usize::from(gate.response.decision);
                denied += usize::from(!gate.response.decision);
                erred += usize::from(!errors.is_empty());
            }
        }
    }
    assert!(
        allowed > 3 && denied > 3 && erred > 10,
        "{allowed} {denied} {erred}"
    );
}
