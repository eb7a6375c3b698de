//! Every built-in HTTP verifier, answered four ways by a mock built from its own data: as its
//! `live` answer says (→ `verified`), as its `dead` answer says (→ `invalid`), rate limited with
//! `Retry-After` (→ `unknown` after the bounded retries) and with a malformed or unexpected answer
//! (→ `unknown`). The answers are derived from the spec, so a verifier added to
//! `rules/verify.toml` is covered without a new test; the count check keeps it so.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::support::mock_provider::{MockProvider, Reply};
use crate::support::{TestDir, ferret, json_findings};
use ferret::verify::spec::{Answer, CheckKind, VerifySpec, split_url};
use serde_json::{Value, json};

/// How the mock answers in one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnswerKind {
    Live,
    Dead,
    RateLimited,
    Malformed,
}

impl AnswerKind {
    const ALL: [AnswerKind; 4] = [
        AnswerKind::Live,
        AnswerKind::Dead,
        AnswerKind::RateLimited,
        AnswerKind::Malformed,
    ];

    /// The verification status every covered finding must end with.
    fn expected_status(self) -> &'static str {
        match self {
            AnswerKind::Live => "verified",
            AnswerKind::Dead => "invalid",
            AnswerKind::RateLimited | AnswerKind::Malformed => "unknown",
        }
    }
}

/// An HTML page where JSON is expected: no verifier may read it as live or dead.
const MALFORMED_BODY: &str = "<html>maintenance</html>";
/// A status no verifier names; it must end `unknown`.
const UNEXPECTED_STATUS: u16 = 418;

/// One covered verifier: the rule, its spec and the request it sends.
struct Covered {
    rule_id: String,
    provider: String,
    method: &'static str,
    /// The URL's path up to its first placeholder or query: what the mock routes by.
    path_prefix: String,
    spec: Arc<VerifySpec>,
}

/// Sets `path` (dotted, numeric segments index arrays) in `root` to `value`.
fn set_path(root: &mut Value, path: &str, value: Value) {
    let mut here = root;
    for segment in path.split('.') {
        here = match segment.parse::<usize>() {
            Ok(index) => {
                if !here.is_array() {
                    *here = json!([]);
                }
                let items = here.as_array_mut().unwrap();
                while items.len() <= index {
                    items.push(Value::Null);
                }
                &mut items[index]
            }
            Err(_) => {
                if !here.is_object() {
                    *here = json!({});
                }
                here.as_object_mut()
                    .unwrap()
                    .entry(segment)
                    .or_insert(Value::Null)
            }
        };
    }
    *here = value;
}

fn get_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(root, |v, s| match s.parse::<usize>() {
            Ok(i) => v.get(i),
            Err(_) => v.get(s),
        })
}

/// The reply that satisfies `answer` (its first status, its JSON conditions, its first body
/// text), with `identity` fields filled in first so conditions can override them.
fn reply_for(answer: &Answer, identity: &[String], identity_headers: &[String]) -> Reply {
    let status = answer.status.first().copied().unwrap_or(200);
    let mut body = json!({});
    for field in identity {
        let leaf = field.rsplit('.').next().unwrap_or(field);
        set_path(&mut body, field, json!(format!("mock-{leaf}")));
    }
    for (field, wanted) in &answer.json {
        let wanted = serde_json::to_value(wanted).expect("TOML values convert to JSON");
        let wanted = match wanted {
            Value::Array(mut options) => options.swap_remove(0),
            one => one,
        };
        set_path(&mut body, field, wanted);
    }
    for field in &answer.json_present {
        if get_path(&body, field).is_none_or(Value::is_null) {
            set_path(&mut body, field, json!("mock-present"));
        }
    }
    if let Some(text) = answer.body_contains.first() {
        set_path(&mut body, "mock_text", json!(text));
    }
    let mut reply = Reply::json(status, body);
    for name in identity_headers {
        reply = reply.header(name, &format!("mock-{name}"));
    }
    reply
}

