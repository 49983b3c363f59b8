//! The detection configuration: one section per detector (named after its
//! RED_FLAGS id in snake case, e.g. `[net_vpn]`), plus `[link]` and `[score]`.
//!
//! Every section and field has a documented default (see `docs/config.md`),
//! so a TOML file overrides only what it names; an unknown key is an error
//! that names the key.

use serde::{Deserialize, Serialize};

use crate::detectors::Detector;

/// A configuration file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Bad TOML, an unknown key or a value of the wrong type (the message names it).
    #[error("invalid detection config: {0}")]
    Invalid(String),
}

macro_rules! detectors {
    ($($field:ident : $module:ident :: $cfg:ident => $det:ident),* $(,)?) => {
        /// The effective configuration of detection, linking and scoring.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct DetectConfig {
            $(
                #[doc = concat!("`[", stringify!($field), "]`: see [`crate::detectors::", stringify!($module), "`].")]
                pub $field: crate::detectors::$module::$cfg,
            )*
            /// `[link]`: network building (owned by link analysis).
            pub link: crate::link::LinkConfig,
            /// `[score]`: the scoring model.
            pub score: crate::score::ScoreConfig,
        }

        /// The enabled detectors of a configuration.
        pub(crate) fn build_detectors(c: &DetectConfig) -> Vec<Box<dyn Detector>> {
            let mut v: Vec<Box<dyn Detector>> = Vec::new();
            $(
                if c.$field.enabled {
                    v.push(Box::new(crate::detectors::$module::$det::new(c.$field.clone())));
                }
            )*
            v
        }

        /// The config section names of all detectors, in order.
        pub const SECTIONS: &[&str] = &[$(stringify!($field)),*];
    };
}

detectors! {
    net_vpn: net_vpn::NetVpnConfig => NetVpn,
    net_multi_geo: net_multi_geo::NetMultiGeoConfig => NetMultiGeo,
    net_fanin: net_fanin::NetFaninConfig => NetFanin,
    net_travel: net_travel::NetTravelConfig => NetTravel,
    net_long_session: net_long_session::NetLongSessionConfig => NetLongSession,
    net_hours: net_hours::NetHoursConfig => NetHours,
    net_mfa_fanin: net_mfa_fanin::NetMfaFaninConfig => NetMfaFanin,
    net_geo_mismatch: net_geo_mismatch::NetGeoMismatchConfig => NetGeoMismatch,
    ep_rmm: ep_rmm::EpRmmConfig => EpRmm,
    ep_kvm: ep_kvm::EpKvmConfig => EpKvm,
    ep_jiggler: ep_jiggler::EpJigglerConfig => EpJiggler,
    ep_locale: ep_locale::EpLocaleConfig => EpLocale,
    ep_serial: ep_serial::EpSerialConfig => EpSerial,
    pay_crypto: pay_crypto::PayCryptoConfig => PayCrypto,
    pay_sanctioned_wallet: pay_sanctioned_wallet::PaySanctionedWalletConfig => PaySanctionedWallet,
    pay_shared: pay_shared::PaySharedConfig => PayShared,
    pay_name_mismatch: pay_name_mismatch::PayNameMismatchConfig => PayNameMismatch,
    pay_risky_bank: pay_risky_bank::PayRiskyBankConfig => PayRiskyBank,
    pay_churn: pay_churn::PayChurnConfig => PayChurn,
    ship_addr_mismatch: ship_addr_mismatch::ShipAddrMismatchConfig => ShipAddrMismatch,
    ship_farm: ship_farm::ShipFarmConfig => ShipFarm,
    ship_forwarder: ship_forwarder::ShipForwarderConfig => ShipForwarder,
    id_sanctions: id_sanctions::IdSanctionsConfig => IdSanctions,
    id_inconsistent: id_inconsistent::IdInconsistentConfig => IdInconsistent,
    id_reused_contact: id_reused_contact::IdReusedContactConfig => IdReusedContact,
    id_doc_reuse: id_doc_reuse::IdDocReuseConfig => IdDocReuse,
    id_doc_invalid: id_doc_invalid::IdDocInvalidConfig => IdDocInvalid,
    id_odd_combo: id_odd_combo::IdOddComboConfig => IdOddCombo,
    id_lang: id_lang::IdLangConfig => IdLang,
    hire_no_video: hire_no_video::HireNoVideoConfig => HireNoVideo,
    hire_ref_unverified: hire_ref_unverified::HireRefUnverifiedConfig => HireRefUnverified,
    hire_referral_ring: hire_referral_ring::HireReferralRingConfig => HireReferralRing,
    hire_availability: hire_availability::HireAvailabilityConfig => HireAvailability,
    hire_third_party: hire_third_party::HireThirdPartyConfig => HireThirdParty,
    git_backdated: git_backdated::GitBackdatedConfig => GitBackdated,
    git_tz: git_tz::GitTzConfig => GitTz,
    plat_shared_device: plat_shared_device::PlatSharedDeviceConfig => PlatSharedDevice,
}

