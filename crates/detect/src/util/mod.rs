//! Helpers shared by detectors and link analysis: address normalisation,
//! name comparison, country geography and timezones, bounded samples.

pub mod address;
pub mod cidr;
pub mod geo;
pub mod idmap;
pub mod mrz;
pub mod names;
pub mod samples;
pub mod ssn;
pub mod tz;
