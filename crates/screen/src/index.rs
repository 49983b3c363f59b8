//! The in-memory name index: normalised names with rarity weights, and a blocking map from
//! phonetic keys (of tokens, of adjacent token pairs, and token prefixes) to names, so a query
//! is compared with a few dozen candidates instead of every name.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use crate::compare::Tok;
use crate::model::Entity;
use crate::normalize::{NormName, normalize_name};
use crate::phonetic::key;

/// One indexed name of an entity.
#[derive(Debug, Clone)]
pub(crate) struct IndexedName {
    pub entity: u32,
    pub strong: bool,
    /// Index of the alias in the entity, None for the primary name.
    pub alias: Option<u32>,
    pub toks: Vec<Tok>,
}

/// How many candidates, best blocking score first, are scored in full.
pub(crate) const CANDIDATES: usize = 200;

#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    pub names: Vec<IndexedName>,
    postings: FxHashMap<String, Vec<u32>>,
    df: FxHashMap<String, u32>,
    total: f64,
}

thread_local! {
    static SCRATCH: RefCell<(Vec<f32>, Vec<u32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// The blocking keys of a normalised name.
pub(crate) fn block_keys(n: &NormName) -> Vec<String> {
    let mut out = Vec::with_capacity(n.tokens.len() * 3);
    for (t, k) in n.tokens.iter().zip(&n.keys) {
        out.push(if k.is_empty() {
            format!("={t}")
        } else {
            k.clone()
        });
        if t.len() >= 5 {
            out.push(format!("^{}", &t[..3]));
        }
    }
    for w in n.tokens.windows(2) {
        if let [a, b] = w {
            let k = key(&format!("{a}{b}"));
            if !k.is_empty() {
                out.push(k);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl NameIndex {
    pub fn build(entities: &[Entity]) -> NameIndex {
        let mut raw: Vec<(u32, bool, Option<u32>, NormName)> = Vec::new();
        for (i, e) in entities.iter().enumerate() {
            let ty = e.entity_type;
            let mut seen: Vec<Vec<String>> = Vec::new();
            let primary = std::iter::once((e.name.as_str(), true, None));
            let aliases = e
                .aliases
                .iter()
                .enumerate()
                .map(|(k, a)| (a.name.as_str(), a.strong, Some(k as u32)));
            for (name, strong, alias) in primary.chain(aliases) {
                let n = normalize_name(name, ty);
                if n.tokens.is_empty() || seen.contains(&n.tokens) {
                    continue;
                }
                seen.push(n.tokens.clone());
                raw.push((i as u32, strong, alias, n));
            }
        }
        let mut df: FxHashMap<String, u32> = FxHashMap::default();
        for (_, _, _, n) in &raw {
            let mut ts: Vec<&String> = n.tokens.iter().collect();
            ts.sort_unstable();
            ts.dedup();
            for t in ts {
                *df.entry(t.clone()).or_default() += 1;
            }
        }
        let mut idx = NameIndex {
            total: raw.len().max(1) as f64,
            df,
            ..NameIndex::default()
        };
        for (entity, strong, alias, n) in raw {
            let id = idx.names.len() as u32;
            for k in block_keys(&n) {
                idx.postings.entry(k).or_default().push(id);
            }
            let toks = crate::compare::toks(&n, |t| idx.weight(t));
            idx.names.push(IndexedName {
                entity,
                strong,
                alias,
                toks,
            });
        }
        idx
    }

    /// Rarity weight of a token in [0.15, 1]: 1 for tokens in at most 5 names, falling with
    /// the log of their frequency (so "muhammad" or "kim" count far less than a rare surname).
    pub fn weight(&self, tok: &str) -> f64 {
        let df = f64::from(self.df.get(tok).copied().unwrap_or(0).max(1));
        let full = (self.total / 5.0).max(2.0).ln();
        let w = (self.total / df).max(1.0).ln() / full;
        let particle = crate::compare::default_weight(tok);
        w.clamp(0.15, 1.0).min(particle.max(0.15))
    }

    pub fn query_toks(&self, n: &NormName) -> Vec<Tok> {
        crate::compare::toks(n, |t| self.weight(t))
    }

    /// Candidate names for a query, best blocking score first, at most `limit`.
    pub fn candidates(&self, n: &NormName, limit: usize) -> Vec<u32> {
        let keys = block_keys(n);
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let (acc, touched) = &mut *s;
            if acc.len() < self.names.len() {
                acc.resize(self.names.len(), 0.0);
            }
            touched.clear();
            for k in &keys {
                let Some(post) = self.postings.get(k) else {
                    continue;
                };
                let w = ((self.total / post.len() as f64).ln() as f32).max(0.05);
                for &id in post {
                    let slot = &mut acc[id as usize];
                    if *slot == 0.0 {
                        touched.push(id);
                    }
                    *slot += w;
                }
            }
            let mut out: Vec<(f32, u32)> =
                touched.iter().map(|&id| (acc[id as usize], id)).collect();
            for &id in touched.iter() {
                acc[id as usize] = 0.0;
            }
            if out.len() > limit {
                out.select_nth_unstable_by(limit, |a, b| b.0.total_cmp(&a.0));
                out.truncate(limit);
            }
            out.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            out.into_iter().map(|(_, id)| id).collect()
        })
    }

    /// Approximate heap bytes of the index.
    pub fn heap_bytes(&self) -> usize {
        let toks: usize = self
            .names
            .iter()
            .map(|n| {
                std::mem::size_of::<IndexedName>()
                    + n.toks
                        .iter()
                        .map(|t| std::mem::size_of::<Tok>() + t.text.capacity() + t.key.capacity())
                        .sum::<usize>()
            })
            .sum();
        let post: usize = self
            .postings
            .iter()
            .map(|(k, v)| k.capacity() + v.capacity() * 4 + 48)
            .sum();
        let df: usize = self.df.keys().map(|k| k.capacity() + 40).sum();
        toks + post + df
    }
}
