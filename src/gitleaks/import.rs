//! `ferret config import .gitleaks.toml`: a gitleaks configuration translated into `ferret.toml`.
//!
//! Every key of the file is either translated or named in [`Import::untranslated`] with the
//! reason; nothing is dropped silently. Keys are matched case-insensitively, as gitleaks reads
//! them. The result is checked by loading it as ferret would before it is returned.

use std::collections::HashMap;

use anyhow::{Context, Result};
use serde::Serialize;
use toml::{Table, Value};

use super::regex_translate::{derive_keywords, plain_regex, secret_pattern};

/// The translation of one gitleaks configuration.
#[derive(Debug, Default)]
pub struct Import {
    /// The `ferret.toml` text.
    pub toml: String,
    /// What was translated differently from what gitleaks does, one line each.
    pub notes: Vec<String>,
    /// What could not be translated, one line each, with the reason.
    pub untranslated: Vec<String>,
    /// How many rules and allowlists were translated.
    pub rules: usize,
    /// How many `[[allow]]` tables were written.
    pub allowlists: usize,
}

/// A `[[rule]]` of the output.
#[derive(Debug, Serialize)]
struct RuleOut {
    id: String,
    name: String,
    keywords: Vec<String>,
    pattern: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_entropy: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    allow_match: Vec<String>,
}

/// An `[[allow]]` of the output.
#[derive(Debug, Default, Serialize)]
struct AllowOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    path_regexes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    regexes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stopwords: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    commits: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<&'static str>,
}

impl AllowOut {
    fn is_empty(&self) -> bool {
        self.path_regexes.is_empty()
            && self.regexes.is_empty()
            && self.stopwords.is_empty()
            && self.commits.is_empty()
    }
}

#[derive(Debug, Default, Serialize)]
struct ConfigOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rule: Vec<RuleOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    allow: Vec<AllowOut>,
}

/// Translates gitleaks configuration `text` read from `name`.
pub fn import(text: &str, name: &str) -> Result<Import> {
    let table: Table = toml::from_str(text).with_context(|| format!("{name} is not valid TOML"))?;
    let mut t = Translator::default();
    let mut out = ConfigOut::default();
    let mut header = vec![format!(
        "Translated from {name} by `ferret config import` (ferret {}).",
        env!("CARGO_PKG_VERSION")
    )];

    // Rule ids first, so allowlists anywhere in the file can name them.
    let rules = get(&table, "rules");
    if let Some(rules) = rules.and_then(Value::as_array) {
        for rule in rules.iter().filter_map(Value::as_table) {
            if let Some(id) = get(rule, "id").and_then(Value::as_str) {
                t.ids.insert(id.to_string(), ferret_id(id));
            }
        }
    }
    for (key, value) in &table {
        match key.to_ascii_lowercase().as_str() {
            "title" | "description" => {
                if let Some(s) = value.as_str() {
                    header.push(format!("{key}: {s}"));
                }
            }
            "minversion" => t.note(format!(
                "minVersion {value} is a gitleaks version requirement; it does not apply to ferret"
            )),
            "extend" => t.extend(value),
            "rules" => match value.as_array() {
                Some(rules) => {
                    for (i, rule) in rules.iter().enumerate() {
                        match rule.as_table() {
                            Some(rule) => t.rule(rule, i, &mut out),
                            None => t.skip(format!("rules[{i}] is not a table")),
                        }
                    }
                }
                None => t.skip("`rules` is not an array of tables".into()),
            },
            // `[allowlist]` before gitleaks 8.25, `[[allowlists]]` since.
            "allowlist" => t.global_allowlist(value, "[allowlist]", &mut out),
            "allowlists" => match value.as_array() {
                Some(lists) => {
                    for (i, list) in lists.iter().enumerate() {
                        t.global_allowlist(list, &format!("[[allowlists]] #{}", i + 1), &mut out);
                    }
                }
                None => t.skip("`allowlists` is not an array of tables".into()),
            },
            other => t.skip(format!(
                "top-level key `{other}`: not a gitleaks setting ferret knows"
            )),
        }
    }

    let body = toml::to_string(&out).context("cannot write the translated config")?;
    let mut text = String::new();
    for line in &header {
        text.push_str(&format!("# {line}\n"));
    }
    if !t.untranslated.is_empty() {
        text.push_str("#\n# Not translated:\n");
        for line in &t.untranslated {
            text.push_str(&format!("#  - {line}\n"));
        }
    }
    if !t.notes.is_empty() {
        text.push_str("#\n# Translated differently:\n");
        for line in &t.notes {
            text.push_str(&format!("#  - {line}\n"));
        }
    }
    text.push('\n');
    text.push_str(&body);

    // What is written must load: a translation ferret then refuses would help nobody.
    let config = crate::config::Config::parse(
        &text,
        "the translated config",
        crate::config::Trust::Trusted,
    )?;
    crate::detect::rules::compile_specs(config.rule.clone(), "the translated config")?;
    crate::filter::Filter::new(&config.allow)?;

    Ok(Import {
        toml: text,
        rules: out.rule.len(),
        allowlists: out.allow.len(),
        notes: t.notes,
        untranslated: t.untranslated,
    })
}

