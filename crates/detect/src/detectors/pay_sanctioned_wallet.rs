//! PAY-SANCTIONED-WALLET: a payout wallet is a sanctioned digital currency address.
//!
//! Logic: the engine screens every wallet of `payout_method` and `payout`
//! records against the sanctions lists (OFAC SDN "Digital Currency Address"
//! and others, via the screening crate) and attaches `Enrichment.wallets`.
//! Every hit is evidence naming the list, the entry and the address; severity
//! is critical: paying it is a sanctions violation whatever else is known.
//!
//! Source: OFAC SDN list.

use molehunt_model::{Evidence, Record, Severity, Time};
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, PersonIx, evidence};
use crate::util::samples::Samples;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaySanctionedWalletConfig {
    pub enabled: bool,
}

impl Default for PaySanctionedWalletConfig {
    fn default() -> Self {
        PaySanctionedWalletConfig { enabled: true }
    }
}

pub struct PaySanctionedWallet {
    hits: Vec<(PersonIx, String, Samples, Option<Time>)>,
}

impl PaySanctionedWallet {
    pub fn new(_cfg: PaySanctionedWalletConfig) -> Self {
        PaySanctionedWallet { hits: Vec::new() }
    }
}

impl Detector for PaySanctionedWallet {
    fn id(&self) -> &'static str {
        "PAY-SANCTIONED-WALLET"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["payout_method", "payout"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        if !matches!(
            obs.event.record,
            Record::PayoutMethod(_) | Record::Payout(_)
        ) || obs.enrichment.wallets.is_empty()
        {
            return;
        }
        let Some(p) = obs.person else { return };
        for w in &obs.enrichment.wallets {
            let detail = format!(
                "payout wallet {} {} is listed on {} as a digital currency address of `{}` (entry {})",
                w.chain, w.address, w.list, w.name, w.entity_id
            );
            match self.hits.iter_mut().find(|h| h.0 == p && h.1 == detail) {
                Some(h) => {
                    h.2.push(&obs.event.id);
                    h.3 = obs.ts.or(h.3);
                }
                None => {
                    let mut s = Samples::default();
                    s.push(&obs.event.id);
                    self.hits.push((p, detail, s, obs.ts));
                }
            }
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (p, detail, samples, at) in &self.hits {
            out.push(evidence(
                self.id(),
                ctx,
                *p,
                Severity::Critical,
                detail.clone(),
                samples,
                *at,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testkit::*;
    use molehunt_model::{Enrichment, WalletHit};

    #[test]
    fn wallet_hit_is_critical_and_named() {
        let line = r#"{"type":"payout_method","person_id":"p1","method":"crypto","wallet":{"chain":"ETH","address":"0x098b716b8aaf21512996dc57eb0615e2383e2f96"}}"#;
        let enr = Enrichment {
            wallets: vec![WalletHit {
                list: "OFAC SDN".into(),
                entity_id: "sdn-12345".into(),
                name: "LAZARUS GROUP".into(),
                chain: "ETH".into(),
                address: "0x098b716b8aaf21512996dc57eb0615e2383e2f96".into(),
            }],
            ..Default::default()
        };
        let ev = run(
            &mut PaySanctionedWallet::new(Default::default()),
            &[(line.into(), enr)],
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].severity, Severity::Critical);
        assert!(ev[0].detail.contains("LAZARUS GROUP") && ev[0].detail.contains("OFAC SDN"));
        assert!(
            run(
                &mut PaySanctionedWallet::new(Default::default()),
                &plain(&[line.into()])
            )
            .is_empty()
        );
    }
}
