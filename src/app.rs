//! Runs a parsed command line: builds the detector and filter, runs a source on worker threads,
//! collects findings on another, and writes the report.

use std::collections::HashSet;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::CommandFactory;
use crossbeam_channel::Receiver;

use crate::atomic_file::AtomicFile;
use crate::cli::{
    BaselineCommand, BaselineCreateArgs, Cli, ColorChoice, Command, CommonArgs, ConfigCommand,
    FailOn, HookCommand, RulesCommand, RulesFormat, ScanTarget,
};
use crate::config::{Config, ConfigRequest, parse_size, user_config_path};
use crate::detect::rules::{compile_specs, embedded_rules, load_rule_file};
use crate::detect::{Confidence, Detector, Rule, examples::check_examples};
use crate::escape::escape_control;
use crate::filter::{Filter, IGNORE_FILE_NAME, load_baseline};
use crate::finding::{Finding, VerificationStatus};
use crate::gitleaks::ignore::{GITLEAKS_IGNORE_FILE_NAME, load_gitleaks_report};
use crate::progress;
use crate::redact_url::redact_urls_in;
use crate::report::{self, Format, ReportOptions, Summary};
use crate::scan::Scanner;
use crate::source;

/// How a run ended; the numeric value is the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Outcome {
    /// Nothing found.
    Clean = 0,
    /// Findings at or above `--fail-on`.
    Findings = 1,
    /// Something failed or could not be read.
    Error = 2,
}

/// Default `--max-file-size`: large enough for bundles and dumps, which are streamed.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 << 20;

/// Runs one command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Scan(ScanTarget::Dir(args)) => {
            for path in &args.paths {
                if std::fs::symlink_metadata(path).is_err() {
                    bail!("path does not exist: {}", path.display());
                }
            }
            let root = dir_scan_root(&args.paths);
            let mut excludes = args.exclude.clone();
            let opts = source::fs::DirOptions {
                roots: args.paths.clone(),
                gitignore: args.gitignore,
                excludes: Vec::new(),
                follow_symlinks: args.follow_symlinks,
                threads: args.common.threads,
                archive_limits: source::archive::ArchiveLimits {
                    max_depth: args.max_archive_depth,
                    ..Default::default()
                },
            };
            run_scan(&args.common, root.as_deref(), move |scanner, config| {
                excludes.extend(config.scan.exclude.iter().cloned());
                let opts = source::fs::DirOptions { excludes, ..opts };
                source::fs::scan_dirs(&opts, scanner)
            })
        }
        Command::Scan(ScanTarget::Stdin(args)) => {
            let name = args.path_name.clone();
            run_scan(&args.common, None, move |scanner, _| {
                source::stdin::scan_stdin(scanner, &name)
            })
        }
        Command::Scan(ScanTarget::Image(args)) => {
            let opts = image_options(&args)?;
            run_scan(&args.common, None, move |scanner, _| {
                source::image::scan_images(&opts, scanner)
            })
        }
        Command::Baseline(BaselineCommand::Create(args)) => create_baseline(&args),
        Command::Baseline(BaselineCommand::Upgrade(args)) => {
            crate::upgrade::upgrade(&args)?;
            Ok(Outcome::Clean)
        }
        Command::Hook(HookCommand::Install(args)) => {
            let hook = crate::hook::install_pre_commit_hook(&args.path, args.force)?;
            eprintln!("ferret: installed {}", hook.display());
            Ok(Outcome::Clean)
        }
        Command::Scan(ScanTarget::CiLog(args)) => {
            let opts = source::cilog::LocalOptions {
                paths: args.paths.clone(),
                repository: args.repo.clone(),
                web_url: args.web_url.clone(),
            };
            run_scan(&args.common, None, move |scanner, _| {
                source::cilog::scan_paths(&opts, scanner)
            })
        }
        Command::Scan(ScanTarget::GithubActions(args)) => {
            let opts = source::cilog::github_options(&args)?;
            run_scan(&args.common, None, move |scanner, _| {
                source::cilog::github::scan(&opts, scanner)
            })
        }
        Command::Scan(ScanTarget::GitlabCi(args)) => {
            let opts = source::cilog::gitlab_options(&args)?;
            run_scan(&args.common, None, move |scanner, _| {
                source::cilog::gitlab::scan(&opts, scanner)
            })
        }
        Command::Scan(ScanTarget::Git(mut args)) => {
            if let Some(log_opts) = &args.log_opts {
                let selection =
                    crate::gitleaks::log_opts::translate(log_opts).map_err(anyhow::Error::msg)?;
                args.branches = selection.branches;
                args.since = selection.since;
                args.range = selection.range;
            }
            let root = source::git::config_root(&args.target)?;
            let settings = match (&args.range, &root) {
                (Some(range), Some(root)) => base_revision_settings(root, range)?,
                _ => RepoSettings::at(root),
            };
            let opts = git_options(&args.target, &args, args.common.quiet);
            let staged = args.staged;
            let outcome = run_scan_with(&args.common, settings, move |scanner, _| {
                source::git::scan(&opts, scanner)
            })?;
            if staged && outcome == Outcome::Findings && !args.common.quiet {
                eprint!("{}", BLOCKED_COMMIT_HELP);
            }
            Ok(outcome)
        }
        Command::Rules(RulesCommand::List {
            rule_files,
            format,
            json,
        }) => list_rules(&rule_files, json || format == RulesFormat::Json),
        Command::Rules(RulesCommand::Check { files }) => check_rule_files(&files),
        Command::Config(ConfigCommand::Import(args)) => import_gitleaks_config(&args),
        Command::Completions(args) => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(args.shell, &mut Cli::command(), "ferret", &mut out);
            out.flush()?;
            Ok(Outcome::Clean)
        }
        Command::Man => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            out.flush()?;
            Ok(Outcome::Clean)
        }
    }
}

