#![allow(clippy::unwrap_used)]

use molehunt_model::{Evidence, RiskLevel, Severity};
use proptest::prelude::*;

use super::*;
use crate::link::{Link, Network};

fn ev(person: &str, flag: &str, severity: Severity) -> Evidence {
    Evidence {
        flag: flag.into(),
        person_id: person.into(),
        severity,
        detail: format!("{flag} on {person}"),
        events: vec![format!("ev-{person}-{flag}")],
        at: None,
        related: vec![],
    }
}

fn persons(ids: &[&str]) -> Vec<(String, Option<String>)> {
    ids.iter()
        .map(|i| (i.to_string(), Some(format!("Name {i}"))))
        .collect()
}

fn one(evidence: &[Evidence]) -> PersonScore {
    score(&persons(&["p"]), evidence, &mut [], &ScoreConfig::default()).remove(0)
}

const SEVERITIES: [Severity; 4] = [
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

#[test]
fn no_single_flag_reaches_high_however_often_it_repeats() {
    let config = ScoreConfig::default();
    for (flag, _) in DEFAULT_WEIGHTS.iter().chain([("UNKNOWN-FLAG", 0.0)].iter()) {
        if DECISIVE.contains(flag) {
            continue;
        }
        for sev in SEVERITIES {
            let evidence: Vec<Evidence> = (0..20).map(|_| ev("p", flag, sev)).collect();
            let s = one(&evidence);
            assert!(
                s.score < config.high,
                "{flag} {sev:?} x20 scored {}",
                s.score
            );
            assert!(s.level < RiskLevel::High);
        }
    }
}

#[test]
fn sanctions_matches_are_decisive() {
    assert_eq!(
        one(&[ev("p", "ID-SANCTIONS", Severity::Critical)]).level,
        RiskLevel::Critical
    );
}

#[test]
fn scheme_combinations_reach_high() {
    use Severity::*;
    let farm = [
        ev("p", "NET-VPN", Medium),
        ev("p", "NET-GEO-MISMATCH", Medium),
        ev("p", "EP-KVM", High),
        ev("p", "PAY-SHARED", High),
    ];
    assert!(one(&farm).level >= RiskLevel::High, "{}", one(&farm).score);
    let ship = [
        ev("p", "SHIP-FARM", High),
        ev("p", "SHIP-ADDR-MISMATCH", Medium),
        ev("p", "EP-RMM", Medium),
    ];
    assert!(one(&ship).level >= RiskLevel::High, "{}", one(&ship).score);
    let crypto = [
        ev("p", "PAY-CRYPTO", Medium),
        ev("p", "PAY-SHARED", High),
        ev("p", "NET-HOURS", Medium),
    ];
    assert!(
        one(&crypto).level >= RiskLevel::High,
        "{}",
        one(&crypto).score
    );
}

#[test]
fn honest_look_alike_pairs_stay_below_high() {
    use Severity::*;
    // a traveller on hotel VPN abroad
    let s = one(&[
        ev("p", "NET-VPN", Medium),
        ev("p", "NET-GEO-MISMATCH", Medium),
    ]);
    assert!(s.level < RiskLevel::High, "{}", s.score);
    // TeamViewer for IT support and a staffing-firm hire
    let s = one(&[ev("p", "EP-RMM", Low), ev("p", "HIRE-THIRD-PARTY", Low)]);
    assert_eq!(s.level, RiskLevel::Low);
}

#[test]
fn points_add_up_to_the_score_and_trace_to_evidence() {
    use Severity::*;
    let evidence = [
        ev("p", "NET-VPN", High),
        ev("p", "NET-VPN", Medium),
        ev("p", "EP-KVM", High),
        ev("p", "GIT-TZ", Low),
    ];
    let s = one(&evidence);
    let sum: f64 = s.flags.iter().map(|f| f.points).sum();
    assert!(
        (sum - f64::from(s.score)).abs() < 0.6,
        "{sum} vs {}",
        s.score
    );
    assert_eq!(s.flags.len(), 4);
    assert_eq!(s.flags[0].id, "EP-KVM");
    assert!(s.flags.windows(2).all(|w| w[0].points >= w[1].points));
    assert!(s.flags.iter().all(|f| !f.events.is_empty()));
}

#[test]
fn persons_without_evidence_score_zero_and_unknown_persons_are_kept() {
    let out = score(
        &persons(&["a", "b"]),
        &[ev("z", "NET-VPN", Severity::High)],
        &mut [],
        &ScoreConfig::default(),
    );
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].person_id, "z");
    assert_eq!(out[0].full_name, None);
    assert_eq!(out[1].score, 0);
    assert_eq!(out[1].full_name.as_deref(), Some("Name a"));
}

