//! `--verify`: asks each secret's provider whether it works. Every distinct secret is checked at
//! most once per run (and not at all when `--verify-cache` already knows it), on a bounded pool of
//! threads, with per-request timeouts and per-host pacing. Requests go only to the provider's
//! documented https host; nothing this module prints or returns contains a secret.

pub mod aws;
pub mod azure;
pub mod cache;
pub mod check;
pub mod database;
pub mod endpoint;
pub mod gcp;
pub mod http;
pub mod spec;
pub mod verifiers;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use sha2::{Digest, Sha256};

use crate::detect::Rule;
use crate::pipeline::{Finding, Verification, VerificationStatus, redact};
use cache::VerifyCache;
use database::DatabaseClient;
use http::HttpClient;
use spec::{CheckKind, VerifySpec};
pub use verifiers::Verifiers;

/// Partner findings tried per finding (a file with many key ids pairs each with a few at most).
const MAX_PARTNERS: usize = 4;
/// Combinations of partner and companion values tried per finding.
const MAX_COMBINATIONS: usize = 8;

/// Settings from the command line.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Checks run at once.
    pub concurrency: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// `--verify-endpoint PROVIDER=URL` pairs (tests only).
    pub endpoints: Vec<(String, String)>,
    /// `--verify-cache FILE`.
    pub cache: Option<PathBuf>,
    /// Cached answers older than this are asked again.
    pub cache_max_age: Duration,
}

/// What one check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The provider accepted the secret.
    Live,
    /// The provider rejected it.
    Dead,
    /// No conclusion.
    Unknown,
}

/// A verdict with its detail: the identity, the rejection or why nothing is known.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// The conclusion.
    pub verdict: Verdict,
    /// Identity, rejection message or reason.
    pub detail: String,
    /// The status of the provider's HTTP answer the verdict was read from, if there was one.
    pub http_status: Option<u16>,
    /// What a live secret can reach (scopes, account, owner), as the provider's answer says.
    pub access: Access,
}

/// What a verified secret can reach, by name (`owner`, `scopes`, `account`, ...).
pub type Access = std::collections::BTreeMap<String, String>;

impl CheckResult {
    /// An unknown result with its reason.
    pub fn unknown(reason: impl Into<String>) -> Self {
        Self {
            verdict: Verdict::Unknown,
            detail: reason.into(),
            http_status: None,
            access: Access::new(),
        }
    }

    /// This result, read from an HTTP answer of status `status`.
    pub fn answered(self, status: u16) -> Self {
        Self {
            http_status: Some(status),
            ..self
        }
    }

    fn status(&self) -> VerificationStatus {
        match self.verdict {
            Verdict::Live => VerificationStatus::Verified,
            Verdict::Dead => VerificationStatus::Invalid,
            Verdict::Unknown => VerificationStatus::Unknown,
        }
    }
}

/// Counts for the closing summary.
#[derive(Debug, Clone, Default)]
pub struct VerifyStats {
    /// Distinct checks needed.
    pub checks: usize,
    /// Of those, answered from the cache.
    pub cached: usize,
    /// Findings per status.
    pub verified: usize,
    /// Findings the provider rejected.
    pub invalid: usize,
    /// Findings without a conclusion.
    pub unknown: usize,
}

impl VerifyStats {
    /// One line for stderr.
    pub fn line(&self) -> String {
        format!(
            "ferret: verification: {} verified, {} invalid, {} unknown ({} distinct checks, {} from cache)",
            self.verified, self.invalid, self.unknown, self.checks, self.cached
        )
    }
}

/// One distinct request to make: a spec with the values it needs.
struct Job {
    key: String,
    rule_id: Arc<str>,
    spec: Arc<VerifySpec>,
    values: BTreeMap<String, String>,
}

