//! Filtering: allowlists, inline `ferret:allow` (and gitleaks' `gitleaks:allow`) comments,
//! `.ferretignore` fingerprints, `.gitleaksignore` places and baselines.

pub mod gitleaks_ignore;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;

use crate::config::{AllowCondition, AllowSpec};
use crate::detect::Rule;
use crate::detect::rules::build_regex;
use crate::fingerprint::{self, Fingerprinter};
use crate::pipeline::Finding;
use gitleaks_ignore::{GitleaksEntries, Location, parse_ignore_file};

/// The marker that suppresses findings on its line.
pub const INLINE_ALLOW: &[u8] = b"ferret:allow";
/// gitleaks' marker, honoured the same way so a project switching keeps its reviewed lines quiet.
pub const GITLEAKS_INLINE_ALLOW: &[u8] = b"gitleaks:allow";
/// File of fingerprints to ignore, looked for at the scan root.
pub const IGNORE_FILE_NAME: &str = ".ferretignore";

/// Why a finding was not reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppression {
    /// An `[[allow]]` entry of the config.
    Allowlist,
    /// A `ferret:allow` comment on the line.
    Inline,
    /// Its fingerprint is in `.ferretignore`.
    IgnoreFile,
    /// Its fingerprint is in the baseline.
    Baseline,
}

#[derive(Debug)]
struct Allowlist {
    rules: HashSet<String>,
    paths: Option<GlobSet>,
    path_regexes: Vec<Regex>,
    regexes: Vec<Regex>,
    stopwords: Vec<String>,
    commits: Vec<String>,
    condition: AllowCondition,
}

impl Allowlist {
    fn compile(spec: &AllowSpec) -> Result<Self> {
        let what = spec.description.as_deref().unwrap_or("[[allow]]");
        let paths = if spec.paths.is_empty() {
            None
        } else {
            let mut builder = GlobSetBuilder::new();
            for p in &spec.paths {
                builder
                    .add(Glob::new(p).with_context(|| format!("{what}: invalid path glob {p:?}"))?);
            }
            Some(
                builder
                    .build()
                    .with_context(|| format!("{what}: invalid path globs"))?,
            )
        };
        let compile = |field: &str, patterns: &[String]| {
            patterns
                .iter()
                .map(|r| build_regex(r).with_context(|| format!("{what}: invalid {field} {r:?}")))
                .collect::<Result<Vec<_>>>()
        };
        if let Some(c) = spec
            .commits
            .iter()
            .find(|c| c.len() < 4 || !c.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            anyhow::bail!("{what}: {c:?} in commits is not a commit id (at least 4 hex digits)");
        }
        Ok(Self {
            rules: spec.rules.iter().cloned().collect(),
            paths,
            path_regexes: compile("path regex", &spec.path_regexes)?,
            regexes: compile("regex", &spec.regexes)?,
            stopwords: spec
                .stopwords
                .iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
            commits: spec
                .commits
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect(),
            condition: spec.condition,
        })
    }

    fn applies_to_rule(&self, rule_id: &str) -> bool {
        self.rules.is_empty() || self.rules.contains(rule_id)
    }

    fn allows(&self, finding: &Finding) -> bool {
        if !self.applies_to_rule(&finding.rule_id) {
            return false;
        }
        let path = finding.origin.relative_path().trim_start_matches("./");
        // Each criterion the table lists, evaluated only when it is needed.
        let criteria: [(bool, &dyn Fn() -> bool); 5] = [
            (self.paths.is_some(), &|| {
                self.paths.as_ref().is_some_and(|p| p.is_match(path))
            }),
            (!self.path_regexes.is_empty(), &|| {
                self.path_regexes
                    .iter()
                    .any(|r| r.is_match(path.as_bytes()))
            }),
            (!self.regexes.is_empty(), &|| {
                self.regexes
                    .iter()
                    .any(|r| r.is_match(finding.secret.as_bytes()))
            }),
            (!self.stopwords.is_empty(), &|| {
                let lower = finding.secret.to_ascii_lowercase();
                self.stopwords.iter().any(|w| lower.contains(w.as_str()))
            }),
            (!self.commits.is_empty(), &|| match &*finding.origin {
                crate::pipeline::Origin::Git { commit, .. } => self
                    .commits
                    .iter()
                    .any(|c| crate::filter::gitleaks_ignore::commit_matches(commit, c)),
                _ => false,
            }),
        ];
        let mut listed = criteria.iter().filter(|(listed, _)| *listed);
        match self.condition {
            AllowCondition::Or => listed.any(|(_, check)| check()),
            AllowCondition::And => {
                let mut any = false;
                for (_, check) in listed {
                    if !check() {
                        return false;
                    }
                    any = true;
                }
                any
            }
        }
    }

