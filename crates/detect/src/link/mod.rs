//! Link analysis: identities joined by shared strong identifiers form networks.
//!
//! [`LinkState`] observes the event stream and remembers, per identifier value
//! (payout account hash, wallet, payment account, device, MFA device, document
//! number, photo hash, phone, email, shipping and document address), the few
//! persons that used it, and per IP address the hours each person used it.
//! [`build_networks`] joins persons that share a value (union-find), except
//! through hubs (values shared by more persons than a threshold: a corporate
//! egress IP, a coworking address), and through IP addresses only when two
//! persons were on the same address within a short window on several days.
//! Network ids are stable across rescoring (see [`stable`]). docs/networks.md
//! explains the rules and defaults.

mod ip;
pub mod normalize;
mod stable;
mod state;
mod union_find;

use std::collections::BTreeMap;
use std::net::IpAddr;

use molehunt_model::RiskLevel;
use serde::{Deserialize, Serialize};

pub use stable::{assign_ids, fresh_id};
pub use state::LinkState;
pub use union_find::UnionFind;

/// The kinds of shared identifiers that link persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKind {
    BankAccount,
    Wallet,
    PaymentAccount,
    Device,
    MfaDevice,
    Document,
    Photo,
    Phone,
    Email,
    ShippingAddress,
    DocumentAddress,
    Ip,
}

impl LinkKind {
    pub const ALL: [LinkKind; 12] = [
        LinkKind::BankAccount,
        LinkKind::Wallet,
        LinkKind::PaymentAccount,
        LinkKind::Device,
        LinkKind::MfaDevice,
        LinkKind::Document,
        LinkKind::Photo,
        LinkKind::Phone,
        LinkKind::Email,
        LinkKind::ShippingAddress,
        LinkKind::DocumentAddress,
        LinkKind::Ip,
    ];

    /// The name used in outputs (`bank_account`, `shipping_address`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::BankAccount => "bank_account",
            LinkKind::Wallet => "wallet",
            LinkKind::PaymentAccount => "payment_account",
            LinkKind::Device => "device",
            LinkKind::MfaDevice => "mfa_device",
            LinkKind::Document => "document",
            LinkKind::Photo => "photo",
            LinkKind::Phone => "phone",
            LinkKind::Email => "email",
            LinkKind::ShippingAddress => "shipping_address",
            LinkKind::DocumentAddress => "document_address",
            LinkKind::Ip => "ip",
        }
    }

    /// How the value is shown: sensitive values are masked.
    pub fn display(self, key: &str) -> String {
        match self {
            LinkKind::BankAccount => format!("hash:{}", normalize::prefix(key, 8)),
            LinkKind::Wallet => {
                let head = normalize::prefix(key, 6);
                let tail = normalize::last(key, 4);
                format!("{}{}", head.trim_end_matches('…'), tail)
            }
            LinkKind::PaymentAccount | LinkKind::Email => {
                if key.contains('@') {
                    normalize::mask_email(key)
                } else {
                    normalize::last(key, 4)
                }
            }
            LinkKind::Document => match key.split_once(":#") {
                Some((ty, h)) => format!("{ty} hash:{}", normalize::prefix(h, 8)),
                None => {
                    let (ty, num) = key.rsplit_once(':').unwrap_or(("", key));
                    format!("{} {}", ty.trim_end_matches(':'), normalize::last(num, 4))
                }
            },
            LinkKind::Photo => format!("hash:{}", normalize::prefix(key, 8)),
            LinkKind::Phone => normalize::last(key, 4),
            LinkKind::ShippingAddress | LinkKind::DocumentAddress => normalize::mask_address(key),
            LinkKind::Device | LinkKind::MfaDevice | LinkKind::Ip => key.to_string(),
        }
    }

    fn from_name(s: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Link-analysis thresholds (the `[link]` section of the detection config).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LinkConfig {
    /// A strong identifier (account, wallet, device, phone, email, document,
    /// photo) shared by more persons than this is a hub and links nobody.
    pub hub_max_persons: usize,
    /// The same for shipping and document addresses (coworking spaces, an
    /// employer's office, a mail drop used by a whole town).
    pub address_hub_max_persons: usize,
    /// The same for IP addresses (corporate egress, campus NAT).
    pub ip_hub_max_persons: usize,
    /// Two persons are co-present on an IP when they used it within this many hours.
    pub ip_window_hours: u32,
    /// ... on at least this many distinct UTC days.
    pub ip_min_shared_days: usize,
    /// Whether VPN, hosting and Tor addresses may link (they are shared by strangers).
    pub ip_link_anonymizing: bool,
    /// Known corporate egress ranges (CIDR or single addresses) that never link.
    pub ip_ignore: Vec<String>,
    /// Link kinds that never link (e.g. `["email"]`).
    pub disabled_kinds: Vec<String>,
    /// Supporting event ids kept per link.
    pub max_link_events: usize,
    /// A new network keeps a previous network's id when their memberships
    /// overlap at least this much (Jaccard index).
    pub min_jaccard: f64,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            hub_max_persons: 12,
            address_hub_max_persons: 12,
            ip_hub_max_persons: 12,
            ip_window_hours: 2,
            ip_min_shared_days: 2,
            ip_link_anonymizing: false,
            ip_ignore: Vec::new(),
            disabled_kinds: Vec::new(),
            max_link_events: 12,
            min_jaccard: 0.5,
        }
    }
}

