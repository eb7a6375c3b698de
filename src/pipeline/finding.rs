//! A finding: a match with its rule's metadata, its origin and what verification concluded. Plain
//! data built by the scanner, annotated by verification, printed by reports.

use std::borrow::Cow;
use std::sync::Arc;

use super::line_context::LineContext;
use super::matched::{Confidence, Severity};
use super::origin::Origin;

/// What live verification concluded about a finding's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// `verified`, `invalid` or `unknown`.
    pub status: VerificationStatus,
    /// Identity the provider returned, or why the status is unknown.
    pub detail: String,
    /// The status of the provider's HTTP answer, when there was one (for audit records; not
    /// written by scan reports).
    pub http_status: Option<u16>,
    /// What the secret can reach, by name (`owner`, `scopes`, `account`), when the provider's
    /// answer says: the access summary reports show under the finding.
    pub access: std::collections::BTreeMap<String, String>,
}

/// Outcome of a live check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VerificationStatus {
    /// The provider accepted the secret.
    Verified,
    /// The provider rejected the secret.
    Invalid,
    /// No conclusion (network error, rate limit, unexpected answer).
    Unknown,
}

impl VerificationStatus {
    /// Lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationStatus::Verified => "verified",
            VerificationStatus::Invalid => "invalid",
            VerificationStatus::Unknown => "unknown",
        }
    }
}

/// A secret found at one place.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Id of the rule that found it.
    pub rule_id: Arc<str>,
    /// Name of that rule.
    pub rule_name: Arc<str>,
    /// The rule's provider (`GitHub`), `None` for generic rules.
    pub provider: Option<Arc<str>>,
    /// The rule's severity.
    pub severity: Severity,
    /// The secret as text (lossy UTF-8); its redacted form when `secret_redacted`.
    pub secret: String,
    /// `secret` holds only the redacted form an earlier report printed (a finding read back by
    /// `ferret report merge`), so it is shown as it is and never redacted twice.
    pub secret_redacted: bool,
    /// Stable identity of (rule, secret) within a project: the same wherever and however it is
    /// found, and slow to test a guessed secret against (see [`crate::fingerprint`]).
    pub fingerprint: String,
    /// The old (v1) fingerprint, only for matching old baseline and ignore entries: never printed.
    pub legacy_fingerprint: String,
    /// 1-based line of the secret's start.
    pub line: usize,
    /// 1-based byte column of the secret's start.
    pub column: usize,
    /// 1-based line of the secret's end.
    pub end_line: usize,
    /// Shannon entropy of the secret.
    pub entropy: f64,
    /// `Some(valid)` where the format has a checksum.
    pub checksum_valid: Option<bool>,
    /// Other named groups captured by the rule.
    pub captures: Vec<(Arc<str>, String)>,
    /// Where the rotation is done.
    pub rotate: Option<Arc<str>>,
    /// Where the bytes came from.
    pub origin: Arc<Origin>,
    /// Result of `--verify`, if it ran.
    pub verification: Option<Verification>,
    /// How likely this is a real credential; the report's floor hides what is below it.
    pub confidence: Confidence,
    /// What lowered the confidence (`"test path"`, `"weak value"`, ...).
    pub confidence_reasons: Vec<Cow<'static, str>>,
    /// The encoding the secret was hidden under (`"base64"`); its location is the encoded text.
    pub decoded: Option<&'static str>,
    /// The secret's line, for the text report (every secret on it kept apart for redaction).
    pub context: Option<Box<LineContext>>,
}

impl Finding {
    /// The path reports show.
    pub fn path(&self) -> &str {
        self.origin.path()
    }

    /// The secret as reports show it: whole with `show`, otherwise enough to recognise it.
    pub fn display_secret(&self, show: bool) -> String {
        if show || self.secret_redacted {
            self.secret.clone()
        } else {
            redact(&self.secret)
        }
    }

    /// Order in which reports list findings: by path, position, then rule.
    pub fn sort_key(&self) -> (&str, usize, usize, &str, String, &str, &str) {
        // The place and fingerprint come last: they only break ties between findings of several
        // targets, so that the order never depends on which target finished first.
        (
            self.path(),
            self.line,
            self.column,
            &self.rule_id,
            self.origin.text_suffix(),
            self.origin.place(),
            &self.fingerprint,
        )
    }
}

/// Keeps a short recognisable prefix of a secret and hides the rest.
pub fn redact(secret: &str) -> String {
    if let Some(rest) = secret.strip_prefix("-----BEGIN") {
        // Only the label is kept (` RSA PRIVATE KEY`). The key need not have a line of its own:
        // in a JSON string (a service-account file) its newlines are `\n` escapes, so the first
        // "line" is the whole key.
        let label: String = rest
            .split("-----")
            .next()
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == ' ')
            .take(40)
            .collect();
        return format!("-----BEGIN{label}----- [REDACTED]");
    }
    let chars: Vec<char> = secret.chars().collect();
    let keep = if chars.len() >= 16 {
        (chars.len() / 5).min(8)
    } else {
        0
    };
    let shown: String = chars[..keep].iter().collect();
    format!("{shown}*****")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_most_of_the_secret() {
        assert_eq!(redact("short"), "*****");
        let r = redact("ghp_Qm3kV8zR1tW6yB0nC4xL7pJ2hF5dS91a2b3c");
        assert!(r.starts_with("ghp_Qm3k") && r.ends_with("*****") && r.len() < 20);
        assert_eq!(
            redact("-----BEGIN RSA PRIVATE KEY-----\nMIIE..."),
            "-----BEGIN RSA PRIVATE KEY----- [REDACTED]"
        );
        // A key inside a JSON string has `\n` escapes instead of lines: still only the label.
        for escaped in [
            r"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
            r"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAABG5vbmU -----END",
        ] {
            let shown = redact(escaped);
            assert!(
                !shown.contains("MIIE") && !shown.contains("b3Bl"),
                "{shown}"
            );
            assert!(shown.ends_with("PRIVATE KEY----- [REDACTED]"), "{shown}");
        }
        assert_eq!(redact("-----BEGIN"), "-----BEGIN----- [REDACTED]");
    }
}
