//! `--format text`: findings grouped by file, for people at a terminal. Everything that comes
//! from the input (paths, origins, rule text of a repository's config, provider answers) goes
//! through [`escape_control`], so it cannot move the cursor, colour the screen or forge a line.

use std::io::Write;

use anyhow::Result;

use super::{ReportOptions, Summary};
use crate::detect::Severity;
use crate::escape::escape_control as esc;
use crate::finding::Finding;

/// The escape sequences the report uses, empty when colour is off.
struct Palette {
    bold: String,
    dim: String,
    red: String,
    yellow: String,
    cyan: String,
    reset: String,
}

impl Palette {
    fn new(color: bool) -> Self {
        use anstyle::{AnsiColor, Reset, Style};
        let render = |style: Style| {
            if color {
                style.render().to_string()
            } else {
                String::new()
            }
        };
        Palette {
            bold: render(Style::new().bold()),
            dim: render(Style::new().dimmed()),
            red: render(AnsiColor::Red.on_default()),
            yellow: render(AnsiColor::Yellow.on_default()),
            cyan: render(AnsiColor::Cyan.on_default()),
            reset: if color {
                Reset.render().to_string()
            } else {
                String::new()
            },
        }
    }
}

/// Writes findings grouped by path, then the errors.
pub fn write_text(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    opts: &ReportOptions,
) -> Result<()> {
    let p = Palette::new(opts.color);
    let roots = super::roots::Roots::of(findings);
    // One root: paths are relative to it and it is said once. Several: each path says its root.
    if roots.len() == 1
        && let Some((_, abs)) = roots.iter().next()
    {
        writeln!(out, "{}root: {abs}{}\n", p.dim, p.reset)?;
    }
    let mut current_path: Option<String> = None;
    for f in findings {
        let shown = if roots.len() > 1 {
            f.origin.full_path()
        } else {
            f.path().to_string()
        };
        if current_path.as_deref() != Some(shown.as_str()) {
            if current_path.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}{}{}", p.bold, esc(&shown), p.reset)?;
            current_path = Some(shown);
        }
        let sev_color = match f.severity {
            Severity::Critical | Severity::High => &p.red,
            Severity::Medium => &p.yellow,
            Severity::Low => &p.dim,
        };
        writeln!(
            out,
            "  {}:{}{}  {}{}{} [{}{}{}, {} confidence]  {}",
            f.line,
            f.column,
            esc(&f.origin.text_suffix()),
            p.cyan,
            esc(&f.rule_id),
            p.reset,
            sev_color,
            f.severity.as_str(),
            p.reset,
            f.confidence.as_str(),
            esc(&f.rule_name)
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
            esc(&f.display_secret(opts.show_secrets)),
            p.dim,
            f.fingerprint,
            p.reset
        )?;
        if let Some(decoded) = f.decoded {
            write!(out, "  {}(decoded from {decoded}){}", p.dim, p.reset)?;
        }
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
                format!(" ({})", esc(&v.detail))
            };
            writeln!(out, "    verification: {}{detail}", v.status.as_str())?;
        }
        if let Some(rotate) = &f.rotate {
            writeln!(out, "    rotate: {}", esc(rotate))?;
        }
    }
    if !summary.errors.is_empty() {
        if !findings.is_empty() {
            writeln!(out)?;
        }
        writeln!(out, "{}could not be scanned:{}", p.red, p.reset)?;
        for e in &summary.errors {
            writeln!(out, "  {}: {}", esc(&e.subject), esc(&e.message))?;
        }
    }
    write_not_scanned(
        out,
        findings.is_empty() && summary.errors.is_empty(),
        summary,
        &p,
    )?;
    if !summary.stale_baseline.is_empty() {
        writeln!(
            out,
            "\nstale baseline entries (no longer found; remove them from the baseline):"
        )?;
        for fp in &summary.stale_baseline {
            writeln!(out, "  {}", esc(fp))?;
        }
    }
    Ok(())
}

/// The "not scanned fully" section: every file, member or layer a limit or a problem stopped.
fn write_not_scanned(
    out: &mut dyn Write,
    first: bool,
    summary: &Summary,
    p: &Palette,
) -> Result<()> {
    if summary.skips.is_empty() {
        return Ok(());
    }
    if !first {
        writeln!(out)?;
    }
    writeln!(out, "{}not scanned fully:{}", p.yellow, p.reset)?;
    for skip in &summary.skips {
        let size = skip
            .size
            .map(|n| format!(" ({})", super::human_bytes(n)))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}{size}: {} [{}]",
            esc(&skip.subject),
            esc(&skip.detail),
            skip.reason.as_str()
        )?;
    }
    Ok(())
}
