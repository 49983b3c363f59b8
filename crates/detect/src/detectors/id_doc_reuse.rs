//! ID-DOC-REUSE: the same document number or the same photo on different
//! identities.
//!
//! Logic, at the end of the stream over the documents and person records on
//! file: keys are (document type, issuing country, number or `number_hash`,
//! normalised: alphanumerics, upper case) and photo hashes (person and
//! document `photo_hash`, lowercased hex). A key held by two or more persons
//! fires for each of them: high for a document number, high for a photo. When
//! all holders bear the same name (a duplicated HR record) it is low.
//! Perceptual hashes are compared for equality; near-duplicate photos
//! (small Hamming distance) are left to the upstream face matcher.
//!
//! Source: A22.

use molehunt_model::{DocType, Evidence, Severity};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, PersonIx, evidence, list_some, related};
use crate::util::names::same_name;
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdDocReuseConfig {
    pub enabled: bool,
    /// Compare photo hashes (default true).
    pub photos: bool,
    /// Holders of one value that make it a hub, ignored (e.g. a placeholder photo; default 20).
    pub hub_persons: u32,
}

impl Default for IdDocReuseConfig {
    fn default() -> Self {
        IdDocReuseConfig {
            enabled: true,
            photos: true,
            hub_persons: 20,
        }
    }
}

pub struct IdDocReuse {
    cfg: IdDocReuseConfig,
    /// Person-record event ids (photo hashes live on the person record).
    person_events: FxHashMap<PersonIx, Box<str>>,
}

impl IdDocReuse {
    pub fn new(cfg: IdDocReuseConfig) -> Self {
        IdDocReuse {
            cfg,
            person_events: FxHashMap::default(),
        }
    }
}

fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

type Holders = Vec<(PersonIx, Samples)>;

fn add(
    map: &mut FxHashMap<(String, String), Holders>,
    key: (String, String),
    p: PersonIx,
    event: &str,
) {
    let holders = map.entry(key).or_default();
    match holders.iter_mut().find(|(q, _)| *q == p) {
        Some((_, s)) => s.push(event),
        None => {
            let mut s = Samples::default();
            s.push(event);
            holders.push((p, s));
        }
    }
}

impl Detector for IdDocReuse {
    fn id(&self) -> &'static str {
        "ID-DOC-REUSE"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["person"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if let (molehunt_model::Record::Person(_), Some(p)) = (&obs.event.record, obs.person) {
            self.person_events.insert(p, obs.event.id.as_str().into());
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        let mut map: FxHashMap<(String, String), Holders> = FxHashMap::default();
        for (p, entry) in ctx.persons.iter().enumerate() {
            let p = p as PersonIx;
            for (event, d) in &entry.documents {
                let number = d
                    .number_hash
                    .as_deref()
                    .map(|h| h.trim().to_lowercase())
                    .or_else(|| d.number.as_deref().map(clean));
                if let Some(n) = number.filter(|n| !n.is_empty()) {
                    let issuer = d.issuing_country.as_deref().map(clean).unwrap_or_default();
                    let kind = format!("{:?} {issuer}", d.doc_type);
                    if d.doc_type != DocType::Other {
                        add(&mut map, (kind, n), p, event);
                    }
                }
                if self.cfg.photos
                    && let Some(h) = d
                        .photo_hash
                        .as_deref()
                        .map(|h| h.trim().to_lowercase())
                        .filter(|h| !h.is_empty())
                {
                    add(&mut map, ("photo".into(), h), p, event);
                }
            }
            if self.cfg.photos
                && let Some(h) = entry
                    .person
                    .as_ref()
                    .and_then(|x| x.photo_hash.as_deref())
                    .map(|h| h.trim().to_lowercase())
                    .filter(|h| !h.is_empty())
            {
                let event = self.person_events.get(&p).map(|e| &**e).unwrap_or("");
                add(&mut map, ("photo".into(), h), p, event);
            }
        }
        for ((kind, value), holders) in &map {
            if holders.len() < 2 || holders.len() as u32 >= self.cfg.hub_persons {
                continue;
            }
            let persons: Vec<PersonIx> = holders.iter().map(|(p, _)| *p).collect();
            let names: Vec<&str> = persons.iter().filter_map(|&p| ctx.full_name(p)).collect();
            let dup = names.len() == persons.len() && names.iter().all(|n| same_name(n, names[0]));
            let severity = if dup { Severity::Low } else { Severity::High };
            let mut ids: Vec<&str> = persons.iter().map(|&p| ctx.person_id(p)).collect();
            ids.sort_unstable(); // order of arrival must not change the evidence
            let what = if kind == "photo" {
                format!("the same photo (hash {})", &value[..value.len().min(16)])
            } else {
                let tail = &value[value.len().saturating_sub(4)..];
                format!(
                    "the same document number (...{tail}, {})",
                    kind.to_lowercase().trim()
                )
            };
            for (p, samples) in holders {
                let detail = format!(
                    "{what} appears on {} identities ({})",
                    holders.len(),
                    list_some(&ids, 6)
                );
                let mut e = evidence(self.id(), ctx, *p, severity, detail, samples, None);
                e.related = related(ctx, &persons, *p);
                out.push(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn doc(p: &str, number: &str) -> String {
        format!(
            r#"{{"type":"document","person_id":"{p}","doc_type":"passport","issuing_country":"US","number":"{number}"}}"#
        )
    }
    fn named(p: &str, name: &str, photo: &str) -> String {
        format!(
            r#"{{"type":"person","person_id":"{p}","full_name":"{name}","photo_hash":"{photo}"}}"#
        )
    }

    #[test]
    fn one_passport_two_identities_and_shared_photo() {
        let items = plain(&[
            named("p1", "John Smith", "aa11"),
            named("p2", "Mike Jones", "AA11"),
            doc("p1", "X123-456"),
            doc("p2", "x123456"),
        ]);
        let ev = run(&mut IdDocReuse::new(Default::default()), &items);
        assert_eq!(ev.len(), 4);
        assert!(ev.iter().all(|e| e.severity == Severity::High));
    }

    #[test]
    fn different_numbers_and_duplicate_records() {
        let items = plain(&[
            named("p1", "John Smith", "aa11"),
            named("p2", "Mike Jones", "bb22"),
            doc("p1", "X1"),
            doc("p2", "X2"),
        ]);
        assert!(run(&mut IdDocReuse::new(Default::default()), &items).is_empty());
        let items = plain(&[
            named("p1", "John Smith", ""),
            named("p2", "John Smith", ""),
            doc("p1", "X1"),
            doc("p2", "X1"),
        ]);
        let ev = run(&mut IdDocReuse::new(Default::default()), &items);
        assert!(ev.iter().all(|e| e.severity == Severity::Low));
    }
}
