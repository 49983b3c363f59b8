//! Loading newer or additional data into an [`IpIntel`].

use std::io::{BufRead, Read};
use std::path::Path;

use ipnetwork::IpNetwork;
use serde::Deserialize;

use crate::ip::country_code;
use crate::parse::{self, Span, SpanLists};
use crate::ranges::{RangeSet, RangeTable};
use crate::{IntelError, IpIntel};

/// What one MaxMind DB file contributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MmdbLoad {
    /// Networks with a country code.
    pub country_networks: usize,
    /// Networks with an AS number.
    pub asn_networks: usize,
}

/// The fields of the record shapes understood: GeoLite2/GeoIP2 Country and
/// City (`country.iso_code`, `registered_country.iso_code`), GeoLite2-ASN
/// (`autonomous_system_number`, `autonomous_system_organization`) and the
/// ip-location-db shapes (`country_code`, and the same ASN names).
#[derive(Deserialize)]
struct MmdbRecord<'a> {
    #[serde(borrow, default)]
    country: Option<Named<'a>>,
    #[serde(borrow, default)]
    registered_country: Option<Named<'a>>,
    #[serde(borrow, default)]
    country_code: Option<&'a str>,
    #[serde(default)]
    autonomous_system_number: Option<u32>,
    #[serde(borrow, default)]
    autonomous_system_organization: Option<&'a str>,
}

#[derive(Deserialize)]
struct Named<'a> {
    #[serde(borrow, default)]
    iso_code: Option<&'a str>,
}

fn network_span(net: IpNetwork) -> Span {
    match net {
        IpNetwork::V4(n) => Span::V4(u32::from(n.network()), u32::from(n.broadcast())),
        IpNetwork::V6(n) => {
            let host = u128::MAX.checked_shr(u32::from(n.prefix())).unwrap_or(0);
            let start = u128::from(n.network()) & !host;
            Span::V6(start, start | host)
        }
    }
}

