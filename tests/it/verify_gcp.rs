//! Google Cloud service-account keys are verified as Google documents the server-to-server flow:
//! a JWT signed on this machine with the key (RS256) is exchanged at the token endpoint. The
//! stand-in endpoint checks the assertion's claims and the test checks its signature with the
//! key's public half (openssl); the private key never travels.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::support::mock_provider::{MockProvider, Reply};
use crate::support::{TestDir, ferret, json_findings};

/// A fresh 2048-bit RSA key as PKCS#8 PEM, with its public key written to `public`.
fn rsa_key(dir: &Path, name: &str) -> String {
    let key = dir.join(format!("{name}.pem"));
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        key.to_str().unwrap(),
    ]);
    let public = dir.join(format!("{name}.pub.pem"));
    run(&[
        "pkey",
        "-in",
        key.to_str().unwrap(),
        "-pubout",
        "-out",
        public.to_str().unwrap(),
    ]);
    std::fs::read_to_string(key).unwrap()
}

fn key_file(project: &str, key_id: &str, email: &str, pem: &str) -> String {
    serde_json::to_string_pretty(&json!({
        "type": "service_account",
        "project_id": project,
        "private_key_id": key_id,
        "private_key": pem,
        "client_email": email,
        "client_id": "108393591253298252746",
        "token_uri": "https://oauth2.googleapis.com/token",
    }))
    .unwrap()
}

/// A form field's value with its `%XX` escapes and `+` decoded.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// `(header, claims, signing input, signature)` of a compact JWT.
fn parts(jwt: &str) -> (Value, Value, String, Vec<u8>) {
    let pieces: Vec<&str> = jwt.split('.').collect();
    assert_eq!(pieces.len(), 3, "{jwt}");
    let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).unwrap();
    (
        serde_json::from_slice(&decode(pieces[0])).unwrap(),
        serde_json::from_slice(&decode(pieces[1])).unwrap(),
        format!("{}.{}", pieces[0], pieces[1]),
        decode(pieces[2]),
    )
}

