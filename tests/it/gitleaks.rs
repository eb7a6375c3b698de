//! Switching from gitleaks: `.gitleaksignore`, `gitleaks:allow`, gitleaks reports as baselines,
//! gitleaks' flags, and `ferret config import .gitleaks.toml`. The gitleaks-format files are
//! written here from gitleaks' documentation of them.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::test_image::github_token;
use crate::support::test_repo::TestRepo;
use crate::support::{TestDir, ferret, json_findings};

/// `(rule_id, path, line, confidence)` of every finding, sorted.
fn places(findings: &[Value]) -> Vec<(String, String, u64, String)> {
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["confidence"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn place(path: &str, line: u64) -> (String, String, u64, String) {
    (
        "github-pat-classic".into(),
        path.into(),
        line,
        "high".into(),
    )
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Two files with a token each (on line 2), plus a third token marked `gitleaks:allow`.
fn tree() -> TestDir {
    TestDir::new()
        .file(
            "deploy/.env",
            format!("# deploy\nGITHUB_TOKEN={}\n", github_token("env")),
        )
        .file(
            "src/app.py",
            format!("import os\nTOKEN = '{}'\n", github_token("app")),
        )
        .file(
            "tests/fixture.py",
            format!(
                "# reviewed\nTOKEN = '{}'  # gitleaks:allow\n",
                github_token("fixture")
            ),
        )
}

#[test]
fn gitleaks_allow_comments_and_directory_fingerprints_suppress_findings() {
    let dir = tree();
    let out = ferret()
        .args(["scan", "dir", "-f", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // The `gitleaks:allow` line is quiet, as a `ferret:allow` line is.
    assert_eq!(
        places(&json_findings(&out)),
        vec![place("deploy/.env", 2), place("src/app.py", 2)]
    );

    // A directory scan's gitleaks fingerprint is FILE:RULE:LINE; gitleaks' rule id is not ferret's.
    dir.write(
        ".gitleaksignore",
        "# findings reviewed in gitleaks\n\ndeploy/.env:github-pat:2 # rotated\nsrc/app.py:github-pat:1\n",
    );
    let out = ferret()
        .args(["scan", "dir", "-f", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        places(&json_findings(&out)),
        vec![place("src/app.py", 2)],
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("2 suppressed"), "{}", stderr(&out));

    // --gitleaks-ignore-path takes the file, or a directory holding one; a bad line is an error
    // naming the file and line.
    let elsewhere = TestDir::new().file(".gitleaksignore", "src/app.py:github-pat:2\n");
    let out = ferret()
        .args(["scan", "dir", "-f", "json", "--gitleaks-ignore-path"])
        .arg(elsewhere.path())
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(places(&json_findings(&out)), vec![place("deploy/.env", 2)]);
    dir.write(
        ".gitleaksignore",
        "deploy/.env:github-pat:2\nnot a fingerprint\n",
    );
    let out = ferret()
        .args(["scan", "dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains(".gitleaksignore:2: \"not a fingerprint\" is not a gitleaks fingerprint"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn git_fingerprints_suppress_the_secret_at_that_commit_and_its_later_versions() {
    let repo = TestRepo::new();
    let old = github_token("history");
    repo.write("config.py", format!("DEBUG = 1\nTOKEN = '{old}'\n"));
    let added = repo.commit("add config");
    // Later versions of the file still hold the secret, a line further down: gitleaks reports
    // only the commit that added the line, so its entry must cover these too.
    repo.write(
        "config.py",
        format!("import os\nDEBUG = 1\nTOKEN = '{old}'\n"),
    );
    repo.commit("import os");
    let other = github_token("other");
    repo.write("other.py", format!("TOKEN = '{other}'\n"));
    repo.commit("other");

    // Each version is judged by the entries before a secret's versions become one finding, so
    // both views are checked: one per version, and one per secret and file.
    let scan_with = |extra: &[&str]| {
        let out = ferret()
            .current_dir(repo.path())
            .args(["scan", "git", "-f", "json"])
            .args(extra)
            .output()
            .unwrap();
        places(&json_findings(&out))
    };
    let each_version = || scan_with(&["--all-occurrences"]);
    let scan = || scan_with(&[]);
    assert_eq!(
        each_version(),
        vec![
            place("config.py", 2),
            place("config.py", 3),
            place("other.py", 1)
        ]
    );
    assert_eq!(scan(), vec![place("config.py", 2), place("other.py", 1)]);
    // COMMIT:FILE:RULE:LINE, with the short commit id gitleaks 8.26 and later writes.
    std::fs::write(
        repo.join(".gitleaksignore"),
        format!("{}:config.py:github-pat:2\n", &added[..7]),
    )
    .unwrap();
    assert_eq!(each_version(), vec![place("other.py", 1)]);
    assert_eq!(scan(), vec![place("other.py", 1)]);
    // Another commit's entry does not match.
    std::fs::write(
        repo.join(".gitleaksignore"),
        format!("{}:other.py:github-pat:1\n", &added[..12]),
    )
    .unwrap();
    assert_eq!(each_version().len(), 3);
    assert_eq!(scan().len(), 2);
}

#[test]
fn a_gitleaks_report_is_a_baseline_by_the_places_of_its_findings() {
    let dir = tree();
    // A gitleaks JSON report (the fields its README's template shows), secret redacted.
    let report = json!([{
        "Description": "GitHub Personal Access Token",
        "StartLine": 2, "EndLine": 2, "StartColumn": 14, "EndColumn": 53,
        "Match": "GITHUB_TOKEN=REDACTED", "Secret": "REDACTED",
        "File": "deploy/.env", "SymlinkFile": "", "Commit": "",
        "Entropy": 4.8, "Author": "", "Email": "", "Date": "", "Message": "",
        "Tags": [], "RuleID": "github-pat",
        "Fingerprint": "deploy/.env:github-pat:2"
    }]);
    let baseline = TestDir::new().file("gitleaks-report.json", report.to_string());
    let out = ferret()
        .args(["scan", "dir", "-f", "json", "--baseline-path"])
        .arg(baseline.join("gitleaks-report.json"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        places(&json_findings(&out)),
        vec![place("src/app.py", 2)],
        "{}",
        stderr(&out)
    );
}

#[test]
fn gitleaks_flags_are_accepted() {
    let dir = tree();
    let report = dir.join("out.sarif");
    // --report-format / --report-path, and --exit-code for findings.
    let out = ferret()
        .args(["scan", "dir", "--report-format", "sarif", "--report-path"])
        .arg(&report)
        .args(["--exit-code", "3"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let sarif: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 2);
    // An error is still 2, whatever --exit-code says.
    let out = ferret()
        .args(["scan", "dir", "--exit-code", "3", "/nonexistent/ferret"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    // --redact is ferret's default; --redact=0 (gitleaks: no redaction) shows secrets.
    let secret_of = |extra: &[&str]| {
        let out = ferret()
            .args(["scan", "dir", "-f", "json"])
            .args(extra)
            .arg(dir.join("src"))
            .output()
            .unwrap();
        json_findings(&out)[0]["secret"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let token = github_token("app");
    assert_eq!(secret_of(&[]), secret_of(&["--redact"]));
    assert_ne!(secret_of(&["--redact=20"]), token);
    assert_eq!(secret_of(&["--redact=0"]), token);
    let out = ferret()
        .args(["scan", "dir", "--redact=101"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn log_opts_select_history_or_are_refused_by_name() {
    let repo = TestRepo::new();
    repo.write("a.py", format!("TOKEN = '{}'\n", github_token("before")));
    let base = repo.commit("before");
    repo.write("b.py", format!("TOKEN = '{}'\n", github_token("after")));
    repo.commit("after");
    for opts in [format!("--all {base}..HEAD"), format!("{base}..HEAD")] {
        let out = ferret()
            .current_dir(repo.path())
            .args(["scan", "git", "-f", "json", "--log-opts", &opts])
            .output()
            .unwrap();
        assert_eq!(
            places(&json_findings(&out)),
            vec![place("b.py", 1)],
            "{opts}: {}",
            stderr(&out)
        );
    }
    let out = ferret()
        .current_dir(repo.path())
        .args(["scan", "git", "--log-opts=--since=2024-01-01 --all"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "cannot translate \"--since=2024-01-01\": ferret selects history by revision"
        ),
        "{}",
        stderr(&out)
    );
}

fn corpus(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/gitleaks")
        .join(name)
}

#[test]
fn config_import_translates_rules_and_allowlists_and_lists_the_rest() {
    let dir = TestDir::new();
    let out = ferret()
        .args(["config", "import"])
        .arg(corpus("gitleaks.toml"))
        .args(["--output"])
        .arg(dir.join("ferret.toml"))
        .output()
        .unwrap();
    // Something could not be translated: exit 1, and each thing is named on stderr and in the file.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let written = std::fs::read_to_string(dir.join("ferret.toml")).unwrap();
    for untranslated in [
        "[extend] disabledRules \"generic-api-key\"",
        "rule gitlab-pat: it has no regex",
        "rule greek-token: the regex does not compile",
        "rule Orbital_Session: path '\\.env$'",
        "regexTarget \"line\"",
        "targetRules \"stripe-access-token\"",
    ] {
        assert!(
            err.lines()
                .any(|l| l.starts_with("ferret: not translated: ") && l.contains(untranslated)),
            "{untranslated}: {err}"
        );
        assert!(written.contains(untranslated), "{untranslated}: {written}");
    }
    assert!(err.contains("translated 2 rules and 4 allowlists"), "{err}");

    // The translation is a working config: the custom rule finds its secret (group 3 of the
    // gitleaks regex), its allowlists and the global ones apply.
    let key = "odk_q7w2e9r4t1y8u3i6o0p5a2s7d4f9";
    dir.write("app.env", format!("ORBITAL_DEPLOY_KEY={key}\n"));
    dir.write("ci.env", format!("ORBITAL_CI_KEY={key}\n"));
    dir.write(
        "vendor/lib.env",
        format!("orbital_deploy_key = \"{key}\"\n"),
    );
    dir.write(
        "sample.env",
        "orbital-deploy-key: odk_sample00000000000000000000000\n",
    );
    dir.write(
        "session.txt",
        "x osess_Zq8rT2vX9mK4pL7wN3bY6cH1jF5dS0aG hi\n",
    );
    let out = ferret()
        .args(["scan", "dir", "-f", "json", "--show-secrets", "--config"])
        .arg(dir.join("ferret.toml"))
        .arg(dir.path())
        .output()
        .unwrap();
    let findings = json_findings(&out);
    // Only the imported rules are under test: ferret's own generic rules may also see the key
    // under another name (`ORBITAL_CI_KEY=`), which the imported rule's allowlist does not cover.
    let mut got: Vec<(String, String, u64, String)> = findings
        .iter()
        .filter(|f| !f["rule_id"].as_str().unwrap().starts_with("generic-"))
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["secret"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("orbital-deploy-key".into(), "app.env".into(), 1, key.into()),
            (
                "orbital-session".into(),
                "session.txt".into(),
                1,
                "osess_Zq8rT2vX9mK4pL7wN3bY6cH1jF5dS0aG".into()
            ),
        ],
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_import_refuses_what_is_not_toml_and_is_clean_when_all_translates() {
    let dir = TestDir::new()
        .file("broken.toml", "[[rules]\nid = 1\n")
        .file(
            "simple.toml",
            "[[rules]]\nid = \"acme-key\"\ndescription = \"ACME key\"\nregex = '''acme_[a-f0-9]{16}'''\nkeywords = [\"acme_\"]\n",
        );
    let out = ferret()
        .args(["config", "import"])
        .arg(dir.join("broken.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("broken.toml is not valid TOML"),
        "{}",
        stderr(&out)
    );

    let out = ferret()
        .args(["config", "import"])
        .arg(dir.join("simple.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        text.contains("pattern = \"(?P<secret>acme_[a-f0-9]{16})\""),
        "{text}"
    );
    assert!(
        stderr(&out).contains("0 things not translated"),
        "{}",
        stderr(&out)
    );
}
