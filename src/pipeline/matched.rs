//! What detection hands on: a match of a rule in a blob, how confident it is, and how much the
//! rule's findings matter. Plain data; the detector fills it, the scanner and sources read it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// One confirmed match of a rule in a blob.
#[derive(Debug, Clone)]
pub struct Match {
    /// Index of the rule in the detector's rule list.
    pub rule: usize,
    /// Byte offset of the secret's first byte in the blob.
    pub start: usize,
    /// Byte offset one past the secret's last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based byte column of `start`.
    pub column: usize,
    /// 1-based line of the secret's last byte.
    pub end_line: usize,
    /// The secret bytes.
    pub secret: Vec<u8>,
    /// Other named groups of the pattern (for verifiers that need a second value).
    pub captures: Vec<(Arc<str>, String)>,
    /// Shannon entropy of the secret.
    pub entropy: f64,
    /// `Some(valid)` when the rule defines a checksum.
    pub checksum_valid: Option<bool>,
    /// How sure the detector is, before the path is considered.
    pub score: Scored,
    /// The encoding the secret was found under (`"base64"`), located at the encoded text.
    pub decoded: Option<&'static str>,
}

/// How much a finding of a rule matters; `--fail-on` compares against it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Identifiers and low-value credentials.
    Low,
    /// Limited-scope or test-mode credentials.
    Medium,
    /// Most API tokens.
    #[default]
    High,
    /// Cloud root credentials and private keys.
    Critical,
}

impl Severity {
    /// Lower-case name as written in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity {other:?} (low, medium, high, critical)"
            )),
        }
    }
}

/// How likely a finding is to be a real credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Plausible but often not a secret: weak values, test paths, self-described examples.
    Low,
    /// Probably a secret.
    Medium,
    /// A fixed format (prefix, checksum) or a random value under a secret's name.
    #[default]
    High,
}

impl Confidence {
    /// Lower-case name used in reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// One step lower (low stays low).
    pub fn lowered(self) -> Self {
        match self {
            Confidence::High => Confidence::Medium,
            Confidence::Medium | Confidence::Low => Confidence::Low,
        }
    }
}

impl std::str::FromStr for Confidence {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Confidence::Low),
            "medium" => Ok(Confidence::Medium),
            "high" => Ok(Confidence::High),
            other => Err(format!("unknown confidence {other:?} (low, medium, high)")),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Confidence {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A confidence with the reasons that lowered it, in the order they applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scored {
    /// The resulting confidence.
    pub confidence: Confidence,
    /// Why it is lower than it started (`"test path"`, `"weak value"`, ...).
    pub reasons: Vec<&'static str>,
}

impl Scored {
    /// A confidence nothing has lowered yet.
    pub fn new(confidence: Confidence) -> Self {
        Self {
            confidence,
            reasons: Vec::new(),
        }
    }

    /// Lowers to `Low` for `reason` (recorded once): what is known not to be a live secret.
    pub fn lower_to_low(&mut self, reason: &'static str) {
        self.confidence = Confidence::Low;
        if !self.reasons.contains(&reason) {
            self.reasons.push(reason);
        }
    }

    /// Lowers by one step for `reason` (recorded once).
    pub fn lower(&mut self, reason: &'static str) {
        self.confidence = self.confidence.lowered();
        if !self.reasons.contains(&reason) {
            self.reasons.push(reason);
        }
    }
}
