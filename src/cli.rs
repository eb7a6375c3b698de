//! Command-line definitions. Every flag's doc comment is its `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::parse_size;
use crate::detect::{Confidence, Severity};
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
    /// Record today's findings so later scans report only new ones (`--baseline`).
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Install ferret as a git hook.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Work with configuration files (translate a gitleaks configuration).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Work with reports ferret wrote earlier (merge shards into one inventory).
    #[command(subcommand)]
    Report(ReportCommand),
    /// Prove a rotation: look for every secret of an earlier report where the report says it was,
    /// and ask its provider whether it still works.
    ///
    /// Reads a report ferret wrote (`--format json`, `json-report`, `jsonl` or `sarif`). Reports
    /// hold no secrets, so each file, git blob (by commit and path, in the repository the report
    /// names: its local path, or its URL, cloned), image and local CI log is read again and each
    /// secret recovered by rule and fingerprint, with the same config (and fingerprint salt) a
    /// scan there would use. Each finding ends revoked, still live, gone (not there any more) or
    /// unknown, with the reason. Secrets go only to the hosts of ferret's own verifiers: a report
    /// says only what to read (a repository URL is cloned, an image pulled, as `ferret scan`
    /// would), never where a secret is sent. Exit status: 0 nothing still live, 1 something
    /// still live, 2 the report cannot be read.
    Recheck(RecheckArgs),
    /// Print a shell completion script (e.g. `source <(ferret completions bash)`).
    Completions(CompletionsArgs),
    /// Print ferret's manual page (roff), e.g. `ferret man | man -l -`.
    Man,
}

/// `ferret report ...`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Combine reports (`--format jsonl` shards, `json` arrays, `json-report` objects, `sarif`
    /// logs) into one:
    /// each secret at each place once, grouped by secret in `inventory-json` and `html`. Reports
    /// hold redacted secrets, so merging never needs a secret; findings group across reports
    /// only when the scans used the same fingerprint salt (the default).
    Merge(ReportMergeArgs),
}

/// `ferret report merge`.
#[derive(Debug, Args)]
pub struct ReportMergeArgs {
    /// Reports to merge.
    #[arg(required = true, value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the merged report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the merge exit 1.
    #[arg(long, value_enum, default_value_t = FailOn::Low)]
    pub fail_on: FailOn,
}

/// `ferret recheck`.
#[derive(Debug, Args)]
pub struct RecheckArgs {
    /// The report to recheck.
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,
    /// Output format: a list for people, a JSON record for an audit file, or SARIF.
    #[arg(long, short = 'f', value_enum, default_value_t = RecheckFormat::Text)]
    pub format: RecheckFormat,
    /// Write the record to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file (default: ferret.toml at each scanned root, as the scan found it). Use
    /// the one the scan used: fingerprints depend on its fingerprint_salt.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Add the rules of this file to the built-in ones, as the scan did (repeatable).
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
    /// Skip files and blobs larger than this (default: the config's, else 256MiB); their
    /// findings end unknown.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Verification requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub verify_concurrency: usize,
    /// Timeout of one verification request (e.g. 10s, 500ms).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = crate::verify::parse_duration)]
    pub verify_timeout: std::time::Duration,
    /// Reach this registry (`host[:port]`) over plain http to pull an image again (repeatable),
    /// as `scan image --insecure-registry`.
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    /// Do not print the summary line on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// For tests: send PROVIDER's checks to this base URL instead (plain http only to loopback).
    #[arg(long, value_name = "PROVIDER=URL", value_parser = crate::verify::parse_endpoint, hide = true)]
    pub verify_endpoint: Vec<(String, String)>,
}

/// How `ferret recheck` writes its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecheckFormat {
    /// One line per finding, then the counts.
    Text,
    /// One JSON object (see `schema/report.schema.json`, `$defs/recheck`).
    Json,
    /// SARIF 2.1.0: a result per finding, an error while it is still live.
    Sarif,
}

