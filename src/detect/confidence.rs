//! How sure ferret is that a match is a live credential, and the reasons that lowered it.
//!
//! Nothing is dropped only because of where it lives: a test path, a docs path or vendored code
//! lowers a finding by one step, and the report's confidence floor decides what is shown.

use serde::Serialize;

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

/// Directory names that hold tests and fixtures (compared ASCII case-insensitively).
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "testdata",
    "test-data",
    "test_data",
    "testing",
    "fixture",
    "fixtures",
    "__fixtures__",
    "mock",
    "mocks",
    "__mocks__",
    "cassettes",
    "e2e",
];
/// Directory names that hold documentation and examples.
const DOCS_DIRS: &[&str] = &[
    "doc",
    "docs",
    "example",
    "examples",
    "sample",
    "samples",
    "guide",
    "guides",
    "demo",
    "demos",
    "tutorial",
    "tutorials",
];
/// Directory names that hold third-party code copied into a project.
const VENDORED_DIRS: &[&str] = &[
    "vendor",
    "vendored",
    "node_modules",
    "third_party",
    "third-party",
    "thirdparty",
    "bower_components",
];

/// Lowers `scored` for where `path` says the bytes live: test, docs or vendored code.
pub fn score_path(path: &str, scored: &mut Scored) {
    let path = path.replace('\\', "/");
    let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let file = parts.pop().unwrap_or("");
    let in_dir = |names: &[&str]| {
        parts
            .iter()
            .any(|p| names.iter().any(|n| p.eq_ignore_ascii_case(n)))
    };
    if in_dir(TEST_DIRS) || is_test_file(file) {
        scored.lower("test path");
    }
    if in_dir(DOCS_DIRS) || is_docs_file(file) {
        scored.lower("docs path");
    }
    if in_dir(VENDORED_DIRS) || path.contains(".yarn/releases/") || is_bundle(file) {
        scored.lower("vendored code");
    }
}

/// `foo_test.go`, `test_foo.py`, `foo.spec.ts`, `FooTest.java`, `foo_spec.rb`.
fn is_test_file(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or("");
    stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with("_spec")
        || lower.contains(".test.")
        || lower.contains(".spec.")
        || ((file.ends_with("Test.java")
            || file.ends_with("Tests.java")
            || file.ends_with("Test.kt")
            || file.ends_with("Tests.cs")
            || file.ends_with("Test.cs")
            || file.ends_with("Test.scala"))
            && file.len() > 9)
}

/// Markup files that document rather than configure.
fn is_docs_file(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    [".md", ".markdown", ".rst", ".adoc"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Minified bundles: third-party code shipped as one file.
fn is_bundle(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    lower.ends_with(".min.js") || lower.ends_with(".bundle.js") || lower.ends_with(".min.mjs")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored_at(path: &str) -> Scored {
        let mut s = Scored::new(Confidence::High);
        score_path(path, &mut s);
        s
    }

    #[test]
    fn test_docs_and_vendored_paths_lower_by_one_step_each() {
        assert_eq!(scored_at("src/config.rs").confidence, Confidence::High);
        assert_eq!(scored_at("tests/it/main.rs").reasons, vec!["test path"]);
        assert_eq!(scored_at("pkg/db_test.go").reasons, vec!["test path"]);
        assert_eq!(scored_at("web/login.spec.ts").reasons, vec!["test path"]);
        assert_eq!(scored_at("docs/setup.md").reasons, vec!["docs path"]);
        let vendored = scored_at("vendor/lib/tests/a.py");
        assert_eq!(vendored.reasons, vec!["test path", "vendored code"]);
        assert_eq!(vendored.confidence, Confidence::Low);
        assert_eq!(scored_at("contest/app.py").confidence, Confidence::High);
    }

    #[test]
    fn confidence_parses_and_orders() {
        assert_eq!("LOW".parse::<Confidence>(), Ok(Confidence::Low));
        assert!("maybe".parse::<Confidence>().is_err());
        assert!(Confidence::Low < Confidence::Medium && Confidence::Medium < Confidence::High);
    }
}
