//! The planted-secret corpus: every planted secret is found by the rule meant for it, nothing else
//! is reported (placeholders, hashes, UUIDs, lock files, i18n strings, binaries, allowed lines), and
//! the SARIF report of it validates against the OASIS schema.


use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use crate::support::{ferret, json_findings, rule_path_lines};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dir")
}

const EXPECTED: &[(&str, &str, u64)] = &[
    ("anthropic-api-key", "deploy/values.yaml", 5),
    ("aws-access-key-id", "config/.env", 3),
    ("aws-secret-access-key", "config/.env", 4),
    ("gcp-api-key", "config/settings.json", 3),
    ("generic-secret", "src/Client.java", 5),
    ("github-pat-classic", "src/settings.py", 5),
    ("gitlab-pat", "src/Client.java", 4),
    ("huggingface-access-token", "config/settings.json", 6),
    ("npm-access-token", "config/.npmrc", 1),
    ("openai-api-key", "src/settings.py", 6),
    ("pem-private-key", "keys/deploy_key.pem", 1),
    ("postgres-connection-uri", "deploy/values.yaml", 3),
    ("sendgrid-api-key", "web/mail.js", 2),
    ("slack-bot-token", "src/notify.go", 5),
    ("stripe-live-secret-key", "config/.env", 5),
];

#[test]
fn corpus_findings_are_exactly_the_planted_secrets() {
    let out = ferret()
        .current_dir(corpus_dir())
        .args(["scan", "dir", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings = json_findings(&out);
    let expected: Vec<(String, String, u64)> = EXPECTED
        .iter()
        .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
        .collect();
    assert_eq!(rule_path_lines(&findings), expected);

    // The private key is one finding spanning the whole block.
    let key = findings
        .iter()
        .find(|f| f["rule_id"] == "pem-private-key")
        .unwrap();
    assert_eq!(key["end_line"], 27);
    // A valid GitHub checksum is recorded.
    let gh = findings
        .iter()
        .find(|f| f["rule_id"] == "github-pat-classic")
        .unwrap();
    assert_eq!(gh["checksum"], "valid");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("skipped 1 binary") && stderr.contains("1 suppressed"),
        "{stderr}"
    );
}

#[test]
fn corpus_sarif_validates_against_the_sarif_2_1_0_schema() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("corpus.sarif");
    let out = ferret()
        .current_dir(corpus_dir())
        .args(["scan", "dir", ".", "--format", "sarif", "--output"])
        .arg(&sarif)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    assert!(
        schema.is_file(),
        "the SARIF schema is expected at {}",
        schema.display()
    );
    let check = StdCommand::new("python3")
        .arg("-c")
        .arg(
            "import json,sys,jsonschema\n\
             schema=json.load(open(sys.argv[1])); doc=json.load(open(sys.argv[2]))\n\
             jsonschema.validate(doc, schema, cls=jsonschema.Draft4Validator)\n\
             assert len(doc['runs'][0]['results']) == int(sys.argv[3]), len(doc['runs'][0]['results'])\n\
             print('valid')",
        )
        .arg(&schema)
        .arg(&sarif)
        .arg(EXPECTED.len().to_string())
        .output()
        .expect("python3 runs");
    assert!(
        check.status.success(),
        "SARIF does not validate:\n{}\n{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    // GitHub code scanning's own requirements on top of the schema.
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    for result in doc["runs"][0]["results"].as_array().unwrap() {
        assert!(result["ruleId"].is_string());
        assert!(result["message"]["text"].is_string());
        let loc = &result["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.starts_with("./"), "{uri}");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(result["partialFingerprints"]["ferret/v1"].is_string());
    }
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.len() >= 120, "rule metadata for every rule");
}

#[test]
fn secrets_never_appear_in_redacted_output() {
    let out = ferret()
        .current_dir(corpus_dir())
        .args(["scan", "dir", ".", "--format", "json", "--show-secrets"])
        .output()
        .unwrap();
    let secrets: Vec<String> = json_findings(&out)
        .iter()
        .map(|f| f["secret"].as_str().unwrap().to_string())
        .collect();
    for format in ["text", "json", "jsonl", "sarif", "csv", "github"] {
        let out = ferret()
            .current_dir(corpus_dir())
            .args(["scan", "dir", ".", "--format", format])
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for s in &secrets {
            assert!(!all.contains(s.as_str()), "{format} output leaks a secret");
        }
    }
}
