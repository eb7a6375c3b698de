//! `ferret scan ...`: one scan run as named steps. Build the run from the command line and the
//! config, run the source while another thread collects findings, verify, report, and decide the
//! exit status.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use crossbeam_channel::Receiver;

use super::output::{Output, open_output};
use super::{DEFAULT_MAX_FILE_SIZE, Outcome};
use crate::cli::{ColorChoice, CommonArgs};
use crate::config::{Config, ConfigRequest, parse_size, user_config_path};
use crate::detect::rules::{compile_specs, embedded_rules, load_rule_file};
use crate::detect::{Confidence, Detector, Rule};
use crate::escape::escape_control;
use crate::filter::gitleaks_ignore::{GITLEAKS_IGNORE_FILE_NAME, load_gitleaks_report};
use crate::filter::{Filter, IGNORE_FILE_NAME, load_baseline};
use crate::pipeline::collapse::{GitVersions, collapse_git_versions};
use crate::pipeline::{Finding, Origin, ScanError, VerificationStatus};
use crate::progress;
use crate::redact_url::redact_urls_in;
use crate::report::{self, Format, ReportOptions, Summary};
use crate::scan::Scanner;
use crate::source;
use crate::verify::Verifiers;

/// Runs `source` against a scanner built from `common` and the config found at `root`, then
/// reports. Findings made before an error are reported; the error then sets the exit status.
pub fn run_scan<F>(common: &CommonArgs, root: Option<&Path>, source: F) -> Result<Outcome>
where
    F: FnOnce(&Scanner, &Config) -> Result<()> + Send,
{
    run_scan_with(
        common,
        RepoSettings::at(root.map(Path::to_path_buf)),
        GitVersions::Collapse,
        source,
    )
}

/// [`run_scan`] with the repository's settings taken from `settings`, and a secret's versions in
/// git history reported as `versions` says.
pub fn run_scan_with<F>(
    common: &CommonArgs,
    settings: RepoSettings,
    versions: GitVersions,
    source: F,
) -> Result<Outcome>
where
    F: FnOnce(&Scanner, &Config) -> Result<()> + Send,
{
    let started = Instant::now();
    let (mut run, findings_rx) = ScanRun::build(common, &settings, versions)?;
    let (findings, source_result, out) = run.run_source(findings_rx, source);
    let mut findings = findings?;
    run.drop_later_versions(&mut findings);
    if !run.stream {
        // After the gitleaks entries have judged each version; a streaming collector has
        // collapsed what it held back already.
        findings = collapse_git_versions(findings, versions);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    if run.verifying {
        run.verify(&mut findings)?;
    }
    let summary = run.summary(&findings, &source_result, started.elapsed());
    run.report(out, &findings, &summary)?;
    source_result?;
    Ok(exit_status(common, &summary, &findings))
}

/// One scan, once built from the command line and the config: the scanner and how its findings
/// are reported.
struct ScanRun<'a> {
    common: &'a CommonArgs,
    config: Config,
    /// What reports say about the configuration used (see [`describe_config`]).
    config_used: Vec<String>,
    scanner: Scanner,
    /// The rules' live checks, for `--verify`.
    verifiers: Verifiers,
    /// `--verify` or `--only-verified`.
    verifying: bool,
    /// Findings are written as they come (jsonl that nothing has to see whole first).
    stream: bool,
    /// The report's destination, opened before the scan so a bad path fails early.
    out: Option<Output>,
    opts: ReportOptions,
    floor: Confidence,
    /// One finding per secret and file in git history, or one per version.
    versions: GitVersions,
}

