//! PLAT-SHARED-DEVICE: one device fingerprint used by several persons.
//!
//! Logic: device id (login `device_id` through the login's account, and
//! `device_report.device_id` with its `person_id`) -> distinct persons. Two
//! or more persons on one device fire the flag for each (high): one operator
//! at one machine behind several worker identities. A device used by
//! `hub_persons` (default 10) or more persons is a shared kiosk / lab / VDI
//! image and is ignored.
//!
//! Source: A22.

use molehunt_model::{Evidence, Record, Severity};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, PersonSet, evidence, list_some, related};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlatSharedDeviceConfig {
    pub enabled: bool,
    /// Distinct persons on one device that fire the flag (default 2).
    pub min_persons: u32,
    /// Distinct persons that make a device a shared kiosk, ignored (default 10).
    pub hub_persons: u32,
}

impl Default for PlatSharedDeviceConfig {
    fn default() -> Self {
        PlatSharedDeviceConfig {
            enabled: true,
            min_persons: 2,
            hub_persons: 10,
        }
    }
}

pub struct PlatSharedDevice {
    cfg: PlatSharedDeviceConfig,
    /// Per device number ([`Obs::device`]).
    devices: IxVec<PersonSet>,
}

impl PlatSharedDevice {
    pub fn new(cfg: PlatSharedDeviceConfig) -> Self {
        PlatSharedDevice {
            cfg,
            devices: IxVec::default(),
        }
    }
}

impl Detector for PlatSharedDevice {
    fn id(&self) -> &'static str {
        "PLAT-SHARED-DEVICE"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["login", "device_report"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let dev = match &obs.event.record {
            Record::Login(_) => obs.device,
            Record::DeviceReport(d) if d.person_id.is_some() => obs.device,
            _ => None,
        };
        let (Some(dev), Some(p)) = (dev, obs.person) else {
            return;
        };
        let cap = self.cfg.hub_persons.max(2) as usize;
        let set = self.devices.at(dev);
        // fast path: the device's first person again (the common case)
        if set.distinct == 1 && set.first == Some(p) {
            set.last = obs.ts.or(set.last);
            return;
        }
        set.add(p, &obs.event.id, obs.ts, cap);
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        // in device id order: the evidence does not depend on the order devices were seen
        let mut shared: Vec<(&str, &PersonSet)> = self
            .devices
            .iter()
            .filter(|(_, set)| {
                set.distinct >= self.cfg.min_persons && set.distinct < self.cfg.hub_persons
            })
            .map(|(ix, set)| (ctx.device_id(ix), set))
            .collect();
        shared.sort_by_key(|(dev, _)| *dev);
        for (dev, set) in shared {
            let persons = set.persons();
            let mut ids: Vec<&str> = persons.iter().map(|&p| ctx.person_id(p)).collect();
            ids.sort_unstable(); // order of arrival must not change the evidence
            for (p, samples) in &set.members {
                let detail = format!(
                    "device `{dev}` is used by {} persons ({})",
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

    fn dl(acc: &str, m: i64, dev: &str) -> String {
        format!(
            r#"{{"type":"login","account_id":"{acc}","ts":"{}","ip":"198.51.100.1","device_id":"{dev}"}}"#,
            t(m)
        )
    }

    #[test]
    fn one_laptop_three_identities() {
        let items = plain(&[
            account("a1", "p1"),
            account("a2", "p2"),
            account("a3", "p3"),
            dl("a1", 0, "fp-1"),
            dl("a2", 1, "fp-1"),
            dl("a3", 2, "fp-1"),
        ]);
        let ev = run(&mut PlatSharedDevice::new(Default::default()), &items);
        assert_eq!(ev.len(), 3);
    }

    #[test]
    fn own_devices_and_kiosks_are_fine() {
        let items = plain(&[
            account("a1", "p1"),
            account("a2", "p1"),
            dl("a1", 0, "fp-1"),
            dl("a2", 1, "fp-1"),
        ]);
        assert!(run(&mut PlatSharedDevice::new(Default::default()), &items).is_empty());
        let mut lines = Vec::new();
        for i in 0..12 {
            lines.push(account(&format!("a{i}"), &format!("p{i}")));
            lines.push(dl(&format!("a{i}"), i, "kiosk"));
        }
        assert!(
            run(
                &mut PlatSharedDevice::new(Default::default()),
                &plain(&lines)
            )
            .is_empty()
        );
    }
}
