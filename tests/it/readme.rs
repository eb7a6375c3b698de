//! Every command the README shows is run here (the build excepted), on a real tree, repository,
//! image or log, and its output checked. A command added to the README without a run here fails
//! `every_readme_command_is_run_by_a_test`.
//!
//! Commands that talk to a service (a registry with stored credentials, the CI providers' APIs, live
//! verification) are run by the tests named in [`COVERED_ELSEWHERE`], against local stand-ins.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;

use crate::support::test_image::{TestImage, github_token};
use crate::support::test_registry::Registry;
use crate::support::test_repo::TestRepo;
use crate::support::{TestDir, ferret, json_findings};

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The `ferret` commands of the README's `sh` blocks (comments and line continuations joined),
/// plus the inline ones written as `ferret ...` in backticks.
fn readme_commands() -> Vec<String> {
    let text = readme();
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if in_sh {
            let joined = format!("{pending}{}", line.trim_start());
            if let Some(head) = joined.strip_suffix('\\') {
                pending = head.to_string();
                continue;
            }
            pending.clear();
            let command = match joined.find(" #") {
                Some(i) => joined[..i].trim_end().to_string(),
                None => joined.trim_end().to_string(),
            };
            // Builds, and the container commands: no image builder runs where the tests do, so
            // the Dockerfile is checked by `release::the_dockerfile_builds_a_small_non_root_image_and_passes_hadolint`
            // (structure and hadolint), not run.
            let is_build = command.starts_with("cargo ")
                || command.starts_with("bash .ci/")
                || command.starts_with("docker ");
            if command.contains("ferret ") && !is_build {
                commands.push(command);
            }
        } else {
            for (i, part) in line.split('`').enumerate() {
                if i % 2 == 1 && part.starts_with("ferret ") && part.len() > "ferret x".len() {
                    commands.push(part.to_string());
                }
            }
        }
    }
    commands.sort();
    commands.dedup();
    commands
}

/// README commands run by other modules' tests, and which test runs each.
const COVERED_ELSEWHERE: &[(&str, &str)] = &[
    (
        "GITHUB_TOKEN=... ferret scan github-org acme --include 'acme/*' --exclude 'acme/sandbox-*'",
        "org::every_repository_of_a_github_organisation_is_scanned_and_a_failing_one_is_named",
    ),
    (
        "GITLAB_TOKEN=... ferret scan gitlab-group acme/platform --archived",
        "org::every_project_of_a_gitlab_group_and_its_subgroups_is_scanned",
    ),
    (
        "ferret scan targets estate.txt --jobs 8",
        "targets::a_targets_file_scans_directories_repositories_images_and_logs_in_one_run",
    ),
    (
        "ferret scan github-org acme --shard 2/4 -f jsonl -o shard-2.jsonl",
        "org_examples::the_matrix_workflow_passes_actionlint_and_its_shards_merge_into_one_inventory",
    ),
    (
        "ferret recheck last-month.json --format json -o recheck.json",
        "recheck::a_rotation_is_proved_revoked_still_live_or_gone_per_finding",
    ),
    (
        "ferret report merge REPORT...",
        "report_merge::one_secret_in_two_repositories_an_image_layer_and_a_ci_log_is_one_inventory_entry",
    ),
    (
        "ferret baseline upgrade FILE [PATH]",
        "fingerprints::an_old_baseline_still_suppresses_with_a_warning_and_upgrade_rewrites_it",
    ),
    (
        "ferret scan dir [OPTIONS] -- FILE...",
        "security::staged_file_names_are_paths_not_options_and_the_repository_config_applies",
    ),
    (
        "ferret scan image registry.example.com/team/app:1.4",
        "image::registry_images_are_pulled_and_scanned",
    ),
    (
        "GITHUB_TOKEN=... ferret scan github-actions acme/api --since 2026-11-01 --max-runs 20",
        "cilog::github_actions_runs_are_listed_downloaded_and_scanned",
    ),
    (
        "GITLAB_TOKEN=... ferret scan gitlab-ci acme/api --branch main",
        "cilog::gitlab_ci_job_traces_are_listed_and_scanned",
    ),
    (
        "ferret scan dir . --verify --only-verified --verify-concurrency 8 --verify-timeout 10s",
        "verify::github_tokens_are_verified_once_each_with_identity",
    ),
];

