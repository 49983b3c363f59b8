//! What link analysis remembers while events stream by: per identifier value
//! the (few) persons that used it, per IP the persons and time windows. State
//! grows with identifiers and persons, never with events.

use std::net::IpAddr;

use molehunt_model::{Enrichment, Event, Record};
use rustc_hash::FxHashMap;

use crate::util::idmap::IdMap;

use super::ip::IpEntry;
use super::{LinkKind, normalize};

/// One person's use of one identifier value.
#[derive(Debug, Clone, Default)]
pub(super) struct Member {
    pub person: u32,
    pub events: Vec<String>,
}

/// The persons behind one identifier value.
#[derive(Debug, Clone, Default)]
pub(super) struct ValueEntry {
    pub hub: bool,
    pub persons_seen: usize,
    pub members: Vec<Member>,
}

/// How many persons a value remembers before it is certainly a hub. The
/// configured hub thresholds (which may be lower) apply when networks are built,
/// so a state made with `LinkState::default()` honours any configuration up to
/// this bound.
pub(super) const STORE_MAX_PERSONS: usize = 64;
/// Event ids kept per person and value.
pub(super) const EVENTS_PER_PERSON: usize = 2;

/// Marks an account with no account record seen yet.
const NO_PERSON: u32 = u32::MAX;

/// Link-analysis state fed by [`LinkState::observe`].
#[derive(Debug, Default)]
pub struct LinkState {
    pub(super) person_index: IdMap<u32>,
    pub(super) person_ids: Vec<String>,
    /// The account numbering of [`LinkState::observe`] (the analyzer brings its own).
    account_index: IdMap<u32>,
    /// Account number -> person of its latest account record (`NO_PERSON` if none).
    account_person: Vec<u32>,
    /// Per link kind (`LinkKind as usize`), the identifier values.
    pub(super) values: [IdMap<ValueEntry>; LinkKind::ALL.len()],
    /// Per IP number (the caller's numbering, see [`LinkState::observe_account`]),
    /// the address and its uses; numbers never used stay empty.
    pub(super) ips: Vec<(IpAddr, IpEntry)>,
    /// The IP numbering of [`LinkState::observe`] (the analyzer brings its own).
    ip_index: FxHashMap<IpAddr, u32>,
    /// Per account number, (person, raw commit author email) whose email link
    /// is settled (see [`LinkState::add`]).
    commit_email: Vec<Option<(u32, Box<str>)>>,
    /// Per device number (the caller's numbering), the person whose device
    /// link is settled (`NO_PERSON` if none): adding it again is a no-op.
    device_settled: Vec<u32>,
    store_max: usize,
}

impl LinkState {
    /// A state sized for `config`: values remember enough persons to apply
    /// its hub thresholds. `LinkState::default()` suits thresholds up to 64.
    pub fn with_config(config: &super::LinkConfig) -> Self {
        LinkState {
            store_max: config.max_threshold(),
            ..LinkState::default()
        }
    }

    fn store_max(&self) -> usize {
        self.store_max.max(STORE_MAX_PERSONS)
    }

    /// Number of persons seen.
    pub fn person_count(&self) -> usize {
        self.person_ids.len()
    }

    /// Number of distinct identifier values (plus IP addresses) held.
    pub fn value_count(&self) -> usize {
        let ips = self
            .ips
            .iter()
            .filter(|(_, e)| e.hub || e.use_count() > 0)
            .count();
        self.values.iter().map(|m| m.len()).sum::<usize>() + ips
    }

    fn person(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.person_index.get(id) {
            return i;
        }
        let i = self.person_ids.len() as u32;
        self.person_ids.push(id.to_string());
        self.person_index.insert(id, i);
        i
    }

    /// The person of account number `account`, as of its latest account record.
    fn account_person(&self, account: Option<u32>) -> Option<u32> {
        let p = *self.account_person.get(account? as usize)?;
        (p != NO_PERSON).then_some(p)
    }

    fn set_account_person(&mut self, account: u32, person: u32) {
        let i = account as usize;
        if self.account_person.len() <= i {
            self.account_person.resize(i + 1, NO_PERSON);
        }
        self.account_person[i] = person;
    }

    /// Records that `person` used `value` of `kind`. True when the value can
    /// no longer change for this person (a hub, or its event sample is full):
    /// adding it again is a no-op.
    fn add<S: AsRef<str>>(
        &mut self,
        kind: LinkKind,
        value: Option<S>,
        person: u32,
        event: &str,
    ) -> bool {
        let Some(value) = value else { return false };
        let value = value.as_ref();
        let max = self.store_max();
        let map = &mut self.values[kind as usize];
        // look up by `&str` first: no key allocation for a value seen before
        if let Some(entry) = map.get_mut(value) {
            return add_member(entry, person, event, max);
        }
        add_member(
            map.get_or_insert(value, ValueEntry::default()),
            person,
            event,
            max,
        )
    }

