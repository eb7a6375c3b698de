//! FileZilla's `sitemanager.xml`, `recentservers.xml` and `filezilla.xml`: each server's `<Pass>`,
//! plain in old versions and `encoding="base64"` since 3.26 (decoded, located at the encoded
//! text). Passwords encrypted with a master password (`encoding="crypt"`) are not readable.

use super::Field;
use super::text::base64_decode;
use super::xml::{elements, has_attribute, unescape};

const RULE: &str = "filezilla-password";

/// Reads every stored server password.
pub fn read(data: &[u8], out: &mut Vec<Field>) {
    elements(data, b"Pass", |attrs, span| {
        let text = unescape(&data[span.0..span.1]);
        if has_attribute(attrs, b"encoding", b"base64") {
            if let Some(password) = base64_decode(&text) {
                out.push(Field {
                    decoded: Some("base64"),
                    ..Field::with_secret(RULE, span, password)
                });
            }
        } else if !has_attribute(attrs, b"encoding", b"crypt") {
            out.push(Field::with_secret(RULE, span, text));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_plain_passwords_but_not_encrypted_ones() {
        let data = br#"<FileZilla3><Servers><Server><User>deploy</User><Pass encoding="base64">Rnc4I3FMbTI=</Pass></Server>
<Server><Pass>old&amp;plain</Pass></Server><Server><Pass encoding="crypt" pubkey="a">zz</Pass></Server></Servers></FileZilla3>"#;
        let mut out = Vec::new();
        read(data, &mut out);
        let got: Vec<(&[u8], Option<&str>)> =
            out.iter().map(|f| (&f.secret[..], f.decoded)).collect();
        assert_eq!(
            got,
            vec![(&b"Fw8#qLm2"[..], Some("base64")), (b"old&plain", None)]
        );
    }
}
