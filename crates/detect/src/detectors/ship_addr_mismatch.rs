//! SHIP-ADDR-MISMATCH: a laptop is shipped to an address other than the
//! identity-document address.
//!
//! Logic: per person, the shipment addresses. At the end they are compared
//! with the person's document addresses (any document carrying an address),
//! or, when no document has one, the profile address. Comparison uses
//! `util::address` normalisation (case, punctuation, whitespace,
//! St/Street, Apt/#/Unit/Suite, N/North ...) and tolerates fields missing on
//! one side. No match fires the flag (medium).
//!
//! Source: A22.

use molehunt_model::{Address, Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::address::same_place;
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShipAddrMismatchConfig {
    pub enabled: bool,
    /// Compare with the profile address when no document has one (default true).
    pub use_profile_address: bool,
}

impl Default for ShipAddrMismatchConfig {
    fn default() -> Self {
        ShipAddrMismatchConfig {
            enabled: true,
            use_profile_address: true,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    shipments: Vec<(Address, Samples, Option<Time>)>,
}

pub struct ShipAddrMismatch {
    cfg: ShipAddrMismatchConfig,
    persons: IxVec<PersonState>,
}

impl ShipAddrMismatch {
    pub fn new(cfg: ShipAddrMismatchConfig) -> Self {
        ShipAddrMismatch {
            cfg,
            persons: IxVec::default(),
        }
    }
}

fn one_line(a: &Address) -> String {
    [
        &a.line1,
        &a.line2,
        &a.city,
        &a.region,
        &a.postal_code,
        &a.country,
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect::<Vec<_>>()
    .join(", ")
}

impl Detector for ShipAddrMismatch {
    fn id(&self) -> &'static str {
        "SHIP-ADDR-MISMATCH"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["shipment"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::Shipment(s) = &obs.event.record else {
            return;
        };
        let Some(p) = obs.person else { return };
        let st = self.persons.at(p);
        let n = st.shipments.len();
        match st
            .shipments
            .iter_mut()
            .find(|x| same_place(&x.0, &s.address))
        {
            Some(x) => {
                x.1.push(&obs.event.id);
                x.2 = obs.ts;
            }
            None if n < 4 => {
                let mut sm = Samples::default();
                sm.push(&obs.event.id);
                st.shipments.push((s.address.clone(), sm, obs.ts));
            }
            None => {}
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, st) in self.persons.iter() {
            let Some(entry) = ctx.entry(p) else { continue };
            let mut refs: Vec<&Address> = entry
                .documents
                .iter()
                .filter_map(|(_, d)| d.address.as_ref())
                .collect();
            let source = if refs.is_empty() && self.cfg.use_profile_address {
                refs.extend(entry.person.as_ref().and_then(|x| x.address.as_ref()));
                "profile"
            } else {
                "identity-document"
            };
            if refs.is_empty() {
                continue;
            }
            for (addr, samples, at) in &st.shipments {
                if refs.iter().any(|r| same_place(r, addr)) {
                    continue;
                }
                let detail = format!(
                    "laptop shipped to `{}`, not to the {source} address `{}`",
                    one_line(addr),
                    one_line(refs[0])
                );
                out.push(evidence(
                    self.id(),
                    ctx,
                    p,
                    Severity::Medium,
                    detail,
                    samples,
                    *at,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn doc(line1: &str) -> String {
        format!(
            r#"{{"type":"document","person_id":"p1","doc_type":"drivers_license","address":{{"line1":"{line1}","city":"Denver","region":"CO","postal_code":"80202","country":"US"}}}}"#
        )
    }
    fn ship(line1: &str, line2: &str) -> String {
        format!(
            r#"{{"type":"shipment","person_id":"p1","ts":"{}","address":{{"line1":"{line1}","line2":"{line2}","city":"denver","region":"Colorado","postal_code":"80202-1111","country":"USA"}}}}"#,
            t(0)
        )
    }

    #[test]
    fn other_address_fires() {
        let ev = run(
            &mut ShipAddrMismatch::new(Default::default()),
            &plain(&[doc("77 Pine Ave Apt 3"), ship("1200 Farm Rd", "")]),
        );
        assert_eq!(ev.len(), 1);
        assert!(ev[0].detail.contains("1200 Farm Rd"));
    }

    #[test]
    fn abbreviated_spelling_of_the_same_address_is_fine() {
        let items = plain(&[doc("77 Pine Ave. Apt 3"), ship("77 PINE AVENUE", "#3")]);
        assert!(run(&mut ShipAddrMismatch::new(Default::default()), &items).is_empty());
    }
}
