//! Enrichment data for Molehunt.
//!
//! - [`IpIntel`]: IP address -> country, AS number, AS organisation and class
//!   (hosting, VPN, Tor, other), from bundled compact tables or newer
//!   MaxMind DB / CSV / list files.
//! - [`RmmCatalog`]: remote-access tools (derived from LOLRMM) found in a
//!   device's software, processes and DNS domains.
//! - [`scan_usb`] and [`scan_jiggler_software`]: IP-KVM and mouse-jiggler
//!   hardware and software.
//! - [`Intel`]: all of it, loaded once and shared.
//!
//! ```
//! let intel = molehunt_intel::Intel::bundled().unwrap();
//! let info = intel.ip.lookup("8.8.8.8".parse().unwrap());
//! assert_eq!(info.asn, Some(15169));
//! ```

mod compact;
mod error;
mod intel;
mod ip;
mod load;
mod parse;
pub mod ranges;
pub mod rmm;
mod usb;

pub use error::IntelError;
pub use intel::Intel;
pub use ip::{IpIntel, IpIntelStats, IpRef};
pub use load::MmdbLoad;
pub use rmm::{RmmCatalog, RmmTool};
pub use usb::{WEAK_GADGET_LABEL, classify_usb, scan_jiggler_software, scan_usb};