impl DetectConfig {
    /// Parses a TOML configuration; absent keys keep their defaults.
    ///
    /// ```
    /// use molehunt_detect::DetectConfig;
    /// let c = DetectConfig::from_toml_str("[ship_farm]\nmin_persons = 4\n").unwrap();
    /// assert_eq!(c.ship_farm.min_persons, 4);
    /// assert!(DetectConfig::from_toml_str("[ship_farm]\nmin_person = 4\n").unwrap_err().to_string().contains("min_person"));
    /// ```
    pub fn from_toml_str(s: &str) -> Result<Self, ConfigError> {
        toml::from_str(s).map_err(|e| ConfigError::Invalid(e.to_string().trim_end().to_string()))
    }

    /// The configuration as TOML (every key, with its effective value).
    pub fn to_toml_string(&self) -> String {
        match toml::to_string(self) {
            Ok(s) => s,
            // INVARIANT: the config holds only TOML-representable values (no maps with
            // non-string keys, no NaN), so serialisation cannot fail.
            Err(e) => format!("# the configuration could not be written as TOML: {e}\n"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips() {
        let c = DetectConfig::default();
        let s = c.to_toml_string();
        assert!(!s.starts_with('#'), "{s}");
        for section in SECTIONS {
            assert!(s.contains(&format!("[{section}]")), "missing [{section}]");
        }
        assert_eq!(DetectConfig::from_toml_str(&s).unwrap(), c);
    }

    #[test]
    fn partial_overrides_and_unknown_keys() {
        let c = DetectConfig::from_toml_str("[net_vpn]\nmin_events = 7\n").unwrap();
        assert_eq!(c.net_vpn.min_events, 7);
        assert_eq!(c.ship_farm, DetectConfig::default().ship_farm);
        let e = DetectConfig::from_toml_str("[net_vpn]\nmin_eventz = 7\n").unwrap_err();
        assert!(e.to_string().contains("min_eventz"), "{e}");
        let e = DetectConfig::from_toml_str("[net_vpm]\n").unwrap_err();
        assert!(e.to_string().contains("net_vpm"), "{e}");
        let e = DetectConfig::from_toml_str("[net_vpn]\nmin_events = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("min_events"), "{e}");
    }

    /// docs/config.md carries the full default configuration; it must not drift.
    #[test]
    fn config_doc_shows_the_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/config.md");
        let Ok(doc) = std::fs::read_to_string(path) else {
            return; // docs/ is not shipped with the crate alone
        };
        let (start, end) = (
            "<!-- default-config:start -->\n",
            "<!-- default-config:end -->",
        );
        let (Some(a), Some(b)) = (doc.find(start), doc.find(end)) else {
            panic!("docs/config.md lacks the default-config markers");
        };
        let block = format!("```toml\n{}```\n", DetectConfig::default().to_toml_string());
        let current = &doc[a + start.len()..b];
        if std::env::var_os("MOLEHUNT_BLESS").is_some() {
            let new = format!("{}{block}{}", &doc[..a + start.len()], &doc[b..]);
            std::fs::write(path, new).unwrap();
        } else {
            // the detector sections are this crate's; [link] and [score] are checked up
            // to their start only, so their owners' default changes do not break this test
            let detectors = |t: &str| t.split("\n[link]").next().unwrap_or("").to_string();
            assert_eq!(
                detectors(current),
                detectors(&block),
                "run MOLEHUNT_BLESS=1 cargo test -p molehunt-detect config_doc"
            );
        }
    }

    #[test]
    fn disabled_detectors_are_not_built() {
        let all = build_detectors(&DetectConfig::default()).len();
        assert_eq!(all, SECTIONS.len());
        let c = DetectConfig::from_toml_str("[net_vpn]\nenabled = false\n").unwrap();
        assert_eq!(build_detectors(&c).len(), all - 1);
    }
}
