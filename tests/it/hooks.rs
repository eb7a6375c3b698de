//! ferret as people's tools call it: the pre-commit framework (installed from PyPI) using this
//! repository's `.pre-commit-hooks.yaml`, the plain hook from `ferret hook install`, and the GitHub
//! Action's scan script on a pull-request range.


use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::test_repo::TestRepo;
use crate::support::{ferret, test_rules_file};

const TOKEN: &str = "tst_Qm3kV8zR1tW6yB0nC4xL7pJ2";
const TOKEN2: &str = "tst_Zp9Rt4VbN8wKc2Lm5Xq7Hs3D";

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ferret_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ferret"))
}

/// `git commit` in `repo`, with hooks, returning (succeeded, combined output).
fn try_commit(repo: &TestRepo, message: &str, env: &[(&str, &Path)]) -> (bool, String) {
    repo.tick();
    let mut cmd = repo.command(&["commit", "-q", "-m", message]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn plain_hook_blocks_a_secret_and_lets_clean_allowed_and_ignored_commits_through() {
    let repo = TestRepo::new();
    repo.write("README.md", "hello\n");
    repo.commit("initial");
    let out = ferret()
        .current_dir(repo.path())
        .args(["hook", "install"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // The hook finds this test's rules through a config file, like a team's ferret.toml.
    repo.write("ferret.toml", format!("[[rule]]\n{}", rule_table()));
    repo.commit("config");

    let env = [("FERRET_BIN", ferret_bin())];
    let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
    repo.write("app.py", format!("KEY = \"{TOKEN}\"\n"));
    let (ok, output) = try_commit(&repo, "add key", &env);
    assert!(!ok, "a commit adding a secret is refused:\n{output}");
    assert!(
        output.contains("test-token") && output.contains("app.py"),
        "{output}"
    );
    assert!(
        output.contains("ferret:allow") && output.contains(".ferretignore"),
        "{output}"
    );

    repo.write("app.py", format!("KEY = \"{TOKEN}\"  # ferret:allow\n"));
    let (ok, output) = try_commit(&repo, "allowed key", &env);
    assert!(ok, "{output}");

    repo.write("other.py", format!("OTHER = \"{TOKEN2}\"\n"));
    let fp = fingerprint_of(&repo, "other.py");
    repo.write(".ferretignore", format!("{fp}\n"));
    let (ok, output) = try_commit(&repo, "ignored key", &env);
    assert!(ok, "{output}");

    repo.write("clean.txt", "nothing\n");
    let (ok, output) = try_commit(&repo, "clean", &env);
    assert!(ok, "{output}");
}

/// The test rule as an inline `[[rule]]` table body for ferret.toml (without its examples, which
/// would themselves be findings in the committed config).
fn rule_table() -> String {
    "id = \"test-token\"\nname = \"ferret test token\"\nkeywords = [\"tst_\"]\n\
     pattern = '''\\b(?P<secret>tst_[A-Za-z0-9]{24})\\b'''\n"
        .to_string()
}

fn fingerprint_of(repo: &TestRepo, rel: &str) -> String {
    let out = ferret()
        .current_dir(repo.path())
        .args([
            "scan",
            "dir",
            rel,
            "--format",
            "json",
            "--rules",
            &test_rules_file(),
        ])
        .output()
        .unwrap();
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    findings[0]["fingerprint"].as_str().unwrap().to_string()
}

#[test]
fn pre_commit_framework_uses_this_repository_as_a_hook_repo() {
    let pre_commit = Command::new("pre-commit").arg("--version").output();
    assert!(
        pre_commit.is_ok_and(|o| o.status.success()),
        "pre-commit is installed (pip install pre-commit; .ci/setup does it)"
    );
    // The hook repository is this checkout at its HEAD commit, as a user pins `rev:`.
    let rev = Command::new("git")
        .arg("-C")
        .arg(project())
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    assert!(rev.status.success(), "the project is a git checkout");
    let rev = String::from_utf8_lossy(&rev.stdout).trim().to_string();
    // Keep pre-commit's clone and ferret's build between runs; the first build compiles ferret.
    let home = project().join("target/pre-commit-home");
    let target = project().join("target/pre-commit-build");
    // pre-commit builds the hook with `cargo install` (a release build); an unoptimised one is
    // enough to run it and compiles in a fraction of the time.
    let env = [
        ("PRE_COMMIT_HOME", home.as_path()),
        ("CARGO_TARGET_DIR", target.as_path()),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", Path::new("0")),
        ("CARGO_PROFILE_RELEASE_LTO", Path::new("off")),
        ("CARGO_PROFILE_RELEASE_DEBUG", Path::new("0")),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", Path::new("256")),
    ];

    let repo = TestRepo::new();
    repo.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: ferret\n",
            project().display()
        ),
    );
    repo.write("ferret.toml", format!("[[rule]]\n{}", rule_table()));
    let mut install = Command::new("pre-commit");
    install.arg("install").current_dir(repo.path());
    for (k, v) in env {
        install.env(k, v);
    }
    let out = install.output().unwrap();
    assert!(out.status.success(), "pre-commit install: {out:?}");
    let (ok, output) = try_commit(&repo, "config", &env);
    assert!(ok, "a clean commit goes through:\n{output}");

    repo.write("settings.py", format!("TOKEN = '{TOKEN}'\n"));
    let (ok, output) = try_commit(&repo, "secret", &env);
    assert!(!ok, "the commit with a secret is refused:\n{output}");
    assert!(output.contains("test-token"), "{output}");

    repo.write(
        "settings.py",
        format!("TOKEN = '{TOKEN}'  # ferret:allow\n"),
    );
    let (ok, output) = try_commit(&repo, "allowed", &env);
    assert!(ok, "an allowed secret goes through:\n{output}");
}

#[test]
fn action_scan_script_reports_only_what_the_pull_request_adds() {
    let repo = TestRepo::new();
    repo.write("ferret.toml", format!("[[rule]]\n{}", rule_table()));
    repo.write("old.txt", format!("{TOKEN}\n"));
    let base = repo.commit("main already had a secret");
    repo.checkout("feature", true);
    repo.write("new.txt", format!("x\n{TOKEN2}\n"));
    let head = repo.commit("the pull request adds one");

    let outputs = repo.join("github_output");
    let sarif = repo.join("ferret.sarif");
    let run = |fail: &str| {
        Command::new("bash")
            .arg(project().join("action/scan.sh"))
            .current_dir(repo.path())
            .env("FERRET_BIN", ferret_bin())
            .env("FERRET_MODE", "changes")
            .env("FERRET_PATH", ".")
            .env("FERRET_SARIF", &sarif)
            .env("FERRET_FAIL_ON_FINDINGS", fail)
            .env("FERRET_EVENT", "pull_request")
            .env("FERRET_BASE", &base)
            .env("FERRET_HEAD", &head)
            .env("GITHUB_OUTPUT", &outputs)
            .output()
            .unwrap()
    };
    let out = run("true");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("::error file=new.txt,line=2"), "{stdout}");
    assert!(!stdout.contains("old.txt"), "{stdout}");
    let written = std::fs::read_to_string(&outputs).unwrap();
    assert!(written.contains("findings=1"), "{written}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "new.txt"
    );
    assert_eq!(run("false").status.code(), Some(0));
}
