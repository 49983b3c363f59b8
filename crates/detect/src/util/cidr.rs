//! IP networks in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`), for
//! configured corporate egress ranges.

use std::net::IpAddr;

/// A parsed CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    len: u8,
}

impl Cidr {
    /// Parses `addr/len` (or a bare address: a single host).
    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let net: IpAddr = addr.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let len = len.unwrap_or(max);
        (len <= max).then_some(Cidr { net, len })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                let mask = if self.len == 0 {
                    0
                } else {
                    u32::MAX << (32 - u32::from(self.len))
                };
                (u32::from(n) & mask) == (u32::from(i) & mask)
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                let mask = if self.len == 0 {
                    0
                } else {
                    u128::MAX << (128 - u32::from(self.len))
                };
                (u128::from(n) & mask) == (u128::from(i) & mask)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains() {
        let c = Cidr::parse("203.0.113.0/24").unwrap_or(Cidr {
            net: [0, 0, 0, 0].into(),
            len: 32,
        });
        assert!(c.contains("203.0.113.77".parse().unwrap_or([0, 0, 0, 0].into())));
        assert!(!c.contains("203.0.114.1".parse().unwrap_or([0, 0, 0, 0].into())));
        assert!(Cidr::parse("2001:db8::/32").is_some());
        assert!(Cidr::parse("1.2.3.4/33").is_none());
        assert!(Cidr::parse("nonsense").is_none());
        assert_eq!(
            Cidr::parse("0.0.0.0/0")
                .map(|c| c.contains("9.9.9.9".parse().unwrap_or([0, 0, 0, 0].into()))),
            Some(true)
        );
    }
}