/// `ferret config import`: writes the translation, lists what was not translated on stderr, and
/// exits 1 when anything was not.
fn import_gitleaks_config(args: &crate::cli::ConfigImportArgs) -> Result<Outcome> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = args.file.display().to_string();
    let import = crate::gitleaks::import::import(&text, &name)?;
    let mut out = open_output(args.output.as_deref())?;
    out.write_all(import.toml.as_bytes())
        .context("cannot write the translated config")?;
    out.finish()?;
    for note in &import.notes {
        eprintln!("ferret: note: {}", escape_control(note));
    }
    for line in &import.untranslated {
        eprintln!("ferret: not translated: {}", escape_control(line));
    }
    eprintln!(
        "ferret: translated {} rules and {} allowlists from {}; {} things not translated",
        import.rules,
        import.allowlists,
        escape_control(&name),
        import.untranslated.len()
    );
    Ok(if import.untranslated.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// `ferret scan image` options from its arguments (reads the registry password from stdin).
fn image_options(args: &crate::cli::ImageArgs) -> Result<source::image::ImageOptions> {
    use source::image::registry::Credentials;
    let credentials = match &args.registry_user {
        Some(user) => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the registry password from standard input")?;
            Some(Credentials {
                user: user.clone(),
                password: password.trim_end_matches(['\r', '\n']).to_string(),
            })
        }
        None => None,
    };
    Ok(source::image::ImageOptions {
        targets: args.targets.clone(),
        platform: args.platform.clone(),
        registry: source::image::registry::RegistryOptions {
            credentials,
            insecure: args.insecure_registry.clone(),
            quiet: args.common.quiet,
        },
        limits: source::archive::ArchiveLimits {
            max_depth: args.max_archive_depth,
            ..Default::default()
        },
    })
}

