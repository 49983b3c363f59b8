//! ID-DOC-INVALID: an identity document fails format checks.
//!
//! Logic, per document at the end of the stream:
//! - `mrz`: ICAO 9303 check digits of TD3 / TD2 / TD1 (`util::mrz`); a failed
//!   check digit means a typed-up or edited document: high;
//! - the MRZ document number differs from the `number` field: high;
//! - `ssn` documents with a clear `number`: never-issued areas (000, 666,
//!   900-999), group 00, serial 0000, advertising specimens (`util::ssn`): high;
//! - `expires` before the document's own `ts` (expired when submitted):
//!   medium; expired only by the end of the data (an old document on file): low;
//! - `verified: false` from the customer's verification vendor: medium, with
//!   the `verification_note`.
//!
//! Hashed numbers (`number_hash`) cannot be checked for format; that is
//! stated, not guessed.
//!
//! Source: A22, P25.

use molehunt_model::{DocType, Document, Evidence, PartialDate, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, evidence};
use crate::util::samples::Samples;
use crate::util::{mrz, ssn};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdDocInvalidConfig {
    pub enabled: bool,
    /// Check MRZ check digits (default true).
    pub check_mrz: bool,
    /// Check SSN never-issued ranges (default true).
    pub check_ssn: bool,
    /// Check expiry (default true).
    pub check_expiry: bool,
    /// Report `verified: false` results (default true).
    pub report_failed_verification: bool,
}

impl Default for IdDocInvalidConfig {
    fn default() -> Self {
        IdDocInvalidConfig {
            enabled: true,
            check_mrz: true,
            check_ssn: true,
            check_expiry: true,
            report_failed_verification: true,
        }
    }
}

pub struct IdDocInvalid {
    cfg: IdDocInvalidConfig,
}

impl IdDocInvalid {
    pub fn new(cfg: IdDocInvalidConfig) -> Self {
        IdDocInvalid { cfg }
    }

    /// The problems of one document: (severity, reason).
    pub fn problems(&self, d: &Document, now: Option<Time>) -> Vec<(Severity, String)> {
        let mut out = Vec::new();
        let kind = doc_name(d.doc_type);
        if self.cfg.check_mrz
            && let Some(m) = d.mrz.as_deref()
        {
            let (data, problems) = mrz::validate(m);
            for p in problems {
                out.push((Severity::High, format!("{kind} MRZ: {}", p.0)));
            }
            if let (Some(data), Some(num)) = (data, d.number.as_deref()) {
                let clean: String = num
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_uppercase();
                if !clean.is_empty()
                    && !data.document_number.is_empty()
                    && clean != data.document_number
                {
                    out.push((
                        Severity::High,
                        format!(
                            "{kind} number `{num}` differs from the MRZ's `{}`",
                            data.document_number
                        ),
                    ));
                }
            }
        }
        if self.cfg.check_ssn
            && d.doc_type == DocType::Ssn
            && let Some(n) = d.number.as_deref()
            && let Some(why) = ssn::never_issued(n)
        {
            out.push((Severity::High, format!("SSN {why}")));
        }
        if self.cfg.check_expiry
            && let Some(exp) = d.expires
        {
            if let Some(ts) = d.ts
                && expired(exp, ts)
            {
                out.push((
                    Severity::Medium,
                    format!("{kind} expired {exp}, before it was submitted on {ts}"),
                ));
            } else if d.ts.is_none()
                && let Some(now) = now
                && expired(exp, now)
            {
                out.push((Severity::Low, format!("{kind} on file expired {exp}")));
            }
        }
        if self.cfg.report_failed_verification && d.verified == Some(false) {
            let note = d.verification_note.as_deref().unwrap_or("no note");
            out.push((
                Severity::Medium,
                format!("{kind} failed verification ({note})"),
            ));
        }
        out
    }
}

fn doc_name(t: DocType) -> &'static str {
    match t {
        DocType::Passport => "passport",
        DocType::NationalId => "national ID",
        DocType::DriversLicense => "driver's license",
        DocType::Ssn => "SSN card",
        DocType::Visa => "visa",
        DocType::Diploma => "diploma",
        DocType::Other => "document",
    }
}

/// Is `exp` before the date of `t`? A year-only or month-only expiry runs to its end.
fn expired(exp: PartialDate, t: Time) -> bool {
    let d = t.utc.to_zoned(jiff::tz::TimeZone::UTC).date();
    let (y, m, day) = (d.year(), d.month() as u8, d.day() as u8);
    let e = (exp.year, exp.month.unwrap_or(12), exp.day.unwrap_or(31));
    e < (y, m, day)
}

impl Detector for IdDocInvalid {
    fn id(&self) -> &'static str {
        "ID-DOC-INVALID"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &[]
    }

    fn observe(&mut self, _ctx: &Context, _obs: &Obs<'_>) {}

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, entry) in ctx.persons.iter().enumerate() {
            for (event_id, d) in &entry.documents {
                let problems = self.problems(d, ctx.now);
                let Some(severity) = problems.iter().map(|x| x.0).max() else {
                    continue;
                };
                let detail = problems
                    .into_iter()
                    .map(|x| x.1)
                    .collect::<Vec<_>>()
                    .join("; ");
                let mut s = Samples::default();
                s.push(event_id);
                out.push(evidence(
                    self.id(),
                    ctx,
                    p as u32,
                    severity,
                    detail,
                    &s,
                    d.ts,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    const GOOD: &str = r#"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"#;

    fn doc(extra: &str) -> String {
        format!(r#"{{"type":"document","person_id":"p1","doc_type":"passport"{extra}}}"#)
    }

    #[test]
    fn forged_mrz_bad_ssn_and_expired() {
        let forged = GOOD.replace("7408122", "7508122");
        let ev = run(
            &mut IdDocInvalid::new(Default::default()),
            &plain(&[doc(&format!(r#","mrz":"{forged}""#))]),
        );
        assert_eq!(ev[0].severity, Severity::High);
        let ssn = r#"{"type":"document","person_id":"p1","doc_type":"ssn","number":"666-12-3456"}"#;
        let ev = run(
            &mut IdDocInvalid::new(Default::default()),
            &plain(&[ssn.into()]),
        );
        assert!(ev[0].detail.contains("666"));
        let ev = run(
            &mut IdDocInvalid::new(Default::default()),
            &plain(&[doc(
                r#","expires":"2024-01-31","ts":"2026-02-01T00:00:00Z""#,
            )]),
        );
        assert_eq!(ev[0].severity, Severity::Medium);
    }

    #[test]
    fn valid_documents_pass() {
        let items = plain(&[
            doc(&format!(
                r#","mrz":"{GOOD}","number":"L898902C3","expires":"2031-04-15","ts":"2026-02-01T00:00:00Z""#
            )),
            r#"{"type":"document","person_id":"p1","doc_type":"ssn","number_hash":"ab12"}"#.into(),
        ]);
        assert!(run(&mut IdDocInvalid::new(Default::default()), &items).is_empty());
    }

    #[test]
    fn old_expired_document_on_file_is_low() {
        let items = plain(&[
            doc(r#","expires":"2020""#),
            login("a1", &t(0), "198.51.100.1"),
        ]);
        let ev = run(&mut IdDocInvalid::new(Default::default()), &items);
        assert_eq!(ev[0].severity, Severity::Low);
    }
}
