//! Filtering: allowlists, inline `ferret:allow` comments, `.ferretignore` fingerprints and baselines.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;

use crate::config::AllowSpec;
use crate::detect::Rule;
use crate::detect::rules::build_regex;
use crate::finding::Finding;

/// The marker that suppresses findings on its line.
pub const INLINE_ALLOW: &[u8] = b"ferret:allow";
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
    regexes: Vec<Regex>,
    stopwords: Vec<String>,
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
        let regexes = spec
            .regexes
            .iter()
            .map(|r| build_regex(r).with_context(|| format!("{what}: invalid regex {r:?}")))
            .collect::<Result<_>>()?;
        Ok(Self {
            rules: spec.rules.iter().cloned().collect(),
            paths,
            regexes,
            stopwords: spec
                .stopwords
                .iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
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
        if self.paths.as_ref().is_some_and(|p| p.is_match(path)) {
            return true;
        }
        if self
            .regexes
            .iter()
            .any(|r| r.is_match(finding.secret.as_bytes()))
        {
            return true;
        }
        let lower = finding.secret.to_ascii_lowercase();
        self.stopwords.iter().any(|w| lower.contains(w.as_str()))
    }
}

/// Everything that can suppress a finding, plus a record of which baseline entries were seen.
#[derive(Debug, Default)]
pub struct Filter {
    allowlists: Vec<Allowlist>,
    ignored: HashSet<String>,
    baseline: HashSet<String>,
    baseline_seen: Mutex<HashSet<String>>,
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

    /// Adds the fingerprints of an ignore file (one per line; `#` starts a comment).
    pub fn load_ignore_file(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read ignore file {}", path.display()))?;
        self.load_ignore_text(&text, &path.display().to_string())
    }

    /// Adds the fingerprints of ignore-file `text` read from `name` (a base revision's
    /// `.ferretignore`, in a pull-request gate).
    pub fn load_ignore_text(&mut self, text: &str, name: &str) -> Result<()> {
        for (n, line) in text.lines().enumerate() {
            let entry = line.split('#').next().unwrap_or("").trim();
            if entry.is_empty() {
                continue;
            }
            // Accept `fingerprint` or `something:fingerprint` (the last field is the fingerprint).
            let fp = entry.rsplit(':').next().unwrap_or(entry).trim();
            if fp.len() != 32 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
                anyhow::bail!(
                    "{name}:{}: {entry:?} is not a ferret fingerprint (32 hex characters)",
                    n + 1
                );
            }
            self.ignored.insert(fp.to_ascii_lowercase());
        }
        Ok(())
    }

    /// Sets the baseline's fingerprints.
    pub fn set_baseline(&mut self, fingerprints: HashSet<String>) {
        self.baseline = fingerprints;
    }

    /// Whether a file can be skipped entirely: an allowlist for every rule matches its path.
    pub fn path_fully_allowed(&self, path: &str) -> bool {
        let path = path.trim_start_matches("./");
        self.allowlists
            .iter()
            .any(|a| a.rules.is_empty() && a.paths.as_ref().is_some_and(|p| p.is_match(path)))
    }

    /// Returns why `finding` must not be reported, if it must not. `line_text` is the text of the
    /// lines the secret spans, for inline allow comments.
    pub fn check(&self, rule: &Rule, finding: &Finding, line_text: &[u8]) -> Option<Suppression> {
        if memchr::memmem::find(line_text, INLINE_ALLOW).is_some() {
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
        if self.ignored.contains(&finding.fingerprint) {
            return Some(Suppression::IgnoreFile);
        }
        if self.baseline.contains(&finding.fingerprint) {
            self.baseline_seen
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(finding.fingerprint.clone());
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
