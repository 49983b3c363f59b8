#![allow(clippy::unwrap_used)]
//! Store behaviour through the public API, with reopen-and-verify.

use molehunt_model::{RiskLevel, parse_line};
use molehunt_store::{
    CaseRow, EventStore, EventWriter, EvidenceRow, IngestCounts, NetworkRow, NewEvent, Results,
    Store,
};

const LINES: &[&str] = &[
    r#"{"type":"login","ts":"2026-03-02T10:00:00Z","account_id":"a1","ip":"203.0.113.9"}"#,
    r#"{"type":"person","person_id":"p1","full_name":"Ann Lee","extra":{"kept":true}}"#,
    r#"{"type":"login","ts":"2026-03-01T10:00:00+09:00","account_id":"a1","ip":"203.0.113.9"}"#,
    r#"{"type":"account","account_id":"a1","person_id":"p1","created_at":"2026-01-01T00:00:00Z"}"#,
    r#"{"type":"payout","ts":"2026-03-01T12:00:00Z","person_id":"p1","amount":10,"currency":"USD"}"#,
    r#"{"type":"login","ts":"2026-03-02T10:00:00Z","account_id":"a2","ip":"203.0.113.9"}"#,
];

fn ingest(store: &mut Store, lines: &[&str]) -> (u64, u64) {
    let mut w = store.writer("t.jsonl").unwrap();
    let (mut new, mut dup) = (0, 0);
    for l in lines {
        let ev = parse_line(l).unwrap();
        if w.insert(&NewEvent::new(&ev, l)).unwrap() {
            new += 1;
        } else {
            dup += 1;
        }
    }
    w.commit(&IngestCounts {
        lines: lines.len() as u64,
        inserted: new,
        duplicates: dup,
        ..Default::default()
    })
    .unwrap();
    (new, dup)
}

fn order(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    store
        .for_each_event(&mut |e| {
            out.push(e.raw.clone());
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn reingest_adds_nothing_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let mut store = Store::open(&path).unwrap();
    assert_eq!(ingest(&mut store, LINES), (6, 0));
    assert_eq!(ingest(&mut store, LINES), (0, 6));
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.event_count().unwrap(), 6);
    assert_eq!(store.ingests().unwrap().len(), 2);
    assert_eq!(store.account_person("a1").unwrap().as_deref(), Some("p1"));
    // analysis order: upserts in ingest order, then by time (ties by ingest order)
    let got = order(&store);
    assert_eq!(
        got,
        vec![LINES[1], LINES[3], LINES[2], LINES[4], LINES[0], LINES[5]]
    );
    // unknown fields are kept in the raw line
    assert!(got[0].contains(r#""extra":{"kept":true}"#));
}

#[test]
fn dropped_writer_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let mut store = Store::open(&path).unwrap();
    {
        let mut w = store.writer("x").unwrap();
        let ev = parse_line(LINES[0]).unwrap();
        assert!(w.insert(&NewEvent::new(&ev, LINES[0])).unwrap());
    }
    assert_eq!(store.event_count().unwrap(), 0);
    let w = store.writer("y").unwrap();
    w.rollback().unwrap();
    drop(store);
    assert_eq!(Store::open(&path).unwrap().event_count().unwrap(), 0);
}

#[test]
fn events_of_person_include_account_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("m.db")).unwrap();
    ingest(&mut store, LINES);
    let evs = store.events_of_person("p1", None).unwrap();
    let kinds: Vec<&str> = evs.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec!["person", "account", "login", "payout", "login"],
        "a2's login is not p1's"
    );
    assert_eq!(evs[2].ts_offset, Some(9 * 3600));
    assert_eq!(store.events_of_person("p1", Some(2)).unwrap().len(), 2);
    let ids = vec![evs[3].id.clone(), "nope".into(), evs[0].id.clone()];
    let by_id = store.events_by_id(&ids).unwrap();
    assert_eq!(by_id.len(), 2);
    assert_eq!(by_id[0].kind, "payout");
}

fn results() -> Results {
    Results {
        cases: vec![
            CaseRow {
                person_id: "p1".into(),
                score: 91,
                level: RiskLevel::Critical,
                network_id: Some("N-1".into()),
                flags: vec!["NET-VPN".into(), "PAY-SHARED".into()],
                json: r#"{"person_id":"p1"}"#.into(),
            },
            CaseRow {
                person_id: "p2".into(),
                score: 12,
                level: RiskLevel::Low,
                network_id: None,
                flags: vec![],
                json: r#"{"person_id":"p2"}"#.into(),
            },
        ],
        networks: vec![NetworkRow {
            network_id: "N-1".into(),
            score: 90,
            level: RiskLevel::Critical,
            person_ids: vec!["p1".into(), "p3".into()],
            json: "{}".into(),
        }],
        evidence: vec![EvidenceRow {
            person_id: "p1".into(),
            flag: "NET-VPN".into(),
            json: "{}".into(),
        }],
    }
}