    /// Records that `person` used device `raw` (numbered `n` by the caller, if given).
    fn add_device(&mut self, raw: &str, n: Option<u32>, person: u32, event: &str) {
        let Some(n) = n else {
            self.add(LinkKind::Device, Some(device(raw)), person, event);
            return;
        };
        let i = n as usize;
        // a settled device needs no lookup
        if self.device_settled.get(i) == Some(&person) {
            return;
        }
        if self.add(LinkKind::Device, Some(device(raw)), person, event) {
            if self.device_settled.len() <= i {
                self.device_settled.resize(i + 1, NO_PERSON);
            }
            self.device_settled[i] = person;
        }
    }

    /// The commit author email of account `n` is known to be settled for `person`.
    fn commit_email_settled(&self, n: u32, person: u32, raw: &str) -> bool {
        self.commit_email
            .get(n as usize)
            .and_then(Option::as_ref)
            .is_some_and(|(p, r)| *p == person && **r == *raw)
    }

    fn settle_commit_email(&mut self, n: u32, person: u32, raw: &str) {
        let i = n as usize;
        if self.commit_email.len() <= i {
            self.commit_email.resize(i + 1, None);
        }
        self.commit_email[i] = Some((person, raw.into()));
    }

    fn add_ip(
        &mut self,
        ip: IpAddr,
        n: u32,
        person: u32,
        ts: i64,
        event: &str,
        enrichment: &Enrichment,
    ) {
        let max = self.store_max();
        let hour = (ts.max(0) / 3600).min(i64::from(u32::MAX)) as u32;
        let i = n as usize;
        if self.ips.len() <= i {
            self.ips
                .resize_with(i + 1, || (IpAddr::from([0u8; 4]), IpEntry::default()));
        }
        let (addr, entry) = &mut self.ips[i];
        *addr = ip;
        if enrichment
            .ip
            .as_ref()
            .is_some_and(|i| i.class.is_anonymizing())
        {
            entry.anonymizing = true;
        }
        entry.record(person, hour, event, max, EVENTS_PER_PERSON);
    }

    /// Takes in one event (persons and accounts before the events naming them).
    pub fn observe(&mut self, event: &Event, enrichment: &Enrichment) {
        let account = match &event.record {
            Record::Account(a) => Some(match self.account_index.get(&a.account_id) {
                Some(&n) => n,
                None => {
                    let n = self.account_index.len() as u32;
                    self.account_index.insert(&a.account_id, n);
                    n
                }
            }),
            r => r
                .account_id()
                .and_then(|id| self.account_index.get(id).copied()),
        };
        let ip = match &event.record {
            Record::Login(l) => Some(l.ip),
            Record::Activity(a) => a.ip,
            _ => None,
        }
        .map(|ip| {
            let next = self.ip_index.len() as u32;
            *self.ip_index.entry(ip).or_insert(next)
        });
        self.observe_account(event, enrichment, account, ip, None);
    }

