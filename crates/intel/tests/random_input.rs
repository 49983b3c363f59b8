#![allow(clippy::unwrap_used)]
//! Random bytes into every parser: errors are fine, panics are not.

use molehunt_intel::{IpIntel, RmmCatalog};
use proptest::prelude::*;

/// Bytes that look a bit like the real formats, to get past the first check.
fn text_like() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        proptest::collection::vec(
            prop_oneof![
                Just(b"1.2.3.4".to_vec()),
                Just(b"::1".to_vec()),
                Just(b"/24".to_vec()),
                Just(b"/129".to_vec()),
                Just(b",".to_vec()),
                Just(b"\n".to_vec()),
                Just(b"\"".to_vec()),
                Just(b"AS".to_vec()),
                Just(b"-".to_vec()),
                Just(b"ExitAddress ".to_vec()),
                Just(b"4294967295".to_vec()),
                Just(b"#".to_vec()),
                proptest::collection::vec(any::<u8>(), 0..4),
            ],
            0..60,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn text_parsers_never_panic(bytes in text_like()) {
        let mut intel = IpIntel::empty();
        let _ = intel.load_asn_csv_reader(&bytes[..], "random.csv");
        let _ = intel.load_hosting_asns_reader(&bytes[..], "random.txt");
        let _ = intel.load_vpn_asns_reader(&bytes[..], "random.txt");
        let _ = intel.load_vpn_ranges_reader(&bytes[..], "random.txt");
        let _ = intel.load_tor_exits_reader(&bytes[..], "random.txt");
        let _ = intel.lookup("1.2.3.4".parse().unwrap());
    }

    #[test]
    fn binary_loaders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = IpIntel::from_compact(&bytes, "random.bin");
        let mut intel = IpIntel::empty();
        let _ = intel.load_mmdb_bytes(bytes.clone(), "random.mmdb");
        let _ = RmmCatalog::from_json(&String::from_utf8_lossy(&bytes), "random.json");
    }

    #[test]
    fn corrupted_compact_data_is_an_error_or_valid(pos in 0usize..4096, byte in any::<u8>()) {
        let mut small = IpIntel::empty();
        small.load_asn_csv_reader("1.0.0.0,1.0.0.255,13335,Cloudflare\n8.8.8.0,8.8.8.255,15169,Google\n".as_bytes(), "t").unwrap();
        small.load_vpn_ranges_reader("23.27.109.0/24\n".as_bytes(), "t").unwrap();
        let gz = small.to_compact();
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut raw).unwrap();
        let i = pos % raw.len();
        raw[i] = byte;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, &raw).unwrap();
        let _ = IpIntel::from_compact(&enc.finish().unwrap(), "corrupt");
    }

    #[test]
    fn scans_never_panic(values in proptest::collection::vec(".{0,40}", 0..8)) {
        let catalog = RmmCatalog::from_json(
            r#"{"source":"s","licence":"l","tools":[{"name":"AnyDesk","category":"RMM","software":["anydesk"],"processes":["anydesk"],"domains":["*.anydesk.com"]}]}"#,
            "t",
        ).unwrap();
        let _ = catalog.scan(&values, &values, &values);
        let _ = molehunt_intel::scan_jiggler_software(&values, &values);
    }
}
