//! Enrichment: what intel and sanctions lists add to an event before detection.

use std::net::IpAddr;
use std::path::Path;

use molehunt_intel::Intel;
use molehunt_model::{
    DeviceReport, Enrichment, Event, IpClass, IpInfo, Record, RemoteToolHit, SanctionsHit,
    UsbDevice, UsbHit, Wallet, WalletHit,
};
use molehunt_screen::{Query, Screener};
use rustc_hash::FxHashMap;

use crate::error::EngineError;

/// Bound on the per-IP cache; past it the cache is cleared (memory stays
/// bounded on inputs with millions of distinct addresses).
const IP_CACHE_MAX: usize = 1 << 20;

/// The distinct fields of an [`IpInfo`].
type InfoKey = (Option<String>, Option<u32>, Option<String>, IpClass);

/// IP lookups, cached per address. An address maps to the index of its answer
/// among the distinct answers (few: one per network and country), so the
/// per-event lookup reads a small table and the answers stay in cache.
#[derive(Default)]
struct IpCache {
    v4: FxHashMap<u32, u32>,
    v6: FxHashMap<u128, u32>,
    infos: Vec<IpInfo>,
    distinct: FxHashMap<InfoKey, u32>,
}

impl IpCache {
    fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    fn clear(&mut self) {
        self.v4.clear();
        self.v6.clear();
        self.infos.clear();
        self.distinct.clear();
    }

    fn index(&self, ip: IpAddr) -> Option<u32> {
        match ip {
            IpAddr::V4(a) => self.v4.get(&u32::from(a)).copied(),
            IpAddr::V6(a) => self.v6.get(&u128::from(a)).copied(),
        }
    }

    /// Caches the answer for `ip`; returns its index.
    fn insert(&mut self, ip: IpAddr, info: IpInfo) -> u32 {
        let key = (
            info.country.clone(),
            info.asn,
            info.as_org.clone(),
            info.class,
        );
        let next = self.infos.len() as u32;
        let ix = *self.distinct.entry(key).or_insert(next);
        if ix == next {
            self.infos.push(info);
        }
        match ip {
            IpAddr::V4(a) => self.v4.insert(u32::from(a), ix),
            IpAddr::V6(a) => self.v6.insert(u128::from(a), ix),
        };
        ix
    }
}

/// Bound on the device inventories whose scans are cached (cleared past it).
const INVENTORY_CACHE_MAX: usize = 1 << 14;

/// What the remote-access and USB scans of a device report read.
struct Inventory {
    software: Vec<String>,
    processes: Vec<String>,
    domains: Vec<String>,
    usb: Vec<UsbDevice>,
}

impl Inventory {
    fn of(d: &DeviceReport) -> Inventory {
        Inventory {
            software: d.software.clone(),
            processes: d.processes.clone(),
            domains: d.domains.clone(),
            usb: d.usb.clone(),
        }
    }

    fn matches(&self, d: &DeviceReport) -> bool {
        self.software == d.software
            && self.processes == d.processes
            && self.domains == d.domains
            && self.usb == d.usb
    }

    fn hash(d: &DeviceReport) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        (&d.software, &d.processes, &d.domains).hash(&mut h);
        for u in &d.usb {
            (&u.vendor_id, &u.product_id, &u.manufacturer, &u.product).hash(&mut h);
        }
        h.finish()
    }
}

