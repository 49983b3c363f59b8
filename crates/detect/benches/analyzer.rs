//! Pushes ~200k synthetic events (2,000 persons: profiles, accounts,
//! payout methods, logins, activity, device reports, commits) through the
//! Analyzer, detectors + link analysis + scoring, and reports events/s.
//!
//! Run: `cargo bench -p molehunt-detect --bench analyzer`.

#![allow(clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use molehunt_detect::{Analyzer, DetectConfig};
use molehunt_model::{Enrichment, Event, IpClass, IpInfo, parse_line};

const PERSONS: usize = 2_000;
const TIMED_PER_PERSON: usize = 96;

/// A deterministic xorshift generator (no dependency).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn events() -> Vec<(Event, Enrichment)> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::new();
    let base = 1_772_323_200i64; // 2026-03-01T00:00:00Z
    for p in 0..PERSONS {
        out.push(format!(
            r#"{{"type":"person","person_id":"p{p}","full_name":"Worker {p} Name","claimed_country":"US","claimed_timezone":"America/Chicago","email":"w{p}@example.com","address":{{"line1":"{} Main St","city":"Austin","region":"TX","postal_code":"78701","country":"US"}}}}"#,
            p % 1500
        ));
        out.push(format!(
            r#"{{"type":"account","account_id":"a{p}","person_id":"p{p}","system":"okta"}}"#
        ));
        out.push(format!(r#"{{"type":"payout_method","person_id":"p{p}","method":"bank","account_hash":"h{}","holder_name":"Worker {p} Name","bank_country":"US"}}"#, p % 1900));
    }
    let mut timed = Vec::new();
    for p in 0..PERSONS {
        for i in 0..TIMED_PER_PERSON {
            let ts = base + (i as i64) * 1800 + rng.below(600) as i64;
            timed.push((ts, p, i));
        }
    }
    timed.sort_unstable();
    let mut lines_enr = Vec::new();
    for l in out {
        lines_enr.push((l, Enrichment::default()));
    }
    for (ts, p, i) in timed {
        let t = jiff::Timestamp::from_second(ts).unwrap();
        let ip = format!("73.{}.{}.{}", p % 200, (p / 200) % 250, 1 + p % 7);
        let country = if p % 50 == 0 { "KR" } else { "US" };
        let class = if p % 40 == 0 {
            IpClass::Vpn
        } else {
            IpClass::Other
        };
        let enr = Enrichment {
            ip: Some(IpInfo {
                country: Some(country.into()),
                asn: Some(7922),
                as_org: Some("Comcast".into()),
                class,
            }),
            ..Default::default()
        };
        let line = match i % 8 {
            0 => format!(
                r#"{{"type":"login","account_id":"a{p}","ts":"{t}","ip":"{ip}","device_id":"d{p}","mfa_device_id":"m{p}"}}"#
            ),
            7 => format!(
                r#"{{"type":"commit","account_id":"a{p}","ts":"{t}","repo":"org/r{}"}}"#,
                p % 10
            ),
            6 if i % 48 == 6 => {
                lines_enr.push((
                    format!(r#"{{"type":"device_report","device_id":"d{p}","person_id":"p{p}","ts":"{t}","software":["Slack","Zoom"],"locale":"en-US"}}"#),
                    Enrichment::default(),
                ));
                continue;
            }
            _ => format!(
                r#"{{"type":"activity","account_id":"a{p}","ts":"{t}","ip":"{ip}","action":"read"}}"#
            ),
        };
        lines_enr.push((line, enr));
    }
    lines_enr
        .into_iter()
        .map(|(l, e)| (parse_line(&l).unwrap(), e))
        .collect()
}

fn bench(c: &mut Criterion) {
    let evs = events();
    let mut g = c.benchmark_group("analyzer");
    g.sample_size(10);
    g.throughput(Throughput::Elements(evs.len() as u64));
    g.bench_function("observe+finish", |b| {
        b.iter(|| {
            let mut a = Analyzer::new(DetectConfig::default());
            for (e, enr) in &evs {
                a.observe(e, enr);
            }
            a.finish(&[])
        })
    });
    // baseline in the same process: link analysis and scoring with every detector disabled
    let off: String = molehunt_detect::config::SECTIONS
        .iter()
        .map(|s| format!("[{s}]\nenabled = false\n"))
        .collect();
    let baseline = DetectConfig::from_toml_str(&off).unwrap();
    g.bench_function("baseline: link+score, detectors disabled", |b| {
        b.iter(|| {
            let mut a = Analyzer::new(baseline.clone());
            for (e, enr) in &evs {
                a.observe(e, enr);
            }
            a.finish(&[])
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
