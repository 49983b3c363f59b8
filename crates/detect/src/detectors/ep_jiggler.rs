//! EP-JIGGLER: a mouse jiggler (USB device or software) keeps a laptop looking busy.
//!
//! Logic: enrichment hits of kind `jiggler` on a device report. Hardware
//! hits (known jiggler USB ids and strings) fire at medium severity;
//! software/process hits (the enrichment's reason starts with `software` or
//! `process`), and processes or programs whose name contains one of
//! `software_markers`, fire at low severity (software is easier to explain
//! away). Keep-awake utilities (`ignore_labels`: Caffeine, Amphetamine,
//! KeepingYouAwake) are ignored on purpose: many honest people use them
//! during presentations.
//!
//! Source: M (Mandiant).

use molehunt_model::{Evidence, Record, Severity, Time, UsbKind};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EpJigglerConfig {
    pub enabled: bool,
    /// Lowercase substrings of jiggler software / process names.
    pub software_markers: Vec<String>,
    /// Enrichment labels ignored (keep-awake utilities; case-insensitive).
    pub ignore_labels: Vec<String>,
}

impl Default for EpJigglerConfig {
    fn default() -> Self {
        EpJigglerConfig {
            enabled: true,
            software_markers: [
                "jiggl",
                "mousejiggle",
                "move mouse",
                "movemouse",
                "mouse mover",
                "wiggle mouse",
            ]
            .map(String::from)
            .to_vec(),
            ignore_labels: ["Caffeine", "Amphetamine", "KeepingYouAwake"]
                .map(String::from)
                .to_vec(),
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    usb: Vec<String>,
    software: Vec<String>,
    samples: Samples,
    last: Option<Time>,
}

pub struct EpJiggler {
    cfg: EpJigglerConfig,
    persons: IxVec<PersonState>,
}

impl EpJiggler {
    pub fn new(cfg: EpJigglerConfig) -> Self {
        EpJiggler {
            cfg,
            persons: IxVec::default(),
        }
    }
}

impl Detector for EpJiggler {
    fn id(&self) -> &'static str {
        "EP-JIGGLER"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["device_report"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::DeviceReport(d) = &obs.event.record else {
            return;
        };
        let Some(p) = obs.person else { return };
        let mut usb: Vec<String> = Vec::new();
        let mut software: Vec<String> = Vec::new();
        for u in obs
            .enrichment
            .usb
            .iter()
            .filter(|u| u.kind == UsbKind::Jiggler)
        {
            if self
                .cfg
                .ignore_labels
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&u.label))
            {
                continue;
            }
            if u.reason.starts_with("software") || u.reason.starts_with("process") {
                software.push(format!("{} ({})", u.label, u.reason));
            } else {
                usb.push(format!("{} ({})", u.label, u.reason));
            }
        }
        for s in d.software.iter().chain(&d.processes) {
            let l = s.to_lowercase();
            if self
                .cfg
                .software_markers
                .iter()
                .any(|m| l.contains(m.as_str()))
                && !software.iter().any(|x| x.contains(s.as_str()))
            {
                software.push(s.clone());
            }
        }
        if usb.is_empty() && software.is_empty() {
            return;
        }
        let st = self.persons.at(p);
        for u in usb {
            if !st.usb.contains(&u) && st.usb.len() < 4 {
                st.usb.push(u);
            }
        }
        for s in software {
            if !st.software.contains(&s) && st.software.len() < 4 {
                st.software.push(s);
            }
        }
        st.samples.push(&obs.event.id);
        st.last = obs.ts;
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, st) in self.persons.iter() {
            if st.samples.is_empty() {
                continue;
            }
            let (severity, what) = if st.usb.is_empty() {
                (
                    Severity::Low,
                    format!("mouse-jiggler software: {}", st.software.join(", ")),
                )
            } else {
                (
                    Severity::Medium,
                    format!("mouse-jiggler USB device: {}", st.usb.join(", ")),
                )
            };
            out.push(evidence(
                self.id(),
                ctx,
                p,
                severity,
                what,
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
    use molehunt_model::{Enrichment, UsbHit};

    fn report(extra: &str) -> String {
        format!(
            r#"{{"type":"device_report","device_id":"d1","person_id":"p1","ts":"{}"{extra}}}"#,
            t(0)
        )
    }

    #[test]
    fn usb_medium_software_low_caffeine_nothing() {
        let enr = Enrichment {
            usb: vec![UsbHit {
                kind: UsbKind::Jiggler,
                label: "Mouse jiggler".into(),
                reason: "0e90:0028".into(),
            }],
            ..Default::default()
        };
        let ev = run(
            &mut EpJiggler::new(Default::default()),
            &[(report(""), enr)],
        );
        assert_eq!(ev[0].severity, Severity::Medium);
        let ev = run(
            &mut EpJiggler::new(Default::default()),
            &plain(&[report(r#","processes":["MouseJiggler.exe"]"#)]),
        );
        assert_eq!(ev[0].severity, Severity::Low);
        let quiet = plain(&[report(r#","software":["Caffeine","Slack"]"#)]);
        assert!(run(&mut EpJiggler::new(Default::default()), &quiet).is_empty());
        // enrichment's software hits are low; its keep-awake hits are ignored
        let sw = |label: &str| Enrichment {
            usb: vec![UsbHit {
                kind: UsbKind::Jiggler,
                label: label.into(),
                reason: format!("software \"{label}\""),
            }],
            ..Default::default()
        };
        let ev = run(
            &mut EpJiggler::new(Default::default()),
            &[(report(""), sw("Move Mouse"))],
        );
        assert_eq!(ev[0].severity, Severity::Low);
        assert!(
            run(
                &mut EpJiggler::new(Default::default()),
                &[(report(""), sw("Caffeine"))]
            )
            .is_empty()
        );
    }
}
