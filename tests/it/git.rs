//! `ferret scan git`: whole history, ranges, staged changes and clones of real repositories built
//! with the real `git` binary.

use std::process::Output;
use std::time::Duration;

use crate::support::git_daemon::GitDaemon;
use crate::support::test_repo::TestRepo;
use crate::support::{ferret, json_findings};
use serde_json::Value;

// Real-format GitHub tokens with valid checksums (from the rule's own examples).
const TOKEN_A: &str = "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";
const TOKEN_B: &str = "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";
const TOKEN_C: &str = "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";
const TOKEN_D: &str = "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";

/// Runs `ferret scan git <target> --format json --show-secrets [extra...]`.
fn scan_git(target: &str, extra: &[&str]) -> Output {
    let mut cmd = ferret();
    cmd.args(["scan", "git", target, "--format", "json", "--show-secrets"])
        .args(extra);
    cmd.output().expect("ferret runs")
}

fn scan_repo(repo: &TestRepo, extra: &[&str]) -> (Output, Vec<Value>) {
    let out = scan_git(repo.path().to_str().unwrap(), extra);
    let findings = json_findings(&out);
    (out, findings)
}

/// `(secret, path, line, commit, still_in_head)` of every finding, sorted.
fn places(findings: &[Value]) -> Vec<(String, String, u64, String, bool)> {
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| {
            assert_eq!(f["origin"]["kind"], "git", "{f}");
            assert_eq!(f["path"], f["origin"]["path"]);
            (
                f["secret"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["origin"]["commit"].as_str().unwrap().to_string(),
                f["origin"]["still_in_head"].as_bool().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn place(
    secret: &str,
    path: &str,
    line: u64,
    commit: &str,
    head: bool,
) -> (String, String, u64, String, bool) {
    (secret.into(), path.into(), line, commit.into(), head)
}

/// The commits of a git finding's `origin.occurrences`, oldest first.
fn version_commits(finding: &Value) -> Vec<String> {
    finding["origin"]["occurrences"]
        .as_array()
        .expect("a git finding lists its versions")
        .iter()
        .map(|o| o["commit"].as_str().unwrap().to_string())
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_deleted_secret_is_found_in_history_with_its_commit() {
    let repo = TestRepo::new();
    repo.write("README.md", "# demo\n");
    let c1 = repo.commit("initial");
    repo.write(
        "deploy/config.env",
        format!("USER=ci\nGITHUB_TOKEN={TOKEN_A}\n"),
    );
    let c2 = repo.commit("add deploy config");
    repo.remove("deploy/config.env");
    repo.commit("remove the token");

    let (out, findings) = scan_repo(&repo, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_ne!(c1, c2);
    assert_eq!(
        places(&findings),
        vec![place(TOKEN_A, "deploy/config.env", 2, &c2, false)]
    );
    let origin = &findings[0]["origin"];
    assert_eq!(origin["author"], "Ada Lovelace");
    assert_eq!(origin["email"], "ada@example.com");
    assert_eq!(origin["date"], "2023-11-14T22:15:20+00:00");
    assert_eq!(origin["summary"], "add deploy config");
    assert_eq!(findings[0]["rule_id"], "github-pat-classic");
}

#[test]
fn a_secret_still_present_is_marked_still_in_head() {
    let repo = TestRepo::new();
    repo.write("app.py", format!("TOKEN = \"{TOKEN_A}\"\n"));
    let c1 = repo.commit("add app");
    // The file changes (a new blob) but the secret stays.
    repo.write("app.py", format!("# comment\nTOKEN = \"{TOKEN_A}\"\n"));
    let c2 = repo.commit("comment");
    // Both versions hold it: one finding, at the version that introduced it, listing both.
    let (_, findings) = scan_repo(&repo, &[]);
    assert_eq!(
        places(&findings),
        vec![place(TOKEN_A, "app.py", 1, &c1, true)]
    );
    assert_eq!(version_commits(&findings[0]), [c1.clone(), c2.clone()]);
    assert_eq!(findings[0]["origin"]["occurrences"][1]["line"], 2);
    let (_, each) = scan_repo(&repo, &["--all-occurrences"]);
    assert_eq!(
        places(&each),
        vec![
            place(TOKEN_A, "app.py", 1, &c1, true),
            place(TOKEN_A, "app.py", 2, &c2, true),
        ]
    );
}

#[test]
fn one_blob_at_two_paths_is_scanned_once_and_reported_at_both() {
    let repo = TestRepo::new();
    let content = format!("GITHUB_TOKEN={TOKEN_B}\n");
    repo.write("a/settings.env", &content);
    repo.write("b/settings.env", &content);
    let c1 = repo.commit("two copies");
    let (out, findings) = scan_repo(&repo, &[]);
    assert_eq!(
        places(&findings),
        vec![
            place(TOKEN_B, "a/settings.env", 1, &c1, true),
            place(TOKEN_B, "b/settings.env", 1, &c1, true),
        ]
    );
    assert!(stderr(&out).contains("scanned 1 blobs"), "{}", stderr(&out));
    assert_eq!(findings[0]["fingerprint"], findings[1]["fingerprint"]);
}

#[test]
fn a_moved_directory_reports_the_new_path_too() {
    let repo = TestRepo::new();
    repo.write("conf/prod/keys.env", format!("GITHUB_TOKEN={TOKEN_C}\n"));
    repo.write("conf/prod/other.txt", "x\n");
    let c1 = repo.commit("add");
    repo.git(&["mv", "conf/prod", "prod"]);
    let c2 = repo.commit("move the directory");
    let (_, findings) = scan_repo(&repo, &[]);
    assert_eq!(
        places(&findings),
        vec![
            place(TOKEN_C, "conf/prod/keys.env", 1, &c1, true),
            place(TOKEN_C, "prod/keys.env", 1, &c2, true),
        ]
    );
}

#[test]
fn every_branch_tag_remote_ref_and_stash_is_scanned_and_branch_narrows() {
    let repo = TestRepo::new();
    repo.write("README.md", "main\n");
    repo.commit("initial");

    repo.checkout("feature", true);
    repo.write("feature.env", format!("GITHUB_TOKEN={TOKEN_A}\n"));
    let on_feature = repo.commit("feature work");

    repo.checkout("main", false);
    repo.checkout("release", true);
    repo.write("release.env", format!("GITHUB_TOKEN={TOKEN_B}\n"));
    let tagged = repo.commit("release work");
    repo.tick();
    repo.git(&["tag", "-a", "v1.0", "-m", "release 1.0"]);
    repo.checkout("main", false);
    // Only the tag keeps the release commit alive.
    repo.git(&["branch", "-q", "-D", "release"]);

    // A remote-tracking ref to a commit no local branch has.
    repo.checkout("tmp", true);
    repo.write("remote.env", format!("GITHUB_TOKEN={TOKEN_C}\n"));
    let remote = repo.commit("from the remote");
    repo.git(&["update-ref", "refs/remotes/origin/topic", &remote]);
    repo.checkout("main", false);
    repo.git(&["branch", "-q", "-D", "tmp"]);

    // A stashed change.
    repo.write("README.md", format!("main\nGITHUB_TOKEN={TOKEN_D}\n"));
    repo.tick();
    repo.git(&["stash", "-q"]);
    let stash = repo.rev("refs/stash");
    let stash_index = repo.rev("refs/stash^2");

    let (_, findings) = scan_repo(&repo, &[]);
    let found = places(&findings);
    assert_eq!(
        found,
        {
            let mut v = vec![
                place(TOKEN_A, "feature.env", 1, &on_feature, false),
                place(TOKEN_B, "release.env", 1, &tagged, false),
                place(TOKEN_C, "remote.env", 1, &remote, false),
                // The stash's index commit is older than its work-tree commit and holds the same blob.
                place(TOKEN_D, "README.md", 2, &stash_index, false),
            ];
            v.sort();
            v
        },
        "stash {stash}"
    );

    let (_, only_main) = scan_repo(&repo, &["--branch", "main"]);
    assert!(only_main.is_empty(), "{only_main:?}");
    let (_, feature) = scan_repo(&repo, &["--branch", "feature", "--branch", "v1.0"]);
    assert_eq!(
        places(&feature),
        vec![
            place(TOKEN_B, "release.env", 1, &tagged, false),
            place(TOKEN_A, "feature.env", 1, &on_feature, false),
        ]
    );
}

#[test]
fn a_merged_secret_belongs_to_the_commit_that_added_it_not_the_merge() {
    let repo = TestRepo::new();
    repo.write("README.md", "x\n");
    repo.commit("initial");
    repo.checkout("topic", true);
    repo.write("topic.env", format!("\nGITHUB_TOKEN={TOKEN_A}\n"));
    let added = repo.commit("topic adds a token");
    repo.checkout("main", false);
    repo.write("other.txt", "y\n");
    repo.commit("main moves on");
    repo.tick();
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge topic", "topic"]);
    let (_, findings) = scan_repo(&repo, &[]);
    assert_eq!(
        places(&findings),
        vec![place(TOKEN_A, "topic.env", 2, &added, true)]
    );
}

#[test]
fn a_rename_reports_the_original_and_the_new_path() {
    let repo = TestRepo::new();
    repo.write("old/name.env", format!("GITHUB_TOKEN={TOKEN_C}\n"));
    let c1 = repo.commit("add");
    repo.git(&["mv", "old/name.env", "new.env"]);
    let c2 = repo.commit("rename");
    let (_, findings) = scan_repo(&repo, &[]);
    assert_eq!(
        places(&findings),
        vec![
            place(TOKEN_C, "new.env", 1, &c2, true),
            place(TOKEN_C, "old/name.env", 1, &c1, true),
        ]
    );
}

#[test]
fn a_tag_of_a_blob_is_scanned_and_named_by_the_tag() {
    let repo = TestRepo::new();
    repo.write("README.md", "x\n");
    repo.commit("initial");
    let blob = {
        let mut cmd = repo.command(&["hash-object", "-w", "--stdin"]);
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("GITHUB_TOKEN={TOKEN_D}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    repo.git(&["tag", "deploy-key", &blob]);
    let (_, findings) = scan_repo(&repo, &[]);
    assert_eq!(
        places(&findings),
        vec![place(
            TOKEN_D,
            "refs/tags/deploy-key",
            1,
            "refs/tags/deploy-key",
            false
        )]
    );
}

#[test]
fn range_and_since_report_only_what_the_pull_request_adds() {
    let repo = TestRepo::new();
    repo.write("base.env", format!("GITHUB_TOKEN={TOKEN_A}\n"));
    let base = repo.commit("main has an old token");
    repo.checkout("pr", true);
    repo.write("base.env", format!("GITHUB_TOKEN={TOKEN_A}\n# touched\n"));
    repo.commit("touch the old file");
    repo.write("src/new.env", format!("x=1\nGITHUB_TOKEN={TOKEN_B}\n"));
    let added = repo.commit("pr adds a token");
    // Copying an existing file is not adding a secret.
    repo.write("copy.env", format!("GITHUB_TOKEN={TOKEN_A}\n"));
    repo.commit("copy");

    let (out, findings) = scan_repo(&repo, &["--range", "main..pr"]);
    let found: Vec<_> = places(&findings)
        .into_iter()
        .filter(|p| p.0 == TOKEN_B)
        .collect();
    assert_eq!(
        found,
        vec![place(TOKEN_B, "src/new.env", 2, &added, true)],
        "{}",
        stderr(&out)
    );
    // The old token is already on main: a modified file that still holds it is not reported as new
    // to main's blobs, but the edited blob is new content with that secret.
    assert!(
        places(&findings).iter().all(|p| p.3 != base),
        "nothing from main's own commits: {findings:?}"
    );

    let (_, since) = scan_repo(&repo, &["--since", &base, "--branch", "pr"]);
    assert!(places(&since).iter().any(|p| p.0 == TOKEN_B));
    assert!(places(&since).iter().all(|p| p.3 != base));

    let out = scan_git(repo.path().to_str().unwrap(), &["--range", "main"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("BASE..HEAD"), "{}", stderr(&out));
}

#[test]
fn staged_reports_only_added_lines_with_staged_line_numbers() {
    let repo = TestRepo::new();
    repo.write("app.env", format!("GITHUB_TOKEN={TOKEN_A}\n"));
    repo.commit("existing token");
    // Stage: keep the old line, add a new token on line 3 and a new file.
    repo.write(
        "app.env",
        format!("GITHUB_TOKEN={TOKEN_A}\n\nOTHER={TOKEN_B}\n"),
    );
    repo.write("new/file.txt", format!("{TOKEN_C}\n"));
    // An unstaged change is not part of the commit.
    std::fs::write(repo.join("unstaged.env"), format!("T={TOKEN_D}\n")).unwrap();

    let (out, findings) = scan_repo(&repo, &["--staged"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut got: Vec<_> = findings
        .iter()
        .map(|f| {
            assert_eq!(f["origin"]["kind"], "git_staged");
            (
                f["secret"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (TOKEN_B.to_string(), "app.env".to_string(), 3),
            (TOKEN_C.to_string(), "new/file.txt".to_string(), 1),
        ]
    );

    // Before the first commit everything staged is new.
    let fresh = TestRepo::new();
    fresh.write("a.env", format!("T={TOKEN_A}\n"));
    let (_, findings) = scan_repo(&fresh, &["--staged"]);
    assert_eq!(findings.len(), 1);

    // Nothing staged: clean.
    let clean = TestRepo::new();
    clean.write("a.env", format!("T={TOKEN_A}\n"));
    clean.commit("c");
    let (out, findings) = scan_repo(&clean, &["--staged"]);
    assert!(findings.is_empty());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn text_and_sarif_show_the_commit() {
    let repo = TestRepo::new();
    repo.write("config/app.env", format!("\nGITHUB_TOKEN={TOKEN_A}\n"));
    let c1 = repo.commit("add");
    repo.remove("config/app.env");
    repo.commit("remove");
    let out = ferret()
        .args(["scan", "git", repo.path().to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("config/app.env"), "{text}");
    assert!(
        text.contains(&format!("2:14 @ {} (history only)", &c1[..8])),
        "{text}"
    );

    let out = ferret()
        .args([
            "scan",
            "git",
            repo.path().to_str().unwrap(),
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "config/app.env"
    );
    assert_eq!(result["properties"]["commit"], c1.as_str());
    assert_eq!(result["properties"]["stillInHead"], false);
    // Where to find the secret again, from any directory (`ferret recheck` reads it).
    let absolute = std::fs::canonicalize(repo.path()).unwrap();
    assert_eq!(
        result["properties"]["repository"],
        absolute.to_str().unwrap()
    );
    assert_eq!(
        result["properties"]["origin"]["repository"],
        absolute.to_str().unwrap()
    );
    assert_eq!(result["properties"]["origin"]["commit"], c1.as_str());
}

#[test]
fn fingerprints_match_scan_dir_and_ferretignore_at_the_root_applies() {
    let repo = TestRepo::new();
    repo.write(
        "a.env",
        format!("GITHUB_TOKEN={TOKEN_A}\nOTHER={TOKEN_B}\n"),
    );
    repo.commit("add");
    let dir_out = ferret()
        .args([
            "scan",
            "dir",
            repo.path().to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let dir_fps: Vec<String> = json_findings(&dir_out)
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    let (_, findings) = scan_repo(&repo, &[]);
    let mut git_fps: Vec<String> = findings
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    let mut dir_sorted = dir_fps.clone();
    dir_sorted.sort();
    git_fps.sort();
    assert_eq!(git_fps, dir_sorted);

    // Ignore TOKEN_A's fingerprint; the file sits untracked at the work-tree root.
    let ignored = findings.iter().find(|f| f["secret"] == TOKEN_A).unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(repo.join(".ferretignore"), format!("{ignored}\n")).unwrap();
    let (_, findings) = scan_repo(&repo, &[]);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["secret"], TOKEN_B);
    // Also when scanning from the .git directory.
    let out = scan_git(repo.join(".git").to_str().unwrap(), &[]);
    assert_eq!(json_findings(&out).len(), 1);
}

#[test]
fn bare_repositories_shallow_clones_and_git_dirs_are_scanned() {
    let repo = TestRepo::new();
    repo.write("old.env", format!("GITHUB_TOKEN={TOKEN_A}\n"));
    repo.commit("old");
    repo.write("new.env", format!("GITHUB_TOKEN={TOKEN_B}\n"));
    let c2 = repo.commit("new");
    let scratch = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());

    let bare = scratch.path().join("bare.git");
    repo.git(&[
        "clone",
        "-q",
        "--bare",
        repo.path().to_str().unwrap(),
        bare.to_str().unwrap(),
    ]);
    let out = scan_git(bare.to_str().unwrap(), &[]);
    assert_eq!(json_findings(&out).len(), 2, "{}", stderr(&out));

    let shallow = scratch.path().join("shallow");
    repo.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &url,
        shallow.to_str().unwrap(),
    ]);
    let out = scan_git(shallow.to_str().unwrap(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = places(&json_findings(&out));
    // The shallow clone's only commit holds both files.
    assert_eq!(
        found,
        vec![
            place(TOKEN_B, "new.env", 1, &c2, true),
            place(TOKEN_A, "old.env", 1, &c2, true),
        ]
        .tap_sort()
    );
}

trait TapSort {
    fn tap_sort(self) -> Self;
}

impl<T: Ord> TapSort for Vec<T> {
    fn tap_sort(mut self) -> Self {
        self.sort();
        self
    }
}

#[test]
fn a_missing_object_is_reported_by_id_and_the_scan_goes_on() {
    let repo = TestRepo::new();
    repo.write("good.env", format!("GITHUB_TOKEN={TOKEN_A}\n"));
    repo.write("lost.env", format!("GITHUB_TOKEN={TOKEN_B}\n"));
    repo.commit("two files");
    let lost = repo.rev("HEAD:lost.env");
    let object = repo.join(&format!(".git/objects/{}/{}", &lost[..2], &lost[2..]));
    std::fs::remove_file(&object).expect("the blob is a loose object");
    let (out, findings) = scan_repo(&repo, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["secret"], TOKEN_A);
    assert!(stderr(&out).contains(&lost), "{}", stderr(&out));
}

#[test]
fn large_blobs_lfs_pointers_and_submodules_are_skipped_and_said() {
    let repo = TestRepo::new();
    let big = format!("GITHUB_TOKEN={TOKEN_A}\n{}", "x".repeat(200_000));
    repo.write("big.txt", big);
    repo.write(
        "model.bin",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
    );
    repo.write("small.env", format!("GITHUB_TOKEN={TOKEN_B}\n"));
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        "160000,1111111111111111111111111111111111111111,vendor/lib",
    ]);
    repo.commit("files");
    let (out, findings) = scan_repo(&repo, &["--max-file-size", "100K"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["secret"], TOKEN_B);
    let err = stderr(&out);
    assert!(err.contains("1 too large"), "{err}");
    assert!(
        err.contains("submodule(s) not followed") && err.contains("vendor/lib"),
        "{err}"
    );
}

#[test]
fn a_url_is_cloned_and_scanned() {
    let repo = TestRepo::new();
    repo.write("a.env", format!("GITHUB_TOKEN={TOKEN_A}\n"));
    let c1 = repo.commit("add");
    repo.remove("a.env");
    repo.commit("remove");
    let served = tempfile::tempdir().unwrap();
    let bare = served.path().join("project.git");
    repo.git(&[
        "clone",
        "-q",
        "--bare",
        repo.path().to_str().unwrap(),
        bare.to_str().unwrap(),
    ]);

    let daemon = GitDaemon::serve(served.path());
    let url = format!("git://127.0.0.1:{}/project.git", daemon.port);
    let out = scan_git(&url, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let findings = json_findings(&out);
    assert_eq!(
        places(&findings),
        vec![place(TOKEN_A, "a.env", 1, &c1, false)]
    );
    // The finding names the URL it was cloned from, not the temporary clone.
    assert_eq!(findings[0]["origin"]["repository"], url.as_str());

    let out = scan_git(&format!("file://{}", bare.display()), &[]);
    assert_eq!(
        places(&json_findings(&out)),
        vec![place(TOKEN_A, "a.env", 1, &c1, false)]
    );

    let out = scan_git(&format!("git://127.0.0.1:{}/absent.git", daemon.port), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot clone"), "{}", stderr(&out));
}

/// The entries of a directory, by name.
fn entries(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_failed_clone_leaves_no_temporary_directory() {
    let served = tempfile::tempdir().unwrap();
    let daemon = GitDaemon::serve(served.path());
    let tmp = tempfile::tempdir().unwrap();
    let out = ferret()
        .args([
            "scan",
            "git",
            &format!("git://127.0.0.1:{}/absent.git", daemon.port),
        ])
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(entries(tmp.path()), Vec::<String>::new());
}

/// A clone that is still waiting for the server is stopped by SIGTERM and by SIGINT: the
/// temporary clone (owner-only while it exists) is removed and the exit status is 128 + signal.
#[test]
fn a_clone_in_progress_is_removed_on_sigterm_and_sigint() {
    use std::os::unix::fs::PermissionsExt;
    // A server that accepts and never answers keeps the clone in progress.
    let (port, accepted) = crate::support::stalled::silent_server();
    for (signal, status) in [("TERM", 143), ("INT", 130)] {
        let tmp = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferret"))
            .args([
                "scan",
                "git",
                &format!("git://127.0.0.1:{port}/project.git"),
            ])
            .env("TMPDIR", tmp.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        accepted
            .recv_timeout(Duration::from_secs(30))
            .expect("ferret connects to the server");
        let clone_dir = entries(tmp.path());
        assert_eq!(clone_dir.len(), 1, "one temporary clone: {clone_dir:?}");
        assert!(clone_dir[0].starts_with("ferret-clone-"), "{clone_dir:?}");
        let mode = std::fs::metadata(tmp.path().join(&clone_dir[0]))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);

        let exit = crate::support::stalled::signal_and_wait(&mut child, signal);
        assert_eq!(exit.code(), Some(status), "SIG{signal}");
        assert_eq!(entries(tmp.path()), Vec::<String>::new(), "SIG{signal}");
    }
}

#[test]
fn not_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = ferret()
        .args(["scan", "git", dir.path().to_str().unwrap()])
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a git repository"),
        "{}",
        stderr(&out)
    );
}

/// A packed history is read from the packs while the walk runs: every version of a file that was
/// edited many times is found with its own commit, a blob committed after packing (loose) is found,
/// and a secret in an object no ref reaches is not reported.
#[test]
fn packed_history_with_loose_and_unreachable_objects() {
    let repo = TestRepo::new();
    let filler: String = (0..400)
        .map(|i| format!("setting_{i} = \"value number {i} for the service\"\n"))
        .collect();
    let mut versions = Vec::new();
    for round in 0..6 {
        let body = if round == 2 {
            format!("{filler}github_token = \"{TOKEN_A}\"\n")
        } else {
            format!("{filler}round = {round}\n")
        };
        repo.write("config/settings.py", body);
        versions.push(repo.commit(&format!("round {round}")));
    }
    // An object nothing reaches, then pack everything (unreachable objects stay in the pack).
    std::fs::write(
        repo.join(".git/dangling.txt"),
        format!("token = \"{TOKEN_C}\"\n"),
    )
    .unwrap();
    repo.git(&["hash-object", "-w", ".git/dangling.txt"]);
    repo.git(&["repack", "-a", "-d", "-k"]);
    assert!(
        std::fs::read_dir(repo.join(".git/objects/pack"))
            .unwrap()
            .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "pack")),
        "the history is packed"
    );
    repo.write("late.env", format!("GITHUB_TOKEN={TOKEN_B}\n"));
    let late = repo.commit("after packing");

    let (out, findings) = scan_repo(&repo, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        places(&findings),
        vec![
            place(TOKEN_B, "late.env", 1, &late, true),
            place(TOKEN_A, "config/settings.py", 401, &versions[2], false),
        ]
    );
}

/// `(rule_id, path, secret)` of every finding, sorted and without repeats: what a secret's
/// findings are about, however many versions each stands for.
fn what_was_found(findings: &[Value]) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| {
            let field = |name: &str| f[name].as_str().unwrap().to_string();
            (field("rule_id"), field("path"), field("secret"))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Commits 36 versions of `deploy.env`, each with `TOKEN_A` on its second line and another line
/// that changes; returns the commits, oldest first.
fn thirty_six_versions(repo: &TestRepo) -> Vec<String> {
    (1..=36)
        .map(|n| {
            repo.write(
                "deploy.env",
                format!("REVISION={n}\nGITHUB_TOKEN={TOKEN_A}\n"),
            );
            repo.commit(&format!("deploy revision {n}"))
        })
        .collect()
}

#[test]
fn a_secret_kept_through_36_versions_of_a_file_is_one_finding_listing_them() {
    let repo = TestRepo::new();
    let commits = thirty_six_versions(&repo);

    let (out, findings) = scan_repo(&repo, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let origin = &findings[0]["origin"];
    assert_eq!(origin["versions"], 36);
    assert_eq!(origin["commit"], commits[0].as_str());
    assert_eq!(origin["summary"], "deploy revision 1");
    assert_eq!(origin["last_commit"], commits[35].as_str());
    assert_eq!(version_commits(&findings[0]), commits);
    assert_eq!(
        (findings[0]["line"].as_u64(), findings[0]["column"].as_u64()),
        (Some(2), Some(14))
    );
    assert!(
        stderr(&out).contains("1 findings (1 distinct secrets)"),
        "{}",
        stderr(&out)
    );

    let (out, each) = scan_repo(&repo, &["--all-occurrences"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(each.len(), 36);
    let mut each_commits: Vec<_> = each
        .iter()
        .map(|f| {
            assert_eq!(f["origin"]["versions"], 1);
            assert_eq!(f["origin"]["last_commit"], f["origin"]["commit"]);
            assert_eq!(
                version_commits(f),
                [f["origin"]["commit"].as_str().unwrap()]
            );
            f["origin"]["commit"].as_str().unwrap().to_string()
        })
        .collect();
    each_commits.sort();
    let mut sorted = commits.clone();
    sorted.sort();
    assert_eq!(each_commits, sorted);
    // Collapsing changes how many findings there are, not what was found.
    assert_eq!(what_was_found(&findings), what_was_found(&each));
    let fields = |f: &Value| {
        let mut f = f.clone();
        f.as_object_mut().unwrap().remove("origin");
        f
    };
    let first = each
        .iter()
        .find(|f| f["origin"]["commit"] == commits[0].as_str())
        .unwrap();
    assert_eq!(fields(&findings[0]), fields(first));
}

#[test]
fn text_sarif_and_jsonl_show_a_secrets_versions_once() {
    let repo = TestRepo::new();
    let commits = thirty_six_versions(&repo);
    let target = repo.path().to_str().unwrap();

    let out = ferret().args(["scan", "git", target]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let expected = format!(
        "2:14 @ {} (still in HEAD, 36 versions, last in {})",
        &commits[0][..8],
        &commits[35][..8]
    );
    assert!(text.contains(&expected), "{text}");

    let out = ferret()
        .args(["scan", "git", target, "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let properties = &results[0]["properties"];
    assert_eq!(properties["versions"], 36);
    assert_eq!(properties["lastCommit"], commits[35].as_str());
    assert_eq!(properties["commits"].as_array().unwrap().len(), 36);

    for (extra, lines) in [(None, 1), (Some("--all-occurrences"), 36)] {
        let out = ferret()
            .args(["scan", "git", target, "--format", "jsonl"])
            .args(extra)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(text.lines().count(), lines, "{extra:?}: {text}");
    }
}

#[test]
fn the_same_secret_in_two_files_is_two_findings() {
    let repo = TestRepo::new();
    for n in 1..=3 {
        repo.write("a.env", format!("N={n}\nGITHUB_TOKEN={TOKEN_B}\n"));
        repo.write("b/c.env", format!("GITHUB_TOKEN={TOKEN_B}\nM={n}\n"));
        repo.commit(&format!("edit {n}"));
    }
    let (_, findings) = scan_repo(&repo, &[]);
    let paths: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["origin"]["versions"].as_u64(),
            )
        })
        .collect();
    assert_eq!(paths, [("a.env", Some(3)), ("b/c.env", Some(3))]);
    assert_eq!(findings[0]["fingerprint"], findings[1]["fingerprint"]);
}

#[test]
fn a_secret_removed_and_added_again_is_one_finding_counting_both_spans() {
    let repo = TestRepo::new();
    let mut with_secret = Vec::new();
    repo.write("app.env", format!("A=1\nGITHUB_TOKEN={TOKEN_C}\n"));
    with_secret.push(repo.commit("add"));
    repo.write("app.env", format!("A=2\nGITHUB_TOKEN={TOKEN_C}\n"));
    with_secret.push(repo.commit("edit"));
    repo.write("app.env", "A=3\n");
    let removed = repo.commit("remove the token");
    repo.write("app.env", "A=4\n");
    repo.commit("edit without it");
    repo.write("app.env", format!("A=5\nB=0\nGITHUB_TOKEN={TOKEN_C}\n"));
    with_secret.push(repo.commit("add it back"));
    repo.write("app.env", format!("A=6\nB=0\nGITHUB_TOKEN={TOKEN_C}\n"));
    with_secret.push(repo.commit("edit again"));

    let (_, findings) = scan_repo(&repo, &[]);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let origin = &findings[0]["origin"];
    assert_eq!(origin["versions"], 4);
    assert_eq!(version_commits(&findings[0]), with_secret);
    assert!(!version_commits(&findings[0]).contains(&removed));
    assert_eq!(origin["last_commit"], with_secret[3].as_str());
    let lines: Vec<_> = origin["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 2, 3, 3]);
    let (_, each) = scan_repo(&repo, &["--all-occurrences"]);
    assert_eq!(each.len(), 4);
    assert_eq!(what_was_found(&findings), what_was_found(&each));
}

/// Blobs `git` knows of in the repository at `dir` but does not have (`--missing=print` never
/// fetches them).
fn missing_blobs(dir: &std::path::Path) -> usize {
    let out = std::process::Command::new("git")
        .args(["rev-list", "--objects", "--all", "--missing=print"])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_NO_LAZY_FETCH", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('?'))
        .count()
}

#[test]
fn a_partial_clones_missing_blobs_are_said_once_and_never_fetched() {
    let origin = TestRepo::new();
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    for n in 1..=3 {
        origin.write("old.env", format!("N={n}\nGITHUB_TOKEN={TOKEN_A}\n"));
        origin.write("notes.txt", format!("note {n}\n"));
        origin.commit(&format!("edit {n}"));
    }
    origin.write("old.env", "N=4\n");
    origin.write("app.env", format!("GITHUB_TOKEN={TOKEN_B}\n"));
    origin.commit("rotate");
    let parent = tempfile::tempdir().unwrap();
    let clone = parent.path().join("clone");
    let url = format!("file://{}", origin.path().display());
    origin.git(&[
        "clone",
        "-q",
        "--filter=blob:none",
        &url,
        clone.to_str().unwrap(),
    ]);
    // The remote goes away: a scan that tried to fetch would fail, not find more.
    drop(origin);
    // Checkout fetched HEAD's blobs; the five older versions were promised and never sent.
    let missing = missing_blobs(&clone);
    assert_eq!(missing, 5);

    let target = clone.to_str().unwrap();
    let out = scan_git(target, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let findings = json_findings(&out);
    assert_eq!(what_was_found(&findings).len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["secret"], TOKEN_B);
    let said = format!("partial clone: {missing} blobs not available locally");
    let err = stderr(&out);
    assert_eq!(err.matches(&said).count(), 1, "{err}");
    assert!(!err.contains("could not scan"), "{err}");
    assert_eq!(missing_blobs(&clone), missing, "nothing was fetched");

    let report = ferret()
        .args(["scan", "git", target, "--format", "json-report"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&report.stdout).unwrap();
    let not_scanned = report["not_scanned"].as_array().unwrap();
    assert_eq!(not_scanned.len(), 1, "{report:#}");
    assert_eq!(not_scanned[0]["reason"], "partial_clone");
    assert!(
        not_scanned[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with(&said)
    );
    assert_eq!(report["errors"], serde_json::json!([]));

    let strict = scan_git(target, &["--strict"]);
    assert_eq!(strict.status.code(), Some(2), "{}", stderr(&strict));
}