impl<'a> ScanRun<'a> {
    /// Step 1: reads the config, builds the detector, the filter and the scanner, and opens the
    /// output. Returns the receiving end of the scanner's findings.
    fn build(
        common: &'a CommonArgs,
        settings: &RepoSettings,
        versions: GitVersions,
    ) -> Result<(Self, Receiver<Finding>)> {
        let (config, config_used) = resolve_config(common, settings)?;
        let verifying = common.verify || common.only_verified;
        let (detector, verifiers) =
            build_detector(&config, &common.rule_files, &common.disable_rule, verifying)?;
        let filter = build_filter(common, &config, settings)?;
        let max_size = max_file_size(common, &config)?;
        if common.threads > 0 {
            // Fails only if a pool was already built in this process, in which case it is kept.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(common.threads)
                .build_global();
        }
        let out = open_output(common.output.as_deref())?;
        // Verification happens after collection, and so does suppressing the later versions of a
        // secret a gitleaks entry matched: then jsonl cannot stream findings as they are made.
        let stream =
            common.format == Format::Jsonl && !verifying && !filter.suppresses_after_scan();
        let floor = common
            .confidence
            .or(config.confidence)
            .unwrap_or(Confidence::Medium);
        let (tx, rx) = crossbeam_channel::bounded::<Finding>(4096);
        let mut scanner = Scanner::new(detector, filter, max_size, tx);
        scanner.scan_binary = common.scan_binary;
        scanner.confidence_floor = floor;
        scanner.line_context = common.format == Format::Text;
        let run = ScanRun {
            common,
            config,
            config_used,
            scanner,
            verifiers,
            verifying,
            stream,
            out: Some(out),
            opts: report_options(common),
            floor,
            versions,
        };
        Ok((run, rx))
    }

    /// Steps 2 and 3: runs `source` on this thread while another collects (and, when streaming,
    /// writes) the findings, and a third shows progress on a terminal. A panic in the source
    /// becomes an error so that the findings made so far are still reported.
    fn run_source<F>(&mut self, findings_rx: Receiver<Finding>, source: F) -> SourceRun
    where
        F: FnOnce(&Scanner, &Config) -> Result<()> + Send,
    {
        let done = AtomicBool::new(false);
        let show_progress = !self.common.quiet && std::io::stderr().is_terminal();
        // Opened early so that a bad path fails before the scan; reopened for the report when
        // nothing streams into it.
        let stream = self.stream;
        let stream_out = self.out.take().filter(|_| stream);
        let (opts, floor, versions) = (&self.opts, self.floor, self.versions);
        let (scanner, config) = (&mut self.scanner, &self.config);
        std::thread::scope(|s| {
            let collector =
                s.spawn(move || collect(findings_rx, stream_out, opts, floor, versions));
            let result = std::thread::scope(|inner| {
                if show_progress {
                    // Started before the source runs, so the phases it announces are all shown.
                    progress::start();
                    progress::phase("scanning");
                    let scanner = &*scanner;
                    let done = &done;
                    inner.spawn(move || print_progress(scanner, done));
                }
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    source(scanner, config)
                }))
                .unwrap_or_else(|panic| Err(panic_error(&*panic)));
                done.store(true, Ordering::Relaxed);
                result
            });
            scanner.close_sink();
            let (findings, out) = collector
                .join()
                .unwrap_or_else(|_| (Err(anyhow::anyhow!("the report writer panicked")), None));
            (findings, result, out)
        })
    }

    /// Drops the later versions of a secret that a gitleaks ignore entry matched in one version.
    fn drop_later_versions(&self, findings: &mut Vec<Finding>) {
        let followers = self.scanner.filter.drop_later_versions(findings);
        self.scanner
            .stats
            .suppressed
            .fetch_add(followers as u64, Ordering::Relaxed);
    }

    /// Step 4: checks each finding's secret live, then drops the companion values (they served
    /// the checks) and, with `--only-verified`, whatever was not verified.
    fn verify(&self, findings: &mut Vec<Finding>) -> Result<()> {
        let rules = self.scanner.detector.rules();
        let stats = verify_findings(findings, rules, &self.verifiers, self.common)?;
        let companions: HashSet<&str> = rules
            .iter()
            .filter(|r| r.companion)
            .map(|r| &*r.id)
            .collect();
        findings.retain(|f| !companions.contains(&*f.rule_id));
        if self.common.only_verified {
            findings.retain(|f| {
                f.verification
                    .as_ref()
                    .is_some_and(|v| v.status == VerificationStatus::Verified)
            });
        }
        if !self.common.quiet {
            eprintln!("{}", stats.line());
        }
        Ok(())
    }

    /// The summary reports end with: the scanner's counts, the config used, and the source's
    /// own failure as one more error.
    fn summary(
        &self,
        findings: &[Finding],
        source_result: &Result<()>,
        elapsed: Duration,
    ) -> Summary {
        let mut summary = summarise(&self.scanner, findings, elapsed);
        summary.configs = self.config_used.clone();
        summary.config_warnings = self.config.warnings.clone();
        if let Err(err) = source_result {
            summary.errors.push(ScanError {
                subject: "scan".into(),
                message: redact_urls_in(&format!("{err:#}")).into_owned(),
            });
        }
        summary
    }

    /// Step 5: writes the report (or, when findings were streamed, what was not scanned fully)
    /// and tells stderr what the report does not show.
    fn report(&self, out: Option<Output>, findings: &[Finding], summary: &Summary) -> Result<()> {
        let common = self.common;
        let mut out = match out {
            Some(out) => out,
            None => open_output(common.output.as_deref())?,
        };
        if self.stream {
            report::json::write_jsonl_skips(&mut out, &summary.skips)?;
        } else {
            report::write_report(
                &mut out,
                common.format,
                findings,
                self.scanner.detector.rules(),
                summary,
                &self.opts,
            )?;
        }
        out.finish()?;
        if !common.quiet {
            let report_shows_errors = common.format == Format::Text && common.output.is_none();
            if !report_shows_errors {
                print_problems(summary);
            }
            eprintln!("{}", summary.line());
        }
        Ok(())
    }
}

