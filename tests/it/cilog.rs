//! `ferret scan ci-log`, `scan github-actions` and `scan gitlab-ci` on realistic logs of each
//! provider (tests/corpus/ci-logs/), the API commands against a mock API on 127.0.0.1.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::support::mock_http::{MockServer, Reply, Request};
use crate::support::{TestDir, ferret, json_findings};
use serde_json::{Value, json};

const GHP_ENV: &str = "ghp_U8JZpDE0iGXlD6gNCFbaEPFjbD0kH8Oool8D";
const GHP_WRAPPED: &str = "ghp_klZDOCj2ISaJiHkTj0rLGlkoMXGjtEkDnNfr";
const GHP_CIRCLE: &str = "ghp_ibxUdl7dXTPyLsxPFkThf4VucSmEHgaKwVJ7";
const AWS_DEPLOY: &str = "AKIA72CEUVW75EFR6EDT";
const AWS_CR_SEGMENT: &str = "AKIA4SYWB5WKH7DNSIPZ";
const AWS_IN_CONSOLE_NOTE: &str = "AKIAZ7FK4ZRI3R2WYOJF";
const SLACK_ANSI_GITHUB: &str = "xoxb-2233079244026-8599528907866-ZZGeoZDMENcKHVmDGAkJiG8X";
const SLACK_ANSI_GITLAB: &str = "xoxb-901396245957-1177774121547-1sKhBN88hXJsi6BwhTp3Fs2Q";
const KEY_GITLAB: &str = "hX6KWxOiixgVoOnzyw2MzP0ZvzOMhfWu";
const KEY_JENKINS: &str = "5n1Ae6pWzpF1qH6YytwMe4Lb";
const KEY_GZ: &str = "yoVFz8uZdZv8FuKKIBJl5dzpJn0meq7W";
const JOB: &str = "build (ubuntu-latest, 3.11)";

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/ci-logs")
        .join(rel)
}

fn rules_file() -> PathBuf {
    corpus("rules.toml")
}

/// The GitHub run-logs ZIP built from tests/corpus/ci-logs/github-run/ (step 4 has no step file).
fn run_zip_bytes() -> Vec<u8> {
    let root = corpus("github-run");
    let files = crate::support::files_under(&root);
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        for path in files {
            let name = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(&std::fs::read(&path).unwrap()).unwrap();
        }
        zip.finish().unwrap();
    }
    buf.into_inner()
}

