//! Quality evidence: an evaluation set built from the loaded lists (positives: reorderings,
//! typos, dropped middle names, surname-first forms, romanisation and script variants of real
//! entries; hard negatives: common names, names sharing one token with an entry, namesakes
//! with another date of birth), precision/recall/F1, and a brute-force Jaro-Winkler baseline.

use rustc_hash::FxHashSet;

use crate::compare::jaro_winkler;
use crate::model::EntityType;
use crate::normalize::{normalize_name, to_ascii_words};
use crate::screener::{Query, Screener};

/// One evaluation query and what it should find.
#[derive(Debug, Clone)]
pub struct EvalCase {
    pub kind: &'static str,
    pub query: Query,
    /// (list, entity id) the query should find; None for a negative.
    pub expect: Option<(String, String)>,
}

/// Confusion counts and the derived figures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
}

impl Metrics {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Deterministic xorshift generator (the set must not change between runs).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const COMMON: &[&str] = &[
    "John Smith",
    "Maria Garcia",
    "James Johnson",
    "Wei Zhang",
    "Li Na",
    "Mohamed Ali Hassan",
    "Anna Ivanova",
    "Sergei Petrov",
    "David Brown",
    "Michael Miller",
    "Jennifer Davis",
    "Robert Wilson",
    "Ahmed Khan",
    "Fatima Begum",
    "Jose Rodriguez",
    "Carlos Hernandez",
    "Kim Min-jun",
    "Lee Seo-yeon",
    "Park Ji-hoon",
    "Nguyen Van Anh",
    "Tran Thi Mai",
    "Hiroshi Tanaka",
    "Yuki Sato",
    "Priya Sharma",
    "Rahul Gupta",
    "Olga Smirnova",
    "Thomas Muller",
    "Pierre Dubois",
    "Giulia Rossi",
    "Emma Johansson",
    "Lars Nielsen",
    "Chen Jie",
    "Wang Fang",
    "Liu Yang",
    "Omar Farouk",
    "Aisha Bello",
    "Chinedu Okafor",
    "Ana Silva",
    "Juan Perez",
    "Sofia Lopez",
    "Daniel Cohen",
    "Sarah Levi",
    "Mehmet Yilmaz",
    "Ayse Demir",
    "Ivan Horvat",
    "Jan Kowalski",
    "Peter Novak",
    "Elena Popescu",
    "Nikos Papadopoulos",
    "Hans Schmidt",
];

fn person_tokens(name: &str) -> Option<(Vec<String>, Vec<String>)> {
    // "SURNAME, Given Middle" -> (surname tokens, given tokens)
    let (sur, given) = name.split_once(',')?;
    let s: Vec<String> = sur.split_whitespace().map(str::to_string).collect();
    let g: Vec<String> = given.split_whitespace().map(str::to_string).collect();
    (!s.is_empty() && !g.is_empty() && name.is_ascii()).then_some((s, g))
}

fn typo(rng: &mut Rng, tokens: &mut [String]) -> bool {
    let Some((i, _)) = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| t.len() >= 5)
        .max_by_key(|(_, t)| t.len())
    else {
        return false;
    };
    let t: Vec<char> = tokens[i].chars().collect();
    let p = 1 + rng.below(t.len() - 2);
    let mut t2 = t.clone();
    if rng.below(2) == 0 {
        t2.swap(p, p + 1);
    } else {
        t2[p] = if t[p] == 'e' { 'a' } else { 'e' };
    }
    let s: String = t2.into_iter().collect();
    if s == tokens[i] {
        return false;
    }
    tokens[i] = s;
    true
}

const ROMAN: &[(&str, &str)] = &[
    ("PAK", "Park"),
    ("RI", "Lee"),
    ("CHOE", "Choi"),
    ("JONG", "Chong"),
    ("KIM", "Gim"),
    ("O", "Oh"),
    ("YUN", "Yoon"),
    ("SIN", "Shin"),
];

