#![no_main]
//! Text data files of molehunt-intel: ASN CSV, ASN lists, range lists, Tor
//! exit lists. Any input must give a value or an error, never a panic.

use libfuzzer_sys::fuzz_target;
use molehunt_intel::IpIntel;

fuzz_target!(|data: &[u8]| {
    let mut intel = IpIntel::empty();
    let _ = intel.load_asn_csv_reader(data, "fuzz.csv");
    let _ = intel.load_hosting_asns_reader(data, "fuzz.txt");
    let _ = intel.load_vpn_asns_reader(data, "fuzz.txt");
    let _ = intel.load_vpn_ranges_reader(data, "fuzz.txt");
    let _ = intel.load_tor_exits_reader(data, "fuzz.txt");
    let _ = intel.lookup(std::net::IpAddr::from([1, 2, 3, 4]));
});
