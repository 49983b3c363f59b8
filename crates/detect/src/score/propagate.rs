//! Propagation: a strong case raises the persons it shares an identifier with.
//!
//! A person directly linked (one shared identifier of a network link) to cases
//! whose own evidence scores at least `propagation_min_score` receives one
//! contribution `LINK-NETWORK` of weight
//! `propagation_weight * S/100 * (1 + propagation_per_extra_source * (n - 1))`,
//! capped at `propagation_cap`, where S is the highest such case and n their
//! number. Propagation runs once, from own evidence only, so it cannot feed on
//! itself; with the default cap (0.45) a person with no evidence of their own
//! stays below `high`, whoever they live with.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use molehunt_model::Severity;

use super::{Contribution, ScoreConfig};
use crate::link::Network;

/// The flag id of propagated network risk.
pub const LINK_FLAG: &str = "LINK-NETWORK";

/// Event ids kept for one propagated contribution.
const MAX_EVENTS: usize = 10;

#[derive(Default)]
struct Neighbour<'a> {
    kinds: BTreeSet<&'a str>,
    events: Vec<&'a str>,
}

/// Propagated contributions per person id.
pub fn propagate<'a>(
    networks: &'a [Network],
    own: &HashMap<&str, f64>,
    config: &ScoreConfig,
) -> HashMap<&'a str, Contribution> {
    let min = f64::from(config.propagation_min_score) / 100.0;
    let mut out = HashMap::new();
    for net in networks {
        // target -> source -> what joins them
        let mut adj: BTreeMap<&str, BTreeMap<&str, Neighbour<'_>>> = BTreeMap::new();
        for link in &net.links {
            for s in &link.person_ids {
                if own.get(s.as_str()).copied().unwrap_or(0.0) < min {
                    continue;
                }
                for t in &link.person_ids {
                    if s == t {
                        continue;
                    }
                    let n = adj
                        .entry(t.as_str())
                        .or_default()
                        .entry(s.as_str())
                        .or_default();
                    n.kinds.insert(link.kind.as_str());
                    for e in &link.events {
                        if n.events.len() < MAX_EVENTS && !n.events.contains(&e.as_str()) {
                            n.events.push(e.as_str());
                        }
                    }
                }
            }
        }
        for (target, sources) in adj {
            let mut ranked: Vec<(&str, f64, &Neighbour<'_>)> = sources
                .iter()
                .map(|(s, n)| (*s, own.get(s).copied().unwrap_or(0.0), n))
                .collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            let Some(&(top, top_score, top_n)) = ranked.first() else {
                continue;
            };
            let extra = ranked.len().saturating_sub(1) as f64;
            let weight = (config.propagation_weight
                * top_score
                * (1.0 + config.propagation_per_extra_source * extra))
                .min(config.propagation_cap)
                .clamp(0.0, 0.99);
            let kinds: Vec<&str> = top_n.kinds.iter().copied().collect();
            let others = if ranked.len() > 1 {
                format!(" and {} other flagged member(s)", ranked.len() - 1)
            } else {
                String::new()
            };
            let detail = format!(
                "linked to {top} (own score {}){others} in network {} via {}",
                super::to_score(top_score),
                net.network_id,
                kinds.join(", ")
            );
            let mut events: Vec<String> = Vec::new();
            for (_, _, n) in &ranked {
                for e in &n.events {
                    if events.len() < MAX_EVENTS && !events.iter().any(|x| x == e) {
                        events.push((*e).to_string());
                    }
                }
            }
            let severity = if weight >= 0.35 {
                Severity::High
            } else if weight >= 0.2 {
                Severity::Medium
            } else {
                Severity::Low
            };
            out.insert(
                target,
                Contribution {
                    flag: LINK_FLAG.to_string(),
                    severity,
                    detail,
                    events,
                    weight,
                    cap: config.propagation_cap.clamp(0.0, 0.99),
                },
            );
        }
    }
    out
}
