//! Rule definitions: parsing `rules/*.toml`, validating them, and compiling their patterns.
//!
//! A built-in rule's regexes are compiled the first time its keywords hit, not at start-up: a scan
//! pays only for the rules its input can match, however many rules there are. Rule files a user
//! names (`--rules`, a config's `[[rule]]`) are compiled when they load, so a broken pattern there
//! is an error naming the file; the built-in rules are compiled by their tests.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result, bail};
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use toml::Spanned;

use super::checksum::Checksum;

/// Rule files compiled into the binary: `(file name, contents)`.
static EMBEDDED_RULE_FILES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

pub use crate::pipeline::Severity;

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
    /// Who issues the credential ("GitHub", "Slack"); required of built-in rules by their tests.
    pub provider: Option<String>,
    /// How much a finding matters.
    #[serde(default)]
    pub severity: Severity,
    /// Literals that must occur near a match (ASCII case-insensitive); none for a structured rule.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Byte regex with a `secret` group; none for a structured rule.
    pub pattern: Option<Spanned<String>>,
    /// Found by a credential-file reader (`src/detect/credential_files`) in files whose format
    /// names the field, instead of by keywords and a pattern; examples are files with a path.
    #[serde(default)]
    pub structured: bool,
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
    pub examples: Vec<Example>,
    /// Snippets that must not produce a finding of this rule.
    #[serde(default)]
    pub negative_examples: Vec<Example>,
    /// The rule's own live check, as written: `verify/` reads it (detection never looks inside).
    pub verify: Option<toml::Table>,
    /// Matched only to give verifiers a value found near a secret (a shop domain, an account
    /// e-mail); never reported, and only run with `--verify`.
    #[serde(default)]
    pub companion: bool,
    /// The credential is public by design (a publishable or client-side key meant to be embedded
    /// in front-end code): its findings are reported at low confidence, with that reason.
    #[serde(default)]
    pub public: bool,
}

/// A rule example: a snippet, or a whole file at a path (the form structured rules need, since
/// the path decides which reader runs).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Example {
    /// A snippet scanned as a file of no particular kind.
    Text(String),
    /// A file's contents and the path it is scanned at.
    File(ExampleFile),
}

/// An example file: `{ path = ".netrc", text = "..." }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleFile {
    /// The path the text is scanned at.
    pub path: String,
    /// The file's contents.
    pub text: String,
}

impl Example {
    /// The example's text.
    pub fn text(&self) -> &str {
        match self {
            Example::Text(text) | Example::File(ExampleFile { text, .. }) => text,
        }
    }

    /// The path it is scanned at, if it names one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Example::Text(_) => None,
            Example::File(file) => Some(&file.path),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// A validated rule, ready to run; its regexes compile on first use (see [`Rule::compiled`]).
#[derive(Debug)]
pub struct Rule {
    /// Stable identifier.
    pub id: Arc<str>,
    /// Human-readable name.
    pub name: Arc<str>,
    /// Who issues the credential.
    pub provider: Option<Arc<str>>,
    /// How much a finding matters.
    pub severity: Severity,
    /// Prefilter literals.
    pub keywords: Vec<String>,
    /// The pattern's source text ("" for a structured rule).
    pub pattern: String,
    /// Found by a credential-file reader rather than by a pattern (see [`RuleSpec::structured`]).
    pub structured: bool,
    /// Shannon entropy floor.
    pub min_entropy: Option<f64>,
    /// Format checksum.
    pub checksum: Option<Checksum>,
    /// Least number of character classes the secret must mix.
    pub min_char_classes: u8,
    /// Classes the secret must contain.
    pub must_contain: Vec<CharClass>,
    /// Sources of the `allow` regexes (compiled with the pattern).
    allow: Vec<String>,
    /// Sources of the `allow_match` regexes (compiled with the pattern).
    allow_match: Vec<String>,
    /// Paths where findings of this rule are dropped (applied by the filter). Compiled at load:
    /// few rules have any, and the filter needs them only for rules that found something.
    pub allow_paths: Vec<Regex>,
    /// Bytes after a keyword hit the pattern may reach.
    pub window: usize,
    /// Rotation link.
    pub rotate: Option<Arc<str>>,
    /// The rule's own `verify` table as written, read by `verify/` (see [`RuleSpec::verify`]).
    pub verify_table: Option<Arc<toml::Table>>,
    /// A live check exists for this rule (set by `verify/` when it attaches the checks): where a
    /// credential file's field and this rule's match cover the same bytes, the match is kept,
    /// since it can be proven live.
    pub live_checked: bool,
    /// A value for verifiers only, never reported (see [`RuleSpec::companion`]).
    pub companion: bool,
    /// Public by design (see [`RuleSpec::public`]).
    pub public: bool,
    /// Where the rule was defined, for messages: `file:line`.
    pub defined_at: String,
    /// Positive examples.
    pub examples: Vec<Example>,
    /// Negative examples.
    pub negative_examples: Vec<Example>,
    /// The compiled regexes, or why they do not compile; filled on first use.
    compiled: OnceLock<Result<CompiledRule, String>>,
}

/// The regexes of a rule, compiled.
#[derive(Debug)]
pub struct CompiledRule {
    /// The pattern.
    pub regex: Regex,
    /// Index of the `secret` capture group.
    pub secret_group: usize,
    /// Named groups other than `secret`, `(index, name)`: kept as captures for verifiers.
    pub named_groups: Vec<(usize, Arc<str>)>,
    /// Groups named `user` or `username`: a secret equal to one is a default, not a leak.
    pub user_groups: Vec<usize>,
    /// Secrets matching any of these are dropped.
    pub allow: Vec<Regex>,
    /// Whole matches matching any of these are dropped.
    pub allow_match: Vec<Regex>,
}

impl Rule {
    /// The compiled regexes, compiling them on first use (thread-safe: one thread compiles, the
    /// others wait). The error says what does not compile.
    pub fn compiled(&self) -> Result<&CompiledRule, &str> {
        self.compiled
            .get_or_init(|| self.compile_regexes())
            .as_ref()
            .map_err(String::as_str)
    }

