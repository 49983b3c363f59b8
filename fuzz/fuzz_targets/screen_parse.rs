#![no_main]
//! Every list parser on arbitrary bytes: errors are fine, panics are bugs.

use libfuzzer_sys::fuzz_target;
use molehunt_screen::{ListFormat, parse_bytes};

fuzz_target!(|data: &[u8]| {
    for f in [
        None,
        Some(ListFormat::OfacAdvancedXml),
        Some(ListFormat::OfacCsv),
        Some(ListFormat::UnXml),
        Some(ListFormat::FtmJson),
    ] {
        let _ = parse_bytes(data, f);
    }
});