/// `table[key]`, with the key compared case-insensitively as gitleaks (viper) compares it.
fn get<'a>(table: &'a Table, key: &str) -> Option<&'a Value> {
    table
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// A gitleaks rule id as a ferret id: lower-case kebab-case.
fn ferret_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "imported-rule".into()
    } else {
        out
    }
}

#[derive(Default)]
struct Translator {
    /// gitleaks rule id -> ferret rule id, for the rules of this file.
    ids: HashMap<String, String>,
    notes: Vec<String>,
    untranslated: Vec<String>,
}

impl Translator {
    fn note(&mut self, line: String) {
        self.notes.push(line);
    }

    fn skip(&mut self, line: String) {
        self.untranslated.push(line);
    }

    fn extend(&mut self, value: &Value) {
        let Some(extend) = value.as_table() else {
            return self.skip("[extend] is not a table".into());
        };
        for (key, value) in extend {
            match key.to_ascii_lowercase().as_str() {
                "usedefault" if value.as_bool() == Some(true) => self.note(
                    "[extend] useDefault: gitleaks' default rules are not ferret's; ferret's own \
                     built-in rules always apply (`ferret rules list`)"
                        .into(),
                ),
                "usedefault" => self.skip(format!(
                    "[extend] useDefault = {value}: ferret's built-in rules cannot be left out as \
                     a whole (list the ones you do not want in disabled_rules)"
                )),
                "path" | "url" => self.skip(format!(
                    "[extend] {key} = {value}: translate that configuration too (`ferret config \
                     import FILE`) and merge the two; ferret does not chain configurations"
                )),
                "disabledrules" => {
                    for id in value.as_array().into_iter().flatten() {
                        self.skip(format!(
                            "[extend] disabledRules {id}: a gitleaks rule id; ferret's rules are \
                             its own, so name the matching one (`ferret rules list`) in \
                             disabled_rules"
                        ));
                    }
                }
                other => self.skip(format!(
                    "[extend] {other}: not a gitleaks setting ferret knows"
                )),
            }
        }
    }

