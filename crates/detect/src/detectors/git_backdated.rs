//! GIT-BACKDATED: a code-hosting account created after its own earliest commits.
//!
//! Logic: per account, the commit author times (up to 256 kept, bounded).
//! At the end, with the account's `created_at`, commits dated more than
//! `slack_days` before the account existed are counted. At least
//! `min_commits` of them making at least `min_fraction` of the account's
//! commits fire the flag. Severity low by default: pushing an old personal
//! project to a new account also carries old author dates, so this only
//! corroborates other signals; fabricated "years of history" on a brand-new
//! profile is the pattern SEAL describes.
//!
//! Source: SEAL.

use molehunt_model::{Evidence, Record, Severity};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GitBackdatedConfig {
    pub enabled: bool,
    /// Days of clock / import slack before `created_at` (default 1).
    pub slack_days: u32,
    /// Backdated commits needed (default 5).
    pub min_commits: u32,
    /// Share of the account's commits that are backdated (default 0.5).
    pub min_fraction: f64,
    /// Severity (default low).
    pub severity: Severity,
}

impl Default for GitBackdatedConfig {
    fn default() -> Self {
        GitBackdatedConfig {
            enabled: true,
            slack_days: 1,
            min_commits: 5,
            min_fraction: 0.5,
            severity: Severity::Low,
        }
    }
}

const KEEP: usize = 256;

#[derive(Debug, Default, Clone)]
struct AcctState {
    /// Commit times (the first `KEEP`) and their event ids, all ids in one
    /// buffer (`ends[i]` is where id `i` ends): no allocation per commit.
    times: Vec<i64>,
    ids: String,
    ends: Vec<usize>,
    total: u32,
}

impl AcctState {
    fn commits(&self) -> impl Iterator<Item = (i64, &str)> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        self.times
            .iter()
            .zip(starts.zip(&self.ends))
            .map(|(&t, (a, &b))| (t, self.ids.get(a..b).unwrap_or("")))
    }
}

pub struct GitBackdated {
    cfg: GitBackdatedConfig,
    accounts: IxVec<AcctState>,
}

impl GitBackdated {
    pub fn new(cfg: GitBackdatedConfig) -> Self {
        GitBackdated {
            cfg,
            accounts: IxVec::default(),
        }
    }
}

impl Detector for GitBackdated {
    fn id(&self) -> &'static str {
        "GIT-BACKDATED"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["commit"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::Commit(c) = &obs.event.record else {
            return;
        };
        let Some(a) = obs.account else { return };
        let st = self.accounts.at(a);
        st.total += 1;
        if st.times.len() < KEEP {
            st.times.push(c.ts.unix());
            st.ids.push_str(&obs.event.id);
            st.ends.push(st.ids.len());
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (a, st) in self.accounts.iter() {
            let Some(acc) = ctx.account(a) else { continue };
            let (Some(created), Some(p)) = (acc.created_at, acc.person) else {
                continue;
            };
            let limit = created.unix() - i64::from(self.cfg.slack_days) * 86_400;
            let mut samples = Samples::default();
            let mut before = 0u32;
            let mut earliest = i64::MAX;
            for (t, id) in st.commits() {
                if t < limit {
                    before += 1;
                    samples.push(id);
                    earliest = earliest.min(t);
                }
            }
            let kept = st.times.len().max(1) as f64;
            if before < self.cfg.min_commits || f64::from(before) / kept < self.cfg.min_fraction {
                continue;
            }
            let days = (created.unix() - earliest) / 86_400;
            let detail = format!(
                "account `{}` was created {created}, yet {before} of its {} commits are dated earlier (up to {days} days before)",
                acc.id, st.total
            );
            out.push(evidence(
                self.id(),
                ctx,
                p,
                self.cfg.severity,
                detail,
                &samples,
                Some(created),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn acct(created: &str) -> String {
        format!(
            r#"{{"type":"account","account_id":"gh1","person_id":"p1","system":"github","created_at":"{created}"}}"#
        )
    }
    fn commit(m: i64) -> String {
        format!(
            r#"{{"type":"commit","account_id":"gh1","ts":"{}","repo":"x/y"}}"#,
            t(m)
        )
    }

    #[test]
    fn history_older_than_the_account() {
        let mut lines: Vec<String> = (0..8).map(|i| commit(i * 1440 * 30)).collect();
        lines.push(acct(&t(1440 * 365)));
        lines.push(commit(1440 * 366));
        let ev = run(&mut GitBackdated::new(Default::default()), &plain(&lines));
        assert_eq!(ev.len(), 1);
        assert!(ev[0].detail.contains("8 of its 9"), "{}", ev[0].detail);
    }

    #[test]
    fn commits_after_creation_and_a_small_import_are_fine() {
        let mut lines = vec![acct(&t(0))];
        lines.extend((1..20).map(|i| commit(i * 1440)));
        assert!(run(&mut GitBackdated::new(Default::default()), &plain(&lines)).is_empty());
        let mut lines: Vec<String> = (0..2).map(|i| commit(i * 1440)).collect();
        lines.push(acct(&t(1440 * 100)));
        lines.extend((101..120).map(|i| commit(i * 1440)));
        assert!(run(&mut GitBackdated::new(Default::default()), &plain(&lines)).is_empty());
    }
}
