//! Evidence, severities and risk levels: what detectors produce and scoring reads.

use serde::{Deserialize, Serialize};

use crate::time::Time;

/// How strong one piece of evidence is on its own (RED_FLAGS.md gives starting points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// A person's or network's overall risk level, from the 0-100 score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskLevel {
    /// The lowercase name used in outputs (`low`, `medium`, `high`, `critical`).
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }
}

impl Severity {
    /// The lowercase name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One red flag raised on one person, with the events behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The flag id from RED_FLAGS.md (`NET-VPN`, `SHIP-FARM`, ...).
    pub flag: String,
    /// The person the evidence is about.
    pub person_id: String,
    pub severity: Severity,
    /// A sentence an analyst can check ("3 logins via Astrill VPN (AS9009) ...").
    pub detail: String,
    /// Ids of the stored events that support it (a bounded sample when there are many).
    #[serde(default)]
    pub events: Vec<String>,
    /// When the signal was (last) seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Time>,
    /// Other persons the evidence involves (sharers of an account, an address ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
}
