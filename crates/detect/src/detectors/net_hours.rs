//! NET-HOURS: working hours that match East Asia (UTC+8/+9) rather than the
//! claimed timezone.
//!
//! Logic: per account, a 24-bin histogram of login/activity UTC hours and the
//! number of distinct active (UTC) days. At the end, with the person's claimed
//! offset (`claimed_timezone` via the tz database, else `claimed_country`), the
//! flag fires when all hold:
//! - the claimed offset is at most `max_claimed_offset` (default +3: the
//!   Americas, Europe, Africa) — a claim in Asia is consistent with Asian hours;
//! - at least `min_events` events over at least `min_days` active days
//!   (a sustained pattern, not a few late nights);
//! - at least `min_asia_fraction` of events fall in the East Asian business day
//!   (09:00-19:00 at UTC+8/+9, i.e. 00:00-11:00 UTC);
//! - at most `max_claimed_business_fraction` fall in the claimed local business
//!   day (08:00-19:00 local).
//!
//! A night owl in Chicago who works days and some late nights keeps most
//! events in the local business day and is spared. Medium severity.
//!
//! Source: A22, SEAL.

use molehunt_model::{Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;
use crate::util::tz::claimed_offset_hours;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetHoursConfig {
    pub enabled: bool,
    /// Events needed (default 40).
    pub min_events: u32,
    /// Distinct active days needed (default 10).
    pub min_days: u32,
    /// Share of events inside 00:00-11:00 UTC (default 0.7).
    pub min_asia_fraction: f64,
    /// Largest share of events inside the claimed 08:00-19:00 (default 0.45: a Korean
    /// 09:00-17:00 seen from the US west coast still overlaps its 16:00-19:00).
    pub max_claimed_business_fraction: f64,
    /// Claims east of this offset (hours) are not checked (default 3.0).
    pub max_claimed_offset: f64,
}

impl Default for NetHoursConfig {
    fn default() -> Self {
        NetHoursConfig {
            enabled: true,
            min_events: 40,
            min_days: 10,
            min_asia_fraction: 0.7,
            max_claimed_business_fraction: 0.45,
            max_claimed_offset: 3.0,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct AcctState {
    hours: [u32; 24],
    days: u32,
    last_day: i64,
    samples: Samples,
    last: Option<Time>,
}

pub struct NetHours {
    cfg: NetHoursConfig,
    accounts: IxVec<AcctState>,
}

impl NetHours {
    pub fn new(cfg: NetHoursConfig) -> Self {
        NetHours {
            cfg,
            accounts: IxVec::default(),
        }
    }
}

/// UTC hours of the East Asian business day (09-19 at +8 and +9).
fn in_asia_day(h: usize) -> bool {
    h < 11
}

impl Detector for NetHours {
    fn id(&self) -> &'static str {
        "NET-HOURS"
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
        let secs = ts.unix();
        let st = self.accounts.at(a);
        let h = (secs.rem_euclid(86_400) / 3600) as usize;
        st.hours[h] += 1;
        let day = secs.div_euclid(86_400);
        if st.days == 0 || day != st.last_day {
            st.days += 1;
            st.last_day = day;
        }
        if in_asia_day(h) {
            st.samples.push(&obs.event.id);
            st.last = Some(ts);
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        let at = ctx.reference_time();
        for (a, st) in self.accounts.iter() {
            let total: u32 = st.hours.iter().sum();
            if total < self.cfg.min_events || st.days < self.cfg.min_days {
                continue;
            }
            let Some(p) = ctx.account_person(a) else {
                continue;
            };
            let Some(offset) = ctx.person(p).and_then(|x| claimed_offset_hours(x, at)) else {
                continue;
            };
            if offset > self.cfg.max_claimed_offset {
                continue;
            }
            let asia: u32 = (0..24)
                .filter(|&h| in_asia_day(h))
                .map(|h| st.hours[h])
                .sum();
            let local_business: u32 = (0..24usize)
                .filter(|&h| {
                    let local = (h as f64 + offset).rem_euclid(24.0);
                    (8.0..19.0).contains(&local)
                })
                .map(|h| st.hours[h])
                .sum();
            let fa = f64::from(asia) / f64::from(total);
            let fb = f64::from(local_business) / f64::from(total);
            if fa < self.cfg.min_asia_fraction || fb > self.cfg.max_claimed_business_fraction {
                continue;
            }
            let acc = ctx.account(a).map(|x| &*x.id).unwrap_or("");
            let detail = format!(
                "{:.0}% of {total} events of account `{acc}` over {} days fall in the UTC+8/+9 business day, only {:.0}% in the claimed (UTC{offset:+}) business day",
                fa * 100.0,
                st.days,
                fb * 100.0
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

    fn act(m: i64) -> String {
        format!(r#"{{"type":"activity","account_id":"a1","ts":"{}"}}"#, t(m))
    }

    /// `days` days of activity at the given UTC hours.
    fn schedule(claim: (&str, &str), days: i64, hours: &[i64]) -> Vec<String> {
        let mut lines = vec![
            person("p1", "Ann Lee", claim.0, claim.1),
            account("a1", "p1"),
        ];
        for d in 0..days {
            for h in hours {
                lines.push(act(d * 1440 + h * 60 + 7));
            }
        }
        lines
    }

    #[test]
    fn korean_business_day_while_claiming_chicago() {
        // 09:00-17:00 KST = 00:00-08:00 UTC = 18:00-02:00 in Chicago
        let lines = schedule(("US", "America/Chicago"), 15, &[0, 1, 2, 3, 4, 5, 6, 7]);
        let ev = run(
            &mut NetHours::new(NetHoursConfig::default()),
            &plain(&lines),
        );
        assert_eq!(ev.len(), 1);
        assert!(ev[0].detail.contains("claimed (UTC-"), "{}", ev[0].detail);
    }

    #[test]
    fn korean_business_day_while_claiming_los_angeles() {
        // 09:00-17:00 KST = 00:00-08:00 UTC = 16:00-24:00 in Los Angeles (winter): three of
        // the eight hours fall inside the claimed business day, yet the pattern is Asian
        let lines = schedule(("US", "America/Los_Angeles"), 15, &[0, 1, 2, 3, 4, 5, 6, 7]);
        let ev = run(
            &mut NetHours::new(NetHoursConfig::default()),
            &plain(&lines),
        );
        assert_eq!(ev.len(), 1);
    }

    #[test]
    fn night_owl_is_spared() {
        // Chicago 09-17 local = 15-23 UTC, plus late nights until 01:00 local (07 UTC) most days
        let lines = schedule(
            ("US", "America/Chicago"),
            20,
            &[15, 16, 17, 18, 19, 20, 21, 22, 4, 5, 6],
        );
        assert!(
            run(
                &mut NetHours::new(NetHoursConfig::default()),
                &plain(&lines)
            )
            .is_empty()
        );
    }

    #[test]
    fn a_few_late_nights_are_not_a_pattern() {
        let lines = schedule(
            ("US", "America/New_York"),
            4,
            &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        );
        assert!(
            run(
                &mut NetHours::new(NetHoursConfig::default()),
                &plain(&lines)
            )
            .is_empty()
        );
    }

    #[test]
    fn seoul_developer_claiming_seoul_is_spared() {
        let lines = schedule(("KR", "Asia/Seoul"), 15, &[0, 1, 2, 3, 4, 5, 6, 7]);
        assert!(
            run(
                &mut NetHours::new(NetHoursConfig::default()),
                &plain(&lines)
            )
            .is_empty()
        );
    }
}