/// The mock's answer of `kind` for `spec`.
fn answer_of(kind: AnswerKind, spec: &VerifySpec) -> Reply {
    match kind {
        AnswerKind::Live => reply_for(&spec.live[0], &spec.identity, &spec.identity_headers),
        AnswerKind::Dead => reply_for(&spec.dead[0], &[], &[]),
        // `Retry-After: 0` keeps the bounded retries fast.
        AnswerKind::RateLimited => {
            Reply::json(429, json!({"error": "slow down"})).header("retry-after", "0")
        }
        // Where the live answer needs JSON or text, its own status with an HTML page; where a
        // status alone would be live, a status no verifier names.
        AnswerKind::Malformed => {
            let live = &spec.live[0];
            let needs_body = !live.json.is_empty()
                || !live.json_present.is_empty()
                || !live.body_contains.is_empty();
            let status = match live.status.first() {
                Some(&s) if needs_body => s,
                _ => UNEXPECTED_STATUS,
            };
            Reply::text(status, MALFORMED_BODY)
        }
    }
}

/// Why `spec` cannot be answered this way, if it cannot.
fn unanswerable(spec: &VerifySpec) -> Option<String> {
    let named: BTreeSet<u16> = spec
        .live
        .iter()
        .chain(&spec.dead)
        .flat_map(|a| a.status.iter().copied())
        .collect();
    if named.contains(&429) || named.contains(&UNEXPECTED_STATUS) {
        return Some("its answers name status 429 or 418".into());
    }
    if spec.dead.is_empty() {
        return Some("it has no dead answer".into());
    }
    None
}

/// The example text for `rule_id` plus the examples of its partner and companion rules, so the
/// values the verifier needs are found in the same file.
fn example_text(
    rule_id: &str,
    spec: &VerifySpec,
    examples: &BTreeMap<String, String>,
) -> Option<String> {
    let mut text = examples.get(rule_id)?.clone();
    for helper in spec.partner.iter().chain(spec.companions.values()) {
        text.push('\n');
        text.push_str(examples.get(helper)?);
    }
    text.push('\n');
    Some(text)
}

#[test]
fn every_builtin_verifier_answers_live_dead_rate_limited_and_malformed() {
    use ferret::detect::rules::embedded_rules;
    let mut rules = embedded_rules().unwrap();
    let verifiers = ferret::verify::Verifiers::attach(&mut rules).unwrap();
    let examples: BTreeMap<String, String> = rules
        .iter()
        .filter_map(|r| Some((r.id.to_string(), r.examples.first()?.text().to_string())))
        .collect();

    let dir = TestDir::new();
    let mut covered: Vec<Covered> = Vec::new();
    let mut skipped: Vec<(String, String)> = Vec::new();
    let mut all_providers = BTreeSet::new();
    let mut database_providers = BTreeSet::new();
    for rule in &rules {
        let Some(spec) = verifiers.get(&rule.id) else {
            continue;
        };
        let id = rule.id.to_string();
        if spec.kind.is_database() {
            database_providers.insert(spec.provider_name(&id));
        } else {
            all_providers.insert(spec.provider_name(&id));
        }
        if spec.kind != CheckKind::Http {
            skipped.push((id, format!("kind {:?} is checked in code", spec.kind)));
            continue;
        }
        let names = rule.capture_names().expect("built-in rules compile");
        if let Err(e) = spec.check_against_rule(&names) {
            skipped.push((id, format!("its rule lacks a value: {e}")));
            continue;
        }
        if let Some(reason) = unanswerable(spec) {
            skipped.push((id, reason));
            continue;
        }
        let Some(text) = example_text(&id, spec, &examples) else {
            skipped.push((id, "no example (or none for a partner/companion)".into()));
            continue;
        };
        let (_, _, rest) = split_url(&spec.url).unwrap();
        let path_prefix = rest.split(['{', '?']).next().unwrap().to_string();
        let provider = spec.provider_name(&id);
        // Two verifiers of one provider on one path must answer alike, or the mock cannot tell
        // which one asks.
        if let Some(other) = covered.iter().find(|c| {
            c.provider == provider
                && c.path_prefix == path_prefix
                && c.method == spec.method.as_str()
                && !Arc::ptr_eq(&c.spec, spec)
                && AnswerKind::ALL
                    .iter()
                    .any(|&k| answer_of(k, &c.spec).body != answer_of(k, spec).body)
        }) {
            skipped.push((id, format!("shares its path with {}", other.rule_id)));
            continue;
        }
        dir.write(&format!("{id}/example.txt"), text);
        covered.push(Covered {
            rule_id: id,
            provider,
            method: spec.method.as_str(),
            path_prefix,
            spec: Arc::clone(spec),
        });
    }

    let eligible = verifiers
        .iter()
        .filter(|(_, s)| s.kind == CheckKind::Http)
        .count();
    let http_skipped = skipped
        .iter()
        .filter(|(_, reason)| !reason.starts_with("kind "))
        .count();
    assert_eq!(
        covered.len() + http_skipped,
        eligible,
        "every HTTP verifier is either covered or listed as skipped"
    );
    for (id, reason) in &skipped {
        eprintln!("not covered: {id}: {reason}");
    }
    eprintln!("covered {} of {eligible} HTTP verifiers", covered.len());
    assert!(
        covered.len() >= 205,
        "{} verifiers covered; skipped: {skipped:#?}",
        covered.len()
    );

    for kind in AnswerKind::ALL {
        check_one_answer_kind(kind, &dir, &covered, &all_providers, &database_providers);
    }
}

