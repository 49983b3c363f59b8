//! Random input to every parser of outside input in this crate: the TOML
//! config, MRZ lines, SSNs, addresses and names. None may panic.

#![allow(clippy::unwrap_used)]

use molehunt_detect::DetectConfig;
use molehunt_detect::util::{address, mrz, names, ssn};
use molehunt_model::Address;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn config_never_panics(s in "\\PC{0,200}") {
        let _ = DetectConfig::from_toml_str(&s);
    }

    #[test]
    fn config_tables_never_panic(section in "[a-z_]{1,20}", key in "[a-z_]{1,20}", v in "\\PC{0,20}") {
        let _ = DetectConfig::from_toml_str(&format!("[{section}]\n{key} = {v}\n"));
    }

    #[test]
    fn mrz_never_panics(s in "[A-Z0-9<\n]{0,140}") {
        let _ = mrz::validate(&s);
    }

    #[test]
    fn ssn_never_panics(s in "\\PC{0,20}") {
        let _ = ssn::never_issued(&s);
    }

    #[test]
    fn address_and_names_never_panic(a in "\\PC{0,60}", b in "\\PC{0,60}") {
        let addr = Address { line1: Some(a.clone()), line2: Some(b.clone()), city: Some(b.clone()), region: Some(a.clone()), postal_code: Some(b.clone()), country: Some(a.clone()) };
        let n = address::normalize(&addr);
        prop_assert_eq!(n.matches('|').count(), 4);
        let _ = names::same_name(&a, &b);
        let t = names::tokens(&a);
        if !t.is_empty() && t.iter().all(|x| x.chars().count() > 1) {
            prop_assert!(names::same_name(&a, &a), "{a:?} should match itself");
        }
    }

    #[test]
    fn address_normalisation_is_idempotent_on_case(l in "[0-9]{1,4} [A-Za-z]{2,10} (St|Ave|Rd)\\.?") {
        let a = Address { line1: Some(l.clone()), ..Default::default() };
        let b = Address { line1: Some(l.to_uppercase()), ..Default::default() };
        prop_assert_eq!(address::normalize(&a), address::normalize(&b));
    }
}
