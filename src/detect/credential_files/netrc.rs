//! `.netrc` / `_netrc` (ftp, curl, git, Python's netrc): whitespace-separated tokens where the one
//! after `password` (or `account`, ftp's second password) is a password. A token may be
//! double-quoted with backslash escapes, as curl writes them; `macdef` bodies run to an empty line.

use super::Field;

const RULE: &str = "netrc-password"; // defined in configs.toml with its content pattern

/// Reads the password tokens of a netrc file.
pub fn read(data: &[u8], out: &mut Vec<Field>) {
    let mut tokens = Tokens { data, at: 0 };
    // Anonymous ftp logins take an e-mail address as their conventional password.
    let mut anonymous = false;
    while let Some((start, end)) = tokens.next_token() {
        let word = &data[start..end];
        if word == b"machine" || word == b"default" {
            anonymous = false;
        } else if word == b"login" {
            anonymous = tokens
                .next_token()
                .is_some_and(|(s, e)| matches!(&data[s..e], b"anonymous" | b"ftp"));
        } else if word == b"password" || word == b"account" {
            if let Some((s, e)) = tokens.next_token()
                && !anonymous
            {
                let raw = &data[s..e];
                let quoted = raw.len() >= 2 && raw[0] == b'"' && raw[raw.len() - 1] == b'"';
                if quoted {
                    out.push(Field::with_secret(
                        RULE,
                        (s + 1, e - 1),
                        unescape(&raw[1..raw.len() - 1]),
                    ));
                } else {
                    out.push(Field::raw(RULE, data, (s, e)));
                }
            }
        } else if word == b"macdef" {
            tokens.skip_macro();
        }
    }
}

struct Tokens<'a> {
    data: &'a [u8],
    at: usize,
}

impl Tokens<'_> {
    /// The next token's span, skipping whitespace and `#` comments that start a token.
    fn next_token(&mut self) -> Option<(usize, usize)> {
        let data = self.data;
        loop {
            while self.at < data.len() && data[self.at].is_ascii_whitespace() {
                self.at += 1;
            }
            if self.at >= data.len() {
                return None;
            }
            if data[self.at] == b'#' {
                self.at =
                    memchr::memchr(b'\n', &data[self.at..]).map_or(data.len(), |i| self.at + i);
                continue;
            }
            break;
        }
        let start = self.at;
        if data[start] == b'"' {
            let mut i = start + 1;
            while i < data.len() && data[i] != b'"' && data[i] != b'\n' {
                i += if data[i] == b'\\' { 2 } else { 1 };
            }
            self.at = (i + 1).min(data.len());
            return Some((start, self.at));
        }
        while self.at < data.len() && !data[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
        Some((start, self.at))
    }

    /// Skips a macro's name and body: everything up to the next empty line.
    fn skip_macro(&mut self) {
        let rest = &self.data[self.at..];
        self.at = memchr::memmem::find(rest, b"\n\n").map_or(self.data.len(), |i| self.at + i + 2);
    }
}

fn unescape(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\\' && i + 1 < body.len() {
            out.push(match body[i + 1] {
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                other => other,
            });
            i += 2;
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_and_account_tokens_on_one_line_or_many() {
        let data = b"# personal\nmachine api.example.org login ci password hunter2\n\
            macdef init\npassword notthis\n\ndefault login anonymous password me@\nmachine ftp.host\n  login u\n  password \"a b\\\"c\"\n  account Acct9\n";
        let mut out = Vec::new();
        read(data, &mut out);
        let secrets: Vec<&[u8]> = out.iter().map(|f| &f.secret[..]).collect();
        assert_eq!(secrets, vec![&b"hunter2"[..], b"a b\"c", b"Acct9"]);
        assert_eq!(&data[out[0].span.0..out[0].span.1], b"hunter2");
    }
}
