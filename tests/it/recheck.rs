//! `ferret recheck` end to end: secrets in a directory, a git repository and an image are scanned
//! and verified live against a `MockProvider`; then some are revoked at the mock and one file is
//! edited, and the recheck of the report says revoked, still live or gone for each.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

use crate::support::mock_provider::{MockProvider, Reply};
use crate::support::test_image::{TestImage, github_token};
use crate::support::test_repo::TestRepo;
use crate::support::{TestDir, assert_valid_sarif, ferret};
use serde_json::{Value, json};

/// A GitHub API stand-in: a token is live while it is in the set, revoked once removed.
struct Github {
    mock: MockProvider,
    live: Arc<Mutex<HashSet<String>>>,
}

impl Github {
    fn start(tokens: &[&str]) -> Self {
        let live: Arc<Mutex<HashSet<String>>> =
            Arc::new(Mutex::new(tokens.iter().map(|t| t.to_string()).collect()));
        let answers = Arc::clone(&live);
        let mock = MockProvider::start(move |r| {
            let token = r
                .header("authorization")
                .and_then(|h| h.strip_prefix("token "))
                .unwrap_or("");
            if r.path == "/user" && answers.lock().unwrap().contains(token) {
                Reply::json(200, json!({"login": "octocat", "id": 1}))
            } else {
                Reply::json(401, json!({"message": "Bad credentials"}))
            }
        });
        Github { mock, live }
    }

    fn revoke(&self, token: &str) {
        self.live.lock().unwrap().remove(token);
    }

    fn endpoint(&self) -> String {
        format!("github={}", self.mock.url())
    }
}

/// Runs ferret with `args` in `cwd`.
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    ferret().current_dir(cwd).args(args).output().unwrap()
}

fn assert_status(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Fails if any of `secrets` appears in the process output or in `files`.
fn assert_no_secret(out: &Output, files: &[&Path], secrets: &[&str]) {
    let mut all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for file in files {
        all.push_str(&std::fs::read_to_string(file).unwrap_or_default());
    }
    for secret in secrets {
        assert!(!all.contains(secret), "a secret was written:\n{all}");
    }
}

/// The recheck record's outcome per origin kind and path.
fn outcomes(record: &Value) -> BTreeMap<(String, String), String> {
    record["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let origin = &f["origin"];
            let key = (
                origin["kind"].as_str().unwrap().to_string(),
                origin["path"].as_str().unwrap_or("").to_string(),
            );
            (key, f["outcome"].as_str().unwrap().to_string())
        })
        .collect()
}

fn key(kind: &str, path: &str) -> (String, String) {
    (kind.to_string(), path.to_string())
}

/// Where the secrets were: a directory of two files, a repository and an image.
struct Places {
    work: TestDir,
    dir: TestDir,
    repo: TestRepo,
    image: TestImage,
    kept: String,
    edited: String,
    committed: String,
    layered: String,
}

impl Places {
    fn plant() -> Self {
        let kept = github_token("recheck kept");
        let edited = github_token("recheck edited");
        let committed = github_token("recheck committed");
        let layered = github_token("recheck layered");
        let dir = TestDir::new()
            .file("kept.env", format!("GITHUB_TOKEN={kept}\n"))
            .file("edited.env", format!("GITHUB_TOKEN={edited}\n"));
        let repo = TestRepo::new();
        repo.write("deploy.env", format!("GITHUB_TOKEN={committed}\n"));
        repo.commit("add deploy settings");
        let image = TestImage::new();
        image
            .write("app/.env", format!("GITHUB_TOKEN={layered}\n"))
            .commit("COPY .env /app/");
        Places {
            work: TestDir::new(),
            dir,
            repo,
            image,
            kept,
            edited,
            committed,
            layered,
        }
    }

    fn secrets(&self) -> [&str; 4] {
        [&self.kept, &self.edited, &self.committed, &self.layered]
    }