#[test]
fn results_replace_and_person_risk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let mut store = Store::open(&path).unwrap();
    ingest(&mut store, LINES);
    store.replace_results(&results()).unwrap();
    store.replace_results(&results()).unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.cases(None, None).unwrap().len(), 2);
    assert_eq!(store.cases(Some(1), None).unwrap()[0].person_id, "p1");
    assert_eq!(
        store.cases(None, Some(RiskLevel::High)).unwrap().len(),
        1,
        "level filter"
    );
    let r = store.person_risk("p1").unwrap().unwrap();
    assert_eq!((r.score, r.level), (91, RiskLevel::Critical));
    assert_eq!(r.flags, vec!["NET-VPN", "PAY-SHARED"]);
    let by_account = store.person_risk("a1").unwrap().unwrap();
    assert_eq!(by_account.person_id, "p1");
    assert!(
        store.person_risk("a2").unwrap().is_none(),
        "a2 has no account record"
    );
    assert!(store.person_risk("zz").unwrap().is_none());
    assert_eq!(store.networks().unwrap()[0].person_ids, vec!["p1", "p3"]);
    assert!(store.network("N-1").unwrap().is_some());
    assert_eq!(store.evidence_of("p1").unwrap().len(), 1);
    let mut empty = Store::open(&path).unwrap();
    empty.replace_results(&Results::default()).unwrap();
    assert!(store.cases(None, None).unwrap().is_empty());
}

#[test]
fn analysis_order_uses_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("m.db")).unwrap();
    let plan: Vec<String> = store
        .connection()
        .prepare("EXPLAIN QUERY PLAN SELECT raw FROM events ORDER BY sort_ts, seq")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter().all(|p| !p.contains("TEMP B-TREE")),
        "no sort: {plan:?}"
    );
}

#[test]
fn events_by_id_find_explicit_and_content_ids() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("m.db")).unwrap();
    let explicit = r#"{"id":"evt-9","type":"login","ts":"2026-03-03T10:00:00Z","account_id":"a1","ip":"203.0.113.9"}"#;
    let mut lines = LINES.to_vec();
    lines.push(explicit);
    ingest(&mut store, &lines);
    let content = parse_line(LINES[4]).unwrap().id;
    let found = store
        .events_by_id(&["evt-9".to_string(), content.clone(), "missing".to_string()])
        .unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].id, "evt-9");
    assert_eq!(found[0].raw, explicit);
    assert_eq!(found[1].id, content);
    assert_eq!(found[1].raw, LINES[4]);
    // the same explicit id with other content is a duplicate: the first version stays
    let other = r#"{"id":"evt-9","type":"login","ts":"2026-03-04T10:00:00Z","account_id":"a1","ip":"203.0.113.9"}"#;
    assert_eq!(ingest(&mut store, &[other]), (0, 1));
    assert_eq!(
        store.events_by_id(&["evt-9".into()]).unwrap()[0].raw,
        explicit
    );
}

/// A store written by schema 1 (text id and person/account indexes) is upgraded in place.
#[test]
fn schema_1_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
             INSERT INTO meta VALUES ('store_schema', '1');
             CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL,
                 sort_ts INTEGER, ts_ns INTEGER, ts_offset INTEGER, person_id TEXT,
                 account_id TEXT, ingest INTEGER NOT NULL, raw TEXT NOT NULL);
             CREATE UNIQUE INDEX events_id ON events(id);
             CREATE INDEX events_order ON events(sort_ts);
             CREATE INDEX events_person ON events(person_id) WHERE person_id IS NOT NULL;
             CREATE INDEX events_account ON events(account_id) WHERE account_id IS NOT NULL;
             CREATE TABLE accounts (account_id TEXT PRIMARY KEY, person_id TEXT NOT NULL,
                 seq INTEGER NOT NULL) WITHOUT ROWID;",
        )
        .unwrap();
        for (i, l) in LINES.iter().enumerate() {
            let ev = parse_line(l).unwrap();
            let r = &ev.record;
            let ts = r.ts().map(|t| t.utc.as_nanosecond() as i64);
            let sort = if molehunt_store::is_upsert(r) {
                None
            } else {
                ts
            };
            c.execute(
                "INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, 1, ?8)",
                rusqlite::params![
                    i as i64 + 1,
                    ev.id,
                    r.type_name(),
                    sort,
                    ts,
                    r.person_id(),
                    r.account_id(),
                    l
                ],
            )
            .unwrap();
        }
        c.execute("INSERT INTO accounts VALUES ('a1', 'p1', 4)", [])
            .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.event_count().unwrap(), 6);
    // identity survives: re-ingesting adds nothing
    assert_eq!(ingest(&mut store, LINES), (0, 6));
    let id = parse_line(LINES[1]).unwrap().id;
    assert_eq!(store.events_by_id(&[id]).unwrap()[0].raw, LINES[1]);
    let timeline = store.events_of_person("p1", None).unwrap();
    assert_eq!(
        timeline.len(),
        5,
        "person, account, payout and a1's two logins"
    );
    assert_eq!(order(&store).len(), 6);
    drop(store);
    Store::open(&path).unwrap();
}
