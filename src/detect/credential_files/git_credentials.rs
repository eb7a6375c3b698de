//! `.git-credentials` (git's `store` helper): one `scheme://user:password@host/path` URL a line,
//! with the userinfo percent-encoded.

use super::Field;
use super::text::{lines, percent_decode};

const RULE: &str = "git-credentials";

/// Reads the password in each stored URL.
pub fn read(data: &[u8], out: &mut Vec<Field>) {
    for (start, line) in lines(data) {
        let line_trimmed = line.trim_ascii_end();
        let Some(scheme_end) = memchr::memmem::find(line_trimmed, b"://") else {
            continue;
        };
        let rest_start = scheme_end + 3;
        let rest = &line_trimmed[rest_start..];
        let authority_end = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let Some(at) = memchr::memrchr(b'@', authority) else {
            continue;
        };
        let Some(colon) = memchr::memchr(b':', &authority[..at]) else {
            continue;
        };
        let s = start + rest_start + colon + 1;
        let e = start + rest_start + at;
        out.push(Field::with_secret(
            RULE,
            (s, e),
            percent_decode(&data[s..e]),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_passwords_are_percent_decoded() {
        let data = b"https://ci-bot:p%40ss%3Aw0rd@git.example.com\nhttps://token-only@github.com\n\
            https://u:Tk9zQ2@host:8443/group/repo.git\n";
        let mut out = Vec::new();
        read(data, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].secret, b"p@ss:w0rd");
        assert_eq!(&data[out[1].span.0..out[1].span.1], b"Tk9zQ2");
    }
}
