//! `--format json` (one array), `--format json-report` (one object with the findings, what was not
//! scanned fully and the summary) and `--format jsonl` (one finding per line, streamed, then one
//! `{"type":"skipped",...}` line per thing not scanned fully).

use std::io::Write;

use anyhow::Result;
use serde_json::{Value, json};

use super::{ReportOptions, Summary};
use crate::pipeline::{Finding, Skip};

/// The JSON object of finding `f` that the json, jsonl and baseline formats write.
pub fn finding_json(f: &Finding, show_secret: bool) -> Value {
    let mut obj = json!({
        "rule_id": &*f.rule_id,
        "rule_name": &*f.rule_name,
        "severity": f.severity.as_str(),
        "path": f.path(),
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "secret": f.display_secret(show_secret),
        "redacted": !show_secret || f.secret_redacted,
        "fingerprint": &f.fingerprint,
        "entropy": (f.entropy * 1000.0).round() / 1000.0,
        "confidence": f.confidence.as_str(),
        "confidence_reasons": &f.confidence_reasons,
        "origin": &*f.origin,
    });
    let map = obj
        .as_object_mut()
        .expect("json! of an object literal is an object");
    if let Some(provider) = &f.provider {
        map.insert("provider".into(), json!(&**provider));
    }
    if let Some(valid) = f.checksum_valid {
        map.insert(
            "checksum".into(),
            json!(if valid { "valid" } else { "invalid" }),
        );
    }
    // Decoded by the detector (base64, JSON escapes) or by a credential file's reader (its
    // base64 field, carried as a `decoded` capture).
    let decoded = f.decoded.map(str::to_string).or_else(|| {
        f.captures
            .iter()
            .find(|(name, _)| &**name == "decoded")
            .map(|(_, how)| how.clone())
    });
    if let Some(decoded) = decoded {
        map.insert("decoded".into(), json!(decoded));
    }
    if let Some(rotate) = &f.rotate {
        map.insert("rotate".into(), json!(&**rotate));
    }
    if let Some(root) = f.origin.root() {
        // `path` is relative to this directory; recorded absolute so reports of one tree agree
        // however its root was spelt.
        map.insert("root".into(), json!(super::roots::absolute_root(root)));
    }
    if let Some(v) = &f.verification {
        let mut verification = json!({"status": v.status.as_str(), "detail": v.detail});
        if !v.access.is_empty() {
            verification["access"] = json!(v.access);
        }
        map.insert("verification".into(), verification);
    }
    obj
}

/// Writes all findings as one pretty-printed JSON array.
pub fn write_json(out: &mut dyn Write, findings: &[Finding], opts: &ReportOptions) -> Result<()> {
    let array: Vec<_> = findings
        .iter()
        .map(|f| finding_json(f, opts.show_secrets))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &array)?;
    writeln!(out)?;
    Ok(())
}

/// Writes one pretty-printed JSON object: `findings` (the array `--format json` writes),
/// `not_scanned`, `errors` and `summary`.
pub fn write_json_report(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    opts: &ReportOptions,
) -> Result<()> {
    let report = json!({
        "findings": findings.iter().map(|f| finding_json(f, opts.show_secrets)).collect::<Vec<_>>(),
        "not_scanned": summary.skips.iter().map(skip_json).collect::<Vec<_>>(),
        "errors": summary.errors.iter().map(|e| json!({
            "subject": e.subject,
            "message": e.message,
        })).collect::<Vec<_>>(),
        "summary": {
            "blobs": summary.blobs,
            "bytes": summary.bytes,
            "findings": summary.findings,
            "distinct_secrets": summary.distinct_secrets,
            "not_scanned_fully": summary.not_scanned_fully(),
            "skipped_binary": summary.skipped_binary,
            "skipped_too_large": summary.skipped_too_large,
            "skipped_symlinks": summary.skipped_symlinks,
            "skipped_allowlisted": summary.skipped_allowlisted,
            "suppressed": summary.suppressed,
        },
    });
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)?;
    Ok(())
}

/// Writes one finding as one line of JSON.
pub fn write_jsonl_line(
    out: &mut dyn Write,
    finding: &Finding,
    opts: &ReportOptions,
) -> Result<()> {
    serde_json::to_writer(&mut *out, &finding_json(finding, opts.show_secrets))?;
    writeln!(out)?;
    Ok(())
}

/// Writes one `{"type":"skipped",...}` line per thing not scanned fully (finding lines have no
/// `type`, as before, so readers of findings only need to skip these).
pub fn write_jsonl_skips(out: &mut dyn Write, skips: &[Skip]) -> Result<()> {
    for skip in skips {
        let mut line = skip_json(skip);
        if let Value::Object(map) = &mut line {
            map.shift_insert(0, "type".into(), "skipped".into());
        }
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)?;
    }
    Ok(())
}

/// A skip record as JSON: `path`, `reason` (a snake_case code), `detail` and `size` (or null).
pub fn skip_json(skip: &Skip) -> Value {
    json!({
        "path": skip.subject,
        "reason": skip.reason,
        "detail": skip.detail,
        "size": skip.size,
    })
}
