//! Scoring: evidence -> a 0-100 score and a level per person and per network.
//!
//! The model (docs/scoring.md): each evidence item has a weight in 0..1, its
//! flag's weight times a severity factor. Items of one flag combine with
//! diminishing returns (the strongest counts fully, each further item adds a
//! fraction) up to a per-flag cap, so repeating one signal can never make a
//! case. Flags combine as independent signals: `score = 100 * (1 - prod(1 - f))`.
//! Strong cases raise the persons they share an identifier with
//! ([`propagate`]). Every point of a score is attributed to one evidence item
//! ([`FlagScore::points`]); the points of a person add up to the score.

mod combine;
mod propagate;
mod weights;

use std::collections::{BTreeMap, HashMap};

use molehunt_model::{Evidence, RiskLevel, Severity};
use serde::{Deserialize, Deserializer, Serialize};

use crate::link::Network;

pub use combine::{Contribution, combine};
pub use propagate::LINK_FLAG;
pub use weights::{DECISIVE, DEFAULT_WEIGHTS};

/// Factors applied to a flag's weight by the evidence's severity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SeverityFactors {
    pub low: f64,
    pub medium: f64,
    pub high: f64,
    pub critical: f64,
}

impl Default for SeverityFactors {
    fn default() -> Self {
        SeverityFactors {
            low: 0.5,
            medium: 0.75,
            high: 1.0,
            critical: 1.25,
        }
    }
}

impl SeverityFactors {
    pub fn get(&self, s: Severity) -> f64 {
        match s {
            Severity::Low => self.low,
            Severity::Medium => self.medium,
            Severity::High => self.high,
            Severity::Critical => self.critical,
        }
    }
}

/// Scoring weights and thresholds (the `[score]` section of the detection config).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreConfig {
    /// Scores from here are `medium`.
    pub medium: u8,
    /// Scores from here are `high`.
    pub high: u8,
    /// Scores from here are `critical`.
    pub critical: u8,
    pub severity: SeverityFactors,
    /// Weight per flag id at severity `high` (a partial table overrides only
    /// the flags it names).
    #[serde(deserialize_with = "merge_weights")]
    pub flag_weights: BTreeMap<String, f64>,
    /// Weight of flags missing from the table.
    pub default_weight: f64,
    /// Each further item of the same flag adds this fraction of its weight.
    pub repeat_factor: f64,
    /// Most one flag can contribute (below `high / 100`: one signal alone never makes a case high).
    pub flag_cap: f64,
    /// Flags decisive on their own (sanctions matches), capped at `decisive_cap` instead.
    pub decisive_flags: Vec<String>,
    pub decisive_cap: f64,
    /// A person linked to a case scoring S (at least `propagation_min_score`)
    /// receives a contribution of `propagation_weight * S / 100` ...
    pub propagation_weight: f64,
    pub propagation_min_score: u8,
    /// ... increased by this fraction per further linked case ...
    pub propagation_per_extra_source: f64,
    /// ... and never more than this (an honest partner of a case stays below `high`).
    pub propagation_cap: f64,
    /// A network scores its highest member plus this for every further member at `medium` or above.
    pub network_member_bonus: u8,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            medium: 40,
            high: 65,
            critical: 85,
            severity: SeverityFactors::default(),
            flag_weights: weights::default_flag_weights(),
            default_weight: 0.2,
            repeat_factor: 0.3,
            flag_cap: 0.6,
            decisive_flags: weights::default_decisive(),
            decisive_cap: 0.97,
            propagation_weight: 0.4,
            propagation_min_score: 65,
            propagation_per_extra_source: 0.25,
            propagation_cap: 0.45,
            network_member_bonus: 5,
        }
    }
}

fn merge_weights<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
    let given = BTreeMap::<String, f64>::deserialize(d)?;
    let mut all = weights::default_flag_weights();
    all.extend(given);
    Ok(all)
}

impl ScoreConfig {
    /// The level of a 0-100 score.
    pub fn level(&self, score: u8) -> RiskLevel {
        if score >= self.critical {
            RiskLevel::Critical
        } else if score >= self.high {
            RiskLevel::High
        } else if score >= self.medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }

    /// The weight (0..1) of one evidence item.
    pub fn weight(&self, flag: &str, severity: Severity) -> f64 {
        let base = self
            .flag_weights
            .get(flag)
            .copied()
            .unwrap_or(self.default_weight);
        (base * self.severity.get(severity)).clamp(0.0, 0.99)
    }

