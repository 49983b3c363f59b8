//! HIRE-REFERRAL-RING: a candidate referred by a worker who is themselves
//! flagged.
//!
//! Logic: the referrer of each person comes from the person record's
//! `referred_by` and from `referral` events. After every other detector has
//! finished, a person whose referrer carries evidence of at least
//! `min_referrer_severity` (default high), or at least `min_referrer_flags`
//! distinct flags of medium or more (default 2), gets this flag (medium). The
//! referral flag itself does not count towards the referrer's suspicion, so
//! it never feeds on itself. An honest referral by an unflagged colleague
//! raises nothing.
//!
//! Source: SEAL.

use molehunt_model::{Evidence, Record, Severity};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, PersonIx, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HireReferralRingConfig {
    pub enabled: bool,
    /// A referrer with one flag of this severity or more counts as suspicious (default high).
    pub min_referrer_severity: Severity,
    /// ... or with this many distinct flags of medium or more (default 2).
    pub min_referrer_flags: u32,
}

impl Default for HireReferralRingConfig {
    fn default() -> Self {
        HireReferralRingConfig {
            enabled: true,
            min_referrer_severity: Severity::High,
            min_referrer_flags: 2,
        }
    }
}

pub struct HireReferralRing {
    cfg: HireReferralRingConfig,
    /// The referral event (or person record) behind each person's referrer.
    sources: FxHashMap<PersonIx, Samples>,
}

impl HireReferralRing {
    pub fn new(cfg: HireReferralRingConfig) -> Self {
        HireReferralRing {
            cfg,
            sources: FxHashMap::default(),
        }
    }
}

impl Detector for HireReferralRing {
    fn id(&self) -> &'static str {
        "HIRE-REFERRAL-RING"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["referral", "person"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let referral = match &obs.event.record {
            Record::Referral(_) => true,
            Record::Person(p) => p.referred_by.is_some(),
            _ => false,
        };
        if let (true, Some(p)) = (referral, obs.person) {
            self.sources.entry(p).or_default().push(&obs.event.id);
        }
    }

    fn finish(&mut self, _ctx: &Context, _out: &mut Vec<Evidence>) {}

    fn after(&mut self, ctx: &Context, prior: &[Evidence], out: &mut Vec<Evidence>) {
        // per referrer: strongest flag and the distinct flags of medium or more
        let mut by_person: FxHashMap<&str, (Severity, Vec<&str>)> = FxHashMap::default();
        for e in prior.iter().filter(|e| e.flag != self.id()) {
            let slot = by_person
                .entry(e.person_id.as_str())
                .or_insert((Severity::Low, Vec::new()));
            slot.0 = slot.0.max(e.severity);
            if e.severity >= Severity::Medium && !slot.1.contains(&e.flag.as_str()) {
                slot.1.push(e.flag.as_str());
            }
        }
        for (p, entry) in ctx.persons.iter().enumerate() {
            let Some(r) = entry.referred_by else { continue };
            if r as usize == p {
                continue;
            }
            let rid = ctx.person_id(r);
            let Some((sev, flags)) = by_person.get(rid) else {
                continue;
            };
            if *sev < self.cfg.min_referrer_severity
                && (flags.len() as u32) < self.cfg.min_referrer_flags
            {
                continue;
            }
            let samples = self
                .sources
                .get(&(p as PersonIx))
                .cloned()
                .unwrap_or_default();
            let detail = format!(
                "referred by `{rid}`, who is flagged ({}; strongest {sev})",
                flags.join(", ")
            );
            let mut e = evidence(
                self.id(),
                ctx,
                p as PersonIx,
                Severity::Medium,
                detail,
                &samples,
                None,
            );
            e.related = vec![rid.to_string()];
            out.push(e);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::analyzer::resolve;
    use molehunt_model::parse_line;

    fn ev(p: &str, flag: &str, s: Severity) -> Evidence {
        Evidence {
            flag: flag.into(),
            person_id: p.into(),
            severity: s,
            detail: String::new(),
            events: vec![],
            at: None,
            related: vec![],
        }
    }

    fn ring(prior: &[Evidence]) -> Vec<Evidence> {
        let mut ctx = Context::default();
        let mut d = HireReferralRing::new(Default::default());
        for l in [
            r#"{"type":"person","person_id":"boss","full_name":"A"}"#,
            r#"{"type":"person","person_id":"p2","full_name":"B","referred_by":"boss"}"#,
            r#"{"type":"referral","person_id":"p3","referred_by":"boss","ts":"2026-01-01T00:00:00Z"}"#,
        ] {
            let e = parse_line(l).unwrap();
            let r = resolve(&mut ctx, &e);
            d.observe(
                &ctx,
                &Obs {
                    event: &e,
                    enrichment: &Default::default(),
                    person: r.person,
                    account: r.account,
                    ts: e.record.ts(),
                    ip: r.ip,
                    device: r.device,
                },
            );
        }
        let mut out = Vec::new();
        d.after(&ctx, prior, &mut out);
        out
    }

    #[test]
    fn referred_by_a_flagged_worker() {
        let out = ring(&[ev("boss", "SHIP-FARM", Severity::High)]);
        assert_eq!(out.len(), 2);
        assert!(
            out.iter()
                .all(|e| e.related == vec!["boss".to_string()] && !e.events.is_empty())
        );
        assert_eq!(
            ring(&[
                ev("boss", "NET-VPN", Severity::Medium),
                ev("boss", "PAY-CRYPTO", Severity::Medium)
            ])
            .len(),
            2
        );
    }

    #[test]
    fn referral_by_an_unflagged_or_lightly_flagged_colleague_is_fine() {
        assert!(ring(&[]).is_empty());
        assert!(
            ring(&[
                ev("boss", "EP-RMM", Severity::Low),
                ev("boss", "NET-VPN", Severity::Medium)
            ])
            .is_empty()
        );
        assert!(ring(&[ev("boss", "HIRE-REFERRAL-RING", Severity::High)]).is_empty());
    }
}
