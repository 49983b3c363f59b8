//! SHIP-FARM: one shipping address receives laptops for several different
//! workers — a laptop farm.
//!
//! Logic: normalised shipping address (`util::address::normalize`) -> the
//! distinct persons shipped to it. `min_persons` (default 3) or more fire the
//! flag for each of them: high; medium when all of them share one family name
//! (a family of developers under one roof). Two persons at one address (a
//! couple, flatmates) never fire. Addresses listed in `office_addresses` (the
//! company's own offices, which legitimately receive many laptops) are ignored.
//!
//! Source: DOJ (Chapman: 90+ laptops at one home; June 2025: 29 farms).

use molehunt_model::{Address, Evidence, Record, Severity};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, PersonSet, evidence, list_some, related};
use crate::util::address::normalize;
use crate::util::names::tokens;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShipFarmConfig {
    pub enabled: bool,
    /// Distinct persons at one address that fire the flag (default 3).
    pub min_persons: u32,
    /// Office addresses that legitimately receive many laptops (one line each,
    /// compared after normalisation of the street; default none).
    pub office_addresses: Vec<String>,
}

impl Default for ShipFarmConfig {
    fn default() -> Self {
        ShipFarmConfig {
            enabled: true,
            min_persons: 3,
            office_addresses: Vec::new(),
        }
    }
}

pub struct ShipFarm {
    cfg: ShipFarmConfig,
    offices: Vec<String>,
    addresses: FxHashMap<String, PersonSet>,
}

impl ShipFarm {
    pub fn new(cfg: ShipFarmConfig) -> Self {
        let offices = cfg
            .office_addresses
            .iter()
            .map(|l| {
                crate::util::address::normalize_street(&Address {
                    line1: Some(l.clone()),
                    ..Default::default()
                })
            })
            .collect();
        ShipFarm {
            cfg,
            offices,
            addresses: FxHashMap::default(),
        }
    }
}

fn surname(ctx: &Context, p: u32) -> Option<String> {
    ctx.full_name(p).and_then(|n| tokens(n).pop())
}

impl Detector for ShipFarm {
    fn id(&self) -> &'static str {
        "SHIP-FARM"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["shipment"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::Shipment(s) = &obs.event.record else {
            return;
        };
        let Some(p) = obs.person else { return };
        let key = normalize(&s.address);
        if key.starts_with('|') {
            return;
        }
        if self
            .offices
            .iter()
            .any(|o| key.starts_with(&format!("{o}|")))
        {
            return;
        }
        self.addresses
            .entry(key)
            .or_default()
            .add(p, &obs.event.id, obs.ts, 256);
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (key, set) in &self.addresses {
            if set.distinct < self.cfg.min_persons {
                continue;
            }
            let persons = set.persons();
            let names: Vec<Option<String>> = persons.iter().map(|&p| surname(ctx, p)).collect();
            let family = names.iter().all(|n| n.is_some() && *n == names[0]);
            let severity = if family {
                Severity::Medium
            } else {
                Severity::High
            };
            let mut ids: Vec<&str> = persons.iter().map(|&p| ctx.person_id(p)).collect();
            ids.sort_unstable(); // order of arrival must not change the evidence
            let street = key.split('|').next().unwrap_or("");
            for (p, samples) in &set.members {
                let detail = format!(
                    "laptops for {} different workers were shipped to one address ({street}): {}",
                    set.distinct,
                    list_some(&ids, 8)
                );
                let mut e = evidence(self.id(), ctx, *p, severity, detail, samples, set.last);
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

    fn ship(p: &str, line1: &str) -> String {
        format!(
            r#"{{"type":"shipment","person_id":"{p}","ts":"{}","address":{{"line1":"{line1}","city":"Litchfield Park","region":"AZ","country":"US"}}}}"#,
            t(0)
        )
    }
    fn named(p: &str, name: &str) -> String {
        format!(r#"{{"type":"person","person_id":"{p}","full_name":"{name}"}}"#)
    }

    #[test]
    fn farm_of_four_spellings_of_one_address() {
        let lines = [
            named("p1", "A Brown"),
            named("p2", "B Green"),
            named("p3", "C White"),
            named("p4", "D Black"),
            ship("p1", "10 W. Palm St"),
            ship("p2", "10 West Palm Street"),
            ship("p3", "10 w palm st."),
            ship("p4", "10 WEST PALM ST"),
        ];
        let ev = run(&mut ShipFarm::new(Default::default()), &plain(&lines));
        assert_eq!(ev.len(), 4);
        assert!(
            ev.iter()
                .all(|e| e.severity == Severity::High && e.related.len() == 3)
        );
    }

    #[test]
    fn couple_sharing_a_home_and_the_office_are_spared() {
        let lines = [ship("p1", "5 Oak St"), ship("p2", "5 Oak Street")];
        assert!(run(&mut ShipFarm::new(Default::default()), &plain(&lines)).is_empty());
        let lines: Vec<String> = (0..10)
            .map(|i| ship(&format!("p{i}"), "1 Corporate Plaza"))
            .collect();
        let cfg = ShipFarmConfig {
            office_addresses: vec!["1 Corporate Plaza".into()],
            ..Default::default()
        };
        assert!(run(&mut ShipFarm::new(cfg), &plain(&lines)).is_empty());
    }
}
