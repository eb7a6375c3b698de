//! `ferret.toml`: per-project rules, disabled rules, allowlists and scan defaults.

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
    /// Where it was read from, for messages.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// One `[[allow]]` table: a finding is dropped when it belongs to one of `rules` (all rules when
/// empty) and its path matches `paths`, or its secret matches `regexes` or contains a `stopwords` entry.
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
    /// Reads a configuration file; errors name the file and the line.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let mut config: Config = toml::from_str(&text)
            .with_context(|| format!("invalid config file {}", path.display()))?;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// `--config` if given, else the first of [`CONFIG_FILE_NAMES`] in `root`, else the defaults.
    pub fn discover(explicit: Option<&Path>, root: Option<&Path>) -> Result<Self> {
        if let Some(path) = explicit {
            return Self::load(path);
        }
        if let Some(root) = root {
            for name in CONFIG_FILE_NAMES {
                let candidate = root.join(name);
                if candidate.is_file() {
                    return Self::load(&candidate);
                }
            }
        }
        Ok(Self::default())
    }
}

/// Parses a size such as `1048576`, `512K`, `25MB`, `1G` into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits_end);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid size {text:?}: expected a number like 25MB"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "invalid size unit {other:?} in {text:?} (use K, M or G)"
            ));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size {text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert_eq!(parse_size("25MB"), Ok(25 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5TB").is_err());
    }
}
