//! Synthetic populations for demos and evaluation: thousands of honest remote
//! workers (with the honest look-alikes every detector must spare) and DPRK
//! IT-worker schemes modelled on the public cases, as JSON Lines of the
//! Molehunt input contract (docs/EVENTS.md), with their ground truth.
//!
//! Deterministic: the same [`DemoOptions`] give the same lines.
//!
//! ```
//! let demo = molehunt_demo::generate(&molehunt_demo::DemoOptions { honest: 50, ..Default::default() });
//! assert!(demo.lines.len() > 50 * 40);
//! assert_eq!(demo.truth.honest.len(), 50);
//! assert!(demo.lines.iter().all(|l| molehunt_model::parse_line(l).is_ok()));
//! ```

mod honest;
mod metrics;
mod mrz;
mod out;
mod people;
mod rng;
mod schemes;
mod worker;
mod world;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use metrics::Metrics;
pub use mrz::{check_digit, td3};
pub use rng::Rng;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    pub seed: u64,
    /// Honest workers (default 3,000).
    pub honest: usize,
    /// Days of activity from 2026-02-02 (default 28).
    pub days: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 2026,
            honest: 3000,
            days: 28,
        }
    }
}

/// One scheme: its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub name: String,
    /// `laptop_farm`, `crypto_ring`, `multi_identity_operator`, `lone_hire`.
    pub kind: String,
    pub person_ids: Vec<String>,
}

/// Who is who.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroundTruth {
    pub schemes: Vec<Scheme>,
    /// Person ids of every honest worker.
    pub honest: Vec<String>,
    /// Honest look-alike roles (`couple`, `night_owl`, `corporate_egress` ...) -> person ids.
    #[serde(default)]
    pub lookalikes: BTreeMap<String, Vec<String>>,
}

impl GroundTruth {
    /// Every scheme member.
    pub fn scheme_members(&self) -> Vec<&str> {
        self.schemes
            .iter()
            .flat_map(|s| s.person_ids.iter().map(String::as_str))
            .collect()
    }
}

/// A generated population.
#[derive(Debug, Clone)]
pub struct Demo {
    /// JSON Lines records (records without a time first, then events in time order).
    pub lines: Vec<String>,
    pub truth: GroundTruth,
}

/// Scheme sizes: laptop farm, crypto ring, operator, lone hire.
const SIZES: [usize; 4] = [8, 6, 4, 1];

/// Generates the population of `opts`.
pub fn generate(opts: &DemoOptions) -> Demo {
    let mut rng = Rng::new(opts.seed);
    let scheme_total: usize = SIZES.iter().sum();
    let total = opts.honest + scheme_total;
    // Person ids carry no hint of the truth: a shuffled numbering.
    let mut numbers: Vec<usize> = (1..=total).collect();
    for i in (1..numbers.len()).rev() {
        let j = rng.below((i + 1) as u64) as usize;
        numbers.swap(i, j);
    }
    let ids: Vec<String> = numbers.iter().map(|n| format!("P{:05}", n)).collect();
    let (honest_ids, scheme_ids) = ids.split_at(opts.honest);

    let mut honest_rng = rng.fork(1);
    let population = honest::population(honest_ids, &mut honest_rng);
    let mut scheme_rng = rng.fork(2);
    let mut offset = 0;
    let mut take = |n: usize| {
        let s = &scheme_ids[offset..offset + n];
        offset += n;
        s
    };
    let built = vec![
        schemes::laptop_farm(take(SIZES[0]), &mut scheme_rng),
        schemes::crypto_ring(take(SIZES[1]), &mut scheme_rng),
        schemes::operator(take(SIZES[2]), &mut scheme_rng),
        schemes::lone_hire(take(SIZES[3]), &mut scheme_rng),
    ];

    let mut out = out::Out::default();
    let mut emit_rng = rng.fork(3);
    let days = i64::from(opts.days.max(1));
    for w in &population.workers {
        w.emit(&mut out, &mut emit_rng, days);
    }
    for b in &built {
        for w in &b.workers {
            w.emit(&mut out, &mut emit_rng, days);
        }
    }
    let truth = GroundTruth {
        schemes: built
            .iter()
            .map(|b| Scheme {
                name: b.name.clone(),
                kind: b.kind.clone(),
                person_ids: b.workers.iter().map(|w| w.id().to_string()).collect(),
            })
            .collect(),
        honest: honest_ids.to_vec(),
        lookalikes: population.roles,
    };
    Demo {
        lines: out.into_lines(),
        truth,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use molehunt_model::{Record, parse_line};

    #[test]
    fn deterministic_and_valid() {
        let opts = DemoOptions {
            honest: 80,
            days: 14,
            ..Default::default()
        };
        let a = generate(&opts);
        let b = generate(&opts);
        assert_eq!(a.lines, b.lines);
        assert_eq!(a.truth, b.truth);
        let c = generate(&DemoOptions {
            seed: 9,
            ..opts.clone()
        });
        assert_ne!(a.lines, c.lines);
        let mut types = std::collections::BTreeSet::new();
        let mut last_ts = None;
        let mut timed = false;
        for l in &a.lines {
            let ev = parse_line(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            types.insert(ev.record.type_name());
            match ev.record.ts() {
                Some(t) => {
                    timed = true;
                    assert!(last_ts.is_none_or(|p| p <= t.utc), "time order");
                    last_ts = Some(t.utc);
                }
                None => assert!(!timed, "untimed records come first"),
            }
        }
        assert_eq!(types.len(), molehunt_model::RECORD_TYPES.len(), "{types:?}");
    }

    #[test]
    fn truth_partitions_the_population() {
        let d = generate(&DemoOptions {
            honest: 200,
            ..Default::default()
        });
        let mut persons = std::collections::BTreeSet::new();
        for l in &d.lines {
            if let Record::Person(p) = parse_line(l).unwrap().record {
                persons.insert(p.person_id);
            }
        }
        let members = d.truth.scheme_members();
        assert_eq!(persons.len(), 200 + members.len());
        assert!(
            members
                .iter()
                .all(|m| persons.contains(*m) && !d.truth.honest.iter().any(|h| h == m))
        );
        for role in [
            "couple",
            "corporate_egress",
            "night_owl",
            "business_traveller",
            "korean_developer",
        ] {
            assert!(
                d.truth.lookalikes.get(role).is_some_and(|v| !v.is_empty()),
                "{role}"
            );
        }
        // tens of events per person
        let per_person = d.lines.len() / persons.len();
        assert!((30..200).contains(&per_person), "{per_person}");
    }

    #[test]
    fn valid_passports_pass_icao_checks() {
        let m = td3(
            "USA",
            "Doe",
            "Jane",
            "AB1234567",
            "USA",
            "900101",
            'F',
            "310101",
            "",
        );
        let l2 = m.split('\n').nth(1).unwrap();
        assert_eq!(l2.len(), 44);
        assert_eq!(l2.chars().nth(9).unwrap(), check_digit("AB1234567"));
    }
}
