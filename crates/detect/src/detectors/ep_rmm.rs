//! EP-RMM: remote-access (RMM) tools installed or running on a company laptop.
//!
//! Logic: the enrichment matches each device report's `software`,
//! `processes` and `domains` against the LOLRMM-derived catalog
//! (`Enrichment.remote_tools`). Per device, the distinct tools are collected.
//! Severity:
//! - one tool from `common_tools` (the ones IT departments deploy, e.g.
//!   TeamViewer for helpdesk support): low;
//! - one other tool (AnyDesk, RustDesk, Chrome Remote Desktop ...): medium;
//! - `high_tools` (default 2) or more distinct tools at once, or any tool on a
//!   device that also has an IP-KVM attached: high (the laptop-farm setup).
//!
//! Tools in `approved_tools` (the customer's sanctioned RMM) are ignored.
//!
//! Source: M (Mandiant), DOJ laptop-farm cases.

use molehunt_model::{Evidence, Record, Severity, Time, UsbKind};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, PersonIx, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EpRmmConfig {
    pub enabled: bool,
    /// Tools commonly deployed by IT support: low severity when alone.
    pub common_tools: Vec<String>,
    /// Tools the organisation approved: ignored (default none).
    pub approved_tools: Vec<String>,
    /// Distinct tools on one device for high severity (default 2).
    pub high_tools: u32,
}

impl Default for EpRmmConfig {
    fn default() -> Self {
        EpRmmConfig {
            enabled: true,
            common_tools: [
                "TeamViewer",
                "ScreenConnect",
                "ConnectWise",
                "Splashtop",
                "BeyondTrust",
                "Bomgar",
                "Quick Assist",
            ]
            .map(String::from)
            .to_vec(),
            approved_tools: Vec::new(),
            high_tools: 2,
        }
    }
}

#[derive(Debug, Default)]
struct DeviceState {
    person: Option<PersonIx>,
    tools: Vec<String>,
    kvm: bool,
    samples: Samples,
    last: Option<Time>,
}

pub struct EpRmm {
    cfg: EpRmmConfig,
    devices: FxHashMap<Box<str>, DeviceState>,
}

impl EpRmm {
    pub fn new(cfg: EpRmmConfig) -> Self {
        EpRmm {
            cfg,
            devices: FxHashMap::default(),
        }
    }
}

fn listed(list: &[String], tool: &str) -> bool {
    let t = tool.to_lowercase();
    list.iter().any(|x| {
        let x = x.to_lowercase();
        t.contains(&x) || x.contains(&t)
    })
}

impl Detector for EpRmm {
    fn id(&self) -> &'static str {
        "EP-RMM"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["device_report"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::DeviceReport(d) = &obs.event.record else {
            return;
        };
        // the bare Linux gadget id is too weak to escalate remote-access tools
        let kvm = obs
            .enrichment
            .usb
            .iter()
            .any(|u| u.kind == UsbKind::Kvm && u.label != "Linux USB gadget");
        let tools: Vec<&str> = obs
            .enrichment
            .remote_tools
            .iter()
            .map(|h| h.tool.as_str())
            .filter(|t| !listed(&self.cfg.approved_tools, t))
            .collect();
        if tools.is_empty() && !self.devices.contains_key(d.device_id.as_str()) {
            return;
        }
        let st = self.devices.entry(d.device_id.as_str().into()).or_default();
        if obs.person.is_some() {
            st.person = obs.person;
        }
        st.kvm |= kvm;
        for t in tools {
            if !st.tools.iter().any(|x| x.eq_ignore_ascii_case(t)) && st.tools.len() < 16 {
                st.tools.push(t.to_string());
            }
            st.samples.push(&obs.event.id);
            st.last = obs.ts;
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (dev, st) in &self.devices {
            if st.tools.is_empty() {
                continue;
            }
            let Some(p) = st.person.or_else(|| ctx.device_person(dev)) else {
                continue;
            };
            let n = st.tools.len() as u32;
            let severity = if n >= self.cfg.high_tools || st.kvm {
                Severity::High
            } else if listed(&self.cfg.common_tools, &st.tools[0]) {
                Severity::Low
            } else {
                Severity::Medium
            };
            let kvm = if st.kvm {
                ", together with an IP-KVM"
            } else {
                ""
            };
            let detail = format!(
                "device `{dev}` has {n} remote-access tool(s): {}{kvm}",
                st.tools.join(", ")
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
    use molehunt_model::{Enrichment, RemoteToolHit, SeenIn, UsbHit};

    fn report(tools: &[&str], kvm: bool) -> (String, Enrichment) {
        let line = format!(
            r#"{{"type":"device_report","device_id":"d1","person_id":"p1","ts":"{}"}}"#,
            t(0)
        );
        let enr = Enrichment {
            remote_tools: tools
                .iter()
                .map(|t| RemoteToolHit {
                    tool: t.to_string(),
                    matched: format!("{t}.exe"),
                    seen_in: SeenIn::Process,
                })
                .collect(),
            usb: if kvm {
                vec![UsbHit {
                    kind: UsbKind::Kvm,
                    label: "PiKVM".into(),
                    reason: "1d6b:0104".into(),
                }]
            } else {
                vec![]
            },
            ..Default::default()
        };
        (line, enr)
    }

    #[test]
    fn several_tools_or_tools_plus_kvm_are_high() {
        let ev = run(
            &mut EpRmm::new(Default::default()),
            &[report(&["AnyDesk", "RustDesk"], false)],
        );
        assert_eq!(ev[0].severity, Severity::High);
        let ev = run(
            &mut EpRmm::new(Default::default()),
            &[report(&["AnyDesk"], true)],
        );
        assert_eq!(ev[0].severity, Severity::High);
        let ev = run(
            &mut EpRmm::new(Default::default()),
            &[report(&["AnyDesk"], false)],
        );
        assert_eq!(ev[0].severity, Severity::Medium);
    }

    #[test]
    fn one_teamviewer_for_it_support_is_low_and_approved_is_nothing() {
        let ev = run(
            &mut EpRmm::new(Default::default()),
            &[report(&["TeamViewer"], false)],
        );
        assert_eq!(ev[0].severity, Severity::Low);
        let cfg = EpRmmConfig {
            approved_tools: vec!["TeamViewer".into()],
            ..Default::default()
        };
        assert!(run(&mut EpRmm::new(cfg), &[report(&["TeamViewer"], false)]).is_empty());
        assert!(run(&mut EpRmm::new(Default::default()), &[report(&[], false)]).is_empty());
    }
}