    /// [`LinkState::observe`] with the event's account, IP address and device
    /// already numbered by the caller (account, login, activity and commit
    /// records; login and device report devices; the same number for the same
    /// account id, address or raw device id, always from the same numbering).
    pub(crate) fn observe_account(
        &mut self,
        event: &Event,
        enrichment: &Enrichment,
        account: Option<u32>,
        ip: Option<u32>,
        device_n: Option<u32>,
    ) {
        let id = event.id.as_str();
        match &event.record {
            Record::Person(p) => {
                let i = self.person(&p.person_id);
                self.add(
                    LinkKind::Email,
                    p.email.as_deref().and_then(normalize::email),
                    i,
                    id,
                );
                self.add(
                    LinkKind::Phone,
                    p.phone.as_deref().and_then(normalize::phone),
                    i,
                    id,
                );
                self.add(
                    LinkKind::Photo,
                    p.photo_hash.as_deref().and_then(normalize::hash),
                    i,
                    id,
                );
            }
            Record::Account(a) => {
                let i = self.person(&a.person_id);
                if let Some(n) = account {
                    self.set_account_person(n, i);
                }
                self.add(
                    LinkKind::Email,
                    a.email.as_deref().and_then(normalize::email),
                    i,
                    id,
                );
            }
            Record::Document(d) => {
                let i = self.person(&d.person_id);
                let ty = doc_type(d.doc_type);
                let country = d.issuing_country.as_deref().unwrap_or("").to_uppercase();
                let number = d
                    .number
                    .as_deref()
                    .and_then(normalize::doc_number)
                    .map(|n| format!("{ty}:{country}:{n}"))
                    .or_else(|| {
                        d.number_hash
                            .as_deref()
                            .and_then(normalize::hash)
                            .map(|h| format!("{ty}:#{h}"))
                    });
                self.add(LinkKind::Document, number, i, id);
                self.add(
                    LinkKind::Photo,
                    d.photo_hash.as_deref().and_then(normalize::hash),
                    i,
                    id,
                );
                self.add(
                    LinkKind::DocumentAddress,
                    d.address.as_ref().and_then(normalize::address),
                    i,
                    id,
                );
            }
            Record::PayoutMethod(m) => {
                let i = self.person(&m.person_id);
                self.payment(
                    i,
                    id,
                    m.account_hash.as_deref(),
                    m.wallet.as_ref(),
                    m.provider_account.as_deref(),
                );
            }
            Record::Payout(p) => {
                let i = self.person(&p.person_id);
                self.payment(
                    i,
                    id,
                    p.account_hash.as_deref(),
                    p.wallet.as_ref(),
                    p.provider_account.as_deref(),
                );
            }
            Record::Login(l) => {
                let Some(i) = self.account_person(account) else {
                    return;
                };
                if let Some(raw) = l.device_id.as_deref() {
                    self.add_device(raw, device_n, i, id);
                }
                self.add(
                    LinkKind::MfaDevice,
                    l.mfa_device_id.as_deref().map(device),
                    i,
                    id,
                );
                if l.success
                    && let Some(n) = ip
                {
                    self.add_ip(l.ip, n, i, l.ts.unix(), id, enrichment);
                }
            }
            Record::Activity(a) => {
                if let (Some(addr), Some(n), Some(i)) = (a.ip, ip, self.account_person(account)) {
                    self.add_ip(addr, n, i, a.ts.unix(), id, enrichment);
                }
            }
            Record::DeviceReport(d) => {
                if let Some(p) = &d.person_id {
                    let i = self.person(p);
                    self.add_device(&d.device_id, device_n, i, id);
                }
            }
            Record::Shipment(s) => {
                let i = self.person(&s.person_id);
                self.add(
                    LinkKind::ShippingAddress,
                    normalize::address(&s.address),
                    i,
                    id,
                );
            }
            Record::Commit(c) => {
                let (Some(i), Some(n)) = (self.account_person(account), account) else {
                    return;
                };
                let Some(raw) = c.author_email.as_deref() else {
                    return;
                };
                // a settled value needs no normalising, allocating or lookup
                if self.commit_email_settled(n, i, raw) {
                    return;
                }
                if self.add(LinkKind::Email, normalize::email(raw), i, id) {
                    self.settle_commit_email(n, i, raw);
                }
            }
            Record::Interview(x) => {
                self.person(&x.person_id);
            }
            Record::ReferenceCheck(x) => {
                self.person(&x.person_id);
            }
            Record::Referral(x) => {
                self.person(&x.person_id);
            }
        }
    }

    fn payment(
        &mut self,
        i: u32,
        id: &str,
        account_hash: Option<&str>,
        wallet: Option<&molehunt_model::Wallet>,
        provider: Option<&str>,
    ) {
        self.add(
            LinkKind::BankAccount,
            account_hash.and_then(normalize::hash),
            i,
            id,
        );
        self.add(LinkKind::Wallet, wallet.and_then(normalize::wallet), i, id);
        self.add(
            LinkKind::PaymentAccount,
            provider.and_then(normalize::provider_account),
            i,
            id,
        );
    }
}

/// Records that `person` used a value, unless the value is a hub. True when
/// adding it again for `person` would change nothing.
fn add_member(entry: &mut ValueEntry, person: u32, event: &str, max: usize) -> bool {
    if entry.hub {
        return true;
    }
    if let Some(m) = entry.members.iter_mut().find(|m| m.person == person) {
        if m.events.len() < EVENTS_PER_PERSON && !m.events.iter().any(|e| e == event) {
            m.events.push(event.to_string());
        }
        return m.events.len() >= EVENTS_PER_PERSON;
    }
    entry.persons_seen += 1;
    if entry.members.len() >= max {
        // INVARIANT: a hub keeps no members, so it can never link anyone.
        entry.hub = true;
        entry.members = Vec::new();
        return true;
    }
    entry.members.push(Member {
        person,
        events: vec![event.to_string()],
    });
    EVENTS_PER_PERSON <= 1
}

fn doc_type(t: molehunt_model::DocType) -> &'static str {
    use molehunt_model::DocType;
    match t {
        DocType::Passport => "passport",
        DocType::NationalId => "national_id",
        DocType::DriversLicense => "drivers_license",
        DocType::Ssn => "ssn",
        DocType::Visa => "visa",
        DocType::Diploma => "diploma",
        DocType::Other => "other",
    }
}

fn device(raw: &str) -> &str {
    raw.trim()
}
