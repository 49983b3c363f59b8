//! HIRE-REF-UNVERIFIED: references that cannot be verified, or reference
//! contacts shared with other candidates.
//!
//! Logic, over `reference_check` records:
//! - a reference contact (email or phone, normalised as in ID-REUSED-CONTACT)
//!   given by two or more different candidates: high for each candidate (the
//!   same "former manager" vouching for a whole ring);
//! - `verified: false` checks: low from `min_unverified` (default one: a
//!   former employer that went out of business happens to honest people);
//!   medium from `medium_unverified` (default two) when none of the person's
//!   references verified.
//!
//! Source: A22, KB4.

use molehunt_model::{Evidence, Record, Severity, Time};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::id_reused_contact::{norm_email, norm_phone};
use super::{Context, Detector, IxVec, Obs, PersonSet, evidence, list_some, related};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HireRefUnverifiedConfig {
    pub enabled: bool,
    /// Unverified checks that fire (default 1).
    pub min_unverified: u32,
    /// Unverified checks, with none verified, for medium severity (default 2).
    pub medium_unverified: u32,
    /// Candidates sharing one reference contact that fire (default 2).
    pub min_shared: u32,
}

impl Default for HireRefUnverifiedConfig {
    fn default() -> Self {
        HireRefUnverifiedConfig {
            enabled: true,
            min_unverified: 1,
            medium_unverified: 2,
            min_shared: 2,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    verified: u32,
    unverified: u32,
    samples: Samples,
    last: Option<Time>,
}

pub struct HireRefUnverified {
    cfg: HireRefUnverifiedConfig,
    persons: IxVec<PersonState>,
    contacts: FxHashMap<String, PersonSet>,
}

impl HireRefUnverified {
    pub fn new(cfg: HireRefUnverifiedConfig) -> Self {
        HireRefUnverified {
            cfg,
            persons: IxVec::default(),
            contacts: FxHashMap::default(),
        }
    }
}

impl Detector for HireRefUnverified {
    fn id(&self) -> &'static str {
        "HIRE-REF-UNVERIFIED"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["reference_check"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::ReferenceCheck(r) = &obs.event.record else {
            return;
        };
        let Some(p) = obs.person else { return };
        let st = self.persons.at(p);
        if r.verified {
            st.verified += 1;
        } else {
            st.unverified += 1;
            st.samples.push(&obs.event.id);
            st.last = obs.ts;
        }
        let keys = r
            .reference_email
            .as_deref()
            .and_then(norm_email)
            .into_iter()
            .chain(r.reference_phone.as_deref().and_then(norm_phone));
        for k in keys {
            self.contacts
                .entry(k)
                .or_default()
                .add(p, &obs.event.id, obs.ts, 32);
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, st) in self.persons.iter() {
            if st.unverified < self.cfg.min_unverified {
                continue;
            }
            let severity = if st.verified == 0 && st.unverified >= self.cfg.medium_unverified {
                Severity::Medium
            } else {
                Severity::Low
            };
            let detail = format!(
                "{} reference check(s) could not be verified ({} verified)",
                st.unverified, st.verified
            );
            out.push(evidence(
                self.id(),
                ctx,
                p,
                severity,
                detail,
                &st.samples,
                st.last,
            ));
        }
        for (contact, set) in &self.contacts {
            if set.distinct < self.cfg.min_shared {
                continue;
            }
            let persons = set.persons();
            let mut ids: Vec<&str> = persons.iter().map(|&p| ctx.person_id(p)).collect();
            ids.sort_unstable(); // order of arrival must not change the evidence
            let shown = if contact.contains('@') {
                contact.clone()
            } else {
                format!("phone ...{}", &contact[contact.len().saturating_sub(4)..])
            };
            for (p, samples) in &set.members {
                let detail = format!(
                    "reference contact {shown} was given by {} candidates ({})",
                    set.distinct,
                    list_some(&ids, 6)
                );
                let mut e = evidence(
                    self.id(),
                    ctx,
                    *p,
                    Severity::High,
                    detail,
                    samples,
                    set.last,
                );
                e.related = related(ctx, &persons, *p);
                out.push(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn rc(p: &str, verified: bool, email: &str) -> String {
        format!(
            r#"{{"type":"reference_check","person_id":"{p}","ts":"{}","verified":{verified},"reference_email":"{email}"}}"#,
            t(0)
        )
    }

    #[test]
    fn shared_reference_and_unverifiable() {
        let ev = run(
            &mut HireRefUnverified::new(Default::default()),
            &plain(&[
                rc("p1", true, "boss@acme.io"),
                rc("p2", true, "Boss@acme.io"),
            ]),
        );
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].severity, Severity::High);
        let ev = run(
            &mut HireRefUnverified::new(Default::default()),
            &plain(&[rc("p1", false, "a@b.io"), rc("p1", false, "x@y.io")]),
        );
        assert_eq!(ev[0].severity, Severity::Medium);
        let ev = run(
            &mut HireRefUnverified::new(Default::default()),
            &plain(&[rc("p1", false, "a@b.io")]),
        );
        assert_eq!(ev[0].severity, Severity::Low);
    }

    #[test]
    fn one_unreachable_reference_among_good_ones_is_low_and_all_good_is_nothing() {
        let ev = run(
            &mut HireRefUnverified::new(Default::default()),
            &plain(&[rc("p1", false, "a@b.io"), rc("p1", true, "c@d.io")]),
        );
        assert_eq!(ev[0].severity, Severity::Low);
        assert!(
            run(
                &mut HireRefUnverified::new(Default::default()),
                &plain(&[rc("p1", true, "a@b.io")])
            )
            .is_empty()
        );
    }
}
