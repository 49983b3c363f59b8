//! Molehunt's one pipeline: parse -> enrich -> store -> detect -> link -> score.
//!
//! The same [`Engine`] runs under `molehunt ingest`, `molehunt demo`, the HTTP
//! ingest and the tests. Stored events are the source of truth; scores,
//! networks and evidence are derived from them and stored as results that
//! `cases`, `networks`, `report` and the access gate read without recomputing.
//!
//! ```
//! use molehunt_engine::{Engine, EngineOptions, IngestOptions, NoProgress};
//! # fn main() -> Result<(), molehunt_engine::EngineError> {
//! let dir = tempfile::tempdir().unwrap();
//! let mut engine = Engine::open(&dir.path().join("molehunt.db"), EngineOptions::default())?;
//! let input = concat!(
//!     r#"{"type":"person","person_id":"p1","full_name":"Ann Lee"}"#, "\n",
//!     r#"{"type":"payout_method","person_id":"p1","method":"crypto","wallet":{"chain":"ETH","address":"0xabc"}}"#, "\n",
//! );
//! let report = engine.ingest_reader("example.jsonl", input.as_bytes(), &IngestOptions::default(), &NoProgress)?;
//! assert_eq!(report.inserted, 2);
//! let cases = engine.cases()?;
//! assert_eq!(cases[0].person_id, "p1");
//! # Ok(()) }
//! ```

mod analyze;
mod batch;
pub mod bench;
mod config;
mod engine;
mod enrich;
mod error;
mod ingest;
mod input;
mod progress;
mod report;

pub use config::load_config;
pub use engine::{Engine, EngineOptions, RescoreReport};
pub use enrich::Enricher;
pub use error::{EngineError, InvalidInput, LineError};
pub use ingest::{IngestOptions, IngestReport, Validation, validate};
pub use input::{InputFormat, sniff_format};
pub use progress::{NoProgress, Progress};
pub use report::ReportFormat;

pub use molehunt_detect::{Analysis, DetectConfig, Network, PersonScore};
pub use molehunt_store::{Durability, PersonRisk, Store};
