//! Helpers shared by the integration tests: each test runs the real `ferret` binary.

pub mod test_image;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A `ferret` command with a clean environment for colour and progress.
pub fn ferret() -> Command {
    let mut cmd = Command::cargo_bin("ferret").expect("the ferret binary is built");
    cmd.env("NO_COLOR", "1")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        // Set on CI runners; the organisation scans take their API from them.
        .env_remove("GITHUB_API_URL")
        .env_remove("CI_API_V4_URL");
    cmd
}

/// A temporary directory with files written into it.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    /// An empty temporary directory.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory can be created"),
        }
    }

    /// Writes `contents` to `rel` (creating parent directories) and returns self for chaining.
    pub fn file(self, rel: &str, contents: impl AsRef<[u8]>) -> Self {
        self.write(rel, contents);
        self
    }

    /// Writes `contents` to `rel`, creating parent directories.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a file has a parent")).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` joined to the directory.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
}

/// The rule file the integration tests use so they do not depend on any provider rule's shape.
pub fn test_rules_file() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/rules/test-rules.toml")
        .display()
        .to_string()
}

/// Parses the stdout of a `--format json` run.
pub fn json_findings(output: &Output) -> Vec<serde_json::Value> {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON array ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// `(rule_id, path, line)` of every finding, sorted: what most tests assert.
pub fn rule_path_lines(findings: &[serde_json::Value]) -> Vec<(String, String, u64)> {
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
                f["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}
pub mod azurite;
pub mod db_server;
pub mod git_daemon;
pub mod git_http;
pub mod mock_http;
pub mod mock_provider;
pub mod pty;
pub mod stalled;
pub mod test_registry;
pub mod test_repo;

/// `(file name, verification status, detail)` of each finding of `rule`, sorted by file name.
#[allow(dead_code)] // Not every test binary verifies.
pub fn verification_statuses(
    findings: &[serde_json::Value],
    rule: &str,
) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = findings
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| {
            let path = f["path"].as_str().unwrap_or_default();
            let text =
                |v: &serde_json::Value, default: &str| v.as_str().unwrap_or(default).to_string();
            (
                path.rsplit('/').next().unwrap_or(path).to_string(),
                text(&f["verification"]["status"], "none"),
                text(&f["verification"]["detail"], ""),
            )
        })
        .collect();
    out.sort();
    out
}

/// Asserts that the SARIF file at `sarif` validates against the OASIS SARIF 2.1.0 schema in
/// `../shared/schemas/` (with Python's jsonschema, which `.ci/setup` installs).
pub fn assert_valid_sarif(sarif: &Path) {
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    assert!(
        schema.is_file(),
        "the SARIF schema is expected at {}",
        schema.display()
    );
    let check = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import json,sys,jsonschema\n\
             schema=json.load(open(sys.argv[1])); doc=json.load(open(sys.argv[2]))\n\
             jsonschema.validate(doc, schema, cls=jsonschema.Draft4Validator)",
        )
        .arg(&schema)
        .arg(sarif)
        .output()
        .expect("python3 runs");
    assert!(
        check.status.success(),
        "SARIF {} does not validate:\n{}\n{}",
        sarif.display(),
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

/// Every file under `dir`, sorted, not following symbolic links.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}
