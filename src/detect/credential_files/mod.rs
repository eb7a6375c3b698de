//! Credential-store files read by structure. Where a file's format says "this field is the
//! password" (`.netrc`, `.pgpass`, Docker's `config.json`, a kubeconfig, `wp-config.php`, ...), the
//! field decides, not how strong the value looks: a weak password there is still a password.
//!
//! A blob's path selects the reader ([`recognise`], one cheap name check per blob); only files so
//! named are parsed. Each reader reports [`Field`]s under a rule id: a structured rule of
//! `rules/credential-files.toml` (its name, severity and rotation text are data, its matching is
//! here), or the content rule a format already has (`netrc-password`), so a secret keeps one id.

mod browsers;
mod db_gui;
mod docker;
mod editor_sftp;
mod filezilla;
mod frameworks;
mod git_credentials;
mod hashes;
mod ini_files;
mod json;
mod kubeconfig;
mod msmtp;
mod names;
mod netrc;
mod npmrc;
mod pgpass;
mod text;
mod xml;

use std::collections::HashMap;
use std::sync::Arc;

pub use names::{CredentialFile, Format, recognise};
use text::Span;

use super::confidence::{Confidence, Scored};
use super::entropy::shannon_entropy;
use super::matcher::Match;
use super::placeholder::{has_template_marker, is_placeholder};
use super::rules::Rule;

/// The rule that reports password hashes (shadow, htpasswd, dumps); its values are exact formats,
/// not passwords, so the stand-in check does not apply to them.
pub const PASSWORD_HASH_RULE: &str = "password-hash";

/// Rules whose values are hashes or ciphertext (runs of `A` in DER, `$` in crypt strings), so the
/// stand-in checks do not apply to them.
const OPAQUE_RULES: &[&str] = &[PASSWORD_HASH_RULE, browsers::FIREFOX_RULE];

/// Token-sized values (keys, not typed passwords) with a placeholder marker are documentation's
/// (`wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`); shorter ones may be what someone typed.
const TOKEN_SIZED: usize = 20;

/// Longest value reported: a kubeconfig's base64 client key is a few kilobytes; more is not a field.
const MAX_SECRET: usize = 16 << 10;

/// One credential a reader found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Id of the rule that reports it.
    pub rule: &'static str,
    /// Where its text is in the blob (the encoded text, for a decoded value).
    pub span: Span,
    /// The value as the tool uses it: unquoted, unescaped, decoded.
    pub secret: Vec<u8>,
    /// How the secret was decoded from the text at `span` (`"base64"`), if it was.
    pub decoded: Option<&'static str>,
}

impl Field {
    /// The field whose secret is the text at `span` itself.
    pub fn raw(rule: &'static str, data: &[u8], span: Span) -> Self {
        Self {
            rule,
            span,
            secret: data[span.0..span.1].to_vec(),
            decoded: None,
        }
    }

    /// The field at `span` whose secret is `secret` (unescaped or unquoted text).
    pub fn with_secret(rule: &'static str, span: Span, secret: Vec<u8>) -> Self {
        Self {
            rule,
            span,
            secret,
            decoded: None,
        }
    }
}

/// Reads the fields of `data` as a file of `format`, appending them to `out`.
pub fn read(format: Format, data: &[u8], out: &mut Vec<Field>) {
    match format {
        Format::Netrc => netrc::read(data, out),
        Format::Pgpass => pgpass::read(data, out),
        Format::GitCredentials => git_credentials::read(data, out),
        Format::Npmrc => npmrc::read(data, out),
        Format::Pypirc => ini_files::read_pypirc(data, out),
        Format::DockerConfig => docker::read(data, out),
        Format::Aws => ini_files::read_aws(data, out),
        Format::Kubeconfig => kubeconfig::read(data, out),
        Format::MysqlCnf => ini_files::read_mysql(data, out),
        Format::S3cfg => ini_files::read_s3cfg(data, out),
        Format::Msmtp => msmtp::read(data, out),
        Format::FileZilla => filezilla::read(data, out),
        Format::WinScp => ini_files::read_winscp(data, out),
        Format::EditorSftp => editor_sftp::read(data, out),
        Format::Dbeaver => db_gui::read_dbeaver(data, out),
        Format::Robomongo => db_gui::read_robomongo(data, out),
        Format::FirefoxLogins => browsers::read_firefox_logins(data, out),
        Format::JetBrains => db_gui::read_jetbrains(data, out),
        Format::WpConfig => frameworks::read_wp_config(data, out),
        Format::DjangoSettings => frameworks::read_django(data, out),
        Format::RailsKey => frameworks::read_rails_key(data, out),
        Format::RailsSecrets => frameworks::read_rails_secrets(data, out),
        Format::DotEnv => frameworks::read_laravel_env(data, out),
        Format::Shadow => hashes::read_shadow(data, out),
        Format::Htpasswd => hashes::read_htpasswd(data, out),
        Format::HashDump => hashes::read_dump(data, out),
    }
}

/// The rules the readers report under, by id.
#[derive(Debug, Default)]
pub struct CredentialFiles {
    /// Rule id -> index in the detector's rules; a reader's field whose rule is not loaded (or is
    /// disabled) is not reported.
    rules: HashMap<Arc<str>, usize>,
}

impl CredentialFiles {
    /// Indexes `rules` by id.
    pub fn new(rules: &[Rule]) -> Self {
        let rules = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        Self { rules }
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.rules.get(id).copied()
    }

