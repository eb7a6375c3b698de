//! Reads ferret's own JSON reports back as findings (`--format json`, `json-report` and `jsonl`,
//! and SARIF through [`super::read_sarif`]), so `ferret report merge` can combine reports made on
//! other machines and `ferret recheck` can find their secrets again. Which format a file
//! holds is decided by its content, not its name: CI artefacts are renamed freely.
//!
//! A finding read back keeps the secret in the form the report printed it (redacted, normally),
//! and is marked so that no report redacts it a second time. Merging never needs the secret: the
//! fingerprint identifies it.

use std::borrow::Cow;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;

use crate::pipeline::{
    Confidence, Finding, Origin, ScanError, Severity, Skip, SkipReason, Verification,
    VerificationStatus,
};

/// What one report holds.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Its findings, in file order.
    pub findings: Vec<Finding>,
    /// What the scan did not scan fully.
    pub skips: Vec<Skip>,
    /// What the scan could not read (json-report only; the other formats do not record errors).
    pub errors: Vec<ScanError>,
    /// Blobs and bytes scanned, where the report says (json-report only).
    pub blobs: u64,
    /// Bytes scanned (json-report only).
    pub bytes: u64,
}

/// What every report format prints for a finding (see `json::finding_json`). Unknown fields
/// are ignored, so a report of a newer ferret that adds one still merges.
#[derive(Debug, Deserialize)]
struct FindingRecord {
    rule_id: String,
    rule_name: String,
    #[serde(default)]
    provider: Option<String>,
    severity: Severity,
    line: usize,
    column: usize,
    end_line: usize,
    secret: String,
    redacted: bool,
    fingerprint: String,
    #[serde(default)]
    entropy: f64,
    confidence: Confidence,
    #[serde(default)]
    confidence_reasons: Vec<String>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    decoded: Option<String>,
    #[serde(default)]
    rotate: Option<String>,
    #[serde(default)]
    root: Option<String>,
    #[serde(default)]
    verification: Option<VerificationRecord>,
    origin: Origin,
}

#[derive(Debug, Deserialize)]
struct VerificationRecord {
    status: String,
    detail: String,
    #[serde(default)]
    access: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct SkipRecord {
    path: String,
    reason: SkipReason,
    detail: String,
    #[serde(default)]
    size: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct ErrorRecord {
    subject: String,
    message: String,
}

#[derive(Debug, Deserialize)]
struct JsonReportRecord {
    findings: Vec<FindingRecord>,
    #[serde(default)]
    not_scanned: Vec<SkipRecord>,
    #[serde(default)]
    errors: Vec<ErrorRecord>,
    summary: SummaryRecord,
}

#[derive(Debug, Deserialize)]
struct SummaryRecord {
    #[serde(default)]
    blobs: u64,
    #[serde(default)]
    bytes: u64,
}

/// What a file that is not a report is told.
const EXPECTED: &str =
    "expected the output of `ferret scan` with --format json, json-report, jsonl or sarif";

/// Reads the report `text` of the file `name` (named in every error).
pub fn read_report(name: &str, text: &str) -> Result<ReadReport> {
    let trimmed = text.trim_start();
    match trimmed.as_bytes().first() {
        // A jsonl shard of a scan that found nothing is empty.
        None => Ok(ReadReport::default()),
        Some(b'[') => {
            let records: Vec<FindingRecord> = serde_json::from_str(text)
                .map_err(|e| anyhow::anyhow!("{name} is not a ferret JSON report: {e}"))?;
            Ok(ReadReport {
                findings: records
                    .into_iter()
                    .map(into_finding)
                    .collect::<Result<_>>()
                    .with_context(|| format!("{name} is not a ferret JSON report"))?,
                ..ReadReport::default()
            })
        }
        Some(b'{') => read_object_or_lines(name, text),
        Some(_) => bail!("{name} is not a ferret report: {EXPECTED}"),
    }
}

/// A file starting with `{`: one json-report object (pretty-printed over many lines), or JSONL.
fn read_object_or_lines(name: &str, text: &str) -> Result<ReadReport> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) if map.contains_key("findings") && map.contains_key("summary") => {
            let report: JsonReportRecord = serde_json::from_value(Value::Object(map))
                .map_err(|e| anyhow::anyhow!("{name} is not a ferret json-report: {e}"))?;
            json_report(report).with_context(|| format!("{name} is not a ferret json-report"))
        }
        Ok(Value::Object(map)) if map.contains_key("runs") && map.contains_key("version") => {
            read_sarif(name, &Value::Object(map))
        }
        Ok(Value::Object(map)) if map.contains_key("ferret_baseline") => {
            bail!("{name} is a baseline file, which records no findings' origins: {EXPECTED}")
        }
        // One object over several lines that is not a report (a JSONL line is one line).
        Ok(_) if text.trim().lines().nth(1).is_some() => {
            bail!("{name} is not a ferret report: {EXPECTED}")
        }
        _ => read_lines(name, text),
    }
}

