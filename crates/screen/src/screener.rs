//! The screener: loaded once from the database, queried many times (names, wallets, documents).

use std::path::Path;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::ScreenError;
use std::cell::RefCell;

use crate::align::{Alignment, NONE, Scratch, Side, U, align};
use crate::cache::SimCache;
use crate::compare::{DEFAULT_THRESHOLD, describe};
use crate::index::{CANDIDATES, NameIndex};
use crate::model::{Entity, EntityType};
use crate::normalize::normalize_name;
use crate::wallet::{family, normalize_address};

/// Weak (low-quality) aliases score slightly below strong ones.
pub(crate) const WEAK_ALIAS: f64 = 0.97;
const DOB_FULL_AGREES: f64 = 0.08;
const DOB_YEAR_AGREES: f64 = 0.05;
/// A DOB within two years may be a data-entry slip; further apart it is another person.
const DOB_NEAR: f64 = -0.08;
const DOB_DISAGREES: f64 = -0.25;
const COUNTRY_AGREES: f64 = 0.03;
const COUNTRY_DISAGREES: f64 = -0.05;

/// A name screening request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub name: String,
    /// `YYYY` or `YYYY-MM-DD`.
    pub dob: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    pub entity_type: Option<EntityType>,
    pub limit: usize,
    pub threshold: f64,
}

impl Query {
    /// A query for `name` with no qualifiers, limit 10 and the default threshold.
    pub fn new(name: impl Into<String>) -> Query {
        Query {
            name: name.into(),
            dob: None,
            country: None,
            entity_type: None,
            limit: 10,
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

/// One list entry a name matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Match {
    pub entity_id: String,
    pub list: String,
    /// The entry's primary name.
    pub name: String,
    /// The name or alias of the entry that matched best.
    pub matched_name: String,
    pub score: f64,
    #[serde(rename = "match")]
    pub is_match: bool,
    pub explanation: String,
}

/// A listed wallet address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletMatch {
    pub entity_id: String,
    pub list: String,
    pub name: String,
    pub chain: String,
    /// The address as the list writes it.
    pub address: String,
}

/// A listed identity document number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMatch {
    pub entity_id: String,
    pub list: String,
    pub name: String,
    pub kind: String,
    pub number: String,
}

/// The loaded lists and their indexes. Send + Sync; share it behind an `Arc`.
#[derive(Debug)]
pub struct Screener {
    lists: Vec<String>,
    entities: Vec<Entity>,
    entity_list: Vec<u16>,
    index: NameIndex,
    wallets: FxHashMap<String, Vec<(u32, u32)>>,
    documents: FxHashMap<String, Vec<(u32, u32)>>,
}