/// What [`ScanRun::run_source`] ends with: the collected findings, the source's own result, and
/// the output when the collector streamed into it.
type SourceRun = (Result<Vec<Finding>>, Result<()>, Option<Output>);

/// Step 6: the exit status. Errors (and, with `--strict`, anything not scanned fully) win over
/// findings; findings fail at or above `--fail-on`, except those the provider rejected.
fn exit_status(common: &CommonArgs, summary: &Summary, findings: &[Finding]) -> Outcome {
    if !summary.errors.is_empty() || (common.strict && summary.not_scanned_fully() > 0) {
        Outcome::Error
    } else if findings
        .iter()
        .any(|f| common.fail_on.fails(f.severity) && !is_invalid(f))
    {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// The config that applies: `--config`, the repository's (or the base revision's) and the
/// user's. Its warnings are printed (even with `--quiet`: a config that tried to define
/// verifiers is worth hearing about), and so is what was used (returned too), unless quiet.
fn resolve_config(common: &CommonArgs, settings: &RepoSettings) -> Result<(Config, Vec<String>)> {
    let config = Config::resolve(ConfigRequest {
        explicit: common.config.as_deref(),
        root: settings.root.as_deref(),
        base_revision: settings.base_config.clone(),
        user: user_config_path(),
    })?;
    for warning in &config.warnings {
        eprintln!("ferret: warning: {}", escape_control(warning));
    }
    let used = describe_config(&config, settings);
    if !common.quiet && !used.is_empty() {
        eprintln!("ferret: config: {}", escape_control(&used.join("; ")));
    }
    Ok((config, used))
}

/// The filter: the config's allowlists and salt, the ignore files (given, from the base
/// revision, or at the root) and the baseline.
fn build_filter(common: &CommonArgs, config: &Config, settings: &RepoSettings) -> Result<Filter> {
    let root = settings.root.as_deref();
    let mut filter = Filter::new(&config.allow)?;
    if let Some(salt) = fingerprint_salt(config)? {
        filter.set_fingerprint_salt(salt);
    }
    match (&common.ignore_file, root, &settings.base_ignore) {
        (Some(path), _, _) => filter.load_ignore_file(path)?,
        (None, _, Some((name, text))) => filter.load_ignore_text(text, name)?,
        (None, Some(root), None) if root.join(IGNORE_FILE_NAME).is_file() => {
            filter.load_ignore_file(&root.join(IGNORE_FILE_NAME))?
        }
        _ => {}
    }
    match (
        &common.gitleaks_ignore_path,
        root,
        &settings.base_gitleaks_ignore,
    ) {
        (Some(path), _, _) if path.is_dir() => {
            filter.load_gitleaks_ignore_file(&path.join(GITLEAKS_IGNORE_FILE_NAME))?
        }
        (Some(path), _, _) => filter.load_gitleaks_ignore_file(path)?,
        (None, _, Some((name, text))) => filter.load_gitleaks_ignore_text(text, name)?,
        (None, Some(root), None) if root.join(GITLEAKS_IGNORE_FILE_NAME).is_file() => {
            filter.load_gitleaks_ignore_file(&root.join(GITLEAKS_IGNORE_FILE_NAME))?
        }
        _ => {}
    }
    if let Some(path) = &common.baseline {
        match load_gitleaks_report(path)? {
            Some(places) => filter.set_gitleaks_baseline(places),
            None => filter.set_baseline(path, load_baseline(path)?),
        }
    }
    if !common.quiet {
        for legacy in filter.legacy_files() {
            eprintln!(
                "ferret: warning: {} holds {} old (v1) fingerprints; they still match in this \
                 release but will not in the next: run `ferret baseline upgrade {}`",
                legacy.path.display(),
                legacy.count,
                legacy.path.display()
            );
        }
    }
    Ok(filter)
}

/// `--max-file-size`, else the config's `[scan] max_file_size`, else the default.
fn max_file_size(common: &CommonArgs, config: &Config) -> Result<u64> {
    Ok(match (common.max_file_size, &config.scan.max_file_size) {
        (Some(n), _) => n,
        (None, Some(text)) => parse_size(text)
            .map_err(anyhow::Error::msg)
            .with_context(|| {
                format!(
                    "config {}: [scan] max_file_size",
                    display_opt(&config.source)
                )
            })?,
        (None, None) => DEFAULT_MAX_FILE_SIZE,
    })
}

/// How findings are printed: secrets shown or not, colour or not.
fn report_options(common: &CommonArgs) -> ReportOptions {
    ReportOptions {
        show_secrets: common.shows_secrets(),
        color: match common.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // anstream's choice honours NO_COLOR, CLICOLOR, CLICOLOR_FORCE and TERM=dumb.
            ColorChoice::Auto => {
                common.output.is_none()
                    && anstream::AutoStream::choice(&std::io::stdout())
                        != anstream::ColorChoice::Never
            }
        },
    }
}

/// A panic's message as the error a run ends with.
fn panic_error(panic: &(dyn std::any::Any + Send)) -> anyhow::Error {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into());
    anyhow::anyhow!("internal error (please report it): {what}")
}

