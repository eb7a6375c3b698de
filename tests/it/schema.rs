//! `schema/report.schema.json` describes what the JSON formats write: every origin kind, skips,
//! verification-free findings, through `json`, `json-report` and each `jsonl` line. A field added
//! to a report without the schema fails here (the schema closes its objects).

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::test_image::{TestImage, github_token};
use crate::support::test_repo::TestRepo;
use crate::support::{TestDir, ferret};

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A validator for the schema's definition `name` (`json`, `json_report`, `jsonl_line`, `inventory`).
pub fn validator(name: &str) -> jsonschema::Validator {
    let mut schema = schema();
    let root = schema.as_object_mut().unwrap();
    root.remove("anyOf");
    root.insert("$ref".into(), Value::String(format!("#/$defs/{name}")));
    jsonschema::draft202012::new(&schema).expect("the schema is a valid draft 2020-12 schema")
}

pub fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}\n{doc:#}");
}

/// Runs `args` with each JSON format and validates the output; returns the findings' origin kinds.
fn check_formats(what: &str, run: &dyn Fn(&str) -> Output) -> Vec<String> {
    let json = run("json");
    assert!(
        json.status.code().is_some_and(|c| c <= 1),
        "{what}: {json:?}"
    );
    let findings: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_valid(
        &validator("json"),
        &findings,
        &format!("{what} --format json"),
    );

    let report: Value = serde_json::from_slice(&run("json-report").stdout).unwrap();
    assert_valid(
        &validator("json_report"),
        &report,
        &format!("{what} --format json-report"),
    );
    // The whole-schema view accepts both documents too.
    let any = jsonschema::draft202012::new(&schema()).unwrap();
    assert_valid(&any, &findings, what);
    assert_valid(&any, &report, what);

    let lines = run("jsonl");
    let line_validator = validator("jsonl_line");
    let text = String::from_utf8(lines.stdout).unwrap();
    assert!(!text.is_empty(), "{what}: no jsonl output");
    for line in text.lines() {
        let value: Value = serde_json::from_str(line).unwrap();
        assert_valid(&line_validator, &value, &format!("{what} --format jsonl"));
    }
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["origin"]["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_json_format_matches_the_shipped_schema() {
    let mut kinds = Vec::new();

    // Files on disk, with a checksum, a root and a skipped (too large) file.
    let dir = TestDir::new()
        .file(
            "app/.env",
            format!("GITHUB_TOKEN={}\n", github_token("schema-dir")),
        )
        .file("big.txt", "x".repeat(4096));
    kinds.extend(check_formats("scan dir", &|format| {
        ferret()
            .args(["scan", "dir", "--max-file-size", "1K", "-f", format])
            .arg(dir.path())
            .output()
            .unwrap()
    }));
    // The skip is in the report.
    let report: Value = serde_json::from_slice(
        &ferret()
            .args(["scan", "dir", "--max-file-size", "1K", "-f", "json-report"])
            .arg(dir.path())
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(report["not_scanned"][0]["reason"], "too_large");

    // Git history and the staged index.
    let repo = TestRepo::new();
    repo.write(
        "config.py",
        format!("TOKEN = '{}'\n", github_token("schema-git")),
    );
    repo.commit("add");
    repo.write(
        "staged.py",
        format!("TOKEN = '{}'\n", github_token("schema-staged")),
    );
    for (what, extra) in [
        ("scan git", &[][..]),
        ("scan git --staged", &["--staged"][..]),
    ] {
        kinds.extend(check_formats(what, &|format| {
            ferret()
                .current_dir(repo.path())
                .args(["scan", "git", "-f", format])
                .args(extra)
                .output()
                .unwrap()
        }));
    }

    // Standard input and a CI log.
    let input = format!("GITHUB_TOKEN={}\n", github_token("schema-stdin"));
    kinds.extend(check_formats("scan stdin", &|format| {
        ferret()
            .args(["scan", "stdin", "-f", format])
            .write_stdin(input.clone())
            .output()
            .unwrap()
    }));
    let logs = TestDir::new().file(
        "build.log",
        format!(
            "2026-11-30T10:00:00.0000000Z + export GITHUB_TOKEN={}\n",
            github_token("schema-log")
        ),
    );
    kinds.extend(check_formats("scan ci-log", &|format| {
        ferret()
            .args(["scan", "ci-log", "--repo", "acme/api", "-f", format])
            .arg(logs.join("build.log"))
            .output()
            .unwrap()
    }));

    // An image: a layer file and a config field.
    let image = TestImage::new();
    image.write(
        "app/.env",
        format!("GITHUB_TOKEN={}\n", github_token("schema-layer")),
    );
    image.commit("COPY . /app");
    let env = format!("--config.env=GITHUB_TOKEN={}", github_token("schema-env"));
    image.config(&[&env]);
    let layout = image.layout();
    kinds.extend(check_formats("scan image", &|format| {
        ferret()
            .args(["scan", "image", "-f", format])
            .arg(&layout)
            .output()
            .unwrap()
    }));

    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "ci_log",
            "file",
            "git",
            "git_staged",
            "image_layer",
            "image_metadata",
            "stdin"
        ],
        "every origin kind was validated"
    );
}

