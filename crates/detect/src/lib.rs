//! Molehunt detection: pure logic over the events of `docs/EVENTS.md`.
//!
//! The [`Analyzer`] streams every event through the detectors (one per red
//! flag of `RED_FLAGS.md`, see [`detectors`]) and link analysis ([`link`]),
//! then scores persons and networks ([`score`]). Thresholds live in
//! [`DetectConfig`] (TOML, documented defaults). No I/O happens here.
//!
//! ```
//! use molehunt_detect::{Analyzer, DetectConfig};
//! use molehunt_model::{parse_line, Enrichment};
//! let mut a = Analyzer::new(DetectConfig::default());
//! for line in [
//!     r#"{"type":"person","person_id":"p1","full_name":"Ann Lee","claimed_country":"US"}"#,
//!     r#"{"type":"payout_method","person_id":"p1","method":"crypto","wallet":{"chain":"ETH","address":"0xabc"}}"#,
//! ] {
//!     a.observe(&parse_line(line).unwrap(), &Enrichment::default());
//! }
//! let analysis = a.finish(&[]);
//! assert!(analysis.evidence.iter().any(|e| e.flag == "PAY-CRYPTO"));
//! ```

pub mod analyzer;
pub mod config;
pub mod detectors;
pub mod link;
pub mod score;
pub mod util;

pub use analyzer::{Analysis, Analyzer};
pub use config::{ConfigError, DetectConfig};
pub use link::{Link, Network, PreviousNetwork};
pub use score::{FlagScore, PersonScore};