/// README commands this module runs (each by the test of the same index in `run_readme_command`).
const RUN_HERE: &[&str] = &[
    "ferret scan dir ~/src/project",
    "ferret scan dir . --gitignore --exclude 'vendor/'",
    "ferret scan dir . --format json --output findings.json",
    "ferret scan git",
    "ferret scan git /srv/repos/app.git --branch main",
    "ferret scan git --range origin/main..HEAD",
    "ferret scan git --staged",
    "ferret scan git https://git.example.com/team/app.git",
    "ferret hook install",
    "ferret baseline create . -o .ferret-baseline.json",
    "ferret scan image app.tar",
    "ferret scan image ./oci-layout --platform linux/amd64",
    "echo \"$TOKEN\" | ferret scan image 127.0.0.1:5000/app:dev --insecure-registry 127.0.0.1:5000 --registry-user ci --registry-password-stdin",
    "ferret scan ci-log build.log job-logs.gz logs_8123456789.zip --repo acme/api",
    "kubectl get configmaps -A -o yaml | ferret scan stdin --path-name k8s-configmaps.yaml",
    "kubectl get secret app -o yaml | ferret scan stdin --path-name app-secret.yaml",
    "ferret rules list",
    "ferret rules list --json",
    "ferret rules check my-rules.toml",
    "ferret scan dir . --rules my-rules.toml",
    "source <(ferret completions bash)",
    "ferret man | man -l -",
    "ferret config import .gitleaks.toml --output ferret.toml",
    "ferret scan git --log-opts=\"--all origin/main..HEAD\" --report-format sarif --report-path ferret.sarif",
    "ferret scan dir . --baseline-path gitleaks-report.json --exit-code 3",
];

#[test]
fn every_readme_command_is_run_by_a_test() {
    let mut known: Vec<&str> = RUN_HERE.to_vec();
    known.extend(COVERED_ELSEWHERE.iter().map(|(command, _)| *command));
    let missing: Vec<String> = readme_commands()
        .into_iter()
        .filter(|c| !known.contains(&c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "README commands no test runs (add them to RUN_HERE or COVERED_ELSEWHERE): {missing:#?}"
    );
    // The tests named for the others exist.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    for (command, test) in COVERED_ELSEWHERE {
        let (module, name) = test.split_once("::").unwrap();
        let source = std::fs::read_to_string(dir.join(format!("{module}.rs"))).unwrap();
        assert!(
            source.contains(&format!("#[test]\nfn {name}()")),
            "{command}: test {test} not found"
        );
    }
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn secrets_of(findings: &[Value]) -> Vec<String> {
    let mut secrets: Vec<String> = findings
        .iter()
        .map(|f| f["secret"].as_str().unwrap().to_string())
        .collect();
    secrets.sort();
    secrets
}

/// A project with a gitignored `.env`, vendored code and its own code, each with a token.
fn project() -> (TestDir, [String; 3]) {
    let tokens = [
        github_token("env"),
        github_token("vendor"),
        github_token("src"),
    ];
    let dir = TestDir::new()
        .file(".gitignore", ".env\n")
        .file(".env", format!("GITHUB_TOKEN={}\n", tokens[0]))
        .file("vendor/lib/conf.py", format!("TOKEN = '{}'\n", tokens[1]))
        .file("src/app.py", format!("TOKEN = '{}'\n", tokens[2]));
    // --gitignore reads ignore files inside a git work tree.
    std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    (dir, tokens)
}

/// The README's first command builds ferret and scans `examples/demo`; the scan half is run here
/// (the build is what produced the binary under test) and must show what the README says it does.
#[test]
fn readme_first_command_scans_the_demo_tree() {
    let text = readme();
    let first = text
        .split("```sh\n")
        .nth(1)
        .and_then(|block| block.lines().next())
        .unwrap();
    assert_eq!(
        first,
        "cargo build --release && ./target/release/ferret scan dir examples/demo"
    );
    let out = ferret()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "dir", "examples/demo"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "findings, as the README says");
    let report = stdout(&out);
    for rule in [
        "aws-access-key-id",
        "aws-secret-access-key",
        "github-pat-classic",
        "generic-password",
        "slack-bot-token",
        "postgres-connection-uri",
        "npm-access-token",
    ] {
        assert!(
            report.contains(&format!("  {rule} [")),
            "{rule} missing:\n{report}"
        );
    }
    assert!(
        report.contains("    also in 1 more place:\n      config/settings.py:5:"),
        "{report}"
    );
    assert!(report.contains("(decoded from base64)"), "{report}");
    assert!(
        report.contains("|                   ^^^^^^^^^\n"),
        "a caret line:\n{report}"
    );
    assert!(
        report.contains("\n8 findings of 7 distinct secrets: 2 critical, 5 high, 1 medium\n"),
        "{report}"
    );
    // Every value planted there is fake, and none of them is printed.
    for planted in [
        "4POZVFI34LM2UEY2",
        "kNtaU4i5GpIpatEJc2vPjj",
        "4YUhh3eIukIJeU75",
        "BwyMZDrXqDjrDYazmDtl",
    ] {
        assert!(!report.contains(planted), "{planted} printed:\n{report}");
    }
}

