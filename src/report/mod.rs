//! Reports: one module per output format. Findings arrive sorted and deduplicated, except for
//! `jsonl`, which is streamed as findings are made.

pub mod baseline;
pub mod csv;
pub mod github;
pub mod html;
pub mod inventory;
pub mod json;
pub mod junit;
pub mod merge;
pub mod read;
pub mod read_sarif;
pub mod roots;
pub mod sarif;
pub mod text;

use std::io::Write;
use std::time::Duration;

use anyhow::Result;

use crate::detect::Rule;
use crate::pipeline::Finding;
use crate::pipeline::{ScanError, Skip, SkipReason};

/// Output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable, grouped by file, coloured on a terminal.
    Text,
    /// One JSON array of findings.
    Json,
    /// One JSON object: `findings` (as `json`), `not_scanned` (every file, member or layer not
    /// scanned fully, with the reason), `errors` and `summary`.
    JsonReport,
    /// One JSON object per line, streamed as findings are made (git history findings once the
    /// history is read, when a secret's versions are known).
    Jsonl,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// Comma-separated values with a header row.
    Csv,
    /// GitHub Actions workflow commands, shown as annotations on the run and the pull request.
    Github,
    /// JUnit XML for CI test tabs: a test suite per file, a failed test case per finding.
    Junit,
    /// A baseline file for `--baseline`: the findings' fingerprints with where they were.
    Baseline,
    /// The secret-sprawl inventory as JSON: one entry per distinct secret (by fingerprint) with
    /// every place it was seen, first and last commit dates, whether it is still present, the
    /// strongest verification result and the rotation link.
    InventoryJson,
    /// One self-contained HTML page: counts, the inventory with a filter box and sortable
    /// columns, and every finding with its next step. Loads nothing from the network.
    Html,
}

/// Options every format honours.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Print secrets in full instead of redacted.
    pub show_secrets: bool,
    /// Use ANSI colours (text format only).
    pub color: bool,
}

/// What the scan covered, printed as the closing summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Blobs (files, git blobs, layer entries) scanned.
    pub blobs: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Findings reported.
    pub findings: usize,
    /// Distinct secrets among them.
    pub distinct_secrets: usize,
    /// Skipped as binary.
    pub skipped_binary: u64,
    /// Skipped for size.
    pub skipped_too_large: u64,
    /// Symlinks not followed.
    pub skipped_symlinks: u64,
    /// Skipped by a path allowlist.
    pub skipped_allowlisted: u64,
    /// Findings suppressed by allowlists, inline comments, ignore file or baseline.
    pub suppressed: u64,
    /// Things that could not be read.
    pub errors: Vec<ScanError>,
    /// Things not scanned fully, by name, sorted.
    pub skips: Vec<Skip>,
    /// Baseline entries no longer found.
    pub stale_baseline: Vec<String>,
    /// The configuration files used, each with how far it was trusted.
    pub configs: Vec<String>,
    /// Parts of a configuration that were ignored, one message each.
    pub config_warnings: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
    /// The reports combined into this one by `ferret report merge`; empty for a scan.
    pub inputs: Vec<String>,
}

impl Summary {
    /// How many things were not scanned fully because of a limit or a problem (what `--strict`
    /// fails on): the listed skips, plus files over the size limit that a source only counted.
    pub fn not_scanned_fully(&self) -> u64 {
        let listed_too_large = self
            .skips
            .iter()
            .filter(|s| s.reason == SkipReason::TooLarge)
            .count() as u64;
        self.skips.len() as u64 + self.skipped_too_large.saturating_sub(listed_too_large)
    }

    /// The one-line summary printed on stderr at the end of a scan.
    pub fn line(&self) -> String {
        let mut skipped = Vec::new();
        let listed =
            |reason: SkipReason| self.skips.iter().filter(|s| s.reason == reason).count() as u64;
        for (n, what) in [
            (self.skipped_binary, "binary"),
            (self.skipped_too_large, "too large"),
            (
                listed(SkipReason::ArchiveDepth),
                "past the archive depth limit",
            ),
            (
                listed(SkipReason::DecompressionLimit),
                "decompression bombs",
            ),
            (listed(SkipReason::Unsupported), "unsupported or corrupt"),
            (listed(SkipReason::SpecialFile), "special files"),
            (
                listed(SkipReason::PartialClone),
                "partial clones with blobs not available locally",
            ),
            (self.skipped_symlinks, "symlinks"),
            (self.skipped_allowlisted, "allowlisted paths"),
        ] {
            if n > 0 {
                skipped.push(format!("{n} {what}"));
            }
        }
        let skipped = if skipped.is_empty() {
            String::new()
        } else {
            format!("; skipped {}", skipped.join(", "))
        };
        let suppressed = if self.suppressed > 0 {
            format!("; {} suppressed", self.suppressed)
        } else {
            String::new()
        };
        let errors = if self.errors.is_empty() {
            String::new()
        } else {
            format!("; {} could not be read", self.errors.len())
        };
        format!(
            "ferret: scanned {} blobs ({}) in {:.2}s: {} findings ({} distinct secrets){skipped}{suppressed}{errors}",
            self.blobs,
            human_bytes(self.bytes),
            self.elapsed.as_secs_f64(),
            self.findings,
            self.distinct_secrets,
        )
    }
}

/// `1234567` -> `1.2 MB`: SI units, the convention `parse_size` reads.
pub fn human_bytes(n: u64) -> String {
    bytesize::ByteSize(n).display().si().to_string()
}

/// Writes the whole report of `findings` (sorted, deduplicated) in `format`.
pub fn write_report(
    out: &mut dyn Write,
    format: Format,
    findings: &[Finding],
    rules: &[Rule],
    summary: &Summary,
    opts: &ReportOptions,
) -> Result<()> {
    match format {
        Format::Text => text::write_text(out, findings, summary, opts)?,
        Format::Json => json::write_json(out, findings, opts)?,
        Format::JsonReport => json::write_json_report(out, findings, summary, opts)?,
        Format::Jsonl => {
            for f in findings {
                json::write_jsonl_line(out, f, opts)?;
            }
            json::write_jsonl_skips(out, &summary.skips)?;
        }
        Format::Sarif => sarif::write_sarif(out, findings, rules, summary, opts)?,
        Format::Csv => csv::write_csv(out, findings, opts)?,
        Format::Github => github::write_github(out, findings, summary, opts)?,
        Format::Junit => junit::write_junit(out, findings, summary, opts)?,
        Format::Baseline => baseline::write_baseline(out, findings)?,
        Format::InventoryJson => inventory::write_inventory_json(out, findings, opts)?,
        Format::Html => html::write_html(out, findings, summary, opts)?,
    }
    out.flush()?;
    Ok(())
}
