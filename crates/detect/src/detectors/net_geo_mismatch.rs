//! NET-GEO-MISMATCH: logins come from another country than the claimed residence.
//!
//! Logic: per account, login counts per IP country (anonymising IPs excluded:
//! their country says nothing about the person). At the end, the share of
//! logins from countries other than the person's claimed country (else
//! address country) must reach `min_fraction` over at least `min_events`
//! logins. Severity: medium; high when the foreign country is in
//! `high_countries`; critical for `critical_countries`. A business traveller
//! (a minority of logins abroad) and a Korean or Chinese developer who claims
//! to live where they log in from are spared.
//!
//! Source: A22.

use molehunt_model::{Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetGeoMismatchConfig {
    pub enabled: bool,
    /// Logins with a known country needed (default 3).
    pub min_events: u32,
    /// Share of logins from other countries (default 0.5).
    pub min_fraction: f64,
    /// Foreign countries of high severity (default CN, RU).
    pub high_countries: Vec<String>,
    /// Foreign countries of critical severity (default KP).
    pub critical_countries: Vec<String>,
}

impl Default for NetGeoMismatchConfig {
    fn default() -> Self {
        NetGeoMismatchConfig {
            enabled: true,
            min_events: 3,
            min_fraction: 0.5,
            high_countries: vec!["CN".into(), "RU".into()],
            critical_countries: vec!["KP".into()],
        }
    }
}

/// Logins from one country: code, count, samples.
type CountryCount = ([u8; 2], u32, Samples);

#[derive(Debug, Default, Clone)]
struct AcctState {
    /// The first country seen, inline (most accounts log in from one country).
    first: Option<CountryCount>,
    /// The other countries, in order of first sight.
    rest: Vec<CountryCount>,
    total: u32,
    last: Option<Time>,
}

impl AcctState {
    /// Per-country counts, in order of first sight.
    fn counts(&self) -> impl Iterator<Item = &CountryCount> {
        self.first.iter().chain(&self.rest)
    }
}

pub struct NetGeoMismatch {
    cfg: NetGeoMismatchConfig,
    accounts: IxVec<AcctState>,
}

impl NetGeoMismatch {
    pub fn new(cfg: NetGeoMismatchConfig) -> Self {
        NetGeoMismatch {
            cfg,
            accounts: IxVec::default(),
        }
    }
}

fn code(s: &str) -> Option<[u8; 2]> {
    let b = s.trim().as_bytes();
    (b.len() == 2).then(|| [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()])
}

impl Detector for NetGeoMismatch {
    fn id(&self) -> &'static str {
        "NET-GEO-MISMATCH"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["login"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if !matches!(obs.event.record, Record::Login(_)) {
            return;
        }
        let (Some(a), Some(info)) = (obs.account, obs.enrichment.ip.as_ref()) else {
            return;
        };
        if info.class.is_anonymizing() {
            return;
        }
        let Some(c) = info.country.as_deref().and_then(code) else {
            return;
        };
        let st = self.accounts.at(a);
        st.total += 1;
        st.last = obs.ts;
        let n = usize::from(st.first.is_some()) + st.rest.len();
        let found = match &mut st.first {
            Some(f) if f.0 == c => Some(f),
            _ => st.rest.iter_mut().find(|(k, _, _)| *k == c),
        };
        match found {
            Some((_, n, s)) => {
                *n += 1;
                s.push(&obs.event.id);
            }
            None if n < 32 => {
                let mut s = Samples::default();
                s.push(&obs.event.id);
                if st.first.is_none() {
                    st.first = Some((c, 1, s));
                } else {
                    st.rest.push((c, 1, s));
                }
            }
            None => {}
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (a, st) in self.accounts.iter() {
            if st.total < self.cfg.min_events {
                continue;
            }
            let Some(p) = ctx.account_person(a) else {
                continue;
            };
            let Some(claimed) = ctx.claimed_country(p).as_deref().and_then(code) else {
                continue;
            };
            let foreign: u32 = st
                .counts()
                .filter(|(c, _, _)| *c != claimed)
                .map(|(_, n, _)| n)
                .sum();
            let frac = f64::from(foreign) / f64::from(st.total);
            if frac < self.cfg.min_fraction {
                continue;
            }
            let Some((top, n, samples)) = st
                .counts()
                .filter(|(c, _, _)| *c != claimed)
                .max_by_key(|(_, n, _)| *n)
            else {
                continue;
            };
            let top = String::from_utf8_lossy(top).into_owned();
            let listed = |l: &[String]| l.iter().any(|c| c.eq_ignore_ascii_case(&top));
            let severity = if listed(&self.cfg.critical_countries) {
                Severity::Critical
            } else if listed(&self.cfg.high_countries) {
                Severity::High
            } else {
                Severity::Medium
            };
            let acc = ctx.account(a).map(|x| &*x.id).unwrap_or("");
            let detail = format!(
                "{foreign} of {} logins of account `{acc}` came from outside the claimed country {} (most from {top}: {n})",
                st.total,
                String::from_utf8_lossy(&claimed)
            );
            out.push(evidence(
                self.id(),
                ctx,
                p,
                severity,
                detail,
                samples,
                st.last,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;
    use molehunt_model::IpClass;

    fn logins(claim: &str, countries: &[&str]) -> Vec<(String, molehunt_model::Enrichment)> {
        let mut items = plain(&[person("p1", "Ann Lee", claim, ""), account("a1", "p1")]);
        for (i, c) in countries.iter().enumerate() {
            items.push((
                login("a1", &t(i as i64 * 1440), "198.51.100.1"),
                ip(c, 1, IpClass::Other),
            ));
        }
        items
    }

    #[test]
    fn claims_us_logs_in_from_china() {
        let ev = run(
            &mut NetGeoMismatch::new(Default::default()),
            &logins("US", &["CN", "CN", "CN", "US"]),
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].severity, Severity::High);
    }

    #[test]
    fn traveller_and_honest_korean_developer_are_spared() {
        let trips = ["US", "US", "US", "DE", "DE", "US", "US", "US"];
        assert!(
            run(
                &mut NetGeoMismatch::new(Default::default()),
                &logins("US", &trips)
            )
            .is_empty()
        );
        let home = ["KR", "KR", "KR", "KR"];
        assert!(
            run(
                &mut NetGeoMismatch::new(Default::default()),
                &logins("KR", &home)
            )
            .is_empty()
        );
    }
}
