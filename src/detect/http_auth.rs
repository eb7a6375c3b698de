//! HTTP and OAuth material the rules of `rules/http.toml` find by pattern, checked further here:
//! `Authorization` values are scored like assigned values (`Bearer ${TOKEN}` and `Bearer token` are
//! not secrets), Basic credentials are decoded to `user:password` (the pair is the secret, reported
//! once at the encoded text), NTLM and Negotiate blobs are kept only when they carry a response,
//! and values of query parameters and OAuth secrets are percent-decoded before they are scored.

use base64::Engine as _;

use super::confidence::Confidence;
use super::matcher::Match;
use super::naming::NameKind;
use super::value::score_value;

/// `Authorization: Bearer …` / `Token …`.
pub const BEARER_RULE: &str = "generic-http-bearer";
/// `Authorization: Basic base64(user:password)`.
pub const BASIC_RULE: &str = "generic-http-basic";
/// `Authorization: NTLM …` / `Negotiate …`.
pub const NEGOTIATE_RULE: &str = "generic-http-negotiate";
/// `Authorization: Digest … response="…"`.
pub const DIGEST_RULE: &str = "generic-http-digest";
/// Session cookies in `Cookie:`/`Set-Cookie:` headers and recorded cookie lists.
pub const COOKIE_RULE: &str = "generic-http-session-cookie";
/// Secrets in URL query parameters.
pub const QUERY_RULE: &str = "generic-url-query-secret";
/// OAuth 1 consumer and token secrets.
pub const OAUTH1_RULE: &str = "oauth1-secret";
/// `scheme://user:password@host` (rules/urls.toml).
pub const URL_CREDENTIALS_RULE: &str = "generic-url-credentials";

/// Whether matches of rule `id` are checked here.
pub fn handles(id: &str) -> bool {
    matches!(
        id,
        BEARER_RULE
            | BASIC_RULE
            | NEGOTIATE_RULE
            | DIGEST_RULE
            | COOKIE_RULE
            | QUERY_RULE
            | OAUTH1_RULE
            | URL_CREDENTIALS_RULE
    )
}

/// Scores, decodes or rejects a match of rule `id`; false drops it.
pub fn refine(id: &str, m: &mut Match) -> bool {
    match id {
        BEARER_RULE => score_as(m, NameKind::Secret, None),
        BASIC_RULE => basic(m),
        NEGOTIATE_RULE => negotiate(m),
        DIGEST_RULE => {
            // The response is an MD5/SHA-256 of the password with a nonce: crackable offline,
            // not replayable.
            m.score.lower("digest response hash");
            m.score.lower("digest response hash");
            true
        }
        // A session ends: the cookie is worth at most medium. Its value is opaque (Express signs
        // `s%3A…`), so it is scored as written.
        COOKIE_RULE => score_as(m, NameKind::Secret, Some(Confidence::Medium)),
        QUERY_RULE | OAUTH1_RULE => percent_decoded(m) && score_as(m, NameKind::Secret, None),
        // The userinfo's password: a weak one is still a leak, ranked lower.
        URL_CREDENTIALS_RULE => score_as(m, NameKind::Password, None),
        _ => true,
    }
}

/// Scores the secret as a value under a strong name of `kind`, capped at `cap`.
fn score_as(m: &mut Match, kind: NameKind, cap: Option<Confidence>) -> bool {
    let Some(mut score) = score_value(&m.secret, kind, true, true) else {
        return false;
    };
    if let Some(cap) = cap
        && score.confidence > cap
    {
        score.lower("short-lived session");
    }
    m.score = score;
    true
}

/// Replaces a `%XX`-encoded secret with its bytes (never longer).
fn percent_decoded(m: &mut Match) -> bool {
    if m.secret.contains(&b'%') {
        let decoded: Vec<u8> = percent_encoding::percent_decode(&m.secret).collect();
        m.secret = decoded;
        m.entropy = super::entropy::shannon_entropy(&m.secret);
    }
    !m.secret.is_empty()
}

/// Basic credentials: the decoded `user:password` is the secret, scored by its password.
fn basic(m: &mut Match) -> bool {
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(&m.secret) else {
        return false;
    };
    let Ok(pair) = std::str::from_utf8(&decoded) else {
        return false;
    };
    let Some((user, password)) = pair.split_once(':') else {
        return false;
    };
    if password.is_empty() || password == user || pair.chars().any(char::is_control) {
        return false;
    }
    let Some(score) = score_value(password.as_bytes(), NameKind::Password, true, true) else {
        return false;
    };
    m.score = score;
    m.secret = decoded;
    m.entropy = super::entropy::shannon_entropy(&m.secret);
    m.decoded = Some("base64");
    true
}

/// NTLM and SPNEGO blobs: an NTLM negotiate or challenge message carries no credential, an
/// authenticate message (type 3) carries the password's response, a Kerberos ticket is replayable
/// until it expires. Both kinds are short-lived: medium at most.
fn negotiate(m: &mut Match) -> bool {
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(&m.secret) else {
        return false;
    };
    if let Some(at) = memchr::memmem::find(&decoded, b"NTLMSSP\0") {
        let message_type = decoded.get(at + 8).copied();
        if message_type != Some(3) {
            return false;
        }
    } else if decoded.len() < 64 {
        return false;
    }
    m.score.lower("short-lived session");
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Scored;

    fn matched(secret: &[u8]) -> Match {
        Match {
            rule: 0,
            start: 0,
            end: secret.len(),
            line: 1,
            column: 1,
            end_line: 1,
            secret: secret.to_vec(),
            captures: Vec::new(),
            entropy: 0.0,
            checksum_valid: None,
            score: Scored::new(Confidence::High),
            decoded: None,
        }
    }

    #[test]
    fn basic_credentials_are_decoded_to_the_pair() {
        let mut m = matched(b"ZGVwbG95OlQ0cXohbVc4dlJ6Mg==");
        assert!(refine(BASIC_RULE, &mut m));
        assert_eq!(m.secret, b"deploy:T4qz!mW8vRz2");
        assert_eq!(m.decoded, Some("base64"));
        // `user:` with no password, `admin:admin`, and text that is not base64.
        for weak in [&b"dXNlcjo="[..], b"YWRtaW46YWRtaW4=", b"authentication"] {
            assert!(!refine(BASIC_RULE, &mut matched(weak)), "{weak:?}");
        }
    }

    #[test]
    fn only_an_ntlm_authenticate_message_is_kept() {
        let message = |kind: u8| {
            let mut bytes = b"NTLMSSP\0".to_vec();
            bytes.push(kind);
            bytes.extend_from_slice(&[0u8; 60]);
            base64::engine::general_purpose::STANDARD
                .encode(bytes)
                .into_bytes()
        };
        assert!(!refine(NEGOTIATE_RULE, &mut matched(&message(1))));
        let mut m = matched(&message(3));
        assert!(refine(NEGOTIATE_RULE, &mut m));
        assert_eq!(m.score.confidence, Confidence::Medium);
    }

    #[test]
    fn weak_bearer_values_are_not_secrets() {
        for weak in ["token", "YOUR_ACCESS_TOKEN", "accessToken"] {
            assert!(
                !refine(BEARER_RULE, &mut matched(weak.as_bytes())),
                "{weak}"
            );
        }
        let mut m = matched(b"q8Zr2VtLx9Pw4NcB7mKd0aTe5YhU3jFs");
        assert!(refine(BEARER_RULE, &mut m));
        assert_eq!(m.score.confidence, Confidence::High);
    }
}