/// Builds the evaluation set from the persons of the loaded lists: `n` sampled entries give up
/// to five positives each, plus as many hard negatives.
pub fn build_eval_set(s: &Screener, n: usize, seed: u64) -> Vec<EvalCase> {
    let mut rng = Rng(seed.max(1));
    let persons: Vec<(String, &crate::model::Entity)> = s
        .entities()
        .filter(|(_, e)| {
            e.entity_type == Some(EntityType::Person) && person_tokens(&e.name).is_some()
        })
        .collect();
    let listed: FxHashSet<Vec<String>> = s
        .entities()
        .flat_map(|(_, e)| {
            std::iter::once(e.name.clone())
                .chain(e.aliases.iter().map(|a| a.name.clone()))
                .collect::<Vec<_>>()
        })
        .map(|n| {
            let mut t = normalize_name(&n, None).tokens;
            t.sort();
            t
        })
        .collect();
    let is_listed = |q: &str| {
        let mut t = normalize_name(q, None).tokens;
        t.sort();
        listed.contains(&t)
    };
    let mut out = Vec::new();
    if persons.is_empty() {
        return out;
    }
    let mut picked = FxHashSet::default();
    let mut tries = 0;
    while picked.len() < n.min(persons.len()) && tries < n * 20 {
        tries += 1;
        picked.insert(rng.below(persons.len()));
    }
    let mut picked: Vec<usize> = picked.into_iter().collect();
    picked.sort_unstable();
    let pos = |kind: &'static str, name: String, list: &str, e: &crate::model::Entity| EvalCase {
        kind,
        query: Query::new(name),
        expect: Some((list.to_string(), e.id.clone())),
    };
    for &i in &picked {
        let (list, e) = &persons[i];
        let Some((sur, given)) = person_tokens(&e.name) else {
            continue;
        };
        let (sj, gj) = (sur.join(" "), given.join(" "));
        out.push(pos("reordered", format!("{gj} {sj}"), list, e));
        out.push(pos(
            "surname_first",
            format!("{sj} {gj}").to_lowercase(),
            list,
            e,
        ));
        let mut t: Vec<String> = given.iter().chain(&sur).cloned().collect();
        if typo(&mut rng, &mut t) {
            out.push(pos("typo", t.join(" "), list, e));
        }
        if given.len() >= 2 {
            out.push(pos("dropped_middle", format!("{} {sj}", given[0]), list, e));
            out.push(pos(
                "joined_given",
                format!("{} {}", given.join("-"), sj),
                list,
                e,
            ));
        }
        if let Some((_, v)) = ROMAN.iter().find(|(k, _)| sur.len() == 1 && sur[0] == *k) {
            out.push(pos("romanisation", format!("{v} {gj}"), list, e));
        }
        // Negatives.
        let other = &persons[rng.below(persons.len())].1;
        if let Some((osur, ogiven)) = person_tokens(&other.name)
            && osur != sur
            && ogiven != given
        {
            let q = format!("{} {}", ogiven.join(" "), sj);
            if !is_listed(&q) {
                out.push(EvalCase {
                    kind: "neg_shared_token",
                    query: Query::new(q),
                    expect: None,
                });
            }
        }
        if let Some(y) = e
            .dates_of_birth
            .first()
            .and_then(|d| d.get(..4))
            .and_then(|y| y.parse::<i32>().ok())
        {
            let mut q = Query::new(format!("{gj} {sj}"));
            q.dob = Some(format!("{}", y + 9 + rng.below(20) as i32));
            out.push(EvalCase {
                kind: "neg_namesake_other_dob",
                query: q,
                expect: None,
            });
        }
    }
    for c in COMMON {
        if !is_listed(c) {
            out.push(EvalCase {
                kind: "neg_common",
                query: Query::new(*c),
                expect: None,
            });
        }
    }
    out
}

/// Scores `cases` with `f`, which returns the (list, entity id) pairs it matched.
/// A positive counts TP when its entry is among the matches (FN otherwise, plus FP when it
/// matched only other entries); a negative counts FP when anything matched.
pub fn evaluate<F: FnMut(&Query) -> Vec<(String, String)>>(
    cases: &[EvalCase],
    mut f: F,
) -> Metrics {
    let mut m = Metrics::default();
    for c in cases {
        let got = f(&c.query);
        match &c.expect {
            Some(want) => {
                if got.iter().any(|g| g == want) {
                    m.tp += 1;
                } else {
                    m.fn_ += 1;
                    if !got.is_empty() {
                        m.fp += 1;
                    }
                }
            }
            None => {
                if got.is_empty() {
                    m.tn += 1;
                } else {
                    m.fp += 1;
                }
            }
        }
    }
    m
}

