//! Rule definitions: parsing `rules/*.toml`, validating them, and compiling their patterns.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::checksum::Checksum;
use crate::verify::spec::{VerifySpec, embedded_verifiers};

/// Rule files compiled into the binary: `(file name, contents)`.
static EMBEDDED_RULE_FILES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// How much a finding of a rule matters; `--fail-on` compares against it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Identifiers and low-value credentials.
    Low,
    /// Limited-scope or test-mode credentials.
    Medium,
    /// Most API tokens.
    #[default]
    High,
    /// Cloud root credentials and private keys.
    Critical,
}

impl Severity {
    /// Lower-case name as written in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity {other:?} (low, medium, high, critical)"
            )),
        }
    }
}

/// A class of characters a secret can be required to contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CharClass {
    /// `a-z`.
    Lower,
    /// `A-Z`.
    Upper,
    /// `0-9`.
    Digit,
    /// Any ASCII letter.
    Letter,
    /// Anything but letters, digits and the separators `_ - .`.
    Symbol,
}

impl CharClass {
    /// Whether `b` belongs to this class.
    pub fn contains(self, b: u8) -> bool {
        match self {
            CharClass::Lower => b.is_ascii_lowercase(),
            CharClass::Upper => b.is_ascii_uppercase(),
            CharClass::Digit => b.is_ascii_digit(),
            CharClass::Letter => b.is_ascii_alphabetic(),
            CharClass::Symbol => !b.is_ascii_alphanumeric() && !matches!(b, b'_' | b'-' | b'.'),
        }
    }
}

/// How many of lower, upper, digit and symbol occur in `secret`.
pub fn char_class_count(secret: &[u8]) -> u8 {
    [
        CharClass::Lower,
        CharClass::Upper,
        CharClass::Digit,
        CharClass::Symbol,
    ]
    .iter()
    .filter(|c| secret.iter().any(|&b| c.contains(b)))
    .count() as u8
}

/// One `[[rule]]` table as written in a rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable identifier; part of every fingerprint.
    pub id: Spanned<String>,
    /// Human-readable name.
    pub name: String,
    /// The company or service that issues the credential.
    #[serde(default)]
    pub provider: Option<String>,
    /// How much a finding matters.
    #[serde(default)]
    pub severity: Severity,
    /// Literals that must occur near a match (ASCII case-insensitive).
    pub keywords: Vec<String>,
    /// Byte regex with a `secret` group.
    pub pattern: Spanned<String>,
    /// Shannon entropy floor of the secret.
    pub min_entropy: Option<f64>,
    /// Format checksum the secret carries.
    pub checksum: Option<Checksum>,
    /// Least number of character classes (lower, upper, digit, symbol) the secret must mix.
    pub min_char_classes: Option<u8>,
    /// Character classes the secret must each contain at least once.
    #[serde(default)]
    pub must_contain: Vec<CharClass>,
    /// Regexes on the secret that mark it as not a finding.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Regexes on the whole match (the variable name included) that mark it as not a finding.
    #[serde(default)]
    pub allow_match: Vec<String>,
    /// Regexes on the reported path where this rule's findings are not reported.
    #[serde(default)]
    pub allow_paths: Vec<String>,
    /// Bytes after a keyword hit the pattern may reach.
    pub window: Option<usize>,
    /// Where the credential is revoked or rotated.
    pub rotate: Option<String>,
    /// Snippets that must produce a finding of this rule.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Snippets that must not produce a finding of this rule.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// Declarative live check, used by `--verify`.
    pub verify: Option<VerifySpec>,
    /// Matched only to give verifiers a value found near a secret (a shop domain, an account
    /// e-mail); never reported, and only run with `--verify`.
    #[serde(default)]
    pub companion: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// A compiled rule, ready to run.
