//! Value quality: how much a literal bound to a secret's name looks like a credential. Weak human
//! passwords are still leaks under a password name (ranked lower); references, placeholders,
//! labels, paths, URLs, versions and hashes are not values at all.

use super::confidence::{Confidence, Scored};
use super::entropy::shannon_entropy;
use super::naming::NameKind;
use super::placeholder::is_placeholder;
use super::rules::char_class_count;

/// Values that are words about a field, not its content (compared case-insensitively).
const NON_VALUES: &[&str] = &[
    "null",
    "none",
    "nil",
    "undefined",
    "true",
    "false",
    "empty",
    "required",
    "optional",
    "string",
    "str",
    "text",
    "hidden",
    "default",
    "value",
    "unset",
    "blank",
    "disabled",
    "enabled",
    "yes",
    "no",
    "on",
    "off",
    "n/a",
    "tbd",
    "todo",
    "password",
    "passwd",
    "secret",
    "token",
    "pass",
    "pwd",
    "apikey",
    "api_key",
    "bearer",
    "basic",
    "auth",
    "key",
    "private",
    "public",
    "int",
    "bool",
    "bytes",
    "object",
    "any",
    "masked",
    "hunter",
    "omitted",
];

/// Words in a value that describe it as a test value.
const TEST_MARKERS: &[&str] = &["test", "mock", "demo", "stub"];

/// Scores `value` under a name of `kind`; `None` when it is not a credential value at all.
pub fn score_value(
    value: &[u8],
    kind: NameKind,
    strong_name: bool,
    quoted: bool,
) -> Option<Scored> {
    let min_len = match kind {
        NameKind::Password => 4,
        NameKind::Secret | NameKind::Auth => 8,
        NameKind::Key => 16,
    };
    if value.len() < min_len || !value.iter().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    if is_not_a_value(value) || (!quoted && is_reference(value)) {
        return None;
    }
    let classes = char_class_count(value);
    let entropy = shannon_entropy(value);
    let digit = value.iter().any(u8::is_ascii_digit);
    let letters = value.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let random = value.len() >= 16
        && classes >= 2
        && entropy >= 3.5
        && (digit || classes >= 3)
        && !wordy(value);
    let mut score = Scored::new(Confidence::High);
    if is_uuid(value) {
        score.lower("uuid value");
        score.lower("uuid value");
        return Some(score);
    }
    match kind {
        NameKind::Password => {
            if !random {
                let fair = value.len() >= 6 && classes >= 2 && letters > 0;
                score.lower("weak value");
                if !fair {
                    score.lower("weak value");
                }
            }
        }
        NameKind::Secret => {
            if !random {
                if value.len() < 8 || !digit {
                    return None;
                }
                score.lower("weak value");
                if value.len() < 12 && classes < 3 {
                    score.lower("weak value");
                }
            }
        }
        NameKind::Key | NameKind::Auth => {
            if !random {
                return None;
            }
            score.lower("generic key name");
        }
    }
    if !strong_name && kind == NameKind::Secret {
        score.lower("generic key name");
    }
    let lower = value.to_ascii_lowercase();
    if TEST_MARKERS
        .iter()
        .any(|m| memchr::memmem::find(&lower, m.as_bytes()).is_some())
    {
        score.lower("test value");
    }
    Some(score)
}

/// Placeholders, templating, labels, paths, URLs, versions, hashes and identifiers.
fn is_not_a_value(v: &[u8]) -> bool {
    let text = std::str::from_utf8(v).unwrap_or("");
    let lower = text.to_ascii_lowercase();
    if NON_VALUES.contains(&lower.as_str()) || is_placeholder(v) {
        return true;
    }
    let starts = |p: &str| lower.starts_with(p);
    if starts("$") || starts("%") || starts("#{") || starts("<%") || starts(":") || starts("?") {
        return true;
    }
    if (starts("<") && text.ends_with('>'))
        || (starts("{") && text.ends_with('}'))
        || (starts("[") && text.ends_with(']'))
    {
        return true;
    }
    if lower.contains("://")
        || starts("/")
        || starts("./")
        || starts("../")
        || starts("~/")
        || text.contains('\\')
    {
        return true;
    }
    if v.len() > 2 && v[1] == b':' && v[0].is_ascii_alphabetic() {
        return true; // C:/path
    }
    // Integrity strings and LDAP-style hashes.
    if [
        "sha1-", "sha256-", "sha384-", "sha512-", "md5-", "{ssha}", "{sha}", "{crypt}", "{bcrypt}",
    ]
    .iter()
    .any(|p| starts(p))
    {
        return true;
    }
    if text.contains("%s") || text.contains("{0}") || text.contains('(') || text.contains('[') {
        return true;
    }
    if is_version(v)
        || is_attribute_chain(v)
        || is_email(text)
        || is_identifier_shape(v)
        || is_label(v)
    {
        return true;
    }
    // A file name: `id_rsa.pem`, `secrets.json`.
    if let Some(dot) = text.rfind('.') {
        let ext = &lower[dot + 1..];
        if [
            "pem", "key", "json", "yaml", "yml", "txt", "crt", "p12", "pfx", "env", "conf", "jks",
        ]
        .contains(&ext)
        {
            return true;
        }
    }
    false
}