fn network(id: &str, members: &[&str], kind: &str) -> Network {
    Network {
        network_id: id.into(),
        person_ids: members.iter().map(|s| s.to_string()).collect(),
        links: vec![Link {
            kind: kind.into(),
            person_ids: members.iter().map(|s| s.to_string()).collect(),
            value: "x".into(),
            events: vec!["ship-1".into()],
        }],
        score: 0,
        level: RiskLevel::Low,
    }
}

#[test]
fn strong_cases_raise_linked_members_but_an_honest_partner_stays_below_high() {
    use Severity::*;
    let strong = [
        ev("a", "EP-KVM", High),
        ev("a", "PAY-SHARED", High),
        ev("a", "NET-VPN", High),
        ev("a", "NET-HOURS", High),
    ];
    let mut nets = vec![network("net-1", &["a", "b"], "shipping_address")];
    let out = score(
        &persons(&["a", "b"]),
        &strong,
        &mut nets,
        &ScoreConfig::default(),
    );
    let a = out.iter().find(|p| p.person_id == "a").unwrap();
    let b = out.iter().find(|p| p.person_id == "b").unwrap();
    assert!(a.level >= RiskLevel::High);
    assert!(b.score > 0 && b.level < RiskLevel::High, "{}", b.score);
    assert_eq!(b.flags[0].id, LINK_FLAG);
    assert!(
        b.flags[0].detail.contains("linked to a"),
        "{}",
        b.flags[0].detail
    );
    assert!(b.flags[0].detail.contains("shipping_address"));
    assert_eq!(b.flags[0].events, vec!["ship-1"]);
    assert_eq!(b.network_id.as_deref(), Some("net-1"));
    assert_eq!(nets[0].score, a.score, "one flagged member: no bonus");
    // with one signal of their own, the linked member becomes a case
    let mut with_own = strong.to_vec();
    with_own.push(ev("b", "NET-VPN", High));
    with_own.push(ev("b", "NET-GEO-MISMATCH", Medium));
    let mut nets = vec![network("net-1", &["a", "b"], "bank_account")];
    let out = score(
        &persons(&["a", "b"]),
        &with_own,
        &mut nets,
        &ScoreConfig::default(),
    );
    let b = out.iter().find(|p| p.person_id == "b").unwrap();
    assert!(b.level >= RiskLevel::High, "{}", b.score);
}

#[test]
fn a_couple_without_signals_stays_low() {
    let mut nets = vec![network("net-home", &["a", "b"], "shipping_address")];
    let out = score(
        &persons(&["a", "b"]),
        &[ev("a", "NET-VPN", Severity::Medium)],
        &mut nets,
        &ScoreConfig::default(),
    );
    assert!(out.iter().all(|p| p.level == RiskLevel::Low));
    assert_eq!(nets[0].level, RiskLevel::Low);
}

#[test]
fn partial_weight_tables_override_only_what_they_name() {
    let c: ScoreConfig = serde_json::from_str(r#"{"flag_weights":{"NET-VPN":0.1}}"#).unwrap();
    assert_eq!(c.flag_weights.get("NET-VPN"), Some(&0.1));
    assert_eq!(c.flag_weights.get("EP-KVM"), Some(&0.5));
    assert!(serde_json::from_str::<ScoreConfig>(r#"{"weights":{}}"#).is_err());
    let round: ScoreConfig =
        serde_json::from_str(&serde_json::to_string(&ScoreConfig::default()).unwrap()).unwrap();
    assert_eq!(round, ScoreConfig::default());
}

fn any_evidence() -> impl Strategy<Value = Evidence> {
    let flags: Vec<&'static str> = DEFAULT_WEIGHTS.iter().map(|(f, _)| *f).collect();
    (proptest::sample::select(flags), 0usize..4).prop_map(|(f, s)| ev("p", f, SEVERITIES[s]))
}

proptest! {
    #[test]
    fn scores_are_bounded_and_monotone(list in proptest::collection::vec(any_evidence(), 0..12), extra in any_evidence()) {
        let before = one(&list);
        prop_assert!(before.score <= 100);
        let mut more = list.clone();
        more.push(extra);
        let after = one(&more);
        prop_assert!(after.score >= before.score, "{} -> {}", before.score, after.score);
        let sum: f64 = after.flags.iter().map(|f| f.points).sum();
        prop_assert!((sum - f64::from(after.score)).abs() < 0.6 + 0.01 * after.flags.len() as f64);
    }

    #[test]
    fn one_flag_alone_never_reaches_high(e in any_evidence(), n in 1usize..30) {
        prop_assume!(!DECISIVE.contains(&e.flag.as_str()));
        let list: Vec<Evidence> = std::iter::repeat_n(e, n).collect();
        prop_assert!(one(&list).level < RiskLevel::High);
    }
}