    /// Appends a match for every real value (not a stand-in) that the reader of `file` finds in
    /// `data`; lines and columns are left for the caller to assign.
    pub fn scan(&self, file: CredentialFile, data: &[u8], out: &mut Vec<Match>) {
        if self.rules.is_empty() {
            return;
        }
        let mut fields = Vec::new();
        read(file.format, data, &mut fields);
        for field in fields {
            let Some(rule) = self.index(field.rule) else {
                continue;
            };
            // Hashes and encrypted blobs are exact formats, not typed values.
            let checked = !OPAQUE_RULES.contains(&field.rule);
            if field.secret.len() > MAX_SECRET || (checked && is_stand_in(&field.secret)) {
                continue;
            }
            // The format names the field: its value is a credential however weak it looks.
            let mut score = Scored::new(Confidence::High);
            if checked && reads_like_a_stand_in(&field.secret) {
                // `password` in a `.pgpass` or `ExamplePass1` in a FileZilla site is what the
                // tool logs in with, but the same words fill templates: ranked, not dropped.
                score.lower("stand-in value");
            }
            if file.example {
                score.lower("example file");
            }
            let captures = field
                .decoded
                .map(|how| (Arc::from("decoded"), how.to_string()))
                .into_iter()
                .collect();
            out.push(Match {
                rule,
                start: field.span.0,
                end: field.span.1,
                line: 0,
                column: 0,
                end_line: 0,
                entropy: shannon_entropy(&field.secret),
                secret: field.secret,
                captures,
                checksum_valid: None,
                score,
                // The reader's own decoding travels as the `decoded` capture.
                decoded: None,
            });
        }
    }
}

/// Words that a credential store's password field holds in templates and in earnest alike
/// (people do log in with `password`): ranked lower, not dropped.
const FIELD_WORDS: &[&str] = &["password", "passwd", "pass", "secret", "token"];

/// Words that stand for a credential in templates and docs rather than being one.
const STAND_IN_WORDS: &[&str] = &[
    "none",
    "null",
    "nil",
    "undefined",
    "todo",
    "tbd",
    "your password",
    "yourpassword",
    "mypassword",
];

/// A value that may be real but reads like a template's: a field word (`password`) or one with
/// a placeholder marker (`changeme`, `ExamplePass1`, `dummy-pw`).
fn reads_like_a_stand_in(value: &[u8]) -> bool {
    let v = value.trim_ascii();
    FIELD_WORDS
        .iter()
        .any(|w| v.eq_ignore_ascii_case(w.as_bytes()))
        || is_placeholder(v)
}

/// A token-sized value with a placeholder marker: a key from documentation, not a login.
fn is_documentation_key(v: &[u8]) -> bool {
    v.len() >= TOKEN_SIZED && is_placeholder(v)
}

/// An empty value, a masked one (`*****`, `xxxxxxxx`), an environment or template reference
/// (`${VAR}`, `$VAR`, `%VAR%`, `{{ .x }}`, `<%= ... %>`), an `<angle placeholder>`, a fill-in
/// (`password_here`) or a stand-in word (`none`, `yourpassword`): nothing anyone logs in with.
pub fn is_stand_in(value: &[u8]) -> bool {
    let v = value.trim_ascii();
    if v.is_empty() || is_documentation_key(v) {
        return true;
    }
    if v.iter()
        .all(|&b| b == b'*' || b == b'x' || b == b'X' || b == b'.')
    {
        return true;
    }
    let reference = match v {
        [b'$', next, ..] => next.is_ascii_alphabetic() || matches!(next, b'_' | b'{' | b'('),
        [b'%', .., b'%'] => v[1..v.len() - 1]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_'),
        _ => v.starts_with(b"{{") || v.starts_with(b"<%") || v.starts_with(b"#{"),
    };
    if has_template_marker(v) {
        return true;
    }
    // `password_here`, `put_key_here`: what the WordPress sample and many templates write.
    let fill_in = v.len() > 5 && v[v.len() - 5..].eq_ignore_ascii_case(b"_here");
    reference
        || fill_in
        || (v.starts_with(b"<") && v.ends_with(b">"))
        || STAND_IN_WORDS
            .iter()
            .any(|w| v.eq_ignore_ascii_case(w.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stand_ins_are_recognised_and_weak_passwords_are_not() {
        for v in [
            "",
            "  ",
            "${NPM_TOKEN}",
            "$PGPASSWORD",
            "%DB_PASS%",
            "{{ .Values.pw }}",
            "<password>",
            "<%= ENV['X'] %>",
            "*****",
            "xxxxxxxx",
            "password_here",
            "yourpassword",
            "None",
            "XXXX-XXXX",
            "<enter password>",
            "your-password",
            "REDACTED",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ] {
            assert!(is_stand_in(v.as_bytes()), "{v:?}");
        }
        for v in [
            "hunter2", "admin123", "S3cr3t!", "$2y$", "50%off", "password", "changeme",
        ] {
            assert!(!is_stand_in(v.as_bytes()), "{v:?}");
        }
        // Kept, but ranked as the stand-ins they may be.
        for v in ["Password", "changeme", "ExamplePas123", "dummy-pass"] {
            assert!(reads_like_a_stand_in(v.as_bytes()), "{v:?}");
        }
        for v in ["hunter2", "Fw8#qLm2"] {
            assert!(!reads_like_a_stand_in(v.as_bytes()), "{v:?}");
        }
    }
}
