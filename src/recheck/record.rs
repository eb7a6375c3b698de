//! The recheck's record: a text list for people, a JSON document for an auditor's file and a
//! SARIF log for code-scanning dashboards. Each names every finding by rule, fingerprint and
//! place, and none ever holds a secret, not even the redacted form the report printed.

use std::io::Write;

use anyhow::Result;
use serde_json::{Value, json};

use super::outcome::{Counts, Rechecked, State};
use crate::escape::escape_control;
use crate::pipeline::{Finding, Origin};

/// What the record says about the run as a whole.
pub struct RecordHeader<'a> {
    /// The report rechecked, as named on the command line.
    pub report: &'a str,
    /// SHA-256 of the report's bytes, hex: ties the record to the exact file rechecked.
    pub report_sha256: &'a str,
    /// When the recheck ran, RFC 3339 (UTC).
    pub checked_at: &'a str,
}

/// One line per finding (state, rule, place, reason), then the summary line. Every value from
/// the report is escaped: a tampered report cannot drive the terminal.
pub fn write_text(
    out: &mut dyn Write,
    header: &RecordHeader,
    rechecked: &[Rechecked],
) -> Result<()> {
    writeln!(
        out,
        "ferret recheck of {} at {}",
        escape_control(header.report),
        header.checked_at
    )?;
    for r in rechecked {
        let f = &r.listed;
        let place = place_text(f);
        writeln!(
            out,
            "{:<10}  {}  {}  {}",
            r.state.as_str(),
            escape_control(&f.rule_id),
            escape_control(&place),
            escape_control(&r.reason)
        )?;
    }
    writeln!(out, "{}", Counts::of(rechecked).line())?;
    Ok(())
}

/// `PATH:LINE` and the origin's suffix; a commit's path is prefixed by its repository, which a
/// recheck may have read from anywhere.
fn place_text(f: &Finding) -> String {
    let path = match &*f.origin {
        Origin::Git { repository, .. } => {
            format!("{repository} {}", f.origin.full_path())
        }
        _ => f.origin.full_path(),
    };
    format!("{path}:{}{}", f.line, f.origin.text_suffix())
}

/// One JSON object: when, which ferret, which report, the counts, and each finding's rule,
/// provider, fingerprint, origin, state, reason and the provider's HTTP answer status.
pub fn write_json(
    out: &mut dyn Write,
    header: &RecordHeader,
    rechecked: &[Rechecked],
) -> Result<()> {
    let findings: Vec<Value> = rechecked.iter().map(finding_json).collect();
    let record = json!({
        "ferret_recheck": 1,
        "checked_at": header.checked_at,
        "ferret_version": env!("CARGO_PKG_VERSION"),
        "report": header.report,
        "report_sha256": header.report_sha256,
        "summary": Counts::of(rechecked),
        "findings": findings,
    });
    serde_json::to_writer_pretty(&mut *out, &record)?;
    writeln!(out)?;
    Ok(())
}

fn finding_json(r: &Rechecked) -> Value {
    let f = &r.listed;
    let mut value = json!({
        "rule_id": &*f.rule_id,
        "rule_name": &*f.rule_name,
        "provider": f.provider.as_deref(),
        "fingerprint": f.fingerprint,
        "origin": &*f.origin,
        "line": f.line,
        "outcome": r.state,
        "reason": r.reason,
        "http_status": r.http_status,
    });
    if let Some(root) = f.origin.root() {
        value["root"] = json!(root);
    }
    value
}

/// A SARIF 2.1.0 log: one result per finding, an error while it is still live, a warning when
/// nothing is known, a note once revoked or gone; the outcome, reason and HTTP status are in its
/// properties, and the run's properties say when and of which report.
pub fn write_sarif(
    out: &mut dyn Write,
    header: &RecordHeader,
    rechecked: &[Rechecked],
) -> Result<()> {
    let results: Vec<Value> = rechecked.iter().map(sarif_result).collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ferret",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/ferret-scanner/ferret",
            }},
            "automationDetails": {"id": "ferret-recheck/0"},
            "invocations": [{
                "executionSuccessful": true,
                "properties": {
                    "checkedAt": header.checked_at,
                    "report": header.report,
                    "reportSha256": header.report_sha256,
                },
            }],
            "results": results,
            "properties": {"summary": Counts::of(rechecked)},
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)?;
    Ok(())
}

fn sarif_result(r: &Rechecked) -> Value {
    let f = &r.listed;
    let level = match r.state {
        State::StillLive => "error",
        State::Unknown => "warning",
        State::Revoked | State::Gone => "note",
    };
    let mut properties = serde_json::Map::new();
    properties.insert("outcome".into(), json!(r.state));
    properties.insert("reason".into(), json!(r.reason));
    properties.insert("httpStatus".into(), json!(r.http_status));
    properties.insert("fingerprint".into(), json!(f.fingerprint));
    properties.insert("origin".into(), json!(&*f.origin));
    if let Some(root) = f.origin.root() {
        properties.insert("root".into(), json!(root));
    }
    let uri = crate::report::sarif::artifact_uri(&f.origin.full_path());
    json!({
        "ruleId": &*f.rule_id,
        "level": level,
        "message": {"text": format!("{}: {}: {}", f.rule_name, r.state.as_str(), r.reason)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": {"startLine": f.line.max(1)},
            },
        }],
        "partialFingerprints": {"ferret/v2": f.fingerprint},
        "properties": properties,
    })
}