    /// Whether the regexes have been compiled (or tried): a scan compiles only the rules it needs.
    pub fn is_compiled(&self) -> bool {
        self.compiled.get().is_some()
    }

    /// Like [`Rule::compiled`], as an `anyhow` error: for loading and checking rule files.
    pub fn compile(&self) -> Result<&CompiledRule> {
        self.compiled()
            .map_err(|e| anyhow::anyhow!("{}: rule {:?}: {e}", self.defined_at, self.id))
    }

    /// Names of the pattern's capture groups (compiles the rule).
    pub fn capture_names(&self) -> Result<Vec<&str>> {
        Ok(self.compile()?.regex.capture_names().flatten().collect())
    }

    fn compile_regexes(&self) -> Result<CompiledRule, String> {
        if self.structured {
            return Err("a structured rule has no pattern to compile".into());
        }
        let regex =
            build_regex(&self.pattern).map_err(|e| format!("pattern does not compile: {e}"))?;
        let secret_group = regex
            .capture_names()
            .position(|n| n == Some("secret"))
            .ok_or("pattern has no (?P<secret>...) group")?;
        let compile_all = |field: &str, patterns: &[String]| {
            patterns
                .iter()
                .map(|a| {
                    build_regex(a).map_err(|e| format!("{field} regex {a:?} does not compile: {e}"))
                })
                .collect::<Result<Vec<_>, String>>()
        };
        let allow = compile_all("allow", &self.allow)?;
        let allow_match = compile_all("allow_match", &self.allow_match)?;
        let named_groups = regex
            .capture_names()
            .enumerate()
            .filter_map(|(i, name)| Some((i, Arc::from(name.filter(|n| *n != "secret")?))))
            .collect();
        let user_groups = regex
            .capture_names()
            .enumerate()
            .filter(|(_, name)| matches!(name, Some("user" | "username")))
            .map(|(i, _)| i)
            .collect();
        Ok(CompiledRule {
            regex,
            secret_group,
            named_groups,
            user_groups,
            allow,
            allow_match,
        })
    }
}

/// Default distance a pattern may reach past a keyword hit.
pub const DEFAULT_WINDOW: usize = 1024;
/// Largest regex program a rule may compile to; keeps a careless rule from eating memory.
const REGEX_SIZE_LIMIT: usize = 8 << 20;

/// Parses the rules of one file and compiles them. `name` is used in error messages.
pub fn parse_rule_file(name: &str, text: &str) -> Result<Vec<Rule>> {
    compile_now(parse_rules(name, text)?)
}

/// Parses and validates the rules of one file, leaving their regexes to compile on first use.
fn parse_rules(name: &str, text: &str) -> Result<Vec<Rule>> {
    let file: RuleFile =
        toml::from_str(text).with_context(|| format!("{name}: invalid rule file"))?;
    // Rules come in file order, so lines are counted on from the previous rule, not from the top:
    // counting from the top for each rule made start-up quadratic in a rule file's length.
    let mut counted = (0, 1);
    file.rule
        .into_iter()
        .map(|spec| {
            let offset = spec.id.span().start.min(text.len());
            let (from, line) = if offset >= counted.0 { counted } else { (0, 1) };
            let line = line + newlines(&text.as_bytes()[from..offset]);
            counted = (offset, line);
            validate_rule(spec, &format!("{name}:{line}"))
        })
        .collect()
}

/// Compiles every rule's regexes now, failing on the first that does not compile.
fn compile_now(rules: Vec<Rule>) -> Result<Vec<Rule>> {
    use rayon::prelude::*;
    rules
        .par_iter()
        .filter(|r| !r.structured)
        .try_for_each(|r| r.compile().map(|_| ()))?;
    Ok(rules)
}

/// Parses the rules of a file on disk and compiles them.
pub fn load_rule_file(path: &Path) -> Result<Vec<Rule>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read rule file {}", path.display()))?;
    parse_rule_file(&path.display().to_string(), &text)
}

