#![no_main]
//! Binary and structured inputs of molehunt-intel: the compact table format,
//! MaxMind DB bytes, the catalog JSON, and inventory values for the scans.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use molehunt_intel::{IpIntel, RmmCatalog, scan_jiggler_software};

static CATALOG: OnceLock<Option<RmmCatalog>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let _ = IpIntel::from_compact(data, "fuzz.bin");
    let mut intel = IpIntel::empty();
    let _ = intel.load_mmdb_bytes(data.to_vec(), "fuzz.mmdb");
    let text = String::from_utf8_lossy(data);
    let _ = RmmCatalog::from_json(&text, "fuzz.json");
    let values: Vec<String> = text.split('\n').map(str::to_string).collect();
    if let Some(catalog) = CATALOG.get_or_init(|| RmmCatalog::bundled().ok()) {
        let _ = catalog.scan(&values, &values, &values);
    }
    let _ = scan_jiggler_software(&values, &values);
});
