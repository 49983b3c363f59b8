//! PAY-CRYPTO: asks to be paid in cryptocurrency.
//!
//! Logic: a `payout_method` of method `crypto` or with a `wallet`, or a
//! `payout` made in crypto / to a wallet, fires for the person (low by
//! default: many honest freelancers are paid in stablecoins; combined with
//! other signals it matters, and shared or sanctioned wallets have their own
//! flags). The wallet chains are named.
//!
//! Source: A22.

use molehunt_model::{Evidence, PayMethod, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, IxVec, Obs, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PayCryptoConfig {
    pub enabled: bool,
    /// Severity (default low).
    pub severity: Severity,
}

impl Default for PayCryptoConfig {
    fn default() -> Self {
        PayCryptoConfig {
            enabled: true,
            severity: Severity::Low,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct PersonState {
    chains: Vec<String>,
    samples: Samples,
    last: Option<Time>,
}

pub struct PayCrypto {
    cfg: PayCryptoConfig,
    persons: IxVec<PersonState>,
}

impl PayCrypto {
    pub fn new(cfg: PayCryptoConfig) -> Self {
        PayCrypto {
            cfg,
            persons: IxVec::default(),
        }
    }
}

impl Detector for PayCrypto {
    fn id(&self) -> &'static str {
        "PAY-CRYPTO"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["payout_method", "payout"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let (method, wallet) = match &obs.event.record {
            Record::PayoutMethod(m) => (Some(m.method), m.wallet.as_ref()),
            Record::Payout(m) => (m.method, m.wallet.as_ref()),
            _ => return,
        };
        if method != Some(PayMethod::Crypto) && wallet.is_none() {
            return;
        }
        let Some(p) = obs.person else { return };
        let st = self.persons.at(p);
        let chain = wallet
            .and_then(|w| w.chain.clone())
            .unwrap_or_else(|| "crypto".into());
        if !st.chains.contains(&chain) && st.chains.len() < 4 {
            st.chains.push(chain);
        }
        st.samples.push(&obs.event.id);
        if obs.ts.is_some() {
            st.last = obs.ts;
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, st) in self.persons.iter() {
            if st.samples.is_empty() {
                continue;
            }
            let detail = format!(
                "asks to be paid in cryptocurrency ({})",
                st.chains.join(", ")
            );
            out.push(evidence(
                self.id(),
                ctx,
                p,
                self.cfg.severity,
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

    #[test]
    fn crypto_method_fires_bank_does_not() {
        let crypto = r#"{"type":"payout_method","person_id":"p1","method":"crypto","wallet":{"chain":"TRX","address":"TXyz"}}"#;
        let ev = run(
            &mut PayCrypto::new(Default::default()),
            &plain(&[crypto.into()]),
        );
        assert_eq!(ev.len(), 1);
        assert!(ev[0].detail.contains("TRX"));
        let bank =
            r#"{"type":"payout_method","person_id":"p1","method":"bank","account_hash":"ab12"}"#;
        assert!(
            run(
                &mut PayCrypto::new(Default::default()),
                &plain(&[bank.into()])
            )
            .is_empty()
        );
    }
}