/// What could not be scanned, what was not scanned fully and which baseline entries are stale,
/// on stderr, for reports that do not show them.
fn print_problems(summary: &Summary) {
    for e in &summary.errors {
        eprintln!(
            "ferret: could not scan {}: {}",
            escape_control(&e.subject),
            escape_control(&e.message)
        );
    }
    for skip in &summary.skips {
        eprintln!(
            "ferret: not scanned fully: {}: {}",
            escape_control(&skip.subject),
            escape_control(&skip.detail)
        );
    }
    if !summary.stale_baseline.is_empty() {
        eprintln!(
            "ferret: {} baseline entries are stale (no longer found): {}",
            summary.stale_baseline.len(),
            escape_control(&summary.stale_baseline.join(", "))
        );
    }
}

/// Builds the rule set: built-in rules, the config's rules and `--rules` files, minus disabled ones
/// (and minus companion rules, which only serve `--verify`, unless `companions`), with their live
/// checks.
pub fn build_detector(
    config: &Config,
    rule_files: &[PathBuf],
    disabled: &[String],
    companions: bool,
) -> Result<(Detector, Verifiers)> {
    let mut rules = embedded_rules()?;
    if !config.rule.is_empty() {
        let source = config
            .source
            .as_ref()
            .map_or_else(|| "config".to_string(), |p| p.display().to_string());
        rules.extend(compile_specs(config.rule.clone(), &source)?);
    }
    for file in rule_files {
        rules.extend(load_rule_file(file)?);
    }
    let disabled: HashSet<&str> = config
        .disabled_rules
        .iter()
        .chain(disabled)
        .map(String::as_str)
        .collect();
    for id in &disabled {
        if !rules.iter().any(|r| &*r.id == *id) {
            bail!("cannot disable unknown rule id {id:?} (see `ferret rules list`)");
        }
    }
    rules.retain(|r| !disabled.contains(&*r.id) && (companions || !r.companion));
    let verifiers = Verifiers::attach(&mut rules)?;
    Ok((Detector::new(rules)?, verifiers))
}

