//! RFC 6962 known-answer tests.
//!
//! Source of the vectors: transparency-dev/merkle (Apache-2.0), `proof/verify_test.go`
//! (`inclusionProofs`, `consistencyProofs`, `roots`, `leaves`, and the corruption probes of
//! `corruptInclusionProof` / `corruptConsistencyProof`) and `rfc6962/rfc6962_test.go`.
//! Inclusion vectors there use 1-based leaf numbers; they are 0-based indices here.
#![allow(clippy::unwrap_used)]

mod common;

use common::{dh, mem_consistency, mem_inclusion, mth};
use molehunt_ledger::{Hash, empty_root, leaf_hash, verify_consistency, verify_inclusion};

fn leaves() -> Vec<Vec<u8>> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|s| hex::decode(s).unwrap())
    .collect()
}

const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn root(size: u64) -> Hash {
    dh(ROOTS[size as usize - 1])
}

/// (0-based index, tree size, proof)
fn inclusion_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (0, 1, vec![]),
        (
            0,
            8,
            vec![
                dh("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                dh("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                dh("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            5,
            8,
            vec![
                dh("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                dh("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                dh("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (
            2,
            3,
            vec![dh(
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            )],
        ),
        (
            1,
            5,
            vec![
                dh("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                dh("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                dh("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
    ]
}

fn consistency_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (1, 1, vec![]),
        (
            1,
            8,
            vec![
                dh("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                dh("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                dh("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            6,
            8,
            vec![
                dh("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                dh("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                dh("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (
            2,
            5,
            vec![
                dh("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                dh("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
        (
            6,
            7,
            vec![
                dh("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                dh("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
                dh("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
    ]
}

const SOME_HASH: &str = "abacaba000000000000000000000000000000000000000000060061e00123456";

#[test]
fn hasher_known_answers() {
    assert_eq!(
        empty_root(),
        dh("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    assert_eq!(
        leaf_hash(b""),
        dh("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    );
    assert_eq!(
        leaf_hash(b"L123456"),
        dh("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
    );
}

#[test]
fn roots_of_every_prefix() {
    let hs: Vec<Hash> = leaves().iter().map(|l| leaf_hash(l)).collect();
    for size in 1..=8u64 {
        assert_eq!(mth(&hs[..size as usize]), root(size), "size {size}");
    }
}

#[test]
fn inclusion_vectors_are_generated_and_verify() {
    let hs: Vec<Hash> = leaves().iter().map(|l| leaf_hash(l)).collect();
    for (index, size, proof) in inclusion_vectors() {
        assert_eq!(
            mem_inclusion(&hs[..size as usize], index, size),
            proof,
            "{index}/{size}"
        );
        let leaf = hs[index as usize];
        verify_inclusion(index, size, &leaf, &proof, &root(size)).unwrap();
        // Corruption probes, as in transparency-dev's corruptInclusionProof.
        let some = dh(SOME_HASH);
        let mut bad: Vec<(u64, u64, Hash, Vec<Hash>, Hash)> = vec![
            (index.wrapping_sub(1), size, leaf, proof.clone(), root(size)),
            (index + 1, size, leaf, proof.clone(), root(size)),
            (index ^ 2, size, leaf, proof.clone(), root(size)),
            (index, size * 2, leaf, proof.clone(), root(size)),
            (index, size / 2, leaf, proof.clone(), root(size)),
            (index, size, some, proof.clone(), root(size)),
            (index, size, leaf, proof.clone(), empty_root()),
            (index, size, leaf, proof.clone(), some),
            (
                index,
                size,
                leaf,
                [proof.clone(), vec![root(size)]].concat(),
                root(size),
            ),
            (
                index,
                size,
                leaf,
                [vec![root(size)], proof.clone()].concat(),
                root(size),
            ),
        ];
        for i in 0..proof.len() {
            let mut p = proof.clone();
            p[i][0] ^= 8;
            bad.push((index, size, leaf, p, root(size)));
        }
        if !proof.is_empty() {
            bad.push((
                index,
                size,
                leaf,
                proof[..proof.len() - 1].to_vec(),
                root(size),
            ));
        }
        if proof.len() > 1 {
            let p = [vec![proof[0], some], proof[1..].to_vec()].concat();
            bad.push((index, size, leaf, p, root(size)));
        }
        for (n, (i, s, l, p, r)) in bad.into_iter().enumerate() {
            assert!(
                verify_inclusion(i, s, &l, &p, &r).is_err(),
                "probe {n} of {index}/{size} verified"
            );
        }
    }
}

#[test]
fn consistency_vectors_are_generated_and_verify() {
    let hs: Vec<Hash> = leaves().iter().map(|l| leaf_hash(l)).collect();
    for (first, second, proof) in consistency_vectors() {
        assert_eq!(
            mem_consistency(&hs, first, second),
            proof,
            "{first}->{second}"
        );
        let (r1, r2) = (root(first), root(second));
        verify_consistency(first, second, &proof, &r1, &r2).unwrap();
        if proof.is_empty() {
            continue;
        }
        let mut bad: Vec<(u64, u64, Hash, Hash, Vec<Hash>)> = vec![
            (first - 1, second, r1, r2, proof.clone()),
            (first + 1, second, r1, r2, proof.clone()),
            (first ^ 2, second, r1, r2, proof.clone()),
            (first, second * 2, r1, r2, proof.clone()),
            (first, second / 2, r1, r2, proof.clone()),
            (first, second, dh(SOME_HASH), r2, proof.clone()),
            (first, second, r1, dh(SOME_HASH), proof.clone()),
            (first, second, r2, r1, proof.clone()),
            (first, second, r1, r2, vec![]),
            (first, second, r1, r2, [proof.clone(), vec![r1]].concat()),
            (first, second, r1, r2, [proof.clone(), vec![r2]].concat()),
            (first, second, r1, r2, [vec![r1], proof.clone()].concat()),
            (first, second, r1, r2, [vec![r2], proof.clone()].concat()),
            (
                first,
                second,
                r1,
                r2,
                [vec![proof[0]], proof.clone()].concat(),
            ),
            (first, second, r1, r2, proof[..proof.len() - 1].to_vec()),
        ];
        for i in 0..proof.len() {
            let mut p = proof.clone();
            p[i][0] ^= 16;
            bad.push((first, second, r1, r2, p));
        }
        for (n, (f, s, a, b, p)) in bad.into_iter().enumerate() {
            assert!(
                verify_consistency(f, s, &p, &a, &b).is_err(),
                "probe {n} of {first}->{second} verified"
            );
        }
    }
}

#[test]
fn trivial_consistency_cases() {
    let (a, b) = (dh(SOME_HASH), empty_root());
    assert!(verify_consistency(0, 0, &[], &a, &a).is_ok());
    assert!(verify_consistency(0, 1, &[], &a, &b).is_ok());
    assert!(verify_consistency(1, 1, &[], &a, &b).is_err());
    assert!(verify_consistency(1, 0, &[], &a, &b).is_err());
    assert!(verify_consistency(1, 2, &[], &a, &b).is_err());
    assert!(verify_consistency(0, 1, &[b], &b, &b).is_err());
    assert!(verify_consistency(1, 1, &[b], &b, &b).is_err());
}