/// Adds IP intelligence, remote-access tools, USB hits and sanctions hits to
/// events. One per pipeline run; IP lookups are cached per address.
pub struct Enricher {
    intel: Intel,
    screener: Option<Screener>,
    ip_cache: IpCache,
    /// The buffers of an emptied `Enrichment::ip`, reused for the next one.
    spare: Option<IpInfo>,
    /// Scans of device inventories seen before (a device reports the same
    /// software again and again): by hash, checked against the inventory itself.
    inventories: FxHashMap<u64, (Inventory, Vec<RemoteToolHit>, Vec<UsbHit>)>,
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
            ip_cache: IpCache::default(),
            spare: None,
            inventories: FxHashMap::default(),
        }
    }

    /// The bundled intel, newer IP data when given (`.mmdb` files, ASN CSV
    /// range files), and the sanctions lists imported into `db` if any.
    pub fn load(
        db: Option<&Path>,
        geoip: &[&Path],
        asn_csv: &[&Path],
    ) -> Result<Self, EngineError> {
        let screener = Self::screener(db)?;
        Self::with_screener(screener, geoip, asn_csv)
    }

    /// The sanctions screener of the store at `db` (none without lists or `db`).
    pub fn screener(db: Option<&Path>) -> Result<Option<Screener>, EngineError> {
        match db {
            Some(db) => Screener::load(db).map_err(|e| EngineError::Screen(e.to_string())),
            None => Ok(None),
        }
    }

    /// Loads the IP data (bundled, then the given files) around `screener`.
    pub fn with_screener(
        screener: Option<Screener>,
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
        Ok(Enricher::new(intel, screener))
    }

    /// True when sanctions lists are loaded.
    pub fn screening(&self) -> bool {
        self.screener.is_some()
    }

    /// Forgets cached lookups (call between independent runs).
    pub fn clear_cache(&mut self) {
        self.ip_cache.clear();
        self.inventories.clear();
    }

    /// The remote-access tools and USB hits of a device report, into `out`.
    fn device(&mut self, d: &DeviceReport, out: &mut Enrichment) {
        let key = Inventory::hash(d);
        if let Some((inv, tools, usb)) = self.inventories.get(&key)
            && inv.matches(d)
        {
            out.remote_tools.clone_from(tools);
            out.usb.clone_from(usb);
            return;
        }
        out.remote_tools = self
            .intel
            .remote_tools(&d.software, &d.processes, &d.domains);
        out.usb = self
            .intel
            .usb_and_jigglers(&d.usb, &d.software, &d.processes);
        if self.inventories.len() >= INVENTORY_CACHE_MAX {
            self.inventories.clear();
        }
        // a hash shared by two inventories keeps the first (the other is scanned each time)
        self.inventories
            .entry(key)
            .or_insert_with(|| (Inventory::of(d), out.remote_tools.clone(), out.usb.clone()));
    }

    /// Writes the intel of `ip` into `out`, reusing the buffers `out` already
    /// holds (no allocation per event once the strings have grown).
    fn ip_into(&mut self, ip: Option<IpAddr>, out: &mut Option<IpInfo>) {
        let Some(ip) = ip else {
            self.clear_ip(out);
            return;
        };
        if out.is_none() {
            *out = self.spare.take();
        }
        let ix = match self.ip_cache.index(ip) {
            Some(ix) => ix,
            None => {
                if self.ip_cache.len() >= IP_CACHE_MAX {
                    self.ip_cache.clear();
                }
                let info = self.intel.enrich_ip(ip);
                self.ip_cache.insert(ip, info)
            }
        };
        let Some(info) = self.ip_cache.infos.get(ix as usize) else {
            self.clear_ip(out);
            return;
        };
        match out {
            // consecutive events often share the answer: nothing to write
            Some(o) if *o == *info => {}
            Some(o) => {
                o.country.clone_from(&info.country);
                o.asn = info.asn;
                o.as_org.clone_from(&info.as_org);
                o.class = info.class;
            }
            None => *out = Some(info.clone()),
        }
    }

    /// Empties `out`, keeping its buffers for the next event with an IP.
    fn clear_ip(&mut self, out: &mut Option<IpInfo>) {
        if let Some(info) = out.take()
            && self.spare.is_none()
        {
            self.spare = Some(info);
        }
    }

    /// The enrichment of one event, written into `out` (cleared first).
    pub fn enrich(&mut self, event: &Event, out: &mut Enrichment) {
        out.remote_tools.clear();
        out.usb.clear();
        out.sanctions.clear();
        out.wallets.clear();
        match &event.record {
            Record::Login(l) => self.ip_into(Some(l.ip), &mut out.ip),
            Record::Activity(a) => self.ip_into(a.ip, &mut out.ip),
            _ => self.clear_ip(&mut out.ip),
        }
        match &event.record {
            Record::Login(_) | Record::Activity(_) => {}
            Record::DeviceReport(d) => self.device(d, out),
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
        // a repeated inventory is answered from the cache, a changed one scanned again
        let first = out.remote_tools.clone();
        e.enrich(&dev, &mut out);
        assert_eq!(out.remote_tools, first);
        assert_eq!(e.inventories.len(), 1);
        let clean = parse_line(
            r#"{"type":"device_report","ts":"2026-03-01T14:05:00Z","device_id":"d1","software":["Slack"]}"#,
        )
        .unwrap();
        e.enrich(&clean, &mut out);
        assert!(out.remote_tools.is_empty(), "{out:?}");
        // the emptied buffers are reused for the next address, with its own answer
        let other = parse_line(
            r#"{"type":"activity","ts":"2026-03-01T14:06:00Z","account_id":"a1","ip":"1.1.1.1"}"#,
        )
        .unwrap();
        e.enrich(&other, &mut out);
        let fresh = Enricher::new(Intel::bundled().unwrap(), None)
            .intel
            .enrich_ip("1.1.1.1".parse().unwrap());
        assert_eq!(out.ip.as_ref(), Some(&fresh));
        e.enrich(&login, &mut out);
        assert_eq!(out.ip.as_ref().and_then(|i| i.asn), Some(15169));
    }
}
