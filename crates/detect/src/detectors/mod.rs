//! The detectors: one file per RED_FLAGS.md id, each with its config (and
//! documented default thresholds) at the top and its tests at the bottom.
//!
//! A detector sees every event once ([`Detector::observe`]), keeps bounded
//! state keyed by account, person or identifier, and emits evidence when the
//! stream ends ([`Detector::finish`]), when all claims are known.

pub mod context;

pub mod ep_jiggler;
pub mod ep_kvm;
pub mod ep_locale;
pub mod ep_rmm;
pub mod ep_serial;
pub mod git_backdated;
pub mod git_tz;
pub mod hire_availability;
pub mod hire_no_video;
pub mod hire_ref_unverified;
pub mod hire_referral_ring;
pub mod hire_third_party;
pub mod id_doc_invalid;
pub mod id_doc_reuse;
pub mod id_inconsistent;
pub mod id_lang;
pub mod id_odd_combo;
pub mod id_reused_contact;
pub mod id_sanctions;
pub mod net_fanin;
pub mod net_geo_mismatch;
pub mod net_hours;
pub mod net_long_session;
pub mod net_mfa_fanin;
pub mod net_multi_geo;
pub mod net_travel;
pub mod net_vpn;
pub mod pay_churn;
pub mod pay_crypto;
pub mod pay_name_mismatch;
pub mod pay_risky_bank;
pub mod pay_sanctioned_wallet;
pub mod pay_shared;
pub mod plat_shared_device;
pub mod ship_addr_mismatch;
pub mod ship_farm;
pub mod ship_forwarder;

#[cfg(test)]
pub(crate) mod testkit;

use molehunt_model::{Enrichment, Event, Evidence, Severity, Time};

pub use context::{AccountIx, Context, DeviceIx, IpIx, PersonIx};

use crate::util::samples::Samples;

/// One event as a detector sees it: the event, its enrichment and the
/// identities the analyzer resolved for it.
#[derive(Debug, Clone, Copy)]
pub struct Obs<'a> {
    pub event: &'a Event,
    pub enrichment: &'a Enrichment,
    /// The person the event is about (named directly, or through its account).
    pub person: Option<PersonIx>,
    /// The account of login, activity, commit and account records.
    pub account: Option<AccountIx>,
    /// The event's time, if it has one.
    pub ts: Option<Time>,
    /// The IP address of login and activity events ([`Context::ip`] gives the address).
    pub ip: Option<IpIx>,
    /// The device of login (`device_id`) and device report events ([`Context::device_id`]).
    pub device: Option<DeviceIx>,
}

/// A stateful detector of one red flag.
pub trait Detector: Send {
    /// The RED_FLAGS.md id (`NET-VPN`).
    fn id(&self) -> &'static str;
    /// The record types (`type` names of EVENTS.md) this detector reads; the
    /// analyzer forwards only those (an empty list: it reads only the context at the end).
    fn kinds(&self) -> &'static [&'static str] {
        molehunt_model::RECORD_TYPES
    }
    /// Sees one event (all untimed upserts first, then timed events in time order).
    fn observe(&mut self, ctx: &Context, obs: &Obs<'_>);
    /// Emits the evidence found, once the stream has ended.
    fn finish(&mut self, ctx: &Context, out: &mut Vec<Evidence>);
    /// Runs after every detector finished, with all their (merged) evidence:
    /// for flags that depend on other flags (HIRE-REFERRAL-RING).
    fn after(&mut self, _ctx: &Context, _evidence: &[Evidence], _out: &mut Vec<Evidence>) {}
}

/// Builds one piece of evidence.
pub fn evidence(
    flag: &str,
    ctx: &Context,
    person: PersonIx,
    severity: Severity,
    detail: String,
    samples: &Samples,
    at: Option<Time>,
) -> Evidence {
    Evidence {
        flag: flag.to_string(),
        person_id: ctx.person_id(person).to_string(),
        severity,
        detail,
        events: samples.to_vec(),
        at,
        related: Vec::new(),
    }
}

/// The ids of other persons, for [`Evidence::related`].
pub fn related(ctx: &Context, persons: &[PersonIx], except: PersonIx) -> Vec<String> {
    persons
        .iter()
        .filter(|&&p| p != except)
        .map(|&p| ctx.person_id(p).to_string())
        .collect()
}

/// Lists at most `n` items, then "and k more".
pub fn list_some<T: AsRef<str>>(items: &[T], n: usize) -> String {
    let mut s: Vec<&str> = items.iter().take(n).map(AsRef::as_ref).collect();
    let more = items.len().saturating_sub(n);
    let mut out = s.join(", ");
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    s.clear();
    out
}

/// Per-index state (accounts, persons) that grows on demand.
#[derive(Debug, Clone)]
pub struct IxVec<T>(pub Vec<T>);

impl<T> Default for IxVec<T> {
    fn default() -> Self {
        IxVec(Vec::new())
    }
}

impl<T: Default> IxVec<T> {
    /// The state of index `ix`, created with `T::default()` on first use.
    pub fn at(&mut self, ix: u32) -> &mut T {
        let i = ix as usize;
        if self.0.len() <= i {
            self.0.resize_with(i + 1, T::default);
        }
        &mut self.0[i]
    }

    /// `(index, state)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.0.iter().enumerate().map(|(i, t)| (i as u32, t))
    }
}

/// A small set of persons with one sample set each, for "identifier -> persons"
/// detectors; bounded to `cap` persons (beyond that only the count grows).
#[derive(Debug, Clone, Default)]
pub struct PersonSet {
    pub members: Vec<(PersonIx, Samples)>,
    /// The first person added (also `members[0]`), inline: checking it reads no other memory.
    pub first: Option<PersonIx>,
    /// Distinct persons seen, including those beyond the cap.
    pub distinct: u32,
    pub last: Option<Time>,
}

impl PersonSet {
    pub fn add(&mut self, p: PersonIx, event_id: &str, ts: Option<Time>, cap: usize) {
        if ts.is_some() {
            self.last = ts;
        }
        if let Some((_, s)) = self.members.iter_mut().find(|(q, _)| *q == p) {
            s.push(event_id);
            return;
        }
        self.distinct += 1;
        if self.first.is_none() {
            self.first = Some(p);
        }
        if self.members.len() < cap {
            let mut s = Samples::default();
            s.push(event_id);
            self.members.push((p, s));
        }
    }

    pub fn persons(&self) -> Vec<PersonIx> {
        self.members.iter().map(|(p, _)| *p).collect()
    }

    /// All members' samples together (bounded).
    pub fn samples(&self) -> Samples {
        let mut all = Samples::default();
        for (_, s) in &self.members {
            all.merge(s);
        }
        all
    }
}
