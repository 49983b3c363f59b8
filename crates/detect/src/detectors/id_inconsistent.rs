//! ID-INCONSISTENT: name, date of birth or nationality differ between the
//! profile and the identity documents (or between documents).
//!
//! Logic, per person at the end of the stream, over the latest person record
//! and the documents on file:
//! - `name_on_document` vs `full_name`: tolerant token comparison
//!   (`util::names::same_name`: order, case, diacritics, middle names, small
//!   typos, romanisation variants such as Kim/Gim or Lee/Yi): medium;
//! - document `dob` vs profile `dob`, and documents' DOBs among themselves
//!   (year-only dates compare on the year): high;
//! - a passport / national ID issued by a country other than the declared
//!   `nationality`: low (dual nationals exist), medium when it is also not the
//!   claimed country of residence;
//! - the MRZ birth date (YYMMDD) vs the profile DOB: high.
//!
//! Source: A22.

use molehunt_model::{DocType, Evidence, PartialDate, Severity};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, evidence};
use crate::util::mrz;
use crate::util::names::same_name;
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdInconsistentConfig {
    pub enabled: bool,
    /// Compare names (default true).
    pub names: bool,
    /// Compare dates of birth (default true).
    pub dob: bool,
    /// Compare nationality with passport / national ID issuing country (default true).
    pub nationality: bool,
}

impl Default for IdInconsistentConfig {
    fn default() -> Self {
        IdInconsistentConfig {
            enabled: true,
            names: true,
            dob: true,
            nationality: true,
        }
    }
}

pub struct IdInconsistent {
    cfg: IdInconsistentConfig,
}

impl IdInconsistent {
    pub fn new(cfg: IdInconsistentConfig) -> Self {
        IdInconsistent { cfg }
    }
}

/// Does an MRZ birth date (YYMMDD) agree with a date of birth?
fn mrz_birth_agrees(yymmdd: &str, dob: &PartialDate) -> bool {
    let b = yymmdd.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let n = |i: usize| i16::from(b[i] - b'0') * 10 + i16::from(b[i + 1] - b'0');
    let (yy, mm, dd) = (n(0), n(2) as u8, n(4) as u8);
    dob.year.rem_euclid(100) == yy
        && dob.month.is_none_or(|m| m == mm)
        && dob.day.is_none_or(|d| d == dd)
}

impl Detector for IdInconsistent {
    fn id(&self) -> &'static str {
        "ID-INCONSISTENT"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &[]
    }

    fn observe(&mut self, _ctx: &Context, _obs: &Obs<'_>) {}

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, entry) in ctx.persons.iter().enumerate() {
            if entry.documents.is_empty() {
                continue;
            }
            let person = entry.person.as_deref();
            let mut found: Vec<(Severity, String)> = Vec::new();
            let mut samples = Samples::default();
            let mut first_dob: Option<(PartialDate, &str)> = None;
            for (event_id, d) in &entry.documents {
                let before = found.len();
                let kind = d.doc_type_name();
                if self.cfg.names
                    && let (Some(n), Some(pr)) = (d.name_on_document.as_deref(), person)
                    && !same_name(n, &pr.full_name)
                {
                    found.push((
                        Severity::Medium,
                        format!(
                            "name on {kind} `{n}` differs from profile name `{}`",
                            pr.full_name
                        ),
                    ));
                }
                if self.cfg.dob
                    && let Some(dob) = d.dob
                {
                    if let Some(pd) = person.and_then(|x| x.dob)
                        && !pd.compatible(&dob)
                    {
                        found.push((
                            Severity::High,
                            format!("date of birth on {kind} {dob} differs from profile {pd}"),
                        ));
                    }
                    match first_dob {
                        Some((other, other_kind)) if !other.compatible(&dob) => {
                            found.push((Severity::High, format!("documents disagree on date of birth: {other_kind} {other}, {kind} {dob}")));
                        }
                        None => first_dob = Some((dob, d.doc_type_name())),
                        _ => {}
                    }
                }
                if self.cfg.dob
                    && let (Some(m), Some(pd)) = (d.mrz.as_deref(), person.and_then(|x| x.dob))
                    && let (Some(data), _) = mrz::validate(m)
                    && !mrz_birth_agrees(&data.birth, &pd)
                {
                    found.push((
                        Severity::High,
                        format!("MRZ birth date {} differs from profile {pd}", data.birth),
                    ));
                }
                if self.cfg.nationality
                    && matches!(d.doc_type, DocType::Passport | DocType::NationalId)
                    && let (Some(issuer), Some(nat)) = (
                        d.issuing_country.as_deref(),
                        person.and_then(|x| x.nationality.as_deref()),
                    )
                    && !issuer.trim().eq_ignore_ascii_case(nat.trim())
                {
                    let resident = ctx
                        .claimed_country(p as u32)
                        .is_some_and(|c| c.eq_ignore_ascii_case(issuer.trim()));
                    let sev = if resident {
                        Severity::Low
                    } else {
                        Severity::Medium
                    };
                    found.push((
                        sev,
                        format!("{kind} issued by {issuer} but declared nationality {nat}"),
                    ));
                }
                if found.len() > before {
                    samples.push(event_id);
                }
            }
            let Some(severity) = found.iter().map(|x| x.0).max() else {
                continue;
            };
            let detail = found
                .into_iter()
                .map(|x| x.1)
                .collect::<Vec<_>>()
                .join("; ");
            out.push(evidence(
                self.id(),
                ctx,
                p as u32,
                severity,
                detail,
                &samples,
                person.and_then(|x| x.ts),
            ));
        }
    }
}

trait DocTypeName {
    fn doc_type_name(&self) -> &'static str;
}

impl DocTypeName for molehunt_model::Document {
    fn doc_type_name(&self) -> &'static str {
        match self.doc_type {
            DocType::Passport => "passport",
            DocType::NationalId => "national_id",
            DocType::DriversLicense => "drivers_license",
            DocType::Ssn => "ssn",
            DocType::Visa => "visa",
            DocType::Diploma => "diploma",
            DocType::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn p() -> String {
        r#"{"type":"person","person_id":"p1","full_name":"Kim Min-jun","dob":"1990-04-02","nationality":"KR","claimed_country":"US"}"#.into()
    }
    fn doc(extra: &str) -> String {
        format!(
            r#"{{"type":"document","person_id":"p1","doc_type":"passport","number":"M1","issuing_country":"KR"{extra}}}"#
        )
    }

    #[test]
    fn different_name_and_dob() {
        let ev = run(
            &mut IdInconsistent::new(Default::default()),
            &plain(&[
                p(),
                doc(r#","name_on_document":"Ri Chol","dob":"1985-01-01""#),
            ]),
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].severity, Severity::High);
        assert!(ev[0].detail.contains("Ri Chol"));
    }

    #[test]
    fn romanisation_and_consistent_claims_are_fine() {
        let items = plain(&[
            p(),
            doc(r#","name_on_document":"GIM MINJUN","dob":"1990-04-02""#),
        ]);
        assert!(run(&mut IdInconsistent::new(Default::default()), &items).is_empty());
        let items = plain(&[p(), doc(r#","name_on_document":"Minjun Kim","dob":"1990""#)]);
        assert!(run(&mut IdInconsistent::new(Default::default()), &items).is_empty());
    }

    #[test]
    fn dual_national_resident_is_low() {
        let items = plain(&[
            p(),
            doc(r#","issuing_country":"US""#).replace(r#""issuing_country":"KR","#, ""),
        ]);
        let ev = run(&mut IdInconsistent::new(Default::default()), &items);
        assert_eq!(ev[0].severity, Severity::Low);
    }
}
