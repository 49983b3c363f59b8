//! Molehunt's shared vocabulary: the typed records of the input contract
//! (`docs/EVENTS.md`), their parsing with precise errors, the enrichment
//! attached to them, and the evidence and risk levels detectors produce.
//!
//! No I/O happens here.
//!
//! ```
//! use molehunt_model::{parse_line, Record};
//! let ev = parse_line(r#"{"type":"login","ts":"2026-03-01T14:05:00+09:00","account_id":"a1","ip":"203.0.113.9"}"#).unwrap();
//! let Record::Login(login) = &ev.record else { unreachable!() };
//! assert_eq!(login.ts.offset_seconds, 9 * 3600);
//! ```

mod date;
mod enrich;
mod evidence;
mod parse;
mod records;
mod time;

pub use date::{DateError, PartialDate};
pub use enrich::{
    Enrichment, IpClass, IpInfo, RemoteToolHit, SanctionsHit, SeenIn, UsbHit, UsbKind, WalletHit,
};
pub use evidence::{Evidence, RiskLevel, Severity};
pub use parse::{
    Event, EventId, ParseError, content_id, hex16, parse_line, parse_stored, person_from_csv_row,
};
pub use records::*;
pub use time::{Time, TimeError};