fn json_report(report: JsonReportRecord) -> Result<ReadReport> {
    Ok(ReadReport {
        findings: report
            .findings
            .into_iter()
            .map(into_finding)
            .collect::<Result<_>>()?,
        skips: report.not_scanned.into_iter().map(into_skip).collect(),
        errors: report
            .errors
            .into_iter()
            .map(|e| ScanError {
                subject: e.subject,
                message: e.message,
            })
            .collect(),
        blobs: report.summary.blobs,
        bytes: report.summary.bytes,
    })
}

/// JSONL: a finding per line, then `{"type":"skipped",...}` lines. A line that does not parse
/// (a shard cut off mid-write) is an error naming the line, never skipped: a merged report that
/// silently lost findings would look clean.
fn read_lines(name: &str, text: &str) -> Result<ReadReport> {
    let mut report = ReadReport::default();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fail = |why: String| -> anyhow::Error {
            if report.findings.is_empty() && report.skips.is_empty() {
                anyhow::anyhow!("{name} is not a ferret report ({EXPECTED}): line {number}: {why}")
            } else {
                anyhow::anyhow!("{name}:{number}: corrupt or truncated line: {why}")
            }
        };
        let value: Value = serde_json::from_str(line).map_err(|e| fail(e.to_string()))?;
        match value.get("type").and_then(Value::as_str) {
            None => {
                let record: FindingRecord =
                    serde_json::from_value(value).map_err(|e| fail(e.to_string()))?;
                let finding = into_finding(record).map_err(|e| fail(e.to_string()))?;
                report.findings.push(finding);
            }
            Some("skipped") => {
                let record: SkipRecord =
                    serde_json::from_value(value).map_err(|e| fail(e.to_string()))?;
                report.skips.push(into_skip(record));
            }
            Some(other) => return Err(fail(format!("unknown record type {other:?}"))),
        }
    }
    Ok(report)
}

/// A SARIF log: its results as finding records, each checked as a JSON report's finding is.
fn read_sarif(name: &str, log: &Value) -> Result<ReadReport> {
    let mut report = ReadReport::default();
    for (place, value) in super::read_sarif::finding_records(name, log)? {
        let finding = serde_json::from_value::<FindingRecord>(value)
            .map_err(anyhow::Error::from)
            .and_then(into_finding)
            .with_context(|| format!("{name}: {place} is not a ferret finding"))?;
        report.findings.push(finding);
    }
    Ok(report)
}

fn into_skip(record: SkipRecord) -> Skip {
    Skip::new(record.path, record.reason, record.detail).with_size(record.size)
}