/// 1-based numbers of the lines of `file` that contain `needle`.
fn lines_with(file: &Path, needle: &str) -> Vec<u64> {
    let data = std::fs::read(file).unwrap();
    data.split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| line.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

/// Findings of the test rules as `(rule_id, secret, path, line)`, sorted.
fn citest(findings: &[Value]) -> Vec<(String, String, String, u64)> {
    let mut out: Vec<_> = findings
        .iter()
        .filter(|f| f["rule_id"].as_str().unwrap().starts_with("citest-"))
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["secret"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn finding_for<'a>(findings: &'a [Value], rule: &str, secret: &str) -> Vec<&'a Value> {
    findings
        .iter()
        .filter(|f| f["rule_id"] == rule && f["secret"] == secret)
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn row(rule: &str, secret: &str, path: &str, line: u64) -> (String, String, String, u64) {
    (rule.into(), secret.into(), path.into(), line)
}

#[test]
fn local_logs_of_every_provider_find_every_planted_secret() {
    let dir = TestDir::new();
    dir.write("logs_8123456789.zip", run_zip_bytes());
    let plain = std::fs::read(corpus("plain-deploy.log")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    dir.write("deploy.log.gz", gz.finish().unwrap());
    for name in [
        "gitlab-job-trace.log",
        "gitlab-job-masked.log",
        "jenkins-console.log",
        "circleci-step.log",
    ] {
        dir.write(name, std::fs::read(corpus(name)).unwrap());
    }
    let output = ferret()
        .current_dir(dir.path())
        .args([
            "scan",
            "ci-log",
            ".",
            "--repo",
            "acme/widgets",
            "--show-secrets",
        ])
        .args(["-f", "json", "--rules"])
        .arg(rules_file())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let findings = json_findings(&output);

    let zip = "logs_8123456789.zip!";
    let step = format!("{zip}{JOB}/3_Run tests.txt");
    let job_file = format!("{zip}0_{JOB}.txt");
    let step_src = corpus(&format!("github-run/{JOB}/3_Run tests.txt"));
    let job_src = corpus(&format!("github-run/0_{JOB}.txt"));
    let gitlab = corpus("gitlab-job-trace.log");
    let ghp_lines = lines_with(&step_src, GHP_ENV);
    assert_eq!(ghp_lines.len(), 2);
    // The escape sequence sits inside the token, so the fixture holds only its two halves.
    let slack_lines = lines_with(&step_src, &SLACK_ANSI_GITHUB[..37]);
    assert_eq!(slack_lines.len(), 2);
    assert!(lines_with(&step_src, SLACK_ANSI_GITHUB).is_empty());
    let mut expected = vec![
        // Step 4 has no step file: the whole-job file reports it.
        row(
            "citest-aws-access-key-id",
            AWS_DEPLOY,
            &job_file,
            lines_with(&job_src, AWS_DEPLOY)[0],
        ),
        row("citest-github-pat", GHP_ENV, &step, ghp_lines[0]),
        row("citest-github-pat", GHP_ENV, &step, ghp_lines[1]),
        row(
            "citest-slack-bot-token",
            SLACK_ANSI_GITHUB,
            &step,
            slack_lines[0],
        ),
        row(
            "citest-slack-bot-token",
            SLACK_ANSI_GITHUB,
            &step,
            slack_lines[1],
        ),
        // Hard-wrapped across two timestamped lines: reported whole, at its first line.
        row(
            "citest-github-pat",
            GHP_WRAPPED,
            &step,
            lines_with(&step_src, &GHP_WRAPPED[..19])[0],
        ),
        row(
            "citest-aws-access-key-id",
            AWS_CR_SEGMENT,
            "gitlab-job-trace.log",
            lines_with(&gitlab, AWS_CR_SEGMENT)[0],
        ),
        row(
            "citest-api-key",
            KEY_GITLAB,
            "gitlab-job-trace.log",
            lines_with(&gitlab, KEY_GITLAB)[0],
        ),
        row(
            "citest-slack-bot-token",
            SLACK_ANSI_GITLAB,
            "gitlab-job-trace.log",
            lines_with(&gitlab, &SLACK_ANSI_GITLAB[..35])[0],
        ),
        row(
            "citest-api-key",
            KEY_JENKINS,
            "jenkins-console.log",
            lines_with(&corpus("jenkins-console.log"), KEY_JENKINS)[0],
        ),
        row(
            "citest-github-pat",
            GHP_CIRCLE,
            "circleci-step.log",
            lines_with(&corpus("circleci-step.log"), GHP_CIRCLE)[0],
        ),
        row(
            "citest-api-key",
            KEY_GZ,
            "deploy.log.gz",
            lines_with(&corpus("plain-deploy.log"), KEY_GZ)[0],
        ),
    ];
    expected.sort();
    assert_eq!(citest(&findings), expected);

    // Columns point into the original line, timestamp prefix and escapes included.
    let wrapped = finding_for(&findings, "citest-github-pat", GHP_WRAPPED)[0];
    let wrapped_line = lines_with(&step_src, &GHP_WRAPPED[..19])[0];
    let src = std::fs::read_to_string(&step_src).unwrap();
    let text = src.lines().nth(wrapped_line as usize - 1).unwrap();
    assert_eq!(
        wrapped["column"].as_u64().unwrap() as usize,
        text.find(&GHP_WRAPPED[..19]).unwrap() + 1
    );
    assert_eq!(wrapped["end_line"].as_u64(), Some(wrapped_line + 1));
    let cr = finding_for(&findings, "citest-aws-access-key-id", AWS_CR_SEGMENT)[0];
    let trace = std::fs::read(&gitlab).unwrap();
    let cr_line = lines_with(&gitlab, AWS_CR_SEGMENT)[0] as usize;
    let line_text = trace.split(|&b| b == b'\n').nth(cr_line - 1).unwrap();
    let col = line_text
        .windows(AWS_CR_SEGMENT.len())
        .position(|w| w == AWS_CR_SEGMENT.as_bytes())
        .unwrap();
    assert_eq!(cr["column"].as_u64(), Some(col as u64 + 1));

    // Provenance: provider, run, job, step, link to the run.
    let origin = &wrapped["origin"];
    assert_eq!(origin["kind"], "ci_log");
    assert_eq!(origin["provider"], "github-actions");
    assert_eq!(origin["repository"], "acme/widgets");
    assert_eq!(origin["run"], "8123456789");
    assert_eq!(origin["job"], JOB);
    assert_eq!(origin["step"], "Run tests");
    assert_eq!(
        origin["url"],
        "https://github.com/acme/widgets/actions/runs/8123456789"
    );
    assert_eq!(cr["origin"]["provider"], "gitlab-ci");
    assert_eq!(cr["origin"]["step"], "step_script");
    let jenkins = finding_for(&findings, "citest-api-key", KEY_JENKINS)[0];
    assert_eq!(jenkins["origin"]["provider"], "jenkins");
    let circle = finding_for(&findings, "citest-github-pat", GHP_CIRCLE)[0];
    assert_eq!(circle["origin"]["provider"], "circleci");

    // Nothing from masks or console notes, whatever the rule (the built-in ones included).
    for f in &findings {
        let secret = f["secret"].as_str().unwrap();
        assert!(!secret.contains("***") && !secret.contains("MASKED"), "{f}");
        assert_ne!(secret, AWS_IN_CONSOLE_NOTE, "console note reported: {f}");
        assert_ne!(
            f["path"], "gitlab-job-masked.log",
            "masked value reported: {f}"
        );
    }
    let partial_mask_line = lines_with(&step_src, "API_KEY=***")[0];
    assert!(
        !findings
            .iter()
            .any(|f| f["path"] == step.as_str() && f["line"] == partial_mask_line),
        "a masked value was reported"
    );
}

#[test]
fn job_log_and_step_logs_report_a_secret_once() {
    let dir = TestDir::new().file("run.zip", run_zip_bytes());
    let output = ferret()
        .args(["scan", "ci-log", "-f", "json", "--show-secrets", "--rules"])
        .arg(rules_file())
        .arg(dir.join("run.zip"))
        .output()
        .unwrap();
    let findings = json_findings(&output);
    for f in &findings {
        let path = f["path"].as_str().unwrap();
        if path.ends_with(&format!("0_{JOB}.txt")) {
            assert_eq!(
                f["secret"], AWS_DEPLOY,
                "job file repeats a step file secret: {f}"
            );
        }
    }
    // Without a run id in the file name there is no run and no link.
    assert!(findings[0]["origin"].get("url").is_none());
}

#[test]
fn unreadable_log_is_an_error_that_keeps_other_findings() {
    let dir = TestDir::new()
        .file("broken.zip", b"PK\x03\x04 not really a zip")
        .file("ok.log", format!("export API_KEY={KEY_GZ}\n"));
    let output = ferret()
        .args(["scan", "ci-log", "-f", "json", "--rules"])
        .arg(rules_file())
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("broken.zip"),
        "{}",
        stderr(&output)
    );
    assert_eq!(citest(&json_findings(&output)).len(), 1);
}

/// The GitHub REST API for `acme/widgets`: runs 3003..3000 over two pages (the second first
/// answers 429), 3002's logs are gone (404), 3001's expired (410), 3000's first download is
/// rate limited (403, remaining 0). Logs redirect to `storage`, which rejects any Authorization.
fn github_api(storage_url: String) -> MockServer {
    let page_two_calls = AtomicUsize::new(0);
    let run_3000_calls = AtomicUsize::new(0);
    MockServer::start(move |req: &Request| {
        if req.header("authorization") != Some("Bearer test-token") {
            return Reply::json(json!({"message": "Bad credentials"})).status(401);
        }
        let run = |id: u64| {
            json!({"id": id, "html_url": format!("https://github.com/acme/widgets/actions/runs/{id}"),
                   "head_branch": "main", "created_at": "2024-03-01T10:00:00Z"})
        };
        match req.path() {
            "/repos/acme/widgets/actions/runs" => {
                if req.query("page").as_deref() == Some("2") {
                    if page_two_calls.fetch_add(1, Ordering::SeqCst) == 0 {
                        return Reply::new(429, "slow down").header("retry-after", "1");
                    }
                    return Reply::json(
                        json!({"total_count": 4, "workflow_runs": [run(3001), run(3000)]}),
                    );
                }
                let next = format!(
                    "{}/repos/acme/widgets/actions/runs?per_page=2&page=2",
                    req.base
                );
                Reply::json(json!({"total_count": 4, "workflow_runs": [run(3003), run(3002)]}))
                    .header(
                        "link",
                        format!("<{next}>; rel=\"next\", <{next}>; rel=\"last\""),
                    )
            }
            "/repos/acme/widgets/actions/runs/3003" => Reply::json(run(3003)),
            "/repos/acme/widgets/actions/runs/3003/logs" => Reply::new(302, "")
                .header("location", format!("{storage_url}/blob/3003.zip?sig=abc")),
            "/repos/acme/widgets/actions/runs/3002/logs" => {
                Reply::json(json!({"message": "Not Found"})).status(404)
            }
            "/repos/acme/widgets/actions/runs/3001/logs" => {
                Reply::json(json!({"message": "Gone"})).status(410)
            }
            "/repos/acme/widgets/actions/runs/3000/logs" => {
                if run_3000_calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    let reset = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_secs()
                        + 1;
                    return Reply::json(json!({"message": "API rate limit exceeded"}))
                        .status(403)
                        .header("x-ratelimit-remaining", "0")
                        .header("x-ratelimit-reset", reset.to_string());
                }
                Reply::new(302, "").header("location", format!("{storage_url}/blob/3000.zip"))
            }
            _ => Reply::json(json!({"message": "Not Found"})).status(404),
        }
    })
}

fn storage(zip: Vec<u8>) -> MockServer {
    MockServer::start(move |req: &Request| {
        if req.header("authorization").is_some() {
            return Reply::new(400, "Authorization header forwarded to storage");
        }
        match req.path() {
            "/blob/3003.zip" | "/blob/3000.zip" => Reply::new(200, zip.clone()),
            _ => Reply::new(404, "no such blob"),
        }
    })
}

trait Status {
    fn status(self, code: u16) -> Self;
}

impl Status for Reply {
    fn status(mut self, code: u16) -> Self {
        self.status = code;
        self
    }
}

#[test]
fn github_actions_runs_are_listed_downloaded_and_scanned() {
    let storage = storage(run_zip_bytes());
    let api = github_api(storage.url().to_string());
    let output = ferret()
        .env("GITHUB_TOKEN", "test-token")
        .args(["scan", "github-actions", "acme/widgets", "--max-runs", "4"])
        .args([
            "--api-url",
            api.url(),
            "-f",
            "json",
            "--show-secrets",
            "--rules",
        ])
        .arg(rules_file())
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {err}");
    // 404 and 410 are reported per run; the other runs are scanned.
    assert!(err.contains("run 3002") && err.contains("404"), "{err}");
    assert!(
        err.contains("run 3001") && err.contains("410") && err.contains("expired"),
        "{err}"
    );
    let findings = json_findings(&output);
    let wrapped = finding_for(&findings, "citest-github-pat", GHP_WRAPPED);
    let runs: Vec<&str> = wrapped
        .iter()
        .map(|f| f["origin"]["run"].as_str().unwrap())
        .collect();
    assert_eq!(wrapped.len(), 2, "one per scanned run: {runs:?}");
    assert!(runs.contains(&"3003") && runs.contains(&"3000"));
    let f = wrapped
        .iter()
        .find(|f| f["origin"]["run"] == "3003")
        .unwrap();
    assert_eq!(
        f["path"],
        format!("github-actions:acme/widgets/runs/3003/{JOB}/3_Run tests.txt")
    );
    assert_eq!(
        f["origin"]["url"],
        "https://github.com/acme/widgets/actions/runs/3003"
    );
    assert_eq!(f["origin"]["step"], "Run tests");
    assert_eq!(citest(&findings).len(), 2 * 6);

    // The token went to the API only; storage saw both downloads, without it.
    let blobs = storage.requests();
    assert_eq!(blobs.len(), 2);
    assert!(blobs.iter().all(|r| r.header("authorization").is_none()));
    let calls = api.requests();
    let count = |path: &str| calls.iter().filter(|r| r.path() == path).count();
    assert_eq!(
        count("/repos/acme/widgets/actions/runs/3000/logs"),
        2,
        "403 retried"
    );
    assert_eq!(
        count("/repos/acme/widgets/actions/runs"),
        3,
        "2 pages, 429 retried"
    );
    assert!(calls.iter().all(|r| r.method == "GET"));
}

#[test]
fn github_actions_single_run_and_filters() {
    let storage = storage(run_zip_bytes());
    let api = github_api(storage.url().to_string());
    let output = ferret()
        .env("GH_TOKEN", "test-token")
        .args(["scan", "github-actions", "acme/widgets", "--run", "3003"])
        .args(["--api-url", api.url(), "-f", "json", "--rules"])
        .arg(rules_file())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(citest(&json_findings(&output)).len(), 6);

    // Filters become query parameters of the listing.
    let output = ferret()
        .env("GITHUB_TOKEN", "test-token")
        .args(["scan", "github-actions", "acme/widgets", "--branch", "main"])
        .args([
            "--since",
            "2024-02-01",
            "--max-runs",
            "1",
            "--api-url",
            api.url(),
        ])
        .args(["-f", "json", "--rules"])
        .arg(rules_file())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let listing = api
        .requests()
        .into_iter()
        .find(|r| r.path() == "/repos/acme/widgets/actions/runs")
        .unwrap();
    assert_eq!(listing.query("branch").as_deref(), Some("main"));
    assert_eq!(listing.query("created").as_deref(), Some(">=2024-02-01"));
    assert_eq!(listing.query("per_page").as_deref(), Some("1"));
}

#[test]
fn github_actions_token_handling() {
    let output = ferret()
        .args([
            "scan",
            "github-actions",
            "acme/widgets",
            "--api-url",
            "http://127.0.0.1:9",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("GITHUB_TOKEN"),
        "{}",
        stderr(&output)
    );

    let storage = storage(run_zip_bytes());
    let api = github_api(storage.url().to_string());
    let output = ferret()
        .args([
            "scan",
            "github-actions",
            "acme/widgets",
            "--run",
            "3003",
            "--token-stdin",
        ])
        .args(["--api-url", api.url(), "-f", "json", "--rules"])
        .arg(rules_file())
        .write_stdin("test-token\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    let output = ferret()
        .env("GITHUB_TOKEN", "wrong")
        .args([
            "scan",
            "github-actions",
            "acme/widgets",
            "--api-url",
            api.url(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("401"), "{}", stderr(&output));

    let output = ferret()
        .env("GITHUB_TOKEN", "test-token")
        .args([
            "scan",
            "github-actions",
            "acme/widgets",
            "--api-url",
            "http://example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("https"), "{}", stderr(&output));
}

#[test]
fn gitlab_ci_job_traces_are_listed_and_scanned() {
    let trace = std::fs::read(corpus("gitlab-job-trace.log")).unwrap();
    let masked = std::fs::read(corpus("gitlab-job-masked.log")).unwrap();
    let seen_pages = Arc::new(Mutex::new(Vec::new()));
    let pages = seen_pages.clone();
    let api = MockServer::start(move |req: &Request| {
        if req.header("private-token") != Some("glpat-test") {
            return Reply::json(json!({"message": "401 Unauthorized"})).status(401);
        }
        let job = |id: u64, name: &str| {
            json!({"id": id, "name": name, "ref": "main", "stage": "test", "status": "success",
                   "created_at": "2024-03-01T10:00:00.000Z",
                   "web_url": format!("https://gitlab.example.com/acme/widgets/-/jobs/{id}"),
                   "pipeline": {"id": 77, "ref": "main"}})
        };
        match req.path() {
            "/api/v4/projects/acme%2Fwidgets/jobs" => {
                let page = req.query("page").unwrap_or_default();
                pages.lock().unwrap().push(page.clone());
                if page == "2" {
                    Reply::json(json!([job(499, "lint")])).header("x-next-page", "")
                } else {
                    Reply::json(json!([job(501, "unit tests"), job(500, "build")]))
                        .header("x-next-page", "2")
                }
            }
            "/api/v4/projects/acme%2Fwidgets/jobs/501/trace" => Reply::new(200, trace.clone()),
            "/api/v4/projects/acme%2Fwidgets/jobs/500/trace" => Reply::new(200, masked.clone()),
            _ => Reply::json(json!({"message": "404 Not found"})).status(404),
        }
    });
    let api_url = format!("{}/api/v4", api.url());
    let output = ferret()
        .env_remove("GITLAB_TOKEN")
        .env("GITLAB_TOKEN", "glpat-test")
        .args(["scan", "gitlab-ci", "acme/widgets", "--api-url", &api_url])
        .args(["-f", "json", "--show-secrets", "--rules"])
        .arg(rules_file())
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains("job 499") && err.contains("404"), "{err}");
    assert_eq!(*seen_pages.lock().unwrap(), vec!["1", "2"]);
    let findings = json_findings(&output);
    let path = "gitlab-ci:acme/widgets/jobs/501";
    let gitlab = corpus("gitlab-job-trace.log");
    let mut expected = vec![
        row(
            "citest-aws-access-key-id",
            AWS_CR_SEGMENT,
            path,
            lines_with(&gitlab, AWS_CR_SEGMENT)[0],
        ),
        row(
            "citest-api-key",
            KEY_GITLAB,
            path,
            lines_with(&gitlab, KEY_GITLAB)[0],
        ),
        row(
            "citest-slack-bot-token",
            SLACK_ANSI_GITLAB,
            path,
            lines_with(&gitlab, &SLACK_ANSI_GITLAB[..35])[0],
        ),
    ];
    expected.sort();
    assert_eq!(citest(&findings), expected);
    let origin = &finding_for(&findings, "citest-api-key", KEY_GITLAB)[0]["origin"];
    assert_eq!(origin["provider"], "gitlab-ci");
    assert_eq!(origin["repository"], "acme/widgets");
    assert_eq!(origin["run"], "77");
    assert_eq!(origin["job"], "unit tests");
    assert_eq!(origin["step"], "step_script");
    assert_eq!(
        origin["url"],
        "https://gitlab.example.com/acme/widgets/-/jobs/501"
    );

    // One job by id, token on stdin.
    let output = ferret()
        .env_remove("GITLAB_TOKEN")
        .args([
            "scan",
            "gitlab-ci",
            "acme/widgets",
            "--job",
            "500",
            "--token-stdin",
        ])
        .args(["--api-url", &api_url, "-f", "json"])
        .write_stdin("glpat-test\n")
        .output()
        .unwrap();
    // Job 500's metadata is not served by this mock: the error is reported, not a panic.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("job 500"));
}
