//! The contract every stage shares: the [`Origin`] a source attaches to its bytes, the [`Sink`] it
//! pushes them into, the [`Match`] detection hands on, the [`Finding`] reports print, and the
//! records of what could not be scanned. Plain data and one trait; it imports no stage, so every
//! stage can depend on it and none has to depend on another to talk to it.

pub mod blob;
pub mod ci_log_origin;
pub mod collapse;
pub mod finding;
pub mod line_context;
pub mod matched;
pub mod origin;
pub mod record;
pub mod sink;

pub use blob::{line_span, looks_binary};
pub use ci_log_origin::CiLogOrigin;
pub use finding::{Finding, Verification, VerificationStatus, redact};
pub use matched::{Confidence, Match, Scored, Severity};
pub use origin::{GitOccurrence, Origin};
pub use record::{ScanError, ScanStats, Skip, SkipReason};
pub use sink::Sink;
