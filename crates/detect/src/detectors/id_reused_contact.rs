//! ID-REUSED-CONTACT: an email or phone number also used by another
//! applicant or profile under another name.
//!
//! Logic: emails (person `email`, account `email`) and phones (person
//! `phone`) are normalised (emails lowercased, Gmail dots and `+tags`
//! removed; phones reduced to digits) and mapped to the persons using them.
//! Two or more persons whose names differ (`util::names::same_name`) fire the
//! flag for each (high). Persons with the same name sharing a contact are
//! duplicate HR records, not a scheme, and are spared. Values used by
//! `hub_persons` or more persons (a shared `hr@`, `noreply@` or a switchboard
//! number) are ignored.
//!
//! Source: M, P25.

use molehunt_model::{Evidence, Record, Severity};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, PersonSet, evidence, list_some, related};
use crate::util::names::same_name;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdReusedContactConfig {
    pub enabled: bool,
    /// Distinct persons using one value that fire the flag (default 2).
    pub min_persons: u32,
    /// Distinct persons that make a value a hub, ignored (default 20).
    pub hub_persons: u32,
}

impl Default for IdReusedContactConfig {
    fn default() -> Self {
        IdReusedContactConfig {
            enabled: true,
            min_persons: 2,
            hub_persons: 20,
        }
    }
}

/// Normalises an email for comparison (lowercase; Gmail dots and `+tags` dropped).
pub fn norm_email(e: &str) -> Option<String> {
    let e = e.trim().to_lowercase();
    let (local, domain) = e.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    let local = local.split('+').next().unwrap_or(local);
    let local = if domain == "gmail.com" || domain == "googlemail.com" {
        local.replace('.', "")
    } else {
        local.to_string()
    };
    let domain = if domain == "googlemail.com" {
        "gmail.com"
    } else {
        domain
    };
    Some(format!("{local}@{domain}"))
}

/// Normalises a phone number for comparison (digits only, at least 7).
pub fn norm_phone(p: &str) -> Option<String> {
    let d: String = p.chars().filter(char::is_ascii_digit).collect();
    (d.len() >= 7).then_some(d)
}

pub struct IdReusedContact {
    cfg: IdReusedContactConfig,
    values: FxHashMap<(bool, String), PersonSet>,
}

impl IdReusedContact {
    pub fn new(cfg: IdReusedContactConfig) -> Self {
        IdReusedContact {
            cfg,
            values: FxHashMap::default(),
        }
    }
}

impl Detector for IdReusedContact {
    fn id(&self) -> &'static str {
        "ID-REUSED-CONTACT"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["person", "account"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Some(p) = obs.person else { return };
        let mut keys: Vec<(bool, String)> = Vec::new();
        match &obs.event.record {
            Record::Person(x) => {
                keys.extend(x.email.as_deref().and_then(norm_email).map(|e| (true, e)));
                keys.extend(x.phone.as_deref().and_then(norm_phone).map(|e| (false, e)));
            }
            Record::Account(x) => {
                keys.extend(x.email.as_deref().and_then(norm_email).map(|e| (true, e)))
            }
            _ => return,
        }
        let cap = self.cfg.hub_persons.max(2) as usize;
        for k in keys {
            self.values
                .entry(k)
                .or_default()
                .add(p, &obs.event.id, obs.ts, cap);
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for ((is_email, value), set) in &self.values {
            if set.distinct < self.cfg.min_persons || set.distinct >= self.cfg.hub_persons {
                continue;
            }
            let persons = set.persons();
            let names: Vec<&str> = persons.iter().filter_map(|&p| ctx.full_name(p)).collect();
            let all_same =
                names.len() == persons.len() && names.iter().all(|n| same_name(n, names[0]));
            if all_same {
                continue;
            }
            let mut ids: Vec<&str> = persons.iter().map(|&p| ctx.person_id(p)).collect();
            ids.sort_unstable(); // order of arrival must not change the evidence
            let kind = if *is_email { "email" } else { "phone" };
            let shown = if *is_email {
                value.clone()
            } else {
                format!("...{}", &value[value.len().saturating_sub(4)..])
            };
            for (p, samples) in &set.members {
                let detail = format!(
                    "{kind} {shown} is used by {} persons under different names ({})",
                    set.distinct,
                    list_some(&ids, 6)
                );
                let mut e = evidence(
                    self.id(),
                    ctx,
                    *p,
                    Severity::High,
                    detail,
                    samples,
                    set.last,
                );
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

    fn p(id: &str, name: &str, email: &str, phone: &str) -> String {
        format!(
            r#"{{"type":"person","person_id":"{id}","full_name":"{name}","email":"{email}","phone":"{phone}"}}"#
        )
    }

    #[test]
    fn same_gmail_different_names() {
        let items = plain(&[
            p("p1", "John Smith", "j.smith+job1@gmail.com", "+15550001"),
            p("p2", "Michael Brown", "jsmith@gmail.com", "+15550002"),
        ]);
        let ev = run(&mut IdReusedContact::new(Default::default()), &items);
        assert_eq!(ev.len(), 2);
        assert!(ev[0].detail.contains("email"));
    }

    #[test]
    fn duplicate_record_of_one_person_is_spared() {
        let items = plain(&[
            p("p1", "John Smith", "js@x.com", "+15550001"),
            p("p2", "SMITH, John", "js@x.com", "+1 555 0001"),
        ]);
        assert!(run(&mut IdReusedContact::new(Default::default()), &items).is_empty());
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            norm_email(" A.B+x@GoogleMail.com"),
            Some("ab@gmail.com".into())
        );
        assert_eq!(norm_email("a.b@corp.com"), Some("a.b@corp.com".into()));
        assert_eq!(norm_email("nope"), None);
        assert_eq!(norm_phone("+1 (555) 010-9999"), Some("15550109999".into()));
    }
}
