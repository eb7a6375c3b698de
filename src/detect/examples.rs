//! Runs rules' positive and negative examples: the test every rule carries with it.

use super::rules::Example;
use super::{Confidence, Detector, Match, Scratch, credential_files};

/// One example that did not behave as its rule promises.
#[derive(Debug, Clone)]
pub struct ExampleFailure {
    /// `file:line` of the rule.
    pub defined_at: String,
    /// The rule id.
    pub rule_id: String,
    /// What went wrong, with the example text.
    pub message: String,
}

/// An example as failure messages show it: its text, and its path when it has one.
fn shown(example: &Example) -> String {
    match example.path() {
        Some(path) => format!("{path}: {:?}", example.text()),
        None => format!("{:?}", example.text()),
    }
}

/// Scans an example as a scan would: a file example also through the reader its path selects.
fn scan_example(
    detector: &Detector,
    example: &Example,
    scratch: &mut Scratch,
    out: &mut Vec<Match>,
) {
    let text = example.text().as_bytes();
    detector.scan(text, scratch, out);
    if let Some(file) = example
        .path()
        .and_then(|p| credential_files::recognise(p.as_bytes()))
    {
        detector.add_credential_fields(file, text, out);
    }
}

/// Checks every example of every rule in `detector`; returns the failures (empty when all pass).
///
/// Every rule is compiled first, so a pattern that does not compile is a failure even when no
/// example reaches it. `require_counts` also fails rules with fewer than two positive or two
/// negative examples, and reported rules without a `provider` or a `rotate` link.
pub fn check_examples(detector: &Detector, require_counts: bool) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    let mut scratch = Scratch::default();
    let mut matches = Vec::new();
    for (idx, rule) in detector.rules().iter().enumerate() {
        let mut fail = |message: String| {
            failures.push(ExampleFailure {
                defined_at: rule.defined_at.clone(),
                rule_id: rule.id.to_string(),
                message,
            })
        };
        if !rule.structured
            && let Err(e) = rule.compiled()
        {
            fail(e.to_string());
            continue;
        }
        if require_counts && (rule.examples.len() < 2 || rule.negative_examples.len() < 2) {
            fail(format!(
                "needs at least 2 examples and 2 negative_examples (has {} and {})",
                rule.examples.len(),
                rule.negative_examples.len()
            ));
        }
        if require_counts && rule.rotate.is_none() && !rule.companion {
            fail("has no `rotate` link".into());
        }
        if require_counts && rule.provider.is_none() && !rule.companion {
            fail("has no `provider`".into());
        }
        for example in &rule.examples {
            scan_example(detector, example, &mut scratch, &mut matches);
            if !matches.iter().any(|m| m.rule == idx) {
                let others: Vec<&str> = matches
                    .iter()
                    .map(|m| &*detector.rules()[m.rule].id)
                    .collect();
                fail(format!(
                    "example does not match: {}{}",
                    shown(example),
                    if others.is_empty() {
                        String::new()
                    } else {
                        format!(" (matched instead: {})", others.join(", "))
                    }
                ));
            }
        }
        for example in &rule.negative_examples {
            scan_example(detector, example, &mut scratch, &mut matches);
            // A negative example may still be ranked low; it must not be shown by default.
            if let Some(m) = matches
                .iter()
                .find(|m| m.rule == idx && m.score.confidence >= Confidence::Medium)
            {
                fail(format!(
                    "negative example matches (secret {:?}): {}",
                    String::from_utf8_lossy(&m.secret),
                    shown(example)
                ));
            }
        }
    }
    failures
}
