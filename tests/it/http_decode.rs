//! HTTP and OAuth material, bounded decoding and keys in their wrappers, on corpora of the files
//! they live in (HAR, VCR cassettes, curl scripts, proxy and access logs, Kubernetes Secrets,
//! escaped JSON bodies, service-account JSON, JWK sets), each beside hard negatives: `Bearer
//! ${TOKEN}`, NTLM negotiate messages, public JWKs, base64 of ordinary text, data: URIs, lock-file
//! integrity hashes. Every finding is asserted with its rule, line, confidence and decoding.

use std::path::Path;

use crate::support::{ferret, json_findings};

type Expected = (
    &'static str,
    &'static str,
    u64,
    &'static str,
    Option<&'static str>,
);

const HTTP: &[Expected] = &[
    ("generic-secret", "config/oauth1.py", 3, "high", None),
    ("oauth1-secret", "config/oauth1.py", 4, "high", None),
    (
        "redis-connection-uri",
        "config/services.env",
        1,
        "high",
        None,
    ),
    (
        "amqp-connection-uri",
        "config/services.env",
        2,
        "high",
        None,
    ),
    (
        "generic-url-credentials",
        "config/services.env",
        3,
        "high",
        None,
    ),
    ("oauth1-secret", "config/services.env", 6, "high", None),
    ("generic-secret", "logs/access.log", 2, "high", None),
    (
        "generic-url-query-secret",
        "logs/access.log",
        4,
        "high",
        None,
    ),
    (
        "generic-http-negotiate",
        "logs/proxy-debug.log",
        4,
        "medium",
        None,
    ),
    (
        "generic-http-digest",
        "logs/proxy-debug.log",
        5,
        "low",
        None,
    ),
    (
        "generic-http-bearer",
        "recordings/portal.har",
        21,
        "high",
        None,
    ),
    (
        "generic-http-session-cookie",
        "recordings/portal.har",
        27,
        "medium",
        None,
    ),
    ("generic-secret", "recordings/portal.har", 40, "high", None),
    ("generic-http-bearer", "scripts/release.sh", 6, "high", None),
    (
        "generic-http-session-cookie",
        "scripts/release.sh",
        15,
        "medium",
        None,
    ),
    (
        "generic-http-bearer",
        "spec/cassettes/orders_sync.yml",
        13,
        "medium",
        None,
    ),
    (
        "generic-http-session-cookie",
        "spec/cassettes/orders_sync.yml",
        22,
        "low",
        None,
    ),
    (
        "generic-http-basic",
        "spec/cassettes/orders_sync.yml",
        32,
        "medium",
        Some("base64"),
    ),
    ("generic-http-bearer", "src/apiClient.js", 12, "high", None),
    (
        "generic-http-basic",
        "src/apiClient.js",
        19,
        "high",
        Some("base64"),
    ),
];

const ENCODED: &[Expected] = &[
    (
        "generic-password",
        "api/webhook-replay.json",
        4,
        "high",
        None,
    ),
    (
        "generic-url-credentials",
        "ci/trigger.txt",
        2,
        "high",
        Some("percent"),
    ),
    (
        "generic-secret",
        "config/bootstrap.sh",
        3,
        "high",
        Some("base64"),
    ),
    (
        "gcp-service-account-key",
        "gcp/exporter-sa.json",
        4,
        "high",
        None,
    ),
    ("pem-private-key", "gcp/exporter-sa.json", 5, "high", None),
    (
        "jwk-private-key",
        "jwks/signing-keys.json",
        10,
        "high",
        None,
    ),
    (
        "jwk-private-key",
        "jwks/signing-keys.json",
        21,
        "high",
        None,
    ),
    (
        "generic-password",
        "k8s/payments-secret.yaml",
        8,
        "high",
        Some("base64"),
    ),
    (
        "stripe-webhook-secret",
        "k8s/payments-secret.yaml",
        9,
        "high",
        Some("base64"),
    ),
    (
        "pem-private-key",
        "k8s/payments-secret.yaml",
        20,
        "high",
        Some("base64"),
    ),
];

type Found = (String, String, u64, String, Option<String>);

fn scan(corpus: &str) -> (Vec<Found>, Vec<serde_json::Value>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(corpus);
    let out = ferret()
        .current_dir(&dir)
        .args([
            "scan",
            "dir",
            ".",
            "--format",
            "json",
            "--confidence",
            "low",
        ])
        .arg("--show-secrets")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings = json_findings(&out);
    let mut found: Vec<Found> = findings
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
                f["decoded"].as_str().map(str::to_string),
            )
        })
        .collect();
    found.sort();
    (found, findings)
}

fn expected(list: &[Expected]) -> Vec<Found> {
    let mut e: Vec<Found> = list
        .iter()
        .map(|(r, p, l, c, d)| {
            (
                r.to_string(),
                p.to_string(),
                *l,
                c.to_string(),
                d.map(str::to_string),
            )
        })
        .collect();
    e.sort();
    e
}

fn secret_of<'a>(findings: &'a [serde_json::Value], rule: &str, path: &str) -> &'a str {
    findings
        .iter()
        .find(|f| f["rule_id"] == rule && f["path"].as_str().unwrap().ends_with(path))
        .and_then(|f| f["secret"].as_str())
        .unwrap_or_else(|| panic!("no {rule} in {path}"))
}

#[test]
fn http_material_is_found_in_every_file_kind_and_no_hard_negative_is() {
    let (found, findings) = scan("http");
    assert_eq!(found, expected(HTTP));
    // Basic is reported once, as the decoded pair; query values are percent-decoded.
    assert_eq!(
        secret_of(&findings, "generic-http-basic", "src/apiClient.js"),
        "ci-bot:Zq4!xT9mKr2#Wv"
    );
    let sig = secret_of(&findings, "generic-url-query-secret", "logs/access.log");
    assert!(!sig.contains('%') && sig.len() == 44, "{sig}");
    assert_eq!(
        secret_of(&findings, "generic-url-credentials", "config/services.env"),
        "Summer2024!"
    );
}

#[test]
fn encoded_secrets_are_found_at_the_encoded_text_and_marked_decoded() {
    let (found, findings) = scan("encoded");
    assert_eq!(found, expected(ENCODED));
    assert_eq!(
        secret_of(&findings, "generic-password", "k8s/payments-secret.yaml"),
        "Vt7#qLm2!Rz9wX"
    );
    let key = findings
        .iter()
        .find(|f| f["rule_id"] == "pem-private-key" && f["decoded"] == "base64")
        .unwrap();
    // Located at the start of the base64 value, after `  tls.key: `.
    assert_eq!(key["column"], 12);
    assert!(
        key["secret"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----\n")
    );
}

#[test]
fn text_and_sarif_reports_name_the_decoding() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/encoded/k8s");
    let text = ferret()
        .current_dir(&dir)
        .args(["scan", "dir", "."])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert_eq!(text.matches("(decoded from base64)").count(), 3, "{text}");
    let sarif = ferret()
        .current_dir(&dir)
        .args(["scan", "dir", ".", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert!(
        results
            .iter()
            .all(|r| r["properties"]["decoded"] == "base64"),
        "{results:#?}"
    );
}
