//! Fingerprints are salted and slow to derive, so a committed baseline, `.ferretignore` or SARIF
//! file does not let anyone confirm a guessed secret with one cheap hash; old (v1) fingerprints
//! still match for one release, with a warning, and `ferret baseline upgrade` rewrites them.

use std::process::Output;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::{TestDir, ferret, json_findings, test_rules_file};

const SECRET: &str = "tst_Qm3kV8zR1tW6yB0nC4xL7pJ2";
const OTHER: &str = "tst_Zp9Rt4VbN8wKc2Lm5Xq7Hs3D";

/// The v1 fingerprint as ferret 0.1 wrote it: a plain SHA-256 of rule id and secret.
fn v1(rule_id: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"ferret/v1\0");
    h.update(rule_id.as_bytes());
    h.update(b"\0");
    h.update(secret.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// `ferret scan dir . --format FORMAT --rules <test rules> [extra...]` in `dir`.
fn scan(dir: &TestDir, format: &str, extra: &[&str]) -> Output {
    ferret()
        .current_dir(dir.path())
        .args(["scan", "dir", ".", "--format", format, "--rules"])
        .arg(test_rules_file())
        .args(extra)
        .output()
        .expect("ferret runs")
}

fn fingerprint_of(dir: &TestDir, secret: &str) -> String {
    let out = scan(dir, "json", &["--show-secrets"]);
    let findings = json_findings(&out);
    let finding = findings
        .iter()
        .find(|f| f["secret"] == secret)
        .unwrap_or_else(|| panic!("{secret} is found: {findings:?}"));
    finding["fingerprint"].as_str().unwrap().to_string()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_fingerprint_is_not_a_plain_hash_and_depends_on_the_project_salt() {
    let dir = TestDir::new().file("a.env", format!("KEY={SECRET}\n"));
    let default_salt = fingerprint_of(&dir, SECRET);
    assert!(
        default_salt.starts_with("fp2_") && default_salt.len() == 36,
        "{default_salt}"
    );
    let plain_sha256 = hex::encode(Sha256::digest(SECRET.as_bytes()));
    let hex_part = &default_salt[4..];
    assert!(!plain_sha256.contains(hex_part));
    assert_ne!(hex_part, v1("test-token", SECRET));

    dir.write("ferret.toml", "fingerprint_salt = \"project one\"\n");
    let salted = fingerprint_of(&dir, SECRET);
    assert_ne!(salted, default_salt);
    assert_eq!(salted, fingerprint_of(&dir, SECRET), "stable across runs");
    // Another checkout of the same project (same config, another place) agrees.
    let elsewhere = TestDir::new()
        .file("sub/b.env", format!("TOKEN = {SECRET}\n"))
        .file("ferret.toml", "fingerprint_salt = \"project one\"\n");
    assert_eq!(fingerprint_of(&elsewhere, SECRET), salted);

    dir.write("ferret.toml", "fingerprint_salt = \"project two\"\n");
    assert_ne!(fingerprint_of(&dir, SECRET), salted);

    // SARIF carries the same value, never the old one.
    let sarif: Value = serde_json::from_slice(&scan(&dir, "sarif", &[]).stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let partial = result["partialFingerprints"]["ferret/v2"].as_str().unwrap();
    assert_eq!(partial, fingerprint_of(&dir, SECRET));
    assert!(!sarif.to_string().contains(&v1("test-token", SECRET)));

    dir.write("ferret.toml", "fingerprint_salt = \"\"\n");
    let out = scan(&dir, "json", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("fingerprint_salt is empty"),
        "{out:?}"
    );
}

#[test]
fn old_ignore_file_entries_still_match_with_a_warning_and_upgrade_rewrites_them() {
    let dir = TestDir::new()
        .file("a.env", format!("KEY={SECRET}\nOTHER={OTHER}\n"))
        .file("ferret.toml", "fingerprint_salt = \"ignore-test\"\n");
    let gone = "0123456789abcdef0123456789abcdef";
    let ignore = format!(
        "# reviewed: test keys\na.env:{}  # the first one\n{gone}\n",
        v1("test-token", SECRET)
    );
    dir.write(".ferretignore", &ignore);
    let out = scan(&dir, "json", &["--show-secrets"]);
    let findings = json_findings(&out);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["secret"], OTHER);
    let warning = stderr(&out);
    assert!(
        warning.contains(".ferretignore holds 2 old (v1) fingerprints")
            && warning.contains("ferret baseline upgrade"),
        "{warning}"
    );

    let out = ferret()
        .current_dir(dir.path())
        .args([
            "baseline",
            "upgrade",
            ".ferretignore",
            ".",
            "--dir",
            "--rules",
        ])
        .arg(test_rules_file())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stderr(&out).contains("upgraded 1 old fingerprints"),
        "{out:?}"
    );
    let upgraded = std::fs::read_to_string(dir.join(".ferretignore")).unwrap();
    let secret_fp = {
        // The ignored secret's current fingerprint, seen with the ignore file out of the way.
        std::fs::rename(dir.join(".ferretignore"), dir.join("kept")).unwrap();
        let fp = fingerprint_of(&dir, SECRET);
        std::fs::rename(dir.join("kept"), dir.join(".ferretignore")).unwrap();
        fp
    };
    assert_eq!(
        upgraded,
        format!("# reviewed: test keys\na.env:{secret_fp}  # the first one\n{gone}\n")
    );
    // Still suppressed; only the entry for a secret that is gone stays old and warned about.
    let out = scan(&dir, "json", &["--show-secrets"]);
    assert_eq!(json_findings(&out).len(), 1);
    assert!(
        stderr(&out).contains(".ferretignore holds 1 old (v1) fingerprints"),
        "{out:?}"
    );
}

#[test]
fn an_old_baseline_still_suppresses_with_a_warning_and_upgrade_rewrites_it() {
    let dir = TestDir::new()
        .file("a.env", format!("KEY={SECRET}\n"))
        .file("b.env", format!("KEY={OTHER}\n"));
    let store = TestDir::new();
    let baseline = store.join("baseline.json");
    // A baseline as ferret 0.1 wrote it.
    let old = serde_json::json!({
        "ferret_baseline": 1,
        "tool_version": "0.1.0",
        "findings": [
            {"fingerprint": v1("test-token", SECRET), "rule_id": "test-token", "path": "a.env",
             "line": 1, "secret": "*****"},
            {"fingerprint": v1("test-token", OTHER), "rule_id": "test-token", "path": "b.env",
             "line": 1, "secret": "*****"},
        ],
    });
    std::fs::write(&baseline, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    let with_baseline = || {
        let mut args = vec!["--baseline"];
        args.push(baseline.to_str().unwrap());
        scan(&dir, "json", &args)
    };
    let out = with_baseline();
    assert_eq!(out.status.code(), Some(0), "all known: {out:?}");
    assert!(json_findings(&out).is_empty());
    assert!(
        stderr(&out).contains("holds 2 old (v1) fingerprints")
            && stderr(&out).contains(&format!("ferret baseline upgrade {}", baseline.display())),
        "{out:?}"
    );
    assert!(!stderr(&out).contains("stale"), "{out:?}");

    let out = ferret()
        .args(["baseline", "upgrade"])
        .arg(&baseline)
        .arg(dir.path())
        .args(["--dir", "--rules"])
        .arg(test_rules_file())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let entries = doc["findings"].as_array().unwrap();
    assert_eq!(entries[0]["fingerprint"], fingerprint_of(&dir, SECRET));
    assert_eq!(entries[1]["fingerprint"], fingerprint_of(&dir, OTHER));
    assert_eq!(entries[0]["path"], "a.env", "other fields are kept");

    let out = with_baseline();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(!stderr(&out).contains("old (v1)"), "{out:?}");
}

#[test]
fn thousands_of_findings_of_two_secrets_have_two_fingerprints() {
    // Derivations are cached per distinct secret, which is what keeps this run quick.
    let mut text = String::new();
    for i in 0..1500 {
        text.push_str(&format!("k{i}={SECRET}\nj{i}={OTHER}\n"));
    }
    let dir = TestDir::new().file("many.env", text);
    let out = scan(&dir, "json", &[]);
    let findings = json_findings(&out);
    assert_eq!(findings.len(), 3000);
    let distinct: std::collections::HashSet<&str> = findings
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(distinct.len(), 2);
}

#[test]
fn baseline_create_suggests_a_salt_only_when_the_project_has_none() {
    let dir = TestDir::new().file("a.env", format!("KEY={SECRET}\n"));
    let create = || {
        ferret()
            .current_dir(dir.path())
            .args([
                "baseline",
                "create",
                ".",
                "--dir",
                "-o",
                "baseline.json",
                "--rules",
            ])
            .arg(test_rules_file())
            .output()
            .unwrap()
    };
    let out = create();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stderr(&out).contains("fingerprint_salt = \""), "{out:?}");
    dir.write("ferret.toml", "fingerprint_salt = \"chosen\"\n");
    let out = create();
    assert!(!stderr(&out).contains("fingerprint_salt"), "{out:?}");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("baseline.json")).unwrap()).unwrap();
    assert_eq!(
        doc["findings"][0]["fingerprint"],
        fingerprint_of(&dir, SECRET)
    );
}
