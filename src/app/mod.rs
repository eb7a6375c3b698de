//! Runs a parsed command line: builds the detector and filter, runs a source on worker threads,
//! collects findings on another, and writes the report.

pub mod merge_run;
pub mod options;
pub mod output;
pub mod recheck_run;
pub mod scan_run;
pub mod targets_run;
pub mod upgrade;

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::CommandFactory;

use crate::cli::{
    BaselineCommand, BaselineCreateArgs, Cli, Command, CommonArgs, ConfigCommand, FailOn,
    HookCommand, ReportCommand, RulesCommand, RulesFormat, ScanTarget,
};
use crate::config::Config;
use crate::detect::rules::{embedded_rules, load_rule_file};
use crate::detect::{Detector, Rule, examples::check_examples};
use crate::escape::escape_control;
use crate::pipeline::collapse::GitVersions;
use crate::report::Format;
use crate::source;
use output::open_output;
pub use scan_run::{RepoSettings, build_detector, fingerprint_salt, run_scan, run_scan_with};

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
            let mut opts = options::dir_options(&args);
            run_scan(&args.common, root.as_deref(), move |scanner, config| {
                opts.excludes.extend(config.scan.exclude.iter().cloned());
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
            let opts = options::image_options(&args)?;
            run_scan(&args.common, None, move |scanner, _| {
                source::image::scan_images(&opts, scanner)
            })
        }
        Command::Baseline(BaselineCommand::Create(args)) => create_baseline(&args),
        Command::Baseline(BaselineCommand::Upgrade(args)) => {
            upgrade::upgrade(&args)?;
            Ok(Outcome::Clean)
        }
        Command::Hook(HookCommand::Install(args)) => {
            let hook = crate::hook::install_pre_commit_hook(&args.path, args.force)?;
            eprintln!("ferret: installed {}", hook.display());
            Ok(Outcome::Clean)
        }
        Command::Scan(ScanTarget::CiLog(args)) => {
            let opts = options::ci_log_options(&args);
            run_scan(&args.common, None, move |scanner, _| {
                source::cilog::scan_paths(&opts, scanner)
            })
        }
        Command::Scan(ScanTarget::GithubActions(args)) => {
            let opts = options::github_options(&args)?;
            run_scan(&args.common, None, move |scanner, _| {
                source::cilog::github::scan(&opts, scanner)
            })
        }
        Command::Scan(ScanTarget::GitlabCi(args)) => {
            let opts = options::gitlab_options(&args)?;
            run_scan(&args.common, None, move |scanner, _| {
                source::cilog::gitlab::scan(&opts, scanner)
            })
        }
        Command::Scan(ScanTarget::Targets(args)) => targets_run::scan_targets_file(&args),
        Command::Scan(ScanTarget::GithubOrg(args)) => targets_run::scan_github_org(&args),
        Command::Scan(ScanTarget::GitlabGroup(args)) => targets_run::scan_gitlab_group(&args),
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
                (Some(range), Some(root)) => scan_run::base_revision_settings(root, range)?,
                _ => RepoSettings::at(root),
            };
            let opts = options::git_options(&args.target, &args, args.common.quiet);
            let staged = args.staged;
            let versions = if args.all_occurrences {
                GitVersions::EachVersion
            } else {
                GitVersions::Collapse
            };
            let outcome = run_scan_with(&args.common, settings, versions, move |scanner, _| {
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
        Command::Report(ReportCommand::Merge(args)) => merge_run::merge(&args),
        Command::Recheck(args) => recheck_run::recheck(&args),
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

/// What a blocked commit is told after the findings: the three ways out.
const BLOCKED_COMMIT_HELP: &str = "\nferret: this commit adds the secrets above, so it was stopped. Either:\n\
  1. remove the secret from the staged file (and rotate it if it was ever pushed), or\n\
  2. if it is not a real secret, add the comment `ferret:allow` on its line, or\n\
  3. add its fingerprint (shown above) to .ferretignore at the repository root.\n";

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
            name_in_notes: false,
            credentials: None,
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

fn list_rules(rule_files: &[PathBuf], json: bool) -> Result<Outcome> {
    let (detector, _) = build_detector(&Config::default(), rule_files, &[], true)?;
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
        "verify": rule.live_checked,
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
    // Rule files checked together may redefine built-in ids: only the file's checks are looked at.
    let problems = crate::verify::Verifiers::default().add(&mut rules, specs, &name);
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
        let mut rules = load_rule_file(file)?;
        let count = rules.len();
        // Examples run as a scan runs them: with the live checks attached.
        crate::verify::Verifiers::attach(&mut rules)?;
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