/// `ferret config ...`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Translate a gitleaks configuration (.gitleaks.toml) into ferret.toml: custom rules,
    /// their allowlists and global allowlists. What cannot be translated is listed on standard
    /// error and in the file's header, and makes the command exit 1.
    Import(ConfigImportArgs),
}

/// `ferret config import`.
#[derive(Debug, Args)]
pub struct ConfigImportArgs {
    /// The gitleaks configuration to translate.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Write ferret.toml here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `ferret completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `ferret baseline ...`.
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan PATH (its git history when it is a git work tree, unless --dir) and write the findings'
    /// fingerprints to FILE. Secrets themselves are never written.
    Create(BaselineCreateArgs),
    /// Rewrite a baseline or ignore file's old (v1) fingerprints as current ones. The secrets are
    /// needed for that, so PATH is scanned as `baseline create` scans it; entries whose secret is
    /// no longer found are left as they are.
    Upgrade(BaselineUpgradeArgs),
}

/// `ferret baseline upgrade`.
#[derive(Debug, Args)]
pub struct BaselineUpgradeArgs {
    /// The baseline (JSON) or ignore file (`.ferretignore`) to rewrite in place.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Directory or repository whose secrets the file's entries are for.
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,
    /// Scan the files of PATH rather than its git history.
    #[arg(long)]
    pub dir: bool,
    /// Configuration file (default: ferret.toml at PATH).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Add the rules of this file to the built-in ones (repeatable).
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
}

/// `ferret baseline create`.
#[derive(Debug, Args)]
pub struct BaselineCreateArgs {
    /// Directory or repository to record.
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,
    /// Where to write the baseline.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Scan the files of PATH rather than its git history.
    #[arg(long)]
    pub dir: bool,
    /// Configuration file (default: ferret.toml at PATH).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Add the rules of this file to the built-in ones (repeatable).
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
}

/// `ferret hook ...`.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write a git pre-commit hook that runs `ferret scan git --staged`.
    Install(HookInstallArgs),
}

/// `ferret hook install`.
#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// The repository (any directory inside its work tree).
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,
    /// Replace an existing pre-commit hook.
    #[arg(long)]
    pub force: bool,
}

/// What `ferret scan` reads.
#[derive(Debug, Subcommand)]
pub enum ScanTarget {
    /// Scan files and directories (every file, gitignored ones too, except .git/).
    Dir(DirArgs),
    /// Scan standard input.
    Stdin(StdinArgs),
    /// Scan container images: every layer (deleted files too) and the build metadata.
    Image(Box<ImageArgs>),
    /// Scan a git repository's whole history (every unique blob once), a commit range, or the
    /// staged changes.
    Git(Box<GitArgs>),
    /// Scan CI build logs: plain or .gz log files and GitHub Actions run-logs ZIPs.
    CiLog(Box<CiLogArgs>),
    /// Scan the logs of a GitHub repository's workflow runs through the REST API.
    GithubActions(Box<GithubActionsArgs>),
    /// Scan the job traces of a GitLab project through the REST API.
    GitlabCi(Box<GitlabCiArgs>),
    /// Scan every target listed in a file (directories, repositories, images, CI logs) in one
    /// run, several at a time; `--shard K/N` takes a deterministic share.
    Targets(Box<TargetsArgs>),
    /// Scan the history of every repository of a GitHub organisation or user.
    GithubOrg(Box<GithubOrgArgs>),
    /// Scan the history of every project of a GitLab group and its subgroups.
    GitlabGroup(Box<GitlabGroupArgs>),
}

/// How a run over many targets is split and paced, the same for `scan targets` and the
/// organisation scans.
#[derive(Debug, Args)]
pub struct ManyTargetsArgs {
    /// Take only shard K of N of the targets (1 <= K <= N), chosen by a stable hash of each
    /// target, so N runs on N machines cover every target once and a retried shard takes the
    /// same ones. Write each shard's report as jsonl and combine them with `ferret report merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::targets::shard::Shard>,
    /// Scan this many targets at a time (each clone lives in its own temporary directory, so
    /// this also bounds the disk in use).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Print the targets this run (or shard) would scan, one per line, and scan nothing.
    #[arg(long)]
    pub list_targets: bool,
}

