//! Docker's `config.json`, the legacy `.dockercfg` and Kubernetes' `.dockerconfigjson`: each
//! registry's `auth` is base64 of `user:password` (the password is reported, decoded, located at
//! the encoded text); `identitytoken` and `registrytoken` are tokens as they are.

use super::Field;
use super::json::string_pairs;
use super::text::base64_decode;

const RULE: &str = "docker-config-auth";

/// Reads every registry's credentials.
pub fn read(data: &[u8], out: &mut Vec<Field>) {
    string_pairs(data, |pair| match pair.key {
        b"auth" => {
            let password = base64_decode(&pair.value).and_then(|decoded| {
                let colon = memchr::memchr(b':', &decoded)?;
                Some(decoded[colon + 1..].to_vec())
            });
            match password {
                Some(password) => out.push(Field {
                    decoded: Some("base64"),
                    ..Field::with_secret(RULE, pair.span, password)
                }),
                None => out.push(Field::with_secret(RULE, pair.span, pair.value)),
            }
        }
        b"identitytoken" | b"registrytoken" | b"password" => {
            out.push(Field::with_secret(RULE, pair.span, pair.value))
        }
        _ => {}
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_is_decoded_to_its_password_and_tokens_kept() {
        let data = br#"{"auths": {"registry.example.com": {"auth": "ZGVwbG95OlJ4OSFrTHEybVo="},
  "ghcr.io": {"auth": ""}, "quay.io": {"identitytoken": "eyJhbGciOi.x.y"}},
  "credsStore": "desktop"}"#;
        let mut out = Vec::new();
        read(data, &mut out);
        let got: Vec<(&[u8], Option<&str>)> =
            out.iter().map(|f| (&f.secret[..], f.decoded)).collect();
        assert_eq!(
            got,
            vec![
                (&b"Rx9!kLq2mZ"[..], Some("base64")),
                (b"", None),
                (b"eyJhbGciOi.x.y", None)
            ]
        );
        assert_eq!(
            &data[out[0].span.0..out[0].span.1],
            b"ZGVwbG95OlJ4OSFrTHEybVo="
        );
    }
}
