//! HIRE-AVAILABILITY: interviews only happen at night in the claimed timezone.
//!
//! Logic: each `interview` time is converted to the person's claimed local
//! time (`claimed_timezone`, else `claimed_country`). When at least
//! `min_interviews` (default 2) interviews exist and at least
//! `min_night_fraction` (default 0.75) of them fall outside
//! `day_start`..`day_end` local hours (default 07-21), the candidate could
//! not make business hours: low (it corroborates NET-HOURS). Interview
//! slack in messaging is not in the contract and not checked.
//!
//! Source: A22.

use molehunt_model::{Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;
use crate::util::tz::claimed_offset_hours;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HireAvailabilityConfig {
    pub enabled: bool,
    /// Interviews needed (default 2).
    pub min_interviews: u32,
    /// Share of interviews outside the local day that fires (default 0.75).
    pub min_night_fraction: f64,
    /// Local day start hour (default 7).
    pub day_start: u8,
    /// Local day end hour (default 21).
    pub day_end: u8,
}

impl Default for HireAvailabilityConfig {
    fn default() -> Self {
        HireAvailabilityConfig {
            enabled: true,
            min_interviews: 2,
            min_night_fraction: 0.75,
            day_start: 7,
            day_end: 21,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    times: Vec<(i64, Box<str>)>,
}

pub struct HireAvailability {
    cfg: HireAvailabilityConfig,
    persons: IxVec<PersonState>,
}

impl HireAvailability {
    pub fn new(cfg: HireAvailabilityConfig) -> Self {
        HireAvailability {
            cfg,
            persons: IxVec::default(),
        }
    }
}

impl Detector for HireAvailability {
    fn id(&self) -> &'static str {
        "HIRE-AVAILABILITY"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["interview"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::Interview(i) = &obs.event.record else {
            return;
        };
        let Some(p) = obs.person else { return };
        let st = self.persons.at(p);
        if st.times.len() < 16 {
            st.times.push((i.ts.unix(), obs.event.id.as_str().into()));
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        let at = ctx.reference_time();
        for (p, st) in self.persons.iter() {
            if (st.times.len() as u32) < self.cfg.min_interviews {
                continue;
            }
            let Some(offset) = ctx.person(p).and_then(|x| claimed_offset_hours(x, at)) else {
                continue;
            };
            let mut samples = Samples::default();
            let mut night = 0u32;
            let mut last = 0i64;
            for (t, id) in &st.times {
                let local = ((*t as f64 / 3600.0) + offset).rem_euclid(24.0);
                if local < f64::from(self.cfg.day_start) || local >= f64::from(self.cfg.day_end) {
                    night += 1;
                    samples.push(id);
                    last = last.max(*t);
                }
            }
            let frac = f64::from(night) / st.times.len() as f64;
            if frac < self.cfg.min_night_fraction {
                continue;
            }
            let detail = format!(
                "{night} of {} interviews took place at night in the claimed timezone (UTC{offset:+})",
                st.times.len()
            );
            let at = jiff::Timestamp::from_second(last).ok().map(Time::from_utc);
            out.push(evidence(
                self.id(),
                ctx,
                p,
                Severity::Low,
                detail,
                &samples,
                at,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn iv(m: i64) -> String {
        format!(
            r#"{{"type":"interview","person_id":"p1","ts":"{}","video":"on"}}"#,
            t(m)
        )
    }

    #[test]
    fn always_at_night_in_chicago() {
        // 05:00 and 06:00 UTC are 23:00 and 00:00 in Chicago (CST)
        let items = plain(&[
            person("p1", "A B", "US", "America/Chicago"),
            iv(5 * 60),
            iv(1440 + 6 * 60),
        ]);
        assert_eq!(
            run(&mut HireAvailability::new(Default::default()), &items).len(),
            1
        );
    }

    #[test]
    fn daytime_interviews_are_fine() {
        let items = plain(&[
            person("p1", "A B", "US", "America/Chicago"),
            iv(16 * 60),
            iv(1440 + 5 * 60),
            iv(2880 + 18 * 60),
        ]);
        assert!(run(&mut HireAvailability::new(Default::default()), &items).is_empty());
    }
}
