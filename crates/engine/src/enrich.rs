//! Enrichment: what intel and sanctions lists add to an event before detection.

use std::net::IpAddr;
use std::path::Path;

use molehunt_intel::Intel;
use molehunt_model::{Enrichment, Event, IpInfo, Record, SanctionsHit, Wallet, WalletHit};
use molehunt_screen::{Query, Screener};
use rustc_hash::FxHashMap;

use crate::error::EngineError;

/// Bound on the per-IP cache; past it the cache is cleared (memory stays
/// bounded on inputs with millions of distinct addresses).
const IP_CACHE_MAX: usize = 1 << 20;

/// Adds IP intelligence, remote-access tools, USB hits and sanctions hits to
/// events. One per pipeline run; IP lookups are cached per address.
pub struct Enricher {
    intel: Intel,
    screener: Option<Screener>,
    ip_cache: FxHashMap<IpAddr, IpInfo>,
}

impl std::fmt::Debug for Enricher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enricher")
            .field("screener", &self.screener.is_some())
            .field("cached_ips", &self.ip_cache.len())
            .finish()
    }
}

impl Enricher {
    /// Intel as given; no sanctions screening.
    pub fn new(intel: Intel, screener: Option<Screener>) -> Self {
        Enricher {
            intel,
            screener,
            ip_cache: FxHashMap::default(),
        }
    }

    /// The bundled intel, newer IP data when given (`.mmdb` files, ASN CSV
    /// range files), and the sanctions lists imported into `db` if any.
    pub fn load(
        db: Option<&Path>,
        geoip: &[&Path],
        asn_csv: &[&Path],
    ) -> Result<Self, EngineError> {
        let mut intel = Intel::bundled()?;
        for p in geoip {
            intel.ip.load_mmdb(p)?;
        }
        for p in asn_csv {
            intel.ip.load_asn_csv(p)?;
        }
        let screener = match db {
            Some(db) => Screener::load(db).map_err(|e| EngineError::Screen(e.to_string()))?,
            None => None,
        };
        Ok(Enricher::new(intel, screener))
    }

    /// True when sanctions lists are loaded.
    pub fn screening(&self) -> bool {
        self.screener.is_some()
    }

    /// Forgets cached lookups (call between independent runs).
    pub fn clear_cache(&mut self) {
        self.ip_cache.clear();
    }

    fn ip(&mut self, ip: IpAddr) -> IpInfo {
        if let Some(info) = self.ip_cache.get(&ip) {
            return info.clone();
        }
        if self.ip_cache.len() >= IP_CACHE_MAX {
            self.ip_cache.clear();
        }
        let info = self.intel.enrich_ip(ip);
        self.ip_cache.insert(ip, info.clone());
        info
    }

    /// The enrichment of one event, written into `out` (cleared first).
    pub fn enrich(&mut self, event: &Event, out: &mut Enrichment) {
        out.ip = None;
        out.remote_tools.clear();
        out.usb.clear();
        out.sanctions.clear();
        out.wallets.clear();
        match &event.record {
            Record::Login(l) => out.ip = Some(self.ip(l.ip)),
            Record::Activity(a) => out.ip = a.ip.map(|ip| self.ip(ip)),
            Record::DeviceReport(d) => {
                out.remote_tools = self
                    .intel
                    .remote_tools(&d.software, &d.processes, &d.domains);
                out.usb = self
                    .intel
                    .usb_and_jigglers(&d.usb, &d.software, &d.processes);
            }
            Record::Person(p) => {
                if let Some(s) = &self.screener {
                    let mut q = Query::new(p.full_name.clone());
                    q.dob = p.dob.as_ref().map(|d| d.to_string());
                    q.country = p.nationality.clone();
                    out.sanctions = s
                        .screen(&q)
                        .into_iter()
                        .filter(|m| m.is_match)
                        .map(|m| SanctionsHit {
                            list: m.list,
                            entity_id: m.entity_id,
                            name: m.name,
                            matched_name: m.matched_name,
                            score: m.score,
                            explanation: m.explanation,
                        })
                        .collect();
                }
            }
            Record::PayoutMethod(p) => out.wallets = self.wallet(p.wallet.as_ref()),
            Record::Payout(p) => out.wallets = self.wallet(p.wallet.as_ref()),
            _ => {}
        }
    }

    fn wallet(&self, wallet: Option<&Wallet>) -> Vec<WalletHit> {
        let (Some(s), Some(w)) = (&self.screener, wallet) else {
            return Vec::new();
        };
        s.screen_wallet(&w.address, w.chain.as_deref())
            .into_iter()
            .map(|m| WalletHit {
                list: m.list,
                entity_id: m.entity_id,
                name: m.name,
                chain: m.chain,
                address: m.address,
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use molehunt_model::parse_line;

    #[test]
    fn enriches_ips_and_devices() {
        let mut e = Enricher::new(Intel::bundled().unwrap(), None);
        let mut out = Enrichment::default();
        let login = parse_line(
            r#"{"type":"login","ts":"2026-03-01T14:05:00Z","account_id":"a1","ip":"8.8.8.8"}"#,
        )
        .unwrap();
        e.enrich(&login, &mut out);
        assert_eq!(out.ip.as_ref().and_then(|i| i.asn), Some(15169));
        e.enrich(&login, &mut out);
        assert_eq!(e.ip_cache.len(), 1);
        let dev = parse_line(
            r#"{"type":"device_report","ts":"2026-03-01T14:05:00Z","device_id":"d1","software":["AnyDesk 8.0.4"]}"#,
        )
        .unwrap();
        e.enrich(&dev, &mut out);
        assert!(out.ip.is_none(), "cleared between events");
        assert!(
            out.remote_tools.iter().any(|t| t.tool.contains("AnyDesk")),
            "{out:?}"
        );
    }
}
