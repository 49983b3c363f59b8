//! EP-SERIAL: the laptop that reports in is not the one that was shipped.
//!
//! Logic: per person, the asset serials of `shipment` records and the
//! serials of the person's `device_report`s. When a person has at least one
//! shipped serial and at least one reported serial, and none of the reported
//! serials is among the shipped ones, the flag fires (medium): the shipped
//! laptop went elsewhere (a farm) and another machine stands in. A serial
//! shipped to one person that reports under another person is high.
//! Comparison ignores case, spaces and dashes.
//!
//! Source: M (Mandiant).

use molehunt_model::{Evidence, Record, Severity, Time};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, PersonIx, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EpSerialConfig {
    pub enabled: bool,
}

impl Default for EpSerialConfig {
    fn default() -> Self {
        EpSerialConfig { enabled: true }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    shipped: Vec<String>,
    reported: Vec<String>,
    samples: Samples,
    last: Option<Time>,
}

pub struct EpSerial {
    persons: IxVec<PersonState>,
    shipped_to: FxHashMap<String, PersonIx>,
}

impl EpSerial {
    pub fn new(_cfg: EpSerialConfig) -> Self {
        EpSerial {
            persons: IxVec::default(),
            shipped_to: FxHashMap::default(),
        }
    }
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Detector for EpSerial {
    fn id(&self) -> &'static str {
        "EP-SERIAL"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["shipment", "device_report"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Some(p) = obs.person else { return };
        let (serial, shipped) = match &obs.event.record {
            Record::Shipment(s) => (s.asset_serial.as_deref(), true),
            Record::DeviceReport(d) => (d.serial.as_deref(), false),
            _ => return,
        };
        let Some(serial) = serial.map(norm).filter(|s| !s.is_empty()) else {
            return;
        };
        if shipped {
            self.shipped_to.insert(serial.clone(), p);
        }
        let st = self.persons.at(p);
        let list = if shipped {
            &mut st.shipped
        } else {
            &mut st.reported
        };
        if !list.contains(&serial) && list.len() < 8 {
            list.push(serial);
            st.samples.push(&obs.event.id);
            st.last = obs.ts;
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, st) in self.persons.iter() {
            if st.shipped.is_empty()
                || st.reported.is_empty()
                || st.reported.iter().any(|r| st.shipped.contains(r))
            {
                continue;
            }
            let elsewhere: Vec<&str> = st
                .reported
                .iter()
                .filter_map(|r| {
                    self.shipped_to
                        .get(r)
                        .filter(|&&q| q != p)
                        .map(|&q| ctx.person_id(q))
                })
                .collect();
            let (severity, extra) = if elsewhere.is_empty() {
                (Severity::Medium, String::new())
            } else {
                (
                    Severity::High,
                    format!(
                        "; the reporting laptop was shipped to {}",
                        elsewhere.join(", ")
                    ),
                )
            };
            let detail = format!(
                "laptop serial(s) {} report in, but {} was shipped{extra}",
                st.reported.join(", "),
                st.shipped.join(", ")
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn ship(p: &str, serial: &str) -> String {
        format!(
            r#"{{"type":"shipment","person_id":"{p}","ts":"{}","address":{{"line1":"1 Main St"}},"asset_serial":"{serial}"}}"#,
            t(0)
        )
    }
    fn report(p: &str, serial: &str) -> String {
        format!(
            r#"{{"type":"device_report","device_id":"d-{serial}","person_id":"{p}","ts":"{}","serial":"{serial}"}}"#,
            t(60)
        )
    }

    #[test]
    fn swapped_laptop() {
        let ev = run(
            &mut EpSerial::new(Default::default()),
            &plain(&[ship("p1", "C02-XYZ1"), report("p1", "OTHER99")]),
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].severity, Severity::Medium);
        let ev = run(
            &mut EpSerial::new(Default::default()),
            &plain(&[
                ship("p1", "AAA"),
                ship("p2", "BBB"),
                report("p1", "BBB"),
                report("p2", "BBB"),
            ]),
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].severity, Severity::High);
    }

    #[test]
    fn matching_serial_with_different_spelling_is_fine() {
        let ok = plain(&[ship("p1", "c02 xyz1"), report("p1", "C02-XYZ1")]);
        assert!(run(&mut EpSerial::new(Default::default()), &ok).is_empty());
    }
}