/// `ferret scan targets`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct TargetsArgs {
    /// The list of targets: `KIND LOCATION` per line (kinds: dir, git, image, ci-log,
    /// github-actions OWNER/REPO, gitlab-ci PROJECT; `#` comments), or a `.toml` file of
    /// `[[target]]` tables with `kind` and `location`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Reach this registry (`host[:port]`) over plain http, for image targets (repeatable).
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    /// API base URL for `github-actions` targets (token: $GITHUB_TOKEN or $GH_TOKEN).
    #[arg(
        long,
        value_name = "URL",
        env = "GITHUB_API_URL",
        default_value = "https://api.github.com"
    )]
    pub github_api_url: String,
    /// API base URL for `gitlab-ci` targets (token: $GITLAB_TOKEN).
    #[arg(
        long,
        value_name = "URL",
        env = "CI_API_V4_URL",
        default_value = "https://gitlab.com/api/v4"
    )]
    pub gitlab_api_url: String,
    /// Longest wait, in seconds, for an API rate limit to reset before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub max_wait: u64,
    #[command(flatten)]
    pub many: ManyTargetsArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Which repositories of an organisation or group to scan.
#[derive(Debug, Args)]
pub struct OrgSelectionArgs {
    /// Scan forks too.
    #[arg(long)]
    pub forks: bool,
    /// Scan archived repositories too.
    #[arg(long)]
    pub archived: bool,
    /// Only repositories whose full name (`org/repo`) matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave out repositories whose full name matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also scan each repository's CI logs (GitHub: the newest 50 workflow runs, which needs a
    /// token; GitLab: the newest 100 job traces), with the listing's API and token.
    #[arg(long)]
    pub ci_logs: bool,
}

