//! Recognises values that have the shape of a secret but are obviously not one: documentation
//! placeholders, template variables, environment look-ups and keyboard runs.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

/// Substrings (compared ASCII case-insensitively) that only a template, a masked copy or a code
/// reference puts in a value: nobody logs in with `your_password` or `${DB_PASS}`.
const TEMPLATE_MARKERS: &[&str] = &[
    "xxxx",
    "****",
    "${",
    "{{",
    "%(",
    "process.env",
    "os.environ",
    "getenv",
    "your_",
    "your-",
    "yourkey",
    "placeholder",
    "redacted",
    "insert",
    "replace",
    "...",
    "…",
];

/// Substrings that mark a sample value, though a person may also have typed them as a weak
/// password (`changeme`, `ExamplePass1`).
const SAMPLE_MARKERS: &[&str] = &[
    "example",
    "dummy",
    "sample",
    "changeme",
    "change_me",
    "fake",
];

/// One automaton over the markers: a single pass over the value finds any of them.
fn markers() -> &'static AhoCorasick {
    static MARKERS: OnceLock<AhoCorasick> = OnceLock::new();
    MARKERS.get_or_init(|| {
        AhoCorasick::new(TEMPLATE_MARKERS.iter().chain(SAMPLE_MARKERS))
            .expect("the placeholder markers are valid patterns")
    })
}

/// Whether `value` holds a template, masking or code-reference marker (`${`, `your_`, `xxxx`).
pub fn has_template_marker(value: &[u8]) -> bool {
    static TEMPLATE: OnceLock<AhoCorasick> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(TEMPLATE_MARKERS)
                .expect("the template markers are valid patterns")
        })
        .is_match(value)
}

/// Returns whether `secret` is a placeholder rather than a credential.
pub fn is_placeholder(secret: &[u8]) -> bool {
    // A key block's header lines (`Comment: sample signing key`) and BEGIN-line text describe the
    // key; only its material can be a placeholder.
    if secret.starts_with(b"-----BEGIN") || secret.starts_with(b"PuTTY-User-Key-File-") {
        return has_marker(&key_material(secret));
    }
    if has_marker(secret) {
        return true;
    }
    // Key blocks and other long values legitimately hold runs (`AAAAAAAA` in every OpenSSH key,
    // indentation); the run checks are for token-sized values only.
    if secret.len() > LONG_SECRET || memchr::memchr(b'\n', secret).is_some() {
        return false;
    }
    longest_identical_run(secret) >= 6
        || longest_ascending_run(secret.iter().copied()) >= 7
        || interleaved_ascending(secret)
}

/// Whether `text` holds a placeholder marker or an `<angle placeholder>`.
fn has_marker(text: &[u8]) -> bool {
    // Lower-cased once (on the stack for token-sized values) so the markers are one automaton
    // pass: this runs for every candidate match of every rule.
    let mut buf = [0u8; LOWER_BUF];
    let owned;
    let lower: &[u8] = if text.len() <= LOWER_BUF {
        for (d, s) in buf.iter_mut().zip(text) {
            *d = s.to_ascii_lowercase();
        }
        &buf[..text.len()]
    } else {
        owned = text.to_ascii_lowercase();
        &owned
    };
    markers().is_match(lower) || has_angle_placeholder(text)
}

/// The lines of a key block that are neither its BEGIN/END markers nor `Name: value` headers,
/// whether its lines are broken by newlines or by literal `\n`.
fn key_material(block: &[u8]) -> Vec<u8> {
    let mut material = Vec::with_capacity(block.len());
    let mut rest = block;
    while !rest.is_empty() {
        let newline = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let escaped = memchr::memmem::find(rest, b"\\n").unwrap_or(rest.len());
        let (line, skip) = if escaped < newline {
            (&rest[..escaped], 2)
        } else {
            (&rest[..newline], 1)
        };
        let trimmed = line.trim_ascii();
        let marker = trimmed.starts_with(b"-----") || trimmed.ends_with(b"-----");
        if !marker && memchr::memmem::find(trimmed, b": ").is_none() {
            material.extend_from_slice(trimmed);
            material.push(b'\n');
        }
        rest = &rest[(line.len() + skip).min(rest.len())..];
    }
    material
}