impl LinkConfig {
    /// The largest hub threshold (how many persons a value must remember).
    pub fn max_threshold(&self) -> usize {
        self.hub_max_persons
            .max(self.address_hub_max_persons)
            .max(self.ip_hub_max_persons)
            .saturating_add(1)
    }

    fn hub_max(&self, kind: LinkKind) -> usize {
        match kind {
            LinkKind::ShippingAddress | LinkKind::DocumentAddress => self.address_hub_max_persons,
            LinkKind::Ip => self.ip_hub_max_persons,
            _ => self.hub_max_persons,
        }
    }
}

/// A network of its id and members as stored by the previous scoring run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousNetwork {
    pub network_id: String,
    pub person_ids: Vec<String>,
}

/// One shared identifier joining persons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// `bank_account`, `wallet`, `payment_account`, `device`, `mfa_device`,
    /// `document`, `photo`, `phone`, `email`, `shipping_address`,
    /// `document_address` or `ip`.
    pub kind: String,
    pub person_ids: Vec<String>,
    /// The shared value, masked for sensitive kinds.
    pub value: String,
    /// Ids of events that show the value in use (a bounded sample).
    pub events: Vec<String>,
}

/// Persons joined by shared strong identifiers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub network_id: String,
    /// Sorted.
    pub person_ids: Vec<String>,
    pub links: Vec<Link>,
    /// 0-100, set by scoring.
    pub score: u8,
    pub level: RiskLevel,
}

