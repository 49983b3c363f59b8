//! What enrichment adds to events before detection: IP intelligence,
//! remote-access tools, USB devices and sanctions hits.

use serde::{Deserialize, Serialize};

/// The class of network an IP address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IpClass {
    /// Hosting / datacenter / VPS provider.
    Hosting,
    /// A commercial VPN exit or VPN provider's network.
    Vpn,
    /// Tor exit or another anonymiser.
    Tor,
    /// Anything else (residential, mobile, corporate).
    #[default]
    Other,
}

impl IpClass {
    pub fn as_str(self) -> &'static str {
        match self {
            IpClass::Hosting => "hosting",
            IpClass::Vpn => "vpn",
            IpClass::Tor => "tor",
            IpClass::Other => "other",
        }
    }

    /// Hosting, VPN or Tor: traffic that hides where the person really is.
    pub fn is_anonymizing(self) -> bool {
        !matches!(self, IpClass::Other)
    }
}

/// What is known about one IP address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpInfo {
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asn: Option<u32>,
    /// The AS organisation name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_org: Option<String>,
    pub class: IpClass,
}

/// Where on a device report a remote-access tool was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeenIn {
    Software,
    Process,
    Domain,
}

/// A remote-monitoring-and-management tool found on a device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemoteToolHit {
    /// Catalog name (`AnyDesk`, `TeamViewer`, ...).
    pub tool: String,
    /// The inventory value that matched (`AnyDesk.exe`, `relay.anydesk.com`).
    pub matched: String,
    pub seen_in: SeenIn,
}

/// The kind of suspicious USB device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UsbKind {
    /// IP-KVM (PiKVM, TinyPilot, JetKVM, ...).
    Kvm,
    /// Mouse jiggler.
    Jiggler,
}

/// A suspicious USB device found on a device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UsbHit {
    pub kind: UsbKind,
    /// What it is (`PiKVM`, `TinyPilot`, ...).
    pub label: String,
    /// Why it matched (ids and strings).
    pub reason: String,
}

/// A sanctions list entry that a person's name matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SanctionsHit {
    pub list: String,
    pub entity_id: String,
    /// The entry's primary name.
    pub name: String,
    /// The name or alias of the entry that matched.
    pub matched_name: String,
    pub score: f64,
    pub explanation: String,
}

/// A sanctions list entry whose digital currency address equals a wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletHit {
    pub list: String,
    pub entity_id: String,
    pub name: String,
    pub chain: String,
    pub address: String,
}

/// Everything enrichment attached to one event (empty where nothing applies).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Enrichment {
    /// For events with an `ip` (login, activity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpInfo>,
    /// For device reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_tools: Vec<RemoteToolHit>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usb: Vec<UsbHit>,
    /// For person records (name, DOB, nationality screened).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sanctions: Vec<SanctionsHit>,
    /// For payout methods and payouts with a wallet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wallets: Vec<WalletHit>,
}