/// `ferret scan github-org`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct GithubOrgArgs {
    /// The organisation (or user) whose repositories to scan.
    #[arg(value_name = "ORG")]
    pub org: String,
    #[command(flatten)]
    pub selection: OrgSelectionArgs,
    /// API base URL (GitHub Enterprise: https://HOST/api/v3). On GitHub Actions runners
    /// `GITHUB_API_URL` already names the right one.
    #[arg(
        long,
        value_name = "URL",
        env = "GITHUB_API_URL",
        default_value = "https://api.github.com"
    )]
    pub api_url: String,
    #[command(flatten)]
    pub api: ApiClientArgs,
    #[command(flatten)]
    pub many: ManyTargetsArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `ferret scan gitlab-group`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct GitlabGroupArgs {
    /// The group: numeric id or full path (`team` or `team/subgroup`); subgroups are included.
    #[arg(value_name = "GROUP")]
    pub group: String,
    #[command(flatten)]
    pub selection: OrgSelectionArgs,
    /// API base URL (self-managed GitLab: https://HOST/api/v4). In GitLab CI jobs
    /// `CI_API_V4_URL` already names the right one.
    #[arg(
        long,
        value_name = "URL",
        env = "CI_API_V4_URL",
        default_value = "https://gitlab.com/api/v4"
    )]
    pub api_url: String,
    #[command(flatten)]
    pub api: ApiClientArgs,
    #[command(flatten)]
    pub many: ManyTargetsArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `ferret scan image`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct ImageArgs {
    /// Images to scan: a `docker save` tar, an OCI layout directory, an `oci-archive` tar, or a
    /// registry reference (`host[:port]/name:tag` or `...@sha256:...`), pulled without a Docker
    /// engine.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Only scan this platform of multi-platform images (`os/arch[/variant]`; default: all).
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<crate::source::image::manifest::Platform>,
    /// User name for registries (the password is read from standard input with
    /// --registry-password-stdin). Without it, ~/.docker/config.json is consulted: its
    /// credHelpers entry for the registry, else its credsStore (`docker-credential-<name> get`),
    /// else its auths entry. A helper that fails leaves the pull anonymous, with a note.
    #[arg(long, value_name = "USER", requires = "registry_password_stdin")]
    pub registry_user: Option<String>,
    /// Read the registry password or token from standard input.
    #[arg(long, requires = "registry_user")]
    pub registry_password_stdin: bool,
    /// Reach this registry (`host[:port]`) over plain http (repeatable). Credentials are sent to
    /// a registry's token service only over https or to a host listed here.
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,
    /// How many archives deep to open inside layers (.tar, .tar.gz, .tgz, .gz, .zip, .jar).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub max_archive_depth: usize,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `ferret scan ci-log`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct CiLogArgs {
    /// Log files (plain, .gz, run-logs .zip) or directories holding them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Repository or project the logs belong to (OWNER/REPO, GROUP/PROJECT): shown in reports and,
    /// with a run or job id in the file name (logs_123456789.zip), used to link to the run's page.
    #[arg(long, value_name = "NAME")]
    pub repo: Option<String>,
    /// Web address of the CI server for those links (default https://github.com or
    /// https://gitlab.com, by the log's format).
    #[arg(long, value_name = "URL")]
    pub web_url: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// How the CI API clients authenticate and wait, the same for every provider.
#[derive(Debug, Args)]
pub struct ApiClientArgs {
    /// Read the API token from the first line of standard input (default: $GITHUB_TOKEN or
    /// $GH_TOKEN for GitHub, which needs one to download run logs; $GITLAB_TOKEN for GitLab,
    /// where public projects need none).
    #[arg(long)]
    pub token_stdin: bool,
    /// Longest wait, in seconds, for an API rate limit to reset before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub max_wait: u64,
}

/// `ferret scan github-actions`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct GithubActionsArgs {
    /// The repository, OWNER/REPO.
    #[arg(value_name = "OWNER/REPO")]
    pub repo: String,
    /// Scan only this workflow run (repeatable).
    #[arg(long = "run", value_name = "ID")]
    pub runs: Vec<u64>,
    /// Only runs of this workflow (file name such as ci.yml, or its numeric id).
    #[arg(long, value_name = "WORKFLOW")]
    pub workflow: Option<String>,
    /// Only runs on this branch.
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// Only runs created on or after this date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Scan at most this many runs, newest first.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub max_runs: usize,
    /// API base URL (GitHub Enterprise: https://HOST/api/v3).
    #[arg(long, value_name = "URL", default_value = "https://api.github.com")]
    pub api_url: String,
    #[command(flatten)]
    pub api: ApiClientArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `ferret scan gitlab-ci`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct GitlabCiArgs {
    /// The project: numeric id or GROUP/PROJECT path.
    #[arg(value_name = "PROJECT")]
    pub project: String,
    /// Scan only this job (repeatable).
    #[arg(long = "job", value_name = "ID")]
    pub jobs: Vec<u64>,
    /// Only jobs of this pipeline.
    #[arg(long, value_name = "ID")]
    pub pipeline: Option<u64>,
    /// Only jobs that ran for this branch or tag.
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// Only jobs created on or after this date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Scan at most this many jobs, newest first.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_jobs: usize,
    /// API base URL (self-managed GitLab: https://HOST/api/v4).
    #[arg(long, value_name = "URL", default_value = "https://gitlab.com/api/v4")]
    pub api_url: String,
    #[command(flatten)]
    pub api: ApiClientArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `ferret scan git`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
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
    /// gitleaks' `git log` options, translated into --branch, --since and --range: `--all`,
    /// `REV`, `^REV`, `BASE..HEAD`, `BASE..` and `-p`; anything else is refused by name.
    #[arg(long, value_name = "OPTS", allow_hyphen_values = true, conflicts_with_all = ["branches", "since", "range", "staged"], help_heading = "gitleaks compatibility")]
    pub log_opts: Option<String>,
    /// Report a secret once per version of its file instead of once per file: by default the
    /// versions that kept it (each edit of the file is a new blob) are one finding, at the commit
    /// that introduced it, listing them all.
    #[arg(long, help_heading = "Output")]
    pub all_occurrences: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `ferret scan dir`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
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
    /// How many archives deep to open (.zip, .jar, .tar, .tar.gz, .tgz, .gz); a deeper archive is
    /// listed as not scanned fully.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub max_archive_depth: usize,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `ferret scan stdin`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
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
    /// Output format (`--report-format` is accepted too, as gitleaks spells it).
    #[arg(long, short = 'f', alias = "report-format", value_enum, default_value_t = Format::Text, help_heading = "Output")]
    pub format: Format,
    /// Write the report to FILE instead of standard output (`--report-path`, `-r` are accepted
    /// too, as gitleaks spells them).
    #[arg(
        long,
        short = 'o',
        alias = "report-path",
        short_alias = 'r',
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub output: Option<PathBuf>,
    /// Configuration file (default: ferret.toml or .ferret.toml at the scan root).
    #[arg(long, value_name = "FILE", help_heading = "Detection")]
    pub config: Option<PathBuf>,
    /// Add the rules of this file to the built-in ones (repeatable).
    #[arg(long = "rules", value_name = "FILE", help_heading = "Detection")]
    pub rule_files: Vec<PathBuf>,
    /// Turn off a rule by id (repeatable).
    #[arg(long, value_name = "RULE_ID", help_heading = "Detection")]
    pub disable_rule: Vec<String>,
    /// Print secrets in full instead of redacted.
    #[arg(long, visible_alias = "no-redact", help_heading = "Output")]
    pub show_secrets: bool,
    /// Report only findings whose fingerprint is not in this baseline (a ferret JSON report, a
    /// file written by `ferret baseline create`, or a gitleaks JSON report, matched by place:
    /// `--baseline-path` is accepted too, as gitleaks spells it).
    #[arg(
        long,
        alias = "baseline-path",
        short_alias = 'b',
        value_name = "FILE",
        help_heading = "Detection"
    )]
    pub baseline: Option<PathBuf>,
    /// File of fingerprints to ignore (default: .ferretignore at the scan root).
    #[arg(long, value_name = "FILE", help_heading = "Detection")]
    pub ignore_file: Option<PathBuf>,
    /// Lowest confidence to report: low shows everything, high only fixed formats and random values
    /// under a secret's name (default: medium, or `confidence` in ferret.toml). --fail-on applies
    /// to what is reported.
    #[arg(long, value_name = "LEVEL")]
    pub confidence: Option<Confidence>,
    /// Lowest severity that makes the scan exit 1.
    #[arg(long, value_enum, default_value_t = FailOn::Low, help_heading = "Output")]
    pub fail_on: FailOn,
    /// Skip files and blobs larger than this (e.g. 500K, 25MB, 1GiB: K, M, G are powers of 1000,
    /// KiB, MiB, GiB of 1024; default 256MiB); each is listed in the report as not scanned fully.
    /// Large files are streamed, so memory stays bounded.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, help_heading = "Detection")]
    pub max_file_size: Option<u64>,
    /// Exit 2 when anything was not scanned fully: over the size limit, an archive past the depth
    /// or decompression limit, a corrupt or unsupported archive, a FIFO or device, blobs a partial
    /// clone does not have (they are never fetched). Binary files,
    /// symlinks and allowlisted paths are left out by choice and do not count.
    #[arg(long, help_heading = "Detection")]
    pub strict: bool,
    /// Scan content that looks binary (it is skipped and counted by default).
    #[arg(long, help_heading = "Detection")]
    pub scan_binary: bool,
    /// Worker threads (default: one per core).
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        default_value_t = 0,
        help_heading = "Detection"
    )]
    pub threads: usize,
    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, help_heading = "Output")]
    pub color: ColorChoice,
    /// Do not print the summary line or progress on standard error.
    #[arg(long, short = 'q', help_heading = "Output")]
    pub quiet: bool,
    /// Ask each secret's provider whether it works (read-only "who am I" requests, each distinct
    /// secret at most once, only to the provider's documented https host). Findings become
    /// verified, invalid or unknown; invalid ones no longer fail the scan.
    #[arg(long, help_heading = "Verification")]
    pub verify: bool,
    /// Report only findings the provider accepted (implies --verify).
    #[arg(long, help_heading = "Verification")]
    pub only_verified: bool,
    /// Verification requests in flight at once.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 8,
        help_heading = "Verification"
    )]
    pub verify_concurrency: usize,
    /// Timeout of one verification request (e.g. 10s, 500ms).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = crate::verify::parse_duration, help_heading = "Verification")]
    pub verify_timeout: std::time::Duration,
    /// Remember verification answers in FILE (keyed by a hash; secrets are never stored) so
    /// repeated scans do not send secrets again.
    #[arg(long, value_name = "FILE", help_heading = "Verification")]
    pub verify_cache: Option<PathBuf>,
    /// Ask again when a cached answer is older than this (e.g. 24h, 7d).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = crate::verify::parse_duration, help_heading = "Verification")]
    pub verify_cache_max_age: std::time::Duration,
    /// gitleaks' `--redact[=PERCENT]`: ferret always redacts unless --show-secrets, and never
    /// shows more than a fifth of a secret, so 1..=100 change nothing; 0 (no redaction) is
    /// --show-secrets.
    #[arg(long, value_name = "PERCENT", num_args = 0..=1, require_equals = true, default_missing_value = "100", value_parser = clap::value_parser!(u8).range(0..=100), help_heading = "gitleaks compatibility")]
    pub redact: Option<u8>,
    /// Exit with this status instead of 1 when findings fail the scan (as gitleaks' --exit-code;
    /// errors still exit 2).
    #[arg(long, value_name = "N", help_heading = "gitleaks compatibility")]
    pub exit_code: Option<u8>,
    /// A .gitleaksignore file, or a directory holding one (default: .gitleaksignore at the scan
    /// root, when there is one).
    #[arg(
        long,
        short_alias = 'i',
        value_name = "PATH",
        help_heading = "gitleaks compatibility"
    )]
    pub gitleaks_ignore_path: Option<PathBuf>,
    /// For tests: send PROVIDER's checks to this base URL instead (plain http only to loopback).
    #[arg(long, value_name = "PROVIDER=URL", value_parser = crate::verify::parse_endpoint, help_heading = "Verification", hide = true)]
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
        /// Output format: a text table, or the whole table as a JSON array (for documentation).
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        /// Same as `--format json`.
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

