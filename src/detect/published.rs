//! Credentials published as examples in standards and official documentation: they appear
//! verbatim in libraries, tutorials and tests everywhere and open nothing, so a match on one is
//! ranked low (with the reason) instead of being reported as a leak.

/// Example values printed in the OAuth specifications (RFC 5849, RFC 6749, RFC 6750).
const PUBLISHED_EXAMPLES: &[&str] = &[
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

/// Whether `value` is a credential published as an example.
pub fn is_published_example(value: &[u8]) -> bool {
    PUBLISHED_EXAMPLES.iter().any(|e| value == e.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_published_value_matches() {
        assert!(is_published_example(b"2YotnFZFEjr1zCsicMWpAA"));
        assert!(!is_published_example(b"2YotnFZFEjr1zCsicMWpAB"));
        assert!(!is_published_example(b"2yotnfzfejr1zcsicmwpaa"));
    }
}
