//! `ferret report merge`: shard outputs of different source kinds combine into one inventory,
//! merging is idempotent, bad inputs are refused by name, and the HTML report renders in headless
//! Chromium with filtering and without any secret in the clear.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::test_image::{TestImage, github_token};
use crate::support::test_repo::TestRepo;
use crate::support::{TestDir, ferret};

/// Runs `ferret scan ARGS -f jsonl -o OUT` and returns OUT.
fn scan_to(out: &Path, args: &[&str]) -> PathBuf {
    let output = ferret()
        .arg("scan")
        .args(args)
        .args(["-f", "jsonl", "--quiet", "-o"])
        .arg(out)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "scan {args:?} finds the planted secret: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    out.to_path_buf()
}

fn merge(reports: &[PathBuf], format: &str) -> std::process::Output {
    ferret()
        .args(["report", "merge", "-f", format])
        .args(reports)
        .output()
        .unwrap()
}

fn repo_with(token: &str, file: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(file, format!("GITHUB_TOKEN={token}\n"));
    repo.commit("add ci settings");
    repo
}

#[test]
fn one_secret_in_two_repositories_an_image_layer_and_a_ci_log_is_one_inventory_entry() {
    let token = github_token("merge-inventory");
    let work = TestDir::new();
    let repo_a = repo_with(&token, "ci/env.sh");
    let repo_b = repo_with(&token, "deploy/.env");
    let image = TestImage::new();
    image
        .write("app/.env", format!("GITHUB_TOKEN={token}\n"))
        .commit("COPY . /app");
    work.write(
        "job.log",
        format!("2024-05-01T10:00:00Z + export GITHUB_TOKEN={token}\n2024-05-01T10:00:01Z done\n"),
    );
    let layout = image.layout();
    let shards = vec![
        scan_to(
            &work.join("a.jsonl"),
            &["git", repo_a.path().to_str().unwrap()],
        ),
        scan_to(
            &work.join("b.jsonl"),
            &["git", repo_b.path().to_str().unwrap()],
        ),
        scan_to(
            &work.join("img.jsonl"),
            &["image", layout.to_str().unwrap()],
        ),
        scan_to(
            &work.join("log.jsonl"),
            &["ci-log", work.join("job.log").to_str().unwrap()],
        ),
    ];
    let output = merge(&shards, "inventory-json");
    assert_eq!(output.status.code(), Some(1), "findings remain: exit 1");
    let inventory: Value = serde_json::from_slice(&output.stdout).unwrap();
    let secrets = inventory["secrets"].as_array().unwrap();
    let entries: Vec<&Value> = secrets
        .iter()
        .filter(|s| s["rule_id"] == "github-pat-classic")
        .collect();
    assert_eq!(
        entries.len(),
        1,
        "one entry for the one token: {secrets:#?}"
    );
    let mut kinds: Vec<&str> = entries[0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["ci_log", "git", "git", "image_layer"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        !text.contains(&token),
        "the token is redacted in the inventory"
    );
}

#[test]
fn merging_is_idempotent_and_the_shards_of_a_scan_merge_into_the_whole_scan() {
    let work = TestDir::new()
        .file("one/.env", format!("GITHUB_TOKEN={}\n", github_token("m1")))
        .file("two/.env", format!("GITHUB_TOKEN={}\n", github_token("m2")));
    let root = work.path().to_str().unwrap().to_string();
    let whole = scan_to(&work.join("whole.jsonl"), &["dir", &root]);
    let one = scan_to(&work.join("one.jsonl"), &["dir", &format!("{root}/one")]);
    let two = scan_to(&work.join("two.jsonl"), &["dir", &format!("{root}/two")]);
    let once = merge(std::slice::from_ref(&whole), "json");
    let twice = merge(&[whole.clone(), whole.clone()], "json");
    assert_eq!(
        once.stdout, twice.stdout,
        "a report merged with itself is unchanged"
    );
    let findings: Vec<Value> = serde_json::from_slice(&once.stdout).unwrap();
    assert_eq!(findings.len(), 2);
    // The shards were scanned from other roots, so compare where each finding is, absolutely.
    let places = |out: &std::process::Output| {
        let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let mut places: Vec<(String, String)> = findings
            .iter()
            .map(|f| {
                let abs = format!(
                    "{}{}",
                    f["root"].as_str().unwrap_or(""),
                    f["path"].as_str().unwrap()
                );
                (
                    abs.trim_start_matches(&format!("{root}/")).to_string(),
                    f["fingerprint"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        places.sort();
        places
    };
    assert_eq!(places(&merge(&[one, two], "json")), places(&once));
}

#[test]
fn a_file_that_is_not_a_report_or_a_truncated_line_is_refused_by_name() {
    let work = TestDir::new()
        .file("package.json", r#"{"name": "app", "version": "1.0.0"}"#)
        .file(
            "cut.jsonl",
            r#"{"rule_id":"github-pat-classic","rule_name":"GitHub"#,
        );
    for (file, expect) in [
        ("package.json", "package.json is not a ferret report"),
        ("cut.jsonl", "cut.jsonl is not a ferret report"),
        ("missing.jsonl", "cannot read"),
    ] {
        let output = merge(&[work.join(file)], "json");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{file}: {stderr}");
        assert!(stderr.contains(expect), "{file}: {stderr}");
        assert!(output.stdout.is_empty(), "nothing written for {file}");
    }
}

/// Debian's chromium, as `.ci/setup` installs it.
const CHROMIUM: &str = "/usr/bin/chromium";

/// The DOM of `page` after its scripts ran, from headless Chromium.
fn rendered_dom(page: &str) -> String {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: .ci/setup installs Debian's chromium package"
    );
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=2000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(page)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The rows of the inventory table in a dumped DOM: (the row's markup, whether it is hidden).
fn inventory_rows(dom: &str) -> Vec<(String, bool)> {
    let table = dom
        .split("id=\"inventory\"")
        .nth(1)
        .and_then(|t| t.split("<tbody").nth(1))
        .and_then(|t| t.split("</tbody>").next())
        .expect("the inventory table has a body");
    table
        .split("<tr")
        .skip(1)
        .map(|row| {
            let tag_end = row.find('>').unwrap_or(row.len());
            (row.to_string(), row[..tag_end].contains("hidden"))
        })
        .collect()
}

#[test]
fn the_html_report_renders_in_chromium_filters_and_shows_no_secret() {
    let github = github_token("html-report");
    let slack = "xoxb-2048675309-4096817263541-Qm7Zt0aRw3XcVbN9pLkJhGfD";
    let work = TestDir::new()
        .file(".env", format!("GITHUB_TOKEN={github}\n"))
        .file("app/settings.py", format!("SLACK_TOKEN = \"{slack}\"\n"))
        .file(
            "<img src=x onerror=alert(1)>.env",
            format!("GITHUB_TOKEN={github}\n"),
        );
    let report = work.join("report.html");
    let output = ferret()
        .args(["scan", "dir", "--quiet", "-f", "html", "-o"])
        .arg(&report)
        .arg(work.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let html = std::fs::read_to_string(&report).unwrap();
    for secret in [github.as_str(), slack] {
        assert!(
            !html.contains(secret),
            "the file holds no secret in the clear"
        );
    }
    assert!(
        !html.contains("<img src=x"),
        "a file name is escaped, not markup"
    );

    let url = format!("file://{}", report.display());
    let dom = rendered_dom(&url);
    for secret in [github.as_str(), slack] {
        assert!(!dom.contains(secret), "the rendered page shows no secret");
    }
    assert!(
        !dom.contains("<img src=\"x\""),
        "no element made from a file name"
    );
    let rows = inventory_rows(&dom);
    assert_eq!(rows.len(), 2, "one row per distinct secret: {rows:#?}");
    assert!(
        rows.iter().all(|(_, hidden)| !hidden),
        "no filter: all shown"
    );
    let github_row = rows
        .iter()
        .find(|(row, _)| row.contains("github-pat-classic"))
        .expect("a GitHub row");
    assert!(
        github_row.0.contains("onerror"),
        "both places listed, escaped"
    );

    let filtered = rendered_dom(&format!("{url}#filter=slack"));
    let rows = inventory_rows(&filtered);
    let shown: Vec<&String> = rows.iter().filter(|(_, h)| !h).map(|(r, _)| r).collect();
    assert_eq!(shown.len(), 1, "the filter leaves one row: {rows:#?}");
    assert!(shown[0].contains("slack"), "and it is Slack's");
}

/// A report is a file like any other: what it says reaches the terminal escaped, and a
/// fingerprint that ferret cannot have written refuses the file.
#[test]
fn a_tampered_report_cannot_steer_the_terminal() {
    let line = |fingerprint: &str| {
        format!(
            r#"{{"rule_id":"github-pat-classic","rule_name":"GitHub token","severity":"high","path":"a/.env","line":2,"column":5,"end_line":2,"secret":"ghp_abcd*****","redacted":true,"fingerprint":"{fingerprint}","entropy":4.5,"confidence":"high","confidence_reasons":["test path\u001b]0;pwned\u0007"],"origin":{{"kind":"file","path":"a/.env\u001b[2J"}},"root":"/repo/"}}"#
        )
    };
    let work = TestDir::new()
        .file("ok.jsonl", line("fp2_0123456789abcdef0123456789abcdef"))
        .file("bad.jsonl", line("fp2_\\u001b[31m"));
    let output = merge(&[work.join("ok.jsonl")], "text");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        !output.stdout.contains(&0x1b),
        "no escape byte reaches the terminal: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let output = merge(&[work.join("bad.jsonl")], "text");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.jsonl") && stderr.contains("not a ferret fingerprint"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_secret_kept_through_several_versions_was_last_seen_at_the_latest() {
    let token = github_token("merge-versions");
    let work = TestDir::new();
    let repo = TestRepo::new();
    for n in 1..=3 {
        repo.write("ci/env.sh", format!("N={n}\nGITHUB_TOKEN={token}\n"));
        repo.commit(&format!("edit {n}"));
    }
    let shard = scan_to(
        &work.join("r.jsonl"),
        &["git", repo.path().to_str().unwrap()],
    );
    let output = merge(&[shard], "inventory-json");
    let inventory: Value = serde_json::from_slice(&output.stdout).unwrap();
    let secret = &inventory["secrets"][0];
    assert_eq!(
        secret["locations"].as_array().unwrap().len(),
        1,
        "{secret:#}"
    );
    // TestRepo commits a minute apart from 2023-11-14T22:13:20Z.
    assert_eq!(
        secret["first_seen"], "2023-11-14T22:14:20+00:00",
        "{secret:#}"
    );
    assert_eq!(
        secret["last_seen"], "2023-11-14T22:16:20+00:00",
        "{secret:#}"
    );
}