/// Builds the networks (two or more persons) from the observed state.
/// Ids of `previous` networks survive when membership barely changed.
pub fn build_networks(
    state: LinkState,
    config: &LinkConfig,
    previous: &[PreviousNetwork],
) -> Vec<Network> {
    let disabled: Vec<LinkKind> = config
        .disabled_kinds
        .iter()
        .filter_map(|k| LinkKind::from_name(k))
        .collect();
    let n = state.person_ids.len();
    let mut uf = UnionFind::new(n);
    // (kind, display value, sorted person indices, events)
    let mut links: Vec<(LinkKind, String, Vec<u32>, Vec<String>)> = Vec::new();

    // in (kind, value) order
    let mut values: Vec<(LinkKind, String, state::ValueEntry)> = Vec::new();
    for (kind, mut map) in LinkKind::ALL.into_iter().zip(state.values) {
        // only values that can link (the loop below skips the others anyway)
        if disabled.contains(&kind) {
            continue;
        }
        let hub_max = config.hub_max(kind);
        map.retain(|e| !e.hub && e.members.len() >= 2 && e.members.len() <= hub_max);
        let start = values.len();
        values.extend(map.into_entries().map(|(key, entry)| (kind, key, entry)));
        values[start..].sort_by(|a, b| a.1.cmp(&b.1));
    }
    for (kind, key, entry) in values {
        if entry.hub
            || entry.members.len() < 2
            || entry.members.len() > config.hub_max(kind)
            || disabled.contains(&kind)
        {
            continue;
        }
        let mut persons: Vec<u32> = entry.members.iter().map(|m| m.person).collect();
        persons.sort_unstable();
        persons.dedup();
        if persons.len() < 2 {
            continue;
        }
        for w in persons.windows(2) {
            uf.union(w[0], w[1]);
        }
        let events = entry
            .members
            .iter()
            .flat_map(|m| m.events.iter().cloned())
            .take(config.max_link_events)
            .collect();
        links.push((kind, kind.display(&key), persons, events));
    }

    if !disabled.contains(&LinkKind::Ip) {
        let ignore: Vec<(IpAddr, u8)> = config
            .ip_ignore
            .iter()
            .filter_map(|s| ip::parse_cidr(s))
            .collect();
        // only addresses that can link (the loop below skips the others anyway)
        let mut ips: Vec<_> = state
            .ips
            .into_iter()
            .filter(|(_, e)| {
                !e.hub
                    && e.use_count() >= 2
                    && e.use_count() <= config.ip_hub_max_persons
                    && (!e.anonymizing || config.ip_link_anonymizing)
            })
            .collect();
        ips.sort_by_key(|(ip, _)| *ip);
        for (addr, entry) in ips {
            if entry.hub
                || entry.use_count() < 2
                || entry.use_count() > config.ip_hub_max_persons
                || (entry.anonymizing && !config.ip_link_anonymizing)
                || ignore
                    .iter()
                    .any(|(net, len)| ip::in_cidr(addr, *net, *len))
            {
                continue;
            }
            let mut persons: Vec<u32> = Vec::new();
            let mut events: Vec<String> = Vec::new();
            let uses: Vec<&ip::IpUse> = entry.uses().collect();
            for (i, &a) in uses.iter().enumerate() {
                for &b in uses.iter().skip(i + 1) {
                    if ip::shared_days(a, b, config.ip_window_hours.max(1))
                        >= config.ip_min_shared_days.max(1)
                    {
                        uf.union(a.person, b.person);
                        for u in [a, b] {
                            if !persons.contains(&u.person) {
                                persons.push(u.person);
                                events.extend(u.events.iter().cloned());
                            }
                        }
                    }
                }
            }
            if persons.len() >= 2 {
                persons.sort_unstable();
                events.truncate(config.max_link_events);
                links.push((LinkKind::Ip, addr.to_string(), persons, events));
            }
        }
    }

    let groups = uf.groups(2);
    let names = |g: &[u32]| -> Vec<String> {
        let mut v: Vec<String> = g
            .iter()
            .filter_map(|&i| state.person_ids.get(i as usize).cloned())
            .collect();
        v.sort();
        v
    };
    let member_lists: Vec<Vec<String>> = groups.iter().map(|g| names(g)).collect();
    let ids = assign_ids(&member_lists, previous, config.min_jaccard);

    let mut root_to_net: BTreeMap<u32, usize> = BTreeMap::new();
    for (ni, g) in groups.iter().enumerate() {
        if let Some(&first) = g.first() {
            root_to_net.insert(uf.find(first), ni);
        }
    }
    let mut networks: Vec<Network> = member_lists
        .into_iter()
        .zip(ids)
        .map(|(person_ids, network_id)| Network {
            network_id,
            person_ids,
            links: Vec::new(),
            score: 0,
            level: RiskLevel::Low,
        })
        .collect();
    for (kind, value, persons, events) in links {
        let Some(&first) = persons.first() else {
            continue;
        };
        let Some(&ni) = root_to_net.get(&uf.find(first)) else {
            continue;
        };
        if let Some(net) = networks.get_mut(ni) {
            net.links.push(Link {
                kind: kind.as_str().to_string(),
                person_ids: names(&persons),
                value,
                events,
            });
        }
    }
    networks.sort_by(|a, b| {
        b.person_ids
            .len()
            .cmp(&a.person_ids.len())
            .then_with(|| a.network_id.cmp(&b.network_id))
    });
    networks
}

#[cfg(test)]
mod tests;
