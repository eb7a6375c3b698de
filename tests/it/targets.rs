//! `ferret scan targets FILE` and `--shard K/N`: many targets of every kind in one run, a failing
//! target named while the others are scanned, and shards whose union is the unsharded run.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::test_image::{TestImage, github_token};
use crate::support::test_repo::TestRepo;
use crate::support::{TestDir, ferret, json_findings};

fn scan_targets(file: &Path, extra: &[&str]) -> Output {
    scan_targets_as(file, "json", extra)
}

fn scan_targets_as(file: &Path, format: &str, extra: &[&str]) -> Output {
    ferret()
        .args(["scan", "targets"])
        .arg(file)
        .args(["--format", format, "--show-secrets"])
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `(secret, kind of origin, path)` of every finding.
fn found(findings: &[Value]) -> BTreeSet<(String, String, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f["secret"].as_str().unwrap().to_string(),
                f["origin"]["kind"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn repo_with(token: &str, file: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(file, format!("GITHUB_TOKEN={token}\n"));
    repo.commit("add settings");
    repo
}

#[test]
fn a_targets_file_scans_directories_repositories_images_and_logs_in_one_run() {
    let tokens: Vec<String> = (0..6)
        .map(|i| github_token(&format!("targets-{i}")))
        .collect();
    let work = TestDir::new()
        .file("svc-a/.env", format!("GITHUB_TOKEN={}\n", tokens[0]))
        // The same relative path in a second tree stays a finding of its own.
        .file("svc-b/.env", format!("GITHUB_TOKEN={}\n", tokens[1]))
        .file(
            "logs/job.log",
            format!("2024-05-01T10:00:00Z + export GITHUB_TOKEN={}\n", tokens[2]),
        );
    let repo = repo_with(&tokens[3], "deploy/app.env");
    let image = TestImage::new();
    image
        .write("app/.env", format!("GITHUB_TOKEN={}\n", tokens[4]))
        .commit("COPY . /app");
    let layout = image.layout();
    let list = format!(
        "# every kind\ndir {}\ndir {}\nci-log {}\ngit {}\nimage {}\n",
        work.join("svc-a").display(),
        work.join("svc-b").display(),
        work.join("logs").display(),
        repo.path().display(),
        layout.display(),
    );
    std::fs::write(work.join("targets.txt"), &list).unwrap();
    let out = scan_targets(&work.join("targets.txt"), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let findings = json_findings(&out);
    let expected: BTreeSet<(String, String, String)> = [
        (tokens[0].clone(), "file", ".env"),
        (tokens[1].clone(), "file", ".env"),
        (tokens[2].clone(), "ci_log", "job.log"),
        (tokens[3].clone(), "git", "deploy/app.env"),
        (tokens[4].clone(), "image_layer", "app/.env"),
    ]
    .into_iter()
    .map(|(t, k, p)| (t, k.to_string(), p.to_string()))
    .collect();
    // A log is named as it was given (here an absolute path): compare its file name.
    let got: BTreeSet<_> = found(&findings)
        .into_iter()
        .map(|(t, k, p)| match k.as_str() {
            "ci_log" => (t, k, p.rsplit('/').next().unwrap().to_string()),
            _ => (t, k, p),
        })
        .collect();
    assert_eq!(got, expected, "{findings:#?}");
    let roots: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f["origin"]["kind"] == "file")
        .map(|f| f["root"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(roots.len(), 2, "each tree is its own root: {roots:?}");

    // The same list as TOML.
    let toml: String = list
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (kind, location) = l.split_once(' ').unwrap();
            format!("[[target]]\nkind = \"{kind}\"\nlocation = \"{location}\"\n\n")
        })
        .collect();
    std::fs::write(work.join("targets.toml"), toml).unwrap();
    let from_toml = scan_targets(&work.join("targets.toml"), &[]);
    assert_eq!(from_toml.status.code(), Some(1), "{}", stderr(&from_toml));
    assert_eq!(found(&json_findings(&from_toml)), found(&findings));
}

#[test]
fn a_target_that_fails_is_named_and_the_others_are_still_scanned() {
    let token = github_token("targets-survivor");
    let work = TestDir::new().file("ok/.env", format!("GITHUB_TOKEN={token}\n"));
    let list = format!(
        "dir {}\ndir {}\ngit {}\n",
        work.join("ok").display(),
        work.join("absent").display(),
        work.join("ok").display(),
    );
    std::fs::write(work.join("t.txt"), list).unwrap();
    let out = scan_targets_as(&work.join("t.txt"), "json-report", &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an error wins: {}",
        stderr(&out)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["secret"], token.as_str());
    let errors = report["errors"].to_string();
    assert!(
        errors.contains("dir ") && errors.contains("absent"),
        "{errors}"
    );
    assert!(errors.contains("not a git repository"), "{errors}");
    let err = stderr(&out);
    assert!(err.contains("absent"), "{err}");
}

#[test]
fn a_bad_targets_file_is_refused_by_file_and_line_before_anything_is_scanned() {
    let work = TestDir::new().file("t.txt", "dir .\n\nrepository https://x.example/a.git\n");
    let out = scan_targets(&work.join("t.txt"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("t.txt:3: unknown target kind \"repository\""),
        "{err}"
    );
    let out = scan_targets(&work.join("absent.txt"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("absent.txt"), "{}", stderr(&out));
    std::fs::write(work.join("empty.txt"), "# nothing yet\n").unwrap();
    let out = scan_targets(&work.join("empty.txt"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("lists no targets"),
        "{}",
        stderr(&out)
    );
    for bad in ["0/3", "4/3", "x"] {
        let out = scan_targets(&work.join("t.txt"), &["--shard", bad]);
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
        assert!(stderr(&out).contains("K/N"), "{}", stderr(&out));
    }
}

/// Every finding as the JSON report writes it, without what differs between runs of other
/// shapes (nothing should): a set, so that the order of shards does not matter.
fn finding_set(findings: &[Value]) -> BTreeSet<String> {
    findings.iter().map(Value::to_string).collect()
}

#[test]
fn the_union_of_the_shards_is_the_unsharded_run_and_a_retried_shard_takes_the_same_targets() {
    let work = TestDir::new();
    let mut list = String::new();
    let mut repos = Vec::new();
    for i in 0..10 {
        let token = github_token(&format!("shard-dir-{i}"));
        work.write(
            &format!("tree-{i}/config/.env"),
            format!("GITHUB_TOKEN={token}\n"),
        );
        list.push_str(&format!(
            "dir {}\n",
            work.join(&format!("tree-{i}")).display()
        ));
    }
    for i in 0..4 {
        let repo = repo_with(&github_token(&format!("shard-git-{i}")), "app.env");
        list.push_str(&format!("git {}\n", repo.path().display()));
        repos.push(repo);
    }
    std::fs::write(work.join("t.txt"), &list).unwrap();
    let whole = scan_targets(&work.join("t.txt"), &[]);
    assert_eq!(whole.status.code(), Some(1), "{}", stderr(&whole));
    let whole = finding_set(&json_findings(&whole));
    let whole_redacted = ferret()
        .args(["scan", "targets"])
        .arg(work.join("t.txt"))
        .args(["-f", "json", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(whole.len(), 14);
    for n in [1, 3, 7] {
        let mut union = BTreeSet::new();
        let mut listed = BTreeSet::new();
        for k in 1..=n {
            let shard = format!("{k}/{n}");
            let out = scan_targets(&work.join("t.txt"), &["--shard", &shard]);
            assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
            let findings = finding_set(&json_findings(&out));
            assert!(
                union.is_disjoint(&findings),
                "shard {shard} repeats a finding"
            );
            union.extend(findings);
            let again = scan_targets(&work.join("t.txt"), &["--shard", &shard]);
            assert_eq!(again.stdout, out.stdout, "retried shard {shard}");
            let names = ferret()
                .args(["scan", "targets"])
                .arg(work.join("t.txt"))
                .args(["--shard", &shard, "--list-targets"])
                .output()
                .unwrap();
            assert_eq!(names.status.code(), Some(0));
            for line in String::from_utf8(names.stdout).unwrap().lines() {
                assert!(listed.insert(line.to_string()), "{line} in two shards");
            }
        }
        assert_eq!(union, whole, "{n} shards");
        // As CI would: each shard writes jsonl, `ferret report merge` makes one report of them.
        let mut shard_files = Vec::new();
        for k in 1..=n {
            let file = work.join(&format!("shard-{k}-of-{n}.jsonl"));
            let out = ferret()
                .args(["scan", "targets"])
                .arg(work.join("t.txt"))
                .args([
                    "--shard",
                    &format!("{k}/{n}"),
                    "-f",
                    "jsonl",
                    "--quiet",
                    "-o",
                ])
                .arg(&file)
                .output()
                .unwrap();
            assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
            shard_files.push(file);
        }
        let merged = ferret()
            .args(["report", "merge", "-f", "json"])
            .args(&shard_files)
            .output()
            .unwrap();
        assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
        assert_eq!(
            merged.stdout, whole_redacted.stdout,
            "{n} shards merged are the unsharded report"
        );
        assert_eq!(listed.len(), 14, "{n} shards list every target once");
    }
}
