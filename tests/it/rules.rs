//! Every built-in rule's examples behave as the rule promises, every rule carries what a finding
//! needs (provider, rotation link, examples), and rules compile only when a scan needs them.

use std::collections::BTreeSet;

use ferret::detect::examples::check_examples;
use ferret::detect::rules::embedded_rules;
use ferret::detect::{Detector, Scratch};

use crate::support::ferret;

#[test]
fn every_builtin_rule_passes_its_examples() {
    let mut rules = embedded_rules().expect("built-in rule files parse");
    assert!(!rules.is_empty());
    // As a scan runs them: with the live checks attached (they decide which of a credential
    // file's field and a provider match on the same bytes is reported).
    ferret::verify::Verifiers::attach(&mut rules).expect("built-in verifiers attach");
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

/// The rule set's own bar, checked rule by rule (not only through `check_examples`): a pattern that
/// does not compile would otherwise surface only when a scan first hits its keywords.
#[test]
fn every_builtin_rule_compiles_and_has_a_provider_a_rotate_link_and_examples() {
    let rules = embedded_rules().expect("built-in rule files parse");
    let mut problems = Vec::new();
    for rule in &rules {
        let at = format!("{}: {}", rule.defined_at, rule.id);
        if !rule.structured
            && let Err(e) = rule.compiled()
        {
            problems.push(format!("{at}: {e}"));
        }
        if rule.companion {
            continue;
        }
        if rule.provider.as_deref().is_none_or(|p| p.trim().is_empty()) {
            problems.push(format!("{at}: no provider"));
        }
        if rule
            .rotate
            .as_deref()
            .is_none_or(|r| !r.starts_with("https://"))
        {
            problems.push(format!("{at}: no https rotate link"));
        }
        if rule.examples.len() < 2 || rule.negative_examples.len() < 2 {
            problems.push(format!(
                "{at}: {} examples and {} negative examples (>= 2 each)",
                rule.examples.len(),
                rule.negative_examples.len()
            ));
        }
    }
    let reported: Vec<_> = rules.iter().filter(|r| !r.companion).collect();
    let providers: BTreeSet<&str> = reported
        .iter()
        .filter_map(|r| r.provider.as_deref())
        .collect();
    let positives: usize = rules.iter().map(|r| r.examples.len()).sum();
    let negatives: usize = rules.iter().map(|r| r.negative_examples.len()).sum();
    eprintln!(
        "{} rules ({} reported, {} companions), {} providers, {positives} examples, {negatives} negative examples",
        rules.len(),
        reported.len(),
        rules.len() - reported.len(),
        providers.len()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // Floors at the size of the rule set when providers were introduced: losing a file or a
    // family of rules fails here.
    assert!(reported.len() >= 220, "{} reported rules", reported.len());
    assert!(providers.len() >= 120, "{} providers", providers.len());
}

/// Start-up must not grow with the rule set: loading the rules and building the detector compiles
/// no pattern, and a scan compiles only the rules whose keywords occur in its input.
#[test]
fn rules_compile_only_when_their_keywords_hit() {
    let detector = Detector::new(embedded_rules().unwrap()).unwrap();
    let compiled = |d: &Detector| -> Vec<String> {
        d.rules()
            .iter()
            .filter(|r| r.is_compiled())
            .map(|r| r.id.to_string())
            .collect()
    };
    assert_eq!(compiled(&detector), Vec::<String>::new(), "nothing at load");

    let (mut scratch, mut out) = (Scratch::default(), Vec::new());
    detector.scan(b"nothing to see here\n", &mut scratch, &mut out);
    assert!(out.is_empty());
    assert_eq!(
        compiled(&detector),
        Vec::<String>::new(),
        "no keyword, no regex"
    );

    let token = "ghp_R8w2Kq5ZLmTx9VbN3cYp7HdF1sJe4Ug6Aa0i";
    detector.scan(
        format!("TOKEN={token}\n").as_bytes(),
        &mut scratch,
        &mut out,
    );
    let now = compiled(&detector);
    assert!(
        now.contains(&"github-pat-classic".to_string()),
        "the hit rule compiled: {now:?}"
    );
    let all = detector.rules().len();
    assert!(
        now.len() * 10 < all,
        "only the candidates compiled ({} of {all}): {now:?}",
        now.len()
    );
}

#[test]
fn rules_list_shows_the_provider_in_text_and_the_whole_table_in_json() {
    let text = ferret().args(["rules", "list"]).output().unwrap();
    assert!(text.status.success(), "{text:?}");
    let text = String::from_utf8(text.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("slack-bot-token "))
        .expect("slack-bot-token is listed");
    assert!(line.contains(" Slack "), "{line}");

    for args in [
        &["rules", "list", "--format", "json"][..],
        &["rules", "list", "--json"][..],
    ] {
        let out = ferret().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        let table: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(table.len(), embedded_rules().unwrap().len(), "{args:?}");
        let slack = table
            .iter()
            .find(|r| r["id"] == "slack-bot-token")
            .expect("slack-bot-token in the table");
        assert_eq!(slack["provider"], "Slack");
        assert_eq!(slack["severity"], "high");
        assert_eq!(slack["keywords"], serde_json::json!(["xoxb-"]));
        assert!(
            slack["rotate"]
                .as_str()
                .is_some_and(|r| r.starts_with("https://"))
        );
        assert_eq!(slack["verify"], true, "Slack tokens have a verifier");
        for rule in table.iter().filter(|r| r["companion"] == false) {
            assert!(rule["provider"].is_string(), "{rule}");
            assert!(
                rule["name"].is_string() && rule["verify"].is_boolean(),
                "{rule}"
            );
        }
    }
}
