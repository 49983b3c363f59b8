//! HIRE-THIRD-PARTY: hired through a staffing firm that did the background check.
//!
//! Logic: a person whose latest record says `hired_via: staffing_firm` gets
//! the flag at low severity: on its own it means nothing (most staffing-firm
//! hires are honest), but the FBI notes schemes route through such firms so
//! that the employer never checks the identity itself; scoring combines it.
//!
//! Source: P24.

use molehunt_model::{Evidence, HiredVia, Record, Severity};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HireThirdPartyConfig {
    pub enabled: bool,
    /// Severity (default low).
    pub severity: Severity,
}

impl Default for HireThirdPartyConfig {
    fn default() -> Self {
        HireThirdPartyConfig {
            enabled: true,
            severity: Severity::Low,
        }
    }
}

pub struct HireThirdParty {
    cfg: HireThirdPartyConfig,
    persons: IxVec<Option<Box<str>>>,
}

impl HireThirdParty {
    pub fn new(cfg: HireThirdPartyConfig) -> Self {
        HireThirdParty {
            cfg,
            persons: IxVec::default(),
        }
    }
}

impl Detector for HireThirdParty {
    fn id(&self) -> &'static str {
        "HIRE-THIRD-PARTY"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["person"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if let (Record::Person(_), Some(p)) = (&obs.event.record, obs.person) {
            *self.persons.at(p) = Some(obs.event.id.as_str().into());
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, event) in self.persons.iter() {
            let (Some(event), Some(person)) = (event, ctx.person(p)) else {
                continue;
            };
            if person.hired_via != Some(HiredVia::StaffingFirm) {
                continue;
            }
            let mut s = Samples::default();
            s.push(event);
            let detail = "hired through a staffing firm that ran the background check".to_string();
            out.push(evidence(
                self.id(),
                ctx,
                p,
                self.cfg.severity,
                detail,
                &s,
                person.ts,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    #[test]
    fn staffing_firm_only() {
        let p = |via: &str| {
            format!(r#"{{"type":"person","person_id":"p1","full_name":"A","hired_via":"{via}"}}"#)
        };
        assert_eq!(
            run(
                &mut HireThirdParty::new(Default::default()),
                &plain(&[p("staffing_firm")])
            )
            .len(),
            1
        );
        assert!(
            run(
                &mut HireThirdParty::new(Default::default()),
                &plain(&[p("direct")])
            )
            .is_empty()
        );
        // a later upsert wins
        assert!(
            run(
                &mut HireThirdParty::new(Default::default()),
                &plain(&[p("staffing_firm"), p("direct")])
            )
            .is_empty()
        );
    }
}
