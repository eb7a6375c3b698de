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
            // The repository's ferret.toml (found for file names too) defines the same rule.
            "--config",
            "/dev/null",
        ])
        .output()
        .unwrap();
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    findings[0]["fingerprint"].as_str().unwrap().to_string()
}

/// The target directory the test build uses.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project().join("target"))
}

/// Builds the `ferret-scanner` wheel from `pypi/` with maturin into `out`, returning its path.
///
/// In a target directory of its own: maturin's plain `cargo build --release` would otherwise
/// relink `target/release/ferret` (the test build's, with dev-dependency features) while the
/// other tests run it. A rerun reuses that directory's build.
fn build_wheel(out: &Path) -> PathBuf {
    let built = Command::new("maturin")
        .current_dir(project().join("pypi"))
        .args(["build", "--release", "--locked", "--out"])
        .arg(out)
        .env("CARGO_TARGET_DIR", target_dir().join("wheel-build"))
        .output()
        .expect("maturin is installed (pip install maturin; .ci/setup does it)");
    assert!(built.status.success(), "maturin build: {built:?}");
    let wheels: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    wheels[0].clone()
}

/// The crate's version, which the wheel, the pre-commit package and its pin must all carry.
fn crate_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[test]
fn the_pre_commit_package_pins_the_wheel_of_the_crates_version() {
    let root: toml::Table = std::fs::read_to_string(project().join("pyproject.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let version = crate_version();
    assert_eq!(root["project"]["name"].as_str(), Some("ferret-pre-commit"));
    assert_eq!(root["project"]["version"].as_str(), Some(version.as_str()));
    let deps = root["project"]["dependencies"].as_array().unwrap();
    assert_eq!(
        deps.iter().map(|d| d.as_str().unwrap()).collect::<Vec<_>>(),
        [format!("ferret-scanner=={version}")]
    );
    let wheel: toml::Table = std::fs::read_to_string(project().join("pypi/pyproject.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(wheel["project"]["name"].as_str(), Some("ferret-scanner"));
    assert_eq!(wheel["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
    let hooks = std::fs::read_to_string(project().join(".pre-commit-hooks.yaml")).unwrap();
    let languages: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("language: "))
        .collect();
    assert_eq!(languages, ["python", "python"], "{hooks}");
}

/// The wheel is built from this checkout, installed into a fresh virtual environment, and the
/// real pre-commit framework runs this repository's hook from it: no compile, no index (pip sees
/// only a local directory with the wheel and the root package's build backend).
#[test]
fn pre_commit_framework_runs_the_hook_from_the_wheel() {
    let pre_commit = Command::new("pre-commit").arg("--version").output();
    assert!(
        pre_commit.is_ok_and(|o| o.status.success()),
        "pre-commit is installed (pip install pre-commit; .ci/setup does it)"
    );
    let wheelhouse = crate::support::TestDir::new();
    let wheel = build_wheel(wheelhouse.path());
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("ferret_scanner-{}-py3-none-", crate_version())),
        "{name}"
    );
    let setuptools = std::fs::read_dir(target_dir().join("ci-wheelhouse"))
        .ok()
        .and_then(|dir| {
            dir.map(|e| e.unwrap().path())
                .find(|p| p.to_string_lossy().contains("setuptools-"))
        })
        .expect("a setuptools wheel in target/ci-wheelhouse (.ci/setup downloads it)");
    std::fs::copy(
        &setuptools,
        wheelhouse.path().join(setuptools.file_name().unwrap()),
    )
    .unwrap();
    let pip_env = [
        ("PIP_NO_INDEX", Path::new("1")),
        ("PIP_FIND_LINKS", wheelhouse.path()),
        ("PIP_DISABLE_PIP_VERSION_CHECK", Path::new("1")),
    ];

    // A fresh venv: the wheel installs the binary as `ferret`, and it scans.
    let venv = crate::support::TestDir::new();
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv.join("env"))
        .status()
        .unwrap();
    assert!(made.success());
    let mut install = Command::new(venv.join("env/bin/pip"));
    install.args(["install", "-q", "ferret-scanner"]);
    for (k, v) in pip_env {
        install.env(k, v);
    }
    let out = install.output().unwrap();
    assert!(out.status.success(), "pip install ferret-scanner: {out:?}");
    let installed = venv.join("env/bin/ferret");
    let version = Command::new(&installed).arg("--version").output().unwrap();
    assert!(
        String::from_utf8_lossy(&version.stdout).contains(&crate_version()),
        "{version:?}"
    );
    let tree = crate::support::TestDir::new().file("a.env", format!("T={TOKEN}\n"));
    let scan = Command::new(&installed)
        .args(["scan", "dir", "--rules", &test_rules_file()])
        .arg(tree.path())
        .output()
        .unwrap();
    assert_eq!(scan.status.code(), Some(1), "{scan:?}");

    // The hook repository is this checkout at its HEAD commit, as a user pins `rev:`.
    let rev = Command::new("git")
        .arg("-C")
        .arg(project())
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    assert!(rev.status.success(), "the project is a git checkout");
    let rev = String::from_utf8_lossy(&rev.stdout).trim().to_string();
    // A home of its own each run: the hook environment is made from this wheel, not a cached one.
    let home = crate::support::TestDir::new();
    let mut env: Vec<(&str, &Path)> = vec![("PRE_COMMIT_HOME", home.path())];
    env.extend(pip_env);

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
    install
        .args(["install", "--install-hooks"])
        .current_dir(repo.path());
    for (k, v) in &env {
        install.env(k, v);
    }
    let out = install.output().unwrap();
    assert!(out.status.success(), "pre-commit install: {out:?}");
    // The hook runs the wheel's binary from the environment pre-commit made.
    let envs: Vec<PathBuf> = crate::support::files_under(home.path())
        .into_iter()
        .filter(|p| p.ends_with("bin/ferret"))
        .collect();
    assert_eq!(
        envs.len(),
        1,
        "one ferret in the hook environment: {envs:?}"
    );
    assert_eq!(
        std::fs::read(&envs[0]).unwrap(),
        std::fs::read(&installed).unwrap(),
        "the hook's ferret is the wheel's binary"
    );

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

#[test]
fn action_scan_script_keeps_outputs_and_sarif_after_an_error() {
    // A broken symlink followed on purpose cannot be read (exit 2) after a secret was found.
    let dir = crate::support::TestDir::new().file("a.txt", format!("{TOKEN}\n"));
    std::os::unix::fs::symlink("nowhere", dir.join("broken")).unwrap();
    dir.write("ferret.toml", format!("[[rule]]\n{}", rule_table()));
    let outputs = dir.join("github_output");
    let sarif = dir.join("ferret.sarif");
    let out = Command::new("bash")
        .arg(project().join("action/scan.sh"))
        .current_dir(dir.path())
        .env("FERRET_BIN", ferret_bin())
        .env("FERRET_MODE", "dir")
        .env("FERRET_PATH", ".")
        .env("FERRET_ARGS", "--follow-symlinks")
        .env("FERRET_SARIF", &sarif)
        .env("FERRET_ANNOTATIONS", "false")
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("::error title=ferret::the scan failed"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&outputs).unwrap();
    assert!(written.contains("findings=1"), "{written}");
    assert!(
        written.contains(&format!("sarif-path={}", sarif.display())),
        "{written}"
    );
    crate::support::assert_valid_sarif(&sarif);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 1);
    assert_eq!(
        doc["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

/// The action's cache key for a copy of the build inputs in `dir`.
fn cache_key(dir: &Path) -> String {
    let out = Command::new("bash")
        .arg(project().join("action/cache-key.sh"))
        .arg(dir)
        .env_remove("GITHUB_OUTPUT")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn action_cache_key_changes_with_the_version_and_the_source() {
    let copy = crate::support::TestDir::new();
    for file in ["Cargo.toml", "Cargo.lock", "build.rs"] {
        std::fs::copy(project().join(file), copy.join(file)).unwrap();
    }
    copy.write("src/main.rs", "fn main() {}\n");
    copy.write("rules/a.toml", "# rules\n");
    let first = cache_key(copy.path());
    assert!(first.starts_with("ferret-"), "{first}");
    assert!(first.contains(env!("CARGO_PKG_VERSION")), "{first}");
    assert_eq!(cache_key(copy.path()), first, "stable for the same source");

    let manifest = std::fs::read_to_string(copy.join("Cargo.toml")).unwrap();
    let bumped = manifest.replacen(
        &format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
        "version = \"99.0.0\"",
        1,
    );
    assert_ne!(bumped, manifest);
    std::fs::write(copy.join("Cargo.toml"), bumped).unwrap();
    let upgraded = cache_key(copy.path());
    assert_ne!(upgraded, first, "a new version gets a new key");

    copy.write("rules/a.toml", "# rules, edited\n");
    assert_ne!(
        cache_key(copy.path()),
        upgraded,
        "an edited rule gets a new key"
    );
}

/// Runs the action's installer for a Linux x86_64 runner against the release server at `base`,
/// with `pins` as the action's action/release.txt. Returns the run and the install directory.
fn install_from(base: &str, pins: &str) -> (std::process::Output, crate::support::TestDir) {
    let source = crate::support::TestDir::new().file("action/release.txt", pins);
    let root = crate::support::TestDir::new();
    let out = Command::new("bash")
        .arg(project().join("action/install.sh"))
        .env("FERRET_SOURCE", source.path())
        .env("FERRET_ROOT", root.path())
        .env("FERRET_RELEASE_URL", base)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env_remove("GITHUB_PATH")
        .env_remove("FERRET_BUILD_FROM_SOURCE")
        .output()
        .unwrap();
    (out, root)
}

/// The action downloads the pinned release archive, checks its SHA-256 and installs the binary in
/// it; an archive whose SHA-256 is not the pinned one is refused and nothing is installed.
#[test]
fn action_installs_the_pinned_release_binary_and_refuses_a_wrong_checksum() {
    // A release archive as the release workflow packs it, holding a stand-in binary.
    let staging = crate::support::TestDir::new().file(
        "ferret-x86_64-unknown-linux-musl/ferret",
        "#!/bin/sh\necho 'ferret 0.1.0 (stand-in from the test release)'\n",
    );
    let packed = Command::new("tar")
        .current_dir(staging.path())
        .args(["-czf", "archive.tar.gz", "ferret-x86_64-unknown-linux-musl"])
        .status()
        .unwrap();
    assert!(packed.success());
    let archive = std::fs::read(staging.join("archive.tar.gz")).unwrap();
    let sha = {
        let out = Command::new("sha256sum")
            .arg(staging.join("archive.tar.gz"))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()[..64].to_string()
    };
    let server = crate::support::mock_http::MockServer::start(move |req| {
        if req.path() == "/v0.1.0/ferret-x86_64-unknown-linux-musl.tar.gz" {
            crate::support::mock_http::Reply::new(200, archive.clone())
        } else {
            crate::support::mock_http::Reply::new(404, "not found")
        }
    });

    let pins = format!("version 0.1.0\nx86_64-unknown-linux-musl {sha}\n");
    let (out, root) = install_from(server.url(), &pins);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout.contains("stand-in from the test release"),
        "{stdout}"
    );
    assert!(root.join("bin/ferret").exists());
    assert_eq!(
        server.requests().len(),
        1,
        "one download, no checksum file fetched from the same place"
    );

    let wrong = format!(
        "version 0.1.0\nx86_64-unknown-linux-musl {}\n",
        "0".repeat(64)
    );
    let (out, root) = install_from(server.url(), &wrong);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a wrong checksum is refused: {out:?}"
    );
    assert!(stderr.contains("refusing it"), "{stderr}");
    assert!(!root.join("bin/ferret").exists(), "nothing is installed");

    // A pinned release that is not there fails the install instead of building something else.
    let (out, _) = install_from(server.url(), &pins.replace("0.1.0", "0.0.9"));
    assert!(!out.status.success(), "{out:?}");
}

#[test]
fn third_party_actions_are_pinned_by_commit() {
    for file in [
        "action.yml",
        "examples/github-workflow.yml",
        ".github/workflows/release.yml",
    ] {
        let text = std::fs::read_to_string(project().join(file)).unwrap();
        for line in text.lines().filter(|l| l.contains("uses:")) {
            let target = line.split("uses:").nth(1).unwrap().trim();
            let target = target.split_whitespace().next().unwrap();
            if target.starts_with("./") || target.starts_with("ferret-scanner/ferret@") {
                continue;
            }
            let (_, rev) = target.split_once('@').expect("uses: owner/repo@rev");
            assert!(
                rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
                "{file}: {target} is not pinned to a commit SHA"
            );
        }
    }
}