/// Where a scan takes the repository's own settings (`ferret.toml`, `.ferretignore`) from.
#[derive(Debug, Default)]
pub struct RepoSettings {
    /// The scan root in the file system, where they are looked for.
    pub root: Option<PathBuf>,
    /// In a pull-request gate, the base revision they are read from instead (`root` is unset).
    pub base_revision: Option<String>,
    /// The base revision's config file: (name for messages, text).
    pub base_config: Option<(String, String)>,
    /// The base revision's ignore file: (name for messages, text).
    pub base_ignore: Option<(String, String)>,
    /// The base revision's `.gitleaksignore`: (name for messages, text).
    pub base_gitleaks_ignore: Option<(String, String)>,
}

impl RepoSettings {
    /// Settings found at `root` in the file system.
    pub fn at(root: Option<PathBuf>) -> Self {
        Self {
            root,
            ..Self::default()
        }
    }
}

/// The settings of a pull-request gate over `range` (BASE..HEAD) in the work tree `root`: the
/// config and ignore file as BASE has them, so the commits under review cannot loosen their own
/// gate.
pub fn base_revision_settings(root: &Path, range: &str) -> Result<RepoSettings> {
    let base = range
        .split_once("..")
        .map(|(base, _)| base)
        .filter(|base| !base.is_empty())
        .with_context(|| format!("--range takes BASE..HEAD, got {range:?}"))?;
    let read = |name: &str| -> Result<Option<(String, String)>> {
        let Some(bytes) = source::git::revision_file::read_file_at(root, base, name)? else {
            return Ok(None);
        };
        let label = format!("{name} at {base}");
        let text =
            String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{label} is not UTF-8 text"))?;
        Ok(Some((label, text)))
    };
    let mut base_config = None;
    for name in crate::config::CONFIG_FILE_NAMES {
        base_config = read(name)?;
        if base_config.is_some() {
            break;
        }
    }
    Ok(RepoSettings {
        root: None,
        base_revision: Some(base.to_string()),
        base_config,
        base_ignore: read(IGNORE_FILE_NAME)?,
        base_gitleaks_ignore: read(GITLEAKS_IGNORE_FILE_NAME)?,
    })
}

/// What reports say about the configuration a scan used: each config file and how far it was
/// trusted, and in a pull-request gate the base revision the repository's settings came from.
fn describe_config(config: &Config, settings: &RepoSettings) -> Vec<String> {
    let mut used: Vec<String> = config.used.iter().map(|u| u.describe()).collect();
    if let Some(base) = &settings.base_revision {
        if settings.base_config.is_none() {
            used.push(format!(
                "no repository config at {base} (the commits under review cannot add one)"
            ));
        }
        if let Some((name, _)) = &settings.base_ignore {
            used.push(name.clone());
        }
        if let Some((name, _)) = &settings.base_gitleaks_ignore {
            used.push(name.clone());
        }
    }
    used
}

/// The config's `fingerprint_salt`, refused when empty (it would silently mean "no salt").
pub fn fingerprint_salt(config: &Config) -> Result<Option<&str>> {
    match config.fingerprint_salt.as_deref() {
        Some(salt) if salt.trim().is_empty() => bail!(
            "config {}: fingerprint_salt is empty",
            display_opt(&config.source)
        ),
        other => Ok(other),
    }
}

/// Runs `--verify` over the collected findings with the command line's limits.
fn verify_findings(
    findings: &mut [Finding],
    rules: &[Rule],
    verifiers: &Verifiers,
    common: &CommonArgs,
) -> Result<crate::verify::VerifyStats> {
    let opts = crate::verify::VerifyOptions {
        concurrency: common.verify_concurrency,
        timeout: common.verify_timeout,
        endpoints: common.verify_endpoint.clone(),
        cache: common.verify_cache.clone(),
        cache_max_age: common.verify_cache_max_age,
    };
    crate::verify::verify_findings(findings, rules, verifiers, &opts)
}

/// A finding the provider rejected is housekeeping, not an incident: it does not fail the scan.
fn is_invalid(f: &Finding) -> bool {
    f.verification
        .as_ref()
        .is_some_and(|v| v.status == VerificationStatus::Invalid)
}

fn display_opt(p: &Option<PathBuf>) -> String {
    p.as_ref()
        .map_or_else(|| "-".into(), |p| p.display().to_string())
}

type Collected = (Result<Vec<Finding>>, Option<Output>);

