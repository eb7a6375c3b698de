//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Result;
use serde_json::{Value, json};

use super::{ReportOptions, Summary};
use crate::detect::{Rule, Severity};
use crate::pipeline::Finding;
use crate::pipeline::Skip;

/// GitHub code scanning keeps at most this many results per run.
const MAX_RESULTS_PER_RUN: usize = 25_000;
/// ... and at most this many runs per file.
const MAX_RUNS: usize = 20;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes a SARIF log with one run per 25,000 results.
pub fn write_sarif(
    out: &mut dyn Write,
    findings: &[Finding],
    rules: &[Rule],
    summary: &Summary,
    opts: &ReportOptions,
) -> Result<()> {
    let roots = super::roots::Roots::of(findings);
    let base_ids: serde_json::Map<String, Value> = roots
        .iter()
        .map(|(id, abs)| (id, json!({"uri": file_uri(abs)})))
        .collect();
    let rule_index: HashMap<&str, usize> =
        rules.iter().enumerate().map(|(i, r)| (&*r.id, i)).collect();
    let driver = json!({
        "name": "ferret",
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "version": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://github.com/ferret-scanner/ferret",
        "rules": rules.iter().map(rule_descriptor).collect::<Vec<_>>(),
    });
    let chunks: Vec<&[Finding]> = if findings.is_empty() {
        vec![&[]]
    } else {
        findings
            .chunks(MAX_RESULTS_PER_RUN)
            .take(MAX_RUNS)
            .collect()
    };
    let dropped = findings
        .len()
        .saturating_sub(MAX_RESULTS_PER_RUN * MAX_RUNS);
    let runs: Vec<Value> = chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let results: Vec<Value> = chunk
                .iter()
                .map(|f| result(f, rule_index.get(&*f.rule_id).copied(), &roots, opts))
                .collect();
            let mut notifications: Vec<Value> = summary
                .errors
                .iter()
                .map(|e| {
                    json!({
                        "level": "error",
                        "message": {"text": format!("could not scan {}: {}", e.subject, e.message)},
                    })
                })
                .collect();
            notifications.extend(summary.skips.iter().map(skip_notification));
            if i == 0 && dropped > 0 {
                notifications.push(json!({
                    "level": "warning",
                    "message": {"text": format!("{dropped} findings left out: GitHub code scanning accepts at most {} results per file", MAX_RESULTS_PER_RUN * MAX_RUNS)},
                }));
            }
            let mut run = json!({
                "tool": {"driver": driver},
                "automationDetails": {"id": format!("ferret/{i}")},
                "invocations": [{
                    "executionSuccessful": summary.errors.is_empty(),
                    "toolExecutionNotifications": notifications,
                    "toolConfigurationNotifications": summary
                        .config_warnings
                        .iter()
                        .map(|w| json!({"level": "warning", "message": {"text": w}}))
                        .collect::<Vec<_>>(),
                    // Which configuration decided what was reported (in a pull-request gate, the
                    // base revision's).
                    "properties": {"configuration": summary.configs},
                }],
                "results": results,
                "columnKind": "utf16CodeUnits",
            });
            if !base_ids.is_empty() {
                run["originalUriBaseIds"] = Value::Object(base_ids.clone());
            }
            run
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": runs,
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)?;
    Ok(())
}

/// A thing not scanned fully, as a warning notification that names it and its reason.
fn skip_notification(skip: &Skip) -> Value {
    let mut properties = serde_json::Map::new();
    properties.insert("reason".into(), json!(skip.reason));
    if let Some(size) = skip.size {
        properties.insert("size".into(), json!(size));
    }
    json!({
        "level": "warning",
        "descriptor": {"id": "ferret/not-scanned-fully"},
        "message": {"text": format!("not scanned fully: {}: {}", skip.subject, skip.detail)},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": artifact_uri(&skip.subject)}},
        }],
        "properties": properties,
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// A verified secret is an error whatever its rule's severity; a revoked one only a note.
fn result_level(f: &Finding) -> &'static str {
    match f.verification.as_ref().map(|v| v.status) {
        Some(crate::pipeline::VerificationStatus::Verified) => "error",
        Some(crate::pipeline::VerificationStatus::Invalid) => "note",
        _ => level(f.severity),
    }
}

