#![allow(clippy::unwrap_used)]
//! Lookups on the bundled data with real addresses.

use std::net::IpAddr;
use std::sync::OnceLock;

use molehunt_intel::IpIntel;
use molehunt_model::IpClass;

fn intel() -> &'static IpIntel {
    static INTEL: OnceLock<IpIntel> = OnceLock::new();
    INTEL.get_or_init(|| IpIntel::bundled().unwrap())
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn google_dns() {
    let info = intel().lookup(ip("8.8.8.8"));
    assert_eq!(info.asn, Some(15169));
    assert!(
        info.as_org
            .as_deref()
            .unwrap()
            .to_lowercase()
            .contains("google"),
        "{info:?}"
    );
    assert_eq!(info.country.as_deref(), Some("US"));
    assert_eq!(info.class, IpClass::Hosting);
}

#[test]
fn hosting_providers() {
    for (addr, asn) in [
        ("159.89.10.10", 14061),
        ("88.198.1.1", 24940),
        ("1.44.96.7", 16509),
    ] {
        let info = intel().lookup(ip(addr));
        assert_eq!(info.asn, Some(asn), "{addr}: {info:?}");
        assert_eq!(info.class, IpClass::Hosting, "{addr}: {info:?}");
        assert!(info.country.is_some(), "{addr}: {info:?}");
    }
}

#[test]
fn vpn_range_and_vpn_asn() {
    // 23.27.109.0/24 is in X4BNet output/vpn/ipv4.txt.
    assert_eq!(intel().class(ip("23.27.109.77")), IpClass::Vpn);
    assert_eq!(intel().class(ip("104.28.139.241")), IpClass::Vpn);
    assert!(intel().is_vpn_asn(9009));
}

#[test]
fn residential_isp_is_other() {
    let info = intel().lookup(ip("73.15.2.1"));
    assert_eq!(info.asn, Some(7922), "{info:?}");
    assert_eq!(info.country.as_deref(), Some("US"));
    assert_eq!(info.class, IpClass::Other);
}

#[test]
fn private_v6_and_mapped_addresses() {
    let private = intel().lookup(ip("10.1.2.3"));
    assert_eq!(private.asn, None);
    assert_eq!(private.class, IpClass::Other);
    let v6 = intel().lookup(ip("2001:4860:4860::8888"));
    assert_eq!(v6.class, IpClass::Other);
    assert_eq!(v6.country, None);
    let mapped = intel().lookup(ip("::ffff:8.8.8.8"));
    assert_eq!(mapped.asn, Some(15169));
    assert_eq!(intel().lookup(ip("255.255.255.255")).asn, None);
    assert_eq!(intel().lookup(ip("0.0.0.0")).asn, None);
}

#[test]
fn bundled_is_complete_and_round_trips() {
    let s = intel().stats();
    assert!(s.asn_ranges_v4 > 400_000, "{s:?}");
    assert!(s.country_ranges_v4 > 300_000, "{s:?}");
    assert!(
        s.hosting_asns > 800 && s.vpn_asns >= 10 && s.vpn_ranges > 5000,
        "{s:?}"
    );
}

#[test]
fn compact_round_trip_keeps_edges() {
    let mut small = IpIntel::empty();
    let csv = "0.0.0.0,0.0.0.0,1,Zero\n1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n\
               8.8.8.0,8.8.8.255,15169,Google LLC\n255.255.255.255,255.255.255.255,4294967295,\n";
    small.load_asn_csv_reader(csv.as_bytes(), "t").unwrap();
    small
        .load_hosting_asns_reader("AS15169\n".as_bytes(), "t")
        .unwrap();
    small
        .load_vpn_asns_reader("AS9009\n".as_bytes(), "t")
        .unwrap();
    small
        .load_vpn_ranges_reader("23.27.109.0/24\n255.255.255.0/24\n".as_bytes(), "t")
        .unwrap();
    let again = IpIntel::from_compact(&small.to_compact(), "again").unwrap();
    assert_eq!(again.stats(), small.stats());
    for a in [
        "0.0.0.0",
        "1.0.0.7",
        "8.8.8.8",
        "23.27.109.1",
        "255.255.255.255",
        "9.9.9.9",
    ] {
        assert_eq!(again.lookup(ip(a)), small.lookup(ip(a)), "{a}");
    }
    assert_eq!(again.lookup(ip("255.255.255.255")).asn, Some(u32::MAX));
    assert_eq!(again.lookup(ip("255.255.255.255")).as_org, None);
    assert!(IpIntel::from_compact(b"not gzip", "x").is_err());
    let truncated = &small.to_compact()[..20];
    assert!(IpIntel::from_compact(truncated, "x").is_err());
}

#[test]
fn tor_list_overrides_class() {
    let mut intel = intel().clone();
    intel
        .load_tor_exits_reader(
            "ExitAddress 159.89.10.10 2026-01-01 00:00:00\n2001:db8::7\n".as_bytes(),
            "tor",
        )
        .unwrap();
    assert_eq!(intel.class(ip("159.89.10.10")), IpClass::Tor);
    assert_eq!(intel.class(ip("159.89.10.11")), IpClass::Hosting);
    assert_eq!(intel.class(ip("2001:db8::7")), IpClass::Tor);
}

#[test]
fn shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<IpIntel>();
    assert_send_sync::<molehunt_intel::Intel>();
}
