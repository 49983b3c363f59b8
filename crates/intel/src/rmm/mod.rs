//! Remote-access tools: the catalog derived from LOLRMM and its matching
//! against device inventory.

mod catalog;
pub mod derive;
pub mod norm;
mod rules;

pub use catalog::{RmmCatalog, RmmTool};