/// Receives findings until every sender is gone; deduplicates them; streams them when `stream` is
/// given, otherwise returns them sorted.
///
/// A secret's versions in git history are all known only once the source is done, so when they
/// are collapsed a streaming collector holds git findings back and writes them, one per secret
/// and file, at the end; the findings of other sources still stream as they are made.
fn collect(
    rx: Receiver<Finding>,
    mut stream: Option<Output>,
    opts: &ReportOptions,
    floor: Confidence,
    versions: GitVersions,
) -> Collected {
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    let mut held_back = Vec::new();
    let mut write_error = None;
    for mut finding in rx {
        // Below the confidence floor is not reported, so it neither prints nor fails the scan.
        if finding.confidence < floor {
            continue;
        }
        if let Some(origin) = finding.origin.without_url_credentials() {
            finding.origin = std::sync::Arc::new(origin);
        }
        let key = (
            finding.fingerprint.clone(),
            finding.path().to_string(),
            finding.line,
            finding.column,
            finding.origin.text_suffix(),
            finding.origin.place().to_string(),
        );
        if !seen.insert(key) {
            continue;
        }
        if stream.is_none() {
            findings.push(finding);
            continue;
        }
        if matches!(&*finding.origin, Origin::Git { .. }) {
            if versions == GitVersions::Collapse {
                held_back.push(finding);
                continue;
            }
            // One version is already the whole finding; only its version list is filled in.
            finding = collapse_git_versions(vec![finding], versions).swap_remove(0);
        }
        stream_finding(&mut stream, &finding, opts, &mut write_error);
        findings.push(finding);
    }
    let mut collapsed = collapse_git_versions(held_back, versions);
    collapsed.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    for finding in collapsed {
        stream_finding(&mut stream, &finding, opts, &mut write_error);
        findings.push(finding);
    }
    if let Some(e) = write_error {
        return (Err(e.context("cannot write the report")), stream);
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    (Ok(findings), stream)
}

/// Writes `finding` as a jsonl line to `stream`, unless an earlier write failed (then
/// `write_error` holds why).
fn stream_finding(
    stream: &mut Option<Output>,
    finding: &Finding,
    opts: &ReportOptions,
    write_error: &mut Option<anyhow::Error>,
) {
    if let Some(out) = stream.as_mut()
        && write_error.is_none()
        && let Err(e) = report::json::write_jsonl_line(out, finding, opts)
    {
        *write_error = Some(e);
    }
}

fn summarise(scanner: &Scanner, findings: &[Finding], elapsed: Duration) -> Summary {
    let s = &scanner.stats;
    let get = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
    Summary {
        blobs: get(&s.blobs),
        bytes: get(&s.bytes),
        findings: findings.len(),
        distinct_secrets: findings
            .iter()
            .map(|f| &f.fingerprint)
            .collect::<HashSet<_>>()
            .len(),
        skipped_binary: get(&s.skipped_binary),
        skipped_too_large: get(&s.skipped_too_large),
        skipped_symlinks: get(&s.skipped_symlinks),
        skipped_allowlisted: get(&s.skipped_allowlisted),
        suppressed: get(&s.suppressed),
        // Error chains quote the URLs they failed on; a clone URL or signed link may hold a token.
        errors: s
            .error_list()
            .into_iter()
            .map(|e| crate::pipeline::ScanError {
                subject: redact_urls_in(&e.subject).into_owned(),
                message: redact_urls_in(&e.message).into_owned(),
            })
            .collect(),
        skips: s
            .skip_list()
            .into_iter()
            .map(|mut skip| {
                skip.subject = redact_urls_in(&skip.subject).into_owned();
                skip.detail = redact_urls_in(&skip.detail).into_owned();
                skip
            })
            .collect(),
        stale_baseline: scanner.filter.stale_baseline_entries(),
        configs: Vec::new(),
        config_warnings: Vec::new(),
        elapsed,
        inputs: Vec::new(),
    }
}

/// Keeps the progress line's totals current until `done`.
fn print_progress(scanner: &Scanner, done: &AtomicBool) {
    let started = Instant::now();
    while !done.load(Ordering::Relaxed) {
        let s = &scanner.stats;
        progress::totals(
            s.blobs.load(Ordering::Relaxed),
            s.bytes.load(Ordering::Relaxed),
            s.findings.load(Ordering::Relaxed),
            started.elapsed(),
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    progress::finish();
}
