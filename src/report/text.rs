//! `--format text`: findings grouped by file, for people at a terminal. Everything that comes
//! from the input (paths, origins, rule text of a repository's config, provider answers) goes
//! through [`escape_control`], so it cannot move the cursor, colour the screen or forge a line.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use anyhow::Result;

use super::{ReportOptions, Summary};
use crate::detect::Severity;
use crate::escape::escape_control as esc;
use crate::pipeline::Finding;

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

/// Places listed under a repeated secret before the rest are only counted.
const PLACES_LISTED: usize = 10;

/// Writes findings grouped by path (each secret once, with the other places it is in), the
/// errors, what was not scanned fully, and a closing summary by severity and provider.
pub fn write_text(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    opts: &ReportOptions,
) -> Result<()> {
    let p = Palette::new(opts.color);
    let roots = super::roots::Roots::of(findings);
    let several_roots = roots.len() > 1;
    // One root: paths are relative to it and it is said once. Several: each path says its root.
    if !several_roots && let Some((_, abs)) = roots.iter().next() {
        writeln!(out, "{}root: {abs}{}\n", p.dim, p.reset)?;
    }
    let shown_path = |f: &Finding| {
        if several_roots {
            f.origin.full_path()
        } else {
            f.path().to_string()
        }
    };
    // One secret found in several places is printed once, at its first place, with the others
    // listed under it: a key copied into twenty files is one thing to rotate, not twenty.
    let mut repeats: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        repeats.entry(f.fingerprint.as_str()).or_default().push(i);
    }
    let mut current_path: Option<String> = None;
    for (i, f) in findings.iter().enumerate() {
        let places = &repeats[f.fingerprint.as_str()];
        if places[0] != i {
            continue;
        }
        let shown = shown_path(f);
        if current_path.as_deref() != Some(shown.as_str()) {
            if current_path.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}{}{}", p.bold, esc(&shown), p.reset)?;
            current_path = Some(shown);
        }
        write_finding(out, f, opts, &p)?;
        if places.len() > 1 {
            write_other_places(out, findings, &places[1..], &shown_path, &p)?;
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
    write_totals(out, findings, summary, &p)?;
    Ok(())
}

/// One finding: its place and rule, the line with a caret under the secret, then the details.
fn write_finding(
    out: &mut dyn Write,
    f: &Finding,
    opts: &ReportOptions,
    p: &Palette,
) -> Result<()> {
    let sev_color = severity_color(f.severity, p);
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
    if let Some(context) = &f.context {
        let r = context.render(opts.show_secrets);
        let gutter = f.line.to_string();
        writeln!(out, "    {}{gutter} |{} {}", p.dim, p.reset, r.line)?;
        writeln!(
            out,
            "    {}{} |{} {}{}{}{}",
            p.dim,
            " ".repeat(gutter.len()),
            p.reset,
            " ".repeat(r.caret_at),
            sev_color,
            "^".repeat(r.caret_width),
            p.reset
        )?;
    }
    if !f.confidence_reasons.is_empty() {
        writeln!(
            out,
            "    {}confidence lowered by: {}{}",
            p.dim,
            esc(&f.confidence_reasons.join(", ")),
            p.reset
        )?;
    }
    write!(
        out,
        "    secret: {}  {}fingerprint: {}{}",
        esc(&f.display_secret(opts.show_secrets)),
        p.dim,
        esc(&f.fingerprint),
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
        if !v.access.is_empty() {
            let reach: Vec<String> = v
                .access
                .iter()
                .map(|(name, value)| format!("{}={}", esc(name), esc(value)))
                .collect();
            writeln!(out, "    access: {}", reach.join("; "))?;
        }
    }
    if let Some(rotate) = &f.rotate {
        writeln!(out, "    rotate: {}", esc(rotate))?;
    }
    Ok(())
}

/// "also in N more places", then the first [`PLACES_LISTED`] of them.
fn write_other_places(
    out: &mut dyn Write,
    findings: &[Finding],
    others: &[usize],
    shown_path: &dyn Fn(&Finding) -> String,
    p: &Palette,
) -> Result<()> {
    let n = others.len();
    writeln!(
        out,
        "    {}also in {}:{}",
        p.yellow,
        counted(n, "more place"),
        p.reset
    )?;
    for &j in others.iter().take(PLACES_LISTED) {
        let o = &findings[j];
        writeln!(
            out,
            "      {}:{}:{}{}",
            esc(&shown_path(o)),
            o.line,
            o.column,
            esc(&o.origin.text_suffix())
        )?;
    }
    if n > PLACES_LISTED {
        writeln!(
            out,
            "      {}... and {} more (every place is in --format json){}",
            p.dim,
            n - PLACES_LISTED,
            p.reset
        )?;
    }
    Ok(())
}

/// `n` and `what`, plural unless one: "1 more place", "3 more places".
fn counted(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The closing lines: how many findings and secrets (the summary's counts), by severity and by
/// provider.
fn write_totals(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    p: &Palette,
) -> Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let mut by_severity: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    let mut by_provider: HashMap<&str, usize> = HashMap::new();
    for f in findings {
        *by_severity
            .entry(std::cmp::Reverse(f.severity))
            .or_default() += 1;
        *by_provider
            .entry(f.provider.as_deref().unwrap_or("Generic"))
            .or_default() += 1;
    }
    let severities: Vec<String> = by_severity
        .iter()
        .map(|(sev, n)| {
            format!(
                "{}{n} {}{}",
                severity_color(sev.0, p),
                sev.0.as_str(),
                p.reset
            )
        })
        .collect();
    let mut providers: Vec<(&str, usize)> = by_provider.into_iter().collect();
    providers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let providers: Vec<String> = providers
        .iter()
        .map(|(name, n)| format!("{} {n}", esc(name)))
        .collect();
    writeln!(
        out,
        "\n{}{} of {}{}: {}",
        p.bold,
        counted(summary.findings, "finding"),
        counted(summary.distinct_secrets, "distinct secret"),
        p.reset,
        severities.join(", ")
    )?;
    writeln!(out, "by provider: {}", providers.join(", "))?;
    Ok(())
}

fn severity_color(severity: Severity, p: &Palette) -> &str {
    match severity {
        Severity::Critical | Severity::High => &p.red,
        Severity::Medium => &p.yellow,
        Severity::Low => &p.dim,
    }
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
