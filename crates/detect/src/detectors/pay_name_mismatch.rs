//! PAY-NAME-MISMATCH: the payout account holder is not the worker.
//!
//! Logic: every `holder_name` of the person's `payout_method` and `payout`
//! records is compared with the person's `full_name` (and the names on their
//! documents) with the tolerant token comparison of `util::names` (order,
//! case, diacritics, middle names, small typos, Korean/Chinese romanisation
//! variants). No match fires the flag (medium). Holders that look like
//! companies are left to PAY-RISKY-BANK.
//!
//! Source: A22.

use molehunt_model::{Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::names::{looks_like_company, same_name};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PayNameMismatchConfig {
    pub enabled: bool,
    /// Severity (default medium).
    pub severity: Severity,
}

impl Default for PayNameMismatchConfig {
    fn default() -> Self {
        PayNameMismatchConfig {
            enabled: true,
            severity: Severity::Medium,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    holders: Vec<(String, Samples, Option<Time>)>,
}

pub struct PayNameMismatch {
    cfg: PayNameMismatchConfig,
    persons: IxVec<PersonState>,
}

impl PayNameMismatch {
    pub fn new(cfg: PayNameMismatchConfig) -> Self {
        PayNameMismatch {
            cfg,
            persons: IxVec::default(),
        }
    }
}

impl Detector for PayNameMismatch {
    fn id(&self) -> &'static str {
        "PAY-NAME-MISMATCH"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["payout_method", "payout"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let holder = match &obs.event.record {
            Record::PayoutMethod(m) => m.holder_name.as_deref(),
            Record::Payout(m) => m.holder_name.as_deref(),
            _ => return,
        };
        let (Some(h), Some(p)) = (holder.map(str::trim).filter(|h| !h.is_empty()), obs.person)
        else {
            return;
        };
        if looks_like_company(h) {
            return;
        }
        let st = self.persons.at(p);
        let n = st.holders.len();
        match st.holders.iter_mut().find(|x| x.0 == h) {
            Some(x) => {
                x.1.push(&obs.event.id);
                x.2 = obs.ts.or(x.2);
            }
            None if n < 8 => {
                let mut s = Samples::default();
                s.push(&obs.event.id);
                st.holders.push((h.to_string(), s, obs.ts));
            }
            None => {}
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, st) in self.persons.iter() {
            let Some(entry) = ctx.entry(p) else { continue };
            let Some(name) = ctx.full_name(p) else {
                continue;
            };
            for (holder, samples, at) in &st.holders {
                let matches = same_name(holder, name)
                    || entry
                        .documents
                        .iter()
                        .filter_map(|(_, d)| d.name_on_document.as_deref())
                        .any(|n| same_name(holder, n));
                if matches {
                    continue;
                }
                let detail = format!("payout account holder `{holder}` is not the worker `{name}`");
                out.push(evidence(
                    self.id(),
                    ctx,
                    p,
                    self.cfg.severity,
                    detail,
                    samples,
                    *at,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn pm(holder: &str) -> String {
        format!(
            r#"{{"type":"payout_method","person_id":"p1","method":"bank","account_hash":"h","holder_name":"{holder}"}}"#
        )
    }

    #[test]
    fn other_holder_fires() {
        let ev = run(
            &mut PayNameMismatch::new(Default::default()),
            &plain(&[person("p1", "John Smith", "US", ""), pm("Chen Wei")]),
        );
        assert_eq!(ev.len(), 1);
    }

    #[test]
    fn spelling_variants_and_companies_are_not_mismatches() {
        for holder in ["SMITH JOHN", "John A Smith", "Jon Smith"] {
            let items = plain(&[person("p1", "John Smith", "US", ""), pm(holder)]);
            assert!(
                run(&mut PayNameMismatch::new(Default::default()), &items).is_empty(),
                "{holder}"
            );
        }
        let items = plain(&[person("p1", "Park Ji-hoon", "KR", ""), pm("Pak Jihoon")]);
        assert!(run(&mut PayNameMismatch::new(Default::default()), &items).is_empty());
        let items = plain(&[
            person("p1", "John Smith", "US", ""),
            pm("Smith Consulting LLC"),
        ]);
        assert!(run(&mut PayNameMismatch::new(Default::default()), &items).is_empty());
    }
}
