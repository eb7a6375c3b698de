//! Password hashes, reported as `password-hash` wherever a file's structure puts them: the second
//! field of `/etc/shadow`, the part after `user:` in `.htpasswd`, and crypt-format hashes anywhere
//! in SQL dumps and seed files. A hash is offline-crackable, so it is a leak of the password it
//! protects (weak ones fall in seconds).

use super::text::{is_comment, lines};
use super::{Field, PASSWORD_HASH_RULE};

/// `/etc/shadow`: `name:hash:...`. Locked accounts keep their hash after a `!`.
pub fn read_shadow(data: &[u8], out: &mut Vec<Field>) {
    for (start, line) in lines(data) {
        let Some(first) = memchr::memchr(b':', line) else {
            continue;
        };
        let rest = &line[first + 1..];
        let end = memchr::memchr(b':', rest).unwrap_or(rest.len());
        let locks = rest[..end].iter().take_while(|&&b| b == b'!').count();
        let hash = &rest[locks..end];
        if crypt_hash_len(hash) == Some(hash.len()) || is_des_crypt(hash) {
            let s = start + first + 1 + locks;
            out.push(Field::raw(PASSWORD_HASH_RULE, data, (s, s + hash.len())));
        }
    }
}

/// `.htpasswd`: `user:hash` lines in any of Apache's formats (bcrypt, `$apr1$`, `{SHA}`, crypt).
pub fn read_htpasswd(data: &[u8], out: &mut Vec<Field>) {
    for (start, line) in lines(data) {
        if is_comment(line, b"#") {
            continue;
        }
        let line = line.trim_ascii_end();
        let Some(colon) = memchr::memchr(b':', line) else {
            continue;
        };
        let hash = &line[colon + 1..];
        let sha = hash.strip_prefix(b"{SHA}").is_some_and(|b| {
            b.len() == 28
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || b"+/=".contains(c))
        });
        if sha || crypt_hash_len(hash) == Some(hash.len()) || is_des_crypt(hash) {
            let s = start + colon + 1;
            out.push(Field::raw(PASSWORD_HASH_RULE, data, (s, s + hash.len())));
        }
    }
}

/// SQL dumps and seed files: every crypt-format hash that starts a token (after a quote, a
/// separator or a blank), wherever it is.
pub fn read_dump(data: &[u8], out: &mut Vec<Field>) {
    let mut next_free = 0;
    for at in memchr::memchr2_iter(b'$', b'p', data) {
        if at < next_free {
            continue;
        }
        let starts_token = at == 0 || !is_hash_byte(data[at - 1]);
        if !starts_token {
            continue;
        }
        if let Some(len) = crypt_hash_len(&data[at..]) {
            let end = at + len;
            if data.get(end).is_none_or(|&b| !is_hash_byte(b)) {
                out.push(Field::raw(PASSWORD_HASH_RULE, data, (at, end)));
            }
            next_free = end;
        }
    }
}

/// Bytes that can occur inside a hash (so a hash cannot start or end next to one).
fn is_hash_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'$' | b'+' | b'=' | b'_' | b',')
}

/// Traditional DES crypt: 13 characters of `[./0-9A-Za-z]`, with a digit or a symbol among them.
fn is_des_crypt(hash: &[u8]) -> bool {
    hash.len() == 13
        && hash.iter().all(|&b| is_crypt64(b))
        && hash
            .iter()
            .any(|b| b.is_ascii_digit() || matches!(b, b'.' | b'/'))
}

fn is_crypt64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'/'
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// The length of the crypt-format password hash `text` starts with, if it starts with one:
/// bcrypt, md5-crypt and Apache's apr1, sha256- and sha512-crypt, yescrypt, argon2, and PBKDF2 as
/// Django and passlib write it.
pub fn crypt_hash_len(text: &[u8]) -> Option<usize> {
    let mut c = Scan { text, at: 0 };
    if c.lit(b"$2") {
        c.one_of(b"abxy");
        c.lit(b"$").then_some(())?;
        (c.run(|b| b.is_ascii_digit()) == 2).then_some(())?;
        c.lit(b"$").then_some(())?;
        return (c.run(is_crypt64) == 53).then_some(c.at);
    }
    if c.lit(b"$1$") || c.lit(b"$apr1$") {
        return salted(&mut c, 8, 22);
    }
    for (prefix, digest) in [(&b"$5$"[..], 43), (b"$6$", 86)] {
        if c.lit(prefix) {
            if c.lit(b"rounds=") {
                (c.run(|b| b.is_ascii_digit()) > 0 && c.lit(b"$")).then_some(())?;
            }
            return salted(&mut c, 16, digest);
        }
    }
    if c.lit(b"$y$") {
        (c.run(is_crypt64) > 0 && c.lit(b"$")).then_some(())?;
        return salted(&mut c, 64, 43);
    }
    if c.lit(b"$argon2") {
        (c.lit(b"id") || c.lit(b"i") || c.lit(b"d")).then_some(())?;
        c.lit(b"$").then_some(())?;
        if c.lit(b"v=") {
            (c.run(|b| b.is_ascii_digit()) > 0 && c.lit(b"$")).then_some(())?;
        }
        (c.run(|b| b.is_ascii_alphanumeric() || b == b'=' || b == b',') > 0).then_some(())?;
        c.lit(b"$").then_some(())?;
        (c.run(is_b64) >= 8 && c.lit(b"$")).then_some(())?;
        return (c.run(is_b64) >= 16).then_some(c.at);
    }
    if c.lit(b"pbkdf2_sha256$")
        || c.lit(b"pbkdf2_sha1$")
        || c.lit(b"$pbkdf2-sha256$")
        || c.lit(b"$pbkdf2-sha512$")
    {
        (c.run(|b| b.is_ascii_digit()) > 0 && c.lit(b"$")).then_some(())?;
        (c.run(|b| is_b64(b) || b == b'.') >= 4 && c.lit(b"$")).then_some(())?;
        let digest = c.run(|b| is_b64(b) || b == b'.');
        c.run(|b| b == b'=');
        return (digest >= 20).then_some(c.at);
    }
    None
}

