//! Format checksums that some providers embed in their tokens.
//!
//! A valid checksum turns "looks like a token" into "was minted by the provider" without a network call.

use serde::Deserialize;

/// A checksum scheme a rule can name in its `checksum` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Checksum {
    /// GitHub's scheme (also used by npm): the last 6 characters are the base62 CRC32 of the 30
    /// random characters between the prefix and the checksum.
    #[serde(rename = "github-crc32")]
    GithubCrc32,
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl Checksum {
    /// Returns whether `secret` carries a valid checksum of this scheme.
    pub fn is_valid(self, secret: &[u8]) -> bool {
        match self {
            Checksum::GithubCrc32 => github_crc32_valid(secret),
        }
    }
}

fn github_crc32_valid(secret: &[u8]) -> bool {
    // The token is `<prefix>_<30 random><6 checksum>`; the prefix ends at the last underscore.
    let Some(underscore) = memchr::memrchr(b'_', secret) else {
        return false;
    };
    let body = &secret[underscore + 1..];
    if body.len() != 36 {
        return false;
    }
    let (random, check) = body.split_at(30);
    encode_base62_6(crc32fast::hash(random)) == check
}

/// Encodes `value` in base62, most significant digit first, left-padded with '0' to 6 characters.
pub fn encode_base62_6(mut value: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make_token(prefix: &str, random: &str) -> String {
        let check = encode_base62_6(crc32fast::hash(random.as_bytes()));
        format!("{prefix}{random}{}", std::str::from_utf8(&check).unwrap())
    }

    #[test]
    fn github_token_checksum_round_trip() {
        let token = make_token("ghp_", "Qm3kV8zR1tW6yB0nC4xL7pJ2hF5dS9");
        assert!(Checksum::GithubCrc32.is_valid(token.as_bytes()));
        let mut broken = token.into_bytes();
        let last = broken.len() - 1;
        broken[last] = if broken[last] == b'A' { b'B' } else { b'A' };
        assert!(!Checksum::GithubCrc32.is_valid(&broken));
    }

    #[test]
    fn wrong_length_is_invalid() {
        assert!(!Checksum::GithubCrc32.is_valid(b"ghp_short"));
        assert!(!Checksum::GithubCrc32.is_valid(b"noprefix"));
    }
}
