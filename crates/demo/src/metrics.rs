//! Measuring a scoring run against the ground truth.

use std::collections::{BTreeMap, BTreeSet};

use molehunt_model::RiskLevel;
use serde::Serialize;

use crate::GroundTruth;

/// How well a run found the schemes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub scheme_members: usize,
    /// Scheme members at high or critical.
    pub members_flagged: usize,
    /// `members_flagged / scheme_members`.
    pub recall: f64,
    pub honest: usize,
    /// Honest persons at high or critical.
    pub honest_flagged: usize,
    /// `honest_flagged / honest`.
    pub false_positive_rate: f64,
    /// Scheme members below high.
    pub missed: Vec<String>,
    /// Honest persons at high or critical.
    pub false_positives: Vec<String>,
    /// Schemes of two or more members whose members are not all in one network.
    pub split_schemes: Vec<String>,
    /// Honest persons inside a network holding scheme members.
    pub honest_in_scheme_networks: Vec<String>,
}

impl Metrics {
    /// The acceptance of issue 2: recall >= 90%, false positives <= 1%, every
    /// scheme in one network, no honest person in a scheme's network.
    pub fn accepted(&self) -> bool {
        self.recall >= 0.9
            && self.false_positive_rate <= 0.01
            && self.split_schemes.is_empty()
            && self.honest_in_scheme_networks.is_empty()
    }

    /// One line for a terminal.
    pub fn summary(&self) -> String {
        format!(
            "ground truth: {}/{} scheme members at high or critical (recall {:.1}%), {}/{} honest persons at high or critical (false positives {:.2}%), {} scheme(s) split across networks, {} honest person(s) in scheme networks",
            self.members_flagged,
            self.scheme_members,
            100.0 * self.recall,
            self.honest_flagged,
            self.honest,
            100.0 * self.false_positive_rate,
            self.split_schemes.len(),
            self.honest_in_scheme_networks.len()
        )
    }
}

impl GroundTruth {
    /// Measures a run: `levels` gives each person's level and network
    /// (persons missing count as low and unlinked); `networks` the members of
    /// each network.
    pub fn evaluate(
        &self,
        levels: &[(String, RiskLevel, Option<String>)],
        networks: &[(String, Vec<String>)],
    ) -> Metrics {
        let level: BTreeMap<&str, (RiskLevel, Option<&str>)> = levels
            .iter()
            .map(|(p, l, n)| (p.as_str(), (*l, n.as_deref())))
            .collect();
        let flagged = |p: &str| level.get(p).is_some_and(|(l, _)| *l >= RiskLevel::High);
        let members = self.scheme_members();
        let missed: Vec<String> = members
            .iter()
            .filter(|m| !flagged(m))
            .map(|m| m.to_string())
            .collect();
        let false_positives: Vec<String> =
            self.honest.iter().filter(|h| flagged(h)).cloned().collect();
        let network_of = |p: &str| level.get(p).and_then(|(_, n)| *n);
        let mut split = Vec::new();
        let mut scheme_networks: BTreeSet<&str> = BTreeSet::new();
        for s in &self.schemes {
            let nets: BTreeSet<Option<&str>> = s.person_ids.iter().map(|p| network_of(p)).collect();
            if s.person_ids.len() >= 2 && (nets.len() != 1 || nets.contains(&None)) {
                split.push(s.name.clone());
            }
            scheme_networks.extend(nets.into_iter().flatten());
        }
        let honest: BTreeSet<&str> = self.honest.iter().map(String::as_str).collect();
        let mut honest_in = Vec::new();
        for (id, persons) in networks {
            if scheme_networks.contains(id.as_str()) {
                honest_in.extend(
                    persons
                        .iter()
                        .filter(|p| honest.contains(p.as_str()))
                        .cloned(),
                );
            }
        }
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        Metrics {
            scheme_members: members.len(),
            members_flagged: members.len() - missed.len(),
            recall: ratio(members.len() - missed.len(), members.len()),
            honest: self.honest.len(),
            honest_flagged: false_positives.len(),
            false_positive_rate: ratio(false_positives.len(), self.honest.len()),
            missed,
            false_positives,
            split_schemes: split,
            honest_in_scheme_networks: honest_in,
        }
    }

    /// The honest look-alike roles of a person (for explaining a false positive).
    pub fn roles_of(&self, person_id: &str) -> Vec<&str> {
        self.lookalikes
            .iter()
            .filter(|(_, ids)| ids.iter().any(|i| i == person_id))
            .map(|(r, _)| r.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;

    #[test]
    fn measures_recall_false_positives_and_networks() {
        let truth = GroundTruth {
            schemes: vec![
                Scheme {
                    name: "farm".into(),
                    kind: "laptop_farm".into(),
                    person_ids: vec!["a".into(), "b".into()],
                },
                Scheme {
                    name: "lone".into(),
                    kind: "lone_hire".into(),
                    person_ids: vec!["c".into()],
                },
            ],
            honest: vec!["h1".into(), "h2".into()],
            lookalikes: BTreeMap::from([("couple".to_string(), vec!["h2".to_string()])]),
        };
        let n = |s: &str| Some(s.to_string());
        let levels = vec![
            ("a".to_string(), RiskLevel::Critical, n("net-1")),
            ("b".to_string(), RiskLevel::High, n("net-1")),
            ("c".to_string(), RiskLevel::Medium, None),
            ("h1".to_string(), RiskLevel::High, None),
            ("h2".to_string(), RiskLevel::Low, n("net-1")),
        ];
        let nets = vec![(
            "net-1".to_string(),
            vec!["a".into(), "b".into(), "h2".into()],
        )];
        let m = truth.evaluate(&levels, &nets);
        assert_eq!(m.members_flagged, 2);
        assert!((m.recall - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(m.missed, vec!["c"]);
        assert_eq!(m.false_positives, vec!["h1"]);
        assert!(m.split_schemes.is_empty());
        assert_eq!(m.honest_in_scheme_networks, vec!["h2"]);
        assert!(!m.accepted());
        assert_eq!(truth.roles_of("h2"), vec!["couple"]);
        assert!(m.summary().contains("2/3"));
    }
}
