//! Value quality: how much a literal bound to a secret's name looks like a credential. Weak human
//! passwords are still leaks under a password name (ranked lower); references, placeholders,
//! labels, paths, URLs, versions and hashes are not values at all.
//!
//! A value falls into one shape class: random (a generated token or key), strong (a chosen password
//! with length and mixed classes), fair (a short human password), weak, or descriptive words
//! (`correct_master_key_123`) that read like a sample. Nothing here allocates: it runs at every
//! assignment a scan meets.

use super::confidence::{Confidence, Scored};
use super::entropy::shannon_entropy;
use super::naming::NameKind;
use super::placeholder::is_placeholder;
use super::published::is_published_example;
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
    "changeit",
];

/// Words in a value that describe it as a test value.
const TEST_MARKERS: &[&str] = &["test", "mock", "demo", "stub"];
/// Words in a value that name the field it fills (`my-secret-token`, `yourpassword`). With digits
/// added (`password123`, `AdminPassword1`) the value is a classic weak password instead: people
/// do choose those, and a labelled leak counts them.
const FIELD_WORDS: &[&str] = &["password", "passwd", "secret", "token", "apikey", "api_key"];

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
    let mut score = Scored::new(Confidence::High);
    if is_uuid(value) {
        score.lower("uuid value");
        score.lower("uuid value");
        return Some(score);
    }
    let classes = char_class_count(value);
    let digit = value.iter().any(u8::is_ascii_digit);
    let letters = value.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let mashed = keyboard_mash(value);
    let chosen = wordy(value) || descriptive(value) || mashed;
    let random = !chosen && is_random(value, classes, digit);
    match kind {
        NameKind::Password => {
            let strong = !chosen && value.len() >= 10 && classes >= 3;
            if !random && !strong {
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
    if descriptive(value) {
        score.lower("descriptive value");
    }
    // Values are at most a few hundred bytes (the recogniser's limit): lower-cased on the stack.
    let mut buf = [0u8; 256];
    let len = value.len().min(buf.len());
    for (d, s) in buf.iter_mut().zip(value) {
        *d = s.to_ascii_lowercase();
    }
    let lower = &buf[..len];
    if mashed {
        score.lower("typed value");
    }
    if is_published_example(value) {
        score.lower("published example");
        score.lower("published example");
    }
    if !digit && contains_any(lower, FIELD_WORDS) {
        score.lower("value names its field");
    }
    if contains_any(lower, TEST_MARKERS) {
        score.lower("test value");
    }
    Some(score)
}

/// A generated token or key: long, varied, and with the marks of randomness (digits among
/// letters, several classes, or case switching no word has).
fn is_random(v: &[u8], classes: u8, digit: bool) -> bool {
    // Short random strings repeat characters by chance: the floor follows the length (3.2 bits
    // at 16 characters, 3.5 from 21 on), so one in a hundred random values is not missed.
    let floor = (0.8 * (v.len() as f64).log2()).min(3.5);
    if v.len() < 16 || classes < 2 || shannon_entropy(v) < floor {
        return false;
    }
    let case_switches = v
        .windows(2)
        .filter(|w| {
            w[0].is_ascii_alphabetic()
                && w[1].is_ascii_alphabetic()
                && w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase()
        })
        .count();
    digit || classes >= 3 || case_switches * 5 >= v.len()
}

fn starts_with_ignore_case(v: &[u8], prefix: &str) -> bool {
    v.len() >= prefix.len() && v[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn contains(v: &[u8], needle: &str) -> bool {
    memchr::memmem::find(v, needle.as_bytes()).is_some()
}

/// Whether lower-case `v` holds one of `words` (lower-case).
fn contains_any(v: &[u8], words: &[&str]) -> bool {
    words
        .iter()
        .any(|w| memchr::memmem::find(v, w.as_bytes()).is_some())
}

/// Placeholders, templating, labels, paths, URLs, versions, hashes and identifiers.
fn is_not_a_value(v: &[u8]) -> bool {
    if NON_VALUES
        .iter()
        .any(|w| v.eq_ignore_ascii_case(w.as_bytes()))
        || is_placeholder(v)
    {
        return true;
    }
    let starts = |p: &str| starts_with_ignore_case(v, p);
    if ["$", "%", "#{", "<%", ":", "?"].iter().any(|p| starts(p)) {
        return true;
    }
    let ends = |b: u8| v.last() == Some(&b);
    if (starts("<") && ends(b'>')) || (starts("{") && ends(b'}')) || (starts("[") && ends(b']')) {
        return true;
    }
    if contains(v, "://")
        || ["/", "./", "../", "~/"].iter().any(|p| starts(p))
        || v.contains(&b'\\')
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
    if contains(v, "%s") || contains(v, "{0}") || v.contains(&b'(') || v.contains(&b'[') {
        return true;
    }
    if is_version(v)
        || is_word_path(v)
        || is_attribute_chain(v)
        || is_email(v)
        || is_identifier_shape(v)
        || is_label(v)
    {
        return true;
    }
    // A file name: `id_rsa.pem`, `secrets.json`.
    if let Some(dot) = memchr::memrchr(b'.', v) {
        let ext = &v[dot + 1..];
        if [
            "pem", "key", "json", "yaml", "yml", "txt", "crt", "p12", "pfx", "env", "conf", "jks",
        ]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e.as_bytes()))
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
        || (identifier && v.contains(&b'_') && v.split(|&b| b == b'_').all(word_shaped))
        || memchr::memmem::find(v, b"::").is_some()
        || v.iter().any(|b| matches!(b, b'<' | b'>'))
        || is_number(v)
}

/// One part of an identifier: `user`, `DB`, `ec2`, `keyPair`, `Password1` (digits only at the end,
/// no case changes a word would not have).
fn word_shaped(part: &[u8]) -> bool {
    let digits = part.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let word = &part[..part.len() - digits];
    if !word.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    word.iter().all(u8::is_ascii_lowercase)
        || word.iter().all(u8::is_ascii_uppercase)
        || camel_words(word)
}

/// Letters that split into camelCase words of three or more letters: `keyPair`, `Password`.
fn camel_words(word: &[u8]) -> bool {
    let humps = word
        .iter()
        .enumerate()
        .filter(|&(i, b)| i == 0 || b.is_ascii_uppercase())
        .count();
    let adjacent_upper = word
        .windows(2)
        .any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase());
    !adjacent_upper && word.len() >= humps * 3
}

/// `8529u32`, `-2147212282i32`, `0xC000006A`, `0x0000_0001`, `4096`: a numeric literal in code.
fn is_number(v: &[u8]) -> bool {
    let body = v.strip_prefix(b"-").unwrap_or(v);
    let hex = body.starts_with(b"0x") || body.starts_with(b"0X");
    let body = if hex { &body[2..] } else { body };
    let digits = body
        .iter()
        .take_while(|b| b.is_ascii_hexdigit() || **b == b'_')
        .count();
    let suffix = &body[digits..];
    digits > 0
        && (body[0].is_ascii_digit() || hex)
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

/// `node.dot2_token`, `self.config.api_key`, `self.opts.0.pass`: an attribute chain.
fn is_attribute_chain(v: &[u8]) -> bool {
    let identifier = |part: &[u8]| {
        part.first()
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            && part.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    };
    let index = |part: &[u8]| !part.is_empty() && part.iter().all(u8::is_ascii_digit);
    v.contains(&b'.')
        && v.split(|&b| b == b'.')
            .enumerate()
            .all(|(i, part)| identifier(part) || (i > 0 && index(part)))
}

/// `yegor256/home#assets/creds`, `team/app-secrets`: a path or reference made of words, where
/// a base64 value's `/` sits between random characters.
fn is_word_path(v: &[u8]) -> bool {
    v.contains(&b'/')
        && v.split(|b| matches!(b, b'/' | b'-' | b'_' | b'.' | b'#' | b':' | b'@'))
            .all(word_shaped)
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

fn is_email(v: &[u8]) -> bool {
    let Some(at) = memchr::memchr(b'@', v) else {
        return false;
    };
    let (user, host) = (&v[..at], &v[at + 1..]);
    !user.is_empty()
        && host.contains(&b'.')
        && host
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
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
    // camelCase: lower-case start, letters only, humps of real words.
    v.first().is_some_and(u8::is_ascii_lowercase)
        && v.iter().all(u8::is_ascii_alphabetic)
        && v.iter().any(u8::is_ascii_uppercase)
        && v.len() >= 8
        && camel_words(v)
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

fn is_vowel(b: u8) -> bool {
    matches!(
        b.to_ascii_lowercase(),
        b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
    )
}

/// Letters that read like words, as in `MySuperSecretPassphrase` or `supersecretvalue`: most
/// letters sit in lower-case runs of four or more (a capital may lead), and those runs carry
/// vowels as words do. Random text rarely has such runs in mixed case, and has few vowels when
/// all lower case.
fn wordy(v: &[u8]) -> bool {
    let letters = v.iter().filter(|b| b.is_ascii_alphabetic()).count();
    if letters < 8 || letters * 10 < v.len() * 6 {
        return false;
    }
    let (mut in_runs, mut vowels) = (0, 0);
    let mut i = 0;
    while i < v.len() {
        let start = i;
        if v[i].is_ascii_alphabetic() {
            i += 1;
        }
        while i < v.len() && v[i].is_ascii_lowercase() {
            i += 1;
        }
        if i == start {
            i += 1;
            continue;
        }
        if i - start >= 4 {
            in_runs += i - start;
            vowels += v[start..i].iter().filter(|&&b| is_vowel(b)).count();
        }
    }
    in_runs * 10 >= letters * 6 && vowels * 100 >= in_runs * 30
}

/// Lower-case letters typed along the keyboard's home row among digits (`askfjh234as9sd8`,
/// `lkjsdf0293`): a value a person made up to fill a field. Random lower-case text has about a
/// third of its letters on the home row; mashed text has most.
fn keyboard_mash(v: &[u8]) -> bool {
    // Hex has only `a`-`f`, half of them on the home row: hex keys are not typed.
    if v.iter().any(u8::is_ascii_uppercase) || v.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let letters = v.iter().filter(|b| b.is_ascii_lowercase()).count();
    let home = v
        .iter()
        .filter(|b| {
            matches!(
                b,
                b'a' | b's' | b'd' | b'f' | b'g' | b'h' | b'j' | b'k' | b'l'
            )
        })
        .count();
    letters >= 6 && home * 10 >= letters * 6
}

/// Words joined by separators (`correct_master_key_123!`, `my-app-secret-v2`): two or more parts
/// of three or more letters covering most of the value. Chosen by a person to describe, not to
/// protect.
fn descriptive(v: &[u8]) -> bool {
    let separator = |b: &u8| matches!(b, b'_' | b'-' | b'.' | b' ');
    let (mut words, mut covered) = (0, 0);
    for part in v.split(separator) {
        let word = part.iter().all(u8::is_ascii_alphabetic) && part.len() >= 3;
        let vowel = part.iter().any(|&b| is_vowel(b));
        if word && vowel {
            words += 1;
            covered += part.len();
        }
    }
    words >= 2 && covered * 10 >= v.len() * 6
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
        // A strong chosen password is high; random short values with repeats are still random.
        assert_eq!(
            conf("Yp4YV^!UI@2#", NameKind::Password),
            Some(Confidence::High)
        );
        assert_eq!(
            conf("NS7U7NOZmN0RpZQNPoOZ", NameKind::Secret),
            Some(Confidence::High)
        );
        // Descriptive words, typed filler, field names and published examples rank low.
        assert_eq!(
            conf("correct_master_key_123!", NameKind::Password),
            Some(Confidence::Low)
        );
        assert_eq!(
            conf("askfjh234as9sd8", NameKind::Secret),
            Some(Confidence::Low)
        );
        assert_eq!(
            conf("password123", NameKind::Password),
            Some(Confidence::Medium)
        );
        assert_eq!(
            conf("AdminPassword123", NameKind::Password),
            Some(Confidence::Medium)
        );
        assert_eq!(
            conf("yoursecretpassword", NameKind::Password),
            Some(Confidence::Low)
        );
        assert_eq!(
            conf("2YotnFZFEjr1zCsicMWpAA", NameKind::Secret),
            Some(Confidence::Low)
        );
        // Hex keys are not typed filler even though half of hex letters sit on the home row.
        assert_eq!(
            conf("d235edcc4bddd7551792d35d16bfe837", NameKind::Secret),
            Some(Confidence::High)
        );
    }
}
