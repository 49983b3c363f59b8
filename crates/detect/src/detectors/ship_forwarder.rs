//! SHIP-FORWARDER: a laptop goes to a freight forwarder or reshipper.
//!
//! Logic: the shipping address (all lines, lowercased) is searched for the
//! names of well-known package forwarding / reshipping services and
//! reshipping markers (`forward_markers`), and compared (normalised) with the
//! customer's own list of known forwarder addresses (`forwarder_addresses`).
//! A hit fires the flag (medium; the FBI notes forwarders are used to move
//! company laptops abroad).
//!
//! Source: P23, P24 (FBI PSAs).

use molehunt_model::{Address, Evidence, Record, Severity};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, PersonIx, evidence};
use crate::util::address::normalize_street;
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShipForwarderConfig {
    pub enabled: bool,
    /// Lowercase substrings naming forwarding services or reshipping markers.
    pub forward_markers: Vec<String>,
    /// Known forwarder street addresses (one line each; compared normalised).
    pub forwarder_addresses: Vec<String>,
}

impl Default for ShipForwarderConfig {
    fn default() -> Self {
        ShipForwarderConfig {
            enabled: true,
            forward_markers: [
                "myus",
                "shipito",
                "planet express",
                "stackry",
                "forward2me",
                "viabox",
                "ship7",
                "comgateway",
                "qwintry",
                "kango",
                "usgobuy",
                "fishisfast",
                "shop & ship",
                "shop and ship",
                "borderlinx",
                "reship",
                "package forwarding",
                "parcel forwarding",
                "freight forward",
                "forwarding",
            ]
            .map(String::from)
            .to_vec(),
            forwarder_addresses: Vec::new(),
        }
    }
}

pub struct ShipForwarder {
    cfg: ShipForwarderConfig,
    known: Vec<String>,
    hits: Vec<(PersonIx, String, Samples, Option<molehunt_model::Time>)>,
}

impl ShipForwarder {
    pub fn new(cfg: ShipForwarderConfig) -> Self {
        let known = cfg
            .forwarder_addresses
            .iter()
            .map(|l| {
                normalize_street(&Address {
                    line1: Some(l.clone()),
                    ..Default::default()
                })
            })
            .collect();
        ShipForwarder {
            cfg,
            known,
            hits: Vec::new(),
        }
    }
}

impl Detector for ShipForwarder {
    fn id(&self) -> &'static str {
        "SHIP-FORWARDER"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["shipment"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::Shipment(s) = &obs.event.record else {
            return;
        };
        let Some(p) = obs.person else { return };
        let a = &s.address;
        let all = [&a.line1, &a.line2, &a.city]
            .into_iter()
            .flatten()
            .map(|x| x.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        let why = if let Some(m) = self
            .cfg
            .forward_markers
            .iter()
            .find(|m| all.contains(m.as_str()))
        {
            format!("the address names a forwarding service (`{m}`)")
        } else {
            let street = normalize_street(a);
            if street.is_empty() || !self.known.contains(&street) {
                return;
            }
            format!("the address `{street}` is a known forwarder")
        };
        match self.hits.iter_mut().find(|h| h.0 == p && h.1 == why) {
            Some(h) => h.2.push(&obs.event.id),
            None => {
                let mut sm = Samples::default();
                sm.push(&obs.event.id);
                self.hits.push((p, why, sm, obs.ts));
            }
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, why, samples, at) in &self.hits {
            let detail = format!("laptop shipped to a freight forwarder: {why}");
            out.push(evidence(
                self.id(),
                ctx,
                *p,
                Severity::Medium,
                detail,
                samples,
                *at,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn ship(line1: &str, line2: &str) -> String {
        format!(
            r#"{{"type":"shipment","person_id":"p1","ts":"{}","address":{{"line1":"{line1}","line2":"{line2}","city":"Wilmington","country":"US"}}}}"#,
            t(0)
        )
    }

    #[test]
    fn forwarder_names_and_known_addresses() {
        let ev = run(
            &mut ShipForwarder::new(Default::default()),
            &plain(&[ship("4023 Kennett Pike", "Suite 50123 c/o Shipito")]),
        );
        assert_eq!(ev.len(), 1);
        let cfg = ShipForwarderConfig {
            forwarder_addresses: vec!["700 Cargo Rd, Unit 9".into()],
            ..Default::default()
        };
        assert_eq!(
            run(
                &mut ShipForwarder::new(cfg),
                &plain(&[ship("700 Cargo Road", "#9")])
            )
            .len(),
            1
        );
    }

    #[test]
    fn ordinary_home_address_is_fine() {
        assert!(
            run(
                &mut ShipForwarder::new(Default::default()),
                &plain(&[ship("12 Maple Dr", "Apt 2")])
            )
            .is_empty()
        );
    }
}
