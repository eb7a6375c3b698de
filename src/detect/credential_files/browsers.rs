//! Firefox's `logins.json`: each saved login's `encryptedPassword`. The value is encrypted with the
//! profile's `key4.db`, which sits beside it and opens it without any password unless the user set
//! a primary password, so a copied profile discloses every saved password.

use super::Field;
use super::json::string_pairs;

/// The rule that reports saved Firefox passwords.
pub const FIREFOX_RULE: &str = "firefox-saved-password";

/// Reads every saved login's encrypted password.
pub fn read_firefox_logins(data: &[u8], out: &mut Vec<Field>) {
    string_pairs(data, |pair| {
        // Base64 of a DER structure: anything shorter cannot hold a password.
        if pair.key == b"encryptedPassword" && pair.value.len() >= 16 {
            out.push(Field::with_secret(FIREFOX_RULE, pair.span, pair.value));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_passwords_but_not_usernames_or_other_fields() {
        let data = br#"{"nextId":3,"logins":[{"id":1,"hostname":"https://intranet.corp.test","encryptedUsername":"MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECLxyWz1u0e6LBBBNyA==","encryptedPassword":"MEIEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECJ1k2xQ9vGfbBBh5lC0m1yZ4nWq8Yb1cJx3s","guid":"{8b1c}","encType":1},{"id":2,"encryptedPassword":""}]}"#;
        let mut out = Vec::new();
        read_firefox_logins(data, &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].secret.starts_with(b"MEIEEPg"));
        assert_eq!(&data[out[0].span.0..out[0].span.1], &out[0].secret[..]);
    }
}