/// How `ferret rules list` prints the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// One line per rule: id, severity, provider, name.
    Text,
    /// A JSON array of every rule's metadata.
    Json,
}

impl ScanTarget {
    /// The options every scan shares.
    pub fn common(&self) -> &CommonArgs {
        match self {
            ScanTarget::Dir(a) => &a.common,
            ScanTarget::Stdin(a) => &a.common,
            ScanTarget::Image(a) => &a.common,
            ScanTarget::Git(a) => &a.common,
            ScanTarget::CiLog(a) => &a.common,
            ScanTarget::GithubActions(a) => &a.common,
            ScanTarget::GitlabCi(a) => &a.common,
            ScanTarget::Targets(a) => &a.common,
            ScanTarget::GithubOrg(a) => &a.common,
            ScanTarget::GitlabGroup(a) => &a.common,
        }
    }
}

impl Command {
    /// The exit status of a run whose findings fail it: `--exit-code`, else 1.
    pub fn findings_exit_status(&self) -> u8 {
        match self {
            Command::Scan(target) => target.common().exit_code.unwrap_or(1),
            _ => 1,
        }
    }
}

impl CommonArgs {
    /// Whether secrets are printed in full: `--show-secrets`, or gitleaks' `--redact=0`.
    pub fn shows_secrets(&self) -> bool {
        self.show_secrets || self.redact == Some(0)
    }

    /// The defaults of every scan option, as if none were given on the command line.
    pub fn defaults() -> Self {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            common: CommonArgs,
        }
        Defaults::parse_from(["ferret"]).common
    }
}
