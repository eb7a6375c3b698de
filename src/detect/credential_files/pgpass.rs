//! `.pgpass` / `pgpass.conf`: `hostname:port:database:username:password` lines, where `\:` and
//! `\\` escape the separator and the backslash (libpq's rules) and `#` starts a comment line.

use super::Field;
use super::text::{is_comment, lines};

const RULE: &str = "pgpass-password";

/// Reads the password field of every entry.
pub fn read(data: &[u8], out: &mut Vec<Field>) {
    for (start, line) in lines(data) {
        if is_comment(line, b"#") {
            continue;
        }
        let mut fields = 0;
        let mut i = 0;
        while i < line.len() && fields < 4 {
            match line[i] {
                b'\\' => i += 1,
                b':' => fields += 1,
                _ => {}
            }
            i += 1;
        }
        if fields < 4 {
            continue;
        }
        let value = &line[i.min(line.len())..];
        let mut secret = Vec::with_capacity(value.len());
        let mut j = 0;
        while j < value.len() {
            if value[j] == b'\\' && j + 1 < value.len() {
                j += 1;
            } else if value[j] == b':' {
                break; // libpq stops the password at an unescaped separator
            }
            secret.push(value[j]);
            j += 1;
        }
        let span_start = start + i.min(line.len());
        out.push(Field::with_secret(
            RULE,
            (span_start, span_start + j),
            secret,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifth_field_is_unescaped() {
        let data = b"# host:port:db:user:pw\n*:5432:*:app:p\\:w\\\\1\ndb.internal:5432:shop:\nlocalhost:*:*:u:\n";
        let mut out = Vec::new();
        read(data, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].secret, b"p:w\\1");
        assert_eq!(&data[out[0].span.0..out[0].span.1], b"p\\:w\\\\1");
        assert_eq!(
            out[1].secret, b"",
            "empty passwords are dropped later as stand-ins"
        );
    }
}