/// Scans every covered example once with each provider's mock answering as `kind`.
fn check_one_answer_kind(
    kind: AnswerKind,
    dir: &TestDir,
    covered: &[Covered],
    all_providers: &BTreeSet<String>,
    database_providers: &BTreeSet<String>,
) {
    // One mock per provider (each its own host, so per-host pacing runs them in parallel); it
    // routes by method and the longest matching path prefix.
    let mut mocks = BTreeMap::new();
    for provider in all_providers {
        let routes: Vec<(String, String, Reply)> = covered
            .iter()
            .filter(|c| &c.provider == provider)
            .map(|c| {
                (
                    c.method.to_string(),
                    c.path_prefix.clone(),
                    answer_of(kind, &c.spec),
                )
            })
            .collect();
        let mock = MockProvider::start(move |r| {
            routes
                .iter()
                .filter(|(m, p, _)| *m == r.method && r.path.starts_with(p.as_str()))
                .max_by_key(|(_, p, _)| p.len())
                .map(|(_, _, reply)| reply.clone())
                .unwrap_or_else(|| Reply::json(404, json!({"error": "no route in the mock"})))
        });
        mocks.insert(provider.clone(), mock);
    }
    let mut command = ferret();
    command.args(["scan", "dir"]).arg(dir.path()).args([
        "--format",
        "json",
        "--verify",
        "--verify-concurrency",
        "8",
    ]);
    for (provider, mock) in &mocks {
        command
            .arg("--verify-endpoint")
            .arg(format!("{provider}={}", mock.url()));
    }
    // Database checks in the examples go to a closed local port, never to a real server.
    for provider in database_providers {
        command
            .arg("--verify-endpoint")
            .arg(format!("{provider}=127.0.0.1:9"));
    }
    let out = command.output().expect("ferret runs");
    let findings = json_findings(&out);
    let mut wrong = Vec::new();
    for c in covered {
        let own: Vec<&Value> = findings
            .iter()
            .filter(|f| f["rule_id"] == c.rule_id.as_str())
            .filter(|f| {
                f["path"]
                    .as_str()
                    .is_some_and(|p| p.rsplit('/').nth(1) == Some(c.rule_id.as_str()))
            })
            .collect();
        if own.is_empty() {
            wrong.push(format!("{}: its example gave no finding", c.rule_id));
            continue;
        }
        for f in own {
            let status = f["verification"]["status"].as_str().unwrap_or("none");
            let detail = f["verification"]["detail"].as_str().unwrap_or_default();
            let ok = status == kind.expected_status()
                && match kind {
                    AnswerKind::RateLimited => detail.contains("rate limited"),
                    AnswerKind::Live if !c.spec.identity.is_empty() => detail.contains("mock-"),
                    _ => true,
                };
            if !ok {
                wrong.push(format!(
                    "{}: {kind:?} answer gave {status} ({detail})",
                    c.rule_id
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{kind:?}:\n{}", wrong.join("\n"));
}