/// Verifies `findings` in place: each gets a [`Verification`].
pub fn verify_findings(
    findings: &mut [Finding],
    rules: &[Rule],
    verifiers: &Verifiers,
    opts: &VerifyOptions,
) -> Result<VerifyStats> {
    let mut cache = match &opts.cache {
        Some(path) => VerifyCache::load(path, opts.cache_max_age)?,
        None => VerifyCache::default(),
    };
    let clients = Clients {
        http: HttpClient::new(opts.timeout, &opts.endpoints)?,
        database: DatabaseClient::new(opts.timeout, &opts.endpoints)?,
    };

    // Which checks each finding needs; identical checks share one key.
    let mut jobs: BTreeMap<String, Job> = BTreeMap::new();
    // `None`: a companion finding, which only lends its value to others' checks.
    let mut plan: Vec<Option<Result<Vec<String>, String>>> = Vec::with_capacity(findings.len());
    let companion_rules: HashSet<&str> = rules
        .iter()
        .filter(|r| r.companion)
        .map(|r| &*r.id)
        .collect();
    for finding in findings.iter() {
        if companion_rules.contains(&*finding.rule_id) {
            plan.push(None);
            continue;
        }
        let Some(spec) = verifiers.get(&finding.rule_id) else {
            plan.push(Some(Err(format!(
                "no verifier for rule {} (rotate it if in doubt)",
                finding.rule_id
            ))));
            continue;
        };
        let combinations = match value_sets(finding, findings, spec) {
            Ok(sets) => sets,
            Err(reason) => {
                plan.push(Some(Err(reason)));
                continue;
            }
        };
        let mut keys = Vec::new();
        for values in combinations {
            let key = check_key(&finding.rule_id, spec, &values);
            jobs.entry(key.clone()).or_insert_with(|| Job {
                key: key.clone(),
                rule_id: finding.rule_id.clone(),
                spec: Arc::clone(spec),
                values,
            });
            keys.push(key);
        }
        plan.push(Some(Ok(keys)));
    }

    let mut stats = VerifyStats {
        checks: jobs.len(),
        ..VerifyStats::default()
    };
    let mut results: HashMap<String, CheckResult> = HashMap::new();
    let mut to_run = Vec::new();
    for (key, job) in jobs {
        match cache.get(&key) {
            Some(hit) => {
                stats.cached += 1;
                results.insert(key, hit);
            }
            None => to_run.push(job),
        }
    }
    let fresh = run_pool(&clients, to_run, opts.concurrency.max(1));
    for (key, result) in &fresh {
        cache.put(key, result);
    }
    results.extend(fresh);
    if let Some(path) = &opts.cache {
        cache.save(path)?;
    }

    for (finding, plan) in findings.iter_mut().zip(plan) {
        let result = match plan {
            None => continue,
            Some(Err(reason)) => CheckResult::unknown(reason),
            Some(Ok(keys)) => combine(keys.iter().filter_map(|k| results.get(k))),
        };
        match result.verdict {
            Verdict::Live => stats.verified += 1,
            Verdict::Dead => stats.invalid += 1,
            Verdict::Unknown => stats.unknown += 1,
        }
        finding.verification = Some(Verification {
            status: result.status(),
            detail: result.detail,
            http_status: result.http_status,
            access: result.access,
        });
    }
    Ok(stats)
}

/// The values each check of `finding` is made with: its secret and captures, plus each
/// combination of the partner and companion findings from the same origin that it needs.
fn value_sets(
    finding: &Finding,
    findings: &[Finding],
    spec: &VerifySpec,
) -> Result<Vec<BTreeMap<String, String>>, String> {
    let nearby = |rule_id: &str, limit: usize| {
        let mut found: Vec<&str> = findings
            .iter()
            .filter(|f| &*f.rule_id == rule_id && f.origin == finding.origin)
            .map(|f| f.secret.as_str())
            .collect();
        found.sort_unstable();
        found.dedup();
        found.truncate(limit);
        found
    };
    let mut base = BTreeMap::new();
    base.insert("secret".to_string(), finding.secret.clone());
    for (name, value) in &finding.captures {
        base.entry(name.to_string())
            .or_insert_with(|| value.clone());
    }
    let mut sets = vec![base];
    let mut needs: Vec<(String, &str, usize)> = Vec::new();
    if let Some(partner) = &spec.partner {
        needs.push(("partner".into(), partner, MAX_PARTNERS));
    }
    let used = spec.used_names();
    for (name, rule_id) in &spec.companions {
        // A value the rule captured itself wins; one the check does not use is not looked for.
        if finding.captures.iter().any(|(n, _)| &**n == name) || !used.contains(name) {
            continue;
        }
        needs.push((name.clone(), rule_id, MAX_COMBINATIONS));
    }
    for (name, rule_id, limit) in needs {
        let name = name.as_str();
        let found = nearby(rule_id, limit);
        if found.is_empty() {
            return Err(format!(
                "needs a {rule_id} finding in the same file to check with; none found"
            ));
        }
        sets = sets
            .iter()
            .flat_map(|set| {
                found.iter().map(move |value| {
                    let mut next = set.clone();
                    next.insert(name.to_string(), value.to_string());
                    next
                })
            })
            .take(MAX_COMBINATIONS)
            .collect();
    }
    Ok(sets)
}

/// Live if any pairing is live; dead only if every pairing is dead; otherwise unknown.
fn combine<'a>(results: impl Iterator<Item = &'a CheckResult>) -> CheckResult {
    let results: Vec<&CheckResult> = results.collect();
    if let Some(live) = results.iter().find(|r| r.verdict == Verdict::Live) {
        return (*live).clone();
    }
    if !results.is_empty() && results.iter().all(|r| r.verdict == Verdict::Dead) {
        return results[0].clone();
    }
    results
        .iter()
        .find(|r| r.verdict == Verdict::Unknown)
        .map(|r| (*r).clone())
        .unwrap_or_else(|| CheckResult::unknown("not checked"))
}

