//! `--format text`: findings grouped by file, for people at a terminal.

use std::io::Write;

use anyhow::Result;

use super::{ReportOptions, Summary};
use crate::detect::Severity;
use crate::finding::Finding;

struct Palette {
    bold: &'static str,
    dim: &'static str,
    red: &'static str,
    yellow: &'static str,
    cyan: &'static str,
    reset: &'static str,
}

const COLOR: Palette = Palette {
    bold: "\x1b[1m",
    dim: "\x1b[2m",
    red: "\x1b[31m",
    yellow: "\x1b[33m",
    cyan: "\x1b[36m",
    reset: "\x1b[0m",
};
const PLAIN: Palette = Palette {
    bold: "",
    dim: "",
    red: "",
    yellow: "",
    cyan: "",
    reset: "",
};

/// Writes findings grouped by path, then the errors.
pub fn write_text(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    opts: &ReportOptions,
) -> Result<()> {
    let p = if opts.color { &COLOR } else { &PLAIN };
    let mut current_path: Option<&str> = None;
    for f in findings {
        if current_path != Some(f.path()) {
            if current_path.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}{}{}", p.bold, f.path(), p.reset)?;
            current_path = Some(f.path());
        }
        let sev_color = match f.severity {
            Severity::Critical | Severity::High => p.red,
            Severity::Medium => p.yellow,
            Severity::Low => p.dim,
        };
        writeln!(
            out,
            "  {}:{}{}  {}{}{} [{}{}{}, {} confidence]  {}",
            f.line,
            f.column,
            f.origin.text_suffix(),
            p.cyan,
            f.rule_id,
            p.reset,
            sev_color,
            f.severity.as_str(),
            p.reset,
            f.confidence.as_str(),
            f.rule_name
        )?;
        if !f.confidence_reasons.is_empty() {
            writeln!(
                out,
                "    {}confidence lowered by: {}{}",
                p.dim,
                f.confidence_reasons.join(", "),
                p.reset
            )?;
        }
        write!(
            out,
            "    secret: {}  {}fingerprint: {}{}",
            f.display_secret(opts.show_secrets),
            p.dim,
            f.fingerprint,
            p.reset
        )?;
        if f.checksum_valid == Some(false) {
            write!(
                out,
                "  {}(checksum invalid: low confidence){}",
                p.dim, p.reset
            )?;
        }
        writeln!(out)?;
        if let Some(v) = &f.verification {
            let detail = if v.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", v.detail)
            };
            writeln!(out, "    verification: {}{detail}", v.status.as_str())?;
        }
        if let Some(rotate) = &f.rotate {
            writeln!(out, "    rotate: {rotate}")?;
        }
    }
    if !summary.errors.is_empty() {
        if !findings.is_empty() {
            writeln!(out)?;
        }
        writeln!(out, "{}could not be scanned:{}", p.red, p.reset)?;
        for e in &summary.errors {
            writeln!(out, "  {}: {}", e.subject, e.message)?;
        }
    }
    if !summary.stale_baseline.is_empty() {
        writeln!(
            out,
            "\nstale baseline entries (no longer found; remove them from the baseline):"
        )?;
        for fp in &summary.stale_baseline {
            writeln!(out, "  {fp}")?;
        }
    }
    Ok(())
}
