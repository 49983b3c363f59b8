#![no_main]
//! The name matcher on arbitrary text: scores stay in [0,1], nothing panics.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let (a, b) = s.split_at(
        s.char_indices()
            .nth(s.chars().count() / 2)
            .map_or(0, |(i, _)| i),
    );
    let score = molehunt_screen::compare_names(a, b, None);
    assert!((0.0..=1.0).contains(&score));
});
