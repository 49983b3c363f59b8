//! What detectors know besides the event in hand: the latest upsert of every
//! person, the account -> person map, documents, referrals. Ids are interned
//! once so per-event state is keyed by small integers.

use std::net::IpAddr;

use crate::util::idmap::IdMap;
use molehunt_model::{Document, Person, Record, Time};
use rustc_hash::FxHashMap;

/// An interned person (index into [`Context::persons`]).
pub type PersonIx = u32;
/// An interned account (index into [`Context::accounts`]).
pub type AccountIx = u32;
/// An interned IP address (index into [`Context::ips`]).
pub type IpIx = u32;
/// An interned device id (login `device_id`, device report `device_id`).
pub type DeviceIx = u32;

/// Documents kept per person (upserts beyond this are ignored for comparison).
const MAX_DOCS: usize = 16;

#[derive(Debug, Clone)]
pub struct PersonEntry {
    pub id: Box<str>,
    /// The latest `person` upsert, if any.
    pub person: Option<Box<Person>>,
    /// Documents of the person: (event id, document).
    pub documents: Vec<(Box<str>, Document)>,
    /// Who referred the person (from the person record or a referral event).
    pub referred_by: Option<PersonIx>,
}

#[derive(Debug, Clone)]
pub struct AccountEntry {
    pub id: Box<str>,
    pub person: Option<PersonIx>,
    pub created_at: Option<Time>,
    pub system: Option<String>,
}

/// Shared, slowly changing state: identities and their claims.
#[derive(Debug, Default)]
pub struct Context {
    person_ix: IdMap<PersonIx>,
    pub persons: Vec<PersonEntry>,
    account_ix: IdMap<AccountIx>,
    pub accounts: Vec<AccountEntry>,
    /// `accounts[i].person`, densely: the per-event lookup reads 8 bytes, not a whole entry.
    account_persons: Vec<Option<PersonIx>>,
    device_ix: IdMap<DeviceIx>,
    /// Per device, its id and the person it was last seen with.
    devices: Vec<(Box<str>, Option<PersonIx>)>,
    /// IP address -> index, IPv4 and IPv6 apart (integer keys hash in a few instructions).
    ip4_ix: FxHashMap<u32, IpIx>,
    ip6_ix: FxHashMap<u128, IpIx>,
    /// The distinct IP addresses of login and activity events, in order of first sight.
    pub ips: Vec<IpAddr>,
    /// The latest event time seen (the analysis' "now", e.g. for document expiry).
    pub now: Option<Time>,
}

impl Context {
    /// The index of a person id, interning it on first sight.
    pub fn intern_person(&mut self, id: &str) -> PersonIx {
        if let Some(&ix) = self.person_ix.get(id) {
            return ix;
        }
        let ix = self.persons.len() as PersonIx;
        self.persons.push(PersonEntry {
            id: id.into(),
            person: None,
            documents: Vec::new(),
            referred_by: None,
        });
        self.person_ix.insert(id, ix);
        ix
    }

    /// The index of an account id, interning it on first sight.
    pub fn intern_account(&mut self, id: &str) -> AccountIx {
        if let Some(&ix) = self.account_ix.get(id) {
            return ix;
        }
        let ix = self.accounts.len() as AccountIx;
        self.account_persons.push(None);
        self.accounts.push(AccountEntry {
            id: id.into(),
            person: None,
            created_at: None,
            system: None,
        });
        self.account_ix.insert(id, ix);
        ix
    }

    /// The index of an IP address, interning it on first sight.
    pub fn intern_ip(&mut self, ip: IpAddr) -> IpIx {
        let next = self.ips.len() as IpIx;
        let ix = *match ip {
            IpAddr::V4(a) => self.ip4_ix.entry(u32::from(a)).or_insert(next),
            IpAddr::V6(a) => self.ip6_ix.entry(u128::from(a)).or_insert(next),
        };
        if ix == next {
            self.ips.push(ip);
        }
        ix
    }

    /// The IP address of an index.
    pub fn ip(&self, ix: IpIx) -> Option<IpAddr> {
        self.ips.get(ix as usize).copied()
    }

    /// The IP address a login or activity event came from, interned.
    pub(crate) fn event_ip(&mut self, record: &Record) -> Option<IpIx> {
        match record {
            Record::Login(l) => Some(self.intern_ip(l.ip)),
            Record::Activity(a) => a.ip.map(|ip| self.intern_ip(ip)),
            _ => None,
        }
    }

    pub fn person_ix(&self, id: &str) -> Option<PersonIx> {
        self.person_ix.get(id).copied()
    }

