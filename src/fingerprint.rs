//! Fingerprints: the identity of a (rule, secret) pair that baselines, `.ferretignore` and SARIF
//! carry. Those files are committed and published, so a fingerprint must not let anyone confirm a
//! guessed password offline with a cheap hash: it is derived with Argon2id (memory-hard, about as
//! slow per guess as a password hash) from a salt that belongs to the project, so a table of guesses
//! computed for one project is worthless for another.
//!
//! The salt is `fingerprint_salt` in `ferret.toml`. When none is set a built-in salt is used: still
//! slow per guess, but the same for every project that did not set one. A salt derived from the
//! repository (its root commit) was rejected because CI checkouts are shallow: the root commit is
//! not there, and a baseline made on a laptop would stop matching in CI.
//!
//! Deriving costs tens of milliseconds, so each distinct secret is derived once per run and cached;
//! scanning threads derive different secrets in parallel.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use argon2::{Algorithm, Argon2, Block, Params, Version};
use sha2::{Digest, Sha256};

/// What every current fingerprint starts with; a bare 32-hex value is an old (v1) one.
pub const PREFIX: &str = "fp2_";
/// Salt used when the project's config sets none.
pub const DEFAULT_SALT: &str = "ferret built-in fingerprint salt (set fingerprint_salt)";

/// Argon2id memory cost in KiB: OWASP's minimum recommendation for password storage.
const MEMORY_KIB: u32 = 19 * 1024;
/// Argon2id passes over the memory.
const PASSES: u32 = 2;
/// Bytes of the derived value kept (hex-encoded into the fingerprint).
const OUTPUT_LEN: usize = 16;

/// The old fingerprint: hex of the first 16 bytes of a SHA-256 of rule id and secret.
///
/// Cheap, so it is never printed any more; it is used as an in-memory identity of a secret and to
/// match entries that old baselines and ignore files still hold.
pub fn legacy(rule_id: &str, secret: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"ferret/v1\0");
    hasher.update(rule_id.as_bytes());
    hasher.update(b"\0");
    hasher.update(secret);
    hex::encode(&hasher.finalize()[..16])
}

