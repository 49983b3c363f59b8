//! NET-TRAVEL: impossible travel between consecutive logins of one account.
//!
//! Logic: per account, the previous login's time and country (from IP
//! enrichment; anonymising IPs are skipped, NET-VPN covers them). When the
//! country changes, the great-circle distance between the two countries'
//! centroids (a built-in table, see `util::geo`) is compared with the time
//! between the logins: travel is impossible when
//! `hours < (distance_km - centroid_error_km) / max_speed_kmh + slack_hours`.
//! Centroids of large countries lie far from where people fly from (Canada's
//! centre is in the Arctic), so `centroid_error_km` is taken off the distance.
//! Countries closer than `min_distance_km` are ignored (neighbours, border
//! towns). The defaults (airliner ~900 km/h, 2,000 km centroid error, 3 h
//! slack for airports) let a business traveller fly US -> UK overnight or
//! Vancouver -> Beijing in 11 hours.
//! Medium; high when it happens `high_count` times.
//!
//! Source: Splunk security content, "remote employment fraud" story.

use molehunt_model::{Evidence, IpClass, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::geo::country_distance_km;
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetTravelConfig {
    pub enabled: bool,
    /// Fastest plausible travel, km/h (default 900, an airliner).
    pub max_speed_kmh: f64,
    /// Extra hours allowed on top of flight time (default 3).
    pub slack_hours: f64,
    /// Country pairs closer than this (km between centroids) are ignored (default 1000).
    pub min_distance_km: f64,
    /// Kilometres taken off centroid distances for the size of countries (default 2000).
    pub centroid_error_km: f64,
    /// Impossible jumps for high severity (default 3).
    pub high_count: u32,
}

impl Default for NetTravelConfig {
    fn default() -> Self {
        NetTravelConfig {
            enabled: true,
            max_speed_kmh: 900.0,
            slack_hours: 3.0,
            min_distance_km: 1000.0,
            centroid_error_km: 2000.0,
            high_count: 3,
        }
    }
}

/// An upper-cased country code, inline when it has the usual two ASCII
/// letters (no pointer to follow when comparing it on every login).
#[derive(Debug, Clone)]
enum Cc {
    Two([u8; 2]),
    Other(String),
}

impl Cc {
    fn new(country: &str) -> Cc {
        match country.as_bytes() {
            &[a, b] if a.is_ascii() && b.is_ascii() => {
                Cc::Two([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
            }
            _ => Cc::Other(country.to_ascii_uppercase()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Cc::Two(b) => std::str::from_utf8(b).unwrap_or(""),
            Cc::Other(s) => s,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct AcctState {
    /// The previous login: time, country, event id.
    prev: Option<(i64, Cc, String)>,
    count: u32,
    worst: Option<(String, String, f64, f64)>,
    samples: Samples,
    last: Option<Time>,
}

pub struct NetTravel {
    cfg: NetTravelConfig,
    accounts: IxVec<AcctState>,
}

impl NetTravel {
    pub fn new(cfg: NetTravelConfig) -> Self {
        NetTravel {
            cfg,
            accounts: IxVec::default(),
        }
    }
}

impl Detector for NetTravel {
    fn id(&self) -> &'static str {
        "NET-TRAVEL"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["login"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if !matches!(obs.event.record, Record::Login(_)) {
            return;
        }
        let (Some(a), Some(ts), Some(info)) = (obs.account, obs.ts, obs.enrichment.ip.as_ref())
        else {
            return;
        };
        if info.class != IpClass::Other {
            return;
        }
        let Some(country) = info.country.as_deref() else {
            return;
        };
        let now = ts.unix();
        let cfg = &self.cfg;
        let st = self.accounts.at(a);
        if let Some((t0, c0, id0)) = &st.prev
            && let c0 = c0.as_str()
            && !c0.eq_ignore_ascii_case(country)
            && let Some(km) = country_distance_km(c0, country)
            && km >= cfg.min_distance_km
        {
            let hours = (now - t0) as f64 / 3600.0;
            if hours < (km - cfg.centroid_error_km).max(0.0) / cfg.max_speed_kmh + cfg.slack_hours {
                st.count += 1;
                st.samples.push(id0);
                st.samples.push(&obs.event.id);
                st.last = Some(ts);
                let speed = km / hours.max(1.0 / 60.0);
                if st.worst.as_ref().is_none_or(|w| speed > w.3) {
                    st.worst = Some((c0.to_string(), country.to_ascii_uppercase(), hours, speed));
                }
            }
        }
        match &mut st.prev {
            Some(prev) if prev.1.as_str().eq_ignore_ascii_case(country) => {
                prev.0 = now;
                // reuse the buffer: no allocation per login
                prev.2.clear();
                prev.2.push_str(&obs.event.id);
            }
            _ => st.prev = Some((now, Cc::new(country), obs.event.id.as_str().into())),
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (a, st) in self.accounts.iter() {
            let (Some((from, to, hours, speed)), Some(p)) = (&st.worst, ctx.account_person(a))
            else {
                continue;
            };
            let severity = if st.count >= self.cfg.high_count {
                Severity::High
            } else {
                Severity::Medium
            };
            let acc = ctx.account(a).map(|x| &*x.id).unwrap_or("");
            let detail = format!(
                "{} impossible jump(s) for account `{acc}`, worst {from} -> {to} in {hours:.1} h (~{speed:.0} km/h)",
                st.count
            );
            out.push(evidence(
                self.id(),
                ctx,
                p,
                severity,
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

    fn base() -> Vec<(String, molehunt_model::Enrichment)> {
        plain(&[
            person("p1", "Ann Lee", "US", "America/Chicago"),
            account("a1", "p1"),
        ])
    }

    #[test]
    fn us_to_korea_in_two_hours() {
        let mut items = base();
        items.push((
            login("a1", &t(0), "198.51.100.1"),
            ip("US", 7922, IpClass::Other),
        ));
        items.push((
            login("a1", &t(120), "203.0.113.1"),
            ip("KR", 4766, IpClass::Other),
        ));
        let ev = run(&mut NetTravel::new(NetTravelConfig::default()), &items);
        assert_eq!(ev.len(), 1);
        assert!(ev[0].detail.contains("US -> KR"), "{}", ev[0].detail);
        assert_eq!(ev[0].events.len(), 2);
    }

    #[test]
    fn business_traveller_overnight_flight_is_plausible() {
        let mut items = base();
        items.push((
            login("a1", &t(0), "198.51.100.1"),
            ip("US", 7922, IpClass::Other),
        ));
        items.push((
            login("a1", &t(11 * 60), "81.2.69.1"),
            ip("GB", 2856, IpClass::Other),
        ));
        items.push((
            login("a1", &t(14 * 60), "81.2.69.1"),
            ip("FR", 3215, IpClass::Other),
        ));
        assert!(run(&mut NetTravel::new(NetTravelConfig::default()), &items).is_empty());
    }

    #[test]
    fn vpn_hops_are_left_to_net_vpn() {
        let mut items = base();
        items.push((
            login("a1", &t(0), "198.51.100.1"),
            ip("US", 7922, IpClass::Other),
        ));
        items.push((
            login("a1", &t(10), "203.0.113.1"),
            ip("JP", 9009, IpClass::Vpn),
        ));
        assert!(run(&mut NetTravel::new(NetTravelConfig::default()), &items).is_empty());
    }
}
