//! PAY-CHURN: the payout destination changes often.
//!
//! Logic: per person, the sequence of payout destinations (bank account hash,
//! wallet, provider account; see `pay_shared::destinations`) of
//! `payout_method` and `payout` records. A change is a destination different
//! from the previous one. The flag fires when `min_changes` (default 3)
//! changes fall within `window_days` (default 90), or when the person used
//! `min_destinations` (default 4) distinct destinations overall (medium).
//! One switch of bank (moving house, a new job) is ordinary.
//!
//! Source: A22.

use std::hash::{Hash, Hasher};

use molehunt_model::{Evidence, Record, Severity, Time};
use rustc_hash::FxHasher;
use serde::{Deserialize, Serialize};

use super::pay_shared::destinations;
use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PayChurnConfig {
    pub enabled: bool,
    /// Changes within the window that fire the flag (default 3).
    pub min_changes: u32,
    /// Window in days (default 90).
    pub window_days: u32,
    /// Distinct destinations overall that fire the flag (default 4).
    pub min_destinations: u32,
}

impl Default for PayChurnConfig {
    fn default() -> Self {
        PayChurnConfig {
            enabled: true,
            min_changes: 3,
            window_days: 90,
            min_destinations: 4,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    last: Option<u64>,
    distinct: Vec<u64>,
    changes: Vec<i64>,
    max_in_window: u32,
    samples: Samples,
    at: Option<Time>,
}

pub struct PayChurn {
    cfg: PayChurnConfig,
    persons: IxVec<PersonState>,
}

impl PayChurn {
    pub fn new(cfg: PayChurnConfig) -> Self {
        PayChurn {
            cfg,
            persons: IxVec::default(),
        }
    }
}

impl Detector for PayChurn {
    fn id(&self) -> &'static str {
        "PAY-CHURN"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["payout_method", "payout"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if !matches!(
            obs.event.record,
            Record::PayoutMethod(_) | Record::Payout(_)
        ) {
            return;
        }
        let Some(p) = obs.person else { return };
        let dests = destinations(&obs.event.record);
        if dests.is_empty() {
            return;
        }
        let mut h = FxHasher::default();
        dests.hash(&mut h);
        let key = h.finish();
        let window = i64::from(self.cfg.window_days) * 86_400;
        let st = self.persons.at(p);
        if !st.distinct.contains(&key) && st.distinct.len() < 64 {
            st.distinct.push(key);
        }
        if st.last.is_some_and(|l| l != key) {
            st.samples.push(&obs.event.id);
            st.at = obs.ts.or(st.at);
            if let Some(t) = obs.ts {
                let now = t.unix();
                st.changes.retain(|&c| now - c <= window);
                st.changes.push(now);
                st.max_in_window = st.max_in_window.max(st.changes.len() as u32);
            }
        } else if st.last.is_none() {
            st.samples.push(&obs.event.id);
        }
        st.last = Some(key);
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, st) in self.persons.iter() {
            let n = st.distinct.len() as u32;
            if st.max_in_window < self.cfg.min_changes && n < self.cfg.min_destinations {
                continue;
            }
            let detail = format!(
                "payout destination changed {} time(s) within {} days; {n} distinct destinations in all",
                st.max_in_window, self.cfg.window_days
            );
            out.push(evidence(
                self.id(),
                ctx,
                p,
                Severity::Medium,
                detail,
                &st.samples,
                st.at,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn payout(m: i64, hash: &str) -> String {
        format!(
            r#"{{"type":"payout","person_id":"p1","ts":"{}","amount":100,"currency":"USD","account_hash":"{hash}"}}"#,
            t(m)
        )
    }

    #[test]
    fn three_changes_in_a_month() {
        let lines = [
            payout(0, "a"),
            payout(10_000, "b"),
            payout(20_000, "c"),
            payout(30_000, "a"),
        ];
        let ev = run(&mut PayChurn::new(Default::default()), &plain(&lines));
        assert_eq!(ev.len(), 1);
    }

    #[test]
    fn one_bank_switch_is_ordinary() {
        let lines = [
            payout(0, "a"),
            payout(40_000, "a"),
            payout(80_000, "b"),
            payout(120_000, "b"),
        ];
        assert!(run(&mut PayChurn::new(Default::default()), &plain(&lines)).is_empty());
    }
}
