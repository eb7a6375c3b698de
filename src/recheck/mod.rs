//! `ferret recheck`: after a rotation, proves that the secrets a report listed are dead. Each
//! finding's place is read again ([`plan`], [`locate`]), the secret is recovered by rule and
//! fingerprint (reports never hold secrets), and the provider is asked about it; each finding then
//! ends revoked, still live, gone or unknown ([`outcome`]).

pub mod locate;
pub mod outcome;
pub mod plan;
pub mod record;