    /// The most one flag may contribute.
    pub fn cap(&self, flag: &str) -> f64 {
        if self.decisive_flags.iter().any(|f| f == flag) {
            self.decisive_cap.clamp(0.0, 0.99)
        } else {
            self.flag_cap.clamp(0.0, 0.99)
        }
    }
}

/// One evidence item of a person with the points it earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagScore {
    /// The flag id (RED_FLAGS.md), or `LINK-NETWORK` for propagated risk.
    pub id: String,
    pub severity: Severity,
    pub detail: String,
    /// Points of the score earned by this item (the points of a person add up to the score).
    pub points: f64,
    pub events: Vec<String>,
}

/// A person's score with the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonScore {
    pub person_id: String,
    pub full_name: Option<String>,
    /// 0-100.
    pub score: u8,
    pub level: RiskLevel,
    pub network_id: Option<String>,
    /// Highest points first.
    pub flags: Vec<FlagScore>,
}

/// Scores every person of `persons` (id, full name) and every person that
/// evidence names, and sets the score and level of each network.
/// Returns persons sorted by score (highest first), then id.
pub fn score(
    persons: &[(String, Option<String>)],
    evidence: &[Evidence],
    networks: &mut [Network],
    config: &ScoreConfig,
) -> Vec<PersonScore> {
    let mut by_person: BTreeMap<&str, Vec<&Evidence>> = BTreeMap::new();
    for e in evidence {
        by_person.entry(e.person_id.as_str()).or_default().push(e);
    }
    let mut names: HashMap<&str, Option<&String>> = HashMap::new();
    for (id, name) in persons {
        names.insert(id.as_str(), name.as_ref());
        by_person.entry(id.as_str()).or_default();
    }
    let mut network_of: HashMap<&str, usize> = HashMap::new();
    for (ni, n) in networks.iter().enumerate() {
        for p in &n.person_ids {
            network_of.insert(p.as_str(), ni);
        }
    }

    // 1. own evidence
    let own: HashMap<&str, f64> = by_person
        .iter()
        .map(|(p, evs)| {
            let contributions = evs
                .iter()
                .map(|e| Contribution::from_evidence(e, config))
                .collect();
            (*p, combine(contributions, config).0)
        })
        .collect();

    // 2. propagation inside networks, 3. final combination
    let propagated = propagate::propagate(networks, &own, config);
    let mut out: Vec<PersonScore> = by_person
        .into_iter()
        .map(|(p, evs)| {
            let mut contributions: Vec<Contribution> = evs
                .iter()
                .map(|e| Contribution::from_evidence(e, config))
                .collect();
            if let Some(c) = propagated.get(p) {
                contributions.push(c.clone());
            }
            let (total, flags) = combine(contributions, config);
            let score = to_score(total);
            PersonScore {
                person_id: p.to_string(),
                full_name: names.get(p).copied().flatten().cloned(),
                score,
                level: config.level(score),
                network_id: network_of
                    .get(p)
                    .and_then(|&i| networks.get(i))
                    .map(|n| n.network_id.clone()),
                flags,
            }
        })
        .collect();

    // 4. networks
    let final_scores: HashMap<&str, u8> = out
        .iter()
        .map(|p| (p.person_id.as_str(), p.score))
        .collect();
    for n in networks.iter_mut() {
        let scores: Vec<u8> = n
            .person_ids
            .iter()
            .map(|p| final_scores.get(p.as_str()).copied().unwrap_or(0))
            .collect();
        let max = scores.iter().copied().max().unwrap_or(0);
        let flagged = scores.iter().filter(|&&s| s >= config.medium).count();
        let bonus = u32::from(config.network_member_bonus) * flagged.saturating_sub(1) as u32;
        n.score = (u32::from(max) + if max >= config.medium { bonus } else { 0 }).min(100) as u8;
        n.level = config.level(n.score);
    }
    networks.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| b.person_ids.len().cmp(&a.person_ids.len()))
            .then_with(|| a.network_id.cmp(&b.network_id))
    });

    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.person_id.cmp(&b.person_id))
    });
    out
}

/// 0..1 -> 0..=100.
pub fn to_score(total: f64) -> u8 {
    (total * 100.0).round().clamp(0.0, 100.0) as u8
}

#[cfg(test)]
mod tests;
