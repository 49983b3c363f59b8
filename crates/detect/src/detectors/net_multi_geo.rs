//! NET-MULTI-GEO: one account, many countries or networks in a short window.
//!
//! Logic: per account, a ring of the last 16 login/activity IP sightings
//! (time, country, ASN). When, within `window_hours`, the account shows at
//! least `min_countries` distinct countries or `min_asns` distinct ASNs, the
//! flag fires (medium; high at twice the thresholds). A business traveller
//! shows two countries in a day (home, destination); a phone switching between
//! home Wi-Fi and mobile data shows two or three ASNs.
//!
//! Source: A22.

use molehunt_model::{Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetMultiGeoConfig {
    pub enabled: bool,
    /// Window length in hours (default 24).
    pub window_hours: u32,
    /// Distinct countries in a window that fire the flag (default 3).
    pub min_countries: u32,
    /// Distinct ASNs in a window that fire the flag (default 5).
    pub min_asns: u32,
}

impl Default for NetMultiGeoConfig {
    fn default() -> Self {
        NetMultiGeoConfig {
            enabled: true,
            window_hours: 24,
            min_countries: 3,
            min_asns: 5,
        }
    }
}

const RING: usize = 16;

#[derive(Debug, Default, Clone)]
struct AcctState {
    ring: Vec<(i64, [u8; 2], u32)>,
    next: usize,
    max_countries: u32,
    max_asns: u32,
    countries_at_max: Vec<String>,
    samples: Samples,
    last: Option<Time>,
}

pub struct NetMultiGeo {
    cfg: NetMultiGeoConfig,
    accounts: IxVec<AcctState>,
}

impl NetMultiGeo {
    pub fn new(cfg: NetMultiGeoConfig) -> Self {
        NetMultiGeo {
            cfg,
            accounts: IxVec::default(),
        }
    }
}

fn cc(s: &str) -> [u8; 2] {
    let b = s.as_bytes();
    [
        b.first().copied().unwrap_or(b'?').to_ascii_uppercase(),
        b.get(1).copied().unwrap_or(b'?').to_ascii_uppercase(),
    ]
}

impl Detector for NetMultiGeo {
    fn id(&self) -> &'static str {
        "NET-MULTI-GEO"
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if !matches!(obs.event.record, Record::Login(_) | Record::Activity(_)) {
            return;
        }
        let (Some(a), Some(ts), Some(info)) = (obs.account, obs.ts, obs.enrichment.ip.as_ref())
        else {
            return;
        };
        let now = ts.unix();
        let country = info.country.as_deref().map(cc).unwrap_or(*b"??");
        let asn = info.asn.unwrap_or(0);
        let window = i64::from(self.cfg.window_hours) * 3600;
        let st = self.accounts.at(a);
        if st.ring.len() < RING {
            st.ring.push((now, country, asn));
        } else {
            st.ring[st.next] = (now, country, asn);
        }
        st.next = (st.next + 1) % RING;
        let mut countries: Vec<[u8; 2]> = Vec::with_capacity(4);
        let mut asns: Vec<u32> = Vec::with_capacity(4);
        for &(t, c, n) in &st.ring {
            if now - t > window || t > now {
                continue;
            }
            if &c != b"??" && !countries.contains(&c) {
                countries.push(c);
            }
            if n != 0 && !asns.contains(&n) {
                asns.push(n);
            }
        }
        let (nc, na) = (countries.len() as u32, asns.len() as u32);
        if nc >= self.cfg.min_countries || na >= self.cfg.min_asns {
            st.samples.push(&obs.event.id);
            st.last = Some(ts);
            if nc > st.max_countries {
                st.countries_at_max = countries
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect();
            }
            st.max_countries = st.max_countries.max(nc);
            st.max_asns = st.max_asns.max(na);
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (a, st) in self.accounts.iter() {
            if st.samples.is_empty() {
                continue;
            }
            let Some(p) = ctx.account_person(a) else {
                continue;
            };
            let severity = if st.max_countries >= 2 * self.cfg.min_countries
                || st.max_asns >= 2 * self.cfg.min_asns
            {
                Severity::High
            } else {
                Severity::Medium
            };
            let acc = ctx.account(a).map(|x| &*x.id).unwrap_or("");
            let detail = format!(
                "account `{acc}` used up to {} countries ({}) and {} networks (ASNs) within {} hours",
                st.max_countries,
                st.countries_at_max.join(", "),
                st.max_asns,
                self.cfg.window_hours
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
    use molehunt_model::IpClass;

    #[test]
    fn three_countries_in_a_day() {
        let mut items = plain(&[
            person("p1", "Ann Lee", "US", "America/Chicago"),
            account("a1", "p1"),
        ]);
        for (i, c) in ["US", "CN", "RU"].iter().enumerate() {
            items.push((
                login("a1", &t(i as i64 * 120), "198.51.100.1"),
                ip(c, 100 + i as u32, IpClass::Other),
            ));
        }
        let ev = run(&mut NetMultiGeo::new(NetMultiGeoConfig::default()), &items);
        assert_eq!(ev.len(), 1);
        assert!(ev[0].detail.contains("3 countries"), "{}", ev[0].detail);
    }

    #[test]
    fn business_traveller_and_phone_are_spared() {
        let mut items = plain(&[
            person("p1", "Ann Lee", "US", "America/Chicago"),
            account("a1", "p1"),
        ]);
        // home, then airport mobile data, then the hotel abroad, then home Wi-Fi a week later
        let trips = [
            ("US", 7922, 0),
            ("US", 21928, 60),
            ("GB", 2856, 600),
            ("GB", 2856, 900),
            ("US", 7922, 10_000),
        ];
        for (c, asn, m) in trips {
            items.push((
                login("a1", &t(m), "198.51.100.1"),
                ip(c, asn, IpClass::Other),
            ));
        }
        assert!(run(&mut NetMultiGeo::new(NetMultiGeoConfig::default()), &items).is_empty());
    }
}
