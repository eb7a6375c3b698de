//! `.npmrc`: `key=value` lines where `_authToken` is a bearer token, `_auth` the base64 of
//! `user:password` and `_password` the base64 of a password, each global or scoped to a registry
//! (`//registry.example.com/:_authToken=...`). Reported as written (npm sends them so), under the
//! npm rules of `packages.toml` and `configs.toml`.

use super::Field;
use super::text::{is_comment, key_value, lines, unquote};

/// Reads the authentication settings.
pub fn read(data: &[u8], out: &mut Vec<Field>) {
    for (start, line) in lines(data) {
        if is_comment(line, b";#") {
            continue;
        }
        let Some((key, value)) = key_value(line, start, b"=") else {
            continue;
        };
        let key = &data[key.0..key.1];
        // The setting's name is what follows the registry scope's last `:`.
        let name = key.rsplit(|&b| b == b':').next().unwrap_or(key);
        let rule = match name {
            b"_authToken" => "npm-npmrc-auth-token",
            b"_auth" => "npm-npmrc-basic-auth",
            b"_password" => "npm-npmrc-password",
            _ => continue,
        };
        out.push(Field::raw(rule, data, unquote(data, value)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_base64_credentials_global_or_scoped() {
        let data = b"registry=https://npm.example.com/\n\
            //npm.example.com/:_authToken=\"7f3c2a9e-51b4-4d0e-9c8a-2b6f1e4d3a70\"\n\
            _auth = Y2k6UXo3IXBMMm0=\n\
            ; _auth = commented\n\
            //npm.pkg.example.org/:_password=VHI4I3ZMbTI=\n\
            //npm.example.com/:username=ci\n";
        let mut out = Vec::new();
        read(data, &mut out);
        let got: Vec<(&str, &[u8])> = out.iter().map(|f| (f.rule, &f.secret[..])).collect();
        assert_eq!(
            got,
            vec![
                (
                    "npm-npmrc-auth-token",
                    &b"7f3c2a9e-51b4-4d0e-9c8a-2b6f1e4d3a70"[..]
                ),
                ("npm-npmrc-basic-auth", b"Y2k6UXo3IXBMMm0="),
                ("npm-npmrc-password", b"VHI4I3ZMbTI="),
            ]
        );
        assert_eq!(&data[out[1].span.0..out[1].span.1], b"Y2k6UXo3IXBMMm0=");
    }
}