/// `A1B2C3D4E5F6G7H8`: letters and digits that each count up when read apart.
fn interleaved_ascending(secret: &[u8]) -> bool {
    let letters = secret.iter().copied().filter(u8::is_ascii_alphabetic);
    let digits = secret.iter().copied().filter(u8::is_ascii_digit);
    longest_ascending_run(letters) >= 6 && longest_ascending_run(digits) >= 4
}

/// Values up to this long are lower-cased on the stack.
const LOWER_BUF: usize = 256;

/// Secrets longer than this skip the run checks.
const LONG_SECRET: usize = 200;

/// `<your-key>`, `<API KEY>`, `<token>`: a word in angle brackets.
fn has_angle_placeholder(secret: &[u8]) -> bool {
    let mut rest = secret;
    while let Some(open) = memchr::memchr(b'<', rest) {
        let after = &rest[open + 1..];
        let word_len = after
            .iter()
            .take_while(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b' '))
            .count();
        if word_len >= 4 && after.get(word_len) == Some(&b'>') {
            return true;
        }
        rest = after;
    }
    false
}

fn longest_identical_run(bytes: &[u8]) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev = None;
    for &b in bytes {
        run = if Some(b) == prev { run + 1 } else { 1 };
        prev = Some(b);
        best = best.max(run);
    }
    best
}

/// Longest run of alphanumerics that each follow the previous by one (`1234567`, `abcdefg`).
fn longest_ascending_run(bytes: impl IntoIterator<Item = u8>) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev: Option<u8> = None;
    for b in bytes {
        let b = b.to_ascii_lowercase();
        if !b.is_ascii_alphanumeric() {
            run = 0;
            prev = None;
            continue;
        }
        run = match prev {
            Some(p) if p + 1 == b => run + 1,
            _ => 1,
        };
        prev = Some(b);
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
            "${GITHUB_TOKEN}",
            "{{ secrets.TOKEN }}",
            "<your-api-key>",
            "ghp_000000000000000000000000000000000000",
            "ghp_1234567890abcdefghijklmnopqrstuvwxyz",
            "process.env.STRIPE_KEY",
            "<API KEY>",
            "A1B2C3D4E5F6G7H8I9J0",
            "-----BEGIN RSA PRIVATE KEY-----\\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\n<paste your key here>\n-----END PRIVATE KEY-----",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn only_key_material_decides_a_key_block() {
        let block = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nComment: sample signing key, replace before release\n\nlQOYBGWqM98RpbAtHLOhKhrJkP43+qjd136Nj8DwLgIQJ0WI+B8HRCWG2cZrkxA2\n-----END PGP PRIVATE KEY BLOCK-----";
        assert!(!is_placeholder(block.as_bytes()));
        let trailing = "-----BEGIN RSA PRIVATE KEY----- (example deploy key)\\nMIIEowIBAAKCAQEAra066IsM\\n-----END RSA PRIVATE KEY-----";
        assert!(!is_placeholder(trailing.as_bytes()));
    }

    #[test]
    fn random_tokens_are_not_placeholders() {
        for s in [
            "ghp_Qm3kV8zR1tW6yB0nC4xL7pJ2hF5dS91a2b3c",
            "xoxb-2048117323-4312876512-Zq8Lm3Nv7Tx2Ry9Kp4Hs6Wd1",
            "P4ssw0rd!x9Qz",
            "Zq8<Lm3>Nv7T;x2=Ry9",
        ] {
            assert!(!is_placeholder(s.as_bytes()), "{s}");
        }
    }
}
