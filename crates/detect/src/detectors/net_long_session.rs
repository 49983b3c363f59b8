//! NET-LONG-SESSION: an account continuously active for 24 hours or more.
//!
//! Logic: per account, a run of logins/activity events with no gap longer
//! than `max_gap_minutes`; a run lasting `min_hours` or more fires the flag
//! (medium; high at `high_hours`). One person sleeps; a shared seat worked in
//! shifts by several operators does not. An all-nighter before a release
//! (18-20 h) stays under the default.
//!
//! Source: A22.

use molehunt_model::{Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetLongSessionConfig {
    pub enabled: bool,
    /// A gap longer than this ends a run (default 90 minutes).
    pub max_gap_minutes: u32,
    /// Run length that fires the flag (default 24 hours).
    pub min_hours: u32,
    /// Run length of high severity (default 48 hours).
    pub high_hours: u32,
}

impl Default for NetLongSessionConfig {
    fn default() -> Self {
        NetLongSessionConfig {
            enabled: true,
            max_gap_minutes: 90,
            min_hours: 24,
            high_hours: 48,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct AcctState {
    start: i64,
    last: i64,
    started: bool,
    longest: i64,
    runs: u32,
    counted_this_run: bool,
    samples: Samples,
    at: Option<Time>,
}

pub struct NetLongSession {
    cfg: NetLongSessionConfig,
    accounts: IxVec<AcctState>,
}

impl NetLongSession {
    pub fn new(cfg: NetLongSessionConfig) -> Self {
        NetLongSession {
            cfg,
            accounts: IxVec::default(),
        }
    }
}

impl Detector for NetLongSession {
    fn id(&self) -> &'static str {
        "NET-LONG-SESSION"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["login", "activity"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if !matches!(obs.event.record, Record::Login(_) | Record::Activity(_)) {
            return;
        }
        let (Some(a), Some(ts)) = (obs.account, obs.ts) else {
            return;
        };
        let now = ts.unix();
        let gap = i64::from(self.cfg.max_gap_minutes) * 60;
        let min = i64::from(self.cfg.min_hours) * 3600;
        let st = self.accounts.at(a);
        if !st.started || now - st.last > gap || now < st.last {
            st.started = true;
            st.start = now;
            st.counted_this_run = false;
        }
        st.last = now;
        let len = now - st.start;
        if len >= min {
            if !st.counted_this_run {
                st.runs += 1;
                st.counted_this_run = true;
                st.samples.push(&obs.event.id);
            }
            if len > st.longest {
                st.longest = len;
                st.at = Some(ts);
            }
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (a, st) in self.accounts.iter() {
            if st.runs == 0 {
                continue;
            }
            let Some(p) = ctx.account_person(a) else {
                continue;
            };
            let hours = st.longest as f64 / 3600.0;
            let severity = if hours >= f64::from(self.cfg.high_hours) {
                Severity::High
            } else {
                Severity::Medium
            };
            let acc = ctx.account(a).map(|x| &*x.id).unwrap_or("");
            let detail = format!(
                "account `{acc}` was active without a break over {} minutes for {hours:.0} hours ({} such run(s))",
                self.cfg.max_gap_minutes, st.runs
            );
            out.push(evidence(
                self.id(),
                ctx,
                p,
                severity,
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

    fn act(m: i64) -> String {
        format!(
            r#"{{"type":"activity","account_id":"a1","ts":"{}","action":"commit"}}"#,
            t(m)
        )
    }

    #[test]
    fn thirty_hours_without_a_break() {
        let mut lines = vec![account("a1", "p1")];
        for i in 0..(30 * 2) {
            lines.push(act(i * 30));
        }
        let ev = run(
            &mut NetLongSession::new(NetLongSessionConfig::default()),
            &plain(&lines),
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].severity, Severity::Medium);
    }

    #[test]
    fn all_nighter_and_normal_days_are_spared() {
        let mut lines = vec![account("a1", "p1")];
        for i in 0..(20 * 2) {
            lines.push(act(i * 30)); // 20 hours straight
        }
        for d in 1..5 {
            for h in 0..9 {
                lines.push(act(d * 1440 + 600 + h * 60));
            }
        }
        assert!(
            run(
                &mut NetLongSession::new(NetLongSessionConfig::default()),
                &plain(&lines)
            )
            .is_empty()
        );
    }
}
