//! JSON Lines input: arbitrary bytes through the engine's reader and
//! `parse_line`; must never panic, and every rejected line must carry a
//! line number inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molehunt_engine::{InputFormat, validate};

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = validate("fuzz.jsonl", data, Some(InputFormat::JsonLines), usize::MAX) {
        let lines = data.split(|&b| b == b'\n').count() as u64;
        assert_eq!(v.valid + v.invalid, v.records);
        for e in &v.errors {
            assert!(e.line >= 1 && e.line <= lines);
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = molehunt_model::parse_line(s);
    }
});
