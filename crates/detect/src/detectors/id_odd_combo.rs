//! ID-ODD-COMBO: unusual combinations of identity facts.
//!
//! Logic, per person record:
//! - any education or employment in a `watch_countries` country (default KP):
//!   high;
//! - a claimed residence (claimed country, else address country) where none
//!   of the listed education and none of the employment took place, with at
//!   least `min_history` entries (overseas-only background): low — many
//!   honest immigrants look like this, so it only adds to other signals;
//! - nationality, claimed country and passport issuing country all different
//!   from each other: medium.
//!
//! Source: M, SEAL.

use molehunt_model::{DocType, Evidence, Severity};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdOddComboConfig {
    pub enabled: bool,
    /// Education/employment countries of high severity (default KP).
    pub watch_countries: Vec<String>,
    /// History entries (education + employment) needed for the overseas-only rule (default 2).
    pub min_history: u32,
}

impl Default for IdOddComboConfig {
    fn default() -> Self {
        IdOddComboConfig {
            enabled: true,
            watch_countries: vec!["KP".into()],
            min_history: 2,
        }
    }
}

pub struct IdOddCombo {
    cfg: IdOddComboConfig,
    person_events: IxVec<Option<Box<str>>>,
}

impl IdOddCombo {
    pub fn new(cfg: IdOddComboConfig) -> Self {
        IdOddCombo {
            cfg,
            person_events: IxVec::default(),
        }
    }
}

fn up(s: Option<&str>) -> Option<String> {
    s.map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
}

impl Detector for IdOddCombo {
    fn id(&self) -> &'static str {
        "ID-ODD-COMBO"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["person"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if let (molehunt_model::Record::Person(_), Some(p)) = (&obs.event.record, obs.person) {
            *self.person_events.at(p) = Some(obs.event.id.as_str().into());
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, event) in self.person_events.iter() {
            let (Some(event), Some(person)) = (event, ctx.person(p)) else {
                continue;
            };
            let mut found: Vec<(Severity, String)> = Vec::new();
            let history: Vec<(String, String)> = person
                .education
                .iter()
                .filter_map(|e| {
                    up(e.country.as_deref())
                        .map(|c| (c, e.school.clone().unwrap_or_else(|| "school".into())))
                })
                .chain(person.employment.iter().filter_map(|e| {
                    up(e.country.as_deref())
                        .map(|c| (c, e.employer.clone().unwrap_or_else(|| "employer".into())))
                }))
                .collect();
            for (c, what) in &history {
                if self
                    .cfg
                    .watch_countries
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(c))
                {
                    found.push((
                        Severity::High,
                        format!("education or employment in {c} ({what})"),
                    ));
                }
            }
            let claimed = ctx.claimed_country(p);
            if let Some(claim) = &claimed
                && history.len() as u32 >= self.cfg.min_history
                && history.iter().all(|(c, _)| c != claim)
            {
                let list: Vec<&str> = history.iter().map(|(c, _)| c.as_str()).collect();
                found.push((Severity::Low, format!("claims to live in {claim} with an education and work history only abroad ({})", list.join(", "))));
            }
            let nat = up(person.nationality.as_deref());
            let issuer = ctx.entry(p).and_then(|e| {
                e.documents
                    .iter()
                    .find(|(_, d)| d.doc_type == DocType::Passport)
                    .and_then(|(_, d)| up(d.issuing_country.as_deref()))
            });
            if let (Some(n), Some(c), Some(i)) = (&nat, &claimed, &issuer)
                && n != c
                && n != i
                && c != i
            {
                found.push((
                    Severity::Medium,
                    format!("nationality {n}, residence {c} and passport issuer {i} all differ"),
                ));
            }
            let Some(severity) = found.iter().map(|x| x.0).max() else {
                continue;
            };
            let detail = found
                .into_iter()
                .map(|x| x.1)
                .collect::<Vec<_>>()
                .join("; ");
            let mut s = Samples::default();
            s.push(event);
            out.push(evidence(self.id(), ctx, p, severity, detail, &s, person.ts));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn p(edu: &str, emp: &str) -> String {
        format!(
            r#"{{"type":"person","person_id":"p1","full_name":"X Y","claimed_country":"US","nationality":"US","education":[{edu}],"employment":[{emp}]}}"#
        )
    }

    #[test]
    fn pyongyang_university_is_high_overseas_only_is_low() {
        let ev = run(
            &mut IdOddCombo::new(Default::default()),
            &plain(&[p(
                r#"{"school":"Kim Chaek University of Technology","country":"KP"}"#,
                "",
            )]),
        );
        assert_eq!(ev[0].severity, Severity::High);
        let ev = run(
            &mut IdOddCombo::new(Default::default()),
            &plain(&[p(
                r#"{"school":"Shenyang U","country":"CN"}"#,
                r#"{"employer":"X Ltd","country":"CN"}"#,
            )]),
        );
        assert_eq!(ev[0].severity, Severity::Low);
    }

    #[test]
    fn local_history_is_ordinary() {
        let items = plain(&[p(
            r#"{"school":"MIT","country":"US"}"#,
            r#"{"employer":"X Ltd","country":"CN"}"#,
        )]);
        assert!(run(&mut IdOddCombo::new(Default::default()), &items).is_empty());
    }
}