fn doc_key(n: &str) -> String {
    n.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Screener {
    /// Loads the persisted index of every imported list; Ok(None) when no list was imported.
    pub fn load(db_path: &Path) -> Result<Option<Screener>, ScreenError> {
        let rows = crate::store::load_entities(db_path)?;
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(Screener::from_entities(rows)))
    }

    /// Like [`Screener::load`] without building the name index: for wallet and document
    /// lookups only ([`Screener::screen`] finds nothing), and much faster to load.
    pub fn load_exact(db_path: &Path) -> Result<Option<Screener>, ScreenError> {
        let rows = crate::store::load_entities(db_path)?;
        if rows.is_empty() {
            return Ok(None);
        }
        Ok(Some(Screener::build(rows, false)))
    }

    /// Builds a screener from (list name, entity) pairs without a database.
    pub fn from_entities(rows: Vec<(String, Entity)>) -> Screener {
        Screener::build(rows, true)
    }

    fn build(rows: Vec<(String, Entity)>, names: bool) -> Screener {
        let mut lists: Vec<String> = Vec::new();
        let mut entities = Vec::with_capacity(rows.len());
        let mut entity_list = Vec::with_capacity(rows.len());
        for (list, e) in rows {
            let li = match lists.iter().position(|l| *l == list) {
                Some(i) => i,
                None => {
                    lists.push(list);
                    lists.len() - 1
                }
            };
            entity_list.push(u16::try_from(li).unwrap_or(u16::MAX));
            entities.push(e);
        }
        let index = if names {
            NameIndex::build(&entities)
        } else {
            NameIndex::default()
        };
        let mut wallets: FxHashMap<String, Vec<(u32, u32)>> = FxHashMap::default();
        let mut documents: FxHashMap<String, Vec<(u32, u32)>> = FxHashMap::default();
        for (i, e) in entities.iter().enumerate() {
            for (k, w) in e.wallets.iter().enumerate() {
                wallets
                    .entry(normalize_address(&w.address))
                    .or_default()
                    .push((i as u32, k as u32));
            }
            for (k, d) in e.documents.iter().enumerate() {
                let key = doc_key(&d.number);
                if key.len() >= 4 {
                    documents.entry(key).or_default().push((i as u32, k as u32));
                }
            }
        }
        Screener {
            lists,
            entities,
            entity_list,
            index,
            wallets,
            documents,
        }
    }

    fn list_of(&self, e: u32) -> String {
        self.entity_list
            .get(e as usize)
            .and_then(|l| self.lists.get(*l as usize))
            .cloned()
            .unwrap_or_default()
    }

    /// Number of loaded entities and of indexed (distinct normalised) names.
    pub fn size(&self) -> (usize, usize) {
        (self.entities.len(), self.index.names.len())
    }

    /// Approximate heap bytes held by the loaded entities and indexes.
    pub fn heap_bytes(&self) -> usize {
        let ents: usize = self
            .entities
            .iter()
            .map(|e| {
                serde_json::to_string(e).map(|s| s.len()).unwrap_or(0)
                    + std::mem::size_of::<Entity>()
            })
            .sum();
        let w: usize = self.wallets.keys().map(|k| k.capacity() + 64).sum();
        let d: usize = self.documents.keys().map(|k| k.capacity() + 64).sum();
        ents + w + d + self.index.heap_bytes()
    }

    /// Screens a name: matches best first, only those scoring at least `q.threshold`.
    pub fn screen(&self, q: &Query) -> Vec<Match> {
        self.screen_with(q, Some(CANDIDATES))
    }

    /// Like [`Screener::screen`] but compares the query with every indexed name (no blocking):
    /// the reference the blocking index is tested against.
    pub fn screen_exhaustive(&self, q: &Query) -> Vec<Match> {
        self.screen_with(q, None)
    }

    fn screen_with(&self, q: &Query, limit: Option<usize>) -> Vec<Match> {
        let n = normalize_name(&q.name, q.entity_type);
        if n.tokens.is_empty() || q.limit == 0 {
            return Vec::new();
        }
        let qside = self.index.query_side(&n);
        let qunits = qside.units();
        let qs = Side {
            units: &qunits,
            n: qside.n,
        };
        CTX.with(|ctx| {
            let mut ctx = ctx.borrow_mut();
            let Ctx {
                cache,
                mask,
                touched,
                scratch,
            } = &mut *ctx;
            cache.reset(self.index.vocab_len());
            let cands: Vec<u32> = match limit {
                Some(l) => {
                    let min = q.threshold - max_bonus(q);
                    self.index.candidates(&qside, min, l, cache, mask, touched)
                }
                None => (0..self.index.names.len() as u32).collect(),
            };
            let mut cunits: Vec<U<'_>> = Vec::with_capacity(16);
            let mut best: FxHashMap<u32, (f64, u32)> = FxHashMap::default();
            for id in cands {
                let Some(name) = self.index.names.get(id as usize) else {
                    continue;
                };
                if let (Some(a), Some(b)) = (
                    q.entity_type,
                    self.entities
                        .get(name.entity as usize)
                        .and_then(|e| e.entity_type),
                ) && a != b
                {
                    continue;
                }
                let cn = self.index.name_units(id, &mut cunits);
                let cs = Side {
                    units: &cunits,
                    n: cn,
                };
                let s = align(&qs, &cs, cache, scratch, None)
                    * if name.strong { 1.0 } else { WEAK_ALIAS };
                if s <= 0.0 {
                    continue;
                }
                let slot = best.entry(name.entity).or_insert((f64::MIN, id));
                if s > slot.0 || (s == slot.0 && id < slot.1) {
                    *slot = (s, id);
                }
            }
            let mut out: Vec<Match> = Vec::new();
            for (ent, (name_score, id)) in best {
                let Some(e) = self.entities.get(ent as usize) else {
                    continue;
                };
                let (adj, notes) = qualifiers(q, e);
                let score = (name_score + adj).clamp(0.0, 1.0);
                if score < q.threshold {
                    continue;
                }
                let Some(name) = self.index.names.get(id as usize) else {
                    continue;
                };
                let cn = self.index.name_units(id, &mut cunits);
                let cs = Side {
                    units: &cunits,
                    n: cn,
                };
                let mut al = Alignment::default();
                align(&qs, &cs, cache, scratch, Some(&mut al));
                let matched_name = e
                    .aliases
                    .get(name.alias as usize)
                    .filter(|_| name.alias != NONE)
                    .map_or_else(|| e.name.clone(), |a| a.name.clone());
                let mut explanation = format!("name {name_score:.2} [{}]", describe(&al));
                for n in notes {
                    explanation.push_str("; ");
                    explanation.push_str(&n);
                }
                out.push(Match {
                    entity_id: e.id.clone(),
                    list: self.list_of(ent),
                    name: e.name.clone(),
                    matched_name,
                    score: (score * 10000.0).round() / 10000.0,
                    is_match: score >= DEFAULT_THRESHOLD.min(q.threshold),
                    explanation,
                });
            }
            out.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then_with(|| a.list.cmp(&b.list))
                    .then_with(|| a.entity_id.cmp(&b.entity_id))
            });
            out.truncate(q.limit);
            out
        })
    }

    /// Exact wallet lookup (case rules of each address family). With `chain`, only entries
    /// listed on that chain, or on a chain sharing its address space (EVM), are returned.
    pub fn screen_wallet(&self, address: &str, chain: Option<&str>) -> Vec<WalletMatch> {
        let key = normalize_address(address);
        let Some(hits) = self.wallets.get(&key) else {
            return Vec::new();
        };
        let mut out: Vec<WalletMatch> = hits
            .iter()
            .filter_map(|&(ei, wi)| {
                let e = self.entities.get(ei as usize)?;
                let w = e.wallets.get(wi as usize)?;
                if let Some(c) = chain
                    && !w.chain.eq_ignore_ascii_case(c)
                    && family(&w.chain) != family(c)
                {
                    return None;
                }
                Some(WalletMatch {
                    entity_id: e.id.clone(),
                    list: self.list_of(ei),
                    name: e.name.clone(),
                    chain: w.chain.clone(),
                    address: w.address.clone(),
                })
            })
            .collect();
        out.dedup();
        out
    }

    /// Exact identity document number lookup (spaces, dashes and case ignored).
    pub fn screen_document(&self, number: &str) -> Vec<DocumentMatch> {
        let Some(hits) = self.documents.get(&doc_key(number)) else {
            return Vec::new();
        };
        hits.iter()
            .filter_map(|&(ei, di)| {
                let e = self.entities.get(ei as usize)?;
                let d = e.documents.get(di as usize)?;
                Some(DocumentMatch {
                    entity_id: e.id.clone(),
                    list: self.list_of(ei),
                    name: e.name.clone(),
                    kind: d.kind.clone(),
                    number: d.number.clone(),
                })
            })
            .collect()
    }

    /// The loaded entities (list name, entity), for evaluation and reports.
    pub fn entities(&self) -> impl Iterator<Item = (String, &Entity)> {
        self.entities
            .iter()
            .enumerate()
            .map(|(i, e)| (self.list_of(i as u32), e))
    }
}

