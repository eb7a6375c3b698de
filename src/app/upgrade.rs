//! `ferret baseline upgrade`: rewrites the old (v1) fingerprints of a baseline or ignore file as
//! current ones. A fingerprint cannot be turned into another without its secret, so the target is
//! scanned again (as `baseline create` scans it) to learn which old fingerprint is which new one.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::{DEFAULT_MAX_FILE_SIZE, build_detector, fingerprint_salt};
use crate::cli::BaselineUpgradeArgs;
use crate::config::Config;
use crate::filter::{Filter, ignore_entry};
use crate::fingerprint;
use crate::pipeline::Finding;
use crate::scan::Scanner;
use crate::source;

/// What an upgrade did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UpgradeSummary {
    /// Old entries rewritten.
    pub upgraded: usize,
    /// Old entries whose secret the scan did not find, left as they were.
    pub not_found: usize,
}

/// Upgrades `args.file` in place and says what it did on standard error.
pub fn upgrade(args: &BaselineUpgradeArgs) -> Result<UpgradeSummary> {
    let file = &args.file;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let is_json = text.trim_start().starts_with(['[', '{']);
    let old_entries = if is_json {
        count_legacy_json(baseline_entries(&parse_json(file, &text)?, file)?)
    } else {
        text.lines()
            .filter_map(ignore_entry)
            .filter(|fp| fingerprint::is_legacy(fp))
            .count()
    };
    if old_entries == 0 {
        eprintln!(
            "ferret: {} has no old fingerprints; nothing to do",
            file.display()
        );
        return Ok(UpgradeSummary::default());
    }
    let map = old_to_new(args)?;
    let (rewritten, summary) = if is_json {
        rewrite_json(file, &text, &map)?
    } else {
        rewrite_ignore_file(&text, &map)
    };
    replace_file(file, rewritten.as_bytes())?;
    eprintln!(
        "ferret: upgraded {} old fingerprints in {}",
        summary.upgraded,
        file.display()
    );
    if summary.not_found > 0 {
        eprintln!(
            "ferret: {} old entries of {} are for secrets no longer found in {}; they were left \
             as they are (remove them if the secrets are gone)",
            summary.not_found,
            file.display(),
            args.path.display()
        );
    }
    Ok(summary)
}

/// Scans `args.path` and maps each finding's old fingerprint to its current one.
fn old_to_new(args: &BaselineUpgradeArgs) -> Result<HashMap<String, String>> {
    if std::fs::symlink_metadata(&args.path).is_err() {
        bail!("path does not exist: {}", args.path.display());
    }
    let is_repo = args.path.join(".git").exists() || args.path.join("HEAD").is_file();
    let use_git = !args.dir && is_repo;
    let target = args.path.display().to_string();
    let root = if use_git {
        source::git::config_root(&target)?
    } else {
        args.path.is_dir().then(|| args.path.clone())
    };
    let config = Config::discover(args.config.as_deref(), root.as_deref())?;
    let (detector, _) = build_detector(&config, &args.rule_files, &[], false)?;
    // No allowlists, ignore file or baseline: every entry of the file being upgraded must be seen.
    let mut filter = Filter::new(&[])?;
    if let Some(salt) = fingerprint_salt(&config)? {
        filter.set_fingerprint_salt(salt);
    }
    let (tx, rx) = crossbeam_channel::bounded::<Finding>(4096);
    let mut scanner = Scanner::new(detector, filter, DEFAULT_MAX_FILE_SIZE, tx);
    let (map, result) = std::thread::scope(|s| {
        let collector = s.spawn(move || {
            rx.into_iter()
                .map(|f| (f.legacy_fingerprint, f.fingerprint))
                .collect::<HashMap<_, _>>()
        });
        let result = if use_git {
            let opts = source::git::GitOptions {
                target,
                quiet: true,
                ..Default::default()
            };
            source::git::scan(&opts, &scanner)
        } else {
            let opts = source::fs::DirOptions {
                archive_limits: Default::default(),
                roots: vec![args.path.clone()],
                gitignore: false,
                excludes: config.scan.exclude.clone(),
                follow_symlinks: false,
                threads: 0,
            };
            source::fs::scan_dirs(&opts, &scanner)
        };
        scanner.close_sink();
        (collector.join().unwrap_or_default(), result)
    });
    result.with_context(|| format!("cannot scan {}", args.path.display()))?;
    for e in scanner.stats.error_list() {
        eprintln!("ferret: could not scan {}: {}", e.subject, e.message);
    }
    Ok(map)
}

