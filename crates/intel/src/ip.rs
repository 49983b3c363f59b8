//! IP intelligence: country, AS number, AS organisation and network class of
//! an address, from sorted range tables searched in nanoseconds.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use molehunt_model::{IpClass, IpInfo};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::ranges::{RangeSet, RangeTable};
use crate::{IntelError, compact};

/// A two-letter country code (ASCII uppercase).
pub(crate) type Cc = [u8; 2];

/// An AS number with its organisation (an index into `orgs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct AsnEntry {
    pub asn: u32,
    pub org: u32,
}

/// The bundled compact data (see `data/ATTRIBUTION.md`), built by
/// `tools/regen_data.rs`.
static BUNDLED: &[u8] = include_bytes!("../data/ipintel-v4.bin.gz");

/// IP address intelligence. Cheap to share: wrap it in an `Arc`; lookups take
/// `&self` and never allocate except for [`IpIntel::lookup`]'s owned strings.
///
/// Data: the bundled tables ([`IpIntel::bundled`]) or nothing
/// ([`IpIntel::empty`]), updated with the `load_*` methods: ASN and country
/// sources *replace* the tables of the address families they cover; the
/// hosting/VPN/Tor lists are *added* to what is there.
#[derive(Debug, Clone, Default)]
pub struct IpIntel {
    pub(crate) orgs: Vec<Box<str>>,
    pub(crate) org_index: FxHashMap<Box<str>, u32>,
    pub(crate) asns: Vec<AsnEntry>,
    pub(crate) asn_index: FxHashMap<AsnEntry, u32>,
    pub(crate) asn_v4: RangeTable<u32, u32>,
    pub(crate) asn_v6: RangeTable<u128, u32>,
    pub(crate) country_v4: RangeTable<u32, Cc>,
    pub(crate) country_v6: RangeTable<u128, Cc>,
    pub(crate) hosting_asns: FxHashSet<u32>,
    pub(crate) vpn_asns: FxHashSet<u32>,
    pub(crate) vpn_v4: RangeSet<u32>,
    pub(crate) vpn_v6: RangeSet<u128>,
    pub(crate) tor_v4: RangeSet<u32>,
    pub(crate) tor_v6: RangeSet<u128>,
}

/// What [`IpIntel::lookup_ref`] finds, borrowing strings from the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IpRef<'a> {
    pub country: Option<&'a str>,
    pub asn: Option<u32>,
    pub as_org: Option<&'a str>,
    pub class: IpClass,
}

impl IpRef<'_> {
    /// The owned form stored in events' enrichment.
    pub fn to_info(&self) -> IpInfo {
        IpInfo {
            country: self.country.map(str::to_string),
            asn: self.asn,
            as_org: self.as_org.map(str::to_string),
            class: self.class,
        }
    }
}

/// Counts of what an [`IpIntel`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IpIntelStats {
    pub asn_ranges_v4: usize,
    pub asn_ranges_v6: usize,
    pub country_ranges_v4: usize,
    pub country_ranges_v6: usize,
    pub organisations: usize,
    pub hosting_asns: usize,
    pub vpn_asns: usize,
    pub vpn_ranges: usize,
    pub tor_ranges: usize,
}

impl IpIntel {
    /// No data at all: every address is class `other` without country.
    pub fn empty() -> Self {
        IpIntel::default()
    }

    /// The data bundled in the crate (IPv4 country, ASN and organisation,
    /// hosting and VPN ASN lists, VPN ranges). Decoding takes tens of
    /// milliseconds; do it once and share the result.
    pub fn bundled() -> Result<Self, IntelError> {
        compact::decode(BUNDLED, "bundled ipintel-v4.bin.gz")
    }

    /// Reads tables written by [`IpIntel::to_compact`].
    pub fn from_compact(bytes: &[u8], name: &str) -> Result<Self, IntelError> {
        compact::decode(bytes, name)
    }

    /// The IPv4 tables and the ASN lists in the compact gzip form that is
    /// bundled (IPv6 tables and Tor exits are not included).
    pub fn to_compact(&self) -> Vec<u8> {
        compact::encode(self)
    }

    /// Everything known about `ip`, with owned strings.
    pub fn lookup(&self, ip: IpAddr) -> IpInfo {
        self.lookup_ref(ip).to_info()
    }

