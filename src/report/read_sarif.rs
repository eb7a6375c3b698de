//! Reads a SARIF log that ferret wrote (`--format sarif`) back as finding records, shaped as the
//! JSON formats print findings, for [`super::read`] to check and convert. Each result carries
//! what the JSON formats print in its `properties` (the whole origin, the absolute root, the
//! fingerprint), so a SARIF report names each secret's place as precisely as a JSON one. A SARIF
//! log of another tool lacks those properties and is refused, naming the file and the result.

use std::collections::HashMap;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// Each result of the SARIF log `log` of the file `name` as a finding record, with where it is
/// (`run 0 result 3`) for errors.
pub fn finding_records(name: &str, log: &Value) -> Result<Vec<(String, Value)>> {
    let Some(runs) = log.get("runs").and_then(Value::as_array) else {
        bail!("{name} is not a SARIF log: `runs` is not an array");
    };
    let mut records = Vec::new();
    for (run_index, run) in runs.iter().enumerate() {
        let driver = &run["tool"]["driver"];
        if driver["name"].as_str() != Some("ferret") {
            bail!("{name}: run {run_index} is not ferret's (expected the output of `ferret scan`)");
        }
        let rule_names = rule_names(driver);
        let results = run["results"].as_array().map_or(&[][..], Vec::as_slice);
        for (index, result) in results.iter().enumerate() {
            let place = format!("run {run_index} result {index}");
            let record = finding_record(result, &rule_names)
                .with_context(|| format!("{name}: {place} is not a ferret finding"))?;
            records.push((place, record));
        }
    }
    Ok(records)
}

/// Each rule id's display name, from the run's rule descriptors.
fn rule_names(driver: &Value) -> HashMap<&str, &str> {
    driver["rules"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|rule| {
            Some((
                rule["id"].as_str()?,
                rule["shortDescription"]["text"].as_str()?,
            ))
        })
        .collect()
}

/// A SARIF result as the JSON formats print a finding, for the JSON reader to check and convert.
fn finding_record(result: &Value, rule_names: &HashMap<&str, &str>) -> Result<Value> {
    let rule_id = result["ruleId"].as_str().context("no ruleId")?;
    let properties = &result["properties"];
    let fingerprint = properties["fingerprint"]
        .as_str()
        .context("no properties.fingerprint")?;
    let origin = properties.get("origin").context("no properties.origin")?;
    let rule_name = rule_names.get(rule_id).copied().unwrap_or(rule_id);
    let region = &result["locations"][0]["physicalLocation"]["region"];
    let line = region["startLine"].as_u64().unwrap_or(0);
    let mut record = json!({
        "rule_id": rule_id,
        "rule_name": rule_name,
        "severity": properties["severity"].as_str().unwrap_or("medium"),
        "line": line,
        "column": region["startColumn"].as_u64().unwrap_or(0),
        "end_line": region["endLine"].as_u64().unwrap_or(line),
        "secret": shown_secret(result, rule_name),
        "redacted": true,
        "fingerprint": fingerprint,
        "entropy": properties["entropy"].as_f64().unwrap_or(0.0),
        "confidence": properties["confidence"].as_str().unwrap_or("medium"),
        "confidence_reasons": properties.get("confidenceReasons").cloned().unwrap_or(json!([])),
        "origin": origin,
    });
    for (from, to) in [
        ("root", "root"),
        ("checksum", "checksum"),
        ("decoded", "decoded"),
    ] {
        if let Some(value) = properties.get(from).filter(|v| v.is_string()) {
            record[to] = value.clone();
        }
    }
    if let (Some(status), Some(detail)) = (
        properties["verification"].as_str(),
        properties["verificationDetail"].as_str(),
    ) {
        record["verification"] = json!({"status": status, "detail": detail});
    }
    Ok(record)
}

/// The secret as the result's message showed it (`NAME detected: SECRET (verification: ...)`),
/// redacted unless the scan was run with --show-secrets.
fn shown_secret(result: &Value, rule_name: &str) -> String {
    let message = result["message"]["text"].as_str().unwrap_or("");
    let shown = message
        .strip_prefix(rule_name)
        .and_then(|rest| rest.strip_prefix(" detected: "))
        .unwrap_or("");
    let shown = shown
        .rsplit_once(" (verification: ")
        .map_or(shown, |(secret, _)| secret);
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(result: Value) -> Value {
        json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "ferret", "rules": [
                    {"id": "github-pat-classic", "shortDescription": {"text": "GitHub token"}}
                ]}},
                "results": [result],
            }],
        })
    }

    fn read_sarif(name: &str, log: &Value) -> Result<crate::report::read::ReadReport> {
        crate::report::read::read_report(name, &log.to_string())
    }

    #[test]
    fn a_result_with_its_origin_becomes_a_finding() {
        let result = json!({
            "ruleId": "github-pat-classic",
            "message": {"text": "GitHub token detected: ghp_ab***** (verification: verified)"},
            "locations": [{"physicalLocation": {"region": {"startLine": 3, "startColumn": 7, "endLine": 3}}}],
            "properties": {
                "fingerprint": "fp2_0123456789abcdef0123456789abcdef",
                "origin": {"kind": "file", "path": "a/.env"},
                "root": "/work/repo/",
                "severity": "high",
                "confidence": "high",
                "verification": "verified",
                "verificationDetail": "login=octocat",
            },
        });
        let report = read_sarif("scan.sarif", &log(result)).unwrap();
        let finding = &report.findings[0];
        assert_eq!(&*finding.rule_name, "GitHub token");
        assert_eq!(finding.origin.full_path(), "/work/repo/a/.env");
        assert_eq!((finding.line, finding.column), (3, 7));
        assert_eq!(finding.display_secret(false), "ghp_ab*****");
    }

    #[test]
    fn another_tools_results_are_refused_by_name() {
        let foreign = json!({"ruleId": "x", "properties": {"fingerprint": "abc", "origin": {"kind": "file", "path": "a"}}});
        let err = read_sarif("other.sarif", &log(foreign)).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("other.sarif: run 0 result 0"), "{text}");
        assert!(text.contains("not a ferret fingerprint"), "{text}");
        let mut log = log(json!({}));
        log["runs"][0]["tool"]["driver"]["name"] = json!("gitleaks");
        let err = read_sarif("gl.sarif", &log).unwrap_err().to_string();
        assert!(err.contains("gl.sarif: run 0 is not ferret's"), "{err}");
    }
}
