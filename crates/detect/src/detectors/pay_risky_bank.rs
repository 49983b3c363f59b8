//! PAY-RISKY-BANK: payouts to PRC (or DPRK-adjacent) banks, or routed through companies.
//!
//! Logic: for each `payout_method` / `payout`, the bank country is the
//! `bank_country`, else the country letters (5-6) of `bank_bic`. A bank
//! country in `risky_countries` fires unless the person's claimed country
//! (or nationality) is that same country — a Chinese developer living in
//! China is paid by a Chinese bank. Severity high (critical for
//! `critical_countries`). A holder name that looks like a company (LLC, Ltd,
//! Trading Co ...) on an individual's payout is "routed through a company":
//! medium.
//!
//! Source: A22.

use molehunt_model::{Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, PersonIx, evidence};
use crate::util::names::looks_like_company;
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PayRiskyBankConfig {
    pub enabled: bool,
    /// Bank countries of high severity (default CN, HK, MO, RU).
    pub risky_countries: Vec<String>,
    /// Bank countries of critical severity (default KP).
    pub critical_countries: Vec<String>,
    /// Flag company holder names on individual payouts (default true).
    pub company_holders: bool,
}

impl Default for PayRiskyBankConfig {
    fn default() -> Self {
        PayRiskyBankConfig {
            enabled: true,
            risky_countries: ["CN", "HK", "MO", "RU"].map(String::from).to_vec(),
            critical_countries: vec!["KP".into()],
            company_holders: true,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    countries: Vec<(String, Samples, Option<Time>)>,
    companies: Vec<(String, Samples, Option<Time>)>,
}

pub struct PayRiskyBank {
    cfg: PayRiskyBankConfig,
    persons: IxVec<PersonState>,
}

impl PayRiskyBank {
    pub fn new(cfg: PayRiskyBankConfig) -> Self {
        PayRiskyBank {
            cfg,
            persons: IxVec::default(),
        }
    }

    fn consistent(ctx: &Context, p: PersonIx, country: &str) -> bool {
        let Some(person) = ctx.person(p) else {
            return false;
        };
        let eq = |c: Option<&str>| c.is_some_and(|c| c.trim().eq_ignore_ascii_case(country));
        eq(person.claimed_country.as_deref())
            || eq(person.address.as_ref().and_then(|a| a.country.as_deref()))
    }
}

fn add(list: &mut Vec<(String, Samples, Option<Time>)>, key: &str, id: &str, ts: Option<Time>) {
    let n = list.len();
    match list.iter_mut().find(|x| x.0 == key) {
        Some(x) => {
            x.1.push(id);
            x.2 = ts.or(x.2);
        }
        None if n < 4 => {
            let mut s = Samples::default();
            s.push(id);
            list.push((key.to_string(), s, ts));
        }
        None => {}
    }
}

impl Detector for PayRiskyBank {
    fn id(&self) -> &'static str {
        "PAY-RISKY-BANK"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["payout_method", "payout"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let (country, bic, holder) = match &obs.event.record {
            Record::PayoutMethod(m) => (&m.bank_country, &m.bank_bic, &m.holder_name),
            Record::Payout(m) => (&m.bank_country, &m.bank_bic, &m.holder_name),
            _ => return,
        };
        let Some(p) = obs.person else { return };
        let country = country
            .as_deref()
            .map(|c| c.trim().to_ascii_uppercase())
            .or_else(|| {
                bic.as_deref()
                    .map(str::trim)
                    .filter(|b| b.len() >= 6)
                    .and_then(|b| b.get(4..6))
                    .map(|c| c.to_ascii_uppercase())
            });
        let listed = |l: &[String], c: &str| l.iter().any(|x| x.eq_ignore_ascii_case(c));
        let st = self.persons.at(p);
        if let Some(c) = country
            && (listed(&self.cfg.risky_countries, &c) || listed(&self.cfg.critical_countries, &c))
        {
            add(&mut st.countries, &c, &obs.event.id, obs.ts);
        }
        if self.cfg.company_holders
            && let Some(h) = holder.as_deref().filter(|h| looks_like_company(h))
        {
            add(&mut st.companies, h.trim(), &obs.event.id, obs.ts);
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, st) in self.persons.iter() {
            for (c, samples, at) in &st.countries {
                if Self::consistent(ctx, p, c) {
                    continue;
                }
                let critical = self
                    .cfg
                    .critical_countries
                    .iter()
                    .any(|x| x.eq_ignore_ascii_case(c));
                let severity = if critical {
                    Severity::Critical
                } else {
                    Severity::High
                };
                let claim = ctx
                    .claimed_country(p)
                    .unwrap_or_else(|| "an unknown country".into());
                let detail = format!("payouts go to a bank in {c} while the worker claims {claim}");
                out.push(evidence(self.id(), ctx, p, severity, detail, samples, *at));
            }
            for (h, samples, at) in &st.companies {
                let detail = format!("payouts are routed through a company account held by `{h}`");
                out.push(evidence(
                    self.id(),
                    ctx,
                    p,
                    Severity::Medium,
                    detail,
                    samples,
                    *at,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;

    fn pm(extra: &str) -> String {
        format!(
            r#"{{"type":"payout_method","person_id":"p1","method":"bank","account_hash":"h"{extra}}}"#
        )
    }

    #[test]
    fn chinese_bank_claiming_us() {
        let ev = run(
            &mut PayRiskyBank::new(Default::default()),
            &plain(&[
                person("p1", "John Smith", "US", ""),
                pm(r#","bank_bic":"BKCHCNBJ110""#),
            ]),
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].severity, Severity::High);
        let ev = run(
            &mut PayRiskyBank::new(Default::default()),
            &plain(&[
                person("p1", "John Smith", "US", ""),
                pm(r#","holder_name":"Dandong Trading Co., Ltd""#),
            ]),
        );
        assert_eq!(ev[0].severity, Severity::Medium);
    }

    #[test]
    fn chinese_developer_in_china_and_us_bank_are_spared() {
        let items = plain(&[
            person("p1", "Wang Fang", "CN", "Asia/Shanghai"),
            pm(r#","bank_country":"CN""#),
        ]);
        assert!(run(&mut PayRiskyBank::new(Default::default()), &items).is_empty());
        let items = plain(&[
            person("p1", "John Smith", "US", ""),
            pm(r#","bank_country":"US","bank_bic":"CHASUS33""#),
        ]);
        assert!(run(&mut PayRiskyBank::new(Default::default()), &items).is_empty());
    }
}
