//! What a variable, key or flag name says about its value: a password, a secret or token, a key,
//! or nothing secret (`password_field`, `token_type`, `sort_key`).

/// The family of secret a name announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// password, passwd, pwd, pass, passphrase.
    Password,
    /// secret, token, credential(s), api/access/private/secret keys.
    Secret,
    /// Some other `*_KEY`: a secret only when the value is key-like.
    Key,
    /// `_auth` and `auth`: often an encoded `user:password`.
    Auth,
}

/// A name that announces a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretName {
    /// Which family.
    pub kind: NameKind,
    /// Whether the name alone says "secret" (`client_secret`) rather than hints (`account_key`).
    pub strong: bool,
    /// The name calls itself a test, mock or example (`test_password`, `mockToken`).
    pub self_described: bool,
}

/// Qualifiers that make `*_key` a secret's name.
const STRONG_KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "secret",
    "private",
    "encryption",
    "encrypt",
    "signing",
    "sign",
    "master",
    "client",
    "consumer",
    "auth",
    "app",
    "hmac",
    "jwt",
    "session",
    "license",
    "crypt",
    "cipher",
    "aes",
    "storage",
    "account",
    "subscription",
    "service",
    "server",
    "webhook",
];
/// Joined lower-case names (`apikey`, `secretkey`) that end in `key` and name a secret.
const JOINED_KEYS: &[&str] = &[
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "masterkey",
    "signingkey",
    "encryptionkey",
    "clientkey",
    "consumerkey",
    "authkey",
    "appkey",
    "licensekey",
    "xapikey",
];
/// Words before `token` that make it a position or a parser's token, not a credential.
const NON_CREDENTIAL_TOKENS: &[&str] = &[
    "next",
    "page",
    "continuation",
    "cancellation",
    "cancel",
    "sync",
    "cursor",
    "max",
    "min",
    "num",
    "eos",
    "bos",
    "pad",
    "unk",
    "sep",
    "cls",
    "mask",
    "end",
    "start",
    "special",
    "lexer",
    "parser",
];
/// Words that make a name describe itself as not real.
const TEST_WORDS: &[&str] = &[
    "test", "tests", "mock", "fake", "dummy", "example", "sample", "stub", "demo", "fixture",
];

/// Splits a name into lower-case words on `_ - .` and camelCase humps, into `out`.
fn words(name: &[u8], out: &mut Vec<String>) {
    out.clear();
    let mut word = String::new();
    let mut prev_lower = false;
    for &b in name {
        if !b.is_ascii_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if b.is_ascii_uppercase() && prev_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        word.push(b.to_ascii_lowercase() as char);
    }
    if !word.is_empty() {
        out.push(word);
    }
}

/// What `name` announces, or `None` when it names nothing secret.
pub fn classify_name(name: &[u8]) -> Option<SecretName> {
    let mut all = Vec::new();
    words(name, &mut all);
    let self_described = all.iter().any(|w| TEST_WORDS.contains(&w.as_str()));
    // `password2`, `PASSWORD_1`: the number does not change what the name means.
    while all
        .last()
        .is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit()))
    {
        all.pop();
    }
    let last = all.last()?.trim_end_matches(|c: char| c.is_ascii_digit());
    let prev = all.len().checked_sub(2).map(|i| all[i].as_str());
    let named = |kind, strong| {
        Some(SecretName {
            kind,
            strong,
            self_described,
        })
    };
    if matches!(
        last,
        "password" | "passwd" | "pwd" | "pass" | "passphrase" | "passcode"
    ) || last.ends_with("password")
        || last.ends_with("passwd")
        || last.ends_with("passphrase")
    {
        return named(NameKind::Password, true);
    }
    if last == "secret" || (last.ends_with("secret") && last.len() <= 20) {
        return named(NameKind::Secret, true);
    }
    if last == "token" || (last.ends_with("token") && last.len() <= 20) {
        if prev.is_some_and(|p| NON_CREDENTIAL_TOKENS.contains(&p)) || last == "tokentoken" {
            return None;
        }
        return named(NameKind::Secret, true);
    }
    if matches!(last, "credential" | "credentials" | "creds") {
        return named(NameKind::Secret, true);
    }
    if JOINED_KEYS.contains(&last) {
        return named(NameKind::Secret, true);
    }
    if last == "key" {
        let qualifier = prev?;
        if STRONG_KEY_QUALIFIERS.contains(&qualifier) || JOINED_KEYS.contains(&qualifier) {
            return named(NameKind::Secret, true);
        }
        return named(NameKind::Key, false);
    }
    // Rails' `secret_key_base`.
    if last == "base"
        && all.len() >= 3
        && all[all.len() - 2] == "key"
        && all[all.len() - 3] == "secret"
    {
        return named(NameKind::Secret, true);
    }
    if last == "auth" && all.len() == 1 {
        return named(NameKind::Auth, false);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str) -> Option<NameKind> {
        classify_name(name.as_bytes()).map(|n| n.kind)
    }

    #[test]
    fn names_announce_their_family() {
        for n in [
            "DB_PASSWORD",
            "userPassword",
            "smtp_pass",
            "--password",
            "MYSQL_PWD",
            "passphrase",
            "password2",
        ] {
            assert_eq!(kind(n), Some(NameKind::Password), "{n}");
        }
        for n in [
            "client_secret",
            "apiKey",
            "x-api-key",
            "ACCESS_TOKEN",
            "authToken",
            "credentials",
            "SECRET_KEY_BASE",
            "ENCRYPTION_KEY",
            "consumerKey",
        ] {
            assert_eq!(kind(n), Some(NameKind::Secret), "{n}");
        }
        assert_eq!(kind("partition_key"), Some(NameKind::Key));
        for n in [
            "password_field",
            "token_type",
            "max_tokens",
            "tokenizer",
            "secretName",
            "next_page_token",
            "private_key_path",
            "password_hash",
            "bypass",
            "compass",
            "key",
            "monkey",
        ] {
            assert_eq!(kind(n), None, "{n}");
        }
        assert!(classify_name(b"mockToken").unwrap().self_described);
    }
}
