//! ID-SANCTIONS: the person's name (with DOB and nationality) matches a
//! sanctions list entry.
//!
//! Logic: the engine screens every `person` record with the screening crate
//! (OFAC SDN, UN consolidated, OpenSanctions) and attaches
//! `Enrichment.sanctions`. Each hit with a score of at least `min_score` is
//! evidence naming the list, entry, matched name, score and the matcher's
//! explanation: high, critical from `critical_score`. Scores given as
//! percentages (0-100) are read as fractions.
//!
//! Source: OFAC, UN Security Council lists.

use molehunt_model::{Evidence, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, PersonIx, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdSanctionsConfig {
    pub enabled: bool,
    /// Hits below this score (0-1) are ignored (default 0.8).
    pub min_score: f64,
    /// Hits from this score are critical (default 0.95).
    pub critical_score: f64,
}

impl Default for IdSanctionsConfig {
    fn default() -> Self {
        IdSanctionsConfig {
            enabled: true,
            min_score: 0.8,
            critical_score: 0.95,
        }
    }
}

struct Hit {
    person: PersonIx,
    key: String,
    score: f64,
    detail: String,
    samples: Samples,
    at: Option<Time>,
}

pub struct IdSanctions {
    cfg: IdSanctionsConfig,
    hits: Vec<Hit>,
}

impl IdSanctions {
    pub fn new(cfg: IdSanctionsConfig) -> Self {
        IdSanctions {
            cfg,
            hits: Vec::new(),
        }
    }
}

impl Detector for IdSanctions {
    fn id(&self) -> &'static str {
        "ID-SANCTIONS"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["person", "document", "account"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if obs.enrichment.sanctions.is_empty() {
            return;
        }
        let Some(p) = obs.person else { return };
        for h in &obs.enrichment.sanctions {
            let score = if h.score > 1.0 {
                h.score / 100.0
            } else {
                h.score
            };
            if score < self.cfg.min_score {
                continue;
            }
            let key = format!("{}/{}", h.list, h.entity_id);
            let detail = format!(
                "matches `{}` ({}) on {} entry {}, score {score:.2}: {}",
                h.matched_name, h.name, h.list, h.entity_id, h.explanation
            );
            match self.hits.iter_mut().find(|x| x.person == p && x.key == key) {
                Some(x) => {
                    x.samples.push(&obs.event.id);
                    if score > x.score {
                        x.score = score;
                        x.detail = detail;
                    }
                }
                None => {
                    let mut samples = Samples::default();
                    samples.push(&obs.event.id);
                    self.hits.push(Hit {
                        person: p,
                        key,
                        score,
                        detail,
                        samples,
                        at: obs.ts,
                    });
                }
            }
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for h in &self.hits {
            let severity = if h.score >= self.cfg.critical_score {
                Severity::Critical
            } else {
                Severity::High
            };
            out.push(evidence(
                self.id(),
                ctx,
                h.person,
                severity,
                h.detail.clone(),
                &h.samples,
                h.at,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;
    use molehunt_model::{Enrichment, SanctionsHit};

    fn hit(score: f64) -> Enrichment {
        Enrichment {
            sanctions: vec![SanctionsHit {
                list: "OFAC SDN".into(),
                entity_id: "36431".into(),
                name: "KIM, Sang Man".into(),
                matched_name: "KIM Sang Man".into(),
                score,
                explanation: "name tokens equal, DOB year equal".into(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn hits_by_score() {
        let line = person("p1", "Kim Sang Man", "US", "");
        let ev = run(
            &mut IdSanctions::new(Default::default()),
            &[(line.clone(), hit(0.97))],
        );
        assert_eq!(ev[0].severity, Severity::Critical);
        assert!(ev[0].detail.contains("OFAC SDN") && ev[0].detail.contains("36431"));
        let ev = run(
            &mut IdSanctions::new(Default::default()),
            &[(line.clone(), hit(88.0))],
        );
        assert_eq!(ev[0].severity, Severity::High);
        assert!(
            run(
                &mut IdSanctions::new(Default::default()),
                &[(line, hit(0.5))]
            )
            .is_empty()
        );
    }
}