/// Builds the rule set: built-in rules, the config's rules and `--rules` files, minus disabled ones
/// (and minus companion rules, which only serve `--verify`, unless `companions`).
pub fn build_detector(
    config: &Config,
    rule_files: &[PathBuf],
    disabled: &[String],
    companions: bool,
) -> Result<Detector> {
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
    Detector::new(rules)
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
fn base_revision_settings(root: &Path, range: &str) -> Result<RepoSettings> {
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

/// The root whose `ferret.toml` and `.ferretignore` apply to `scan dir PATHS`: the first path
/// when it is a directory; for files (as the pre-commit framework passes them) the git work tree
/// around the current directory, else the current directory.
fn dir_scan_root(paths: &[PathBuf]) -> Option<PathBuf> {
    if let Some(first) = paths.first().filter(|p| p.is_dir()) {
        return Some(first.clone());
    }
    let work_tree = gix::discover(".")
        .ok()
        .and_then(|repo| repo.workdir().map(Path::to_path_buf));
    Some(work_tree.unwrap_or_else(|| PathBuf::from(".")))
}

/// Runs `source` against a scanner built from `common` and the config found at `root`, then
/// reports. Findings made before an error are reported; the error then sets the exit status.
pub fn run_scan<F>(common: &CommonArgs, root: Option<&Path>, source: F) -> Result<Outcome>
where
    F: FnOnce(&Scanner, &Config) -> Result<()> + Send,
{
    run_scan_with(
        common,
        RepoSettings::at(root.map(Path::to_path_buf)),
        source,
    )
}

/// [`run_scan`] with the repository's settings taken from `settings`.
pub fn run_scan_with<F>(common: &CommonArgs, settings: RepoSettings, source: F) -> Result<Outcome>
where
    F: FnOnce(&Scanner, &Config) -> Result<()> + Send,
{
    let started = Instant::now();
    let root = settings.root.as_deref();
    let config = Config::resolve(ConfigRequest {
        explicit: common.config.as_deref(),
        root,
        base_revision: settings.base_config.clone(),
        user: user_config_path(),
    })?;
    let config_used = describe_config(&config, &settings);
    // A config that tried to define verifiers is worth hearing about even with --quiet.
    for warning in &config.warnings {
        eprintln!("ferret: warning: {}", escape_control(warning));
    }
    if !common.quiet && !config_used.is_empty() {
        eprintln!(
            "ferret: config: {}",
            escape_control(&config_used.join("; "))
        );
    }
    let verifying = common.verify || common.only_verified;
    let detector = build_detector(&config, &common.rule_files, &common.disable_rule, verifying)?;
    let mut filter = Filter::new(&config.allow)?;
    if let Some(salt) = fingerprint_salt(&config)? {
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
    let max_size = match (common.max_file_size, &config.scan.max_file_size) {
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
    };
    if common.threads > 0 {
        // Fails only if a pool was already built in this process, in which case it is kept.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(common.threads)
            .build_global();
    }
    let out = open_output(common.output.as_deref())?;
    // Verification happens after collection, and so does suppressing the later versions of a
    // secret a gitleaks entry matched: then jsonl cannot stream findings as they are made.
    let stream = common.format == Format::Jsonl && !verifying && !filter.suppresses_after_scan();
    let opts = ReportOptions {
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
    };

    let floor = common
        .confidence
        .or(config.confidence)
        .unwrap_or(Confidence::Medium);
    let (tx, rx) = crossbeam_channel::bounded::<Finding>(4096);
    let mut scanner = Scanner::new(detector, filter, max_size, tx);
    scanner.scan_binary = common.scan_binary;
    scanner.confidence_floor = floor;
    scanner.line_context = common.format == Format::Text;

    let done = AtomicBool::new(false);
    let show_progress = !common.quiet && std::io::stderr().is_terminal();
    let (findings, source_result, out) = std::thread::scope(|s| {
        let collector_opts = opts.clone();
        let collector = s.spawn(move || collect(rx, stream.then_some(out), &collector_opts, floor));
        let result = std::thread::scope(|inner| {
            if show_progress {
                // Started before the source runs, so the phases it announces are all shown.
                progress::start();
                progress::phase("scanning");
                inner.spawn(|| print_progress(&scanner, &done));
            }
            // A panic in a source must not leave the report thread waiting for a sender that never
            // closes: turn it into an error so the findings made so far are still reported.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                source(&scanner, &config)
            }))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown cause".into());
                Err(anyhow::anyhow!("internal error (please report it): {what}"))
            });
            done.store(true, Ordering::Relaxed);
            result
        });
        scanner.close_sink();
        let (findings, out) = collector
            .join()
            .unwrap_or_else(|_| (Err(anyhow::anyhow!("the report writer panicked")), None));
        (findings, result, out)
    });
    let mut findings = findings?;
    let followers = scanner.filter.drop_later_versions(&mut findings);
    scanner
        .stats
        .suppressed
        .fetch_add(followers as u64, Ordering::Relaxed);
    if verifying {
        let stats = verify_findings(&mut findings, scanner.detector.rules(), common)?;
        // Companion values served the checks; they are not secrets to report.
        let companions: HashSet<&str> = scanner
            .detector
            .rules()
            .iter()
            .filter(|r| r.companion)
            .map(|r| &*r.id)
            .collect();
        findings.retain(|f| !companions.contains(&*f.rule_id));
        if common.only_verified {
            findings.retain(|f| {
                f.verification
                    .as_ref()
                    .is_some_and(|v| v.status == VerificationStatus::Verified)
            });
        }
        if !common.quiet {
            eprintln!("{}", stats.line());
        }
    }
    let mut summary = summarise(&scanner, &findings, started.elapsed());
    summary.configs = config_used;
    summary.config_warnings = config.warnings.clone();
    if let Err(err) = &source_result {
        summary.errors.push(crate::scan::ScanError {
            subject: "scan".into(),
            message: redact_urls_in(&format!("{err:#}")).into_owned(),
        });
    }
    let mut out = match out {
        Some(out) => out,
        None => open_output(common.output.as_deref())?,
    };
    if stream {
        report::json::write_jsonl_skips(&mut out, &summary.skips)?;
    } else {
        report::write_report(
            &mut out,
            common.format,
            &findings,
            scanner.detector.rules(),
            &summary,
            &opts,
        )?;
    }
    out.finish()?;
    if !common.quiet {
        let report_shows_errors = common.format == Format::Text && common.output.is_none();
        if !report_shows_errors {
            for e in &summary.errors {
                eprintln!(
                    "ferret: could not scan {}: {}",
                    escape_control(&e.subject),
                    escape_control(&e.message)
                );
            }
        }
        if !report_shows_errors {
            for skip in &summary.skips {
                eprintln!(
                    "ferret: not scanned fully: {}: {}",
                    escape_control(&skip.subject),
                    escape_control(&skip.detail)
                );
            }
        }
        if !summary.stale_baseline.is_empty() && !report_shows_errors {
            eprintln!(
                "ferret: {} baseline entries are stale (no longer found): {}",
                summary.stale_baseline.len(),
                escape_control(&summary.stale_baseline.join(", "))
            );
        }
        eprintln!("{}", summary.line());
    }
    source_result?;
    Ok(
        if !summary.errors.is_empty() || (common.strict && summary.not_scanned_fully() > 0) {
            Outcome::Error
        } else if findings
            .iter()
            .any(|f| common.fail_on.fails(f.severity) && !is_invalid(f))
        {
            Outcome::Findings
        } else {
            Outcome::Clean
        },
    )
}

