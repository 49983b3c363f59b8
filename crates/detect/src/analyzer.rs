//! The analyzer: feeds every event to every detector and to link analysis,
//! then collects evidence, builds networks and scores persons.

use molehunt_model::{Enrichment, Event, Evidence, RECORD_TYPES, Record};

use crate::config::{DetectConfig, build_detectors};
use crate::detectors::{AccountIx, Context, Detector, DeviceIx, IpIx, Obs, PersonIx};
use crate::link::{self, LinkState, Network, PreviousNetwork};
use crate::score::{self, PersonScore};
use crate::util::samples::MAX_SAMPLES;

/// The result of one analysis run.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Analysis {
    /// Every known person, sorted by score desc, then person_id.
    pub persons: Vec<PersonScore>,
    /// Networks, sorted by score desc.
    pub networks: Vec<Network>,
    /// All evidence (one item per person and flag; `PersonScore.flags` refer to it).
    pub evidence: Vec<Evidence>,
}

/// Streams events through the detectors and link analysis.
///
/// ```
/// use molehunt_detect::{Analyzer, DetectConfig};
/// use molehunt_model::{parse_line, Enrichment};
/// let mut a = Analyzer::new(DetectConfig::default());
/// let ev = parse_line(r#"{"type":"person","person_id":"p1","full_name":"Ann Lee"}"#).unwrap();
/// a.observe(&ev, &Enrichment::default());
/// let analysis = a.finish(&[]);
/// assert_eq!(analysis.persons.len(), 1);
/// ```
pub struct Analyzer {
    config: DetectConfig,
    ctx: Context,
    detectors: Vec<Box<dyn Detector>>,
    /// Per record type (index in `RECORD_TYPES`), the detectors that read it.
    routes: Vec<Vec<usize>>,
    link: LinkState,
}

