//! `ferret scan dir` and `ferret scan stdin` end to end: the real binary on temporary trees.


use std::path::Path;

use crate::support::{TestDir, ferret, json_findings, rule_path_lines};

const TOKEN: &str = "tst_Qm3kV8zR1tW6yB0nC4xL7pJ2";
const TOKEN2: &str = "tst_Zp9Rt4VbN8wKc2Lm5Xq7Hs3D";
const LOW: &str = "tlo_Hq3nV9xTz2Lk8WbR5pYc7Dm1";

fn rules_file() -> String {
    crate::support::test_rules_file()
}

/// Runs `ferret scan dir <dir> --format json --rules test-rules.toml <extra>` and returns the output.
fn scan_json(dir: &Path, extra: &[&str]) -> std::process::Output {
    ferret()
        .current_dir(dir)
        .args([
            "scan",
            "dir",
            ".",
            "--format",
            "json",
            "--rules",
            &rules_file(),
        ])
        .args(extra)
        .output()
        .unwrap()
}

fn findings_of(dir: &Path, extra: &[&str]) -> Vec<(String, String, u64)> {
    let out = scan_json(dir, extra);
    rule_path_lines(&json_findings(&out))
}

fn test_token(path: &str, line: u64) -> (String, String, u64) {
    ("test-token".into(), path.into(), line)
}

#[test]
fn clean_tree_exits_zero_and_findings_exit_one() {
    let dir = TestDir::new().file("a.txt", "nothing to see\n");
    let out = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(json_findings(&out).len(), 0);

    dir.write("b.txt", format!("one\nkey = {TOKEN}\n"));
    let out = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let findings = json_findings(&out);
    assert_eq!(rule_path_lines(&findings), vec![test_token("b.txt", 2)]);
    let f = &findings[0];
    assert_eq!(f["column"], 7);
    assert_eq!(f["severity"], "high");
    assert_eq!(f["redacted"], true);
    assert!(!f["secret"].as_str().unwrap().contains(TOKEN));
    assert_eq!(f["origin"]["kind"], "file");
    assert_eq!(f["rotate"], "https://example.invalid/rotate");
}

#[test]
fn missing_path_is_an_error_naming_it() {
    let out = ferret()
        .args(["scan", "dir", "/definitely/not/here"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/definitely/not/here"), "{stderr}");
}

#[test]
fn show_secrets_prints_the_secret_and_fingerprint_ignores_location() {
    let dir = TestDir::new()
        .file("a.txt", format!("{TOKEN}\n"))
        .file("deep/b.txt", format!("\n\n  x = {TOKEN}\n"));
    let out = scan_json(dir.path(), &["--show-secrets"]);
    let findings = json_findings(&out);
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0]["secret"], TOKEN);
    assert_eq!(findings[0]["fingerprint"], findings[1]["fingerprint"]);
}

#[test]
fn gitignored_files_are_scanned_unless_asked_and_dot_git_never() {
    let dir = TestDir::new()
        .file(".gitignore", ".env\n")
        .file(".env", format!("TOKEN={TOKEN}\n"))
        .file(".git/config", format!("token={TOKEN2}\n"));
    assert_eq!(findings_of(dir.path(), &[]), vec![test_token(".env", 1)]);
    assert_eq!(findings_of(dir.path(), &["--gitignore"]), vec![]);
}

#[test]
fn exclude_globs_leave_paths_out() {
    let dir = TestDir::new()
        .file("src/a.txt", format!("{TOKEN}\n"))
        .file("fixtures/b.txt", format!("{TOKEN2}\n"))
        .file("fixtures/deep/c.txt", format!("{TOKEN2}\n"));
    assert_eq!(
        findings_of(dir.path(), &["--exclude", "fixtures/"]),
        vec![test_token("src/a.txt", 1)]
    );
    assert_eq!(findings_of(dir.path(), &["--exclude", "*.txt"]), vec![]);
}