#[test]
fn readme_scan_dir_commands() {
    let (dir, tokens) = project();
    // ferret scan dir ~/src/project: every file, the gitignored .env too.
    let out = ferret()
        .args(["scan", "dir", "--show-secrets", "-f", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut all = tokens.to_vec();
    all.sort();
    assert_eq!(secrets_of(&json_findings(&out)), all);

    // ferret scan dir . --gitignore --exclude 'vendor/'
    let out = ferret()
        .current_dir(dir.path())
        .args(["scan", "dir", ".", "--gitignore", "--exclude", "vendor/"])
        .args(["--show-secrets", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(secrets_of(&json_findings(&out)), vec![tokens[2].clone()]);

    // ferret scan dir . --format json --output findings.json
    let out = ferret()
        .current_dir(dir.path())
        .args([
            "scan",
            "dir",
            ".",
            "--format",
            "json",
            "--output",
            "findings.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let report: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("findings.json")).unwrap()).unwrap();
    assert_eq!(report.len(), 3);
    assert!(report.iter().all(|f| f["redacted"] == true));
}

#[test]
fn readme_scan_git_commands() {
    let repo = TestRepo::new();
    let old = github_token("old");
    repo.write("config.py", format!("TOKEN = '{old}'\n"));
    repo.commit("add config");
    repo.write("config.py", "TOKEN = os.environ['TOKEN']\n");
    repo.commit("move the token to the environment");

    // ferret scan git: all refs, so the token removed from HEAD is still found in history.
    let out = ferret()
        .current_dir(repo.path())
        .args(["scan", "git", "-f", "json", "--show-secrets"])
        .output()
        .unwrap();
    let findings = json_findings(&out);
    assert_eq!(secrets_of(&findings), vec![old.clone()]);
    assert_eq!(findings[0]["origin"]["still_in_head"], false);

    // ferret scan git /srv/repos/app.git --branch main
    let bare = TestDir::new();
    let bare_path = bare.join("app.git");
    repo.git(&["clone", "-q", "--bare", ".", bare_path.to_str().unwrap()]);
    let out = ferret()
        .args(["scan", "git"])
        .arg(&bare_path)
        .args(["--branch", "main", "-f", "json", "--show-secrets"])
        .output()
        .unwrap();
    assert_eq!(secrets_of(&json_findings(&out)), vec![old.clone()]);

    // ferret scan git https://git.example.com/team/app.git: a URL is cloned (file:// here).
    let url = format!("file://{}", bare_path.display());
    let out = ferret()
        .args(["scan", "git", &url, "-f", "json", "--show-secrets"])
        .output()
        .unwrap();
    assert_eq!(secrets_of(&json_findings(&out)), vec![old.clone()]);

    // ferret scan git --range origin/main..HEAD: only what the branch adds.
    let work = TestDir::new();
    let clone = work.join("clone");
    repo.git(&["clone", "-q", ".", clone.to_str().unwrap()]);
    let added = github_token("pull-request");
    std::fs::write(clone.join("new.py"), format!("TOKEN = '{added}'\n")).unwrap();
    for args in [
        &["add", "new.py"][..],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "pr",
        ],
    ] {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(&clone)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let out = ferret()
        .current_dir(&clone)
        .args(["scan", "git", "--range", "origin/main..HEAD", "-f", "json"])
        .arg("--show-secrets")
        .output()
        .unwrap();
    assert_eq!(secrets_of(&json_findings(&out)), vec![added]);

    // ferret scan git --staged
    let staged = github_token("staged");
    repo.write("staged.py", format!("TOKEN = '{staged}'\n"));
    let out = ferret()
        .current_dir(repo.path())
        .args(["scan", "git", "--staged", "-f", "json", "--show-secrets"])
        .output()
        .unwrap();
    assert_eq!(secrets_of(&json_findings(&out)), vec![staged]);
}

#[test]
fn readme_hook_and_baseline_commands() {
    let repo = TestRepo::new();
    let old = github_token("adopted");
    repo.write("legacy.py", format!("TOKEN = '{old}'\n"));
    repo.commit("legacy");

    // ferret baseline create . -o .ferret-baseline.json, then --baseline reports only new ones.
    let out = ferret()
        .current_dir(repo.path())
        .args(["baseline", "create", ".", "-o", ".ferret-baseline.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let baseline = std::fs::read_to_string(repo.join(".ferret-baseline.json")).unwrap();
    assert!(
        !baseline.contains(&old),
        "a baseline never holds the secret"
    );
    let out = ferret()
        .current_dir(repo.path())
        .args(["scan", "git", "--baseline", ".ferret-baseline.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // ferret hook install writes .git/hooks/pre-commit.
    let out = ferret()
        .current_dir(repo.path())
        .args(["hook", "install"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let hook = std::fs::read_to_string(repo.join(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("ferret"), "{hook}");
}

#[test]
fn readme_scan_image_commands() {
    let token = github_token("image");
    let image = TestImage::new();
    image.write("app/.env", format!("GITHUB_TOKEN={token}\n"));
    image.commit("COPY . /app");
    let dir = TestDir::new();

    // ferret scan image app.tar (a docker save archive)
    let tar = dir.join("app.tar");
    image.copy_to(&format!("docker-archive:{}:app:latest", tar.display()), &[]);
    // ferret scan image ./oci-layout --platform linux/amd64
    let layout = image.layout();
    let runs: [(PathBuf, &[&str]); 2] = [(tar, &[]), (layout, &["--platform", "linux/amd64"])];
    for (target, extra) in runs {
        let out = ferret()
            .args(["scan", "image"])
            .arg(&target)
            .args(extra)
            .args(["-f", "json", "--show-secrets"])
            .output()
            .unwrap();
        assert_eq!(
            secrets_of(&json_findings(&out)),
            vec![token.clone()],
            "{}",
            target.display()
        );
    }

    // echo "$TOKEN" | ferret scan image HOST/app:dev --insecure-registry HOST --registry-user ci
    //     --registry-password-stdin
    let registry = Registry::start(Some(("ci", "registry-pass")));
    registry.push(&image, "app:dev", Some("ci:registry-pass"));
    let host = registry.host();
    let out = ferret()
        .args(["scan", "image", &format!("{host}/app:dev")])
        .args(["--insecure-registry", &host, "--registry-user", "ci"])
        .args(["--registry-password-stdin", "-f", "json", "--show-secrets"])
        .env("DOCKER_CONFIG", "/nonexistent")
        .write_stdin("registry-pass\n")
        .output()
        .unwrap();
    assert_eq!(secrets_of(&json_findings(&out)), vec![token]);
}

#[test]
fn readme_scan_ci_log_command() {
    use std::io::Write;
    let dir = TestDir::new();
    let tokens = [github_token("log"), github_token("gz"), github_token("zip")];
    dir.write(
        "build.log",
        format!(
            "2026-11-30T10:00:00.0000000Z + export GITHUB_TOKEN={}\n",
            tokens[0]
        ),
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    writeln!(gz, "2026-11-30T10:00:01.0000000Z token={}", tokens[1]).unwrap();
    dir.write("job-logs.gz", gz.finish().unwrap());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "build/3_Deploy.txt",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    writeln!(
        zip,
        "2026-11-30T10:00:02.0000000Z GITHUB_TOKEN={}",
        tokens[2]
    )
    .unwrap();
    dir.write("logs_8123456789.zip", zip.finish().unwrap().into_inner());

    let out = ferret()
        .current_dir(dir.path())
        .args([
            "scan",
            "ci-log",
            "build.log",
            "job-logs.gz",
            "logs_8123456789.zip",
        ])
        .args(["--repo", "acme/api", "-f", "json", "--show-secrets"])
        .output()
        .unwrap();
    let findings = json_findings(&out);
    let mut expected = tokens.to_vec();
    expected.sort();
    assert_eq!(secrets_of(&findings), expected);
    assert!(
        findings
            .iter()
            .any(|f| f["origin"]["repository"] == "acme/api"),
        "{findings:#?}"
    );
}

#[test]
fn readme_stdin_commands() {
    // What `kubectl get configmaps -A -o yaml` prints: values in the clear.
    let in_config_map = github_token("configmap");
    let configmaps = format!(
        "apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    LOG_LEVEL: info\n    \
         GITHUB_TOKEN: {in_config_map}\n  kind: ConfigMap\n  metadata:\n    name: app-env\n    \
         namespace: prod\nkind: List\n"
    );
    // What `kubectl get secret app -o yaml` prints: values base64-encoded, which ferret decodes.
    let in_secret = github_token("secret");
    let encoded = base64::engine::general_purpose::STANDARD.encode(&in_secret);
    let secret_yaml = format!(
        "apiVersion: v1\ndata:\n  GITHUB_TOKEN: {encoded}\n  LOG_LEVEL: aW5mbw==\nkind: Secret\n\
         metadata:\n  name: app\n  namespace: prod\ntype: Opaque\n"
    );
    for (input, name, token) in [
        (configmaps, "k8s-configmaps.yaml", in_config_map),
        (secret_yaml, "app-secret.yaml", in_secret),
    ] {
        let out = ferret()
            .args(["scan", "stdin", "--path-name", name, "-f", "json"])
            .arg("--show-secrets")
            .write_stdin(input)
            .output()
            .unwrap();
        let findings = json_findings(&out);
        assert_eq!(secrets_of(&findings), vec![token], "{name}");
        assert_eq!(findings[0]["path"], name);
        let decoded = (name == "app-secret.yaml").then_some("base64");
        assert_eq!(findings[0]["decoded"].as_str(), decoded, "{name}");
    }
}

/// The custom rule of the README's `ferret.toml` example (its `[[rule]]` table), as a rule file.
fn readme_rule() -> String {
    let text = readme();
    let config = text
        .find("```toml\ndisabled_rules")
        .expect("the ferret.toml example");
    let start = config + text[config..].find("[[rule]]").unwrap();
    let end = start + text[start..].find("```").unwrap();
    text[start..end].to_string()
}

#[test]
fn readme_rules_commands() {
    // ferret rules list
    let out = ferret().args(["rules", "list"]).output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l.starts_with("github-pat-classic ")),
        "{text}"
    );
    // ferret rules list --json
    let out = ferret().args(["rules", "list", "--json"]).output().unwrap();
    let rules: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rules.len().to_string(),
        text.lines().last().unwrap().split(' ').next().unwrap()
    );

    // ferret rules check my-rules.toml, on the README's own example, which must pass.
    let dir = TestDir::new().file("my-rules.toml", readme_rule());
    let out = ferret()
        .current_dir(dir.path())
        .args(["rules", "check", "my-rules.toml"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );

    // ferret scan dir . --rules my-rules.toml finds the example token.
    dir.write("app.env", "ACME=acme_k3v9q2m7x4b8n1p6r5t0w2z8c4f7h9j3\n");
    let out = ferret()
        .current_dir(dir.path())
        .args(["scan", "dir", ".", "--rules", "my-rules.toml", "-f", "json"])
        .output()
        .unwrap();
    let findings = json_findings(&out);
    assert!(
        findings
            .iter()
            .any(|f| f["rule_id"] == "acme-internal-token" && f["path"] == "app.env"),
        "{findings:#?}"
    );
}

/// Runs a README shell line with the `ferret` under test first on PATH.
fn shell(line: &str, dir: &Path) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_ferret")).parent().unwrap();
    std::process::Command::new("bash")
        .args(["-c", line])
        .current_dir(dir)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .unwrap()
}

#[test]
fn readme_completion_and_man_commands() {
    let dir = TestDir::new();
    // source <(ferret completions bash): the completion is registered.
    let out = shell(
        "source <(ferret completions bash); complete -p ferret",
        dir.path(),
    );
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("-F _ferret"), "{}", stdout(&out));
    // ferret man | man -l -: the page renders.
    let out = shell("ferret man | man -l -", dir.path());
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("SYNOPSIS"), "{}", stdout(&out));
}

#[test]
fn readme_gitleaks_commands() {
    let repo = TestRepo::new();
    let old = github_token("gitleaks-old");
    repo.write("old.py", format!("TOKEN = '{old}'\n"));
    repo.commit("old");
    // A project's gitleaks config, in gitleaks' documented format.
    repo.write(
        ".gitleaks.toml",
        "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme-key\"\ndescription = \"ACME key\"\n\
         regex = '''acme_key\\s*=\\s*(acme_[a-z0-9]{24})'''\nsecretGroup = 1\nkeywords = [\"acme_\"]\n",
    );
    repo.commit("gitleaks config");

    // ferret config import .gitleaks.toml --output ferret.toml
    let out = ferret()
        .current_dir(repo.path())
        .args([
            "config",
            "import",
            ".gitleaks.toml",
            "--output",
            "ferret.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let config = std::fs::read_to_string(repo.join("ferret.toml")).unwrap();
    assert!(config.contains("(?P<secret>acme_[a-z0-9]{24})"), "{config}");

    // ferret scan git --log-opts="--all origin/main..HEAD" --report-format sarif --report-path
    // ferret.sarif: only what the branch adds, as SARIF.
    let work = TestDir::new();
    let clone = work.join("clone");
    repo.git(&["clone", "-q", ".", clone.to_str().unwrap()]);
    let added = github_token("gitleaks-new");
    std::fs::write(clone.join("new.py"), format!("TOKEN = '{added}'\n")).unwrap();
    for args in [
        &["add", "new.py"][..],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "new",
        ],
    ] {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(&clone)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let out = ferret()
        .current_dir(&clone)
        .args(["scan", "git", "--log-opts=--all origin/main..HEAD"])
        .args(["--report-format", "sarif", "--report-path", "ferret.sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(clone.join("ferret.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{sarif:#}");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "new.py"
    );

    // ferret scan dir . --baseline-path gitleaks-report.json --exit-code 3: the gitleaks report's
    // finding is known; a new one exits 3.
    let report = serde_json::json!([{
        "RuleID": "github-pat", "File": "old.py", "StartLine": 1, "Commit": "",
        "Secret": "REDACTED", "Fingerprint": "old.py:github-pat:1"
    }]);
    std::fs::write(clone.join("gitleaks-report.json"), report.to_string()).unwrap();
    let out = ferret()
        .current_dir(&clone)
        .args([
            "scan",
            "dir",
            ".",
            "--baseline-path",
            "gitleaks-report.json",
        ])
        .args(["--exit-code", "3", "-f", "json", "--show-secrets"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(secrets_of(&json_findings(&out)), vec![added]);
}
