//! NET-MFA-FANIN: one MFA device completes MFA for several persons.
//!
//! Logic: MFA device id (login `mfa_device_id`) -> distinct persons (through
//! the login's account). At least `min_persons` (default 2) distinct persons
//! fire the flag (high): one operator holding the authenticators of several
//! identities. Persons are counted, not accounts: one person's several
//! accounts on one phone are normal.
//!
//! Source: MS (Microsoft, Jasper Sleet).

use molehunt_model::{Evidence, Record, Severity};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::{Context, Detector, Obs, PersonSet, evidence, list_some, related};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetMfaFaninConfig {
    pub enabled: bool,
    /// Distinct persons on one MFA device that fire the flag (default 2).
    pub min_persons: u32,
}

impl Default for NetMfaFaninConfig {
    fn default() -> Self {
        NetMfaFaninConfig {
            enabled: true,
            min_persons: 2,
        }
    }
}

pub struct NetMfaFanin {
    cfg: NetMfaFaninConfig,
    devices: FxHashMap<Box<str>, PersonSet>,
}

impl NetMfaFanin {
    pub fn new(cfg: NetMfaFaninConfig) -> Self {
        NetMfaFanin {
            cfg,
            devices: FxHashMap::default(),
        }
    }
}

impl Detector for NetMfaFanin {
    fn id(&self) -> &'static str {
        "NET-MFA-FANIN"
    }

    fn kinds(&self) -> &'static [&'static str] {
        &["login"]
    }

    fn observe(&mut self, _ctx: &Context, obs: &Obs<'_>) {
        let Record::Login(l) = &obs.event.record else {
            return;
        };
        let (Some(dev), Some(p)) = (l.mfa_device_id.as_deref(), obs.person) else {
            return;
        };
        match self.devices.get_mut(dev) {
            Some(set) => set.add(p, &obs.event.id, obs.ts, 32),
            None => {
                let mut set = PersonSet::default();
                set.add(p, &obs.event.id, obs.ts, 32);
                self.devices.insert(dev.into(), set);
            }
        }
    }

    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>) {
        for (dev, set) in &self.devices {
            if set.distinct < self.cfg.min_persons {
                continue;
            }
            let persons = set.persons();
            let mut ids: Vec<&str> = persons.iter().map(|&p| ctx.person_id(p)).collect();
            ids.sort_unstable(); // order of arrival must not change the evidence
            for (p, samples) in &set.members {
                let detail = format!(
                    "MFA device `{dev}` completed MFA for {} persons ({})",
                    set.distinct,
                    list_some(&ids, 6)
                );
                let mut e = evidence(
                    self.id(),
                    ctx,
                    *p,
                    Severity::High,
                    detail,
                    samples,
                    set.last,
                );
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

    fn mfa(acc: &str, m: i64, dev: &str) -> String {
        format!(
            r#"{{"type":"login","account_id":"{acc}","ts":"{}","ip":"198.51.100.1","mfa_device_id":"{dev}"}}"#,
            t(m)
        )
    }

    #[test]
    fn one_phone_two_people() {
        let items = plain(&[
            account("a1", "p1"),
            account("a2", "p2"),
            mfa("a1", 0, "phone-1"),
            mfa("a2", 5, "phone-1"),
        ]);
        let ev = run(&mut NetMfaFanin::new(NetMfaFaninConfig::default()), &items);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].related.len(), 1);
    }

    #[test]
    fn one_person_several_accounts_is_fine() {
        let items = plain(&[
            account("a1", "p1"),
            account("a2", "p1"),
            mfa("a1", 0, "phone-1"),
            mfa("a2", 5, "phone-1"),
        ]);
        assert!(run(&mut NetMfaFanin::new(NetMfaFaninConfig::default()), &items).is_empty());
    }
}
