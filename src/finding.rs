//! A finding: a confirmed, unfiltered match together with its rule and origin.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::detect::confidence::score_path;
use crate::detect::{Confidence, Match, Rule, Scored, Severity};
use crate::fingerprint::Fingerprinter;
use crate::line_context::LineContext;
use crate::source::Origin;

/// What live verification concluded about a finding's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// `verified`, `invalid` or `unknown`.
    pub status: VerificationStatus,
    /// Identity the provider returned, or why the status is unknown.
    pub detail: String,
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
    /// The secret as text (lossy UTF-8).
    pub secret: String,
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
    pub confidence_reasons: Vec<&'static str>,
    /// The encoding the secret was hidden under (`"base64"`); its location is the encoded text.
    pub decoded: Option<&'static str>,
    /// The secret's line, for the text report (every secret on it kept apart for redaction).
    pub context: Option<Box<LineContext>>,
}

/// The cheap in-memory identity of a rule id and a secret (the old v1 fingerprint).
///
/// Sources use it to recognise a secret they have already seen. It is a plain hash, so it must
/// never be printed or written: reports carry [`Finding::fingerprint`].
pub fn fingerprint(rule_id: &str, secret: &[u8]) -> String {
    crate::fingerprint::legacy(rule_id, secret)
}

impl Finding {
    /// Builds a finding from a match of `rule` in a blob from `origin`, with the confidence
    /// [`Finding::score`] gave it. `line_offset` is added to the match's lines when the blob was
    /// scanned in chunks; `fingerprints` derives the fingerprint.
    pub fn new(
        rule: &Rule,
        m: &Match,
        score: Scored,
        origin: Arc<Origin>,
        line_offset: usize,
        fingerprints: &Fingerprinter,
    ) -> Self {
        Finding {
            rule_id: rule.id.clone(),
            rule_name: rule.name.clone(),
            provider: rule.provider.clone(),
            severity: rule.severity,
            secret: String::from_utf8_lossy(&m.secret).into_owned(),
            fingerprint: fingerprints.fingerprint(&rule.id, &m.secret),
            legacy_fingerprint: fingerprint(&rule.id, &m.secret),
            line: m.line + line_offset,
            column: m.column,
            end_line: m.end_line + line_offset,
            entropy: m.entropy,
            checksum_valid: m.checksum_valid,
            captures: m.captures.clone(),
            rotate: rule.rotate.clone(),
            origin,
            verification: None,
            confidence: score.confidence,
            confidence_reasons: score.reasons,
            decoded: m.decoded,
            context: None,
        }
    }

    /// The confidence a finding of `m` from `origin` has: the match's own, adjusted for where it
    /// is (test and docs paths rank lower). Cheap, so a scan can drop matches below its floor
    /// before deriving their (deliberately slow) fingerprints.
    pub fn score(m: &Match, origin: &Origin) -> Scored {
        let mut score = m.score.clone();
        score_path(origin.relative_path(), &mut score);
        score
    }

    /// The path reports show.
    pub fn path(&self) -> &str {
        self.origin.path()
    }

    /// The secret as reports show it: whole with `show`, otherwise enough to recognise it.
    pub fn display_secret(&self, show: bool) -> String {
        if show {
            self.secret.clone()
        } else {
            redact(&self.secret)
        }
    }

    /// Order in which reports list findings: by path, position, then rule.
    pub fn sort_key(&self) -> (&str, usize, usize, &str, String) {
        (
            self.path(),
            self.line,
            self.column,
            &self.rule_id,
            self.origin.text_suffix(),
        )
    }

    /// The JSON object used by the json, jsonl and baseline formats.
    pub fn to_json(&self, show_secret: bool) -> Value {
        let mut obj = json!({
            "rule_id": &*self.rule_id,
            "rule_name": &*self.rule_name,
            "severity": self.severity.as_str(),
            "path": self.path(),
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "secret": self.display_secret(show_secret),
            "redacted": !show_secret,
            "fingerprint": &self.fingerprint,
            "entropy": (self.entropy * 1000.0).round() / 1000.0,
            "confidence": self.confidence.as_str(),
            "confidence_reasons": &self.confidence_reasons,
            "origin": &*self.origin,
        });
        let map = obj
            .as_object_mut()
            .expect("json! of an object literal is an object");
        if let Some(provider) = &self.provider {
            map.insert("provider".into(), json!(&**provider));
        }
        if let Some(valid) = self.checksum_valid {
            map.insert(
                "checksum".into(),
                json!(if valid { "valid" } else { "invalid" }),
            );
        }
        // Decoded by the detector (base64, JSON escapes) or by a credential file's reader (its
        // base64 field, carried as a `decoded` capture).
        let decoded = self.decoded.map(str::to_string).or_else(|| {
            self.captures
                .iter()
                .find(|(name, _)| &**name == "decoded")
                .map(|(_, how)| how.clone())
        });
        if let Some(decoded) = decoded {
            map.insert("decoded".into(), json!(decoded));
        }
        if let Some(rotate) = &self.rotate {
            map.insert("rotate".into(), json!(&**rotate));
        }
        if let Some(root) = self.origin.root() {
            // `path` is relative to this directory; recorded absolute so reports of one tree agree
            // however its root was spelt.
            map.insert(
                "root".into(),
                json!(crate::report::roots::absolute_root(root)),
            );
        }
        if let Some(v) = &self.verification {
            map.insert(
                "verification".into(),
                json!({"status": v.status.as_str(), "detail": v.detail}),
            );
        }
        obj
    }
}

/// Keeps a short recognisable prefix of a secret and hides the rest.
pub fn redact(secret: &str) -> String {
    if let Some(first_line) = secret.strip_prefix("-----BEGIN") {
        let header = first_line.lines().next().unwrap_or("");
        return format!("-----BEGIN{header} [REDACTED]");
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
    fn secret_identity_depends_on_rule_and_secret_only() {
        let a = fingerprint("github-pat-classic", b"ghp_abc");
        assert_eq!(a, fingerprint("github-pat-classic", b"ghp_abc"));
        assert_ne!(a, fingerprint("github-oauth", b"ghp_abc"));
        assert_ne!(a, fingerprint("github-pat-classic", b"ghp_abd"));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn redaction_hides_most_of_the_secret() {
        assert_eq!(redact("short"), "*****");
        let r = redact("ghp_Qm3kV8zR1tW6yB0nC4xL7pJ2hF5dS91a2b3c");
        assert!(r.starts_with("ghp_Qm3k") && r.ends_with("*****") && r.len() < 20);
        assert_eq!(
            redact("-----BEGIN RSA PRIVATE KEY-----\nMIIE..."),
            "-----BEGIN RSA PRIVATE KEY----- [REDACTED]"
        );
    }
}