#[derive(Debug)]
pub struct Rule {
    /// Stable identifier.
    pub id: Arc<str>,
    /// Human-readable name.
    pub name: Arc<str>,
    /// How much a finding matters.
    pub severity: Severity,
    /// Prefilter literals.
    pub keywords: Vec<String>,
    /// The compiled pattern.
    pub regex: Regex,
    /// Index of the `secret` capture group.
    pub secret_group: usize,
    /// Shannon entropy floor.
    pub min_entropy: Option<f64>,
    /// Format checksum.
    pub checksum: Option<Checksum>,
    /// Least number of character classes the secret must mix.
    pub min_char_classes: u8,
    /// Classes the secret must contain.
    pub must_contain: Vec<CharClass>,
    /// Secrets matching any of these are dropped.
    pub allow: Vec<Regex>,
    /// Whole matches matching any of these are dropped.
    pub allow_match: Vec<Regex>,
    /// Paths where findings of this rule are dropped (applied by the filter).
    pub allow_paths: Vec<Regex>,
    /// Bytes after a keyword hit the pattern may reach.
    pub window: usize,
    /// Rotation link.
    pub rotate: Option<Arc<str>>,
    /// Live check used by `--verify`: the rule's own table or its `rules/verify.toml` entry.
    pub verify: Option<Arc<VerifySpec>>,
    /// A value for verifiers only, never reported (see [`RuleSpec::companion`]).
    pub companion: bool,
    /// Where the rule was defined, for messages: `file:line`.
    pub defined_at: String,
    /// Positive examples.
    pub examples: Vec<String>,
    /// Negative examples.
    pub negative_examples: Vec<String>,
}

/// Default distance a pattern may reach past a keyword hit.
pub const DEFAULT_WINDOW: usize = 1024;
/// Largest regex program a rule may compile to; keeps a careless rule from eating memory.
const REGEX_SIZE_LIMIT: usize = 8 << 20;

/// Parses and compiles the rules of one file. `name` is used in error messages.
pub fn parse_rule_file(name: &str, text: &str) -> Result<Vec<Rule>> {
    let file: RuleFile =
        toml::from_str(text).with_context(|| format!("{name}: invalid rule file"))?;
    use rayon::prelude::*;
    file.rule
        .into_par_iter()
        .map(|spec| {
            let line = line_of(text, spec.id.span().start);
            compile_rule(spec, &format!("{name}:{line}"))
        })
        .collect()
}

/// Parses the rules of a file on disk.
pub fn load_rule_file(path: &Path) -> Result<Vec<Rule>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read rule file {}", path.display()))?;
    parse_rule_file(&path.display().to_string(), &text)
}

/// Returns every rule compiled into the binary, with the verifiers of `rules/verify.toml` attached.
///
/// A verifier for a rule id that does not exist is skipped here (`ferret rules check
/// rules/verify.toml` and the tests fail on it, so ids stay in sync).
pub fn embedded_rules() -> Result<Vec<Rule>> {
    use rayon::prelude::*;
    let files = EMBEDDED_RULE_FILES
        .par_iter()
        .map(|(name, text)| parse_rule_file(&format!("rules/{name}"), text))
        .collect::<Result<Vec<_>>>()?;
    let mut rules: Vec<Rule> = files.into_iter().flatten().collect();
    attach_verifiers(&mut rules, embedded_verifiers()?, "rules/verify.toml")?;
    Ok(rules)
}

/// Attaches `(rule id, spec)` verifiers to `rules` (a rule's own `verify` table wins). Returns the
/// problems: ids that name no rule, and placeholders the rule does not capture (such a check ends
/// `unknown` at run time, naming the missing value).
pub fn attach_verifiers(
    rules: &mut [Rule],
    verifiers: Vec<(String, VerifySpec)>,
    source: &str,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for (id, spec) in verifiers {
        let Some(rule) = rules.iter_mut().find(|r| *r.id == *id) else {
            problems.push(format!("{source}: verifier for unknown rule id {id:?}"));
            continue;
        };
        let names: Vec<&str> = rule.regex.capture_names().flatten().collect();
        if let Err(e) = spec.check_against_rule(&names) {
            problems.push(format!("{source}: verifier for {id:?}: {e}"));
        }
        if rule.verify.is_none() {
            rule.verify = Some(Arc::new(spec));
        }
    }
    Ok(problems)
}

