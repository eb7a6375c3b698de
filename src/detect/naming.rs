//! What a variable, key or flag name says about its value: a password, a secret or token, a key,
//! or nothing secret (`password_field`, `token_type`, `sort_key`).
//!
//! Names are split into words on `_ - .` and camelCase humps (`APIKey` is `api key`), without
//! allocating: this runs at every keyword hit of a scan.

/// The family of secret a name announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// password, passwd, pwd, pass, passphrase.
    Password,
    /// secret, token, credential(s), api/access/private/secret keys.
    Secret,
    /// Some other `*_KEY` or `*_SALT`: a secret only when the value is key-like.
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
    "shared",
    "secure",
    "nonce",
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
    "accountkey",
    "storagekey",
    "sharedkey",
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
    "last",
    "first",
    "prev",
    "previous",
    "current",
    "peek",
    "input",
    "output",
];
/// Words that make a name describe itself as not real.
const TEST_WORDS: &[&str] = &[
    "test", "tests", "mock", "fake", "dummy", "example", "sample", "stub", "demo", "fixture",
];

/// Most words a name is split into; the last ones decide, so longer names keep their tail.
const MAX_WORDS: usize = 16;

/// A name's words as byte ranges into it (the last [`MAX_WORDS`] of them).
struct Words<'a> {
    name: &'a [u8],
    ranges: [(usize, usize); MAX_WORDS],
    len: usize,
}

impl<'a> Words<'a> {
    /// Splits `name` on non-alphanumerics, lower-to-upper humps (`dbPassword`) and the end of an
    /// acronym (`APIKey`: `API`, `Key`).
    fn split(name: &'a [u8]) -> Self {
        let mut words = Self {
            name,
            ranges: [(0, 0); MAX_WORDS],
            len: 0,
        };
        let mut start = None;
        for (i, &b) in name.iter().enumerate() {
            if !b.is_ascii_alphanumeric() {
                if let Some(s) = start.take() {
                    words.push(s, i);
                }
                continue;
            }
            if let Some(s) = start
                && i > s
                && b.is_ascii_uppercase()
            {
                let prev = name[i - 1];
                let next_lower = name.get(i + 1).is_some_and(u8::is_ascii_lowercase);
                let hump = prev.is_ascii_lowercase() || prev.is_ascii_digit();
                if hump || (prev.is_ascii_uppercase() && next_lower) {
                    words.push(s, i);
                    start = Some(i);
                }
            }
            if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            words.push(s, name.len());
        }
        words
    }

    fn push(&mut self, start: usize, end: usize) {
        if self.len == MAX_WORDS {
            self.ranges.copy_within(1.., 0);
            self.len -= 1;
        }
        self.ranges[self.len] = (start, end);
        self.len += 1;
    }

    /// Word `i` (0-based).
    fn get(&self, i: usize) -> &'a [u8] {
        let (s, e) = self.ranges[i];
        &self.name[s..e]
    }

    /// Word `i` counted from the end (0 is the last).
    fn from_end(&self, i: usize) -> Option<&'a [u8]> {
        (i < self.len).then(|| self.get(self.len - 1 - i))
    }

    fn any_in(&self, list: &[&str]) -> bool {
        (0..self.len).any(|i| in_list(self.get(i), list))
    }
}

fn in_list(word: &[u8], list: &[&str]) -> bool {
    list.iter().any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
}

fn is(word: &[u8], text: &str) -> bool {
    word.eq_ignore_ascii_case(text.as_bytes())
}

fn ends_with(word: &[u8], suffix: &str) -> bool {
    word.len() >= suffix.len() && is(&word[word.len() - suffix.len()..], suffix)
}

/// What `name` announces, or `None` when it names nothing secret.
pub fn classify_name(name: &[u8]) -> Option<SecretName> {
    let mut words = Words::split(name);
    let self_described = words.any_in(TEST_WORDS);
    // `password2`, `PASSWORD_1`: the number does not change what the name means.
    while words.len > 0 && words.get(words.len - 1).iter().all(u8::is_ascii_digit) {
        words.len -= 1;
    }
    let last = words.from_end(0)?;
    let digits = last.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let last = &last[..last.len() - digits];
    let prev = words.from_end(1);
    let named = |kind, strong| {
        Some(SecretName {
            kind,
            strong,
            self_described,
        })
    };
    if [
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "passcode",
        "passwort",
    ]
    .iter()
    .any(|w| is(last, w))
        || ends_with(last, "password")
        || ends_with(last, "passwd")
        || ends_with(last, "passphrase")
    {
        return named(NameKind::Password, true);
    }
    if is(last, "secret") || (ends_with(last, "secret") && last.len() <= 20) {
        return named(NameKind::Secret, true);
    }
    if is(last, "token") || (ends_with(last, "token") && last.len() <= 20) {
        if prev.is_some_and(|p| in_list(p, NON_CREDENTIAL_TOKENS)) || is(last, "tokentoken") {
            return None;
        }
        return named(NameKind::Secret, true);
    }
    if ["credential", "credentials", "creds"]
        .iter()
        .any(|w| is(last, w))
    {
        return named(NameKind::Secret, true);
    }
    if in_list(last, JOINED_KEYS) {
        return named(NameKind::Secret, true);
    }
    if is(last, "key") {
        let qualifier = prev?;
        if in_list(qualifier, STRONG_KEY_QUALIFIERS) || in_list(qualifier, JOINED_KEYS) {
            return named(NameKind::Secret, true);
        }
        return named(NameKind::Key, false);
    }
    // WordPress' `AUTH_SALT`, `SECURE_AUTH_SALT`: secret only when the value is random.
    if is(last, "salt") && prev.is_some() {
        return named(NameKind::Key, false);
    }
    // Rails' `secret_key_base`.
    if is(last, "base")
        && words.from_end(1).is_some_and(|w| is(w, "key"))
        && words.from_end(2).is_some_and(|w| is(w, "secret"))
    {
        return named(NameKind::Secret, true);
    }
    if is(last, "auth") && words.len == 1 {
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