#[test]
fn a_service_account_key_signs_an_assertion_that_the_token_endpoint_accepts_or_rejects() {
    let dir = TestDir::new();
    let keys = TestDir::new();
    let live_pem = rsa_key(keys.path(), "live");
    let dead_pem = rsa_key(keys.path(), "dead");
    let live_id = "4c1f0a9e6d2b7c8a1e3f5d7b9a0c2e4f6a8b0d1c";
    let dead_id = "9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b";
    dir.write(
        "deploy/sa.json",
        key_file(
            "billing-prod-41822",
            live_id,
            "exporter@billing-prod-41822.iam.gserviceaccount.com",
            &live_pem,
        ),
    );
    dir.write(
        "old/sa.json",
        key_file(
            "etl-9c1a2",
            dead_id,
            "etl-runner@etl-9c1a2.iam.gserviceaccount.com",
            &dead_pem,
        ),
    );
    let assertions = Arc::new(Mutex::new(Vec::new()));
    let seen = assertions.clone();
    let mock = MockProvider::start(move |r| {
        let form: Vec<(String, String)> = r
            .body
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (percent_decoded(k), percent_decoded(v)))
            .collect();
        let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        if r.method != "POST"
            || r.path != "/token"
            || field("grant_type").as_deref() != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            return Reply::json(400, json!({"error": "unsupported_grant_type"}));
        }
        let jwt = field("assertion").unwrap_or_default();
        seen.lock().unwrap().push(jwt.clone());
        let (header, _, _, _) = parts(&jwt);
        if header["kid"] == live_id {
            Reply::json(
                200,
                json!({"access_token": "ya29.c.mock", "expires_in": 3599, "token_type": "Bearer"}),
            )
        } else {
            Reply::json(
                400,
                json!({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}),
            )
        }
    });
    let out = ferret()
        .args(["scan", "dir"])
        .arg(dir.path())
        .args(["--format", "json", "--verify"])
        .args(["--verify-endpoint", &format!("gcp-oauth={}", mock.url())])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let findings = json_findings(&out);
    let status = |path: &str| -> Value {
        findings
            .iter()
            .find(|f| f["rule_id"] == "gcp-service-account-key" && f["path"] == path)
            .unwrap_or_else(|| panic!("{path}: {findings:#?}"))["verification"]
            .clone()
    };
    assert_eq!(
        status("deploy/sa.json")["status"],
        "verified",
        "{:#}",
        status("deploy/sa.json")
    );
    assert_eq!(
        status("deploy/sa.json")["access"]["principal"],
        "exporter@billing-prod-41822.iam.gserviceaccount.com"
    );
    assert_eq!(status("old/sa.json")["status"], "invalid");
    assert!(
        status("old/sa.json")["detail"]
            .as_str()
            .unwrap()
            .contains("Invalid JWT Signature")
    );

    // Each assertion: RS256 with the key's id, the account as issuer, Google's token endpoint as
    // audience, a short life, and a signature the account's public key verifies.
    let assertions = assertions.lock().unwrap().clone();
    assert_eq!(assertions.len(), 2, "one exchange per key");
    for jwt in &assertions {
        let (header, claims, input, signature) = parts(jwt);
        assert_eq!(header["alg"], "RS256");
        let name = if header["kid"] == live_id {
            "live"
        } else {
            "dead"
        };
        assert!(
            claims["iss"]
                .as_str()
                .unwrap()
                .ends_with(".iam.gserviceaccount.com")
        );
        assert_eq!(claims["aud"], "https://oauth2.googleapis.com/token");
        let life = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
        assert!(life <= 3600, "{life}");
        std::fs::write(keys.join("input"), &input).unwrap();
        std::fs::write(keys.join("sig"), &signature).unwrap();
        let verified = Command::new("openssl")
            .args(["dgst", "-sha256", "-verify"])
            .arg(keys.join(&format!("{name}.pub.pem")))
            .arg("-signature")
            .arg(keys.join("sig"))
            .arg(keys.join("input"))
            .output()
            .unwrap();
        assert!(
            verified.status.success(),
            "the {name} key signed its assertion"
        );
    }
    // The private key went nowhere: no request carried any line of it.
    for r in mock.requests() {
        for pem in [&live_pem, &dead_pem] {
            let line = pem.lines().nth(3).unwrap();
            assert!(!r.body.contains(line) && !r.body.contains(&line.replace('/', "%2F")));
        }
    }
    assert!(!stdout.contains(live_pem.lines().nth(3).unwrap()));
}

/// Found with the test above: a private key inside a JSON string (`\n` escapes, no real lines)
/// was printed whole, because redaction kept its "first line". Every format shows the label only.
#[test]
fn a_key_inside_a_json_string_is_redacted_in_every_format() {
    let keys = TestDir::new();
    let pem = rsa_key(keys.path(), "k");
    let body_lines: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let dir = TestDir::new().file(
        "sa.json",
        key_file(
            "web-3321",
            "5d91c652535aabc5ca434e3252070e1de3e6f327",
            "ci@web-3321.iam.gserviceaccount.com",
            &pem,
        ),
    );
    for format in [
        "text",
        "json",
        "jsonl",
        "sarif",
        "csv",
        "html",
        "inventory-json",
    ] {
        let out = ferret()
            .args(["scan", "dir"])
            .arg(dir.path())
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let shown = String::from_utf8_lossy(&out.stdout);
        for line in &body_lines {
            assert!(!shown.contains(line), "{format} shows the key: {line}");
            assert!(
                !shown.contains(&line[..24]),
                "{format} shows part of the key"
            );
        }
        assert!(
            shown.contains("PRIVATE KEY"),
            "{format}: the finding is there"
        );
    }
}
