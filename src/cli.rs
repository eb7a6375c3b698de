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
    /// Scan a git repository's whole history (every unique blob once), a commit range, or the
    /// staged changes.
    Git(Box<GitArgs>),
}

/// `ferret scan git`.
#[derive(Debug, Args)]
pub struct GitArgs {
    /// Repository: a work tree, a bare repository, a .git directory, or a URL to clone
    /// (https://, ssh://, git://, file://, user@host:path) into a temporary directory.
    #[arg(default_value = ".", value_name = "PATH|URL")]
    pub target: String,
    /// Scan only history reachable from this ref or revision (repeatable; default: every branch,
    /// tag, remote-tracking ref and the stash).
    #[arg(long = "branch", value_name = "REF")]
    pub branches: Vec<String>,
    /// Report only blobs introduced by commits after REV (REV and its ancestors are left out).
    #[arg(long, value_name = "REV", conflicts_with_all = ["range", "staged"])]
    pub since: Option<String>,
    /// Report only blobs introduced by commits in BASE..HEAD: what a pull request adds, not what
    /// the base branch already had.
    #[arg(long, value_name = "BASE..HEAD", conflicts_with = "staged")]
    pub range: Option<String>,
    /// Scan only what is staged in the index and not in HEAD, reporting findings on added lines
    /// (for a pre-commit hook; history is not read).
    #[arg(long, conflicts_with = "branches")]
    pub staged: bool,
    #[command(flatten)]
    pub common: CommonArgs,
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
