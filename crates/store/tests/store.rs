#![allow(clippy::unwrap_used)]
//! Store behaviour through the public API, with reopen-and-verify.

use molehunt_model::{RiskLevel, parse_line};
use molehunt_store::{
    CaseRow, EventStore, EventWriter, EvidenceRow, IngestCounts, NetworkRow, NewEvent, Results,
    Store, StoreOptions,
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

/// A tiny deterministic generator (xorshift) for the many-block tests.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Thousands of events over many blocks and several ingests whose time ranges
/// overlap, with duplicates: the stream comes back in exact analysis order, and
/// per-person and by-id lookups agree with a reference computed here.
#[test]
fn many_blocks_merge_in_analysis_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("m.db")).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut stored: Vec<String> = Vec::new(); // new lines in insertion (seq) order
    let mut seen = std::collections::HashSet::new();
    for ingest_no in 0..3 {
        let mut lines: Vec<String> = Vec::new();
        for i in 0..4_000 {
            let p = rng.next() % 300;
            let line = match rng.next() % 10 {
                0 => format!(
                    r#"{{"type":"person","person_id":"p{p}","full_name":"N {i} {ingest_no}"}}"#
                ),
                1 => format!(r#"{{"type":"account","account_id":"a{p}","person_id":"p{p}"}}"#),
                2 => format!(
                    r#"{{"type":"payout","ts":"2026-03-01T{:02}:{:02}:00Z","person_id":"p{p}","amount":{i},"currency":"USD"}}"#,
                    rng.next() % 24,
                    rng.next() % 60
                ),
                3 if !lines.is_empty() => lines[(rng.next() % lines.len() as u64) as usize].clone(),
                _ => format!(
                    r#"{{"type":"login","ts":"2026-03-01T{:02}:{:02}:{:02}+0{}:00","account_id":"a{p}","ip":"198.51.100.{}"}}"#,
                    rng.next() % 24,
                    rng.next() % 60,
                    rng.next() % 2 * 30,
                    rng.next() % 3,
                    rng.next() % 250
                ),
            };
            lines.push(line);
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let (new, dup) = ingest(&mut store, &refs);
        let mut expect_new = 0;
        for l in &lines {
            if seen.insert(parse_line(l).unwrap().id) {
                stored.push(l.clone());
                expect_new += 1;
            }
        }
        assert_eq!((new, dup), (expect_new, lines.len() as u64 - expect_new));
    }
    assert_eq!(store.event_count().unwrap(), stored.len() as u64);
    // the reference analysis order: untimed in seq order, then (time, seq)
    let key = |seq: usize, l: &str| {
        let r = parse_line(l).unwrap().record;
        (molehunt_store::analysis_time(&r), seq)
    };
    let mut expected: Vec<(Option<i64>, usize)> =
        stored.iter().enumerate().map(|(i, l)| key(i, l)).collect();
    expected.sort();
    let expected: Vec<&str> = expected.iter().map(|&(_, i)| stored[i].as_str()).collect();
    let got = order(&store);
    assert_eq!(got.len(), expected.len());
    assert!(got == expected, "analysis order differs");
    // per person: events naming p7, or naming one of p7's accounts without a person
    let accounts: Vec<String> = store.accounts_of("p7").unwrap();
    let mine: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|l| {
            let r = parse_line(l).unwrap().record;
            match (r.person_id(), r.account_id()) {
                (Some(p), _) => p == "p7",
                (None, Some(a)) => accounts.iter().any(|x| x == a),
                _ => false,
            }
        })
        .collect();
    let timeline: Vec<String> = store
        .events_of_person("p7", None)
        .unwrap()
        .into_iter()
        .map(|e| e.raw)
        .collect();
    assert!(!mine.is_empty());
    assert_eq!(timeline, mine);
    // by id, in the order asked
    let ids: Vec<String> = stored
        .iter()
        .step_by(97)
        .map(|l| parse_line(l).unwrap().id)
        .collect();
    let found = store.events_by_id(&ids).unwrap();
    assert_eq!(found.len(), ids.len());
    for (f, id) in found.iter().zip(&ids) {
        assert_eq!(&f.id, id);
    }
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

/// A store written by schema 1 (one row per event, text indexes) is upgraded in place
/// to event blocks.
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

/// A new store gets the configured page size; an existing one keeps its own.
#[test]
fn page_size_applies_to_new_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let page = |s: &Store| -> i64 {
        s.connection()
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap()
    };
    let path = dir.path().join("p.db");
    let opts = |page_size| StoreOptions {
        page_size,
        ..StoreOptions::default()
    };
    let mut store = Store::open_with(&path, &opts(8192)).unwrap();
    assert_eq!(page(&store), 8192);
    ingest(
        &mut store,
        &[r#"{"type":"account","account_id":"a1","person_id":"p1"}"#],
    );
    drop(store);
    let store = Store::open_with(&path, &opts(65536)).unwrap();
    assert_eq!(page(&store), 8192, "an existing file keeps its page size");
    assert_eq!(store.event_count().unwrap(), 1);
    let fresh = Store::open(&dir.path().join("q.db")).unwrap();
    assert_eq!(page(&fresh), i64::from(StoreOptions::default().page_size));
}

/// An ingest's commit leaves the WAL to a background checkpoint, which copies
/// all of it; the events are there after reopening.
#[test]
fn background_checkpoint_copies_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut store = Store::open(&path).unwrap();
    let lines: Vec<String> = (0..3000)
        .map(|i| {
            format!(
                r#"{{"type":"login","ts":"2026-03-01T10:{:02}:{:02}Z","account_id":"a{}","ip":"203.0.113.9"}}"#,
                (i / 60) % 60,
                i % 60,
                i % 7
            )
        })
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    ingest(&mut store, &refs);
    assert_eq!(
        store.wait_checkpoint().unwrap(),
        None,
        "nothing started yet"
    );
    store.checkpoint_in_background();
    let done = store.wait_checkpoint().unwrap().unwrap();
    assert!(!done.busy);
    assert!(done.wal_frames > 0);
    assert_eq!(done.checkpointed, done.wal_frames);
    // a second one finds nothing new to copy
    store.checkpoint_in_background();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.event_count().unwrap(), 3000);
}