    pub fn account_ix(&self, id: &str) -> Option<AccountIx> {
        self.account_ix.get(id).copied()
    }

    /// The person id string of an index.
    pub fn person_id(&self, p: PersonIx) -> &str {
        self.persons.get(p as usize).map(|e| &*e.id).unwrap_or("")
    }

    /// The latest person record of an index.
    pub fn person(&self, p: PersonIx) -> Option<&Person> {
        self.persons.get(p as usize)?.person.as_deref()
    }

    pub fn entry(&self, p: PersonIx) -> Option<&PersonEntry> {
        self.persons.get(p as usize)
    }

    /// The person an account belongs to (as known now).
    pub fn account_person(&self, a: AccountIx) -> Option<PersonIx> {
        *self.account_persons.get(a as usize)?
    }

    pub fn account(&self, a: AccountIx) -> Option<&AccountEntry> {
        self.accounts.get(a as usize)
    }

    /// The person's full name, if a person record was seen.
    pub fn full_name(&self, p: PersonIx) -> Option<&str> {
        self.person(p).map(|x| x.full_name.as_str())
    }

    pub(crate) fn set_person(&mut self, p: PersonIx, person: &Person) {
        let referrer = person.referred_by.as_deref().map(|r| self.intern_person(r));
        if let Some(e) = self.persons.get_mut(p as usize) {
            e.person = Some(Box::new(person.clone()));
            if referrer.is_some() {
                e.referred_by = referrer;
            }
        }
    }

    pub(crate) fn set_referrer(&mut self, p: PersonIx, referrer: PersonIx) {
        if let Some(e) = self.persons.get_mut(p as usize) {
            e.referred_by = Some(referrer);
        }
    }

    pub(crate) fn add_document(&mut self, p: PersonIx, event_id: &str, doc: &Document) {
        if let Some(e) = self.persons.get_mut(p as usize) {
            // an upsert of the same document (type + number) replaces it
            let key = |d: &Document| (d.doc_type, d.number.clone(), d.number_hash.clone());
            if let Some(slot) = e.documents.iter_mut().find(|(_, d)| key(d) == key(doc)) {
                *slot = (event_id.into(), doc.clone());
            } else if e.documents.len() < MAX_DOCS {
                e.documents.push((event_id.into(), doc.clone()));
            }
        }
    }

    pub(crate) fn set_account(&mut self, a: AccountIx, p: PersonIx, acc: &molehunt_model::Account) {
        if let Some(e) = self.accounts.get_mut(a as usize) {
            e.person = Some(p);
            if let Some(slot) = self.account_persons.get_mut(a as usize) {
                *slot = Some(p);
            }
            if acc.created_at.is_some() {
                e.created_at = acc.created_at;
            }
            if acc.system.is_some() {
                e.system = acc.system.clone();
            }
        }
    }

    /// The person a device was last seen with (device report or login).
    pub fn device_person(&self, device_id: &str) -> Option<PersonIx> {
        let ix = *self.device_ix.get(device_id)?;
        self.devices.get(ix as usize)?.1
    }

    /// The index of a device id, interning it on first sight.
    pub fn intern_device(&mut self, device_id: &str) -> DeviceIx {
        if let Some(&ix) = self.device_ix.get(device_id) {
            return ix;
        }
        let ix = self.devices.len() as DeviceIx;
        self.devices.push((device_id.into(), None));
        self.device_ix.insert(device_id, ix);
        ix
    }

    /// The id of a device index.
    pub fn device_id(&self, ix: DeviceIx) -> &str {
        self.devices.get(ix as usize).map(|d| &*d.0).unwrap_or("")
    }

    /// The person a device index was last seen with.
    pub fn device_ix_person(&self, ix: DeviceIx) -> Option<PersonIx> {
        self.devices.get(ix as usize)?.1
    }

    pub(crate) fn set_device_person(&mut self, ix: DeviceIx, p: PersonIx) {
        if let Some(d) = self.devices.get_mut(ix as usize) {
            d.1 = Some(p);
        }
    }

    /// The claimed country of a person (claimed_country, else address country), upper-case.
    pub fn claimed_country(&self, p: PersonIx) -> Option<String> {
        let person = self.person(p)?;
        person
            .claimed_country
            .as_deref()
            .or_else(|| person.address.as_ref().and_then(|a| a.country.as_deref()))
            .map(|c| c.trim().to_ascii_uppercase())
    }

    /// The reference instant for claimed-timezone offsets: the latest event time, or now.
    pub fn reference_time(&self) -> jiff::Timestamp {
        self.now.map(|t| t.utc).unwrap_or_else(jiff::Timestamp::now)
    }
}
