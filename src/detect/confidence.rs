//! How sure ferret is that a match is a live credential, and the reasons that lowered it.
//!
//! Nothing is dropped only because of where it lives: a test path, a docs path or vendored code
//! lowers a finding by one step, and the report's confidence floor decides what is shown.

pub use crate::pipeline::{Confidence, Scored};

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
