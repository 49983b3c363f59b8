//! GIT-TZ: commit timezone offsets of +08:00/+09:00 from a worker who claims
//! the Americas or Europe.
//!
//! Logic: per account, commit author-date offsets (kept from the original
//! RFC 3339 `ts`, e.g. `+0900`). At the end, with the person's claimed offset
//! (`claimed_timezone`, else `claimed_country`): when the claim is at most
//! `max_claimed_offset` (default +3: the Americas, Europe, Africa), at least
//! `min_commits` commits exist and at least `min_fraction` of them carry an
//! East Asian offset (+07:30 to +09:30), the flag fires (medium). A Korean or
//! Chinese developer who claims to live there commits at +09:00/+08:00
//! honestly and is spared; so is a traveller with a few such commits.
//!
//! Source: SEAL.

use molehunt_model::{Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;
use crate::util::tz::{claimed_offset_hours, is_east_asian_offset};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GitTzConfig {
    pub enabled: bool,
    /// Commits needed (default 5).
    pub min_commits: u32,
    /// Share of commits with an East Asian offset (default 0.5).
    pub min_fraction: f64,
    /// Claims east of this offset (hours) are not checked (default 3.0).
    pub max_claimed_offset: f64,
}

impl Default for GitTzConfig {
    fn default() -> Self {
        GitTzConfig {
            enabled: true,
            min_commits: 5,
            min_fraction: 0.5,
            max_claimed_offset: 3.0,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct AcctState {
    total: u32,
    asian: u32,
    offsets: Vec<i32>,
    samples: Samples,
    last: Option<Time>,
}

pub struct GitTz {
    cfg: GitTzConfig,
    accounts: IxVec<AcctState>,
}

impl GitTz {
    pub fn new(cfg: GitTzConfig) -> Self {
        GitTz {
            cfg,
            accounts: IxVec::default(),
        }
    }
}

fn fmt_offset(s: i32) -> String {
    let sign = if s < 0 { '-' } else { '+' };
    format!("{sign}{:02}{:02}", s.abs() / 3600, (s.abs() % 3600) / 60)
}

impl Detector for GitTz {
    fn id(&self) -> &'static str {
        "GIT-TZ"
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
        let off = c.ts.offset_seconds;
        if is_east_asian_offset(f64::from(off) / 3600.0) {
            st.asian += 1;
            st.samples.push(&obs.event.id);
            st.last = Some(c.ts);
            if !st.offsets.contains(&off) && st.offsets.len() < 4 {
                st.offsets.push(off);
            }
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        let at = ctx.reference_time();
        for (a, st) in self.accounts.iter() {
            if st.total < self.cfg.min_commits || st.asian == 0 {
                continue;
            }
            let frac = f64::from(st.asian) / f64::from(st.total);
            if frac < self.cfg.min_fraction {
                continue;
            }
            let Some(p) = ctx.account_person(a) else {
                continue;
            };
            let Some(claimed) = ctx.person(p).and_then(|x| claimed_offset_hours(x, at)) else {
                continue;
            };
            if claimed > self.cfg.max_claimed_offset {
                continue;
            }
            let offs: Vec<String> = st.offsets.iter().map(|&o| fmt_offset(o)).collect();
            let acc = ctx.account(a).map(|x| &*x.id).unwrap_or("");
            let detail = format!(
                "{} of {} commits of account `{acc}` carry offset {} while the worker claims UTC{claimed:+}",
                st.asian,
                st.total,
                offs.join("/")
            );
            out.push(evidence(
                self.id(),
                ctx,
                p,
                Severity::Medium,
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

    fn commits(claim: (&str, &str), offset: &str, n: usize) -> Vec<String> {
        let mut lines = vec![person("p1", "A B", claim.0, claim.1), account("gh1", "p1")];
        for i in 0..n {
            lines.push(format!(
                r#"{{"type":"commit","account_id":"gh1","ts":"2026-03-0{}T10:00:00{offset}"}}"#,
                1 + i % 9
            ));
        }
        lines
    }

    #[test]
    fn kst_commits_claiming_texas() {
        let ev = run(
            &mut GitTz::new(Default::default()),
            &plain(&commits(("US", "America/Chicago"), "+09:00", 6)),
        );
        assert_eq!(ev.len(), 1);
        assert!(ev[0].detail.contains("+0900"));
    }

    #[test]
    fn korean_developer_in_seoul_and_us_developer_are_spared() {
        assert!(
            run(
                &mut GitTz::new(Default::default()),
                &plain(&commits(("KR", "Asia/Seoul"), "+09:00", 6))
            )
            .is_empty()
        );
        assert!(
            run(
                &mut GitTz::new(Default::default()),
                &plain(&commits(("US", "America/Chicago"), "-06:00", 6))
            )
            .is_empty()
        );
    }
}
