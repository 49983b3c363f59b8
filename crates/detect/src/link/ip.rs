//! IP co-presence: an IP address links two persons only when both used it in
//! the same short time window on several distinct days, and the address is
//! neither a hub (too many persons) nor anonymizing (VPN/hosting/Tor exits are
//! shared by strangers by design) nor a configured corporate egress.

use std::net::IpAddr;

/// One person's use of one IP address: the hours it was seen (bounded, most recent kept).
#[derive(Debug, Default, Clone)]
pub struct IpUse {
    pub person: u32,
    /// Sorted hour numbers (`unix / 3600`).
    pub windows: Vec<u32>,
    pub events: Vec<String>,
    /// The last (largest) of `windows` when there is one: events in time order
    /// are answered from here, without reading the hours themselves.
    newest: u32,
}

/// Everything known about one IP address.
#[derive(Debug, Default, Clone)]
pub struct IpEntry {
    pub hub: bool,
    pub anonymizing: bool,
    /// The first person's use, inline: most addresses have one person, whose
    /// hours are then reached without following another pointer.
    first: Option<IpUse>,
    /// The other persons' uses, in order of first sight.
    rest: Vec<IpUse>,
    /// The (person, hour) of the latest record when that hour is remembered:
    /// the same again changes nothing and is answered without touching `uses`.
    last: Option<(u32, u32)>,
}

/// Maximum hours remembered per person and IP.
pub const MAX_WINDOWS: usize = 256;

impl IpEntry {
    /// The uses, in order of first sight.
    pub fn uses(&self) -> impl Iterator<Item = &IpUse> {
        self.first.iter().chain(&self.rest)
    }

    /// How many persons used the address (none once it is a hub).
    pub fn use_count(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    /// Records that `person` used the address in hour `window`; more than
    /// `store_max` persons make the address a hub.
    pub fn record(
        &mut self,
        person: u32,
        window: u32,
        event: &str,
        store_max: usize,
        max_events: usize,
    ) {
        if self.hub || self.last == Some((person, window)) {
            return;
        }
        let in_first = self.first.as_ref().is_some_and(|u| u.person == person);
        let at = if in_first {
            None
        } else {
            self.rest.iter().position(|u| u.person == person)
        };
        let u = match (in_first, at) {
            (true, _) => self.first.as_mut(),
            (false, Some(i)) => self.rest.get_mut(i),
            (false, None) => {
                if self.use_count() >= store_max {
                    // INVARIANT: a hub keeps no uses, so it can never link anyone.
                    self.hub = true;
                    self.first = None;
                    self.rest = Vec::new();
                    return;
                }
                let new = IpUse {
                    person,
                    ..IpUse::default()
                };
                if self.first.is_none() {
                    Some(self.first.insert(new))
                } else {
                    self.rest.push(new);
                    self.rest.last_mut()
                }
            }
        };
        let Some(u) = u else {
            return;
        };
        // events mostly arrive in time order: the newest hour is the last one
        let found = match u.windows.len() {
            0 => Err(0),
            n if u.newest == window => Ok(n - 1),
            n if u.newest < window => Err(n),
            _ => u.windows.binary_search(&window),
        };
        let kept = match found {
            Ok(_) => true,
            Err(pos) => {
                u.windows.insert(pos, window);
                let dropped = u.windows.len() > MAX_WINDOWS && u.windows.remove(0) == window;
                u.newest = u.windows.last().copied().unwrap_or(0);
                if u.events.len() < max_events {
                    u.events.push(event.to_string());
                }
                !dropped
            }
        };
        self.last = kept.then_some((person, window));
    }
}

/// Distinct UTC days on which both uses were present within `window_hours`
/// of each other.
pub fn shared_days(a: &IpUse, b: &IpUse, window_hours: u32) -> usize {
    let reach = window_hours.saturating_sub(1);
    let mut days: Vec<u32> = Vec::new();
    for &x in &a.windows {
        let lo = x.saturating_sub(reach);
        let start = b.windows.partition_point(|&y| y < lo);
        if b.windows
            .get(start)
            .is_some_and(|&y| y <= x.saturating_add(reach))
        {
            let d = x / 24;
            if days.last() != Some(&d) {
                days.push(d);
            }
        }
    }
    days.dedup();
    days.len()
}

/// Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address into (network, prefix).
pub fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let s = s.trim();
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a.parse::<IpAddr>().ok()?, l.parse::<u8>().ok()?),
        None => {
            let a: IpAddr = s.parse().ok()?;
            (a, if a.is_ipv4() { 32 } else { 128 })
        }
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((addr, len))
}

/// True when `ip` lies inside `net/len`.
pub fn in_cidr(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(len))
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(len))
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn use_of(person: u32, windows: &[u32]) -> IpUse {
        IpUse {
            person,
            windows: windows.to_vec(),
            events: vec![],
            newest: windows.last().copied().unwrap_or(0),
        }
    }

    #[test]
    fn co_presence_counts_distinct_days() {
        // hours: day 0 (1, 2), day 1 (25), day 3 (80)
        let a = use_of(0, &[1, 2, 25, 80]);
        let b = use_of(1, &[2, 26, 90]);
        assert_eq!(shared_days(&a, &b, 2), 2);
        assert_eq!(shared_days(&a, &b, 1), 1);
        let c = use_of(2, &[5, 30]);
        assert_eq!(shared_days(&a, &c, 2), 0);
        assert_eq!(shared_days(&a, &c, 4), 1);
    }

    #[test]
    fn uses_keep_order_and_sorted_hours() {
        let mut e = IpEntry::default();
        e.record(7, 10, "a", 4, 2);
        e.record(8, 11, "b", 4, 2);
        e.record(7, 12, "c", 4, 2);
        // out of time order: inserted in place, once
        e.record(7, 5, "d", 4, 2);
        e.record(7, 5, "d", 4, 2);
        e.record(7, 12, "e", 4, 2);
        let uses: Vec<&IpUse> = e.uses().collect();
        assert_eq!(e.use_count(), 2);
        assert_eq!((uses[0].person, uses[1].person), (7, 8));
        assert_eq!(uses[0].windows, vec![5, 10, 12]);
        assert_eq!(uses[0].events, vec!["a", "c"]);
        assert_eq!(uses[1].windows, vec![11]);
    }

    #[test]
    fn entries_turn_into_hubs() {
        let mut e = IpEntry::default();
        for p in 0..5 {
            e.record(p, 1, "ev", 4, 2);
        }
        assert!(e.hub);
        assert_eq!(e.use_count(), 0);
    }

    #[test]
    fn cidrs() {
        let (n, l) = parse_cidr("198.51.100.0/24").unwrap();
        assert!(in_cidr("198.51.100.7".parse().unwrap(), n, l));
        assert!(!in_cidr("198.51.101.7".parse().unwrap(), n, l));
        let (n, l) = parse_cidr("2001:db8::/32").unwrap();
        assert!(in_cidr("2001:db8::1".parse().unwrap(), n, l));
        assert!(parse_cidr("1.2.3.4/33").is_none());
        assert_eq!(parse_cidr("1.2.3.4").unwrap().1, 32);
    }
}
