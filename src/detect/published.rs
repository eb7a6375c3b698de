//! Published example values: keys that providers print in their own documentation (and tools show
//! by default) and that therefore sit verbatim in thousands of projects. They are ranked, not
//! dropped: one step lower, with the reason, so a docs or test path hides them by default while a
//! production config that really uses one still shows it.

use std::collections::HashSet;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use super::matcher::Match;

/// The reason a finding carries when its value is a published example.
pub const REASON: &str = "published example";

/// `sha256-hex description` lines; `#` starts a comment line.
const LIST: &str = include_str!("published_examples.txt");

fn digests() -> &'static HashSet<[u8; 32]> {
    static SET: OnceLock<HashSet<[u8; 32]>> = OnceLock::new();
    SET.get_or_init(|| {
        LIST.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| {
                let hex = line.split_whitespace().next()?;
                let mut digest = [0u8; 32];
                hex::decode_to_slice(hex, &mut digest).ok()?;
                Some(digest)
            })
            .collect()
    })
}

fn listed(value: &[u8]) -> bool {
    digests().contains(&<[u8; 32]>::from(Sha256::digest(value)))
}

/// Example values printed in the OAuth specifications (RFC 5849, RFC 6749, RFC 6750): short, so
/// they are matched by the assignment recogniser's value score, and harmless to hold as text.
const SPEC_EXAMPLES: &[&str] = &[
    // RFC 6749: access and refresh tokens, authorization code, client credentials.
    "2YotnFZFEjr1zCsicMWpAA",
    "tGzv3JOkF0XG5Qx2TlKWIA",
    "SplxlOBeZQQYbYS6WxSbIA",
    "7Fjfp0ZBr1KtDRbnfVdmIw",
    // RFC 6750: bearer token.
    "mF_9.B5f-4.1JqM",
    // RFC 5849: consumer key and secret, temporary and token credentials.
    "dpf43f3p2l4k3l03",
    "kd94hf93k423kf44",
    "hh5s93j4hdidpola",
    "hdhd0244k9j7ao03",
    "nnch734d00sl2jdk",
    "pfkkdhi9sl3r4s00",
];

/// Whether `value` is a published example of either list: what the value score ranks low.
pub fn is_published_example(value: &[u8]) -> bool {
    SPEC_EXAMPLES.iter().any(|e| value == e.as_bytes()) || is_published(value)
}

/// Whether `secret` is a published example: the whole value, or the signature of a JWT (people
/// edit a sample token's claims and keep its well-known signature).
pub fn is_published(secret: &[u8]) -> bool {
    if listed(secret) {
        return true;
    }
    let mut parts = secret.rsplitn(2, |&b| b == b'.');
    match (parts.next(), parts.next()) {
        (Some(signature), Some(rest)) if secret.starts_with(b"eyJ") && rest.contains(&b'.') => {
            listed(signature)
        }
        _ => false,
    }
}

/// Lowers every match in `matches` whose secret is a published example.
pub fn rank(matches: &mut [Match]) {
    for m in matches {
        if is_published(&m.secret) {
            m.score.lower(REASON);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_parses_and_every_line_is_a_digest() {
        let lines = LIST
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(digests().len(), lines);
        assert!(lines >= 6);
    }

    #[test]
    fn whole_values_and_jwt_signatures_are_recognised() {
        // Assembled at run time so this file does not itself hold the published values.
        let stripe = format!("sk_test_{}{}", "4eC39HqLyjWDarjtT1", "zdp7dc");
        assert!(is_published(stripe.as_bytes()));
        let signature = ["SflKxwRJSMeKKF2QT4fwpMeJf36P", "Ok6yJV_adQssw5c"].concat();
        let edited = format!("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.{signature}");
        assert!(is_published(edited.as_bytes()));
        assert!(!is_published(b"sk_test_4eC39HqLyjWDarjtT1zdp7dd"));
        assert!(!is_published(signature.as_bytes().get(1..).unwrap()));
    }

    #[test]
    fn specification_examples_match_only_exactly() {
        assert!(is_published_example(b"2YotnFZFEjr1zCsicMWpAA"));
        assert!(!is_published_example(b"2YotnFZFEjr1zCsicMWpAB"));
        assert!(!is_published_example(b"2yotnfzfejr1zcsicmwpaa"));
    }
}