    /// Scans the three places with `--verify`, each into its own report in `format`, and
    /// merges the JSON ones into `report.json`.
    fn scan(&self, github: &Github, format: &str) {
        let work = self.work.path();
        let endpoint = github.endpoint();
        let layout = self.image.layout().display().to_string();
        let dir = self.dir.path().display().to_string();
        let repo = self.repo.path().display().to_string();
        let ext = if format == "sarif" { "sarif" } else { "json" };
        for (what, target) in [("dir", &dir), ("git", &repo), ("image", &layout)] {
            let output = format!("{what}.{ext}");
            let out = run_in(
                work,
                &[
                    "scan",
                    what,
                    target,
                    "--format",
                    format,
                    "-o",
                    &output,
                    "--verify",
                    "--verify-endpoint",
                    &endpoint,
                ],
            );
            assert_status(&out, 1);
            assert_no_secret(&out, &[&work.join(&output)], &self.secrets());
        }
        if format == "json" {
            let out = run_in(
                work,
                &[
                    "report",
                    "merge",
                    "dir.json",
                    "git.json",
                    "image.json",
                    "--format",
                    "json",
                    "-o",
                    "report.json",
                ],
            );
            assert_status(&out, 1);
        }
    }

    fn recheck(&self, github: &Github, report: &str, extra: &[&str]) -> Output {
        let endpoint = github.endpoint();
        let mut args = vec!["recheck", report, "--verify-endpoint", &endpoint];
        args.extend_from_slice(extra);
        run_in(self.work.path(), &args)
    }
}

