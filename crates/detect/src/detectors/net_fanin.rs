//! NET-FANIN: one IP address used by several persons at about the same time.
//!
//! Logic: per IP, the persons whose logins/activity came from it and when each
//! was last seen. When at least `min_persons` distinct persons used the IP
//! within `window_hours` of each other, the flag fires for each of them
//! (medium; high at `high_persons`). A laptop farm shows a handful of
//! identities behind one home connection.
//!
//! Hubs are spared, by an explicit rule:
//! 1. IPs inside `egress_cidrs` (the customer's own offices and VPN egress) are ignored;
//! 2. an IP used by `hub_persons` (default 25) or more distinct persons over the
//!    whole stream is a hub (corporate egress, coworking space, campus NAT) and
//!    never raises this flag: hundreds of employees behind one corporate egress
//!    look like this, a laptop farm of a few identities does not;
//! 3. IPs enriched as commercial `vpn` or `tor` exits are ignored (strangers share
//!    them; NET-VPN covers the anonymiser itself).
//!
//! Two people sharing a home (a couple, flatmates) stay below the default of 3.
//!
//! Source: A22.

use std::net::IpAddr;

use molehunt_model::{Evidence, IpClass, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, PersonIx, evidence, list_some, related};
use crate::util::cidr::Cidr;
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetFaninConfig {
    pub enabled: bool,
    /// Distinct persons within the window that fire the flag (default 3).
    pub min_persons: u32,
    /// Distinct persons within the window for high severity (default 5).
    pub high_persons: u32,
    /// Window in hours within which the persons' uses must fall (default 72).
    pub window_hours: u32,
    /// Distinct persons over the whole stream that make an IP a hub (default 25).
    pub hub_persons: u32,
    /// Known corporate egress ranges, CIDR notation (default none).
    pub egress_cidrs: Vec<String>,
}

impl Default for NetFaninConfig {
    fn default() -> Self {
        NetFaninConfig {
            enabled: true,
            min_persons: 3,
            high_persons: 5,
            window_hours: 72,
            hub_persons: 25,
            egress_cidrs: Vec::new(),
        }
    }
}

#[derive(Debug, Default)]
struct IpState {
    /// (person, last seen unix seconds) for up to `hub_persons` persons, in
    /// order of arrival: the first inline (a home IP of one person is
    /// answered without a heap access), the others in `rest`.
    first: Option<(PersonIx, i64)>,
    rest: Vec<(PersonIx, i64)>,
    hub: bool,
    best: Vec<PersonIx>,
    samples: Samples,
    last: Option<Time>,
}

impl IpState {
    /// The persons in order of arrival.
    fn persons(&self) -> impl Iterator<Item = &(PersonIx, i64)> {
        self.first.iter().chain(&self.rest)
    }

    fn slot(&mut self, p: PersonIx) -> Option<&mut (PersonIx, i64)> {
        self.first
            .iter_mut()
            .chain(&mut self.rest)
            .find(|(q, _)| *q == p)
    }

    fn push(&mut self, p: PersonIx, now: i64) {
        match self.first {
            None => self.first = Some((p, now)),
            Some(_) => self.rest.push((p, now)),
        }
    }

    fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }
}

pub struct NetFanin {
    cfg: NetFaninConfig,
    egress: Vec<Cidr>,
    /// Per IP number ([`Obs::ip`]).
    ips: IxVec<IpState>,
}

impl NetFanin {
    pub fn new(cfg: NetFaninConfig) -> Self {
        let egress = cfg
            .egress_cidrs
            .iter()
            .filter_map(|c| Cidr::parse(c))
            .collect();
        NetFanin {
            cfg,
            egress,
            ips: IxVec::default(),
        }
    }
}

