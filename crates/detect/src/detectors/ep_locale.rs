//! EP-LOCALE: Korean keyboard layout, input method or system locale on the
//! laptop of a worker who claims no Korean background.
//!
//! Logic: per device report, the `locale` (e.g. `ko-KR`, `ko_KR.UTF-8`) and
//! `keyboard_layouts` (e.g. `2-Set Korean`, `com.apple.inputmethod.Korean`,
//! `Microsoft IME Korean`) are matched against `locale_prefixes` and
//! `layout_markers`. At the end the person's claims are checked: nationality,
//! claimed country or address country in `consistent_countries` (KR, KP), or a
//! declared language among `locale_prefixes`, make the signal consistent and
//! nothing fires — a Korean developer using a Korean keyboard is ordinary.
//! Otherwise medium.
//!
//! Source: P23 (FBI/ROK PSA 2023).

use molehunt_model::{Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, PersonIx, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EpLocaleConfig {
    pub enabled: bool,
    /// Locale / language prefixes that signal Korean (default `["ko"]`).
    pub locale_prefixes: Vec<String>,
    /// Lowercase substrings of Korean keyboard layouts / input methods.
    pub layout_markers: Vec<String>,
    /// Countries whose nationals or residents use these layouts normally (default KR, KP).
    pub consistent_countries: Vec<String>,
}

impl Default for EpLocaleConfig {
    fn default() -> Self {
        EpLocaleConfig {
            enabled: true,
            locale_prefixes: vec!["ko".into()],
            layout_markers: [
                "korean",
                "hangul",
                "2-set",
                "3-set",
                "ko-kr",
                "ko_kr",
                "dubeolsik",
                "sebeolsik",
            ]
            .map(String::from)
            .to_vec(),
            consistent_countries: vec!["KR".into(), "KP".into()],
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    seen: Vec<String>,
    samples: Samples,
    last: Option<Time>,
}

pub struct EpLocale {
    cfg: EpLocaleConfig,
    persons: IxVec<PersonState>,
}

impl EpLocale {
    pub fn new(cfg: EpLocaleConfig) -> Self {
        EpLocale {
            cfg,
            persons: IxVec::default(),
        }
    }

    fn locale_hit(&self, tag: &str) -> bool {
        let l = tag.trim().to_lowercase();
        self.cfg.locale_prefixes.iter().any(|p| {
            l == *p
                || l.starts_with(&format!("{p}-"))
                || l.starts_with(&format!("{p}_"))
                || l.starts_with(&format!("{p}."))
        })
    }

    /// Are the person's claims consistent with a Korean device?
    fn consistent(&self, ctx: &Context, p: PersonIx) -> bool {
        let Some(person) = ctx.person(p) else {
            return false;
        };
        let in_list = |c: Option<&str>| {
            c.is_some_and(|c| {
                self.cfg
                    .consistent_countries
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(c.trim()))
            })
        };
        in_list(person.nationality.as_deref())
            || in_list(person.claimed_country.as_deref())
            || in_list(person.address.as_ref().and_then(|a| a.country.as_deref()))
            || person.languages.iter().any(|l| self.locale_hit(l))
    }
}

impl Detector for EpLocale {
    fn id(&self) -> &'static str {
        "EP-LOCALE"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["device_report"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::DeviceReport(d) = &obs.event.record else {
            return;
        };
        let Some(p) = obs.person else { return };
        let mut hits: Vec<String> = Vec::new();
        if let Some(l) = d.locale.as_deref()
            && self.locale_hit(l)
        {
            hits.push(format!("locale {l}"));
        }
        for k in &d.keyboard_layouts {
            let l = k.to_lowercase();
            if self
                .cfg
                .layout_markers
                .iter()
                .any(|m| l.contains(m.as_str()))
                || self.locale_hit(k)
            {
                hits.push(format!("keyboard {k}"));
            }
        }
        if hits.is_empty() {
            return;
        }
        let st = self.persons.at(p);
        for h in hits {
            if !st.seen.contains(&h) && st.seen.len() < 4 {
                st.seen.push(h);
            }
        }
        st.samples.push(&obs.event.id);
        st.last = obs.ts;
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, st) in self.persons.iter() {
            if st.samples.is_empty() || self.consistent(ctx, p) {
                continue;
            }
            let claim = ctx
                .claimed_country(p)
                .unwrap_or_else(|| "no country".into());
            let detail = format!(
                "Korean input on the company device ({}) of a worker claiming {claim}",
                st.seen.join(", ")
            );
            out.push(evidence(
                self.id(),
                ctx,
                p,
                Severity::Medium,
                detail,
                &st.samples,
                st.last,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn report() -> String {
        format!(
            r#"{{"type":"device_report","device_id":"d1","person_id":"p1","ts":"{}","locale":"en-US","keyboard_layouts":["U.S.","2-Set Korean"]}}"#,
            t(0)
        )
    }

    #[test]
    fn korean_layout_claiming_us() {
        let ev = run(
            &mut EpLocale::new(Default::default()),
            &plain(&[
                person("p1", "John Smith", "US", "America/Chicago"),
                report(),
            ]),
        );
        assert_eq!(ev.len(), 1);
        assert!(ev[0].detail.contains("2-Set Korean"));
    }

    #[test]
    fn korean_developer_and_declared_korean_speaker_are_spared() {
        let kr = person("p1", "Kim Minjun", "KR", "Asia/Seoul");
        assert!(
            run(
                &mut EpLocale::new(Default::default()),
                &plain(&[kr, report()])
            )
            .is_empty()
        );
        let speaker = r#"{"type":"person","person_id":"p1","full_name":"Grace Park","claimed_country":"US","languages":["en-US","ko"]}"#;
        assert!(
            run(
                &mut EpLocale::new(Default::default()),
                &plain(&[speaker.to_string(), report()])
            )
            .is_empty()
        );
    }
}