/// An unquoted value that is a variable, attribute or call in code: `user_password`, `cfg.token`.
fn is_reference(v: &[u8]) -> bool {
    let identifier = v
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && v.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_');
    v.iter().all(|b| b.is_ascii_alphabetic() || *b == b'_')
        || (identifier && v.contains(&b'_'))
        || memchr::memmem::find(v, b"::").is_some()
        || v.iter().any(|b| matches!(b, b'<' | b'>'))
        || is_number(v)
}

/// `8529u32`, `-2147212282i32`, `0xC000006A`, `4096`: a numeric literal in code.
fn is_number(v: &[u8]) -> bool {
    let body = v.strip_prefix(b"-").unwrap_or(v);
    let body = body
        .strip_prefix(b"0x")
        .or_else(|| body.strip_prefix(b"0X"))
        .unwrap_or(body);
    let digits = body.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let suffix = &body[digits..];
    digits > 0
        && (body[0].is_ascii_digit() || v.starts_with(b"0x"))
        && matches!(
            suffix,
            b"" | b"u8"
                | b"u16"
                | b"u32"
                | b"u64"
                | b"u128"
                | b"usize"
                | b"i8"
                | b"i16"
                | b"i32"
                | b"i64"
                | b"i128"
                | b"isize"
                | b"L"
                | b"UL"
                | b"u"
                | b"U"
        )
}

/// `node.dot2_token`, `self.config.api_key`: an attribute chain.
fn is_attribute_chain(v: &[u8]) -> bool {
    v.contains(&b'.')
        && v.split(|&b| b == b'.').all(|part| {
            part.first()
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
                && part.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        })
}

/// `1.2.3`, `v2.0.1-beta`.
fn is_version(v: &[u8]) -> bool {
    let body = v.strip_prefix(b"v").unwrap_or(v);
    body.first().is_some_and(u8::is_ascii_digit)
        && body.iter().filter(|&&b| b == b'.').count() >= 2
        && body
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
}

fn is_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty()
            && host.contains('.')
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    })
}

/// CONSTANT_NAMES, snake_case, kebab-case, dotted.names and camelCase made only of letters.
fn is_identifier_shape(v: &[u8]) -> bool {
    let letters_and_separators = v
        .iter()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'.'));
    let has_separator = v.iter().any(|b| matches!(b, b'_' | b'-' | b'.'));
    if letters_and_separators && has_separator {
        return true;
    }
    // CONSTANT_NAME_2 / dotted.name.v2: words joined by separators, digits only at word ends.
    let constant = v.first().is_some_and(u8::is_ascii_uppercase)
        && v.iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
        && v.contains(&b'_');
    if constant {
        return true;
    }
    // camelCase: lower-case start, letters only, at least one hump.
    v.first().is_some_and(u8::is_ascii_lowercase)
        && v.iter().all(u8::is_ascii_alphabetic)
        && v.iter().any(u8::is_ascii_uppercase)
        && v.len() >= 8
}

/// A capitalised word of letters only: `Password`, `Passwort`, `Contrasena`: a label.
fn is_label(v: &[u8]) -> bool {
    v.first().is_some_and(u8::is_ascii_uppercase) && v[1..].iter().all(u8::is_ascii_lowercase)
}

fn is_uuid(v: &[u8]) -> bool {
    v.len() == 36
        && v.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Letters that read like words (many vowels), as in `MySuperSecretPassphrase`: chosen, not random.
fn wordy(v: &[u8]) -> bool {
    let letters = v.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let vowels = v
        .iter()
        .filter(|b| matches!(b.to_ascii_lowercase(), b'a' | b'e' | b'i' | b'o' | b'u'))
        .count();
    letters >= 10 && letters * 10 >= v.len() * 7 && vowels * 100 >= letters * 33
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(v: &str, kind: NameKind) -> Option<Confidence> {
        score_value(v.as_bytes(), kind, true, true).map(|s| s.confidence)
    }

    #[test]
    fn random_values_are_high_and_weak_passwords_are_kept_lower() {
        assert_eq!(
            conf("q8Zr2VtLx9Pw4NcB7mKd0aTe5YhU3jFs", NameKind::Secret),
            Some(Confidence::High)
        );
        assert_eq!(
            conf("c8f2a91d7e4b6035f1a9c2e7d84b0f6a", NameKind::Key),
            Some(Confidence::Medium)
        );
        assert_eq!(
            conf("hunter2", NameKind::Password),
            Some(Confidence::Medium)
        );
        assert_eq!(conf("letmein", NameKind::Password), Some(Confidence::Low));
        assert_eq!(conf("MySuperSecretPassphrase", NameKind::Secret), None);
        assert_eq!(conf("my_secret_value", NameKind::Secret), None);
        assert_eq!(conf("1.2.3", NameKind::Password), None);
        assert_eq!(conf("ops@corp.example.net", NameKind::Password), None);
        assert_eq!(conf("DB_PASSWORD", NameKind::Password), None);
    }
}
