//! `--format json` (one array) and `--format jsonl` (one finding per line, streamed).

use std::io::Write;

use anyhow::Result;

use super::ReportOptions;
use crate::finding::Finding;

/// Writes all findings as one pretty-printed JSON array.
pub fn write_json(out: &mut dyn Write, findings: &[Finding], opts: &ReportOptions) -> Result<()> {
    let array: Vec<_> = findings
        .iter()
        .map(|f| f.to_json(opts.show_secrets))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &array)?;
    writeln!(out)?;
    Ok(())
}

/// Writes one finding as one line of JSON.
pub fn write_jsonl_line(
    out: &mut dyn Write,
    finding: &Finding,
    opts: &ReportOptions,
) -> Result<()> {
    serde_json::to_writer(&mut *out, &finding.to_json(opts.show_secrets))?;
    writeln!(out)?;
    Ok(())
}
