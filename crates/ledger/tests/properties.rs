//! Property tests: random proofs verify; changing any byte of the leaf, any proof hash or
//! the root makes verification fail. Also random bytes into every parser.
#![allow(clippy::unwrap_used)]

mod common;

use common::{mem_consistency, mem_inclusion, mth};
use molehunt_ledger::note::{Checkpoint, NoteSigner, VerifierKey};
use molehunt_ledger::tree::Frontier;
use molehunt_ledger::{Hash, leaf_hash, verify_checkpoint, verify_consistency, verify_inclusion};
use proptest::prelude::*;

fn tree(n: usize) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn inclusion_proofs_verify_and_tampering_fails(
        n in 1usize..300, i_seed in any::<u64>(), which in any::<usize>(), byte in 0usize..32, bit in 0u8..8,
    ) {
        let leaves = tree(n);
        let size = n as u64;
        let index = i_seed % size;
        let root = mth(&leaves);
        let proof = mem_inclusion(&leaves, index, size);
        let leaf = leaves[index as usize];
        prop_assert!(verify_inclusion(index, size, &leaf, &proof, &root).is_ok());
        let flip = |mut h: Hash| { h[byte] ^= 1 << bit; h };
        prop_assert!(verify_inclusion(index, size, &flip(leaf), &proof, &root).is_err());
        prop_assert!(verify_inclusion(index, size, &leaf, &proof, &flip(root)).is_err());
        if !proof.is_empty() {
            let mut p = proof.clone();
            let k = which % p.len();
            p[k] = flip(p[k]);
            prop_assert!(verify_inclusion(index, size, &leaf, &p, &root).is_err());
        }
        // A different index with the same proof must not verify the same leaf.
        if size > 1 {
            let other = (index + 1) % size;
            prop_assert!(verify_inclusion(other, size, &leaf, &proof, &root).is_err());
        }
    }

    #[test]
    fn consistency_proofs_verify_and_tampering_fails(
        n in 2usize..300, m_seed in any::<u64>(), which in any::<usize>(), byte in 0usize..32, bit in 0u8..8,
    ) {
        let leaves = tree(n);
        let second = n as u64;
        let first = 1 + m_seed % (second - 1);
        let (r1, r2) = (mth(&leaves[..first as usize]), mth(&leaves));
        let proof = mem_consistency(&leaves, first, second);
        prop_assert!(verify_consistency(first, second, &proof, &r1, &r2).is_ok());
        let flip = |mut h: Hash| { h[byte] ^= 1 << bit; h };
        prop_assert!(verify_consistency(first, second, &proof, &flip(r1), &r2).is_err());
        prop_assert!(verify_consistency(first, second, &proof, &r1, &flip(r2)).is_err());
        let mut p = proof.clone();
        let k = which % p.len();
        p[k] = flip(p[k]);
        prop_assert!(verify_consistency(first, second, &p, &r1, &r2).is_err());
    }

    #[test]
    fn frontier_matches_reference(n in 0usize..600) {
        let leaves = tree(n);
        let mut f = Frontier::new();
        for l in &leaves { f.push(*l, |_, _, _| {}); }
        prop_assert_eq!(f.root(), mth(&leaves));
    }

    #[test]
    fn signed_checkpoints_reject_any_changed_byte(size in any::<u64>(), root in any::<[u8; 32]>(), pos in any::<usize>(), delta in 1u8..=255) {
        let s = NoteSigner::from_seed("example.org/log", &[3u8; 32]).unwrap();
        let cp = Checkpoint { origin: "example.org/log".into(), size, root, extensions: vec![] };
        let note = s.sign(&cp.body());
        let vk = s.verifier();
        prop_assert_eq!(verify_checkpoint(&note, &vk).unwrap(), cp);
        let mut bytes = note.into_bytes();
        let k = pos % bytes.len();
        bytes[k] = bytes[k].wrapping_add(delta);
        if let Ok(text) = String::from_utf8(bytes) {
            prop_assert!(verify_checkpoint(&text, &vk).is_err());
        }
    }

    #[test]
    fn parsers_never_panic_on_random_input(s in ".{0,200}", raw in proptest::collection::vec(any::<u8>(), 0..200)) {
        let vk = NoteSigner::from_seed("k", &[1u8; 32]).unwrap().verifier();
        let _ = VerifierKey::parse(&s);
        let _ = NoteSigner::parse(&s);
        let _ = Checkpoint::parse_body(&s);
        let _ = verify_checkpoint(&s, &vk);
        let lossy = String::from_utf8_lossy(&raw);
        let _ = VerifierKey::parse(&lossy);
        let _ = Checkpoint::parse_body(&lossy);
        let _ = verify_checkpoint(&lossy, &vk);
    }
}
