//! In-process decision latency: 100 policies, 10,000 stored entities, strict schema, risk from a
//! SQLite table behind the server's short-TTL cache, IP class from the bundled intelligence.
//!
//! `cargo bench -p molehunt-access --bench decision` first prints p50/p90/p99/p99.9/max of
//! 200,000 decisions, each timed alone with `Instant` after a warm-up, for the gate
//! (`Pdp::decide`: request mapping, stored entities merged with the request, grants, risk and IP
//! context, Cedar, the answer with reasons) and, in the same run, for the baseline: Cedar's bare
//! `Authorizer::is_authorized` on the same requests (prebuilt, with the same context values)
//! and all 10,000 entities. The ratio is what the gate adds. Criterion's mean-time benchmarks
//! of both follow.
//!
//! Both run on mimalloc, the allocator of the `molehunt` binary that serves the gate.

use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicySet, Request};
use criterion::{Criterion, criterion_group, criterion_main};
use molehunt_access::authzen::EvaluationRequest;
use molehunt_access::{CachedRisk, Pdp, PolicyBundle, RiskInfo, RiskSource};
use molehunt_model::RiskLevel;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Value, json};

/// The `molehunt` binary's allocator, so decisions are timed as the server makes them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USERS: usize = 9_000;
const GROUPS: usize = 50;
const FOLDERS: usize = 50;
const DOCS: usize = 10_000 - USERS - GROUPS - FOLDERS;
const REQUESTS: usize = 10_000;
const SAMPLE: usize = 200_000;

const SCHEMA: &str = r#"
type Risk = { known: Bool, score: Long, level: String, flags: Set<String>, network_id?: String };
type ActionProperties = { method?: String };
type Ctx = {
  risk: Risk, jit_roles: Set<String>, ip?: String, ip_address?: String, ip_class?: String,
  action_properties?: ActionProperties,
};
entity Role;
entity Group in [Role];
entity Folder;
entity User in [Group, Role] { department: String, level: Long };
entity Document in [Folder] { owner: String };
action read, write appliesTo { principal: [User], resource: [Document], context: Ctx };
"#;

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

/// Request `i`: every 4th carries a request attribute (merged into the stored subject), every
/// 5th action properties.
fn request(i: usize) -> EvaluationRequest {
    let mut subject = json!({"type": "User", "id": format!("u{}", (i * 7919) % USERS)});
    if i.is_multiple_of(4) {
        subject["properties"] = json!({"department": "d-request"});
    }
    let mut action = json!({"name": if i.is_multiple_of(3) { "write" } else { "read" }});
    if i.is_multiple_of(5) {
        action["properties"] = json!({"method": "GET"});
    }
    serde_json::from_value(json!({
        "subject": subject,
        "action": action,
        "resource": {"type": "Document", "id": format!("d{}", (i * 104_729) % DOCS)},
        "context": {"ip": if i.is_multiple_of(50) { "185.220.101.1" } else { "198.51.100.7" }}
    }))
    .unwrap_or_else(|e| panic!("bench request: {e}"))
}

/// The risk of every third user in a SQLite table, looked up with a prepared statement as the
/// store does; the server puts the same short-TTL cache in front.
struct SqliteRisk(Mutex<Connection>);