/// What checks are sent through: HTTP for providers' APIs, database logins for connection URLs.
struct Clients {
    http: HttpClient,
    database: DatabaseClient,
}

/// Runs jobs on `threads` workers; returns each job's result by key.
fn run_pool(client: &Clients, jobs: Vec<Job>, threads: usize) -> Vec<(String, CheckResult)> {
    if jobs.is_empty() {
        return Vec::new();
    }
    let (tx, rx) = crossbeam_channel::unbounded::<Job>();
    for job in jobs {
        // The receiver is alive until the workers finish.
        let _ = tx.send(job);
    }
    drop(tx);
    let out = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            let rx = rx.clone();
            let out = &out;
            s.spawn(move || {
                for job in rx {
                    let result = run_job(client, &job);
                    out.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((job.key, result));
                }
            });
        }
    });
    out.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Runs one check and scrubs every value it used out of the detail.
fn run_job(client: &Clients, job: &Job) -> CheckResult {
    let provider = job.spec.provider_name(&job.rule_id);
    let mut result = match job.spec.kind {
        CheckKind::Http => check::run(&client.http, &provider, &job.spec, &job.values),
        CheckKind::AwsSts => match (job.values.get("partner"), job.values.get("secret")) {
            (Some(key_id), Some(secret)) => {
                aws::check(&client.http, &provider, &job.spec, key_id, secret)
            }
            _ => CheckResult::unknown("needs the access key id and the secret key"),
        },
        CheckKind::AzureStorage => azure::check(&client.http, &provider, &job.spec, &job.values),
        CheckKind::GcpServiceAccount => gcp::check(&client.http, &provider, &job.spec, &job.values),
        CheckKind::Postgres | CheckKind::Mysql => {
            client.database.check(job.spec.kind, &provider, &job.values)
        }
    };
    let secrets = job
        .values
        .iter()
        .filter(|(name, _)| !IDENTITY_VALUES.contains(&name.as_str()))
        .map(|(_, value)| value.as_str());
    let secrets: Vec<&str> = secrets.collect();
    result.detail = scrub(&result.detail, secrets.iter().copied());
    for value in result.access.values_mut() {
        *value = scrub(value, secrets.iter().copied());
    }
    result
}

/// Captured values that say where or whose a secret is, not the secret: reports may show them.
const IDENTITY_VALUES: &[&str] = &[
    "user", "username", "email", "host", "database", "account", "shop", "org", "site", "instance",
];

/// Replaces every occurrence of any of `secrets` (and of their URL-encoded forms) in `text`.
pub fn scrub<'a>(text: &str, secrets: impl Iterator<Item = &'a str>) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if secret.len() < 6 {
            continue;
        }
        for form in [secret.to_string(), crate::uri::encode_component(secret)] {
            if out.contains(&form) {
                out = out.replace(&form, &redact(secret));
            }
        }
    }
    out
}

/// The identity of a check: never the secret itself, only a hash of it.
fn check_key(rule_id: &str, spec: &VerifySpec, values: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"ferret-verify/v1\0");
    hasher.update(spec.provider_name(rule_id).as_bytes());
    hasher.update(b"\0");
    hasher.update(spec.url.as_bytes());
    for name in spec.used_names() {
        hasher.update(b"\0");
        hasher.update(name.as_bytes());
        hasher.update(b"=");
        if let Some(v) = values.get(&name) {
            hasher.update(v.as_bytes());
        }
    }
    if spec.kind != CheckKind::Http {
        // Code verifiers may read any value, not only the templates' placeholders.
        for (name, value) in values {
            hasher.update(b"\0");
            hasher.update(name.as_bytes());
            hasher.update(b"=");
            hasher.update(value.as_bytes());
        }
    }
    hex::encode(&hasher.finalize()[..16])
}

/// Parses `10s`, `500ms`, `2m` or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 10s, 500ms, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (ms, s, m, h, d)")),
    };
    if !(0.0..=86_400.0 * 365.0).contains(&secs) || secs == 0.0 {
        return Err(format!("{text:?} is out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Parses `PROVIDER=URL`.
pub fn parse_endpoint(text: &str) -> Result<(String, String), String> {
    let (provider, url) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not PROVIDER=URL"))?;
    if provider.is_empty() || url.is_empty() {
        return Err(format!("{text:?} is not PROVIDER=URL"));
    }
    Ok((provider.to_string(), url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert!(parse_duration("0s").is_err());
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert!(parse_duration("5y").is_err());
    }

    #[test]
    fn scrub_removes_plain_and_encoded_secrets() {
        let s = "ab/cd+ef==gh";
        let text = format!(
            "failed for /x/{s} and ?k={}",
            crate::uri::encode_component(s)
        );
        let out = scrub(&text, [s].into_iter());
        assert!(
            !out.contains(s) && !out.contains(&crate::uri::encode_component(s)),
            "{out}"
        );
    }
}