    fn rule(&mut self, rule: &Table, index: usize, out: &mut ConfigOut) {
        let Some(gl_id) = get(rule, "id").and_then(Value::as_str) else {
            return self.skip(format!("rules[{index}] has no id"));
        };
        let id = self
            .ids
            .get(gl_id)
            .cloned()
            .unwrap_or_else(|| ferret_id(gl_id));
        let what = format!("rule {gl_id}");
        if id != gl_id {
            self.note(format!(
                "{what} is {id:?} in ferret (ids are lower-case kebab-case)"
            ));
        }
        let Some(regex) = get(rule, "regex").and_then(Value::as_str) else {
            let reason = if get(rule, "path").is_some() {
                "it has a path but no regex: ferret has no rules that flag a file by its name"
            } else {
                "it has no regex: it changes gitleaks' built-in rule of that id, which ferret \
                 does not have (ferret's own rules cover the provider; `ferret rules list`)"
            };
            return self.skip(format!("{what}: {reason}"));
        };
        let secret_group = match get(rule, "secretGroup") {
            None => 0,
            Some(v) => match v.as_integer().and_then(|n| usize::try_from(n).ok()) {
                Some(n) => n,
                None => return self.skip(format!("{what}: secretGroup {v} is not a group number")),
            },
        };
        let pattern = match secret_pattern(regex, secret_group) {
            Ok(p) => p,
            Err(e) => return self.skip(format!("{what}: {e}")),
        };
        if let Some(note) = pattern.note {
            self.note(format!("{what}: {note}"));
        }
        let listed: Vec<String> = get(rule, "keywords")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect();
        let keywords = if let Some(bad) = listed.iter().find(|k| k.is_empty() || !k.is_ascii()) {
            return self.skip(format!(
                "{what}: keyword {bad:?} is not ASCII (ferret's prefilter is)"
            ));
        } else if !listed.is_empty() {
            listed
        } else if let Some(derived) = derive_keywords(&pattern.pattern) {
            self.note(format!(
                "{what} lists no keywords; ferret needs some and uses {derived:?}, which every \
                 match starts or ends with"
            ));
            derived
        } else {
            return self.skip(format!(
                "{what}: it lists no keywords and no literal starts or ends every match; ferret \
                 runs a rule only near its keywords, so add `keywords` to it"
            ));
        };
        let min_entropy = match get(rule, "entropy") {
            None => None,
            Some(v) => match v.as_float().or_else(|| v.as_integer().map(|n| n as f64)) {
                Some(0.0) => None,
                Some(e) if (0.0..=8.0).contains(&e) => Some(e),
                _ => {
                    return self.skip(format!(
                        "{what}: entropy {v} is outside 0..=8 bits per character"
                    ));
                }
            },
        };
        let mut rule_out = RuleOut {
            id: id.clone(),
            name: get(rule, "description")
                .and_then(Value::as_str)
                .filter(|d| !d.trim().is_empty())
                .unwrap_or(gl_id)
                .to_string(),
            keywords,
            pattern: pattern.pattern,
            min_entropy,
            allow_match: Vec::new(),
        };
        let mut allows = Vec::new();
        for (key, value) in rule {
            match key.to_ascii_lowercase().as_str() {
                "id" | "description" | "regex" | "secretgroup" | "keywords" | "entropy" => {}
                "path" => self.skip(format!(
                    "{what}: path {value}: ferret cannot limit a rule to some paths, so the rule \
                     now applies to every file (allowlist the others with [[allow]] path_regexes)"
                )),
                "tags" => self.note(format!(
                    "{what}: tags {value} are not kept (ferret rules have none)"
                )),
                "allowlist" => {
                    let label = format!("{what} [rules.allowlist]");
                    if let Some(a) = self.allowlist(value, &label, Some(&mut rule_out)) {
                        allows.push(a);
                    }
                }
                "allowlists" => {
                    for (i, list) in value.as_array().into_iter().flatten().enumerate() {
                        let label = format!("{what} [[rules.allowlists]] #{}", i + 1);
                        if let Some(a) = self.allowlist(list, &label, Some(&mut rule_out)) {
                            allows.push(a);
                        }
                    }
                }
                "required" => self.skip(format!(
                    "{what}: required (composite rules): ferret reports the rule on its own match"
                )),
                "skipreport" => self.skip(format!(
                    "{what}: skipReport: ferret reports every rule it runs"
                )),
                other => self.skip(format!(
                    "{what}: `{other}`: not a gitleaks setting ferret knows"
                )),
            }
        }
        for mut allow in allows {
            allow.rules = vec![id.clone()];
            out.allow.push(allow);
        }
        out.rule.push(rule_out);
    }

