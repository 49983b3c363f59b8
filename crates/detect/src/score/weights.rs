//! Default per-flag weights: how much one piece of evidence of a flag, at
//! severity `high`, removes from the "innocent" probability mass. Other
//! severities scale it (see `SeverityFactors`). docs/scoring.md explains the
//! choices.

use std::collections::BTreeMap;

/// Flag id, default weight.
pub const DEFAULT_WEIGHTS: &[(&str, f64)] = &[
    // 1. login, IP and session telemetry
    ("NET-VPN", 0.30),
    ("NET-MULTI-GEO", 0.25),
    ("NET-FANIN", 0.25),
    ("NET-TRAVEL", 0.30),
    ("NET-LONG-SESSION", 0.25),
    ("NET-HOURS", 0.35),
    ("NET-MFA-FANIN", 0.40),
    ("NET-GEO-MISMATCH", 0.30),
    ("NET-RDP-EXPOSED", 0.20),
    // 2. endpoint
    ("EP-RMM", 0.30),
    ("EP-KVM", 0.50),
    ("EP-JIGGLER", 0.30),
    ("EP-LOCALE", 0.35),
    ("EP-EXFIL", 0.35),
    ("EP-SERIAL", 0.35),
    // 3. payment and payout
    ("PAY-CRYPTO", 0.25),
    ("PAY-SANCTIONED-WALLET", 0.95),
    ("PAY-SHARED", 0.45),
    ("PAY-NAME-MISMATCH", 0.30),
    ("PAY-RISKY-BANK", 0.35),
    ("PAY-CHURN", 0.25),
    ("PAY-SMALL-CHARGES", 0.15),
    // 4. laptop shipping
    ("SHIP-ADDR-MISMATCH", 0.25),
    ("SHIP-FARM", 0.50),
    ("SHIP-FORWARDER", 0.40),
    // 5. identity, documents and profile
    ("ID-SANCTIONS", 0.95),
    ("ID-INCONSISTENT", 0.25),
    ("ID-REUSED-CONTACT", 0.40),
    ("ID-DOC-REUSE", 0.50),
    ("ID-DOC-INVALID", 0.40),
    ("ID-STOLEN", 0.50),
    ("ID-ODD-COMBO", 0.20),
    ("ID-LANG", 0.25),
    // 6. hiring process and behaviour
    ("HIRE-NO-VIDEO", 0.30),
    ("HIRE-REF-UNVERIFIED", 0.20),
    ("HIRE-REFERRAL-RING", 0.30),
    ("HIRE-AVAILABILITY", 0.15),
    ("HIRE-LOW-OFFER", 0.10),
    ("HIRE-DRUG-TEST", 0.15),
    ("HIRE-THIRD-PARTY", 0.10),
    // 7. code hosting profile
    ("GIT-BACKDATED", 0.20),
    ("GIT-COPIED", 0.20),
    ("GIT-TZ", 0.30),
    ("GIT-RING", 0.25),
    ("GIT-AVATAR", 0.20),
    // 8. freelance platform
    ("PLAT-RATING-BURST", 0.25),
    ("PLAT-BID-RATIO", 0.10),
    ("PLAT-OFF-PLATFORM", 0.20),
    ("PLAT-SHARED-DEVICE", 0.40),
];

/// Flags decisive on their own (a sanctions match): exempt from the per-flag cap.
pub const DECISIVE: &[&str] = &["ID-SANCTIONS", "PAY-SANCTIONED-WALLET"];

pub fn default_flag_weights() -> BTreeMap<String, f64> {
    DEFAULT_WEIGHTS
        .iter()
        .map(|(k, v)| ((*k).to_string(), *v))
        .collect()
}

pub fn default_decisive() -> Vec<String> {
    DECISIVE.iter().map(|s| (*s).to_string()).collect()
}
