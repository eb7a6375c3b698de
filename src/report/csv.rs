//! `--format csv`: one row per finding with a header row.

use std::io::Write;

use anyhow::Result;

use super::ReportOptions;
use crate::pipeline::Finding;

const HEADER: [&str; 14] = [
    "rule_id",
    "rule_name",
    "severity",
    "path",
    "line",
    "column",
    "secret",
    "fingerprint",
    "entropy",
    "origin",
    "verification",
    "rotate",
    "root",
    "confidence",
];

/// Writes findings as CSV.
pub fn write_csv(out: &mut dyn Write, findings: &[Finding], opts: &ReportOptions) -> Result<()> {
    let mut writer = ::csv::Writer::from_writer(out);
    writer.write_record(HEADER)?;
    for f in findings {
        let origin = serde_json::to_string(&*f.origin)?;
        let verification = f
            .verification
            .as_ref()
            .map(|v| v.status.as_str())
            .unwrap_or("");
        writer.write_record([
            &*f.rule_id,
            &*f.rule_name,
            f.severity.as_str(),
            f.path(),
            &f.line.to_string(),
            &f.column.to_string(),
            &f.display_secret(opts.show_secrets),
            &f.fingerprint,
            &format!("{:.3}", f.entropy),
            &origin,
            verification,
            f.rotate.as_deref().unwrap_or(""),
            &f.origin
                .root()
                .map(super::roots::absolute_root)
                .unwrap_or_default(),
            f.confidence.as_str(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
