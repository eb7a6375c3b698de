//! Many targets in one run: what a target is (a kind and a location), how a list of them is read
//! from a file (`scan targets`), and how a run takes its deterministic share (`--shard K/N`).
//! Running them is the app's job; this module only says what to run.

pub mod file;
pub mod shard;

use std::fmt;

/// What kind of input a target is; each maps to one `ferret scan` subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A file or directory (`scan dir`).
    Dir,
    /// A repository's history: a local path or a URL to clone (`scan git`).
    Git,
    /// A container image: archive, OCI layout or registry reference (`scan image`).
    Image,
    /// A CI log file or a directory of them (`scan ci-log`).
    CiLog,
    /// The workflow-run logs of a GitHub repository, `OWNER/REPO` (`scan github-actions`).
    GithubActions,
    /// The job traces of a GitLab project, its path or id (`scan gitlab-ci`).
    GitlabCi,
}

impl TargetKind {
    /// Every kind, in the order the targets file documentation lists them.
    pub const ALL: [TargetKind; 6] = [
        TargetKind::Dir,
        TargetKind::Git,
        TargetKind::Image,
        TargetKind::CiLog,
        TargetKind::GithubActions,
        TargetKind::GitlabCi,
    ];

    /// The word a targets file spells the kind with.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Dir => "dir",
            TargetKind::Git => "git",
            TargetKind::Image => "image",
            TargetKind::CiLog => "ci-log",
            TargetKind::GithubActions => "github-actions",
            TargetKind::GitlabCi => "gitlab-ci",
        }
    }

    /// The kind spelt `word`, if any.
    pub fn parse(word: &str) -> Option<TargetKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == word)
    }
}

/// One thing to scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    /// Which source reads it.
    pub kind: TargetKind,
    /// The path, URL or image reference, as the list gave it.
    pub location: String,
}

impl Target {
    /// A target of `kind` at `location`.
    pub fn new(kind: TargetKind, location: impl Into<String>) -> Self {
        Self {
            kind,
            location: location.into(),
        }
    }

    /// What identifies the target across runs and machines: the shard a target falls in is
    /// derived from it alone, so a retried shard takes the same targets.
    pub fn identity(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.location)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.location)
    }
}