/// Per-thread buffers reused by every query.
#[derive(Default)]
struct Ctx {
    cache: SimCache,
    mask: Vec<u32>,
    touched: Vec<u32>,
    scratch: Scratch,
}

thread_local! {
    static CTX: RefCell<Ctx> = RefCell::new(Ctx::default());
}

/// The most the qualifiers can add to a name score for this query.
fn max_bonus(q: &Query) -> f64 {
    let dob = match q.dob.as_deref().map(str::trim) {
        Some(d) if d.len() >= 10 => DOB_FULL_AGREES,
        Some(d) if d.len() >= 4 => DOB_YEAR_AGREES,
        _ => 0.0,
    };
    let country = if q.country.is_some() {
        COUNTRY_AGREES
    } else {
        0.0
    };
    dob + country + 1e-9
}

/// Score adjustment and notes from date of birth and country.
fn qualifiers(q: &Query, e: &Entity) -> (f64, Vec<String>) {
    let mut adj = 0.0;
    let mut notes = Vec::new();
    if let Some(dob) = q.dob.as_deref().map(str::trim).filter(|d| d.len() >= 4)
        && !e.dates_of_birth.is_empty()
    {
        let year = &dob[..4];
        let full = e
            .dates_of_birth
            .iter()
            .any(|d| d.len() >= 10 && dob.len() >= 10 && d[..10] == dob[..10]);
        let year_ok = e.dates_of_birth.iter().any(|d| {
            d.get(..4) == Some(year) && (dob.len() < 7 || d.len() < 7 || d.get(..7) == dob.get(..7))
        });
        if full {
            adj += DOB_FULL_AGREES;
            notes.push(format!("dob {dob} agrees (+{DOB_FULL_AGREES:.2})"));
        } else if year_ok {
            adj += DOB_YEAR_AGREES;
            notes.push(format!("dob {year} agrees (+{DOB_YEAR_AGREES:.2})"));
        } else {
            let qy: i32 = year.parse().unwrap_or(0);
            let near = e
                .dates_of_birth
                .iter()
                .filter_map(|d| d.get(..4).and_then(|y| y.parse::<i32>().ok()))
                .any(|y| (y - qy).abs() <= 2);
            let pen = if near { DOB_NEAR } else { DOB_DISAGREES };
            adj += pen;
            notes.push(format!(
                "dob {dob} differs from {} ({pen:.2})",
                e.dates_of_birth.join(", ")
            ));
        }
    }
    if let Some(c) = q
        .country
        .as_deref()
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| c.len() == 2)
    {
        let all: Vec<&str> = e.countries().collect();
        let personal: Vec<&String> = e.nationalities.iter().chain(&e.citizenships).collect();
        if all.contains(&c.as_str()) {
            adj += COUNTRY_AGREES;
            notes.push(format!("country {c} agrees (+{COUNTRY_AGREES:.2})"));
        } else if !personal.is_empty() {
            adj += COUNTRY_DISAGREES;
            notes.push(format!("country {c} differs ({COUNTRY_DISAGREES:.2})"));
        }
    }
    (adj, notes)
}

