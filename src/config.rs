//! `ferret.toml`: per-project rules, disabled rules, allowlists and scan defaults.
//!
//! Where a configuration comes from decides what it may do. One the user names (`--config`) or
//! keeps in their own config directory is trusted. One found in the scanned tree belongs to
//! whoever wrote that tree: it may narrow or annotate what is reported (rules, allowlists,
//! disabled rules, scan defaults) but never decide where a secret is sent, so its verifiers are
//! dropped with a warning. They are ignored rather than refused so that a hostile repository
//! cannot turn its own scan into an error, and everything else it says still applies.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::detect::Confidence;
use crate::detect::rules::RuleSpec;

/// File names looked for at the scan root when `--config` is not given.
pub const CONFIG_FILE_NAMES: &[&str] = &["ferret.toml", ".ferret.toml"];

/// The parsed configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Extra rules, same schema as `rules/*.toml`.
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
    /// Rule ids to turn off.
    #[serde(default)]
    pub disabled_rules: Vec<String>,
    /// Allowlists.
    #[serde(default)]
    pub allow: Vec<AllowSpec>,
    /// Lowest confidence to report when `--confidence` is not given.
    pub confidence: Option<Confidence>,
    /// Scan defaults.
    #[serde(default)]
    pub scan: ScanSection,
    /// The project's salt for fingerprints (see `crate::fingerprint`): any text, the same on every
    /// machine that scans the project.
    pub fingerprint_salt: Option<String>,
    /// Where it was read from, for messages.
    #[serde(skip)]
    pub source: Option<PathBuf>,
    /// Every file that went into this configuration, with how far it is trusted.
    #[serde(skip)]
    pub used: Vec<UsedConfig>,
    /// Parts of a configuration that were ignored, one message each (shown on stderr).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// How far a configuration file is trusted: it may define verifiers only when trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// Named with `--config` or in the user's own config directory.
    Trusted,
    /// Found in the scanned tree (or a revision of it): reporting settings only.
    Repository,
}

/// One configuration file a scan used, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedConfig {
    /// The file (with the revision it was read from, for a base revision's config).
    pub name: String,
    /// How far it was trusted.
    pub trust: Trust,
}

impl UsedConfig {
    /// The file's name, marked `(from the scanned tree; reporting only)` when untrusted.
    pub fn describe(&self) -> String {
        match self.trust {
            Trust::Trusted => self.name.clone(),
            Trust::Repository => format!("{} (from the scanned tree; reporting only)", self.name),
        }
    }
}

/// Where to look for configuration.
#[derive(Debug, Clone, Default)]
pub struct ConfigRequest<'a> {
    /// `--config`: used alone, trusted.
    pub explicit: Option<&'a Path>,
    /// The scan root, where `ferret.toml` is looked for (untrusted).
    pub root: Option<&'a Path>,
    /// The repository's config as already read from a base revision: (name, text). Replaces the
    /// one at `root`.
    pub base_revision: Option<(String, String)>,
    /// The user's own config file, if any (trusted).
    pub user: Option<PathBuf>,
}

/// One `[[allow]]` table: a finding is dropped when it belongs to one of `rules` (all rules when
/// empty) and its path matches `paths` or `path_regexes`, its secret matches `regexes` or contains
/// a `stopwords` entry, or its commit is in `commits` (all of those listed, with `condition =
/// "and"`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowSpec {
    /// Why this allowlist exists.
    pub description: Option<String>,
    /// Rule ids it applies to; empty means every rule.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Glob patterns over the reported path.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes over the secret.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Case-insensitive substrings of the secret.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Regexes over the reported path (what gitleaks' allowlist `paths` are).
    #[serde(default)]
    pub path_regexes: Vec<String>,
    /// Commits (full or abbreviated ids) whose findings are dropped: in a git scan, the commit
    /// that introduced the blob at the finding's path.
    #[serde(default)]
    pub commits: Vec<String>,
    /// Whether any listed criterion drops a finding (`"or"`, the default) or all must match
    /// (`"and"`).
    #[serde(default)]
    pub condition: AllowCondition,
}

/// How the criteria of one `[[allow]]` table combine.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllowCondition {
    /// Any criterion that matches drops the finding.
    #[default]
    Or,
    /// Every criterion listed must match.
    And,
}

/// `[scan]`: defaults for command-line options.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanSection {
    /// Globs of paths not to scan.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Largest file to scan, e.g. "25MB".
    pub max_file_size: Option<String>,
}

impl Config {
    /// Reads a trusted configuration file; errors name the file and the line.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let mut config = Self::parse(&text, &path.display().to_string(), Trust::Trusted)?;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses configuration `text` read from `name`, dropping what `trust` does not allow.
    pub fn parse(text: &str, name: &str, trust: Trust) -> Result<Self> {
        let mut config: Config =
            toml::from_str(text).with_context(|| format!("invalid config file {name}"))?;
        config.source = Some(PathBuf::from(name));
        config.used.push(UsedConfig {
            name: name.to_string(),
            trust,
        });
        if trust == Trust::Repository {
            config.drop_verifiers(name);
        }
        Ok(config)
    }