impl Analyzer {
    pub fn new(config: DetectConfig) -> Self {
        let detectors = build_detectors(&config);
        let link = LinkState::with_config(&config.link);
        let routes = RECORD_TYPES
            .iter()
            .map(|t| {
                (0..detectors.len())
                    .filter(|&i| detectors[i].kinds().contains(t))
                    .collect()
            })
            .collect();
        Analyzer {
            config,
            ctx: Context::default(),
            detectors,
            routes,
            link,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &DetectConfig {
        &self.config
    }

    /// Feed every stored event once. Order: all records without a time
    /// (person/account/document/payout_method upserts, in ingest order) first,
    /// then timed events in ascending time order.
    pub fn observe(&mut self, event: &Event, enrichment: &Enrichment) {
        let Resolved {
            person,
            account,
            ip,
            device,
        } = resolve(&mut self.ctx, event);
        let ts = event.record.ts();
        if let Some(t) = ts
            && self.ctx.now.is_none_or(|n| t.utc > n.utc)
        {
            self.ctx.now = Some(t);
        }
        let obs = Obs {
            event,
            enrichment,
            person,
            account,
            ts,
            ip,
            device,
        };
        if let Some(route) = self.routes.get(kind_index(&event.record)) {
            for &i in route {
                if let Some(d) = self.detectors.get_mut(i) {
                    d.observe(&self.ctx, &obs);
                }
            }
        }
        self.link
            .observe_account(event, enrichment, account, ip, device);
    }

    /// Finish: run end-of-stream detectors, build networks (keeping ids of
    /// `previous` networks whose membership barely changed), score persons and networks.
    pub fn finish(self, previous: &[PreviousNetwork]) -> Analysis {
        let Analyzer {
            config,
            ctx,
            mut detectors,
            link,
            ..
        } = self;
        let mut evidence = Vec::new();
        for d in &mut detectors {
            d.finish(&ctx, &mut evidence);
        }
        let mut evidence = merge(evidence);
        let mut later = Vec::new();
        for d in &mut detectors {
            d.after(&ctx, &evidence, &mut later);
        }
        if !later.is_empty() {
            evidence.extend(later);
            evidence = merge(evidence);
        }
        let mut networks = link::build_networks(link, &config.link, previous);
        let persons: Vec<(String, Option<String>)> = ctx
            .persons
            .iter()
            .map(|e| {
                (
                    e.id.to_string(),
                    e.person.as_ref().map(|p| p.full_name.clone()),
                )
            })
            .collect();
        let persons = score::score(&persons, &evidence, &mut networks, &config.score);
        Analysis {
            persons,
            networks,
            evidence,
        }
    }
}

/// The index of a record's type in `RECORD_TYPES` (same order as EVENTS.md).
fn kind_index(r: &Record) -> usize {
    match r {
        Record::Person(_) => 0,
        Record::Account(_) => 1,
        Record::Document(_) => 2,
        Record::PayoutMethod(_) => 3,
        Record::Login(_) => 4,
        Record::Activity(_) => 5,
        Record::Payout(_) => 6,
        Record::DeviceReport(_) => 7,
        Record::Shipment(_) => 8,
        Record::Interview(_) => 9,
        Record::ReferenceCheck(_) => 10,
        Record::Commit(_) => 11,
        Record::Referral(_) => 12,
    }
}

/// The identities an event names, as interned indexes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Resolved {
    pub person: Option<PersonIx>,
    pub account: Option<AccountIx>,
    pub ip: Option<IpIx>,
    pub device: Option<DeviceIx>,
}

/// Updates the shared context with an upsert and resolves the event's person,
/// account, IP address and device.
pub(crate) fn resolve(ctx: &mut Context, event: &Event) -> Resolved {
    let ip = ctx.event_ip(&event.record);
    let device = match &event.record {
        Record::Login(l) => l.device_id.as_deref().map(|d| ctx.intern_device(d)),
        Record::DeviceReport(d) => Some(ctx.intern_device(&d.device_id)),
        _ => None,
    };
    let (person, account) = resolve_identity(ctx, event, device);
    Resolved {
        person,
        account,
        ip,
        device,
    }
}

fn resolve_identity(
    ctx: &mut Context,
    event: &Event,
    device: Option<DeviceIx>,
) -> (Option<PersonIx>, Option<AccountIx>) {
    match &event.record {
        Record::Person(p) => {
            let ix = ctx.intern_person(&p.person_id);
            ctx.set_person(ix, p);
            (Some(ix), None)
        }
        Record::Account(a) => {
            let p = ctx.intern_person(&a.person_id);
            let ax = ctx.intern_account(&a.account_id);
            ctx.set_account(ax, p, a);
            (Some(p), Some(ax))
        }
        Record::Document(d) => {
            let p = ctx.intern_person(&d.person_id);
            ctx.add_document(p, &event.id, d);
            (Some(p), None)
        }
        Record::Referral(r) => {
            let p = ctx.intern_person(&r.person_id);
            let by = ctx.intern_person(&r.referred_by);
            ctx.set_referrer(p, by);
            (Some(p), None)
        }
        Record::Login(_) | Record::Activity(_) | Record::Commit(_) => {
            let id = event.record.account_id().unwrap_or_default();
            let ax = match ctx.account_ix(id) {
                Some(ax) => ax,
                None => ctx.intern_account(id),
            };
            let p = ctx.account_person(ax);
            if let (Some(dev), Some(p)) = (device, p) {
                ctx.set_device_person(dev, p);
            }
            (p, Some(ax))
        }
        Record::DeviceReport(d) => {
            let p = match d.person_id.as_deref() {
                Some(id) => {
                    let p = match ctx.person_ix(id) {
                        Some(p) => p,
                        None => ctx.intern_person(id),
                    };
                    if let Some(dev) = device {
                        ctx.set_device_person(dev, p);
                    }
                    Some(p)
                }
                None => device.and_then(|dev| ctx.device_ix_person(dev)),
            };
            (p, None)
        }
        other => {
            let p = other.person_id().map(|id| match ctx.person_ix(id) {
                Some(p) => p,
                None => ctx.intern_person(id),
            });
            (p, None)
        }
    }
}

/// One evidence item per (person, flag): the highest severity wins, details
/// of the others are appended (bounded), event samples and related persons united.
fn merge(mut ev: Vec<Evidence>) -> Vec<Evidence> {
    ev.sort_by(|a, b| {
        (&a.person_id, &a.flag)
            .cmp(&(&b.person_id, &b.flag))
            .then(b.severity.cmp(&a.severity))
    });
    let mut out: Vec<Evidence> = Vec::with_capacity(ev.len());
    let mut extra = 0usize;
    for e in ev {
        match out.last_mut() {
            Some(last) if last.person_id == e.person_id && last.flag == e.flag => {
                extra += 1;
                if extra <= 2 && !last.detail.contains(&e.detail) {
                    last.detail.push_str("; also: ");
                    last.detail.push_str(&e.detail);
                }
                for id in e.events {
                    if last.events.len() < MAX_SAMPLES && !last.events.contains(&id) {
                        last.events.push(id);
                    }
                }
                for r in e.related {
                    if !last.related.contains(&r) {
                        last.related.push(r);
                    }
                }
                if e.at > last.at {
                    last.at = e.at;
                }
            }
            _ => {
                extra = 0;
                out.push(e);
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use molehunt_model::Severity;

    fn ev(flag: &str, p: &str, s: Severity, d: &str, events: &[&str]) -> Evidence {
        Evidence {
            flag: flag.into(),
            person_id: p.into(),
            severity: s,
            detail: d.into(),
            events: events.iter().map(|s| s.to_string()).collect(),
            at: None,
            related: vec![],
        }
    }

    #[test]
    fn routes_follow_record_types() {
        use molehunt_model::parse_line;
        for (i, t) in RECORD_TYPES.iter().enumerate() {
            let line = match *t {
                "person" => r#"{"type":"person","person_id":"p","full_name":"x"}"#.to_string(),
                _ => continue,
            };
            assert_eq!(kind_index(&parse_line(&line).unwrap().record), i);
        }
        let login = parse_line(
            r#"{"type":"login","ts":"2026-01-01T00:00:00Z","account_id":"a","ip":"1.2.3.4"}"#,
        )
        .unwrap();
        assert_eq!(
            RECORD_TYPES[kind_index(&login.record)],
            login.record.type_name()
        );
        // every detector names only real record types
        for d in build_detectors(&DetectConfig::default()) {
            for k in d.kinds() {
                assert!(
                    RECORD_TYPES.contains(k),
                    "{} reads unknown type {k}",
                    d.id()
                );
            }
        }
    }

    #[test]
    fn merges_per_person_and_flag() {
        let out = merge(vec![
            ev("NET-VPN", "p1", Severity::Medium, "a", &["e1"]),
            ev("NET-VPN", "p1", Severity::High, "b", &["e2", "e1"]),
            ev("NET-VPN", "p2", Severity::Low, "c", &[]),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].severity, Severity::High);
        assert_eq!(out[0].detail, "b; also: a");
        assert_eq!(out[0].events, vec!["e2", "e1"]);
    }
}
