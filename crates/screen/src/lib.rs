//! molehunt-screen: sanctions screening as a library.
//!
//! Parses the OFAC SDN list (advanced XML, plain or `.bz2`, and legacy CSV), the UN Security
//! Council consolidated list and OpenSanctions FollowTheMoney JSON lines; persists them in
//! SQLite (`screen_*` tables); and screens names (transliteration-robust, rarity-weighted
//! token alignment with date-of-birth and country qualifiers), crypto wallets and document
//! numbers against them through a blocking index.
//!
//! ```no_run
//! use molehunt_screen::{Query, Screener, import_file};
//! # fn main() -> Result<(), molehunt_screen::ScreenError> {
//! let db = std::path::Path::new("molehunt.db");
//! import_file(db, std::path::Path::new("sdn_advanced.xml.bz2"), None)?;
//! let screener = Screener::load(db)?.expect("a list was imported");
//! let mut q = Query::new("Park Chol-nam");
//! q.dob = Some("1971".into());
//! for m in screener.screen(&q) {
//!     println!("{} {} {:.2} {}", m.list, m.name, m.score, m.explanation);
//! }
//! # Ok(()) }
//! ```

mod align;
mod cache;
mod compare;
mod countries;
mod error;
pub mod eval;
mod index;
mod model;
mod normalize;
pub mod parse;
mod phonetic;
mod screener;
mod store;
mod wallet;

pub use compare::{DEFAULT_THRESHOLD, compare_names, explain_names};
pub use countries::to_iso2;
pub use error::ScreenError;
pub use model::{Alias, Document, Entity, EntityType, ListCounts, ListFormat, ParsedList, Wallet};
pub use normalize::{NormName, normalize_name};
pub use parse::{detect_format, parse_bytes, parse_file};
pub use screener::{DocumentMatch, Match, Query, Screener, WalletMatch};
pub use store::{ImportReport, ListInfo, import_file, import_parsed, list_infos};
pub use wallet::normalize_address;
