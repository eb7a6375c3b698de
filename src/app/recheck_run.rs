//! `ferret recheck REPORT`: reads a report, reads each of its places again into a scanner built
//! as a scan there would build it, recovers each secret by rule and fingerprint, verifies the
//! recovered ones and writes where each stands.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::output::open_output;
use super::scan_run::{build_detector, fingerprint_salt};
use super::{DEFAULT_MAX_FILE_SIZE, Outcome};
use crate::cli::{RecheckArgs, RecheckFormat};
use crate::config::{Config, ConfigRequest, parse_size, user_config_path};
use crate::escape::escape_control;
use crate::filter::Filter;
use crate::pipeline::{Finding, Origin};
use crate::recheck::locate::{Absence, RereadOptions, reread};
use crate::recheck::outcome::{Counts, Evidence, Rechecked, State, decide};
use crate::recheck::plan::{Target, plan, same_place};
use crate::recheck::record::{RecordHeader, write_json, write_sarif, write_text};
use crate::report::read::read_report;
use crate::scan::Scanner;
use crate::verify::{Verifiers, VerifyOptions, verify_findings};

/// Runs `ferret recheck`. A report that cannot be read ends the command, naming the file.
pub fn recheck(args: &RecheckArgs) -> Result<Outcome> {
    let name = args.report.display().to_string();
    let bytes = std::fs::read(&args.report).with_context(|| format!("cannot read {name}"))?;
    let report_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{name}: not a ferret report (not UTF-8 text)"))?;
    let listed = read_report(&name, &text)?.findings;
    // Opened before the places are read, so a bad path fails early.
    let mut out = open_output(args.output.as_deref())?;
    let checked_at = now_rfc3339();

    let plan = plan(listed.iter().map(|f| &*f.origin));
    let mut absences: HashMap<usize, Absence> = plan
        .unreadable
        .iter()
        .map(|(i, why)| (*i, Absence::Unknown(why.clone())))
        .collect();
    // Places whose scans would use the same config files (the salt above all) share a scanner:
    // a report of fifty repositories without their own ferret.toml builds one.
    let mut groups: BTreeMap<Vec<String>, (Config, Vec<Planned>)> = BTreeMap::new();
    let mut config_of_root: HashMap<Option<PathBuf>, Vec<String>> = HashMap::new();
    for (target, indices) in plan.targets {
        let root = match &args.config {
            Some(_) => None,
            None => target.config_root(&listed[indices[0]].origin),
        };
        let key = match config_of_root.get(&root) {
            Some(key) => key.clone(),
            None => {
                let config = resolve_config(args, root.as_deref())?;
                let key: Vec<String> = config.used.iter().map(|u| u.describe()).collect();
                config_of_root.insert(root, key.clone());
                groups.entry(key.clone()).or_insert((config, Vec::new()));
                key
            }
        };
        if let Some((_, targets)) = groups.get_mut(&key) {
            targets.push((target, indices));
        }
    }
    // The verified copy of each secret found again, per listed finding that was found at its
    // place, and per (rule, fingerprint) for the findings whose own place no longer holds it.
    let mut here: HashMap<usize, Finding> = HashMap::new();
    let mut anywhere: HashMap<(Arc<str>, String), Finding> = HashMap::new();
    for (config, targets) in groups.into_values() {
        let group = recheck_group(args, &config, &targets, &listed)?;
        absences.extend(group.absences);
        for (index, found) in group.found {
            let key = (found.rule_id.clone(), found.fingerprint.clone());
            anywhere.entry(key).or_insert_with(|| found.clone());
            here.insert(index, found);
        }
    }

    let rechecked: Vec<Rechecked> = listed
        .iter()
        .enumerate()
        .map(|(index, finding)| {
            let key = (finding.rule_id.clone(), finding.fingerprint.clone());
            let evidence = Evidence {
                here: here.get(&index),
                elsewhere: anywhere.get(&key),
                absence: absences.get(&index),
            };
            decide(finding, &evidence)
        })
        .collect();
    let header = RecordHeader {
        report: &name,
        report_sha256: &report_sha256,
        checked_at: &checked_at,
    };
    match args.format {
        RecheckFormat::Text => write_text(&mut out, &header, &rechecked)?,
        RecheckFormat::Json => write_json(&mut out, &header, &rechecked)?,
        RecheckFormat::Sarif => write_sarif(&mut out, &header, &rechecked)?,
    }
    out.finish()?;
    let counts = Counts::of(&rechecked);
    if !args.quiet && (args.format != RecheckFormat::Text || args.output.is_some()) {
        eprintln!("ferret: recheck: {}", counts.line());
    }
    Ok(if rechecked.iter().any(|r| r.state == State::StillLive) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// A place to read again and the listed findings (indices) that were there.
type Planned = (Target, Vec<usize>);

/// What one group of places gave: the verified copy found at each listed finding's own place,
/// and why the others may not have been found.
struct GroupResult {
    found: Vec<(usize, Finding)>,
    absences: Vec<(usize, Absence)>,
}

/// The config a scan at `root` would use (`--config` alone when given), its warnings printed.
fn resolve_config(args: &RecheckArgs, root: Option<&std::path::Path>) -> Result<Config> {
    let config = Config::resolve(ConfigRequest {
        explicit: args.config.as_deref(),
        root,
        base_revision: None,
        user: user_config_path(),
    })?;
    for warning in &config.warnings {
        eprintln!("ferret: warning: {}", escape_control(warning));
    }
    Ok(config)
}

/// Reads `targets` again into a scanner built with `config`, finds each listed finding again by
/// place, rule and fingerprint, and verifies what was found.
fn recheck_group(
    args: &RecheckArgs,
    config: &Config,
    targets: &[Planned],
    listed: &[Finding],
) -> Result<GroupResult> {
    let (mut scanner, found_rx, verifiers) = build_scanner(args, config)?;
    let reread_opts = RereadOptions {
        insecure_registries: args.insecure_registry.clone(),
    };
    let mut absences = Vec::new();
    // A rule the scan had and this run has not (a `--rules` file left out) finds nothing.
    let known = |id: &str| scanner.detector.rules().iter().any(|r| &*r.id == id);
    for &index in targets.iter().flat_map(|(_, indices)| indices) {
        let rule = &listed[index].rule_id;
        if !known(rule) {
            let why = format!(
                "rule {rule} is not loaded: give the --rules or --config the scan was run with"
            );
            absences.push((index, Absence::Unknown(why)));
        }
    }
    for (target, indices) in targets {
        let origins: Vec<(usize, &Origin)> =
            indices.iter().map(|&i| (i, &*listed[i].origin)).collect();
        // The report says a secret was in this file or blob, so it is read even if it looks
        // binary (as a `--scan-binary` scan found it); a whole image or log is read as scans
        // read them, or rechecking an image would scan every executable in it.
        scanner.scan_binary = matches!(target, Target::File(_) | Target::Repository(_));
        absences.extend(reread(target, &origins, &reread_opts, &scanner));
    }
    scanner.close_sink();
    let made: Vec<Finding> = found_rx.iter().collect();

    let found = find_again(targets, listed, &made, &mut absences);
    let verified = verify_found(args, &scanner, &verifiers, &made, &found)?;
    Ok(GroupResult {
        found: found
            .iter()
            .map(|&(index, at)| (index, verified[&at].clone()))
            .collect(),
        absences,
    })
}

/// The first finding made at each listed finding's place with its rule and fingerprint, as
/// (listed index, index into `made`). A place that now holds another secret of the rule is noted
/// in `absences`, unless a reason is there already.
fn find_again(
    targets: &[Planned],
    listed: &[Finding],
    made: &[Finding],
    absences: &mut Vec<(usize, Absence)>,
) -> Vec<(usize, usize)> {
    let mut by_rule: HashMap<&str, Vec<usize>> = HashMap::new();
    for (at, f) in made.iter().enumerate() {
        by_rule.entry(&*f.rule_id).or_default().push(at);
    }
    let explained: HashSet<usize> = absences.iter().map(|(i, _)| *i).collect();
    let mut found = Vec::new();
    for &index in targets.iter().flat_map(|(_, indices)| indices) {
        let wanted = &listed[index];
        let here: Vec<usize> = by_rule
            .get(&*wanted.rule_id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied()
            .filter(|&at| same_place(&wanted.origin, &made[at].origin))
            .collect();
        match here
            .iter()
            .find(|&&at| made[at].fingerprint == wanted.fingerprint)
        {
            Some(&at) => found.push((index, at)),
            None if !here.is_empty() && !explained.contains(&index) => {
                // Another secret of the rule is there: a new one, or the scan's salt was not
                // this run's, in which case nothing it listed can be recognised.
                let why = format!(
                    "the place holds another {} secret now, not this one (if the scan used \
                     another fingerprint_salt, give its --config)",
                    wanted.rule_id
                );
                absences.push((index, Absence::Gone(why)));
            }
            None => {}
        }
    }
    found
}

/// A scanner as a scan would build one with `config` (its rules, salt and size limit), except
/// that it suppresses nothing and keeps every confidence: the report already chose what to list.
fn build_scanner(
    args: &RecheckArgs,
    config: &Config,
) -> Result<(Scanner, crossbeam_channel::Receiver<Finding>, Verifiers)> {
    let (detector, verifiers) = build_detector(config, &args.rule_files, &[], true)?;
    let mut filter = Filter::new(&[])?;
    if let Some(salt) = fingerprint_salt(config)? {
        filter.set_fingerprint_salt(salt);
    }
    filter.suppress_nothing();
    let max_size = match (args.max_file_size, &config.scan.max_file_size) {
        (Some(n), _) => n,
        (None, Some(text)) => parse_size(text)
            .map_err(anyhow::Error::msg)
            .context("config: [scan] max_file_size")?,
        (None, None) => DEFAULT_MAX_FILE_SIZE,
    };
    // Unbounded: the places are read on this thread before the findings are looked at, and
    // rechecking reads only the places a report named.
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut scanner = Scanner::new(detector, filter, max_size, tx);
    scanner.line_context = false;
    Ok((scanner, rx, verifiers))
}

/// Verifies the findings `found` points at (indices into `made`), each with the findings made at
/// the same place that its check needs (an AWS key id for its secret key), and returns them by
/// index into `made`.
fn verify_found(
    args: &RecheckArgs,
    scanner: &Scanner,
    verifiers: &Verifiers,
    made: &[Finding],
    found: &[(usize, usize)],
) -> Result<HashMap<usize, Finding>> {
    let rules = scanner.detector.rules();
    let mut wanted: Vec<usize> = found.iter().map(|&(_, at)| at).collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let mut batch: Vec<Finding> = wanted.iter().map(|&at| made[at].clone()).collect();
    for &at in &wanted {
        let finding = &made[at];
        let Some(spec) = verifiers.get(&finding.rule_id) else {
            continue;
        };
        let helps = |f: &Finding| {
            spec.partner.as_deref() == Some(&*f.rule_id)
                || spec.companions.values().any(|id| id == &*f.rule_id)
        };
        batch.extend(
            made.iter()
                .filter(|f| f.origin == finding.origin && helps(f))
                .cloned(),
        );
    }
    let opts = VerifyOptions {
        concurrency: args.verify_concurrency,
        timeout: args.verify_timeout,
        endpoints: args.verify_endpoint.clone(),
        cache: None,
        cache_max_age: std::time::Duration::ZERO,
    };
    let stats = verify_findings(&mut batch, rules, verifiers, &opts)?;
    if !args.quiet && stats.checks > 0 {
        eprintln!("{}", stats.line());
    }
    Ok(wanted.into_iter().zip(batch).collect())
}

/// The time now, RFC 3339 in UTC to the second.
fn now_rfc3339() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}
