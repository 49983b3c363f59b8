//! Where the gate learns a subject's current risk and the class of a request IP.
//!
//! Small traits so the decision point works with the real store and IP intelligence and with
//! in-memory sources in tests.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use molehunt_model::{IpClass, RiskLevel};
use serde::{Deserialize, Serialize};

/// A person's current risk, as the core pipeline scored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskInfo {
    pub person_id: String,
    pub score: u8,
    pub level: RiskLevel,
    pub network_id: Option<String>,
    /// Active flag ids (e.g. `IDENT-001`).
    pub flags: Vec<String>,
}

/// Looks up the risk of the person behind a subject id (a person id or one of its account ids).
pub trait RiskSource: Send + Sync {
    fn person_risk(&self, subject_id: &str) -> Result<Option<RiskInfo>, String>;

    /// The same, with the Cedar record the decision point puts in the context, shared: a
    /// caching source ([`CachedRisk`]) builds both once per lookup, not per decision.
    fn risk_facts(&self, subject_id: &str) -> Result<Option<Arc<RiskFacts>>, String> {
        Ok(self.person_risk(subject_id)?.map(RiskFacts::new))
    }
}

/// A person's risk with its Cedar form (the `risk` context record).
#[derive(Debug)]
pub struct RiskFacts {
    pub info: RiskInfo,
    pub(crate) value: cedar_policy_core::ast::Value,
}

impl RiskFacts {
    pub fn new(info: RiskInfo) -> Arc<RiskFacts> {
        let value = crate::values::risk(Some(&info));
        Arc::new(RiskFacts { info, value })
    }
}

/// Classifies an IP address (hosting, VPN, Tor or other).
pub trait IpClassifier: Send + Sync {
    fn class(&self, ip: IpAddr) -> IpClass;
}

impl IpClassifier for molehunt_intel::IpIntel {
    fn class(&self, ip: IpAddr) -> IpClass {
        molehunt_intel::IpIntel::class(self, ip)
    }
}

/// A fixed table of risks, keyed by every id that maps to the person (tests, demos).
#[derive(Debug, Default)]
pub struct MemoryRisk {
    by_id: HashMap<String, RiskInfo>,
}

impl MemoryRisk {
    pub fn new() -> Self {
        MemoryRisk::default()
    }

    /// Register `risk` under its person id and the given account ids.
    pub fn insert(&mut self, risk: RiskInfo, account_ids: &[&str]) {
        for id in account_ids {
            self.by_id.insert((*id).to_string(), risk.clone());
        }
        self.by_id.insert(risk.person_id.clone(), risk);
    }
}

impl RiskSource for MemoryRisk {
    fn person_risk(&self, subject_id: &str) -> Result<Option<RiskInfo>, String> {
        Ok(self.by_id.get(subject_id).cloned())
    }
}

/// A fixed IP class table (tests).
#[derive(Debug, Default)]
pub struct MemoryIpClasses(pub HashMap<IpAddr, IpClass>);

impl IpClassifier for MemoryIpClasses {
    fn class(&self, ip: IpAddr) -> IpClass {
        self.0.get(&ip).copied().unwrap_or_default()
    }
}

/// Caches another source's answers for a short time: scores change when the pipeline rescores,
/// not per request, and the decision path should not query the database each time.
pub struct CachedRisk {
    inner: Arc<dyn RiskSource>,
    ttl: Duration,
    cache: Mutex<rustc_hash::FxHashMap<String, CachedEntry>>,
}

/// When a subject's risk was looked up, and what it was.
type CachedEntry = (Instant, Option<Arc<RiskFacts>>);

const CACHE_LIMIT: usize = 100_000;

impl CachedRisk {
    pub fn new(inner: Arc<dyn RiskSource>, ttl: Duration) -> Self {
        CachedRisk {
            inner,
            ttl,
            cache: Mutex::new(Default::default()),
        }
    }
}

impl RiskSource for CachedRisk {
    fn person_risk(&self, subject_id: &str) -> Result<Option<RiskInfo>, String> {
        Ok(self.risk_facts(subject_id)?.map(|f| f.info.clone()))
    }

    fn risk_facts(&self, subject_id: &str) -> Result<Option<Arc<RiskFacts>>, String> {
        let now = Instant::now();
        if let Ok(cache) = self.cache.lock()
            && let Some((at, risk)) = cache.get(subject_id)
            && now.duration_since(*at) < self.ttl
        {
            return Ok(risk.clone());
        }
        let risk = self.inner.risk_facts(subject_id)?;
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(subject_id.to_string(), (now, risk.clone()));
        }
        Ok(risk)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct Counting(Mutex<u32>);
    impl RiskSource for Counting {
        fn person_risk(&self, id: &str) -> Result<Option<RiskInfo>, String> {
            *self.0.lock().unwrap() += 1;
            Ok(Some(RiskInfo {
                person_id: id.into(),
                score: 1,
                level: RiskLevel::Low,
                network_id: None,
                flags: vec![],
            }))
        }
    }

    #[test]
    fn cache_answers_repeated_lookups() {
        let inner = Arc::new(Counting(Mutex::new(0)));
        let cached = CachedRisk::new(inner.clone(), Duration::from_secs(60));
        for _ in 0..5 {
            assert_eq!(cached.person_risk("p1").unwrap().unwrap().person_id, "p1");
        }
        assert_eq!(*inner.0.lock().unwrap(), 1);
    }

    #[test]
    fn memory_risk_maps_accounts_to_person() {
        let mut m = MemoryRisk::new();
        m.insert(
            RiskInfo {
                person_id: "P1".into(),
                score: 90,
                level: RiskLevel::Critical,
                network_id: None,
                flags: vec![],
            },
            &["acct-1"],
        );
        assert_eq!(m.person_risk("acct-1").unwrap().unwrap().person_id, "P1");
        assert!(m.person_risk("nobody").unwrap().is_none());
    }
}
