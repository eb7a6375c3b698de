//! Every built-in rule's examples behave as the rule promises.

use ferret::detect::Detector;
use ferret::detect::examples::check_examples;
use ferret::detect::rules::embedded_rules;

#[test]
fn every_builtin_rule_passes_its_examples() {
    let rules = embedded_rules().expect("built-in rule files parse");
    assert!(!rules.is_empty());
    let detector = Detector::new(rules).expect("built-in rules compile");
    let failures = check_examples(&detector, true);
    let report: Vec<String> = failures
        .iter()
        .map(|f| format!("{}: {}: {}", f.defined_at, f.rule_id, f.message))
        .collect();
    assert!(
        report.is_empty(),
        "{} example failures:\n{}",
        report.len(),
        report.join("\n")
    );
}
