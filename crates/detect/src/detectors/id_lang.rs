//! ID-LANG: Korean among the declared languages of a worker claiming a
//! non-Korean identity.
//!
//! Logic: the person's `languages` (BCP 47) are matched against
//! `language_prefixes` (default `ko`). When the nationality, claimed country
//! and address country are all outside `consistent_countries` (KR, KP), the
//! flag fires: medium when Korean is the first (preferred) language, low
//! when it is one of several (heritage speakers and learners are common). A
//! Korean national or resident declaring Korean is consistent and spared.
//!
//! Source: P23.

use molehunt_model::{Evidence, Record, Severity};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdLangConfig {
    pub enabled: bool,
    /// Language tag prefixes that signal the flag (default `["ko"]`).
    pub language_prefixes: Vec<String>,
    /// Countries consistent with those languages (default KR, KP).
    pub consistent_countries: Vec<String>,
}

impl Default for IdLangConfig {
    fn default() -> Self {
        IdLangConfig {
            enabled: true,
            language_prefixes: vec!["ko".into()],
            consistent_countries: vec!["KR".into(), "KP".into()],
        }
    }
}

pub struct IdLang {
    cfg: IdLangConfig,
    /// The latest person record's event id, per person.
    persons: IxVec<Option<Box<str>>>,
}

impl IdLang {
    pub fn new(cfg: IdLangConfig) -> Self {
        IdLang {
            cfg,
            persons: IxVec::default(),
        }
    }

    fn is_lang(&self, tag: &str) -> bool {
        let t = tag.trim().to_lowercase();
        self.cfg
            .language_prefixes
            .iter()
            .any(|p| t == *p || t.starts_with(&format!("{p}-")) || t.starts_with(&format!("{p}_")))
    }
}

impl Detector for IdLang {
    fn id(&self) -> &'static str {
        "ID-LANG"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["person"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if let (Record::Person(_), Some(p)) = (&obs.event.record, obs.person) {
            *self.persons.at(p) = Some(obs.event.id.as_str().into());
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, event_id) in self.persons.iter() {
            let Some(event_id) = event_id else { continue };
            let Some(person) = ctx.person(p) else {
                continue;
            };
            let Some(pos) = person.languages.iter().position(|l| self.is_lang(l)) else {
                continue;
            };
            let listed = |c: Option<&str>| {
                c.is_some_and(|c| {
                    self.cfg
                        .consistent_countries
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(c.trim()))
                })
            };
            if listed(person.nationality.as_deref())
                || listed(person.claimed_country.as_deref())
                || listed(person.address.as_ref().and_then(|a| a.country.as_deref()))
            {
                continue;
            }
            let severity = if pos == 0 {
                Severity::Medium
            } else {
                Severity::Low
            };
            let claim = person
                .nationality
                .as_deref()
                .or(person.claimed_country.as_deref())
                .unwrap_or("unknown");
            let detail = format!(
                "declares `{}` ({}) while claiming a non-Korean identity ({claim})",
                person.languages[pos],
                if pos == 0 {
                    "preferred language"
                } else {
                    "one of several languages"
                }
            );
            let mut s = Samples::default();
            s.push(event_id);
            out.push(evidence(self.id(), ctx, p, severity, detail, &s, person.ts));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn p(langs: &str, nat: &str, country: &str) -> String {
        format!(
            r#"{{"type":"person","person_id":"p1","full_name":"X","nationality":"{nat}","claimed_country":"{country}","languages":[{langs}]}}"#
        )
    }

    #[test]
    fn preferred_korean_claiming_us_is_medium_heritage_is_low() {
        let ev = run(
            &mut IdLang::new(Default::default()),
            &plain(&[p(r#""ko-KR","en""#, "US", "US")]),
        );
        assert_eq!(ev[0].severity, Severity::Medium);
        let ev = run(
            &mut IdLang::new(Default::default()),
            &plain(&[p(r#""en-US","ko""#, "US", "US")]),
        );
        assert_eq!(ev[0].severity, Severity::Low);
    }

    #[test]
    fn korean_national_is_consistent() {
        assert!(
            run(
                &mut IdLang::new(Default::default()),
                &plain(&[p(r#""ko","en""#, "KR", "US")])
            )
            .is_empty()
        );
        assert!(
            run(
                &mut IdLang::new(Default::default()),
                &plain(&[p(r#""en","ja""#, "US", "US")])
            )
            .is_empty()
        );
    }
}
