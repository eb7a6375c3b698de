//! `ferret report merge`: reads reports ferret wrote earlier (shards of one scan split across
//! machines, or scans of different targets), merges them and writes one report in any format.

use std::io::IsTerminal;

use anyhow::{Context, Result};

use super::Outcome;
use super::output::open_output;
use super::scan_run::build_detector;
use crate::cli::ReportMergeArgs;
use crate::config::Config;
use crate::detect::Rule;
use crate::pipeline::{Finding, VerificationStatus};
use crate::report::merge::merge_reports;
use crate::report::read::read_report;
use crate::report::{Format, ReportOptions, Summary, write_report};

/// Runs `ferret report merge`. An input that cannot be read or is not a report ends the command
/// before anything is written, naming the file.
pub fn merge(args: &ReportMergeArgs) -> Result<Outcome> {
    let mut reports = Vec::with_capacity(args.reports.len());
    for path in &args.reports {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("{name}: not a ferret report (not UTF-8 text)"))?;
        reports.push((name.clone(), read_report(&name, &text)?));
    }
    let (findings, summary) = merge_reports(reports);
    // SARIF describes every rule a result names; the merged findings' rules are the built-in
    // ones (a repository's own rules are described only by the reports' rule ids).
    let detector = if args.format == Format::Sarif {
        Some(build_detector(&Config::default(), &[], &[], false)?.0)
    } else {
        None
    };
    let rules: &[Rule] = detector.as_ref().map_or(&[], |d| d.rules());
    let opts = ReportOptions {
        // Read-back secrets are shown as their reports printed them (redacted, unless the scan
        // was run with --show-secrets); merge itself never reveals more.
        show_secrets: false,
        color: args.output.is_none()
            && args.format == Format::Text
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut out = open_output(args.output.as_deref())?;
    write_report(&mut out, args.format, &findings, rules, &summary, &opts)
        .context("cannot write the merged report")?;
    out.finish()?;
    Ok(merge_status(args, &summary, &findings))
}

/// Errors carried in from the inputs exit 2; findings at or above `--fail-on` exit 1, except
/// those verification proved invalid, as for a scan.
fn merge_status(args: &ReportMergeArgs, summary: &Summary, findings: &[Finding]) -> Outcome {
    if !summary.errors.is_empty() {
        Outcome::Error
    } else if findings.iter().any(|f| {
        args.fail_on.fails(f.severity)
            && f.verification
                .as_ref()
                .is_none_or(|v| v.status != VerificationStatus::Invalid)
    }) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}
