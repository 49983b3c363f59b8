//! Detection's parsers of outside input: the TOML configuration, MRZ lines,
//! SSNs, addresses and names. None may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molehunt_detect::DetectConfig;
use molehunt_detect::util::{address, mrz, names, ssn};
use molehunt_model::Address;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(c) = DetectConfig::from_toml_str(s) {
        let _ = DetectConfig::from_toml_str(&c.to_toml_string());
    }
    let _ = mrz::validate(s);
    let _ = ssn::never_issued(s);
    let mid = s.char_indices().nth(s.chars().count() / 2).map_or(0, |(i, _)| i);
    let (a, b) = s.split_at(mid);
    let addr = Address { line1: Some(a.into()), city: Some(b.into()), ..Default::default() };
    let _ = address::normalize(&addr);
    let _ = names::same_name(a, b);
});