impl Screener {
    /// Screens many queries on all available cores; results are in input order. Threads
    /// take blocks of 32 queries from a shared counter, so a slow block does not leave a
    /// core idle.
    pub fn screen_batch(&self, queries: &[Query]) -> Vec<Vec<Match>> {
        const BLOCK: usize = 32;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(16);
        if threads <= 1 || queries.len() < 2 * BLOCK {
            return queries.iter().map(|q| self.screen(q)).collect();
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let work = || {
            let mut done: Vec<(usize, Vec<Vec<Match>>)> = Vec::new();
            loop {
                let start = next.fetch_add(BLOCK, std::sync::atomic::Ordering::Relaxed);
                if start >= queries.len() {
                    return done;
                }
                let end = (start + BLOCK).min(queries.len());
                done.push((
                    start,
                    queries[start..end].iter().map(|q| self.screen(q)).collect(),
                ));
            }
        };
        let mut blocks: Vec<(usize, Vec<Vec<Match>>)> = std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
            let mut all = work();
            for h in handles {
                // A panicking worker loses its blocks; they are redone below.
                if let Ok(b) = h.join() {
                    all.extend(b);
                }
            }
            all
        });
        blocks.sort_unstable_by_key(|b| b.0);
        let mut out: Vec<Vec<Match>> = Vec::with_capacity(queries.len());
        for (start, res) in blocks {
            while out.len() < start {
                out.push(self.screen(&queries[out.len()]));
            }
            out.extend(res);
        }
        while out.len() < queries.len() {
            out.push(self.screen(&queries[out.len()]));
        }
        out
    }
}