/// `salt$digest` after a crypt prefix: a salt of 1..=`max_salt` characters and a digest of exactly
/// `digest` characters.
fn salted(c: &mut Scan<'_>, max_salt: usize, digest: usize) -> Option<usize> {
    let salt = c.run(is_crypt64);
    (salt >= 1 && salt <= max_salt && c.lit(b"$")).then_some(())?;
    (c.run(is_crypt64) == digest).then_some(c.at)
}

struct Scan<'a> {
    text: &'a [u8],
    at: usize,
}

impl Scan<'_> {
    fn lit(&mut self, s: &[u8]) -> bool {
        let found = self.text[self.at..].starts_with(s);
        if found {
            self.at += s.len();
        }
        found
    }

    fn one_of(&mut self, set: &[u8]) {
        if self.text.get(self.at).is_some_and(|b| set.contains(b)) {
            self.at += 1;
        }
    }

    fn run(&mut self, class: impl Fn(u8) -> bool) -> usize {
        let n = self.text[self.at..]
            .iter()
            .take_while(|&&b| class(b))
            .count();
        self.at += n;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BCRYPT: &str = "$2y$10$Z8jTNxfRxPHKrh8khrr/Ylvy.gPJCe4UMMNMbXN5m6oSicF4b.haI";
    const SHA512: &str = "$6$DhM47aI5$p29RP6s9Q5dq5M4q3fzPgdBlbmJa65oZQCVUIAtlt8AZFTy7dPjFhYP37CFGZU69wW65BTyLG0VHjcZ5pyetMM";

    #[test]
    fn crypt_formats_are_measured_exactly() {
        assert_eq!(crypt_hash_len(BCRYPT.as_bytes()), Some(60));
        assert_eq!(crypt_hash_len(SHA512.as_bytes()), Some(SHA512.len()));
        let argon = b"$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$Qm3kV8zR1tW6yB0nC4xL7eJ2hF5dS9aPq1Lw8Zr3Tm6";
        assert_eq!(crypt_hash_len(argon), Some(argon.len()));
        let django =
            b"pbkdf2_sha256$600000$Zt7kQ2mWx9$R4nV8xL2pJ6hF1dS9aQm3kV8zR1tW6yB0nC4xL7eJ2h=";
        assert_eq!(crypt_hash_len(django), Some(django.len()));
        let yescrypt = b"$y$j9T$hVgWGhe0/bfRmp1upzsDvP$e5HUPeh0Sl.hkgWd5DXb5tmx3aT16SDnxTXtvnTfPdM";
        assert_eq!(crypt_hash_len(yescrypt), Some(yescrypt.len()));
        assert_eq!(
            crypt_hash_len(b"$1$I8qbrWnF$oX.XG8dLnXkRE9MVN8ije1"),
            Some(34)
        );
        assert_eq!(crypt_hash_len(b"$2y$10$short"), None);
        assert_eq!(crypt_hash_len(b"$1$"), None);
    }

    #[test]
    fn shadow_hash_field_and_locked_accounts() {
        let data =
            format!("root:!{SHA512}:19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\nweb:x:1:1\n");
        let mut out = Vec::new();
        read_shadow(data.as_bytes(), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].secret, SHA512.as_bytes());
        assert_eq!(out[0].span.0, 6);
    }

    #[test]
    fn htpasswd_formats() {
        let data = format!(
            "admin:{BCRYPT}\nold:$apr1$SC7sQ7pA$dhIgufVqaMYiqiRNFPnHC9\nsha:{{SHA}}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\nplain:hunter2\n"
        );
        let mut out = Vec::new();
        read_htpasswd(data.as_bytes(), &mut out);
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn dumps_yield_hashes_in_values_not_inside_other_tokens() {
        let data = format!(
            "INSERT INTO users VALUES (1,'a@b.c','{BCRYPT}'),(2,'c@d.e','x{BCRYPT}');\n-- $2y$ only\n"
        );
        let mut out = Vec::new();
        read_dump(data.as_bytes(), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(
            &data.as_bytes()[out[0].span.0..out[0].span.1],
            BCRYPT.as_bytes()
        );
    }
}
