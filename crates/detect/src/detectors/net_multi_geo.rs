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

#[derive(Debug, Clone)]
struct AcctState {
    ring: [(i64, [u8; 2], u32); RING],
    len: usize,
    next: usize,
    max_countries: u32,
    max_asns: u32,
    countries_at_max: Vec<String>,
    samples: Samples,
    last: Option<Time>,
}

impl Default for AcctState {
    fn default() -> Self {
        AcctState {
            ring: [(0, [0; 2], 0); RING],
            len: 0,
            next: 0,
            max_countries: 0,
            max_asns: 0,
            countries_at_max: Vec::new(),
            samples: Samples::default(),
            last: None,
        }
    }
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

    fn kinds(&self) -> &'static [&'static str] {
        &["login", "activity"]
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
        // fast path: the same place as the previous sighting adds nothing new to count
        let prev = st.ring[(st.next + RING - 1) % RING];
        let same_as_prev = st.len > 0 && prev.1 == country && prev.2 == asn;
        st.ring[st.next] = (now, country, asn);
        st.next = (st.next + 1) % RING;
        st.len = (st.len + 1).min(RING);
        if same_as_prev {
            return;
        }
        // fixed-size scratch: no allocation per event
        let mut countries = [[0u8; 2]; RING];
        let mut asns = [0u32; RING];
        let (mut nc, mut na) = (0usize, 0usize);
        for &(t, c, n) in &st.ring[..st.len] {
            if now - t > window || t > now {
                continue;
            }
            if &c != b"??" && !countries[..nc].contains(&c) {
                countries[nc] = c;
                nc += 1;
            }
            if n != 0 && !asns[..na].contains(&n) {
                asns[na] = n;
                na += 1;
            }
        }
        let countries = &countries[..nc];
        let (nc, na) = (nc as u32, na as u32);
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
