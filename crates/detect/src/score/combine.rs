//! Combining weighted evidence into a score, with points per item.

use std::collections::BTreeMap;

use molehunt_model::{Evidence, Severity};

use super::{FlagScore, ScoreConfig};

/// One weighted item to combine (an evidence item, or propagated network risk).
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub flag: String,
    pub severity: Severity,
    pub detail: String,
    pub events: Vec<String>,
    /// 0..1.
    pub weight: f64,
    /// The flag's cap.
    pub cap: f64,
}

impl Contribution {
    pub fn from_evidence(e: &Evidence, config: &ScoreConfig) -> Self {
        Contribution {
            flag: e.flag.clone(),
            severity: e.severity,
            detail: e.detail.clone(),
            events: e.events.clone(),
            weight: config.weight(&e.flag, e.severity),
            cap: config.cap(&e.flag),
        }
    }
}

/// Combines contributions: per flag the strongest item counts fully and each
/// further one adds `repeat_factor` of its weight, up to the flag's cap; flags
/// combine as `1 - prod(1 - f)`. Returns the total (0..1) and the items with
/// their points (which add up to `100 * total`), highest first.
pub fn combine(items: Vec<Contribution>, config: &ScoreConfig) -> (f64, Vec<FlagScore>) {
    let mut by_flag: BTreeMap<String, Vec<Contribution>> = BTreeMap::new();
    for c in items {
        by_flag.entry(c.flag.clone()).or_default().push(c);
    }
    let repeat = config.repeat_factor.clamp(0.0, 1.0);
    // (flag total f, items with their share of f)
    let mut flags: Vec<(f64, Vec<(Contribution, f64)>)> = Vec::new();
    for (_, mut list) in by_flag {
        list.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.detail.cmp(&b.detail))
        });
        let raws: Vec<f64> = list
            .iter()
            .enumerate()
            .map(|(i, c)| if i == 0 { c.weight } else { c.weight * repeat })
            .collect();
        let raw: f64 = raws.iter().sum();
        let cap = list.first().map(|c| c.cap).unwrap_or(0.0);
        let f = raw.min(cap).clamp(0.0, 0.99);
        let items = list
            .into_iter()
            .zip(raws)
            .map(|(c, r)| (c, if raw > 0.0 { f * r / raw } else { 0.0 }))
            .collect();
        flags.push((f, items));
    }
    flags.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut remaining = 1.0_f64;
    let mut out: Vec<FlagScore> = Vec::new();
    for (f, items) in flags {
        let flag_points = 100.0 * remaining * f;
        for (c, share) in items {
            let points = if f > 0.0 {
                flag_points * share / f
            } else {
                0.0
            };
            out.push(FlagScore {
                id: c.flag,
                severity: c.severity,
                detail: c.detail,
                points: (points * 100.0).round() / 100.0,
                events: c.events,
            });
        }
        remaining *= 1.0 - f;
    }
    out.sort_by(|a, b| b.points.total_cmp(&a.points).then_with(|| a.id.cmp(&b.id)));
    (1.0 - remaining, out)
}
