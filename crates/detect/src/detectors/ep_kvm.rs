//! EP-KVM: IP-KVM hardware attached to a company laptop (PiKVM, TinyPilot,
//! JetKVM, GLKVM, NanoKVM): someone elsewhere drives the laptop's keyboard,
//! mouse and screen over the network — the laptop-farm signature.
//!
//! Logic: the enrichment matches each device report's USB devices against the
//! descriptors of RED_FLAGS.md (vendor:product `1d6b:0104` with the PiKVM /
//! TinyPilot / JetKVM manufacturer and product strings, serial `CAFEBABE` ...)
//! and yields `UsbHit { kind: Kvm }`. Any hit fires (high): an honest remote
//! employee has no reason to put an IP-KVM on a company laptop. A hit with a
//! label in `weak_labels` (the bare Linux USB gadget id `1d6b:0104` without
//! KVM strings, which every Linux gadget uses) fires at `weak_severity`
//! (medium).
//!
//! Source: MITRE ATT&CK T1219.003, M (Mandiant).

use molehunt_model::{Evidence, Record, Severity, UsbKind};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EpKvmConfig {
    pub enabled: bool,
    /// Severity of a hit (default high).
    pub severity: Severity,
    /// Enrichment labels of weaker hits (default `["Linux USB gadget"]`).
    pub weak_labels: Vec<String>,
    /// Severity of a weak hit (default medium).
    pub weak_severity: Severity,
}

impl Default for EpKvmConfig {
    fn default() -> Self {
        EpKvmConfig {
            enabled: true,
            severity: Severity::High,
            weak_labels: vec!["Linux USB gadget".into()],
            weak_severity: Severity::Medium,
        }
    }
}

/// (person, device id, what matched, supporting events, last seen).
type KvmHit = (
    Option<u32>,
    Box<str>,
    String,
    Samples,
    Option<molehunt_model::Time>,
);

pub struct EpKvm {
    cfg: EpKvmConfig,
    hits: Vec<KvmHit>,
}

impl EpKvm {
    pub fn new(cfg: EpKvmConfig) -> Self {
        EpKvm {
            cfg,
            hits: Vec::new(),
        }
    }
}

impl Detector for EpKvm {
    fn id(&self) -> &'static str {
        "EP-KVM"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["device_report"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::DeviceReport(d) = &obs.event.record else {
            return;
        };
        for hit in obs.enrichment.usb.iter().filter(|u| u.kind == UsbKind::Kvm) {
            let what = format!("{} ({})", hit.label, hit.reason);
            let n = self.hits.len();
            match self
                .hits
                .iter_mut()
                .find(|h| *h.1 == *d.device_id && h.2 == what)
            {
                Some(h) => {
                    h.3.push(&obs.event.id);
                    h.4 = obs.ts;
                    if obs.person.is_some() {
                        h.0 = obs.person;
                    }
                }
                None if n < 100_000 => {
                    let mut s = Samples::default();
                    s.push(&obs.event.id);
                    self.hits
                        .push((obs.person, d.device_id.as_str().into(), what, s, obs.ts));
                }
                None => {}
            }
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (person, dev, what, samples, at) in &self.hits {
            let Some(p) = person.or_else(|| ctx.device_person(dev)) else {
                continue;
            };
            let weak = self
                .cfg
                .weak_labels
                .iter()
                .any(|l| what.starts_with(&format!("{l} (")));
            let (severity, kind) = if weak {
                (self.cfg.weak_severity, "possible IP-KVM")
            } else {
                (self.cfg.severity, "IP-KVM")
            };
            let detail = format!("{kind} attached to device `{dev}`: {what}");
            out.push(evidence(self.id(), ctx, p, severity, detail, samples, *at));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;
    use molehunt_model::{Enrichment, UsbHit};

    #[test]
    fn pikvm_fires_and_plain_usb_does_not() {
        let line = format!(
            r#"{{"type":"device_report","device_id":"d1","person_id":"p1","ts":"{}"}}"#,
            t(0)
        );
        let enr = Enrichment {
            usb: vec![UsbHit {
                kind: UsbKind::Kvm,
                label: "PiKVM".into(),
                reason: "1d6b:0104 PiKVM Composite Device".into(),
            }],
            ..Default::default()
        };
        let ev = run(&mut EpKvm::new(Default::default()), &[(line.clone(), enr)]);
        assert_eq!(ev.len(), 1);
        assert!(ev[0].detail.contains("PiKVM"));
        let jiggler = Enrichment {
            usb: vec![UsbHit {
                kind: UsbKind::Jiggler,
                label: "jiggler".into(),
                reason: "x".into(),
            }],
            ..Default::default()
        };
        assert!(
            run(
                &mut EpKvm::new(Default::default()),
                &[(line.clone(), jiggler)]
            )
            .is_empty()
        );
        let weak = Enrichment {
            usb: vec![UsbHit {
                kind: UsbKind::Kvm,
                label: "Linux USB gadget".into(),
                reason: "1d6b:0104".into(),
            }],
            ..Default::default()
        };
        assert_eq!(
            run(&mut EpKvm::new(Default::default()), &[(line, weak)])[0].severity,
            Severity::Medium
        );
    }
}
