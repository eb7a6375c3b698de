//! Which rule is checked live, and how: every check keyed by rule id. A rule's own `verify`
//! table wins over its entry in the built-in `rules/verify.toml`. Detection knows nothing of
//! this; it only learns, through [`Rule::live_checked`], which rules have a check.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Result, bail};

use super::spec::{VerifySpec, embedded_verifiers};
use crate::detect::Rule;
use crate::detect::rules::check_unique_ids;

/// The live checks of a rule set, by rule id.
#[derive(Debug, Default)]
pub struct Verifiers {
    by_id: HashMap<Arc<str>, Arc<VerifySpec>>,
}

impl Verifiers {
    /// The checks of `rules`: each rule's own `verify` table (which must use only the values
    /// its pattern captures), else its `rules/verify.toml` entry. Marks those rules
    /// [`Rule::live_checked`]. A built-in verifier for an id no rule has is skipped (`ferret
    /// rules check rules/verify.toml` and the tests fail on it, so ids stay in sync).
    ///
    /// Checks are keyed by id, so ids must be unique: otherwise a rule from a repository's
    /// config that reused a built-in id would inherit the built-in check, and its matches would be
    /// sent to that provider.
    pub fn attach(rules: &mut [Rule]) -> Result<Self> {
        check_unique_ids(rules)?;
        let mut verifiers = Verifiers::default();
        for rule in rules.iter_mut() {
            let Some(table) = &rule.verify_table else {
                continue;
            };
            let at = || format!("{}: rule {:?}: verify", rule.defined_at, rule.id);
            let spec: VerifySpec = toml::Value::Table((**table).clone())
                .try_into()
                .map_err(|e| anyhow::anyhow!("{}: {e}", at()))?;
            // Checking placeholders needs the pattern's groups: this compiles the rule. A
            // structured rule has none; its reader names the values it finds.
            if !rule.structured {
                let names = rule.capture_names()?;
                if let Err(e) = spec.check_against_rule(&names) {
                    bail!("{}: {e}", at());
                }
            }
            verifiers.by_id.insert(rule.id.clone(), Arc::new(spec));
        }
        let ids: HashMap<Arc<str>, usize> = rules
            .iter()
            .enumerate()
            .map(|(i, rule)| (rule.id.clone(), i))
            .collect();
        for (id, spec) in embedded_verifiers()? {
            if let Some((id, _)) = ids.get_key_value(id.as_str()) {
                verifiers
                    .by_id
                    .entry(id.clone())
                    .or_insert_with(|| Arc::new(spec));
            }
        }
        verifiers.mark(rules);
        Ok(verifiers)
    }

    /// Adds `(rule id, spec)` checks read from `source` (a rule's own table and earlier checks
    /// win). Returns the problems: ids that name no rule, and placeholders the rule does not
    /// capture (such a check ends `unknown` at run time, naming the missing value).
    pub fn add(
        &mut self,
        rules: &mut [Rule],
        specs: Vec<(String, VerifySpec)>,
        source: &str,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        for (id, spec) in specs {
            let Some(rule) = rules.iter().find(|r| *r.id == *id) else {
                problems.push(format!("{source}: verifier for unknown rule id {id:?}"));
                continue;
            };
            // Checking placeholders needs the pattern's groups: this compiles the rule.
            match rule.capture_names() {
                Ok(names) => {
                    if let Err(e) = spec.check_against_rule(&names) {
                        problems.push(format!("{source}: verifier for {id:?}: {e}"));
                    }
                }
                Err(e) => problems.push(format!("{source}: verifier for {id:?}: {e}")),
            }
            self.by_id
                .entry(rule.id.clone())
                .or_insert_with(|| Arc::new(spec));
        }
        self.mark(rules);
        problems
    }

    /// The check of rule `id`, if it has one.
    pub fn get(&self, id: &str) -> Option<&Arc<VerifySpec>> {
        self.by_id.get(id)
    }

    /// Every check, by rule id, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Arc<VerifySpec>)> {
        self.by_id.iter().map(|(id, spec)| (&**id, spec))
    }

    /// Tells each rule whether it has a check.
    fn mark(&self, rules: &mut [Rule]) {
        for rule in rules {
            rule.live_checked = self.by_id.contains_key(&rule.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::{embedded_rules, parse_rule_file};

    const REUSED_ID: &str = r#"
[[rule]]
id = "github-pat-classic"
name = "anything"
keywords = ["a"]
pattern = '''(?P<secret>a.+)'''
"#;

    #[test]
    fn built_in_checks_attach_to_built_in_rules() {
        let mut rules = embedded_rules().unwrap();
        let verifiers = Verifiers::attach(&mut rules).unwrap();
        let pat = rules
            .iter()
            .find(|r| &*r.id == "github-pat-classic")
            .unwrap();
        assert!(pat.live_checked && verifiers.get("github-pat-classic").is_some());
        assert!(rules.iter().any(|r| !r.live_checked));
    }

    #[test]
    fn a_rule_reusing_a_built_in_id_does_not_inherit_its_check() {
        let mut rules = embedded_rules().unwrap();
        rules.extend(parse_rule_file("ferret.toml", REUSED_ID).unwrap());
        let err = Verifiers::attach(&mut rules).unwrap_err().to_string();
        assert!(err.contains("already defined"), "{err}");
    }

    const OWN_CHECK: &str = r#"
[[rule]]
id = "acme-token"
name = "Acme token"
keywords = ["acme_"]
pattern = '''(?P<secret>acme_[a-z0-9]{20})'''
verify = { provider = "acme", url = "https://api.acme.example/me", headers = { Authorization = "Bearer {secret}" }, live_status = [200], dead_status = [401] }
"#;

    #[test]
    fn a_rules_own_check_is_read_and_checked_against_its_groups() {
        let mut rules = parse_rule_file("own.toml", OWN_CHECK).unwrap();
        let verifiers = Verifiers::attach(&mut rules).unwrap();
        assert!(rules[0].live_checked);
        assert_eq!(
            verifiers.get("acme-token").unwrap().url,
            "https://api.acme.example/me"
        );
        let unknown = OWN_CHECK.replace("Bearer {secret}", "Bearer {account}");
        let mut rules = parse_rule_file("own.toml", &unknown).unwrap();
        let err = Verifiers::attach(&mut rules).unwrap_err().to_string();
        assert!(
            err.contains("own.toml") && err.contains("acme-token"),
            "{err}"
        );
    }
}