/// SARIF's `rank` (0-100): how sure ferret is that the result is a real secret.
fn rank(confidence: crate::detect::Confidence) -> f64 {
    match confidence {
        crate::detect::Confidence::High => 90.0,
        crate::detect::Confidence::Medium => 60.0,
        crate::detect::Confidence::Low => 30.0,
    }
}

/// GitHub reads `security-severity` (0.0-10.0) to rank security alerts.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    let help = match &rule.rotate {
        Some(url) => format!(
            "{} found. Revoke or rotate it at {url}, then remove it from the code and its history.",
            rule.name
        ),
        None => format!(
            "{} found. Revoke or rotate it, then remove it from the code and its history.",
            rule.name
        ),
    };
    let mut d = json!({
        "id": &*rule.id,
        "name": pascal_case(&rule.id),
        "shortDescription": {"text": &*rule.name},
        "fullDescription": {"text": format!("Detects a {} in source, history or artifacts.", rule.name)},
        "help": {"text": help},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "tags": ["security", "secret", "external/cwe/cwe-798"],
            "precision": "high",
            "security-severity": security_severity(rule.severity),
        },
    });
    if let Some(url) = &rule.rotate {
        d["helpUri"] = json!(&**url);
    }
    d
}

fn result(
    f: &Finding,
    rule_index: Option<usize>,
    roots: &super::roots::Roots,
    opts: &ReportOptions,
) -> Value {
    let mut properties = f.origin.sarif_properties();
    properties.insert("fingerprint".into(), json!(f.fingerprint));
    // The whole origin as the JSON formats write it, so `ferret recheck` can read a SARIF
    // report as well as a JSON one and find each secret's place again.
    properties.insert("origin".into(), json!(&*f.origin));
    if let Some(root) = f.origin.root() {
        properties.insert("root".into(), json!(super::roots::absolute_root(root)));
    }
    properties.insert("severity".into(), json!(f.severity.as_str()));
    properties.insert("confidence".into(), json!(f.confidence.as_str()));
    properties.insert("confidenceReasons".into(), json!(f.confidence_reasons));
    if let Some(decoded) = f.decoded {
        properties.insert("decoded".into(), json!(decoded));
    }
    properties.insert(
        "entropy".into(),
        json!((f.entropy * 1000.0).round() / 1000.0),
    );
    if let Some(valid) = f.checksum_valid {
        properties.insert(
            "checksum".into(),
            json!(if valid { "valid" } else { "invalid" }),
        );
    }
    if let Some(v) = &f.verification {
        properties.insert("verification".into(), json!(v.status.as_str()));
        properties.insert("verificationDetail".into(), json!(v.detail));
        if !v.access.is_empty() {
            properties.insert("access".into(), json!(v.access));
        }
    }
    let mut message = format!(
        "{} detected: {}",
        f.rule_name,
        f.display_secret(opts.show_secrets)
    );
    if let Some(v) = &f.verification {
        message.push_str(&format!(" (verification: {})", v.status.as_str()));
    }
    let mut r = json!({
        "ruleId": &*f.rule_id,
        "level": result_level(f),
        "message": {"text": message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(f.path())},
                "region": {
                    "startLine": f.line.max(1),
                    "startColumn": f.column.max(1),
                    "endLine": f.end_line.max(f.line).max(1),
                },
            },
        }],
        "partialFingerprints": {"ferret/v2": &f.fingerprint},
        "rank": rank(f.confidence),
        "properties": properties,
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if let Some(id) = f.origin.root().and_then(|root| roots.base_id_of(root)) {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] = json!(id);
    }
    r
}

/// A `file://` URI for an absolute directory (with its trailing `/`), percent-encoded.
fn file_uri(abs_dir: &str) -> String {
    format!("file://{}", crate::uri::encode_path(abs_dir))
}

/// A URI reference for a reported path: relative paths stay relative (GitHub resolves them against
/// the repository root); absolute ones become `file://` URIs. Characters outside the URI grammar are
/// percent-encoded.
pub fn artifact_uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let encoded = crate::uri::encode_path(&path.replace('\\', "/"));
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(artifact_uri("./src/a b.py"), "src/a%20b.py");
        assert_eq!(artifact_uri("/tmp/x%y"), "file:///tmp/x%25y");
        assert_eq!(pascal_case("github-pat-classic"), "GithubPatClassic");
        assert_eq!(file_uri("/tmp/a b/é/"), "file:///tmp/a%20b/%C3%A9/");
    }
}
