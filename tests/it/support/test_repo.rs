//! `TestRepo`: a real git repository in a temporary directory, built by running the `git` binary
//! with a fixed author, committer and clock so commit ids are the same on every run.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Seconds since the epoch of the first commit; each commit is one minute later.
const EPOCH: u64 = 1_700_000_000;

/// A git repository under construction.
pub struct TestRepo {
    dir: tempfile::TempDir,
    clock: std::cell::Cell<u64>,
}

impl TestRepo {
    /// `git init` on branch `main` in a fresh temporary directory.
    pub fn new() -> Self {
        let repo = Self {
            dir: tempfile::tempdir().expect("a temporary directory can be created"),
            clock: std::cell::Cell::new(0),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// The work tree's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` joined to the work tree.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// A `git` command in the work tree with an isolated, deterministic environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let date = format!("@{} +0000", EPOCH + self.clock.get() * 60);
        let mut cmd = Command::new("git");
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada Lovelace")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_NAME", "Ada Lovelace")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_DATE", &date)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE");
        cmd
    }

    /// Runs `git args...`, panicking with its stderr on failure; returns trimmed stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self
            .command(args)
            .output()
            .expect("the git binary can be run");
        assert!(
            out.status.success(),
            "git {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Writes a file in the work tree (creating directories) and stages it.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a file has a parent")).unwrap();
        std::fs::write(path, contents).unwrap();
        self.git(&["add", "--", rel]);
        self
    }

    /// Removes a file from the work tree and the index.
    pub fn remove(&self, rel: &str) -> &Self {
        self.git(&["rm", "-q", "--", rel]);
        self
    }

    /// Commits what is staged and returns the new commit's full id.
    pub fn commit(&self, message: &str) -> String {
        self.tick();
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.rev("HEAD")
    }

    /// Advances the clock by one minute (for merges, tags and stashes made with `git`).
    pub fn tick(&self) {
        self.clock.set(self.clock.get() + 1);
    }

    /// The full id `rev` names.
    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev])
    }

    /// `git checkout -q [-b] branch`.
    pub fn checkout(&self, branch: &str, create: bool) {
        if create {
            self.git(&["checkout", "-q", "-b", branch]);
        } else {
            self.git(&["checkout", "-q", branch]);
        }
    }
}