/// What a blocked commit is told after the findings: the three ways out.
const BLOCKED_COMMIT_HELP: &str = "\nferret: this commit adds the secrets above, so it was stopped. Either:\n\
  1. remove the secret from the staged file (and rotate it if it was ever pushed), or\n\
  2. if it is not a real secret, add the comment `ferret:allow` on its line, or\n\
  3. add its fingerprint (shown above) to .ferretignore at the repository root.\n";

/// The git source's options for `target` from `ferret scan git` arguments.
fn git_options(target: &str, args: &crate::cli::GitArgs, quiet: bool) -> source::git::GitOptions {
    source::git::GitOptions {
        target: target.to_string(),
        branches: args.branches.clone(),
        since: args.since.clone(),
        range: args.range.clone(),
        staged: args.staged,
        quiet,
    }
}

/// `ferret baseline create`: a scan whose report is a baseline file and whose findings do not fail.
fn create_baseline(args: &BaselineCreateArgs) -> Result<Outcome> {
    let mut common = CommonArgs::defaults();
    common.format = Format::Baseline;
    common.output = Some(args.output.clone());
    common.config = args.config.clone();
    common.rule_files = args.rule_files.clone();
    common.fail_on = FailOn::Never;
    if std::fs::symlink_metadata(&args.path).is_err() {
        bail!("path does not exist: {}", args.path.display());
    }
    let is_repo = args.path.join(".git").exists() || args.path.join("HEAD").is_file();
    if !args.dir && is_repo {
        // A repository's baseline covers its history, so `scan git` with it reports only new secrets.
        let target = args.path.display().to_string();
        let root = source::git::config_root(&target)?;
        suggest_fingerprint_salt(args, root.as_deref())?;
        let opts = source::git::GitOptions {
            target,
            branches: Vec::new(),
            since: None,
            range: None,
            staged: false,
            quiet: true,
        };
        return run_scan(&common, root.as_deref(), move |scanner, _| {
            source::git::scan(&opts, scanner)
        });
    }
    let root = args.path.is_dir().then(|| args.path.clone());
    suggest_fingerprint_salt(args, root.as_deref())?;
    let opts = source::fs::DirOptions {
        roots: vec![args.path.clone()],
        gitignore: false,
        excludes: Vec::new(),
        follow_symlinks: false,
        threads: 0,
        archive_limits: Default::default(),
    };
    run_scan(&common, root.as_deref(), move |scanner, config| {
        let opts = source::fs::DirOptions {
            excludes: config.scan.exclude.clone(),
            ..opts
        };
        source::fs::scan_dirs(&opts, scanner)
    })
}

