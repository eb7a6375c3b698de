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
    fn nth_last(&self, i: usize) -> Option<&'a [u8]> {
        (i < self.len).then(|| self.get(self.len - 1 - i))
    }

    fn any_in(&self, list: &[&str]) -> bool {
        (0..self.len).any(|i| in_list(self.get(i), list))
    }
}

fn in_list(word: &[u8], list: &[&str]) -> bool {
    list.iter().any(|w| word.eq_ignore_ascii_case(w.as_bytes()))
}

/// What `name` announces, or `None` when it names nothing secret.
pub fn classify_name(name: &[u8]) -> Option<SecretName> {
    let mut words = Words::split(name);
    // `password2`, `PASSWORD_1`: the number does not change what the name means.
    while words.len > 0 && words.get(words.len - 1).iter().all(u8::is_ascii_digit) {
        words.len -= 1;
    }
    let last = words.nth_last(0)?;
    let digits = last.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    // The last two words, lower-cased on the stack, are compared as plain byte slices.
    let mut last_buf = [0u8; MAX_WORD];
    let last = lower_into(&last[..last.len() - digits], &mut last_buf)?;
    let mut prev_buf = [0u8; MAX_WORD];
    let prev = words.nth_last(1).and_then(|p| lower_into(p, &mut prev_buf));
    // Most names at keyword hits are not secret names: the test words are looked for only once
    // the name is known to be one.
    let named = |kind, strong| {
        Some(SecretName {
            kind,
            strong,
            self_described: words.any_in(TEST_WORDS),
        })
    };
    let in_list = |word: &[u8], list: &[&str]| list.iter().any(|w| w.as_bytes() == word);
    if matches!(
        last,
        b"password" | b"passwd" | b"pwd" | b"pass" | b"passphrase" | b"passcode" | b"passwort"
    ) || last.ends_with(b"password")
        || last.ends_with(b"passwd")
        || last.ends_with(b"passphrase")
    {
        return named(NameKind::Password, true);
    }
    if last.ends_with(b"secret") && last.len() <= 20 {
        return named(NameKind::Secret, true);
    }
    if last.ends_with(b"token") && last.len() <= 20 {
        if prev.is_some_and(|p| in_list(p, NON_CREDENTIAL_TOKENS)) || last == b"tokentoken" {
            return None;
        }
        return named(NameKind::Secret, true);
    }
    if matches!(last, b"credential" | b"credentials" | b"creds") || in_list(last, JOINED_KEYS) {
        return named(NameKind::Secret, true);
    }
    if last == b"key" {
        let qualifier = prev?;
        if in_list(qualifier, STRONG_KEY_QUALIFIERS) || in_list(qualifier, JOINED_KEYS) {
            return named(NameKind::Secret, true);
        }
        return named(NameKind::Key, false);
    }
    // WordPress' `AUTH_SALT`, `SECURE_AUTH_SALT`: secret only when the value is random.
    if last == b"salt" && prev.is_some() {
        return named(NameKind::Key, false);
    }
    // Rails' `secret_key_base`.
    if last == b"base"
        && prev == Some(&b"key"[..])
        && words
            .nth_last(2)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"secret"))
    {
        return named(NameKind::Secret, true);
    }
    if last == b"auth" && words.len == 1 {
        return named(NameKind::Auth, false);
    }
    None
}

/// Longest word compared; longer ones are no word of the vocabulary.
const MAX_WORD: usize = 24;

/// `word` lower-cased into `buf`; `None` when it is too long to be a vocabulary word.
fn lower_into<'b>(word: &[u8], buf: &'b mut [u8; MAX_WORD]) -> Option<&'b [u8]> {
    if word.len() > MAX_WORD {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(word) {
        *d = s.to_ascii_lowercase();
    }
    Some(&buf[..word.len()])
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
        // Acronym humps and camelCase joins split into words like snake_case does.
        for n in [
            "APIKey",
            "StorageAccountKey",
            "X-Api-Key",
            "spring.mail.password",
        ] {
            assert!(kind(n).is_some(), "{n}");
        }
        assert_eq!(kind("SECURE_AUTH_SALT"), Some(NameKind::Key));
        assert_eq!(kind("salt"), None);
    }
}
