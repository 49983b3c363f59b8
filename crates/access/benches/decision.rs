//! In-process decision latency: 100 policies, 10,000 stored entities.
//!
//! `cargo bench -p molehunt-access --bench decision` prints p50/p99/p99.9 from 200,000 timed
//! decisions (each timed alone with `Instant`, after a warm-up), then runs criterion's
//! mean-time benchmarks. Baseline in the same process: Cedar's `is_authorized` alone on a
//! prebuilt request and the full entity set, so the ratio shows what the gate adds (request
//! mapping, entity slicing, risk context).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicySet, Request};
use criterion::{Criterion, criterion_group, criterion_main};
use molehunt_access::authzen::EvaluationRequest;
use molehunt_access::risk::MemoryRisk;
use molehunt_access::{Pdp, PolicyBundle, RiskInfo};
use molehunt_model::RiskLevel;
use serde_json::{Value, json};

const USERS: usize = 9_000;
const GROUPS: usize = 50;
const FOLDERS: usize = 50;
const DOCS: usize = 10_000 - USERS - GROUPS - FOLDERS;

fn policies() -> String {
    let mut s = String::new();
    for i in 0..90 {
        let g = i % GROUPS;
        let f = (i * 7) % FOLDERS;
        let action = if i % 3 == 0 { "write" } else { "read" };
        s.push_str(&format!(
            "@id(\"p{i}\") permit (principal in Group::\"g{g}\", action == Action::\"{action}\", resource in Folder::\"f{f}\") when {{ context.risk.score < {} }};\n",
            50 + i % 40
        ));
    }
    for i in 0..10 {
        s.push_str(&format!(
            "@id(\"f{i}\") forbid (principal, action, resource) when {{ context.risk.flags.contains(\"FLAG-{i:03}\") || (context has ip_class && context.ip_class == \"tor\") }};\n"
        ));
    }
    s
}

fn entities() -> Vec<Value> {
    let mut out = Vec::with_capacity(10_000);
    for g in 0..GROUPS {
        out.push(
            json!({"uid": {"type": "Group", "id": format!("g{g}")}, "attrs": {}, "parents": []}),
        );
    }
    for f in 0..FOLDERS {
        out.push(
            json!({"uid": {"type": "Folder", "id": format!("f{f}")}, "attrs": {}, "parents": []}),
        );
    }
    for u in 0..USERS {
        out.push(json!({"uid": {"type": "User", "id": format!("u{u}")},
            "attrs": {"department": format!("d{}", u % 20), "level": (u % 5) as i64},
            "parents": [{"type": "Group", "id": format!("g{}", u % GROUPS)}, {"type": "Group", "id": format!("g{}", (u * 13) % GROUPS)}]}));
    }
    for d in 0..DOCS {
        out.push(json!({"uid": {"type": "Document", "id": format!("d{d}")}, "attrs": {"owner": format!("u{}", d % USERS)},
            "parents": [{"type": "Folder", "id": format!("f{}", d % FOLDERS)}]}));
    }
    out
}

fn request(i: usize) -> EvaluationRequest {
    serde_json::from_value(json!({
        "subject": {"type": "User", "id": format!("u{}", (i * 7919) % USERS)},
        "action": {"name": if i.is_multiple_of(3) { "write" } else { "read" }},
        "resource": {"type": "Document", "id": format!("d{}", (i * 104_729) % DOCS)},
        "context": {"ip": "198.51.100.7"}
    }))
    .unwrap_or_else(|e| panic!("bench request: {e}"))
}

fn setup() -> Pdp {
    let bundle = PolicyBundle::from_text(&policies(), None, entities())
        .unwrap_or_else(|e| panic!("bench policies: {e}"));
    assert_eq!(bundle.policies.num_of_policies(), 100);
    let mut risk = MemoryRisk::new();
    for u in (0..USERS).step_by(3) {
        risk.insert(
            RiskInfo {
                person_id: format!("u{u}"),
                score: (u % 100) as u8,
                level: RiskLevel::Low,
                network_id: None,
                flags: vec![format!("FLAG-{:03}", u % 40)],
            },
            &[],
        );
    }
    let pdp = Pdp::new(bundle).unwrap_or_else(|e| panic!("bench entities: {e}"));
    assert_eq!(pdp.snapshot().entities.len(), 10_000);
    pdp.with_risk(Arc::new(risk))
}

fn percentiles(pdp: &Pdp, reqs: &[EvaluationRequest]) {
    for r in reqs.iter().cycle().take(20_000) {
        black_box(pdp.evaluate(r));
    }
    let n = 200_000;
    let mut times = Vec::with_capacity(n);
    let mut permits = 0usize;
    for r in reqs.iter().cycle().take(n) {
        let t = Instant::now();
        let d = pdp.evaluate(r);
        times.push(t.elapsed().as_nanos() as u64);
        permits += usize::from(d.decision);
    }
    times.sort_unstable();
    let p = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize] as f64 / 1000.0;
    println!(
        "gate decision latency over {n} decisions (100 policies, 10,000 entities, {permits} permits): p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, max {:.1} µs",
        p(0.5),
        p(0.9),
        p(0.99),
        p(0.999),
        p(1.0)
    );
}

fn bench(c: &mut Criterion) {
    let pdp = setup();
    let reqs: Vec<EvaluationRequest> = (0..1000).map(request).collect();
    percentiles(&pdp, &reqs);

    // Baseline: Cedar alone on prebuilt inputs with every entity.
    let pset: PolicySet = pdp.snapshot().bundle.policies.clone();
    let all =
        Entities::from_json_value(Value::Array(entities()), None).unwrap_or_else(|e| panic!("{e}"));
    let ctx = Context::from_json_value(
        json!({"risk": {"known": true, "score": 10, "level": "low", "flags": []}, "jit_roles": []}),
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let cedar_req = |i: usize| {
        let r = request(i);
        let uid = |t: &str, id: &str| -> EntityUid {
            format!("{t}::\"{id}\"")
                .parse()
                .unwrap_or_else(|e| panic!("{e}"))
        };
        Request::new(
            uid(&r.subject.kind, &r.subject.id),
            uid("Action", &r.action.name),
            uid(&r.resource.kind, &r.resource.id),
            ctx.clone(),
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let cedar_reqs: Vec<Request> = (0..1000).map(cedar_req).collect();
    let authorizer = Authorizer::new();

    let mut g = c.benchmark_group("decision");
    let mut i = 0usize;
    g.bench_function("cedar_is_authorized_baseline", |b| {
        b.iter(|| {
            i = (i + 1) % cedar_reqs.len();
            black_box(authorizer.is_authorized(&cedar_reqs[i], &pset, &all))
        })
    });
    let mut j = 0usize;
    g.bench_function("gate_evaluate", |b| {
        b.iter(|| {
            j = (j + 1) % reqs.len();
            black_box(pdp.evaluate(&reqs[j]))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
