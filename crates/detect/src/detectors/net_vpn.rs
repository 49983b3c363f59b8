//! NET-VPN: logins through a VPN, VPS/hosting network, proxy or Tor exit.
//!
//! Logic: per account, count logins (and activity events with an IP) whose IP
//! enrichment class is `hosting`, `vpn` or `tor`, or whose login carries an
//! IdP-reported tunnel name (`vpn`, e.g. Okta `debugContext.debugData.tunnels`).
//! Fires when at least `min_events` such events make at least `min_fraction`
//! of the account's IP-bearing events. Severity: Astrill VPN (named in the
//! advisories as the DPRK workers' favourite) or Tor is high; mostly
//! anonymised traffic is medium; occasional use is low (privacy-minded
//! honest workers use commercial VPNs now and then).
//!
//! Source: A22 (US advisory 2022), M (Mandiant UNC5267).

use molehunt_model::{IpClass, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{AccountIx, Context, Detector, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetVpnConfig {
    pub enabled: bool,
    /// Anonymised events an account needs before the flag fires (default 2).
    pub min_events: u32,
    /// Share of the account's IP-bearing events that must be anonymised (default 0.1).
    pub min_fraction: f64,
    /// Share above which the use is "mostly anonymised": medium instead of low (default 0.5).
    pub mostly_fraction: f64,
    /// Tunnel / AS-organisation names (substrings, case-insensitive) of high severity
    /// (default `["astrill"]`).
    pub high_names: Vec<String>,
}

impl Default for NetVpnConfig {
    fn default() -> Self {
        NetVpnConfig {
            enabled: true,
            min_events: 2,
            min_fraction: 0.1,
            mostly_fraction: 0.5,
            high_names: vec!["astrill".into()],
        }
    }
}

#[derive(Debug, Default, Clone)]
struct AcctState {
    total: u32,
    anon: u32,
    high: u32,
    tor: u32,
    names: Vec<String>,
    samples: Samples,
    last: Option<Time>,
}

pub struct NetVpn {
    cfg: NetVpnConfig,
    high_lower: Vec<String>,
    accounts: Vec<AcctState>,
}

impl NetVpn {
    pub fn new(cfg: NetVpnConfig) -> Self {
        let high_lower = cfg.high_names.iter().map(|s| s.to_lowercase()).collect();
        NetVpn {
            cfg,
            high_lower,
            accounts: Vec::new(),
        }
    }

    fn state(&mut self, a: AccountIx) -> &mut AcctState {
        let i = a as usize;
        if self.accounts.len() <= i {
            self.accounts.resize_with(i + 1, AcctState::default);
        }
        &mut self.accounts[i]
    }

    fn is_high(&self, name: &str) -> bool {
        let l = name.to_lowercase();
        self.high_lower.iter().any(|h| l.contains(h.as_str()))
    }
}

impl Detector for NetVpn {
    fn id(&self) -> &'static str {
        "NET-VPN"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["login", "activity"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let tunnel = match &obs.event.record {
            Record::Login(l) => l.vpn.as_deref(),
            Record::Activity(a) if a.ip.is_some() => None,
            _ => return,
        };
        let Some(a) = obs.account else { return };
        let info = obs.enrichment.ip.as_ref();
        let class = info.map(|i| i.class).unwrap_or_default();
        let org = info.and_then(|i| i.as_org.as_deref());
        let anon = tunnel.is_some() || class.is_anonymizing();
        let high = tunnel.is_some_and(|t| self.is_high(t))
            || (class.is_anonymizing() && org.is_some_and(|o| self.is_high(o)));
        let st = self.state(a);
        st.total += 1;
        if !anon {
            return;
        }
        st.anon += 1;
        st.high += u32::from(high);
        st.tor += u32::from(class == IpClass::Tor);
        if st.names.len() < 3 {
            let name = match tunnel {
                Some(t) => t.to_string(),
                None => format!(
                    "{} network {}",
                    class.as_str(),
                    org.unwrap_or("(unknown AS)")
                ),
            };
            if !st.names.contains(&name) {
                st.names.push(name);
            }
        }
        st.samples.push(&obs.event.id);
        st.last = obs.ts;
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<molehunt_model::Evidence>) {
        for (a, st) in self.accounts.iter().enumerate() {
            if st.anon < self.cfg.min_events || st.total == 0 {
                continue;
            }
            let frac = f64::from(st.anon) / f64::from(st.total);
            if frac < self.cfg.min_fraction {
                continue;
            }
            let Some(p) = ctx.account_person(a as AccountIx) else {
                continue;
            };
            let severity = if st.high > 0 || st.tor > 0 {
                Severity::High
            } else if frac >= self.cfg.mostly_fraction {
                Severity::Medium
            } else {
                Severity::Low
            };
            let acc = ctx.account(a as AccountIx).map(|x| &*x.id).unwrap_or("");
            let detail = format!(
                "{} of {} logins/actions of account `{acc}` came through anonymising networks ({})",
                st.anon,
                st.total,
                st.names.join(", ")
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;
    use molehunt_model::Enrichment;

    fn base() -> Vec<(String, Enrichment)> {
        plain(&[
            person("p1", "Ann Lee", "US", "America/Chicago"),
            account("a1", "p1"),
        ])
    }

    #[test]
    fn astrill_is_high() {
        let mut items = base();
        for i in 0..3 {
            let l = format!(
                r#"{{"type":"login","account_id":"a1","ts":"{}","ip":"198.51.100.7","vpn":"Astrill VPN"}}"#,
                t(i * 60)
            );
            items.push((l, ip("US", 9009, IpClass::Other)));
        }
        let ev = run(&mut NetVpn::new(NetVpnConfig::default()), &items);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].severity, Severity::High);
        assert!(ev[0].detail.contains("Astrill"));
        assert_eq!(ev[0].events.len(), 3);
    }

    #[test]
    fn hosting_mostly_is_medium() {
        let mut items = base();
        for i in 0..4 {
            items.push((
                login("a1", &t(i * 60), "203.0.113.5"),
                ip("US", 16509, IpClass::Hosting),
            ));
        }
        let ev = run(&mut NetVpn::new(NetVpnConfig::default()), &items);
        assert_eq!(ev[0].severity, Severity::Medium);
    }

    #[test]
    fn occasional_privacy_vpn_is_low_and_one_off_is_nothing() {
        let mut items = base();
        for i in 0..20 {
            let class = if i < 3 { IpClass::Vpn } else { IpClass::Other };
            items.push((
                login("a1", &t(i * 600), "198.51.100.1"),
                ip("US", 7922, class),
            ));
        }
        let ev = run(&mut NetVpn::new(NetVpnConfig::default()), &items);
        assert_eq!(ev[0].severity, Severity::Low);

        let mut items = base();
        for i in 0..20 {
            let class = if i == 0 { IpClass::Vpn } else { IpClass::Other };
            items.push((
                login("a1", &t(i * 600), "198.51.100.1"),
                ip("US", 7922, class),
            ));
        }
        assert!(run(&mut NetVpn::new(NetVpnConfig::default()), &items).is_empty());
    }
}
