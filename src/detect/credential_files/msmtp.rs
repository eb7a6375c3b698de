//! msmtp (`password VALUE`, one command a line, optionally double-quoted) and esmtp
//! (`password = VALUE`) rc files: the SMTP password of each account or identity.
//! `passwordeval` runs a command and holds no secret.

use super::Field;
use super::text::{is_comment, lines, trim, unquote};

const RULE: &str = "msmtp-password";

/// Reads every `password` command.
pub fn read(data: &[u8], out: &mut Vec<Field>) {
    for (start, line) in lines(data) {
        if is_comment(line, b"#") {
            continue;
        }
        let body = line.trim_ascii_start();
        let indent = line.len() - body.len();
        let Some(rest) = body.strip_prefix(b"password") else {
            continue;
        };
        if !rest
            .first()
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'=')
        {
            continue;
        }
        let mut at = start + indent + b"password".len();
        let end = start + line.len();
        while at < end && (data[at].is_ascii_whitespace() || data[at] == b'=') {
            at += 1;
        }
        let span = unquote(data, trim(data, (at, end)));
        out.push(Field::raw(RULE, data, span));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msmtp_and_esmtp_syntaxes() {
        let data = b"account work\nhost smtp.example.com\npassword Mz8#qLw2\npasswordeval pass show mail\n\
            identity me@example.com\n  password = \"Tq2 x!\"\n";
        let mut out = Vec::new();
        read(data, &mut out);
        let got: Vec<&[u8]> = out.iter().map(|f| &f.secret[..]).collect();
        assert_eq!(got, vec![&b"Mz8#qLw2"[..], b"Tq2 x!"]);
    }
}
