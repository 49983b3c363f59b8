//! Person CSV input: a fixed header plus arbitrary bytes, and arbitrary bytes
//! alone (header included); must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molehunt_engine::{InputFormat, validate};

fuzz_target!(|data: &[u8]| {
    let _ = validate("fuzz.csv", data, Some(InputFormat::PersonCsv), 10);
    let mut with_header =
        b"person_id,full_name,dob,address.line1,address.city,languages,education,employment\n"
            .to_vec();
    with_header.extend_from_slice(data);
    if let Ok(v) = validate("fuzz.csv", &with_header[..], Some(InputFormat::PersonCsv), 10) {
        assert_eq!(v.valid + v.invalid, v.records);
    }
});