impl IpIntel {
    /// Loads a MaxMind DB file (country, city or ASN shape; IPv4 or IPv6).
    /// Its countries replace the country tables, its AS numbers the ASN
    /// tables, for IPv4 and, when the database is IPv6, for IPv6 too.
    pub fn load_mmdb(&mut self, path: impl AsRef<Path>) -> Result<MmdbLoad, IntelError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| IntelError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.load_mmdb_bytes(bytes, path)
    }

    /// [`IpIntel::load_mmdb`] from bytes in memory (`path` names them in errors).
    pub fn load_mmdb_bytes(
        &mut self,
        bytes: Vec<u8>,
        path: impl AsRef<Path>,
    ) -> Result<MmdbLoad, IntelError> {
        let path = path.as_ref();
        let err = |e: maxminddb::MaxMindDbError| IntelError::Mmdb {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let reader = maxminddb::Reader::from_source(bytes).map_err(err)?;
        let has_v6 = reader.metadata().ip_version == 6;
        let (mut cc4, mut cc6) = (Vec::new(), Vec::new());
        let (mut as4, mut as6) = (Vec::new(), Vec::new());
        for item in reader.networks(Default::default()).map_err(err)? {
            let item = item.map_err(err)?;
            let Some(rec) = item.decode::<MmdbRecord>().map_err(err)? else {
                continue;
            };
            let span = network_span(item.network().map_err(err)?);
            let cc = rec
                .country
                .and_then(|c| c.iso_code)
                .or(rec.country_code)
                .or(rec.registered_country.and_then(|c| c.iso_code))
                .and_then(country_code);
            if let Some(cc) = cc {
                match span {
                    Span::V4(a, b) => cc4.push((a, b, cc)),
                    Span::V6(a, b) => cc6.push((a, b, cc)),
                }
            }
            if let Some(asn) = rec.autonomous_system_number {
                let idx = self.intern_asn(asn, rec.autonomous_system_organization.unwrap_or(""));
                match span {
                    Span::V4(a, b) => as4.push((a, b, idx)),
                    Span::V6(a, b) => as6.push((a, b, idx)),
                }
            }
        }
        let load = MmdbLoad {
            country_networks: cc4.len() + cc6.len(),
            asn_networks: as4.len() + as6.len(),
        };
        if load == MmdbLoad::default() {
            return Err(IntelError::Mmdb {
                path: path.to_path_buf(),
                reason: "no network has a country code or an AS number \
                         (expected GeoLite2-Country/City/ASN or ip-location-db shapes)"
                    .into(),
            });
        }
        if load.country_networks > 0 {
            self.country_v4 = RangeTable::from_ranges(cc4);
            if has_v6 {
                self.country_v6 = RangeTable::from_ranges(cc6);
            }
        }
        if load.asn_networks > 0 {
            self.asn_v4 = RangeTable::from_ranges(as4);
            if has_v6 {
                self.asn_v6 = RangeTable::from_ranges(as6);
            }
        }
        Ok(load)
    }

    /// Loads an ASN range CSV (`ip_range_start,ip_range_end,
    /// autonomous_system_number,autonomous_system_organization`, the
    /// ip-location-db `asn-ipv4.csv` / `asn-ipv6.csv` shape), plain or gzip.
    /// Replaces the ASN table of each address family the file contains.
    /// Returns the number of rows.
    pub fn load_asn_csv(&mut self, path: impl AsRef<Path>) -> Result<usize, IntelError> {
        let path = path.as_ref();
        let reader = parse::open_maybe_gz(path)?;
        self.load_asn_csv_reader(reader, &parse::source_name(path))
    }

    /// [`IpIntel::load_asn_csv`] from any reader (uncompressed).
    pub fn load_asn_csv_reader(
        &mut self,
        reader: impl Read,
        name: &str,
    ) -> Result<usize, IntelError> {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        let rows = parse::parse_asn_csv(reader, name, |span, asn, org| {
            let idx = self.intern_asn(asn, org);
            match span {
                Span::V4(a, b) => v4.push((a, b, idx)),
                Span::V6(a, b) => v6.push((a, b, idx)),
            }
        })?;
        if !v4.is_empty() {
            self.asn_v4 = RangeTable::from_ranges(v4);
        }
        if !v6.is_empty() {
            self.asn_v6 = RangeTable::from_ranges(v6);
        }
        Ok(rows)
    }

    /// Adds hosting/datacenter AS numbers (one `AS1234` per line, `#`
    /// comments; the X4BNet `datacenter/ASN.txt` shape). Returns the count read.
    pub fn load_hosting_asns(&mut self, path: impl AsRef<Path>) -> Result<usize, IntelError> {
        let path = path.as_ref();
        self.load_hosting_asns_reader(parse::open_maybe_gz(path)?, &parse::source_name(path))
    }

    pub fn load_hosting_asns_reader(
        &mut self,
        reader: impl BufRead,
        name: &str,
    ) -> Result<usize, IntelError> {
        let list = parse::parse_asn_list(reader, name)?;
        let n = list.len();
        self.hosting_asns.extend(list);
        Ok(n)
    }

    /// Adds VPN provider AS numbers (same shape as the hosting list).
    pub fn load_vpn_asns(&mut self, path: impl AsRef<Path>) -> Result<usize, IntelError> {
        let path = path.as_ref();
        self.load_vpn_asns_reader(parse::open_maybe_gz(path)?, &parse::source_name(path))
    }

    pub fn load_vpn_asns_reader(
        &mut self,
        reader: impl BufRead,
        name: &str,
    ) -> Result<usize, IntelError> {
        let list = parse::parse_asn_list(reader, name)?;
        let n = list.len();
        self.vpn_asns.extend(list);
        Ok(n)
    }

    /// Adds VPN exit ranges (one IP, CIDR or `start-end` per line, IPv4 or
    /// IPv6; the X4BNet `vpn/ipv4.txt` shape).
    pub fn load_vpn_ranges(&mut self, path: impl AsRef<Path>) -> Result<usize, IntelError> {
        let path = path.as_ref();
        self.load_vpn_ranges_reader(parse::open_maybe_gz(path)?, &parse::source_name(path))
    }

    pub fn load_vpn_ranges_reader(
        &mut self,
        reader: impl BufRead,
        name: &str,
    ) -> Result<usize, IntelError> {
        let lists = parse::parse_range_list(reader, name)?;
        Ok(add_spans(&mut self.vpn_v4, &mut self.vpn_v6, lists))
    }

    /// Adds Tor exit addresses: a plain list (one IP per line, as the Tor
    /// Project's bulk exit list) or the `exit-addresses` format.
    pub fn load_tor_exits(&mut self, path: impl AsRef<Path>) -> Result<usize, IntelError> {
        let path = path.as_ref();
        self.load_tor_exits_reader(parse::open_maybe_gz(path)?, &parse::source_name(path))
    }

    pub fn load_tor_exits_reader(
        &mut self,
        reader: impl BufRead,
        name: &str,
    ) -> Result<usize, IntelError> {
        let lists = parse::parse_tor_exits(reader, name)?;
        Ok(add_spans(&mut self.tor_v4, &mut self.tor_v6, lists))
    }
}

fn add_spans(v4: &mut RangeSet<u32>, v6: &mut RangeSet<u128>, lists: SpanLists) -> usize {
    let n = lists.len();
    if !lists.v4.is_empty() {
        *v4 = v4.union(lists.v4);
    }
    if !lists.v6.is_empty() {
        *v6 = v6.union(lists.v6);
    }
    n
}