    fn global_allowlist(&mut self, value: &Value, label: &str, out: &mut ConfigOut) {
        let Some(table) = value.as_table() else {
            return self.skip(format!("{label} is not a table"));
        };
        let mut rules = Vec::new();
        if let Some(targets) = get(table, "targetRules") {
            for target in targets
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                match self.ids.get(target) {
                    Some(id) => rules.push(id.clone()),
                    None => self.skip(format!(
                        "{label}: targetRules {target:?} is a gitleaks built-in rule; ferret's \
                         rules are its own, so add the matching ferret id (`ferret rules list`) to \
                         the allowlist's rules"
                    )),
                }
            }
            if rules.is_empty() {
                // An allowlist for no rule this file defines must not become one for every rule.
                return self.skip(format!(
                    "{label}: none of its targetRules is translated, so it is not either"
                ));
            }
        }
        if let Some(mut allow) = self.allowlist(value, label, None) {
            allow.rules = rules;
            out.allow.push(allow);
        }
    }

    /// One allowlist table; `rule` is the rule it belongs to (where `regexTarget = "match"` can
    /// go), `None` for a global one.
    fn allowlist(
        &mut self,
        value: &Value,
        label: &str,
        rule: Option<&mut RuleOut>,
    ) -> Option<AllowOut> {
        let Some(table) = value.as_table() else {
            self.skip(format!("{label} is not a table"));
            return None;
        };
        let skipped_before = self.untranslated.len();
        let strings = |key: &str| -> Vec<String> {
            get(table, key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        };
        let mut allow = AllowOut {
            description: get(table, "description")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| Some(format!("gitleaks {label}"))),
            ..AllowOut::default()
        };
        let and = match get(table, "condition").and_then(Value::as_str) {
            None => false,
            Some(c) if c.eq_ignore_ascii_case("or") => false,
            Some(c) if c.eq_ignore_ascii_case("and") => true,
            Some(c) => {
                self.skip(format!("{label}: condition {c:?} is neither OR nor AND; the allowlist is not translated"));
                return None;
            }
        };
        let target = get(table, "regexTarget")
            .and_then(Value::as_str)
            .unwrap_or("secret")
            .to_ascii_lowercase();
        for path in strings("paths") {
            match plain_regex(&path) {
                Ok(()) => allow.path_regexes.push(path),
                Err(e) => self.skip(format!("{label}: path {path:?} {e}")),
            }
        }
        let mut match_regexes = Vec::new();
        for regex in strings("regexes") {
            if let Err(e) = plain_regex(&regex) {
                self.skip(format!("{label}: regex {regex:?} {e}"));
                continue;
            }
            match target.as_str() {
                "secret" => allow.regexes.push(regex),
                "match" => match_regexes.push(regex),
                _ => self.skip(format!(
                    "{label}: regex {regex:?} with regexTarget {target:?}: ferret's allowlist \
                     regexes test the secret (or, in a rule, the whole match), not the line"
                )),
            }
        }
        allow.stopwords = strings("stopwords");
        allow.commits = strings("commits");
        if let Some(bad) = allow
            .commits
            .iter()
            .find(|c| c.len() < 4 || !c.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            self.skip(format!(
                "{label}: commit {bad:?} is not a commit id; the allowlist is not translated"
            ));
            return None;
        }
        if !match_regexes.is_empty() {
            match rule {
                // In a rule, "any of these" on the whole match is the rule's allow_match.
                Some(rule) if !and || allow.is_empty() => rule.allow_match.extend(match_regexes),
                Some(_) => {
                    self.skip(format!(
                        "{label}: condition AND with regexTarget \"match\": ferret cannot require \
                         a match regex together with other criteria; the allowlist is not translated"
                    ));
                    return None;
                }
                None => {
                    for regex in match_regexes {
                        self.skip(format!(
                            "{label}: regex {regex:?} with regexTarget \"match\": ferret's global \
                             allowlist regexes test the secret"
                        ));
                    }
                }
            }
        }
        if and {
            if self.untranslated.len() > skipped_before {
                // Leaving out one of several criteria that must all match would widen it.
                self.skip(format!(
                    "{label}: with condition AND, leaving out a criterion would allow more than                      gitleaks does, so the allowlist is not translated"
                ));
                return None;
            }
            allow.condition = Some("and");
        }
        for (key, _) in table {
            let known = [
                "description",
                "condition",
                "regextarget",
                "paths",
                "regexes",
                "stopwords",
                "commits",
                "targetrules",
            ];
            if !known.contains(&key.to_ascii_lowercase().as_str()) {
                self.skip(format!(
                    "{label}: `{key}`: not a gitleaks setting ferret knows"
                ));
            }
        }
        (!allow.is_empty()).then_some(allow)
    }
}
