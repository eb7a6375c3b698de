//! Generic assignments on a corpus of many file kinds: each positive is found with its rule, line
//! and confidence; the hard negatives beside it (references, placeholders, labels, i18n strings,
//! hashes, UUIDs, integrity strings, field names) are not; test paths rank findings, never hide them.

use std::path::{Path, PathBuf};

use crate::support::{TestDir, ferret, json_findings};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/generic")
}

/// (rule, path, line, confidence) of every finding at `--confidence low`.
const EXPECTED: &[(&str, &str, u64, &str)] = &[
    ("generic-secret", "app/Config.java", 5, "high"),
    ("generic-password", "app/Config.java", 8, "high"),
    ("generic-password", "app/client.py", 9, "high"),
    ("generic-secret", "app/client.py", 10, "high"),
    ("generic-password", "app/settings.json", 7, "high"),
    ("generic-password", "app/web.config", 4, "high"),
    ("generic-password", "db/backup.sh", 3, "high"),
    ("generic-password", "db/backup.sh", 5, "high"),
    ("generic-password", "db/setup.sql", 2, "high"),
    ("generic-password", "db/setup.sql", 3, "high"),
    ("generic-password", "deploy/.env", 3, "high"),
    ("generic-password", "deploy/.env", 6, "medium"),
    ("generic-secret", "deploy/.env", 8, "high"),
    ("generic-password", "deploy/values.yaml", 4, "high"),
    ("generic-secret", "deploy/values.yaml", 11, "high"),
    ("generic-password", "tests/test_login.py", 2, "medium"),
    ("generic-secret", "tests/test_login.py", 4, "low"),
];

fn scan(args: &[&str]) -> Vec<(String, String, u64, String)> {
    let out = ferret()
        .current_dir(corpus_dir())
        .args(["scan", "dir", ".", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found: Vec<_> = json_findings(&out)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string(),
                f["line"].as_u64().unwrap(),
                f["confidence"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn expected(floor: &[&str]) -> Vec<(String, String, u64, String)> {
    let mut e: Vec<_> = EXPECTED
        .iter()
        .filter(|(_, _, _, c)| floor.contains(c))
        .map(|(r, p, l, c)| (r.to_string(), p.to_string(), *l, c.to_string()))
        .collect();
    e.sort();
    e
}

#[test]
fn every_syntax_is_found_with_its_confidence_and_no_hard_negative_is() {
    assert_eq!(
        scan(&["--confidence", "low"]),
        expected(&["high", "medium", "low"])
    );
}

#[test]
fn the_default_shows_high_and_medium_and_the_floor_can_be_raised() {
    assert_eq!(scan(&[]), expected(&["high", "medium"]));
    assert_eq!(scan(&["--confidence", "high"]), expected(&["high"]));
}

#[test]
fn a_test_path_lowers_a_finding_and_says_why() {
    let out = ferret()
        .current_dir(corpus_dir())
        .args([
            "scan",
            "dir",
            "tests",
            "--format",
            "json",
            "--confidence",
            "low",
        ])
        .output()
        .unwrap();
    let findings = json_findings(&out);
    let mock = findings.iter().find(|f| f["line"] == 4).unwrap();
    assert_eq!(mock["confidence"], "low");
    assert_eq!(
        mock["confidence_reasons"],
        serde_json::json!(["test name", "test path"])
    );
}

#[test]
fn ferret_toml_sets_the_confidence_floor_and_fail_on_applies_to_what_is_shown() {
    let tree = TestDir::new().file("tests/fixture.env", "SMTP_PASS=hunter2\n");
    let hidden = ferret()
        .current_dir(tree.path())
        .args(["scan", "dir", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        hidden.status.code(),
        Some(0),
        "below the floor does not fail"
    );
    assert!(json_findings(&hidden).is_empty());
    tree.write("ferret.toml", "confidence = \"low\"\n");
    let shown = ferret()
        .current_dir(tree.path())
        .args(["scan", "dir", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(shown.status.code(), Some(1));
    assert_eq!(json_findings(&shown)[0]["confidence"], "low");
}