fn parse_json(file: &Path, text: &str) -> Result<Value> {
    serde_json::from_str(text).with_context(|| format!("{} is not valid JSON", file.display()))
}

/// The entries of a baseline: a JSON array of findings or an object with a `findings` array.
fn baseline_entries<'v>(doc: &'v Value, file: &Path) -> Result<&'v Vec<Value>> {
    match doc {
        Value::Array(items) => Ok(items),
        Value::Object(obj) => obj
            .get("findings")
            .and_then(Value::as_array)
            .with_context(|| format!("baseline {} has no \"findings\" array", file.display())),
        _ => bail!(
            "baseline {} must be a JSON array of findings or an object with \"findings\"",
            file.display()
        ),
    }
}

fn count_legacy_json(entries: &[Value]) -> usize {
    entries
        .iter()
        .filter_map(|e| e.get("fingerprint").and_then(Value::as_str))
        .filter(|fp| fingerprint::is_legacy(fp))
        .count()
}

/// Rewrites a baseline's old fingerprints; every other field is kept as it was.
fn rewrite_json(
    file: &Path,
    text: &str,
    map: &HashMap<String, String>,
) -> Result<(String, UpgradeSummary)> {
    let mut doc = parse_json(file, text)?;
    let entries = match &mut doc {
        Value::Array(items) => items,
        Value::Object(obj) => match obj.get_mut("findings") {
            Some(Value::Array(items)) => items,
            _ => bail!("baseline {} has no \"findings\" array", file.display()),
        },
        _ => bail!("baseline {} is not a ferret baseline", file.display()),
    };
    let mut summary = UpgradeSummary::default();
    for entry in entries.iter_mut() {
        let Some(slot) = entry.get_mut("fingerprint") else {
            continue;
        };
        let Some(old) = slot.as_str().map(str::to_ascii_lowercase) else {
            continue;
        };
        if !fingerprint::is_legacy(&old) {
            continue;
        }
        match map.get(&old) {
            Some(new) => {
                *slot = Value::String(new.clone());
                summary.upgraded += 1;
            }
            None => summary.not_found += 1,
        }
    }
    let mut out = serde_json::to_string_pretty(&doc)?;
    out.push('\n');
    Ok((out, summary))
}

/// Rewrites an ignore file's old fingerprints in place on their lines; comments and any
/// `something:` prefix stay.
fn rewrite_ignore_file(text: &str, map: &HashMap<String, String>) -> (String, UpgradeSummary) {
    let mut summary = UpgradeSummary::default();
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        match ignore_entry(line).filter(|fp| fingerprint::is_legacy(fp)) {
            Some(old) => match map.get(&old.to_ascii_lowercase()) {
                Some(new) => {
                    out.push_str(&line.replacen(old, new, 1));
                    summary.upgraded += 1;
                }
                None => {
                    out.push_str(line);
                    summary.not_found += 1;
                }
            },
            None => out.push_str(line),
        }
    }
    (out, summary)
}

/// Replaces `file` with `contents` through a new file in the same directory, so a failure leaves
/// the old file whole and a symlink at the path is replaced rather than written through.
fn replace_file(file: &Path, contents: &[u8]) -> Result<()> {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".ferret-upgrade-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write next to {}", file.display()))?;
    tmp.write_all(contents)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", file.display()))?;
    tmp.persist(file)
        .with_context(|| format!("cannot replace {}", file.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_file_lines_keep_comments_and_prefixes() {
        let old = "0123456789abcdef0123456789abcdef";
        let gone = "fedcba9876543210fedcba9876543210";
        let new = format!("{}{}", fingerprint::PREFIX, "a".repeat(32));
        let map = HashMap::from([(old.to_string(), new.clone())]);
        let text = format!("# reviewed\nconfig.py:{old}  # test key\n{gone}\n");
        let (out, summary) = rewrite_ignore_file(&text, &map);
        assert_eq!(
            out,
            format!("# reviewed\nconfig.py:{new}  # test key\n{gone}\n")
        );
        assert_eq!(
            summary,
            UpgradeSummary {
                upgraded: 1,
                not_found: 1
            }
        );
    }
}
