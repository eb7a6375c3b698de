//! Values known not to be private are ranked, not dropped: a published documentation example is
//! one step lower (so a docs path hides it by default), a public-by-design key is low.

use crate::support::{TestDir, ferret, json_findings};

/// (rule, path, confidence, reasons) of every finding at `--confidence low`.
fn findings(dir: &TestDir) -> Vec<(String, String, String, Vec<String>)> {
    let out = ferret()
        .args([
            "scan",
            "dir",
            ".",
            "--format",
            "json",
            "--confidence",
            "low",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let mut found: Vec<_> = json_findings(&out)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["confidence"].as_str().unwrap().to_string(),
                f["confidence_reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn published_examples_are_one_step_lower_and_public_keys_are_low() {
    // Assembled at run time so the repository does not itself hold the published values.
    let stripe_sample = format!("sk_test_{}{}", "4eC39HqLyjWDarjtT1", "zdp7dc");
    let dir = TestDir::new();
    dir.write(
        "server/payments.js",
        format!("const stripe = require('stripe')('{stripe_sample}');\n"),
    );
    dir.write(
        "docs/quickstart.md",
        format!("```\ncurl https://api.stripe.com/v1/charges -u {stripe_sample}:\n```\n"),
    );
    dir.write(
        "server/real.js",
        "const stripe = require('stripe')('sk_test_51NwQk2Hq8ZrTbLx0aVdP3mYcR7eJ4uFgK9sWiE');\n",
    );
    dir.write(
        "web/checkout.js",
        "const stripe = Stripe('pk_live_51NwQk2Hq8ZrTbLx0aVdP3mYcR7eJ4uFgK9sWiEo2Tn6X');\n",
    );
    let reasons = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        findings(&dir),
        vec![
            (
                "stripe-publishable-key".into(),
                "web/checkout.js".into(),
                "low".into(),
                reasons(&["public-by-design key"])
            ),
            (
                "stripe-test-secret-key".into(),
                "docs/quickstart.md".into(),
                "low".into(),
                reasons(&["published example", "docs path"])
            ),
            (
                "stripe-test-secret-key".into(),
                "server/payments.js".into(),
                "medium".into(),
                reasons(&["published example"])
            ),
            (
                "stripe-test-secret-key".into(),
                "server/real.js".into(),
                "high".into(),
                vec![]
            ),
        ]
    );
    // The default floor (medium) hides the docs copy and the publishable key.
    let out = ferret()
        .args(["scan", "dir", ".", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let shown: Vec<String> = json_findings(&out)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown.iter().all(|p| p.starts_with("server/")), "{shown:?}");
}