/// The baseline: lower-cased, transliterated full names compared by Jaro-Winkler against
/// every listed name (what brute-force screeners do), no qualifiers.
pub struct Baseline {
    names: Vec<(String, String, Vec<u8>)>,
}

impl Baseline {
    pub fn new(s: &Screener) -> Baseline {
        let mut names = Vec::new();
        for (list, e) in s.entities() {
            for n in std::iter::once(&e.name).chain(e.aliases.iter().map(|a| &a.name)) {
                names.push((list.clone(), e.id.clone(), to_ascii_words(n).into_bytes()));
            }
        }
        Baseline { names }
    }

    /// Entries whose best name scores at least `threshold`.
    pub fn screen(&self, q: &Query, threshold: f64) -> Vec<(String, String)> {
        self.scores(q, threshold)
            .into_iter()
            .map(|(l, id, _)| (l, id))
            .collect()
    }

    /// Entries with their best score, those at least `min` only.
    pub fn scores(&self, q: &Query, min: f64) -> Vec<(String, String, f64)> {
        let qn = to_ascii_words(&q.name).into_bytes();
        let mut out: Vec<(String, String, f64)> = Vec::new();
        for (l, id, n) in &self.names {
            let s = jaro_winkler(&qn, n);
            if s >= min {
                match out.iter_mut().find(|(a, b, _)| a == l && b == id) {
                    Some(e) => e.2 = e.2.max(s),
                    None => out.push((l.clone(), id.clone(), s)),
                }
            }
        }
        out
    }
}

/// Runs the matcher and the baseline on `cases` and renders a Markdown report.
pub fn report(s: &Screener, cases: &[EvalCase], baseline_thresholds: &[f64]) -> String {
    let ours = |q: &Query| {
        s.screen(q)
            .into_iter()
            .map(|m| (m.list, m.entity_id))
            .collect::<Vec<_>>()
    };
    let m = evaluate(cases, ours);
    let npos = cases.iter().filter(|c| c.expect.is_some()).count();
    let mut r = format!(
        "evaluation set: {} queries ({} positives, {} hard negatives)\n\n| matcher | threshold | precision | recall | F1 | TP | FP | FN | TN |\n|---|---|---|---|---|---|---|---|---|\n",
        cases.len(),
        npos,
        cases.len() - npos
    );
    let row = |name: &str, t: f64, m: &Metrics| {
        format!(
            "| {name} | {t:.2} | {:.3} | {:.3} | {:.3} | {} | {} | {} | {} |\n",
            m.precision(),
            m.recall(),
            m.f1(),
            m.tp,
            m.fp,
            m.fn_,
            m.tn
        )
    };
    r.push_str(&row("molehunt", crate::DEFAULT_THRESHOLD, &m));
    let b = Baseline::new(s);
    let min = baseline_thresholds.iter().copied().fold(1.0, f64::min);
    let scored: Vec<Vec<(String, String, f64)>> =
        cases.iter().map(|c| b.scores(&c.query, min)).collect();
    for &t in baseline_thresholds {
        let mut k = 0;
        let bm = evaluate(cases, |_| {
            let got = scored
                .get(k)
                .map(|v| {
                    v.iter()
                        .filter(|x| x.2 >= t)
                        .map(|x| (x.0.clone(), x.1.clone()))
                        .collect()
                })
                .unwrap_or_default();
            k += 1;
            got
        });
        r.push_str(&row("brute-force Jaro-Winkler", t, &bm));
    }
    r.push_str("\nrecall by positive kind (molehunt):\n\n| kind | n | recall |\n|---|---|---|\n");
    let mut kinds: Vec<&str> = cases.iter().map(|c| c.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for k in kinds {
        let sub: Vec<EvalCase> = cases.iter().filter(|c| c.kind == k).cloned().collect();
        let km = evaluate(&sub, |q| {
            s.screen(q)
                .into_iter()
                .map(|m| (m.list, m.entity_id))
                .collect()
        });
        let v = if k.starts_with("neg_") {
            format!("FP rate {:.3}", ratio(km.fp, sub.len()))
        } else {
            format!("{:.3}", km.recall())
        };
        r.push_str(&format!("| {k} | {} | {v} |\n", sub.len()));
    }
    r
}