/// Whether `text` is an old (v1) fingerprint: 32 hex characters without [`PREFIX`].
pub fn is_legacy(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `text` is a current fingerprint: [`PREFIX`] and 32 hex characters.
pub fn is_current(text: &str) -> bool {
    text.strip_prefix(PREFIX).is_some_and(is_legacy)
}

thread_local! {
    /// Each thread's Argon2 working memory, kept between derivations.
    static ARGON2_MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A fingerprint computed at most once, shared by the threads that want it.
type Slot = Arc<OnceLock<String>>;

/// Derives fingerprints for one project (one salt), caching one derivation per distinct secret.
#[derive(Debug)]
pub struct Fingerprinter {
    salt: [u8; 32],
    /// v1 fingerprint (the cheap in-memory key) -> derived fingerprint, computed once.
    cache: Mutex<HashMap<String, Slot>>,
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Self::new(DEFAULT_SALT)
    }
}

impl Fingerprinter {
    /// A fingerprinter for the project whose salt is `salt`.
    pub fn new(salt: &str) -> Self {
        // Argon2 wants a fixed-size salt of at least 8 bytes; any text the user chose maps to one.
        let mut hasher = Sha256::new();
        hasher.update(b"ferret/fp2 salt\0");
        hasher.update(salt.as_bytes());
        Self {
            salt: hasher.finalize().into(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The fingerprint of `secret` found by rule `rule_id`: `fp2_` and 32 hex characters.
    pub fn fingerprint(&self, rule_id: &str, secret: &[u8]) -> String {
        let slot = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.entry(legacy(rule_id, secret)).or_default().clone()
        };
        // Derived outside the lock so other threads derive other secrets meanwhile; a thread that
        // wants the same secret waits for this one instead of deriving it again.
        slot.get_or_init(|| self.derive(rule_id, secret)).clone()
    }

    /// Derives the fingerprints of `pairs` (rule id, secret) that are not cached yet, in parallel:
    /// one blob can hold hundreds of distinct secrets (a dump, a key file), and deriving them one
    /// after another on the thread that scans it would leave the other cores idle.
    pub fn prepare(&self, pairs: &[(&str, &[u8])]) {
        use rayon::prelude::*;
        let missing: Vec<(&str, &[u8], Slot)> = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            pairs
                .iter()
                .filter_map(|&(rule_id, secret)| {
                    let slot = cache.entry(legacy(rule_id, secret)).or_default();
                    (slot.get().is_none()).then(|| (rule_id, secret, slot.clone()))
                })
                .collect()
        };
        if missing.len() < 2 {
            return;
        }
        missing.par_iter().for_each(|(rule_id, secret, slot)| {
            slot.get_or_init(|| self.derive(rule_id, secret));
        });
    }

    /// How many distinct secrets have been derived so far.
    pub fn derived(&self) -> usize {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.values().filter(|slot| slot.get().is_some()).count()
    }

    fn derive(&self, rule_id: &str, secret: &[u8]) -> String {
        let mut input = Vec::with_capacity(rule_id.len() + 1 + secret.len());
        input.extend_from_slice(rule_id.as_bytes());
        input.push(0);
        input.extend_from_slice(secret);
        let mut out = [0u8; OUTPUT_LEN];
        let hashed = Params::new(MEMORY_KIB, PASSES, 1, Some(OUTPUT_LEN)).and_then(|params| {
            let blocks = params.block_count();
            let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
            ARGON2_MEMORY.with_borrow_mut(|memory| {
                // Argon2 writes every block before it reads it, so the last derivation's
                // contents do no harm; reusing the memory spares a fresh 19 MiB mapping (page
                // faults and zeroing, a third of a derivation's time) per secret.
                memory.resize(blocks, Block::default());
                argon2.hash_password_into_with_memory(&input, &self.salt, &mut out, &mut memory[..])
            })
        });
        if let Err(e) = hashed {
            // The parameters are constants within Argon2's limits, the salt has a fixed valid
            // length and the input is far below its maximum, so this cannot happen.
            unreachable!("Argon2id with fixed valid parameters failed: {e}");
        }
        format!("{PREFIX}{}", hex::encode(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_identity_depends_on_rule_and_secret_only() {
        let a = legacy("github-pat-classic", b"ghp_abc");
        assert_eq!(a, legacy("github-pat-classic", b"ghp_abc"));
        assert_ne!(a, legacy("github-oauth", b"ghp_abc"));
        assert_ne!(a, legacy("github-pat-classic", b"ghp_abd"));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn fingerprint_depends_on_rule_secret_and_salt() {
        let fp = Fingerprinter::new("project-a");
        let a = fp.fingerprint("github-pat-classic", b"ghp_abc");
        assert!(is_current(&a), "{a}");
        assert_eq!(a, fp.fingerprint("github-pat-classic", b"ghp_abc"));
        assert_eq!(
            a,
            Fingerprinter::new("project-a").fingerprint("github-pat-classic", b"ghp_abc")
        );
        assert_ne!(a, fp.fingerprint("github-oauth", b"ghp_abc"));
        assert_ne!(a, fp.fingerprint("github-pat-classic", b"ghp_abd"));
        assert_ne!(
            a,
            Fingerprinter::new("project-b").fingerprint("github-pat-classic", b"ghp_abc")
        );
    }

    #[test]
    fn fingerprint_is_not_a_plain_hash() {
        let secret = b"hunter2";
        let fp = Fingerprinter::default().fingerprint("password", secret);
        let hex_part = fp.strip_prefix(PREFIX).unwrap();
        assert_ne!(hex_part, legacy("password", secret));
        let plain = hex::encode(Sha256::digest(secret));
        assert!(!plain.contains(hex_part));
    }

    #[test]
    fn legacy_and_current_are_told_apart() {
        let old = legacy("r", b"s");
        assert!(is_legacy(&old) && !is_current(&old));
        let new = Fingerprinter::default().fingerprint("r", b"s");
        assert!(is_current(&new) && !is_legacy(&new));
        assert!(!is_legacy("not-a-fingerprint"));
    }
}