/// Parses rules given inline in a config file (already deserialized).
pub fn compile_specs(specs: Vec<RuleSpec>, source: &str) -> Result<Vec<Rule>> {
    // Compiling patterns is most of ferret's start-up; a pre-commit hook waits for it.
    use rayon::prelude::*;
    specs
        .into_par_iter()
        .map(|spec| {
            let at = format!("{source} (rule {})", spec.id.get_ref());
            compile_rule(spec, &at)
        })
        .collect()
}

fn compile_rule(spec: RuleSpec, defined_at: &str) -> Result<Rule> {
    let id = spec.id.into_inner();
    let fail = |msg: String| anyhow::anyhow!("{defined_at}: rule {id:?}: {msg}");
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(fail("id must be non-empty kebab-case (a-z, 0-9, -)".into()));
    }
    if spec.keywords.is_empty() {
        return Err(fail("needs at least one keyword".into()));
    }
    if let Some(k) = spec.keywords.iter().find(|k| k.is_empty() || !k.is_ascii()) {
        return Err(fail(format!("keyword {k:?} must be non-empty ASCII")));
    }
    let regex = build_regex(spec.pattern.get_ref())
        .map_err(|e| fail(format!("pattern does not compile: {e}")))?;
    let secret_group = regex
        .capture_names()
        .position(|n| n == Some("secret"))
        .ok_or_else(|| fail("pattern has no (?P<secret>...) group".into()))?;
    let compile_all = |field: &str, patterns: &[String]| {
        patterns
            .iter()
            .map(|a| {
                build_regex(a)
                    .map_err(|e| fail(format!("{field} regex {a:?} does not compile: {e}")))
            })
            .collect::<Result<Vec<_>>>()
    };
    let allow = compile_all("allow", &spec.allow)?;
    let allow_match = compile_all("allow_match", &spec.allow_match)?;
    let allow_paths = compile_all("allow_paths", &spec.allow_paths)?;
    if let Some(e) = spec.min_entropy
        && !(0.0..=8.0).contains(&e)
    {
        return Err(fail(format!("min_entropy {e} is outside 0..=8")));
    }
    if let Some(verify) = &spec.verify {
        let names: Vec<&str> = regex.capture_names().flatten().collect();
        verify
            .check_against_rule(&names)
            .map_err(|e| fail(format!("verify: {e}")))?;
    }
    Ok(Rule {
        id: id.as_str().into(),
        name: spec.name.into(),
        severity: spec.severity,
        keywords: spec.keywords,
        regex,
        secret_group,
        min_entropy: spec.min_entropy,
        checksum: spec.checksum,
        min_char_classes: spec.min_char_classes.unwrap_or(0),
        must_contain: spec.must_contain,
        allow,
        allow_match,
        allow_paths,
        window: spec.window.unwrap_or(DEFAULT_WINDOW).clamp(64, 1 << 20),
        rotate: spec.rotate.map(Into::into),
        verify: spec.verify.map(Arc::new),
        companion: spec.companion,
        defined_at: defined_at.to_string(),
        examples: spec.examples,
        negative_examples: spec.negative_examples,
    })
}

/// Compiles a byte regex the way every rule pattern is compiled: ASCII semantics, bounded size.
pub fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// 1-based line number of a byte offset in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Checks that rule ids are unique across a rule set.
pub fn check_unique_ids(rules: &[Rule]) -> Result<()> {
    let mut seen = std::collections::HashMap::new();
    for rule in rules {
        if let Some(first) = seen.insert(rule.id.clone(), &rule.defined_at) {
            bail!(
                "{}: rule id {:?} is already defined at {first}",
                rule.defined_at,
                rule.id
            );
        }
    }
    Ok(())
}