fn into_finding(record: FindingRecord) -> Result<Finding> {
    // ferret writes only current fingerprints; anything else is not its report (and would reach
    // every output format, a terminal's among them, as it is).
    if !crate::fingerprint::is_current(&record.fingerprint) {
        bail!("{:?} is not a ferret fingerprint", record.fingerprint);
    }
    let mut origin = record.origin;
    if let (Origin::File { root, .. }, Some(recorded)) = (&mut origin, &record.root) {
        *root = Arc::from(recorded.as_str());
    }
    let verification = match record.verification {
        None => None,
        Some(v) => Some(Verification {
            status: match v.status.as_str() {
                "verified" => VerificationStatus::Verified,
                "invalid" => VerificationStatus::Invalid,
                "unknown" => VerificationStatus::Unknown,
                other => bail!("unknown verification status {other:?}"),
            },
            detail: v.detail,
            http_status: None,
            access: v.access,
        }),
    };
    Ok(Finding {
        rule_id: Arc::from(record.rule_id),
        rule_name: Arc::from(record.rule_name),
        provider: record.provider.map(Arc::from),
        severity: record.severity,
        secret: record.secret,
        secret_redacted: record.redacted,
        fingerprint: record.fingerprint,
        // Only baseline matching reads it, and merging filters nothing.
        legacy_fingerprint: String::new(),
        line: record.line,
        column: record.column,
        end_line: record.end_line,
        entropy: record.entropy,
        checksum_valid: record.checksum.map(|c| c == "valid"),
        // The JSON report prints a `decoded` capture as the finding's encoding, as it was written.
        captures: record
            .decoded
            .map(|how| (Arc::from("decoded"), how))
            .into_iter()
            .collect(),
        rotate: record.rotate.map(Arc::from),
        origin: Arc::new(origin),
        verification,
        confidence: record.confidence,
        confidence_reasons: record
            .confidence_reasons
            .into_iter()
            .map(Cow::Owned)
            .collect(),
        decoded: None,
        context: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINDING: &str = r#"{"rule_id":"github-pat-classic","rule_name":"GitHub token","severity":"high","path":"a/.env","line":2,"column":5,"end_line":2,"secret":"ghp_abcd*****","redacted":true,"fingerprint":"fp2_0123456789abcdef0123456789abcdef","entropy":4.5,"confidence":"high","confidence_reasons":[],"origin":{"kind":"file","path":"a/.env"},"root":"/repo/"}"#;

    #[test]
    fn jsonl_array_and_report_are_told_apart_by_content() {
        let lines = format!(
            "{FINDING}\n{{\"type\":\"skipped\",\"path\":\"big\",\"reason\":\"too_large\",\"detail\":\"x\",\"size\":9}}\n"
        );
        let report = read_report("shard.jsonl", &lines).unwrap();
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.skips[0].reason, SkipReason::TooLarge);
        let f = &report.findings[0];
        assert_eq!(f.origin.root(), Some("/repo/"));
        // Shown as the report printed it, not redacted again into `*****`.
        assert_eq!(f.display_secret(false), "ghp_abcd*****");

        let array = read_report("out.json", &format!("[\n{FINDING}\n]")).unwrap();
        assert_eq!(array.findings.len(), 1);

        let object = format!(
            "{{\n\"findings\": [{FINDING}],\n\"not_scanned\": [],\n\"errors\": [{{\"subject\":\"x\",\"message\":\"y\"}}],\n\"summary\": {{\"blobs\": 3, \"bytes\": 10}}\n}}"
        );
        let report = read_report("report.json", &object).unwrap();
        assert_eq!((report.findings.len(), report.errors.len()), (1, 1));
        assert_eq!(report.blobs, 3);
        assert!(
            read_report("empty.jsonl", "\n")
                .unwrap()
                .findings
                .is_empty()
        );
    }

    #[test]
    fn what_is_not_a_report_is_refused_by_name_and_line() {
        let err = read_report("notes.txt", "hello").unwrap_err().to_string();
        assert!(err.contains("notes.txt is not a ferret report"), "{err}");
        let err = read_report("package.json", "{\n \"name\": \"x\"\n}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("package.json is not a ferret report"), "{err}");
        let cut = &FINDING[..FINDING.len() - 20];
        let err = read_report("shard.jsonl", &format!("{FINDING}\n{cut}\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("shard.jsonl:2: corrupt or truncated line"),
            "{err}"
        );
        let err = read_report("one.jsonl", "{\"a\":1}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("one.jsonl is not a ferret report"), "{err}");
        assert!(err.contains("line 1"), "{err}");
    }
}
