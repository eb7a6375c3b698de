//! `ferret scan github-org` and `ferret scan gitlab-group`: a local stand-in answers as the
//! GitHub and GitLab REST APIs document (Link and x-next-page paging, a rate limit, forks and
//! archived repositories), and a real `git daemon` on 127.0.0.1 serves the repositories.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::support::git_daemon::GitDaemon;
use crate::support::mock_http::{MockServer, Reply};
use crate::support::test_image::github_token;
use crate::support::test_repo::TestRepo;
use crate::support::{ferret, json_findings};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Bare repositories under `served`, each with a token in its history, by name.
fn serve_repositories(served: &Path, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|name| {
            let token = github_token(&format!("org-{name}"));
            let repo = TestRepo::new();
            repo.write("deploy/.env", format!("GITHUB_TOKEN={token}\n"));
            repo.commit("add deploy settings");
            let bare = served.join(format!("{name}.git"));
            std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
            repo.git(&[
                "clone",
                "-q",
                "--bare",
                repo.path().to_str().unwrap(),
                bare.to_str().unwrap(),
            ]);
            token
        })
        .collect()
}

/// The repositories named by the findings' origins, by their last two path segments.
fn repositories_found(out: &Output) -> BTreeSet<String> {
    json_findings(out)
        .iter()
        .map(|f| {
            let repo = f["origin"]["repository"].as_str().unwrap();
            let mut parts: Vec<&str> = repo.trim_end_matches(".git").rsplit('/').take(2).collect();
            parts.reverse();
            parts.join("/")
        })
        .collect()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn github_repo(name: &str, clone_url: &str, fork: bool, archived: bool) -> Value {
    json!({
        "full_name": name,
        "name": name.rsplit('/').next().unwrap(),
        "clone_url": clone_url,
        "fork": fork,
        "archived": archived,
        "private": false,
    })
}

#[test]
fn every_repository_of_a_github_organisation_is_scanned_and_a_failing_one_is_named() {
    let served = tempfile::tempdir().unwrap();
    serve_repositories(
        served.path(),
        &["acme/app", "acme/lib", "acme/old", "acme/fork"],
    );
    let daemon = GitDaemon::serve(served.path());
    let git = format!("git://127.0.0.1:{}", daemon.port);
    let limited = std::sync::atomic::AtomicBool::new(false);
    let api = MockServer::start(move |req| {
        let page = req.query("page").unwrap_or_else(|| "1".into());
        match (req.path(), page.as_str()) {
            ("/orgs/acme/repos", "1") => {
                // The first request meets an exhausted rate limit that resets in a second.
                if !limited.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    return Reply::new(403, r#"{"message":"API rate limit exceeded"}"#)
                        .header("x-ratelimit-remaining", "0")
                        .header("x-ratelimit-reset", (now() + 1).to_string());
                }
                Reply::json(json!([
                    github_repo("acme/app", &format!("{git}/acme/app.git"), false, false),
                    github_repo("acme/lib", &format!("{git}/acme/lib.git"), false, false),
                    github_repo("acme/old", &format!("{git}/acme/old.git"), false, true),
                ]))
                .header(
                    "link",
                    format!(
                        "<{}/orgs/acme/repos?type=all&per_page=100&page=2>; rel=\"next\"",
                        req.base
                    ),
                )
            }
            ("/orgs/acme/repos", "2") => Reply::json(json!([
                github_repo("acme/fork", &format!("{git}/acme/fork.git"), true, false),
                // Listed, but the server has no such repository: the clone fails.
                github_repo("acme/gone", &format!("{git}/acme/gone.git"), false, false),
                // A listing must not make ferret read this machine's files.
                github_repo("acme/local", "file:///etc", false, false),
            ])),
            _ => Reply::new(404, r#"{"message":"Not Found"}"#),
        }
    });
    let scan = |extra: &[&str]| {
        ferret()
            .args(["scan", "github-org", "acme", "--api-url", api.url()])
            .args(["--format", "json", "--max-wait", "10", "--jobs", "2"])
            .args(extra)
            .env("GITHUB_TOKEN", "ghp_listing_token_for_the_api_only")
            .output()
            .unwrap()
    };
    let out = scan(&[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the failed clone: {}",
        stderr(&out)
    );
    assert_eq!(
        repositories_found(&out),
        BTreeSet::from(["acme/app".to_string(), "acme/lib".to_string()]),
        "forks and archived repositories are left out by default"
    );
    let err = stderr(&out);
    assert!(
        err.contains("acme/gone.git") && err.contains("cannot clone"),
        "{err}"
    );
    assert!(err.contains("acme/local") && err.contains("file"), "{err}");
    assert!(err.contains("2 repositories left out"), "{err}");
    // The token went with every API request, and only there (the clones are anonymous git://).
    let requests = api.requests();
    assert!(
        requests.len() >= 3,
        "rate-limited, then two pages: {requests:?}"
    );
    assert!(requests.iter().all(|r| {
        r.header("authorization") == Some("Bearer ghp_listing_token_for_the_api_only")
    }));

    let out = scan(&[
        "--forks",
        "--archived",
        "--include",
        "acme/*",
        "--exclude",
        "acme/lib",
    ]);
    assert_eq!(
        repositories_found(&out),
        BTreeSet::from(["acme/app".into(), "acme/fork".into(), "acme/old".into()]),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_github_user_is_listed_when_no_organisation_has_the_name() {
    let served = tempfile::tempdir().unwrap();
    serve_repositories(served.path(), &["someone/dotfiles"]);
    let daemon = GitDaemon::serve(served.path());
    let git = format!("git://127.0.0.1:{}", daemon.port);
    let api = MockServer::start(move |req| match req.path() {
        "/users/someone/repos" => Reply::json(json!([github_repo(
            "someone/dotfiles",
            &format!("{git}/someone/dotfiles.git"),
            false,
            false
        )])),
        _ => Reply::new(404, r#"{"message":"Not Found"}"#),
    });
    let out = ferret()
        .args([
            "scan",
            "github-org",
            "someone",
            "--api-url",
            api.url(),
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        repositories_found(&out),
        BTreeSet::from(["someone/dotfiles".to_string()])
    );
    let out = ferret()
        .args(["scan", "github-org", "nobody", "--api-url", api.url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no GitHub organisation or user \"nobody\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_project_of_a_gitlab_group_and_its_subgroups_is_scanned() {
    let served = tempfile::tempdir().unwrap();
    serve_repositories(
        served.path(),
        &[
            "acme/platform/api",
            "acme/platform/infra/terraform",
            "acme/platform/mirror",
        ],
    );
    let daemon = GitDaemon::serve(served.path());
    let git = format!("git://127.0.0.1:{}", daemon.port);
    let api = MockServer::start(move |req| {
        let project = |path: &str, fork: bool, archived: bool| {
            json!({
                "path_with_namespace": path,
                "http_url_to_repo": format!("{git}/{path}.git"),
                "archived": archived,
                "forked_from_project": if fork { json!({"id": 1}) } else { Value::Null },
            })
        };
        if req.path() != "/api/v4/groups/acme%2Fplatform/projects"
            || req.query("include_subgroups").as_deref() != Some("true")
        {
            return Reply::new(404, r#"{"message":"404 Group Not Found"}"#);
        }
        match req.query("page").as_deref() {
            Some("1") => Reply::json(json!([project("acme/platform/api", false, false)]))
                .header("x-next-page", "2"),
            Some("2") => Reply::json(json!([
                project("acme/platform/infra/terraform", false, false),
                project("acme/platform/mirror", true, false),
            ]))
            .header("x-next-page", ""),
            _ => Reply::new(400, "{}"),
        }
    });
    let out = ferret()
        .args(["scan", "gitlab-group", "acme/platform"])
        .args(["--api-url", &format!("{}/api/v4", api.url()), "-f", "json"])
        .env("GITLAB_TOKEN", "glpat-listing-only")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        repositories_found(&out),
        BTreeSet::from(["platform/api".to_string(), "infra/terraform".to_string()]),
        "the fork is left out"
    );
    assert!(
        api.requests()
            .iter()
            .all(|r| r.header("private-token") == Some("glpat-listing-only"))
    );
}

#[test]
fn organisation_scans_shard_like_target_lists() {
    let served = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..6).map(|i| format!("acme/r{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    serve_repositories(served.path(), &refs);
    let daemon = GitDaemon::serve(served.path());
    let git = format!("git://127.0.0.1:{}", daemon.port);
    let listing: Vec<Value> = names
        .iter()
        .map(|n| github_repo(n, &format!("{git}/{n}.git"), false, false))
        .collect();
    let api = MockServer::start(move |_| Reply::json(Value::Array(listing.clone())));
    let list = |shard: &str| {
        let out = ferret()
            .args(["scan", "github-org", "acme", "--api-url", api.url()])
            .args(["--shard", shard, "--list-targets"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let mut all: Vec<String> = (1..=3)
        .flat_map(|k| {
            list(&format!("{k}/3"))
                .lines()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    all.sort();
    let mut whole: Vec<String> = list("1/1").lines().map(String::from).collect();
    whole.sort();
    assert_eq!(all, whole);
    assert_eq!(whole.len(), 6);
    assert!(
        whole.iter().all(|l| l.starts_with("git git://127.0.0.1:")),
        "{whole:?}"
    );
}

/// A workflow run's logs archive as GitHub serves it: one text file per step.
fn run_logs_zip(step_log: &str) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        zip.start_file(
            "build/3_Deploy.txt",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(step_log.as_bytes()).unwrap();
        zip.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn with_ci_logs_each_repositorys_workflow_runs_are_scanned_too() {
    let served = tempfile::tempdir().unwrap();
    serve_repositories(served.path(), &["acme/app"]);
    let daemon = GitDaemon::serve(served.path());
    let git = format!("git://127.0.0.1:{}", daemon.port);
    let logged = github_token("org-ci-log");
    let zip = run_logs_zip(&format!(
        "2024-05-01T10:00:00.0000000Z + curl -H 'Authorization: token {logged}' https://api.github.com/user\n"
    ));
    let api = MockServer::start(move |req| match req.path() {
        "/orgs/acme/repos" => Reply::json(json!([github_repo(
            "acme/app",
            &format!("{git}/acme/app.git"),
            false,
            false
        )])),
        "/repos/acme/app/actions/runs" => Reply::json(json!({"total_count": 1, "workflow_runs": [{
            "id": 41, "html_url": "https://github.com/acme/app/actions/runs/41",
            "head_branch": "main", "created_at": "2024-05-01T10:00:00Z"}]})),
        "/repos/acme/app/actions/runs/41/logs" => Reply::new(200, zip.clone()),
        _ => Reply::new(404, r#"{"message":"Not Found"}"#),
    });
    let scan = |extra: &[&str]| {
        ferret()
            .args([
                "scan",
                "github-org",
                "acme",
                "--api-url",
                api.url(),
                "-f",
                "json",
            ])
            .args(["--show-secrets"])
            .args(extra)
            .env("GITHUB_TOKEN", "ghp_listing_token_for_the_api_only")
            .output()
            .unwrap()
    };
    let out = scan(&["--ci-logs"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let kinds: BTreeSet<(String, String)> = json_findings(&out)
        .iter()
        .map(|f| {
            (
                f["origin"]["kind"].as_str().unwrap().to_string(),
                f["secret"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            ("git".to_string(), github_token("org-acme/app")),
            ("ci_log".to_string(), logged.clone()),
        ])
    );
    let without = scan(&[]);
    assert!(
        json_findings(&without)
            .iter()
            .all(|f| f["origin"]["kind"] == "git")
    );
    assert!(api.requests().iter().all(|r| {
        r.header("authorization") == Some("Bearer ghp_listing_token_for_the_api_only")
    }));
}

#[test]
fn private_repositories_are_cloned_with_the_listing_token_from_the_listing_host_only() {
    use crate::support::git_http::GitHttp;
    let served = tempfile::tempdir().unwrap();
    serve_repositories(served.path(), &["acme/private"]);
    let token = "ghp_listing_and_clone_token";
    let server = GitHttp::serve(served.path(), "x-access-token", token);
    let clone_url = format!("https://127.0.0.1:{}/acme/private.git", server.port);
    let api = MockServer::start(move |req| match req.path() {
        "/orgs/acme/repos" => Reply::json(json!([github_repo(
            "acme/private",
            &clone_url,
            false,
            false
        )])),
        _ => Reply::new(404, r#"{"message":"Not Found"}"#),
    });
    let scan = |token: Option<&str>| {
        let mut cmd = ferret();
        cmd.args([
            "scan",
            "github-org",
            "acme",
            "--api-url",
            api.url(),
            "-f",
            "json",
        ]);
        cmd.env("SSL_CERT_FILE", server.ca());
        if let Some(token) = token {
            cmd.env("GITHUB_TOKEN", token);
        }
        cmd.output().unwrap()
    };
    let out = scan(Some(token));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        repositories_found(&out),
        BTreeSet::from(["acme/private".to_string()])
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(token));
    let seen = server.credentials_seen();
    assert!(
        seen.contains(&format!("x-access-token:{token}")),
        "{seen:?}"
    );
    // The token is given only when the server asks: the first request goes without it.
    assert_eq!(seen[0], "-", "{seen:?}");
    // Without a token the clone is refused, and said so by name.
    let out = scan(None);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("acme/private.git") && err.contains("cannot clone"),
        "{err}"
    );
    assert!(!err.contains(token));
}

#[test]
fn an_interrupted_organisation_scan_removes_every_clone_in_progress() {
    use std::time::Duration;
    // A git server that accepts and never answers keeps every clone in progress.
    let (port, accepted) = crate::support::stalled::silent_server();
    let listing: Vec<Value> = (0..3)
        .map(|i| {
            github_repo(
                &format!("acme/r{i}"),
                &format!("git://127.0.0.1:{port}/acme/r{i}.git"),
                false,
                false,
            )
        })
        .collect();
    let api = MockServer::start(move |_| Reply::json(Value::Array(listing.clone())));
    let tmp = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferret"))
        .args([
            "scan",
            "github-org",
            "acme",
            "--api-url",
            api.url(),
            "--jobs",
            "3",
        ])
        .env("TMPDIR", tmp.path())
        .env_remove("GITHUB_TOKEN")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..3 {
        accepted
            .recv_timeout(Duration::from_secs(30))
            .expect("ferret clones three repositories at once");
    }
    let clones = std::fs::read_dir(tmp.path()).unwrap().count();
    assert_eq!(clones, 3, "one temporary clone per repository in progress");
    let exit = crate::support::stalled::signal_and_wait(&mut child, "INT");
    assert_eq!(exit.code(), Some(130));
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "every clone removed"
    );
}
