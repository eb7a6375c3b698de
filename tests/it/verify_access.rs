//! The access summary of a verified secret: what the provider's live answer says it can reach
//! (owner, scopes, ...), in JSON (`verification.access`, schema-valid), SARIF, the text report
//! under the finding, and kept by `--verify-cache`. A rejected secret reaches nothing.

use serde_json::{Value, json};

use crate::support::mock_provider::{MockProvider, Reply};
use crate::support::test_image::github_token;
use crate::support::{TestDir, ferret, json_findings};

fn github_mock(live: String) -> MockProvider {
    let live_header = format!("token {live}");
    MockProvider::start(move |r| {
        if r.header("authorization") == Some(live_header.as_str()) {
            Reply::json(
                200,
                json!({"login": "octocat", "id": 583231, "type": "User"}),
            )
            .header("x-oauth-scopes", "repo, read:org")
        } else if r.header("authorization").is_some() {
            Reply::json(401, json!({"message": "Bad credentials"}))
        } else {
            Reply::json(500, json!({"message": "mock"}))
        }
    })
}

fn scan(dir: &TestDir, format: &str, extra: &[&str]) -> std::process::Output {
    ferret()
        .args(["scan", "dir"])
        .arg(dir.path())
        .args(["--format", format, "--verify"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_verified_secret_says_what_it_can_reach_in_every_format() {
    let live = github_token("access-live");
    let dead = github_token("access-dead");
    let mock = github_mock(live.clone());
    let endpoint = format!("github={}", mock.url());
    let dir = TestDir::new()
        .file("live.env", format!("GITHUB_TOKEN={live}\n"))
        .file("dead.env", format!("GITHUB_TOKEN={dead}\n"));
    let cache = dir.join("verify-cache.json");
    let cache_arg = cache.to_str().unwrap();
    let args = ["--verify-endpoint", &endpoint, "--verify-cache", cache_arg];

    let out = scan(&dir, "json", &args);
    assert_eq!(out.status.code(), Some(1));
    let findings = json_findings(&out);
    let by_file = |name: &str| -> Value {
        findings
            .iter()
            .find(|f| f["path"] == name)
            .unwrap_or_else(|| panic!("{name}: {findings:#?}"))["verification"]
            .clone()
    };
    assert_eq!(
        by_file("live.env")["access"],
        json!({"owner": "octocat", "owner_type": "User", "scopes": "repo, read:org"})
    );
    assert_eq!(by_file("dead.env")["status"], "invalid");
    assert!(
        by_file("dead.env").get("access").is_none(),
        "a rejected secret reaches nothing"
    );
    let validator = crate::schema::validator("json");
    crate::schema::assert_valid(
        &validator,
        &Value::Array(findings.clone()),
        "json with access",
    );

    let sarif: Value = serde_json::from_slice(&scan(&dir, "sarif", &args).stdout).unwrap();
    let with_access: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["properties"].get("access"))
        .collect();
    assert_eq!(
        with_access,
        [&json!({"owner": "octocat", "owner_type": "User", "scopes": "repo, read:org"})]
    );

    let text = String::from_utf8(scan(&dir, "text", &args).stdout).unwrap();
    assert!(
        text.contains("    access: owner=octocat; owner_type=User; scopes=repo, read:org"),
        "{text}"
    );

    // The cache keeps the summary: the provider is asked nothing more, the answer is the same.
    let asked = mock.requests().len();
    let again = json_findings(&scan(&dir, "json", &args));
    assert_eq!(mock.requests().len(), asked, "answered from the cache");
    let live_again = again.iter().find(|f| f["path"] == "live.env").unwrap();
    assert_eq!(live_again["verification"]["access"]["owner"], "octocat");
    let cached = std::fs::read_to_string(&cache).unwrap();
    assert!(
        !cached.contains(&live) && !cached.contains(&dead),
        "the cache holds no secret"
    );
}

#[test]
fn an_access_summary_comes_only_from_the_answer_and_is_escaped() {
    // A provider answer is input too: a hostile login cannot steer the terminal.
    let live = github_token("access-escape");
    let header = format!("token {live}");
    let mock = MockProvider::start(move |r| {
        if r.header("authorization") == Some(header.as_str()) {
            Reply::json(
                200,
                json!({"login": "evil\u{1b}]0;pwned\u{7}", "type": "User"}),
            )
        } else {
            Reply::json(401, json!({}))
        }
    });
    let dir = TestDir::new().file("a.env", format!("GITHUB_TOKEN={live}\n"));
    let out = scan(
        &dir,
        "text",
        &["--verify-endpoint", &format!("github={}", mock.url())],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("access: owner=evil"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "escape sequences are shown, not sent: {text:?}"
    );
}
