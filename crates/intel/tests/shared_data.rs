#![allow(clippy::unwrap_used)]
//! Loads the source files in `../shared/data/ipintel` through the public
//! load functions; skipped when `../shared` is absent (a user's machine).

use std::net::IpAddr;
use std::path::PathBuf;

use molehunt_intel::IpIntel;
use molehunt_model::IpClass;

fn shared() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ipintel");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn loads_the_source_files_like_the_bundle() {
    let Some(dir) = shared() else { return };
    let mut intel = IpIntel::empty();
    assert!(intel.load_asn_csv(dir.join("asn-ipv4.csv.gz")).unwrap() > 400_000);
    let mm = intel
        .load_mmdb(dir.join("geo-whois-asn-country-ipv4.mmdb"))
        .unwrap();
    assert!(
        mm.country_networks > 300_000 && mm.asn_networks == 0,
        "{mm:?}"
    );
    assert!(
        intel
            .load_hosting_asns(dir.join("datacenter_asn.txt"))
            .unwrap()
            > 800
    );
    assert!(intel.load_vpn_asns(dir.join("vpn_asn.txt")).unwrap() >= 10);
    assert!(intel.load_vpn_ranges(dir.join("vpn_ipv4.txt")).unwrap() > 10_000);

    let info = intel.lookup(ip("8.8.8.8"));
    assert_eq!(
        (info.asn, info.country.as_deref()),
        (Some(15169), Some("US"))
    );
    assert_eq!(intel.class(ip("23.27.109.77")), IpClass::Vpn);
    assert_eq!(intel.class(ip("73.15.2.1")), IpClass::Other);

    let bundled = IpIntel::bundled().unwrap();
    assert_eq!(
        bundled.stats(),
        intel.stats(),
        "bundled data is stale: run regen-data"
    );
    for a in [
        "1.0.0.1",
        "8.8.4.4",
        "88.198.1.1",
        "200.1.2.3",
        "41.1.1.1",
        "223.255.255.1",
    ] {
        assert_eq!(bundled.lookup(ip(a)), intel.lookup(ip(a)), "{a}");
    }
}

#[test]
fn mmdb_errors_name_the_file() {
    let Some(dir) = shared() else { return };
    let mut intel = IpIntel::empty();
    let err = intel.load_mmdb(dir.join("vpn_asn.txt")).unwrap_err();
    assert!(err.to_string().contains("vpn_asn.txt"), "{err}");
    let err = intel
        .load_mmdb(dir.join("does-not-exist.mmdb"))
        .unwrap_err();
    assert!(err.to_string().contains("does-not-exist.mmdb"), "{err}");
}
