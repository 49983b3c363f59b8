//! PAY-SHARED: one bank account, wallet or payment-provider account receives
//! pay for several worker identities.
//!
//! Logic: every payout destination of `payout_method` and `payout` records
//! (bank `account_hash`, wallet chain+address, `provider_account` such as a
//! PayPal email; compared case-insensitively) maps to the persons using it.
//! Two or more distinct persons fire the flag for each of them. Severity:
//! - a shared wallet, or `high_persons` (default 3) or more persons: high;
//! - two persons on a bank/provider account: medium — but low when the two
//!   share a home address (a couple's joint account is ordinary);
//! - a destination with `hub_persons` (default 50) or more persons is treated
//!   as a hub (an escrow or payroll account of the platform) and ignored.
//!
//! Source: A22, DOJ.

use molehunt_model::{Evidence, PayMethod, Record, Severity};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, PersonIx, PersonSet, evidence, list_some, related};
use crate::util::address::normalize;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaySharedConfig {
    pub enabled: bool,
    /// Distinct persons on one destination that fire the flag (default 2).
    pub min_persons: u32,
    /// Distinct persons for high severity (default 3).
    pub high_persons: u32,
    /// Distinct persons that make a destination a hub, ignored (default 50).
    pub hub_persons: u32,
}

impl Default for PaySharedConfig {
    fn default() -> Self {
        PaySharedConfig {
            enabled: true,
            min_persons: 2,
            high_persons: 3,
            hub_persons: 50,
        }
    }
}

/// The kind of a payout destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DestKind {
    Bank,
    Wallet,
    Provider,
}

impl DestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DestKind::Bank => "bank account",
            DestKind::Wallet => "wallet",
            DestKind::Provider => "payment account",
        }
    }
}

/// The payout destinations a record names: (kind, normalised value).
pub fn destinations(record: &Record) -> Vec<(DestKind, String)> {
    let (method, hash, wallet, provider) = match record {
        Record::PayoutMethod(m) => (
            Some(m.method),
            &m.account_hash,
            &m.wallet,
            &m.provider_account,
        ),
        Record::Payout(m) => (m.method, &m.account_hash, &m.wallet, &m.provider_account),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    if let Some(h) = hash.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        out.push((DestKind::Bank, h.to_lowercase()));
    }
    if let Some(w) = wallet.as_ref().filter(|w| !w.address.trim().is_empty()) {
        let chain = w.chain.as_deref().unwrap_or("").trim().to_uppercase();
        // EVM addresses are case-insensitive; others (base58) are kept as written
        let addr = w.address.trim();
        let addr = if addr.starts_with("0x") {
            addr.to_lowercase()
        } else {
            addr.to_string()
        };
        out.push((DestKind::Wallet, format!("{chain}:{addr}")));
    }
    if let Some(p) = provider.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        let label = match method {
            Some(PayMethod::Paypal) => "paypal",
            Some(PayMethod::Payoneer) => "payoneer",
            Some(PayMethod::Wise) => "wise",
            _ => "provider",
        };
        out.push((DestKind::Provider, format!("{label}:{}", p.to_lowercase())));
    }
    out
}

pub struct PayShared {
    cfg: PaySharedConfig,
    dests: FxHashMap<(DestKind, String), PersonSet>,
}

impl PayShared {
    pub fn new(cfg: PaySharedConfig) -> Self {
        PayShared {
            cfg,
            dests: FxHashMap::default(),
        }
    }
}

fn home(ctx: &Context, p: PersonIx) -> Option<String> {
    ctx.person(p)
        .and_then(|x| x.address.as_ref())
        .map(normalize)
        .filter(|a| !a.starts_with('|'))
}

fn mask(kind: DestKind, v: &str) -> String {
    match kind {
        DestKind::Wallet => v.to_string(),
        _ => {
            let tail: String = v
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("...{tail}")
        }
    }
}

impl Detector for PayShared {
    fn id(&self) -> &'static str {
        "PAY-SHARED"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["payout_method", "payout"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if !matches!(
            obs.event.record,
            Record::PayoutMethod(_) | Record::Payout(_)
        ) {
            return;
        }
        let Some(p) = obs.person else { return };
        let cap = self.cfg.hub_persons.max(2) as usize;
        for key in destinations(&obs.event.record) {
            let set = self.dests.entry(key).or_default();
            set.add(p, &obs.event.id, obs.ts, cap);
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for ((kind, value), set) in &self.dests {
            if set.distinct < self.cfg.min_persons || set.distinct >= self.cfg.hub_persons {
                continue;
            }
            let persons = set.persons();
            let couple = set.distinct == 2 && {
                let (a, b) = (home(ctx, persons[0]), home(ctx, persons[1]));
                a.is_some() && a == b
            };
            let severity = if *kind == DestKind::Wallet || set.distinct >= self.cfg.high_persons {
                Severity::High
            } else if couple {
                Severity::Low
            } else {
                Severity::Medium
            };
            let mut ids: Vec<&str> = persons.iter().map(|&p| ctx.person_id(p)).collect();
            ids.sort_unstable(); // order of arrival must not change the evidence
            let note = if couple {
                " (the two share a home address)"
            } else {
                ""
            };
            for (p, samples) in &set.members {
                let detail = format!(
                    "{} {} receives pay for {} persons ({}){note}",
                    kind.as_str(),
                    mask(*kind, value),
                    set.distinct,
                    list_some(&ids, 6)
                );
                let mut e = evidence(self.id(), ctx, *p, severity, detail, samples, set.last);
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

    fn bank(p: &str, hash: &str) -> String {
        format!(
            r#"{{"type":"payout_method","person_id":"{p}","method":"bank","account_hash":"{hash}"}}"#
        )
    }
    fn home_person(p: &str, line1: &str) -> String {
        format!(
            r#"{{"type":"person","person_id":"{p}","full_name":"N {p}","address":{{"line1":"{line1}","city":"Austin","country":"US"}}}}"#
        )
    }

    #[test]
    fn three_identities_one_account_is_high() {
        let ev = run(
            &mut PayShared::new(Default::default()),
            &plain(&[bank("p1", "H1"), bank("p2", "h1"), bank("p3", "H1")]),
        );
        assert_eq!(ev.len(), 3);
        assert!(
            ev.iter()
                .all(|e| e.severity == Severity::High && e.related.len() == 2)
        );
    }

    #[test]
    fn couple_sharing_home_and_account_is_low() {
        let items = plain(&[
            home_person("p1", "5 Oak St"),
            home_person("p2", "5 Oak Street"),
            bank("p1", "H1"),
            bank("p2", "H1"),
        ]);
        let ev = run(&mut PayShared::new(Default::default()), &items);
        assert_eq!(ev.len(), 2);
        assert!(ev.iter().all(|e| e.severity == Severity::Low));
        // strangers sharing an account: medium
        let items = plain(&[
            home_person("p1", "5 Oak St"),
            home_person("p2", "9 Elm St"),
            bank("p1", "H1"),
            bank("p2", "H1"),
        ]);
        assert!(
            run(&mut PayShared::new(Default::default()), &items)
                .iter()
                .all(|e| e.severity == Severity::Medium)
        );
    }

    #[test]
    fn own_account_twice_is_fine() {
        assert!(
            run(
                &mut PayShared::new(Default::default()),
                &plain(&[bank("p1", "H1"), bank("p1", "H1")])
            )
            .is_empty()
        );
    }
}
