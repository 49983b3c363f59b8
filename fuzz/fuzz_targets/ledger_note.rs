//! Fuzz the ledger's parsers of outside input: verifier keys, signer keys, checkpoint
//! bodies and signed notes. They must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use molehunt_ledger::note::{Checkpoint, NoteSigner, VerifierKey};
use molehunt_ledger::verify_checkpoint;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = VerifierKey::parse(text);
    let _ = NoteSigner::parse(text);
    let _ = Checkpoint::parse_body(text);
    if let Ok(signer) = NoteSigner::from_seed("fuzz.example/log", &[5u8; 32]) {
        let _ = verify_checkpoint(text, &signer.verifier());
    }
});