    /// Whether this table drops every finding under `path`, whatever its rule or secret.
    fn allows_whole_path(&self, path: &str) -> bool {
        let only_paths =
            self.regexes.is_empty() && self.stopwords.is_empty() && self.commits.is_empty();
        let path_matches = self.paths.as_ref().is_some_and(|p| p.is_match(path))
            || self
                .path_regexes
                .iter()
                .any(|r| r.is_match(path.as_bytes()));
        self.rules.is_empty()
            && path_matches
            && (self.condition == AllowCondition::Or
                || (only_paths && (self.paths.is_none() || self.path_regexes.is_empty())))
    }
}

/// A baseline or ignore file that still holds old (v1) fingerprints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyEntries {
    /// The file.
    pub path: PathBuf,
    /// How many of its entries are old fingerprints.
    pub count: usize,
}

/// Everything that can suppress a finding, plus a record of which baseline entries were seen.
#[derive(Debug, Default)]
pub struct Filter {
    allowlists: Vec<Allowlist>,
    fingerprints: Fingerprinter,
    /// Ignore-file entries, current and old fingerprints alike (they cannot collide: see
    /// [`fingerprint::PREFIX`]).
    ignored: HashSet<String>,
    baseline: HashSet<String>,
    baseline_seen: Mutex<HashSet<String>>,
    legacy_files: Vec<LegacyEntries>,
    /// Places named by a `.gitleaksignore`.
    gitleaks_ignored: GitleaksEntries,
    /// Places of the findings of a gitleaks report given as the baseline.
    gitleaks_baseline: GitleaksEntries,
    /// Nothing is suppressed (see [`Filter::suppress_nothing`]).
    suppresses_nothing: bool,
}

impl Filter {
    /// Compiles the config's allowlists.
    pub fn new(allow: &[AllowSpec]) -> Result<Self> {
        Ok(Self {
            allowlists: allow
                .iter()
                .map(Allowlist::compile)
                .collect::<Result<_>>()?,
            ..Self::default()
        })
    }

    /// Derives fingerprints with the project's salt (`fingerprint_salt`) instead of the built-in one.
    pub fn set_fingerprint_salt(&mut self, salt: &str) {
        self.fingerprints = Fingerprinter::new(salt);
    }

    /// Suppresses nothing, for `ferret recheck`: a secret a report listed is looked for where it
    /// was, whatever allowlist, inline comment or ignore entry was added since. Hiding a secret
    /// does not revoke it.
    pub fn suppress_nothing(&mut self) {
        self.suppresses_nothing = true;
    }

    /// What findings' fingerprints are derived with.
    pub fn fingerprints(&self) -> &Fingerprinter {
        &self.fingerprints
    }

    /// Adds the fingerprints of an ignore file (one per line; `#` starts a comment).
    pub fn load_ignore_file(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read ignore file {}", path.display()))?;
        self.load_ignore_text(&text, &path.display().to_string())
    }

    /// Adds the fingerprints of ignore-file `text` read from `name` (a base revision's
    /// `.ferretignore`, in a pull-request gate).
    pub fn load_ignore_text(&mut self, text: &str, name: &str) -> Result<()> {
        let mut legacy = 0;
        for (n, line) in text.lines().enumerate() {
            let Some(fp) = ignore_entry(line) else {
                continue;
            };
            let fp = fp.to_ascii_lowercase();
            if fingerprint::is_legacy(&fp) {
                legacy += 1;
            } else if !fingerprint::is_current(&fp) {
                anyhow::bail!(
                    "{name}:{}: {:?} is not a ferret fingerprint ({} followed by 32 hex characters)",
                    n + 1,
                    line.trim(),
                    fingerprint::PREFIX
                );
            }
            self.ignored.insert(fp);
        }
        self.note_legacy(Path::new(name), legacy);
        Ok(())
    }

    /// Adds the entries of a `.gitleaksignore` file.
    pub fn load_gitleaks_ignore_file(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read ignore file {}", path.display()))?;
        self.load_gitleaks_ignore_text(&text, &path.display().to_string())
    }

    /// Adds the entries of `.gitleaksignore` text read from `name`.
    pub fn load_gitleaks_ignore_text(&mut self, text: &str, name: &str) -> Result<()> {
        self.gitleaks_ignored.extend(parse_ignore_file(text, name)?);
        Ok(())
    }

    /// Uses the places of a gitleaks report's findings as the baseline.
    pub fn set_gitleaks_baseline(&mut self, entries: Vec<Location>) {
        self.gitleaks_baseline.extend(entries);
    }

    /// Whether findings can be suppressed after the scan ([`Filter::drop_later_versions`]), so
    /// they cannot be streamed as they are made.
    pub fn suppresses_after_scan(&self) -> bool {
        !self.gitleaks_ignored.is_empty() || !self.gitleaks_baseline.is_empty()
    }

