//! ferret: a secret-sprawl scanner. Sources produce blobs, the detector finds matches, the filter
//! drops what is allowed, and reports write what is left. `app` runs a parsed command line.
//!
//! Data flows one way: `app` (with `cli`) -> `scan` -> {`source`, `detect`, `filter`, `verify`,
//! `report`} -> `pipeline`. [`pipeline`] is the contract they share (the origin of a blob, the
//! sink a source pushes into, matches, findings, skip records); [`scan`] implements its sink by
//! running detection and filtering. Sources never import the scanner, detection or the command
//! line; detection knows nothing of verification; no two modules import each other. The
//! `architecture` integration test checks these rules on the source tree. [`recheck`] sits beside
//! `scan`: it reads the places an earlier report names again through the sources.

pub mod app;
pub mod atomic_file;
pub mod cleanup;
pub mod cli;
pub mod config;
pub mod detect;
pub mod escape;
pub mod filter;
pub mod fingerprint;
#[doc(hidden)]
pub mod fuzzing;
pub mod gitleaks;
pub mod hook;
pub mod pipeline;
pub mod progress;
pub mod recheck;
pub mod redact_url;
pub mod report;
pub mod scan;
pub mod source;
pub mod targets;
pub mod uri;
pub mod verify;
