//! molehunt-access: the access gate's engine. A policy decision point (PDP) that answers the
//! OpenID AuthZEN Authorization API 1.0 with Cedar policies, adds the subject's current risk and
//! the request IP's class to the Cedar context, applies just-in-time grants that lapse on their
//! own, and keeps API tokens (hashed) and grants in `access_*` tables of the Molehunt database.
//!
//! No HTTP here: `molehunt-server` serves this over axum.
//!
//! ```
//! use molehunt_access::{PolicyBundle, Pdp, authzen::{EvaluationRequest, Subject, Action}};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let bundle = PolicyBundle::from_text(
//!     r#"permit (principal == User::"alice", action == Action::"read", resource);"#, None, vec![])?;
//! let pdp = Pdp::new(bundle)?;
//! let req = EvaluationRequest {
//!     subject: Subject::new("User", "alice"),
//!     action: Action::new("read"),
//!     resource: Subject::new("Document", "plan"),
//!     context: None,
//! };
//! assert!(pdp.evaluate(&req).decision);
//! # Ok(()) }
//! ```

pub mod audit;
pub mod authzen;
pub mod clock;
pub mod db;
pub mod entities;
mod fastjson;
pub mod grants;
mod memo;
pub mod pdp;
pub mod policies;
mod prefilter;
pub mod risk;
mod shapes;
mod slice;
pub mod tokens;
mod values;

pub use clock::{Clock, ManualClock, SystemClock};
pub use pdp::{Decided, Pdp};
pub use policies::{CheckReport, DirStamp, PolicyBundle, PolicyError, check_dir};
pub use risk::{CachedRisk, IpClassifier, RiskFacts, RiskInfo, RiskSource};
pub use tokens::{Role, TokenInfo, TokenTable};