#[test]
fn a_rotation_is_proved_revoked_still_live_or_gone_per_finding() {
    let places = Places::plant();
    let github = Github::start(&places.secrets());
    places.scan(&github, "json");

    // The rotation, half done: two tokens revoked, one file cleaned (its token never revoked),
    // the committed token forgotten.
    github.revoke(&places.kept);
    github.revoke(&places.layered);
    places
        .dir
        .write("edited.env", "GITHUB_TOKEN=${GITHUB_TOKEN}\n");

    let record_file = places.work.join("recheck.json");
    let out = places.recheck(
        &github,
        "report.json",
        &["--format", "json", "-o", "recheck.json"],
    );
    assert_status(&out, 1);
    assert_no_secret(&out, &[&record_file], &places.secrets());
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(&record_file).unwrap()).unwrap();
    let expected: BTreeMap<_, _> = [
        (key("file", "kept.env"), "revoked"),
        (key("file", "edited.env"), "gone"),
        (key("git", "deploy.env"), "still_live"),
        (key("image_layer", "app/.env"), "revoked"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    assert_eq!(outcomes(&record), expected, "{record:#}");
    assert_eq!(record["report"], "report.json");
    let report_bytes = std::fs::read(places.work.join("report.json")).unwrap();
    assert_eq!(
        record["report_sha256"],
        crate::support::test_image::digest(&report_bytes).trim_start_matches("sha256:")
    );
    assert_eq!(record["ferret_version"], env!("CARGO_PKG_VERSION"));
    assert!(record["checked_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        record["summary"],
        json!({"revoked": 2, "still_live": 1, "gone": 1, "unknown": 0})
    );
    for finding in record["findings"].as_array().unwrap() {
        let status = &finding["http_status"];
        match finding["outcome"].as_str().unwrap() {
            "revoked" => assert_eq!(status, 401, "{finding}"),
            "still_live" => assert_eq!(status, 200, "{finding}"),
            _ => assert!(status.is_null(), "{finding}"),
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("2 rotated and revoked, 1 still live, 1 gone, 0 unknown"),
        "{stderr}"
    );

    // The rest of the rotation: nothing is live any more.
    github.revoke(&places.committed);
    let out = places.recheck(&github, "report.json", &[]);
    assert_status(&out, 0);
    assert_no_secret(&out, &[], &places.secrets());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("3 rotated and revoked, 0 still live, 1 gone, 0 unknown"),
        "{text}"
    );
    assert!(text.contains("gone        github-pat-classic"), "{text}");
}

#[test]
fn a_sarif_report_is_rechecked_as_well() {
    let places = Places::plant();
    let github = Github::start(&places.secrets());
    places.scan(&github, "sarif");
    github.revoke(&places.committed);
    std::fs::remove_file(places.dir.join("kept.env")).unwrap();

    let record_of = |report: &str| -> Value {
        let out = places.recheck(&github, report, &["--format", "json"]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let dir = record_of("dir.sarif");
    assert_eq!(
        outcomes(&dir),
        [
            (key("file", "edited.env"), "still_live".to_string()),
            (key("file", "kept.env"), "gone".to_string()),
        ]
        .into_iter()
        .collect()
    );
    let git = record_of("git.sarif");
    assert_eq!(git["summary"]["revoked"], 1, "{git:#}");
    let image = record_of("image.sarif");
    assert_eq!(image["summary"]["still_live"], 1, "{image:#}");

    // The record as SARIF: valid, an error for the live token, a note for the gone one.
    let out = places.recheck(
        &github,
        "dir.sarif",
        &["--format", "sarif", "-o", "recheck.sarif"],
    );
    assert_status(&out, 1);
    let sarif_file = places.work.join("recheck.sarif");
    assert_no_secret(&out, &[&sarif_file], &places.secrets());
    assert_valid_sarif(&sarif_file);
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_file).unwrap()).unwrap();
    let levels: BTreeMap<String, String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["properties"]["outcome"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(levels["still_live"], "error", "{sarif:#}");
    assert_eq!(levels["gone"], "note", "{sarif:#}");
}

#[test]
fn a_rewritten_history_and_a_removed_image_are_gone() {
    let places = Places::plant();
    let github = Github::start(&places.secrets());
    places.scan(&github, "json");
    // History rewritten without the secret and the old objects pruned; the image deleted.
    places
        .repo
        .write("deploy.env", "GITHUB_TOKEN=${GITHUB_TOKEN}\n");
    places
        .repo
        .git(&["commit", "-q", "--amend", "-m", "add deploy settings"]);
    places
        .repo
        .git(&["reflog", "expire", "--expire=now", "--all"]);
    places.repo.git(&["gc", "-q", "--prune=now"]);
    std::fs::remove_dir_all(places.image.layout()).unwrap();

    let out = places.recheck(&github, "report.json", &["--format", "json"]);
    assert_status(&out, 1);
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    let outcomes = outcomes(&record);
    assert_eq!(outcomes[&key("git", "deploy.env")], "gone", "{record:#}");
    assert_eq!(
        outcomes[&key("image_layer", "app/.env")],
        "gone",
        "{record:#}"
    );
    let reasons: Vec<&str> = record["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "gone")
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("no longer in the repository")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("no longer exists")),
        "{reasons:?}"
    );
}

/// One JSON-report finding of a file, as `ferret scan --format json` prints it.
fn file_finding(root: &str, path: &str, fingerprint: &str) -> Value {
    json!({
        "rule_id": "github-pat-classic", "rule_name": "GitHub token", "severity": "high",
        "path": path, "line": 1, "column": 14, "end_line": 1, "secret": "ghp_*****",
        "redacted": true, "fingerprint": fingerprint, "entropy": 5.0, "confidence": "high",
        "confidence_reasons": [], "origin": {"kind": "file", "path": path}, "root": root,
    })
}

#[test]
fn a_tampered_report_is_refused_or_only_reread_and_escaped() {
    let work = TestDir::new();
    let foreign = json!([file_finding("/tmp/", "a.env", "0123456789abcdef")]);
    work.write("foreign.json", foreign.to_string());
    let out = run_in(work.path(), &["recheck", "foreign.json"]);
    assert_status(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("foreign.json"), "{stderr}");
    assert!(stderr.contains("not a ferret fingerprint"), "{stderr}");

    let out = run_in(work.path(), &["recheck", "missing.json"]);
    assert_status(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read missing.json"));

    // A place with escape sequences and `..`: it is only looked for, and printed escaped.
    let fp = "fp2_0123456789abcdef0123456789abcdef";
    let forged = json!([
        file_finding("/nonexistent/\u{1b}]0;owned\u{7}/", "\u{1b}[2Ja.env", fp),
        file_finding(
            &format!("{}/sub/", work.path().display()),
            "../../etc/hostname",
            fp
        ),
    ]);
    work.write("forged.json", forged.to_string());
    let out = run_in(work.path(), &["recheck", "forged.json"]);
    assert_status(&out, 0);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains('\u{1b}') && !all.contains('\u{7}'), "{all:?}");
    assert!(
        all.contains("0 rotated and revoked, 0 still live, 2 gone, 0 unknown"),
        "{all}"
    );
}

#[test]
fn a_cloned_repository_and_a_ci_log_are_read_again() {
    let committed = github_token("recheck cloned");
    let logged = github_token("recheck logged");
    let github = Github::start(&[&committed, &logged]);
    let repo = TestRepo::new();
    repo.write("ci.env", format!("GITHUB_TOKEN={committed}\n"));
    repo.commit("add ci settings");
    let work = TestDir::new().file(
        "build.log",
        format!("2026-11-02T10:00:00Z + export GITHUB_TOKEN={logged}\n"),
    );
    let url = format!("file://{}", repo.path().display());
    let endpoint = github.endpoint();
    for (what, target, output) in [
        ("git", url.as_str(), "git.json"),
        ("ci-log", "build.log", "log.json"),
    ] {
        let out = run_in(
            work.path(),
            &["scan", what, target, "--format", "json", "-o", output],
        );
        assert_status(&out, 1);
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("git.json")).unwrap()).unwrap();
    assert_eq!(report[0]["origin"]["repository"], url.as_str());
    github.revoke(&committed);

    let record_of = |report: &str| -> Value {
        let out = run_in(
            work.path(),
            &[
                "recheck",
                report,
                "--format",
                "json",
                "--verify-endpoint",
                &endpoint,
            ],
        );
        assert_no_secret(&out, &[], &[&committed, &logged]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let git = record_of("git.json");
    assert_eq!(git["findings"][0]["outcome"], "revoked", "{git:#}");
    let log = record_of("log.json");
    assert_eq!(log["findings"][0]["outcome"], "still_live", "{log:#}");
    std::fs::remove_file(work.join("build.log")).unwrap();
    let log = record_of("log.json");
    assert_eq!(log["findings"][0]["outcome"], "gone", "{log:#}");
}

#[test]
fn the_fingerprint_salt_of_the_scanned_tree_or_of_config_is_used() {
    let token = github_token("recheck salted");
    let github = Github::start(&[]);
    let dir = TestDir::new()
        .file("ferret.toml", "fingerprint_salt = \"project-salt-1\"\n")
        .file("app.env", format!("GITHUB_TOKEN={token}\n"));
    let work = TestDir::new().file("other.toml", "fingerprint_salt = \"another-salt\"\n");
    let target = dir.path().display().to_string();
    let out = run_in(
        work.path(),
        &[
            "scan",
            "dir",
            &target,
            "--format",
            "jsonl",
            "-o",
            "report.jsonl",
        ],
    );
    assert_status(&out, 1);
    let endpoint = github.endpoint();
    let recheck = |extra: &[&str]| -> Value {
        let mut args = vec![
            "recheck",
            "report.jsonl",
            "-f",
            "json",
            "--verify-endpoint",
            &endpoint,
        ];
        args.extend_from_slice(extra);
        let out = run_in(work.path(), &args);
        assert_status(&out, 0);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // Found again with the tree's own salt, from another directory.
    assert_eq!(recheck(&[])["findings"][0]["outcome"], "revoked");
    // With another salt the fingerprint cannot match: the secret is not recognised there.
    let salted = recheck(&["--config", "other.toml"]);
    assert_eq!(salted["findings"][0]["outcome"], "gone");
    let reason = salted["findings"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("fingerprint_salt"), "{reason}");
}

#[test]
fn what_cannot_be_concluded_is_unknown_with_the_reason() {
    let failing = github_token("recheck provider error");
    let piped = github_token("recheck piped");
    let mock = MockProvider::start(|_| Reply::text(500, "internal error"));
    let endpoint = format!("github={}", mock.url());
    let work = TestDir::new().file("app.env", format!("GITHUB_TOKEN={failing}\n"));
    let out = run_in(
        work.path(),
        &["scan", "dir", "app.env", "-f", "jsonl", "-o", "dir.jsonl"],
    );
    assert_status(&out, 1);
    let out = ferret()
        .current_dir(work.path())
        .args(["scan", "stdin", "-f", "jsonl", "-o", "stdin.jsonl"])
        .write_stdin(format!("GITHUB_TOKEN={piped}\n"))
        .output()
        .unwrap();
    assert_status(&out, 1);
    let both = format!(
        "{}{}",
        std::fs::read_to_string(work.join("dir.jsonl")).unwrap(),
        std::fs::read_to_string(work.join("stdin.jsonl")).unwrap()
    );
    work.write("both.jsonl", both);

    let out = run_in(
        work.path(),
        &[
            "recheck",
            "both.jsonl",
            "-f",
            "json",
            "--verify-endpoint",
            &endpoint,
        ],
    );
    assert_status(&out, 0);
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_kind: BTreeMap<&str, &Value> = record["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["origin"]["kind"].as_str().unwrap(), f))
        .collect();
    let file = by_kind["file"];
    assert_eq!(file["outcome"], "unknown", "{record:#}");
    assert_eq!(file["http_status"], 500, "{record:#}");
    let stdin = by_kind["stdin"];
    assert_eq!(stdin["outcome"], "unknown", "{record:#}");
    assert!(
        stdin["reason"].as_str().unwrap().contains("standard input"),
        "{record:#}"
    );
    assert_eq!(record["summary"]["unknown"], 2);
}

#[test]
fn an_image_in_a_registry_is_pulled_again() {
    use crate::support::test_registry::Registry;
    let token = github_token("recheck registry");
    let github = Github::start(&[&token]);
    let image = TestImage::new();
    image
        .write("etc/app.env", format!("GITHUB_TOKEN={token}\n"))
        .commit("COPY app.env /etc/");
    let registry = Registry::start(None);
    registry.push(&image, "team/app:v1", None);
    let reference = format!("{}/team/app:v1", registry.host());
    let host = registry.host();
    let work = TestDir::new();
    let out = run_in(
        work.path(),
        &[
            "scan",
            "image",
            "--insecure-registry",
            &host,
            &reference,
            "-f",
            "json",
            "-o",
            "image.json",
        ],
    );
    assert_status(&out, 1);
    github.revoke(&token);
    let endpoint = github.endpoint();
    let recheck = |extra: &[&str]| -> Value {
        let mut args = vec![
            "recheck",
            "image.json",
            "-f",
            "json",
            "--verify-endpoint",
            &endpoint,
        ];
        args.extend_from_slice(extra);
        serde_json::from_slice(&run_in(work.path(), &args).stdout).unwrap()
    };
    let pulled = recheck(&["--insecure-registry", &host]);
    assert_eq!(pulled["findings"][0]["outcome"], "revoked", "{pulled:#}");
    // Without leave to use plain http the registry cannot be reached: nothing is known.
    let refused = recheck(&[]);
    assert_eq!(refused["findings"][0]["outcome"], "unknown", "{refused:#}");
}

#[test]
fn a_rule_of_a_rules_file_is_looked_for_only_when_given() {
    let rules = crate::support::test_rules_file();
    let work = TestDir::new().file("app.env", "KEY=tst_Qw8rT2yU6iO0pA4sD7fG1hJ5\n");
    let out = run_in(
        work.path(),
        &[
            "scan", "dir", "app.env", "--rules", &rules, "-f", "json", "-o", "r.json",
        ],
    );
    assert_status(&out, 1);
    let reason_of = |extra: &[&str]| -> String {
        let mut args = vec!["recheck", "r.json", "-f", "json"];
        args.extend_from_slice(extra);
        let out = run_in(work.path(), &args);
        assert_status(&out, 0);
        let record: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(record["findings"][0]["outcome"], "unknown", "{record:#}");
        record["findings"][0]["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let without = reason_of(&[]);
    assert!(
        without.contains("rule test-token is not loaded"),
        "{without}"
    );
    // Found again with the file; it has no verifier, which is said.
    let with = reason_of(&["--rules", &rules]);
    assert!(with.contains("no verifier for rule test-token"), "{with}");
}
