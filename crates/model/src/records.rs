//! The records of the input contract (docs/EVENTS.md), version 1.
//!
//! Field names are exactly those of the contract. Optional fields are
//! `Option`; unknown fields are ignored when parsing (the stored raw line
//! keeps them).

use serde::{Deserialize, Serialize};

use crate::date::PartialDate;
use crate::time::Time;

/// A postal address (persons, documents, shipments).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Address {
    /// True when no part is given.
    pub fn is_empty(&self) -> bool {
        self.line1.is_none()
            && self.line2.is_none()
            && self.city.is_none()
            && self.region.is_none()
            && self.postal_code.is_none()
            && self.country.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HiredVia {
    Direct,
    StaffingFirm,
    Platform,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    Candidate,
    Active,
    Terminated,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Education {
    pub school: Option<String>,
    pub country: Option<String>,
    pub degree: Option<String>,
    pub year: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Employment {
    pub employer: Option<String>,
    pub country: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// `person`: a candidate, contractor or employee (an upsert).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub person_id: String,
    pub full_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hired_via: Option<HiredVia>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PersonStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub education: Vec<Education>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub employment: Vec<Employment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_hash: Option<String>,
}

/// `account`: a login identity of a person in some system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub account_id: String,
    pub person_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Time>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    Passport,
    NationalId,
    DriversLicense,
    Ssn,
    Visa,
    Diploma,
    Other,
}

/// `document`: an identity or qualification document and its check result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub person_id: String,
    pub doc_type: DocType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_on_document: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrz: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayMethod {
    Bank,
    Crypto,
    Paypal,
    Payoneer,
    Wise,
    Other,
}

/// A crypto wallet: chain (`XBT`, `ETH`, `TRX`, `USDT`, ...) and address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Wallet {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    pub address: String,
}

/// `payout_method`: where a person asks to be paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayoutMethod {
    pub person_id: String,
    pub method: PayMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ts: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_bic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet: Option<Wallet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_account: Option<String>,
}

/// `login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Login {
    pub ts: Time,
    pub account_id: String,
    pub ip: std::net::IpAddr,
    #[serde(default = "yes")]
    pub success: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_device_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

fn yes() -> bool {
    true
}

/// `activity`: any authenticated action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub ts: Time,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<std::net::IpAddr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

/// `payout`: a payment made to a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payout {
    pub ts: Time,
    pub person_id: String,
    pub amount: f64,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<PayMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_bic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet: Option<Wallet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_account: Option<String>,
}

/// A USB device seen on an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsbDevice {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
}

/// `device_report`: inventory from an endpoint agent / MDM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceReport {
    pub ts: Time,
    pub device_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub software: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub usb: Vec<UsbDevice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keyboard_layouts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

/// `shipment`: a company device sent to a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    pub ts: Time,
    pub person_id: String,
    pub address: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Video {
    On,
    Off,
    Refused,
    Glitchy,
}

/// `interview`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interview {
    pub ts: Time,
    pub person_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<Video>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera_face_consistent: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefMethod {
    Phone,
    Video,
    Email,
}

/// `reference_check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceCheck {
    pub ts: Time,
    pub person_id: String,
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<RefMethod>,
}

/// `commit`: a code commit by an account (git author data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commit {
    pub ts: Time,
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
}

/// `referral`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    pub ts: Time,
    pub person_id: String,
    pub referred_by: String,
}

/// One record of the contract, tagged by its `type`.
///
/// The kinds that are large and rare (upserts, device reports, payouts,
/// shipments) are boxed: a record is then about 200 bytes instead of 520, and
/// it is moved several times on its way through the ingest (the serialisation,
/// and so content ids, are the same either way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Person(Box<Person>),
    Account(Account),
    Document(Box<Document>),
    PayoutMethod(Box<PayoutMethod>),
    Login(Login),
    Activity(Activity),
    Payout(Box<Payout>),
    DeviceReport(Box<DeviceReport>),
    Shipment(Box<Shipment>),
    Interview(Interview),
    ReferenceCheck(ReferenceCheck),
    Commit(Commit),
    Referral(Referral),
}

/// Every `type` the contract knows, in the order of EVENTS.md.
pub const RECORD_TYPES: &[&str] = &[
    "person",
    "account",
    "document",
    "payout_method",
    "login",
    "activity",
    "payout",
    "device_report",
    "shipment",
    "interview",
    "reference_check",
    "commit",
    "referral",
];

impl Record {
    /// The record's `type` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Record::Person(_) => "person",
            Record::Account(_) => "account",
            Record::Document(_) => "document",
            Record::PayoutMethod(_) => "payout_method",
            Record::Login(_) => "login",
            Record::Activity(_) => "activity",
            Record::Payout(_) => "payout",
            Record::DeviceReport(_) => "device_report",
            Record::Shipment(_) => "shipment",
            Record::Interview(_) => "interview",
            Record::ReferenceCheck(_) => "reference_check",
            Record::Commit(_) => "commit",
            Record::Referral(_) => "referral",
        }
    }

    /// The record's time, when it has one.
    pub fn ts(&self) -> Option<Time> {
        match self {
            Record::Person(r) => r.ts,
            Record::Account(r) => r.created_at,
            Record::Document(r) => r.ts,
            Record::PayoutMethod(r) => r.ts,
            Record::Login(r) => Some(r.ts),
            Record::Activity(r) => Some(r.ts),
            Record::Payout(r) => Some(r.ts),
            Record::DeviceReport(r) => Some(r.ts),
            Record::Shipment(r) => Some(r.ts),
            Record::Interview(r) => Some(r.ts),
            Record::ReferenceCheck(r) => Some(r.ts),
            Record::Commit(r) => Some(r.ts),
            Record::Referral(r) => Some(r.ts),
        }
    }

    /// The person the record names directly (account-keyed events name none).
    pub fn person_id(&self) -> Option<&str> {
        match self {
            Record::Person(r) => Some(&r.person_id),
            Record::Account(r) => Some(&r.person_id),
            Record::Document(r) => Some(&r.person_id),
            Record::PayoutMethod(r) => Some(&r.person_id),
            Record::Payout(r) => Some(&r.person_id),
            Record::DeviceReport(r) => r.person_id.as_deref(),
            Record::Shipment(r) => Some(&r.person_id),
            Record::Interview(r) => Some(&r.person_id),
            Record::ReferenceCheck(r) => Some(&r.person_id),
            Record::Referral(r) => Some(&r.person_id),
            Record::Login(_) | Record::Activity(_) | Record::Commit(_) => None,
        }
    }

    /// The account the record names (login, activity, commit, account).
    pub fn account_id(&self) -> Option<&str> {
        match self {
            Record::Account(r) => Some(&r.account_id),
            Record::Login(r) => Some(&r.account_id),
            Record::Activity(r) => Some(&r.account_id),
            Record::Commit(r) => Some(&r.account_id),
            _ => None,
        }
    }
}