#[test]
fn the_schema_rejects_what_ferret_does_not_write() {
    let finding = validator("json");
    let bad = serde_json::json!([{"rule_id": "x", "path": "a"}]);
    assert!(!finding.is_valid(&bad));
    let report = validator("json_report");
    assert!(!report.is_valid(&serde_json::json!({"findings": [], "extra": 1})));
}

/// `--format inventory-json`, of a scan and of `report merge`, matches the schema's `inventory`.
#[test]
fn the_inventory_of_a_scan_and_of_a_merge_matches_the_shipped_schema() {
    let dir = TestDir::new()
        .file(
            ".env",
            format!("GITHUB_TOKEN={}\n", github_token("schema-inventory")),
        )
        .file(
            "b/.env",
            format!("GITHUB_TOKEN={}\n", github_token("schema-inventory")),
        );
    let scanned = ferret()
        .args(["scan", "dir", "-f", "inventory-json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(scanned.status.code(), Some(1), "{scanned:?}");
    let inventory: Value = serde_json::from_slice(&scanned.stdout).unwrap();
    assert_eq!(
        inventory["secrets"][0]["locations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_valid(
        &validator("inventory"),
        &inventory,
        "scan dir -f inventory-json",
    );

    let jsonl = dir.join("shard.jsonl");
    ferret()
        .args(["scan", "dir", "-f", "jsonl", "-o"])
        .arg(&jsonl)
        .arg(dir.path().join("b"))
        .output()
        .unwrap();
    let merged = ferret()
        .args(["report", "merge", "-f", "inventory-json"])
        .arg(&jsonl)
        .output()
        .unwrap();
    let inventory: Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_valid(
        &validator("inventory"),
        &inventory,
        "report merge -f inventory-json",
    );
    let any = jsonschema::draft202012::new(&schema()).unwrap();
    assert_valid(&any, &inventory, "the whole schema");
}

/// `ferret recheck --format json` matches the schema's `recheck`: a revoked and a gone finding.
#[test]
fn the_recheck_record_matches_the_shipped_schema() {
    use crate::support::mock_provider::{MockProvider, Reply};
    let mock = MockProvider::start(|_| {
        Reply::json(401, serde_json::json!({"message": "Bad credentials"}))
    });
    let endpoint = format!("github={}", mock.url());
    let dir = TestDir::new()
        .file(
            "a.env",
            format!("GITHUB_TOKEN={}\n", github_token("schema-recheck-a")),
        )
        .file(
            "b.env",
            format!("GITHUB_TOKEN={}\n", github_token("schema-recheck-b")),
        );
    let report = dir.join("report.json");
    let scanned = ferret()
        .args(["scan", "dir", "-f", "json", "-o"])
        .arg(&report)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(scanned.status.code(), Some(1), "{scanned:?}");
    std::fs::remove_file(dir.join("b.env")).unwrap();
    let rechecked = ferret()
        .args(["recheck", "-f", "json", "--verify-endpoint", &endpoint])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(rechecked.status.code(), Some(0), "{rechecked:?}");
    let record: Value = serde_json::from_slice(&rechecked.stdout).unwrap();
    assert_eq!(record["summary"]["revoked"], 1, "{record:#}");
    assert_eq!(record["summary"]["gone"], 1, "{record:#}");
    assert_valid(&validator("recheck"), &record, "recheck -f json");
    let any = jsonschema::draft202012::new(&schema()).unwrap();
    assert_valid(&any, &record, "the whole schema");
}
