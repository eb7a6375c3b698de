//! Verification of many distinct secrets at once: each is sent once, requests to one host are
//! paced, and two providers' hosts are served side by side rather than one after the other.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::mock_provider::{MockProvider, Reply};
use crate::support::test_image::github_token;
use crate::support::{TestDir, ferret, json_findings};

/// How many distinct secrets of each provider the scan holds.
const PER_PROVIDER: usize = 60;

/// A GitLab personal access token, different for every `seed`.
fn gitlab_token(seed: usize) -> String {
    let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    let mut state = (seed as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let body: String = (0..20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            alphabet[(state % alphabet.len() as u64) as usize]
        })
        .collect();
    format!("glpat-{body}")
}

/// When each secret reached a stand-in, in arrival order.
type Arrivals = Arc<Mutex<Vec<(Instant, String)>>>;

/// A provider stand-in that answers live after a short think, recording when each secret came.
fn provider(header: &'static str, prefix: &'static str) -> (MockProvider, Arrivals) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let mock = MockProvider::start(move |r| {
        let secret = r
            .header(header)
            .unwrap_or_default()
            .trim_start_matches(prefix)
            .to_string();
        log.lock().unwrap().push((Instant::now(), secret));
        std::thread::sleep(Duration::from_millis(10));
        Reply::json(
            200,
            json!({"login": "ci-bot", "username": "ci-bot", "id": 7}),
        )
    });
    (mock, seen)
}

#[test]
fn many_distinct_secrets_are_each_verified_once_paced_per_host() {
    let dir = TestDir::new();
    let mut expected = Vec::new();
    for i in 0..PER_PROVIDER {
        let gh = github_token(&format!("scale-{i}"));
        let gl = gitlab_token(i);
        // Every secret twice (two files), so that "once" means once per distinct secret.
        for copy in ["a", "b"] {
            dir.write(
                &format!("svc-{i}/{copy}.env"),
                format!("GITHUB_TOKEN={gh}\nGITLAB_TOKEN={gl}\n"),
            );
        }
        expected.push(gh);
        expected.push(gl);
    }
    let (github, github_seen) = provider("authorization", "token ");
    let (gitlab, gitlab_seen) = provider("private-token", "");
    let out = ferret()
        .args(["scan", "dir"])
        .arg(dir.path())
        .args(["--format", "json", "--verify", "--verify-concurrency", "8"])
        .args(["--verify-endpoint", &format!("github={}", github.url())])
        .args(["--verify-endpoint", &format!("gitlab={}", gitlab.url())])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings = json_findings(&out);
    assert_eq!(findings.len(), 4 * PER_PROVIDER);
    assert!(
        findings
            .iter()
            .all(|f| f["verification"]["status"] == "verified"),
        "every copy of every secret carries its one answer"
    );
    let mut asked: BTreeMap<String, usize> = BTreeMap::new();
    for seen in [&github_seen, &gitlab_seen] {
        let seen = seen.lock().unwrap();
        for (_, secret) in seen.iter() {
            *asked.entry(secret.clone()).or_default() += 1;
        }
        // Requests to one host are sent in slots 50 ms apart (HOST_SPACING). Load can delay a
        // single send within its slot, so it is the whole run that is bounded: the last of n
        // requests cannot go before (n - 1) slots after the first could (minus the first's
        // delay, allowed generously here).
        let times: Vec<Instant> = seen.iter().map(|(t, _)| *t).collect();
        let span = *times.iter().max().unwrap() - *times.iter().min().unwrap();
        let slots = Duration::from_millis(50) * (times.len() as u32 - 1);
        assert!(
            span + Duration::from_millis(500) >= slots,
            "{} requests to one host in {span:?}",
            times.len()
        );
    }
    expected.sort();
    assert_eq!(asked.keys().cloned().collect::<Vec<_>>(), expected);
    assert!(asked.values().all(|n| *n == 1), "no request sent twice");
    // The two hosts were served side by side: each one's first request came before the other's
    // last.
    let span = |seen: &Arrivals| {
        let seen = seen.lock().unwrap();
        let times: Vec<Instant> = seen.iter().map(|(t, _)| *t).collect();
        (*times.iter().min().unwrap(), *times.iter().max().unwrap())
    };
    let (gh_first, gh_last) = span(&github_seen);
    let (gl_first, gl_last) = span(&gitlab_seen);
    assert!(
        gh_first < gl_last && gl_first < gh_last,
        "hosts paced independently"
    );
}