    /// Removes the other versions of git secrets a gitleaks entry matched (see
    /// [`crate::filter::gitleaks_ignore`]); returns how many findings were removed.
    pub fn drop_later_versions(&self, findings: &mut Vec<Finding>) -> usize {
        self.gitleaks_ignored.drop_later_versions(findings)
            + self.gitleaks_baseline.drop_later_versions(findings)
    }

    /// Sets the baseline's fingerprints, read from `path` (for the old-fingerprint warning).
    pub fn set_baseline(&mut self, path: &Path, fingerprints: HashSet<String>) {
        let legacy = fingerprints
            .iter()
            .filter(|fp| fingerprint::is_legacy(fp))
            .count();
        self.note_legacy(path, legacy);
        self.baseline = fingerprints;
    }

    fn note_legacy(&mut self, path: &Path, count: usize) {
        if count > 0 {
            self.legacy_files.push(LegacyEntries {
                path: path.to_path_buf(),
                count,
            });
        }
    }

    /// Baseline and ignore files that still hold old fingerprints: they match for one more
    /// release, and `ferret baseline upgrade FILE` rewrites them.
    pub fn legacy_files(&self) -> &[LegacyEntries] {
        &self.legacy_files
    }

    /// Whether a file can be skipped entirely: an allowlist for every rule matches its path.
    pub fn path_fully_allowed(&self, path: &str) -> bool {
        if self.suppresses_nothing {
            return false;
        }
        let path = path.trim_start_matches("./");
        self.allowlists.iter().any(|a| a.allows_whole_path(path))
    }

    /// Returns why `finding` must not be reported, if it must not. `line_text` is the text of the
    /// lines the secret spans, for inline allow comments.
    pub fn check(&self, rule: &Rule, finding: &Finding, line_text: &[u8]) -> Option<Suppression> {
        if self.suppresses_nothing {
            return None;
        }
        if memchr::memmem::find(line_text, INLINE_ALLOW).is_some()
            || memchr::memmem::find(line_text, GITLEAKS_INLINE_ALLOW).is_some()
        {
            return Some(Suppression::Inline);
        }
        if !rule.allow_paths.is_empty() {
            let path = finding.origin.relative_path().as_bytes();
            if rule.allow_paths.iter().any(|re| re.is_match(path)) {
                return Some(Suppression::Allowlist);
            }
        }
        if self.allowlists.iter().any(|a| a.allows(finding)) {
            return Some(Suppression::Allowlist);
        }
        if self.ignored.contains(&finding.fingerprint)
            || self.ignored.contains(&finding.legacy_fingerprint)
        {
            return Some(Suppression::IgnoreFile);
        }
        if self.gitleaks_ignored.matches(finding) {
            return Some(Suppression::IgnoreFile);
        }
        if self.gitleaks_baseline.matches(finding) {
            return Some(Suppression::Baseline);
        }
        let in_baseline = [&finding.fingerprint, &finding.legacy_fingerprint]
            .into_iter()
            .find(|fp| self.baseline.contains(*fp));
        if let Some(fp) = in_baseline {
            self.baseline_seen
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(fp.clone());
            return Some(Suppression::Baseline);
        }
        None
    }

    /// Baseline fingerprints that no finding of this scan matched: the secret is gone.
    pub fn stale_baseline_entries(&self) -> Vec<String> {
        let seen = self.baseline_seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut stale: Vec<String> = self.baseline.difference(&seen).cloned().collect();
        stale.sort();
        stale
    }
}

/// The fingerprint on one line of an ignore file, if the line has one: `fingerprint` or
/// `something:fingerprint` (the last field is the fingerprint), `#` starting a comment.
pub fn ignore_entry(line: &str) -> Option<&str> {
    let entry = line.split('#').next().unwrap_or("").trim();
    if entry.is_empty() {
        return None;
    }
    Some(entry.rsplit(':').next().unwrap_or(entry).trim())
}

/// Reads the fingerprints of a baseline: a ferret JSON report (an array of findings) or a file
/// written by `ferret baseline create` (an object with a `findings` array).
pub fn load_baseline(path: &Path) -> Result<HashSet<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read baseline {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("baseline {} is not valid JSON", path.display()))?;
    let entries = match &value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(obj) => obj
            .get("findings")
            .and_then(|f| f.as_array())
            .with_context(|| format!("baseline {} has no \"findings\" array", path.display()))?,
        _ => anyhow::bail!(
            "baseline {} must be a JSON array of findings or an object with \"findings\"",
            path.display()
        ),
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            entry
                .get("fingerprint")
                .and_then(|f| f.as_str())
                .map(str::to_ascii_lowercase)
                .with_context(|| {
                    format!(
                        "baseline {}: entry {} has no \"fingerprint\"",
                        path.display(),
                        i + 1
                    )
                })
        })
        .collect()
}