/// A baseline is about to be committed: without a project salt its fingerprints use the built-in
/// one, which every such project shares, so suggest a fresh salt for `ferret.toml`.
fn suggest_fingerprint_salt(args: &BaselineCreateArgs, root: Option<&Path>) -> Result<()> {
    let config = Config::discover(args.config.as_deref(), root)?;
    if config.fingerprint_salt.is_none() {
        eprintln!(
            "ferret: note: no fingerprint_salt is configured, so the baseline's fingerprints use \
             ferret's built-in salt. Before committing it, consider adding to ferret.toml\n  \
             fingerprint_salt = \"{}\"\nand creating the baseline again.",
            random_salt()
        );
    }
    Ok(())
}

/// 16 random bytes as hex, for a new project's `fingerprint_salt`.
fn random_salt() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        // A salt only has to differ between projects, not be secret: time and process id do.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let seed = format!("{:?}{}", now, std::process::id());
        bytes.copy_from_slice(&<sha2::Sha256 as sha2::Digest>::digest(seed.as_bytes())[..16]);
    }
    hex::encode(bytes)
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
    common: &CommonArgs,
) -> Result<crate::verify::VerifyStats> {
    let opts = crate::verify::VerifyOptions {
        concurrency: common.verify_concurrency,
        timeout: common.verify_timeout,
        endpoints: common.verify_endpoint.clone(),
        cache: common.verify_cache.clone(),
        cache_max_age: common.verify_cache_max_age,
    };
    crate::verify::verify_findings(findings, rules, &opts)
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

/// The report destination: standard output, or a file that appears (0600, replacing whatever
/// was at the path, a planted symlink included) only once the report is complete.
enum Output {
    Stdout(BufWriter<std::io::Stdout>),
    File(BufWriter<AtomicFile>),
}

impl Output {
    /// Flushes the report and, for a file, moves it into place.
    fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush().context("cannot write the report"),
            Output::File(out) => out
                .into_inner()
                .map_err(|e| anyhow::Error::new(e.into_error()))
                .context("cannot write the report")?
                .commit(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File(out) => out.flush(),
        }
    }
}

fn open_output(path: Option<&Path>) -> Result<Output> {
    Ok(match path {
        Some(path) => Output::File(BufWriter::new(
            AtomicFile::create(path)
                .with_context(|| format!("cannot create output file {}", path.display()))?,
        )),
        None => Output::Stdout(BufWriter::new(std::io::stdout())),
    })
}

type Collected = (Result<Vec<Finding>>, Option<Output>);