    /// Everything known about `ip`, borrowing strings (no allocation).
    #[inline]
    pub fn lookup_ref(&self, ip: IpAddr) -> IpRef<'_> {
        match ip {
            IpAddr::V4(v4) => self.lookup_v4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => self.lookup_v4(v4),
                None => self.lookup_v6(v6),
            },
        }
    }

    /// The class of `ip` only.
    pub fn class(&self, ip: IpAddr) -> IpClass {
        self.lookup_ref(ip).class
    }

    fn lookup_v4(&self, ip: Ipv4Addr) -> IpRef<'_> {
        let key = u32::from(ip);
        let entry = self
            .asn_v4
            .get(key)
            .and_then(|&i| self.asns.get(i as usize));
        let class = if self.tor_v4.contains(key) {
            IpClass::Tor
        } else if self.vpn_v4.contains(key) {
            IpClass::Vpn
        } else {
            self.class_of_asn(entry)
        };
        self.make_ref(self.country_v4.get(key), entry, class)
    }

    fn lookup_v6(&self, ip: Ipv6Addr) -> IpRef<'_> {
        let key = u128::from(ip);
        let entry = self
            .asn_v6
            .get(key)
            .and_then(|&i| self.asns.get(i as usize));
        let class = if self.tor_v6.contains(key) {
            IpClass::Tor
        } else if self.vpn_v6.contains(key) {
            IpClass::Vpn
        } else {
            self.class_of_asn(entry)
        };
        self.make_ref(self.country_v6.get(key), entry, class)
    }

    #[inline]
    fn class_of_asn(&self, entry: Option<&AsnEntry>) -> IpClass {
        match entry {
            Some(e) if self.vpn_asns.contains(&e.asn) => IpClass::Vpn,
            Some(e) if self.hosting_asns.contains(&e.asn) => IpClass::Hosting,
            _ => IpClass::Other,
        }
    }

    #[inline]
    fn make_ref<'a>(
        &'a self,
        cc: Option<&'a Cc>,
        entry: Option<&AsnEntry>,
        class: IpClass,
    ) -> IpRef<'a> {
        let as_org = entry
            .and_then(|e| self.orgs.get(e.org as usize))
            .map(|s| &**s)
            .filter(|s| !s.is_empty());
        IpRef {
            country: cc.and_then(|c| std::str::from_utf8(c).ok()),
            asn: entry.map(|e| e.asn),
            as_org,
            class,
        }
    }

    /// Whether an AS number is on the hosting/datacenter list.
    pub fn is_hosting_asn(&self, asn: u32) -> bool {
        self.hosting_asns.contains(&asn)
    }

    /// Whether an AS number is on the VPN provider list.
    pub fn is_vpn_asn(&self, asn: u32) -> bool {
        self.vpn_asns.contains(&asn)
    }

    pub fn stats(&self) -> IpIntelStats {
        IpIntelStats {
            asn_ranges_v4: self.asn_v4.len(),
            asn_ranges_v6: self.asn_v6.len(),
            country_ranges_v4: self.country_v4.len(),
            country_ranges_v6: self.country_v6.len(),
            organisations: self.orgs.len(),
            hosting_asns: self.hosting_asns.len(),
            vpn_asns: self.vpn_asns.len(),
            vpn_ranges: self.vpn_v4.len() + self.vpn_v6.len(),
            tor_ranges: self.tor_v4.len() + self.tor_v6.len(),
        }
    }

    /// The index of an (AS number, organisation) pair, added if new.
    pub(crate) fn intern_asn(&mut self, asn: u32, org: &str) -> u32 {
        // The maps are built lazily: tables decoded from the bundle do not
        // need them until something is loaded on top.
        if self.org_index.len() != self.orgs.len() {
            self.org_index = (self.orgs.iter().enumerate())
                .map(|(i, o)| (o.clone(), i as u32))
                .collect();
        }
        if self.asn_index.len() != self.asns.len() {
            self.asn_index = (self.asns.iter().enumerate())
                .map(|(i, e)| (*e, i as u32))
                .collect();
        }
        let org = match self.org_index.get(org) {
            Some(&i) => i,
            None => {
                let i = self.orgs.len() as u32;
                self.orgs.push(org.into());
                self.org_index.insert(org.into(), i);
                i
            }
        };
        let entry = AsnEntry { asn, org };
        *self.asn_index.entry(entry).or_insert_with(|| {
            self.asns.push(entry);
            (self.asns.len() - 1) as u32
        })
    }
}

/// Validates and uppercases a two-letter country code.
pub(crate) fn country_code(text: &str) -> Option<Cc> {
    let b = text.trim().as_bytes();
    match b {
        [a, c] if a.is_ascii_alphabetic() && c.is_ascii_alphabetic() => {
            Some([a.to_ascii_uppercase(), c.to_ascii_uppercase()])
        }
        _ => None,
    }
}
