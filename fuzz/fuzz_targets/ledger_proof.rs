//! Fuzz proof verification with arbitrary sizes, indices and hashes: it must never panic
//! (and a proof for random data must not verify).
#![no_main]

use libfuzzer_sys::fuzz_target;
use molehunt_ledger::{Hash, verify_consistency, verify_inclusion};

fuzz_target!(|data: &[u8]| {
    if data.len() < 80 {
        return;
    }
    let a = u64::from_le_bytes(data[0..8].try_into().unwrap_or_default());
    let b = u64::from_le_bytes(data[8..16].try_into().unwrap_or_default());
    let r1: Hash = data[16..48].try_into().unwrap_or_default();
    let r2: Hash = data[48..80].try_into().unwrap_or_default();
    let proof: Vec<Hash> = data[80..]
        .chunks_exact(32)
        .filter_map(|c| c.try_into().ok())
        .collect();
    let _ = verify_inclusion(a, b, &r1, &proof, &r2);
    let _ = verify_consistency(a, b, &proof, &r1, &r2);
});