#[test]
fn binary_and_oversized_files_are_counted_as_skipped() {
    let mut binary = b"\x7fELF\x00\x00".to_vec();
    binary.extend_from_slice(format!("{TOKEN}\n").as_bytes());
    let dir = TestDir::new()
        .file("tool.bin", &binary)
        .file("big.txt", format!("{}\n{TOKEN2}\n", "a".repeat(3000)))
        .file("small.txt", "nothing\n");
    let out = scan_json(dir.path(), &["--max-file-size", "2K"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("1 binary") && stderr.contains("1 too large"),
        "{stderr}"
    );

    let found = findings_of(dir.path(), &["--scan-binary"]);
    assert_eq!(
        found,
        vec![test_token("big.txt", 2), test_token("tool.bin", 1)]
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_skipped_unless_followed_and_broken_ones_are_errors() {
    let outside = TestDir::new().file("secret.txt", format!("{TOKEN}\n"));
    let dir = TestDir::new().file("a.txt", "clean\n");
    std::os::unix::fs::symlink(outside.join("secret.txt"), dir.join("link.txt")).unwrap();
    let out = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 symlinks"));
    assert_eq!(
        findings_of(dir.path(), &["--follow-symlinks"]),
        vec![test_token("link.txt", 1)]
    );

    // A dangling link cannot be read: reported, scan goes on, exit 2, findings kept.
    std::os::unix::fs::symlink(dir.join("gone.txt"), dir.join("dangling.txt")).unwrap();
    dir.write("b.txt", format!("{TOKEN2}\n"));
    let out = scan_json(dir.path(), &["--follow-symlinks"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dangling.txt"));
    assert_eq!(
        rule_path_lines(&json_findings(&out)),
        vec![test_token("b.txt", 1), test_token("link.txt", 1)]
    );
}

#[test]
fn inline_allow_ignore_file_and_config_allowlists_suppress() {
    let dir = TestDir::new()
        .file("inline.txt", format!("x = {TOKEN} # ferret:allow\n"))
        .file("kept.txt", format!("x = {TOKEN2}\n"))
        .file("fixtures/a.txt", format!("{TOKEN2}\n"))
        .file("low.txt", format!("{LOW}\n"));
    let all = findings_of(dir.path(), &[]);
    assert_eq!(all.len(), 3, "{all:?}");

    // Path allowlist from ferret.toml at the scan root.
    dir.write(
        "ferret.toml",
        "[[allow]]\ndescription = \"fixtures\"\npaths = [\"fixtures/**\"]\n",
    );
    assert_eq!(
        findings_of(dir.path(), &[]),
        vec![
            ("test-low".into(), "low.txt".into(), 1),
            test_token("kept.txt", 1)
        ]
    );

    // Ignore file by fingerprint: the same secret is ignored wherever it is.
    let out = scan_json(dir.path(), &[]);
    let fp = json_findings(&out)
        .iter()
        .find(|f| f["rule_id"] == "test-token")
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    dir.write(".ferretignore", format!("# reviewed\n{fp}\n"));
    assert_eq!(
        findings_of(dir.path(), &[]),
        vec![("test-low".into(), "low.txt".into(), 1)]
    );

    // Disabled rule and stopwords.
    dir.write(
        "ferret.toml",
        "disabled_rules = [\"test-low\"]\n[[allow]]\nrules = [\"test-token\"]\nstopwords = [\"zp9rt4\"]\n",
    );
    std::fs::remove_file(dir.join(".ferretignore")).unwrap();
    assert_eq!(findings_of(dir.path(), &[]), vec![]);
}

#[test]
fn bad_config_and_rule_files_name_file_and_line() {
    let dir = TestDir::new().file("ferret.toml", "[[allow]]\npaths = [\"ok\"]\nbogus = 1\n");
    let out = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ferret.toml") && stderr.contains("line 3"),
        "{stderr}"
    );

    let rules = TestDir::new().file(
        "bad.toml",
        "[[rule]]\nid = \"ok-rule\"\nname = \"x\"\nkeywords = [\"k\"]\npattern = 'k(?P<secret>a'\n",
    );
    let out = ferret()
        .args(["rules", "check"])
        .arg(rules.join("bad.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.toml:2") && stderr.contains("does not compile"),
        "{stderr}"
    );
}

#[test]
fn rules_check_reports_failing_examples() {
    let rules = TestDir::new().file(
        "r.toml",
        "[[rule]]\nid = \"r\"\nname = \"r\"\nkeywords = [\"zz_\"]\npattern = '(?P<secret>zz_[a-z0-9]{8})'\nrotate = \"https://x.invalid\"\nexamples = [\"zz_a1b2c3d4\", \"zz_NOPE\"]\nnegative_examples = [\"zz_\", \"zz_q1w2e3r4\"]\n",
    );
    let out = ferret()
        .args(["rules", "check"])
        .arg(rules.join("r.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("example does not match: \"zz_NOPE\""),
        "{stdout}"
    );
    assert!(stdout.contains("negative example matches"), "{stdout}");
    assert!(stdout.contains("r.toml:2: r:"), "{stdout}");

    let good = ferret()
        .args(["rules", "check", &rules_file()])
        .output()
        .unwrap();
    assert_eq!(good.status.code(), Some(0), "{good:?}");
}

#[test]
fn fail_on_gates_by_severity() {
    let dir = TestDir::new().file("low.txt", format!("{LOW}\n"));
    assert_eq!(scan_json(dir.path(), &[]).status.code(), Some(1));
    assert_eq!(
        scan_json(dir.path(), &["--fail-on", "high"]).status.code(),
        Some(0)
    );
    assert_eq!(
        scan_json(dir.path(), &["--fail-on", "never"]).status.code(),
        Some(0)
    );
}

#[test]
fn stdin_is_scanned_under_its_given_name() {
    let out = ferret()
        .args([
            "scan",
            "stdin",
            "--path-name",
            "paste.txt",
            "--format",
            "jsonl",
            "--rules",
            &rules_file(),
        ])
        .write_stdin(format!("a\nb\n  {TOKEN}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["path"], "paste.txt");
    assert_eq!(line["line"], 3);
    assert_eq!(line["column"], 3);
    assert_eq!(line["origin"]["kind"], "stdin");
}

#[test]
fn large_files_are_streamed_with_exact_line_numbers() {
    // Over the whole-read limit, with secrets before, across and after the 16 MiB chunk boundary.
    let line = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n";
    let lines_per_chunk = (16 << 20) / line.len();
    let mut text = String::with_capacity(40 << 20);
    let mut expected = Vec::new();
    for i in 1..=(lines_per_chunk * 2 + 1000) {
        if i == 10
            || i == lines_per_chunk - 2
            || i == lines_per_chunk + 3
            || i == lines_per_chunk * 2 + 500
        {
            text.push_str(&format!("key = {TOKEN}\n"));
            expected.push(test_token("big.log", i as u64));
        } else {
            text.push_str(line);
        }
    }
    let dir = TestDir::new().file("big.log", text);
    assert_eq!(findings_of(dir.path(), &[]), expected);
}

#[test]
fn every_format_writes_the_findings() {
    let dir = TestDir::new().file("src/app config.txt", format!("x\n{TOKEN}\n"));
    let run = |format: &str| {
        ferret()
            .current_dir(dir.path())
            .args([
                "scan",
                "dir",
                ".",
                "--rules",
                &rules_file(),
                "--format",
                format,
            ])
            .output()
            .unwrap()
    };
    let text = String::from_utf8(run("text").stdout).unwrap();
    assert!(
        text.contains("src/app config.txt") && text.contains("2:1") && text.contains("test-token"),
        "{text}"
    );
    let csv = String::from_utf8(run("csv").stdout).unwrap();
    let mut rows = csv.lines();
    assert!(
        rows.next()
            .unwrap()
            .starts_with("rule_id,rule_name,severity,path,line,column")
    );
    assert!(
        rows.next()
            .unwrap()
            .starts_with("test-token,ferret test token,high,src/app config.txt,2,1")
    );
    let gh = String::from_utf8(run("github").stdout).unwrap();
    assert!(gh.starts_with("::error file=src/app config.txt,line=2,endLine=2,col=1,title=Secret%3A ferret test token::"), "{gh}");
    let jsonl = String::from_utf8(run("jsonl").stdout).unwrap();
    assert_eq!(jsonl.lines().count(), 1);
    let out = dir.join("report.sarif");
    let status = ferret()
        .current_dir(dir.path())
        .args([
            "scan",
            "dir",
            "src",
            "--rules",
            &rules_file(),
            "--format",
            "sarif",
            "--output",
        ])
        .arg(&out)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "test-token");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/app%20config.txt"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    assert!(result["partialFingerprints"]["ferret/v1"].is_string());
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_scanned_not_a_crash() {
    use std::os::unix::ffi::OsStrExt;
    let dir = TestDir::new();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9-\xff.txt");
    std::fs::write(dir.path().join(name), format!("{TOKEN}\n")).unwrap();
    // Given directly as a root (depth 0) and found by the walk (depth 1).
    let out = ferret()
        .args(["scan", "dir", "--format", "json", "--rules", &rules_file()])
        .arg(dir.path().join(name))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(json_findings(&out).len(), 1);
    let out = scan_json(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(json_findings(&out).len(), 1);
}
