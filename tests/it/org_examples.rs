//! The two ready uses of sharding that the project ships: `examples/org-scan-matrix.yml` (a
//! GitHub Actions matrix) and `examples/k8s-org-scan.yaml` (a Kubernetes Indexed Job). Each is
//! checked by its linter where one exists, and its own commands are run, shard by shard, against
//! a local stand-in for the GitHub API and a `git daemon`: the merged shards hold every
//! repository's secret once.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::support::TestDir;
use crate::support::git_daemon::GitDaemon;
use crate::support::mock_http::{MockServer, Reply};
use crate::support::test_image::github_token;
use crate::support::test_repo::TestRepo;

const REPOSITORIES: usize = 8;

fn project_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A YAML file as JSON (PyYAML, which .ci/setup installs).
fn yaml(path: &Path) -> Value {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// An organisation `acme` of [`REPOSITORIES`] repositories, each with a token in its history,
/// listed by a GitHub API stand-in and served by a git daemon.
struct Organisation {
    _served: tempfile::TempDir,
    _daemon: GitDaemon,
    api: MockServer,
}

impl Organisation {
    fn new() -> Self {
        let served = tempfile::tempdir().unwrap();
        for i in 0..REPOSITORIES {
            let repo = TestRepo::new();
            let token = github_token(&format!("example-org-{i}"));
            repo.write("ci/env.sh", format!("export GITHUB_TOKEN={token}\n"));
            repo.commit("add ci settings");
            let bare = served.path().join(format!("acme/r{i}.git"));
            std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
            repo.git(
                &["clone", "-q", "--bare", repo.path().to_str().unwrap()]
                    .into_iter()
                    .chain([bare.to_str().unwrap()])
                    .collect::<Vec<_>>(),
            );
        }
        let daemon = GitDaemon::serve(served.path());
        let git = format!("git://127.0.0.1:{}", daemon.port);
        let listing: Vec<Value> = (0..REPOSITORIES)
            .map(|i| {
                json!({
                    "full_name": format!("acme/r{i}"),
                    "clone_url": format!("{git}/acme/r{i}.git"),
                    "fork": false,
                    "archived": false,
                })
            })
            .collect();
        let api = MockServer::start(move |req| match req.path() {
            "/orgs/acme/repos" => Reply::json(Value::Array(listing.clone())),
            _ => Reply::new(404, r#"{"message":"Not Found"}"#),
        });
        Self {
            _served: served,
            _daemon: daemon,
            api,
        }
    }
}

/// A shell command as a job runs it: `ferret` on the PATH, the API stand-in as the API.
fn shell(script: &str, dir: &Path, org: &Organisation, env: &[(&str, String)]) -> Command {
    let ferret = assert_cmd::cargo::cargo_bin("ferret");
    let path = format!(
        "{}:{}",
        ferret.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("GITHUB_API_URL", org.api.url())
        .env("NO_COLOR", "1")
        .env_remove("GH_TOKEN")
        .env_remove("CI_API_V4_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn run_ok(cmd: Command, what: &str) {
    run_expecting(cmd, what, 0);
}

fn run_expecting(mut cmd: Command, what: &str, status: i32) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.code() == Some(status),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The repositories whose token an inventory holds, each once, with their one location each.
fn inventory_repositories(inventory: &Path) -> Vec<String> {
    let inventory: Value = serde_json::from_slice(&std::fs::read(inventory).unwrap()).unwrap();
    let mut repos: Vec<String> = inventory["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["rule_id"] == "github-pat-classic")
        .map(|s| {
            let locations = s["locations"].as_array().unwrap();
            assert_eq!(locations.len(), 1, "{s:#}");
            let repo = locations[0]["origin"]["repository"]
                .as_str()
                .unwrap_or_else(|| {
                    panic!("a location names its repository: {s:#}");
                });
            repo.rsplit('/').next().unwrap().to_string()
        })
        .collect();
    repos.sort();
    repos
}

fn every_repository() -> Vec<String> {
    let mut all: Vec<String> = (0..REPOSITORIES).map(|i| format!("r{i}.git")).collect();
    all.sort();
    all
}

#[test]
fn the_matrix_workflow_passes_actionlint_and_its_shards_merge_into_one_inventory() {
    let workflow_path = project_file("examples/org-scan-matrix.yml");
    let text = std::fs::read_to_string(&workflow_path).unwrap();
    let repo = TestDir::new();
    repo.write(".github/workflows/inventory.yml", &text);
    run_ok(
        {
            let mut c = Command::new("git");
            c.current_dir(repo.path()).args(["init", "-q"]);
            c
        },
        "git init",
    );
    let lint = |dir: &Path| {
        Command::new("actionlint")
            .current_dir(dir)
            .arg("-color=false")
            .output()
            .expect("actionlint is installed (.ci/setup does it)")
    };
    let out = lint(repo.path());
    assert!(
        out.status.success(),
        "actionlint:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    repo.write(
        ".github/workflows/inventory.yml",
        text.replacen("matrix.shard }}.jsonl", "matrix.shards }}.jsonl", 1),
    );
    assert!(
        !lint(repo.path()).status.success(),
        "a planted mistake is caught"
    );

    // Run the jobs' own commands, as the runners would.
    let workflow = yaml(&workflow_path);
    let shards: Vec<u64> = workflow["jobs"]["scan"]["strategy"]["matrix"]["shard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let count = workflow["env"]["SHARDS"].as_u64().unwrap();
    assert_eq!(
        shards,
        (1..=count).collect::<Vec<_>>(),
        "the matrix covers every shard"
    );
    let step = |job: &str, name: &str| -> String {
        workflow["jobs"][job]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with(name)))
            .and_then(|s| s["run"].as_str())
            .unwrap_or_else(|| panic!("job {job} has a step {name:?} with a run"))
            .to_string()
    };
    let org = Organisation::new();
    let work = TestDir::new();
    let scan = step("scan", "Scan shard");
    for shard in &shards {
        run_ok(
            shell(
                &scan,
                work.path(),
                &org,
                &[
                    ("ORG", "acme".into()),
                    ("SHARDS", count.to_string()),
                    ("SHARD", shard.to_string()),
                    ("GITHUB_TOKEN", "ghp_example_listing_token".into()),
                ],
            ),
            &format!("shard {shard}"),
        );
        assert!(work.join(&format!("shard-{shard}.jsonl")).is_file());
    }
    // The HTML merge keeps the default --fail-on: the job fails while secrets remain.
    run_expecting(
        shell(&step("merge", "Merge"), work.path(), &org, &[]),
        "merge",
        1,
    );
    assert_eq!(
        inventory_repositories(&work.join("inventory.json")),
        every_repository()
    );
    let html = std::fs::read_to_string(work.join("inventory.html")).unwrap();
    assert!(html.contains("<table"), "an HTML inventory");
}

#[test]
fn the_indexed_job_runs_one_shard_per_index_and_together_they_cover_the_organisation() {
    let job = yaml(&project_file("examples/k8s-org-scan.yaml"));
    assert_eq!(job["apiVersion"], "batch/v1");
    assert_eq!(job["kind"], "Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let completions = spec["completions"].as_u64().unwrap();
    assert_eq!(spec["parallelism"].as_u64(), Some(completions));
    let pod = &spec["template"]["spec"];
    assert_eq!(
        pod["restartPolicy"], "Never",
        "an Indexed Job's pods do not restart in place"
    );
    let container = &pod["containers"][0];
    assert_eq!(container["command"], json!(["sh", "-c"]));
    let script = container["args"][0].as_str().unwrap();
    let volumes: Vec<&str> = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    let mut results_dir = None;
    for mount in container["volumeMounts"].as_array().unwrap() {
        assert!(
            volumes.contains(&mount["name"].as_str().unwrap()),
            "{mount}"
        );
        if mount["name"] == "results" {
            results_dir = mount["mountPath"].as_str();
        }
    }
    let results_dir = results_dir.expect("a results volume");
    let mut env: Vec<(String, String)> = Vec::new();
    for var in container["env"].as_array().unwrap() {
        let name = var["name"].as_str().unwrap().to_string();
        let value = match var["value"].as_str() {
            Some(v) => v.to_string(),
            None => {
                assert!(var["valueFrom"]["secretKeyRef"].is_object(), "{var}");
                "ghp_example_listing_token".to_string()
            }
        };
        env.push((name, value));
    }
    let shards: u64 = env
        .iter()
        .find(|(k, _)| k == "SHARDS")
        .unwrap()
        .1
        .parse()
        .unwrap();
    assert_eq!(shards, completions, "one shard per index");

    // Each pod's own command, index by index, with the volumes as local directories.
    let org = Organisation::new();
    let work = TestDir::new();
    let results = work.join("results");
    let scratch = work.join("scratch");
    std::fs::create_dir_all(&results).unwrap();
    std::fs::create_dir_all(&scratch).unwrap();
    let local = script.replace(results_dir, results.to_str().unwrap());
    for index in 0..completions {
        let mut vars: Vec<(&str, String)> = env
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .filter(|(k, _)| *k != "TMPDIR")
            .collect();
        vars.push(("TMPDIR", scratch.display().to_string()));
        vars.push(("JOB_COMPLETION_INDEX", index.to_string()));
        run_ok(
            shell(&local, work.path(), &org, &vars),
            &format!("index {index}"),
        );
    }
    assert_eq!(
        std::fs::read_dir(&scratch).unwrap().count(),
        0,
        "every clone was removed"
    );
    let merge = format!(
        "ferret report merge {}/shard-*.jsonl --format inventory-json --output inventory.json --fail-on never",
        results.display()
    );
    run_ok(shell(&merge, work.path(), &org, &[]), "merge");
    assert_eq!(
        inventory_repositories(&work.join("inventory.json")),
        every_repository()
    );
}