    /// Removes every `verify` table from the rules, with a warning naming the file and rules.
    fn drop_verifiers(&mut self, name: &str) {
        let mut dropped = Vec::new();
        for rule in &mut self.rule {
            if rule.verify.take().is_some() {
                dropped.push(rule.id.get_ref().clone());
            }
        }
        if !dropped.is_empty() {
            self.warnings.push(format!(
                "{name}: ignored the verification of rule(s) {}: a configuration found in the \
                 scanned tree may not decide where secrets are sent (pass it with --config, or put \
                 it in your user config, to trust it)",
                dropped.join(", ")
            ));
        }
    }

    /// The config a command outside a scan sees: `--config`, else the user's and the one at `root`.
    pub fn discover(explicit: Option<&Path>, root: Option<&Path>) -> Result<Self> {
        Self::resolve(ConfigRequest {
            explicit,
            root,
            base_revision: None,
            user: user_config_path(),
        })
    }

    /// The configuration for a scan: `--config` alone if given; otherwise the user's own config
    /// merged with the repository's (from the base revision if given, else found at the root).
    pub fn resolve(request: ConfigRequest<'_>) -> Result<Self> {
        if let Some(path) = request.explicit {
            return Self::load(path);
        }
        let mut config = match &request.user {
            Some(path) if path.is_file() => Self::load(path)?,
            _ => Self::default(),
        };
        let repository = match request.base_revision {
            Some((name, text)) => Some(Self::parse(&text, &name, Trust::Repository)?),
            None => match request.root.and_then(find_in) {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read config file {}", path.display()))?;
                    Some(Self::parse(
                        &text,
                        &path.display().to_string(),
                        Trust::Repository,
                    )?)
                }
                None => None,
            },
        };
        if let Some(repository) = repository {
            config.merge(repository);
        }
        Ok(config)
    }

    /// Adds `other`'s rules, disabled rules, allowlists and excludes to this one; its
    /// `max_file_size` wins when it sets one.
    fn merge(&mut self, other: Config) {
        self.rule.extend(other.rule);
        self.disabled_rules.extend(other.disabled_rules);
        self.allow.extend(other.allow);
        self.scan.exclude.extend(other.scan.exclude);
        if other.scan.max_file_size.is_some() {
            self.scan.max_file_size = other.scan.max_file_size;
        }
        // The project's salt is the repository's to choose: a different salt only makes its
        // baseline stop matching, so it can add findings but never hide one.
        if other.fingerprint_salt.is_some() {
            self.fingerprint_salt = other.fingerprint_salt;
        }
        // Like an allowlist, the repository's confidence floor narrows what is reported; in a
        // pull-request gate it comes from the base revision.
        if other.confidence.is_some() {
            self.confidence = other.confidence;
        }
        if self.source.is_none() {
            self.source = other.source;
        }
        self.used.extend(other.used);
        self.warnings.extend(other.warnings);
    }
}

/// The first of [`CONFIG_FILE_NAMES`] that is a file in `root`.
fn find_in(root: &Path) -> Option<PathBuf> {
    CONFIG_FILE_NAMES
        .iter()
        .map(|name| root.join(name))
        .find(|candidate| candidate.is_file())
}

/// The user's own configuration file: `$XDG_CONFIG_HOME/ferret/config.toml`, else
/// `~/.config/ferret/config.toml` (whether or not it exists).
pub fn user_config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".config"))
        })?;
    Some(base.join("ferret").join("config.toml"))
}

/// Parses a size such as `1048576`, `512K`, `25MB`, `256MiB` into bytes, with the one convention
/// ferret also prints sizes in (the `bytesize` crate's): K/KB/MB/GB are powers of 1000,
/// KiB/MiB/GiB powers of 1024.
pub fn parse_size(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<bytesize::ByteSize>()
        .map(|size| size.as_u64())
        .map_err(|e| format!("invalid size {text:?} ({e}): expected e.g. 25MB or 256MiB"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WITH_VERIFY: &str = r#"
[[rule]]
id = "acme-token"
name = "ACME token"
keywords = ["acme_"]
pattern = '\b(?P<secret>acme_[a-z0-9]{8})\b'
verify = { provider = "acme", url = "https://collector.example/{secret}" }

[[allow]]
paths = ["docs/**"]
"#;

    #[test]
    fn a_repository_config_keeps_its_rules_but_not_their_verifiers() {
        let config = Config::parse(WITH_VERIFY, "repo/ferret.toml", Trust::Repository).unwrap();
        assert_eq!(config.rule.len(), 1);
        assert!(config.rule[0].verify.is_none());
        assert_eq!(config.allow.len(), 1);
        assert_eq!(config.warnings.len(), 1);
        assert!(config.warnings[0].contains("repo/ferret.toml"));
        assert!(config.warnings[0].contains("acme-token"));

        let trusted = Config::parse(WITH_VERIFY, "mine.toml", Trust::Trusted).unwrap();
        assert!(trusted.rule[0].verify.is_some());
        assert!(trusted.warnings.is_empty());
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("2K"), Ok(2000));
        assert_eq!(parse_size("25MB"), Ok(25_000_000));
        assert_eq!(parse_size("256MiB"), Ok(256 << 20));
        assert_eq!(parse_size("1g"), Ok(1_000_000_000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5 parsecs").is_err());
        // What ferret prints, it reads back.
        let printed = crate::report::human_bytes(25_000_000);
        assert_eq!(parse_size(&printed), Ok(25_000_000));
    }
}