impl Detector for NetFanin {
    fn id(&self) -> &'static str {
        "NET-FANIN"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["login", "activity"]
    }

    fn observe(&mut self, ctx: &Context, obs: &Obs<'_>) {
        let (Some(ix), Some(p), Some(ts)) = (obs.ip, obs.person, obs.ts) else {
            return;
        };
        if obs
            .enrichment
            .ip
            .as_ref()
            .is_some_and(|i| matches!(i.class, IpClass::Vpn | IpClass::Tor))
        {
            return;
        }
        if !self.egress.is_empty()
            && let Some(ip) = ctx.ip(ix)
            && self.egress.iter().any(|c| c.contains(ip))
        {
            return;
        }
        let hub_at = self.cfg.hub_persons.max(1) as usize;
        let st = self.ips.at(ix);
        if st.hub {
            return;
        }
        let now = ts.unix();
        // fast path: a home IP used by its one person
        if st.rest.is_empty()
            && let Some((q, t)) = &mut st.first
            && *q == p
        {
            *t = now;
            return;
        }
        match st.slot(p) {
            Some(slot) => slot.1 = now,
            None => {
                st.push(p, now);
                if st.len() >= hub_at {
                    // INVARIANT: a hub keeps no per-person state and raises nothing
                    st.hub = true;
                    st.first = None;
                    st.rest = Vec::new();
                    st.best = Vec::new();
                    st.samples = Samples::default();
                    return;
                }
            }
        }
        let window = i64::from(self.cfg.window_hours) * 3600;
        let active = st.persons().filter(|(_, t)| now - *t <= window).count();
        if active as u32 >= self.cfg.min_persons {
            st.samples.push(&obs.event.id);
            st.last = Some(ts);
            if active > st.best.len() {
                st.best = st
                    .persons()
                    .filter(|(_, t)| now - *t <= window)
                    .map(|(q, _)| *q)
                    .collect();
            }
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        // in address order: the evidence does not depend on the order addresses were seen
        let mut flagged: Vec<(IpAddr, &IpState)> = self
            .ips
            .iter()
            .filter(|(_, st)| !st.hub && st.best.len() as u32 >= self.cfg.min_persons)
            .filter_map(|(ix, st)| Some((ctx.ip(ix)?, st)))
            .collect();
        flagged.sort_by_key(|(ip, _)| *ip);
        for (ip, st) in flagged {
            let severity = if st.best.len() as u32 >= self.cfg.high_persons {
                Severity::High
            } else {
                Severity::Medium
            };
            let ids: Vec<&str> = st.best.iter().map(|&p| ctx.person_id(p)).collect();
            for &p in &st.best {
                let detail = format!(
                    "IP {ip} was used by {} persons within {} hours ({})",
                    st.best.len(),
                    self.cfg.window_hours,
                    list_some(&ids, 6)
                );
                let mut e = evidence(self.id(), ctx, p, severity, detail, &st.samples, st.last);
                e.related = related(ctx, &st.best, p);
                out.push(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn people(n: usize) -> Vec<String> {
        let mut v = Vec::new();
        for i in 0..n {
            v.push(person(
                &format!("p{i}"),
                &format!("Worker {i}"),
                "US",
                "America/Chicago",
            ));
            v.push(account(&format!("a{i}"), &format!("p{i}")));
        }
        v
    }

    #[test]
    fn farm_of_four_on_one_home_ip() {
        let mut lines = people(4);
        for i in 0..4 {
            lines.push(login(&format!("a{i}"), &t(i as i64 * 30), "73.12.5.9"));
        }
        let ev = run(
            &mut NetFanin::new(NetFaninConfig::default()),
            &plain(&lines),
        );
        assert_eq!(ev.len(), 4);
        assert_eq!(ev[0].related.len(), 3);
    }

    #[test]
    fn couple_sharing_a_home_is_spared() {
        let mut lines = people(2);
        for d in 0..10 {
            lines.push(login("a0", &t(d * 1440), "73.12.5.9"));
            lines.push(login("a1", &t(d * 1440 + 5), "73.12.5.9"));
        }
        assert!(
            run(
                &mut NetFanin::new(NetFaninConfig::default()),
                &plain(&lines)
            )
            .is_empty()
        );
    }

    #[test]
    fn corporate_egress_hub_is_spared() {
        let mut lines = people(200);
        for i in 0..200 {
            lines.push(login(&format!("a{i}"), &t(i as i64), "198.51.100.10"));
        }
        assert!(
            run(
                &mut NetFanin::new(NetFaninConfig::default()),
                &plain(&lines)
            )
            .is_empty()
        );
    }

    #[test]
    fn configured_egress_is_ignored_and_far_apart_uses_do_not_count() {
        let mut lines = people(3);
        for i in 0..3 {
            lines.push(login(&format!("a{i}"), &t(i as i64), "10.1.2.3"));
        }
        let cfg = NetFaninConfig {
            egress_cidrs: vec!["10.0.0.0/8".into()],
            ..Default::default()
        };
        assert!(run(&mut NetFanin::new(cfg), &plain(&lines)).is_empty());
        // same IP, three persons, but months apart (a reassigned residential address)
        let mut lines = people(3);
        for i in 0..3 {
            lines.push(login(
                &format!("a{i}"),
                &t(i as i64 * 60 * 24 * 30),
                "73.1.1.1",
            ));
        }
        assert!(
            run(
                &mut NetFanin::new(NetFaninConfig::default()),
                &plain(&lines)
            )
            .is_empty()
        );
    }
}
