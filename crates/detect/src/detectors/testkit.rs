//! Test helpers: run one detector over JSON lines, as the analyzer would.

#![allow(clippy::unwrap_used)]

use molehunt_model::{Enrichment, Evidence, IpClass, IpInfo, parse_line};

use super::{Context, Detector, Obs};
use crate::analyzer::resolve;

/// Runs `det` over `(line, enrichment)` pairs and returns its evidence.
pub fn run(det: &mut dyn Detector, items: &[(String, Enrichment)]) -> Vec<Evidence> {
    let mut ctx = Context::default();
    for (line, enr) in items {
        let event = parse_line(line).unwrap();
        let r = resolve(&mut ctx, &event);
        let ts = event.record.ts();
        if let Some(t) = ts
            && ctx.now.is_none_or(|n| t.utc > n.utc)
        {
            ctx.now = Some(t);
        }
        let obs = Obs {
            event: &event,
            enrichment: enr,
            person: r.person,
            account: r.account,
            ts,
            ip: r.ip,
            device: r.device,
        };
        det.observe(&ctx, &obs);
    }
    let mut out = Vec::new();
    det.finish(&ctx, &mut out);
    out
}

/// Lines without enrichment.
pub fn plain(lines: &[String]) -> Vec<(String, Enrichment)> {
    lines
        .iter()
        .map(|l| (l.clone(), Enrichment::default()))
        .collect()
}

/// Enrichment of an IP in `country` of class `class`, ASN `asn`.
pub fn ip(country: &str, asn: u32, class: IpClass) -> Enrichment {
    Enrichment {
        ip: Some(IpInfo {
            country: Some(country.into()),
            asn: Some(asn),
            as_org: Some(format!("AS{asn} org")),
            class,
        }),
        ..Default::default()
    }
}

/// A person record with a claimed country and timezone.
pub fn person(id: &str, name: &str, country: &str, tz: &str) -> String {
    format!(
        r#"{{"type":"person","person_id":"{id}","full_name":"{name}","claimed_country":"{country}","claimed_timezone":"{tz}"}}"#
    )
}

/// An account record of a person.
pub fn account(acc: &str, person: &str) -> String {
    format!(r#"{{"type":"account","account_id":"{acc}","person_id":"{person}","system":"okta"}}"#)
}

/// A login at `ts` (RFC 3339) from `ip`.
pub fn login(acc: &str, ts: &str, ip: &str) -> String {
    format!(r#"{{"type":"login","account_id":"{acc}","ts":"{ts}","ip":"{ip}"}}"#)
}

/// A time `minutes` after 2026-03-02T00:00Z, as RFC 3339.
pub fn t(minutes: i64) -> String {
    let base: jiff::Timestamp = "2026-03-02T00:00:00Z".parse().unwrap();
    let ts = base
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .unwrap();
    ts.to_string()
}