/// Receives findings until every sender is gone; deduplicates them; streams them when `stream` is
/// given, otherwise returns them sorted.
fn collect(
    rx: Receiver<Finding>,
    mut stream: Option<Output>,
    opts: &ReportOptions,
    floor: Confidence,
) -> Collected {
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
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
        );
        if !seen.insert(key) {
            continue;
        }
        if let Some(out) = stream.as_mut()
            && write_error.is_none()
            && let Err(e) = report::json::write_jsonl_line(out, &finding, opts)
        {
            write_error = Some(e);
        }
        findings.push(finding);
    }
    if let Some(e) = write_error {
        return (Err(e.context("cannot write the report")), stream);
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    (Ok(findings), stream)
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
            .map(|e| crate::scan::ScanError {
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
            started.elapsed(),
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    progress::finish();
}

fn list_rules(rule_files: &[PathBuf], json: bool) -> Result<Outcome> {
    let detector = build_detector(&Config::default(), rule_files, &[], true)?;
    let mut out = BufWriter::new(std::io::stdout());
    if json {
        let rules: Vec<_> = detector.rules().iter().map(rule_json).collect();
        serde_json::to_writer_pretty(&mut out, &rules)?;
        writeln!(out)?;
    } else {
        for rule in detector.rules() {
            writeln!(
                out,
                "{:<40} {:<9} {:<20} {}",
                rule.id,
                rule.severity.as_str(),
                rule.provider.as_deref().unwrap_or("-"),
                rule.name
            )?;
        }
        let providers: HashSet<&str> = detector
            .rules()
            .iter()
            .filter_map(|r| r.provider.as_deref())
            .collect();
        writeln!(
            out,
            "{} rules, {} providers",
            detector.rules().len(),
            providers.len()
        )?;
    }
    out.flush()?;
    Ok(Outcome::Clean)
}

/// One rule's metadata as `ferret rules list --format json` prints it.
fn rule_json(rule: &Rule) -> serde_json::Value {
    serde_json::json!({
        "id": &*rule.id,
        "name": &*rule.name,
        "provider": rule.provider.as_deref(),
        "severity": rule.severity.as_str(),
        "keywords": rule.keywords,
        "pattern": rule.pattern,
        "structured": rule.structured,
        "rotate": rule.rotate.as_deref(),
        "verify": rule.verify.is_some(),
        "companion": rule.companion,
        "defined_at": rule.defined_at,
    })
}

/// Whether `path` is a verifier file (`[verifier."rule-id"]` tables) rather than a rule file.
fn is_verify_file(path: &Path) -> Result<bool> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .parse::<toml::Table>()
        .is_ok_and(|t| t.contains_key("verifier")))
}

/// Checks a verifier file against the built-in rules plus the rule files checked with it: every
/// verifier must name an existing rule and use only placeholders that rule captures.
fn check_verify_file(file: &Path, rule_files: &[&PathBuf]) -> Result<bool> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.display().to_string();
    let specs = crate::verify::spec::parse_verify_file(&name, &text)?;
    let count = specs.len();
    let mut rules = embedded_rules()?;
    for f in rule_files {
        rules.extend(load_rule_file(f)?);
    }
    let problems = crate::detect::rules::attach_verifiers(&mut rules, specs, &name)?;
    for p in &problems {
        println!("{p}");
    }
    if problems.is_empty() {
        println!("{name}: {count} verifiers, all attached to known rules");
    }
    Ok(problems.is_empty())
}

fn check_rule_files(files: &[PathBuf]) -> Result<Outcome> {
    let mut failed = false;
    let mut verify_files = Vec::new();
    let mut rule_files = Vec::new();
    for file in files {
        if is_verify_file(file)? {
            verify_files.push(file);
        } else {
            rule_files.push(file);
        }
    }
    for file in &verify_files {
        failed |= !check_verify_file(file, &rule_files)?;
    }
    for file in rule_files {
        let rules = load_rule_file(file)?;
        let count = rules.len();
        let detector = Detector::new(rules)?;
        let failures = check_examples(&detector, true);
        for f in &failures {
            println!("{}: {}: {}", f.defined_at, f.rule_id, f.message);
        }
        if failures.is_empty() {
            println!("{}: {count} rules, all examples pass", file.display());
        } else {
            failed = true;
            println!(
                "{}: {} problems in {count} rules",
                file.display(),
                failures.len()
            );
        }
    }
    Ok(if failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