impl SqliteRisk {
    fn new() -> SqliteRisk {
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(
            "CREATE TABLE cases (person_id TEXT PRIMARY KEY, score INTEGER, level TEXT, network_id TEXT, flags TEXT);",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for u in (0..USERS).step_by(3) {
            let flags = json!([format!("FLAG-{:03}", u % 40)]).to_string();
            conn.execute(
                "INSERT INTO cases VALUES (?1, ?2, 'low', NULL, ?3)",
                rusqlite::params![format!("u{u}"), (u % 100) as i64, flags],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
        SqliteRisk(Mutex::new(conn))
    }
}

impl RiskSource for SqliteRisk {
    fn person_risk(&self, subject_id: &str) -> Result<Option<RiskInfo>, String> {
        let conn = self.0.lock().map_err(|e| e.to_string())?;
        let row = conn
            .prepare_cached("SELECT score, flags FROM cases WHERE person_id = ?1")
            .map_err(|e| e.to_string())?
            .query_row([subject_id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .optional()
            .map_err(|e| e.to_string())?;
        Ok(row.map(|(score, flags)| RiskInfo {
            person_id: subject_id.to_string(),
            score: score as u8,
            level: RiskLevel::Low,
            network_id: None,
            flags: serde_json::from_str(&flags).unwrap_or_default(),
        }))
    }
}

fn setup() -> (Pdp, Arc<SqliteRisk>) {
    let bundle = PolicyBundle::from_text(&policies(), Some(SCHEMA), entities())
        .unwrap_or_else(|e| panic!("bench policies: {e}"));
    assert_eq!(bundle.policies.num_of_policies(), 100);
    let risk = Arc::new(SqliteRisk::new());
    // `MOLEHUNT_BENCH_TTL=<seconds>` changes the risk cache's 2 s (to see what the SQLite
    // refreshes cost).
    let ttl = std::env::var("MOLEHUNT_BENCH_TTL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let cached = CachedRisk::new(risk.clone(), Duration::from_secs(ttl));
    let intel = molehunt_intel::IpIntel::bundled().unwrap_or_else(|e| panic!("{e}"));
    let pdp = Pdp::new(bundle)
        .unwrap_or_else(|e| panic!("bench entities: {e}"))
        .with_risk(Arc::new(cached))
        .with_ip_classifier(Arc::new(intel));
    assert_eq!(pdp.snapshot().entities.len(), 10_000);
    (pdp, risk)
}

struct Stats {
    p: [f64; 5],
    permits: usize,
}

fn timed(mut f: impl FnMut(usize) -> bool) -> Stats {
    for i in 0..20_000 {
        black_box(f(i % REQUESTS));
    }
    let mut times = Vec::with_capacity(SAMPLE);
    let mut permits = 0usize;
    for i in 0..SAMPLE {
        let t = Instant::now();
        let allowed = f(i % REQUESTS);
        times.push(t.elapsed().as_nanos() as u64);
        permits += usize::from(allowed);
    }
    times.sort_unstable();
    let q = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize] as f64 / 1000.0;
    Stats {
        p: [q(0.5), q(0.9), q(0.99), q(0.999), q(1.0)],
        permits,
    }
}

/// The request kinds `split` and `MOLEHUNT_BENCH_KIND` tell apart.
const KINDS: [&str; 3] = ["stored", "props", "tor"];

/// A request's kind (index into [`KINDS`]): from a Tor exit (every forbid policy applies), with
/// subject properties (merged with the stored user), or the rest (stored subject).
fn kind(r: &EvaluationRequest) -> usize {
    let tor = r
        .context
        .as_ref()
        .and_then(|c| c.get("ip"))
        .is_some_and(|ip| ip == "185.220.101.1");
    if tor {
        2
    } else {
        usize::from(r.subject.has_attributes())
    }
}

/// Gate latency split by request kind (see [`kind`]).
fn split(pdp: &Pdp, reqs: &[EvaluationRequest]) {
    let mut kinds: [Vec<u64>; 3] = std::array::from_fn(|_| Vec::with_capacity(SAMPLE));
    for i in 0..SAMPLE {
        let r = &reqs[i % REQUESTS];
        let kind = kind(r);
        let t = Instant::now();
        black_box(pdp.decide(r));
        kinds[kind].push(t.elapsed().as_nanos() as u64);
    }
    let names = [
        "stored subject",
        "subject properties",
        "Tor exit (all forbids apply)",
    ];
    debug_assert_eq!(names.len(), KINDS.len());
    for (name, mut times) in names.into_iter().zip(kinds) {
        times.sort_unstable();
        let q = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize] as f64 / 1000.0;
        println!(
            "  gate, {name}: {} decisions: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs",
            times.len(),
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999)
        );
    }
}

fn print(name: &str, s: &Stats) {
    println!(
        "{name}: {SAMPLE} decisions, {} permits: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs, max {:.1} µs",
        s.permits, s.p[0], s.p[1], s.p[2], s.p[3], s.p[4]
    );
}

/// Cedar's inputs for the baseline: the same principal, action, resource and context values as
/// the gate builds (risk from the same source, IP class, no grants).
fn cedar_requests(reqs: &[EvaluationRequest], pdp: &Pdp, risk: &SqliteRisk) -> Vec<Request> {
    let snap = pdp.snapshot();
    let schema = snap.bundle.schema.as_ref();
    let intel = molehunt_intel::IpIntel::bundled().unwrap_or_else(|e| panic!("{e}"));
    let uid = |t: &str, id: &str| -> EntityUid {
        EntityUid::from_json(json!({"type": t, "id": id})).unwrap_or_else(|e| panic!("{e}"))
    };
    reqs.iter()
        .map(|r| {
            let rk = risk
                .person_risk(&r.subject.id)
                .unwrap_or_else(|e| panic!("{e}"));
            let mut ctx = r.context.clone().unwrap_or_default();
            ctx.insert(
                "risk".into(),
                match rk {
                    Some(k) => {
                        json!({"known": true, "score": k.score, "level": "low", "flags": k.flags})
                    }
                    None => json!({"known": false, "score": 0, "level": "unknown", "flags": []}),
                },
            );
            ctx.insert("jit_roles".into(), json!([]));
            if let Some(ip) = ctx.get("ip").and_then(Value::as_str) {
                let class = intel.class(ip.parse().unwrap_or_else(|e| panic!("{e}")));
                ctx.insert("ip_class".into(), json!(class.as_str()));
            }
            if let Some(p) = &r.action.properties {
                ctx.insert("action_properties".into(), Value::Object(p.clone()));
            }
            let action = uid("Action", &r.action.name);
            let context =
                Context::from_json_value(Value::Object(ctx), schema.map(|s| (s, &action)))
                    .unwrap_or_else(|e| panic!("{e}"));
            Request::new(
                uid(&r.subject.kind, &r.subject.id),
                action,
                uid(&r.resource.kind, &r.resource.id),
                context,
                schema,
            )
            .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

/// Decides every request once (see `MOLEHUNT_BENCH=count`).
#[inline(never)]
fn counted(pdp: &Pdp, reqs: &[EvaluationRequest]) -> usize {
    reqs.iter()
        .map(|r| usize::from(black_box(pdp.decide(r).response.decision)))
        .sum()
}

fn bench(c: &mut Criterion) {
    let (pdp, risk) = setup();
    let reqs: Vec<EvaluationRequest> = (0..REQUESTS).map(request).collect();
    // `MOLEHUNT_BENCH=count`: each request decided twice, untimed, for instruction counts
    // that this VM's noise cannot move (`valgrind --tool=callgrind
    // --toggle-collect='decision::counted*'`).
    // `MOLEHUNT_BENCH_KIND=stored|props|tor` counts only the requests of that kind.
    if std::env::var("MOLEHUNT_BENCH").is_ok_and(|v| v == "count") {
        let only = std::env::var("MOLEHUNT_BENCH_KIND").ok().map(|k| {
            KINDS
                .iter()
                .position(|n| *n == k)
                .unwrap_or_else(|| panic!("MOLEHUNT_BENCH_KIND: one of {KINDS:?}"))
        });
        let reqs: Vec<EvaluationRequest> = reqs
            .into_iter()
            .filter(|r| only.is_none_or(|k| kind(r) == k))
            .collect();
        let permits = counted(&pdp, &reqs) + counted(&pdp, &reqs);
        println!("{} decisions, {permits} permits", 2 * reqs.len());
        return;
    }
    // `MOLEHUNT_BENCH=gate`: only the gate's timed decisions (for profiling).
    if std::env::var("MOLEHUNT_BENCH").is_ok_and(|v| v == "gate") {
        let gate = timed(|i| pdp.decide(&reqs[i]).response.decision);
        print("gate Pdp::decide            ", &gate);
        let again = timed(|i| pdp.decide(&reqs[i]).response.decision);
        print("gate Pdp::decide, again     ", &again);
        split(&pdp, &reqs);
        return;
    }

    let snap = pdp.snapshot();
    let pset: PolicySet = snap.bundle.policies.clone();
    let all = Entities::from_json_value(Value::Array(entities()), snap.bundle.schema.as_ref())
        .unwrap_or_else(|e| panic!("{e}"));
    // The schema adds its two action entities.
    assert_eq!(all.iter().count(), 10_000 + 2);
    let cedar_reqs = cedar_requests(&reqs, &pdp, &risk);
    let authorizer = Authorizer::new();

    let base = timed(|i| {
        authorizer
            .is_authorized(&cedar_reqs[i], &pset, &all)
            .decision()
            == cedar_policy::Decision::Allow
    });
    let gate = timed(|i| pdp.decide(&reqs[i]).response.decision);
    println!("100 policies, 10,000 entities, strict schema, {REQUESTS} distinct requests");
    print("baseline cedar is_authorized", &base);
    print("gate Pdp::decide            ", &gate);
    println!(
        "ratio gate/baseline: p50 {:.2}x, p99 {:.2}x; gate p99 target < 50 µs: {}",
        gate.p[0] / base.p[0],
        gate.p[2] / base.p[2],
        if gate.p[2] < 50.0 { "met" } else { "MISSED" }
    );
    assert_eq!(
        base.permits, gate.permits,
        "the gate and bare Cedar agree on every decision"
    );

    let mut g = c.benchmark_group("decision");
    g.measurement_time(Duration::from_secs(3));
    let mut i = 0usize;
    g.bench_function("cedar_is_authorized_baseline", |b| {
        b.iter(|| {
            i = (i + 1) % cedar_reqs.len();
            black_box(authorizer.is_authorized(&cedar_reqs[i], &pset, &all))
        })
    });
    let mut j = 0usize;
    g.bench_function("gate_decide", |b| {
        b.iter(|| {
            j = (j + 1) % reqs.len();
            black_box(pdp.decide(&reqs[j]))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
