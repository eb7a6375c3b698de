//! Command-line definitions. Every flag's doc comment is its `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::parse_size;
use crate::detect::Severity;
use crate::report::Format;

/// Find leaked credentials in directories, git history, container images and CI logs.
///
/// Exit status: 0 no findings, 1 findings (at or above --fail-on), 2 error (including anything that
/// could not be read; findings made before the error are still reported).
#[derive(Debug, Parser)]
#[command(
    name = "ferret",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
// Parsed once per process; boxing the scan arguments would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a directory, standard input, or other sources for secrets.
    #[command(subcommand)]
    Scan(ScanTarget),
    /// List the built-in rules or check a rule file.
    #[command(subcommand)]
    Rules(RulesCommand),
}

/// What `ferret scan` reads.
#[derive(Debug, Subcommand)]
pub enum ScanTarget {
    /// Scan files and directories (every file, gitignored ones too, except .git/).
    Dir(DirArgs),
    /// Scan standard input.
    Stdin(StdinArgs),
}

/// `ferret scan dir`.
#[derive(Debug, Args)]
pub struct DirArgs {
    /// Files or directories to scan.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Honour .gitignore, .ignore and git exclude files (by default ignored files are scanned too:
    /// a forgotten .env is exactly what an audit must find).
    #[arg(long)]
    pub gitignore: bool,
    /// Leave out paths matching this glob (gitignore syntax; repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Follow symbolic links (by default they are counted and skipped).
    #[arg(long)]
    pub follow_symlinks: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `ferret scan stdin`.
#[derive(Debug, Args)]
pub struct StdinArgs {
    /// Name standard input is given in reports.
    #[arg(long, default_value = "(stdin)", value_name = "NAME")]
    pub path_name: String,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// When `--fail-on` makes findings fail the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any finding.
    Low,
    /// Findings of medium severity or higher.
    Medium,
    /// Findings of high severity or higher.
    High,
    /// Only critical findings.
    Critical,
    /// Never: exit 0 even with findings (errors still exit 2).
    Never,
}

impl FailOn {
    /// Whether a finding of `severity` fails the scan.
    pub fn fails(self, severity: Severity) -> bool {
        let floor = match self {
            FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
            FailOn::Critical => Severity::Critical,
            FailOn::Never => return false,
        };
        severity >= floor
    }
}

/// Colour choice for text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Options shared by every scan.
#[derive(Debug, Args, Clone)]
pub struct CommonArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file (default: ferret.toml or .ferret.toml at the scan root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Add the rules of this file to the built-in ones (repeatable).
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
    /// Turn off a rule by id (repeatable).
    #[arg(long, value_name = "RULE_ID")]
    pub disable_rule: Vec<String>,
    /// Print secrets in full instead of redacted.
    #[arg(long, visible_alias = "no-redact")]
    pub show_secrets: bool,
    /// Report only findings whose fingerprint is not in this baseline (a ferret JSON report or a
    /// file written by `ferret baseline create`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// File of fingerprints to ignore (default: .ferretignore at the scan root).
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Lowest severity that makes the scan exit 1.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
    /// Skip files and blobs larger than this (e.g. 500K, 25MB, 1G); they are counted as skipped.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Scan content that looks binary (it is skipped and counted by default).
    #[arg(long)]
    pub scan_binary: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Do not print the summary line or progress on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Ask each secret's provider whether it works (read-only "who am I" requests, each distinct
    /// secret at most once, only to the provider's documented https host). Findings become
    /// verified, invalid or unknown; invalid ones no longer fail the scan.
    #[arg(long)]
    pub verify: bool,
    /// Report only findings the provider accepted (implies --verify).
    #[arg(long)]
    pub only_verified: bool,
    /// Verification requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub verify_concurrency: usize,
    /// Timeout of one verification request (e.g. 10s, 500ms).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = crate::verify::parse_duration)]
    pub verify_timeout: std::time::Duration,
    /// Remember verification answers in FILE (keyed by a hash; secrets are never stored) so
    /// repeated scans do not send secrets again.
    #[arg(long, value_name = "FILE")]
    pub verify_cache: Option<PathBuf>,
    /// Ask again when a cached answer is older than this (e.g. 24h, 7d).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = crate::verify::parse_duration)]
    pub verify_cache_max_age: std::time::Duration,
    /// For tests: send PROVIDER's checks to this base URL instead (plain http only to loopback).
    #[arg(long, value_name = "PROVIDER=URL", value_parser = crate::verify::parse_endpoint)]
    pub verify_endpoint: Vec<(String, String)>,
}

/// `ferret rules ...`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules (built-in plus --rules files).
    List {
        /// Also load the rules of this file (repeatable).
        #[arg(long = "rules", value_name = "FILE")]
        rule_files: Vec<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Validate rule files and run their examples; errors name the file and line.
    Check {
        /// Rule files to check.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}