/// Returns every rule compiled into the binary. Their regexes compile on first use; the rule tests
/// compile them all, so none can fail then. Their live checks are attached by `verify/`.
pub fn embedded_rules() -> Result<Vec<Rule>> {
    let mut rules = Vec::new();
    for (name, text) in EMBEDDED_RULE_FILES {
        rules.extend(parse_rules(&format!("rules/{name}"), text)?);
    }
    Ok(rules)
}

/// Validates and compiles rules given inline in a config file (already deserialized).
pub fn compile_specs(specs: Vec<RuleSpec>, source: &str) -> Result<Vec<Rule>> {
    let rules = specs
        .into_iter()
        .map(|spec| {
            let at = format!("{source} (rule {})", spec.id.get_ref());
            validate_rule(spec, &at)
        })
        .collect::<Result<Vec<_>>>()?;
    compile_now(rules)
}

/// Checks what can be checked without compiling the rule's regexes, and builds the rule.
fn validate_rule(spec: RuleSpec, defined_at: &str) -> Result<Rule> {
    let id = spec.id.into_inner();
    let fail = |msg: String| anyhow::anyhow!("{defined_at}: rule {id:?}: {msg}");
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(fail("id must be non-empty kebab-case (a-z, 0-9, -)".into()));
    }
    let pattern = match (spec.structured, spec.pattern) {
        (false, Some(pattern)) => pattern.into_inner(),
        (false, None) => return Err(fail("needs a pattern".into())),
        (true, None) if spec.keywords.is_empty() => String::new(),
        (true, _) => {
            return Err(fail(
                "a structured rule is found by its file's reader: no keywords or pattern".into(),
            ));
        }
    };
    if spec.structured
        && let Some(example) = spec
            .examples
            .iter()
            .chain(&spec.negative_examples)
            .find(|e| e.path().is_none())
    {
        return Err(fail(format!(
            "a structured rule's examples are files: {{ path = ..., text = ... }}, not {:?}",
            example.text()
        )));
    }
    if !spec.structured && spec.keywords.is_empty() {
        return Err(fail("needs at least one keyword".into()));
    }
    if let Some(k) = spec.keywords.iter().find(|k| k.is_empty() || !k.is_ascii()) {
        return Err(fail(format!("keyword {k:?} must be non-empty ASCII")));
    }
    let allow_paths = spec
        .allow_paths
        .iter()
        .map(|a| {
            build_regex(a)
                .map_err(|e| fail(format!("allow_paths regex {a:?} does not compile: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(e) = spec.min_entropy
        && !(0.0..=8.0).contains(&e)
    {
        return Err(fail(format!("min_entropy {e} is outside 0..=8")));
    }
    Ok(Rule {
        id: id.as_str().into(),
        name: spec.name.into(),
        provider: spec.provider.map(Into::into),
        severity: spec.severity,
        keywords: spec.keywords,
        pattern,
        structured: spec.structured,
        min_entropy: spec.min_entropy,
        checksum: spec.checksum,
        min_char_classes: spec.min_char_classes.unwrap_or(0),
        must_contain: spec.must_contain,
        allow: spec.allow,
        allow_match: spec.allow_match,
        allow_paths,
        window: spec.window.unwrap_or(DEFAULT_WINDOW).clamp(64, 1 << 20),
        rotate: spec.rotate.map(Into::into),
        verify_table: spec.verify.map(Arc::new),
        live_checked: false,
        companion: spec.companion,
        public: spec.public,
        defined_at: defined_at.to_string(),
        examples: spec.examples,
        negative_examples: spec.negative_examples,
        compiled: OnceLock::new(),
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
/// How many line breaks `bytes` holds.
fn newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Detector;
    use crate::detect::examples::check_examples;

    const BROKEN: &str = r#"
[[rule]]
id = "broken"
name = "broken"
provider = "Test"
keywords = ["brk_"]
pattern = '''brk_(?P<secret>[a-z'''
rotate = "https://example.invalid"
examples = ["nothing here", "nor here"]
negative_examples = ["a", "b"]
"#;

    /// Built-in rules load without compiling; the example check is what catches a broken one,
    /// even when none of its examples reaches the pattern.
    #[test]
    fn a_broken_lazy_pattern_is_caught_by_the_example_check() {
        let rules = parse_rules("t.toml", BROKEN).expect("loading does not compile patterns");
        assert!(!rules[0].is_compiled());
        let detector = Detector::new(rules).unwrap();
        let failures = check_examples(&detector, true);
        assert!(
            failures
                .iter()
                .any(|f| f.message.contains("pattern does not compile")),
            "{failures:?}"
        );
        let err = parse_rule_file("t.toml", BROKEN).unwrap_err().to_string();
        assert!(
            err.contains("t.toml:3") && err.contains("does not compile"),
            "{err}"
        );
    }
}
