//! Sources: where bytes come from. Each source hands blobs with their [`Origin`] to the scanner and
//! knows nothing about rules.

pub mod fs;
pub mod git;
pub mod stdin;

use serde::Serialize;

/// Where a blob's bytes came from, precisely enough to find them again.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// A file on disk.
    File {
        /// Path as walked (relative to the working directory when the root was relative).
        path: String,
    },
    /// A blob in git history, with the commit that first introduced it at `path`.
    Git {
        /// Path of the blob in the commit's tree, relative to the repository root.
        path: String,
        /// The commit that introduced the blob at this path (or the ref naming it directly).
        commit: String,
        /// The commit's author name.
        author: String,
        /// The commit's author email.
        email: String,
        /// The commit's author date, ISO 8601.
        date: String,
        /// The first line of the commit message.
        summary: String,
        /// The blob's object id.
        blob: String,
        /// Whether the same secret is still in the tree of HEAD (`false`: history only).
        still_in_head: bool,
    },
    /// A blob staged in the index (`scan git --staged`).
    GitStaged {
        /// Path relative to the repository root.
        path: String,
        /// The staged blob's object id.
        blob: String,
    },
    /// Standard input, named by `--path-name`.
    Stdin {
        /// The name given to it in reports.
        path: String,
    },
}

impl Origin {
    /// The path shown in reports and used by path allowlists.
    pub fn path(&self) -> &str {
        match self {
            Origin::File { path } | Origin::Stdin { path } => path,
            Origin::Git { path, .. } | Origin::GitStaged { path, .. } => path,
        }
    }

    /// A short suffix after `path:line` in text output (a commit, a layer); empty for files.
    pub fn text_suffix(&self) -> String {
        match self {
            Origin::Git {
                commit,
                still_in_head,
                ..
            } => {
                let short = commit.get(..8).unwrap_or(commit);
                let status = if *still_in_head {
                    "still in HEAD"
                } else {
                    "history only"
                };
                format!(" @ {short} ({status})")
            }
            Origin::GitStaged { .. } => " (staged)".to_string(),
            Origin::File { .. } | Origin::Stdin { .. } => String::new(),
        }
    }

    /// Extra key/value pairs that SARIF puts in a result's `properties`.
    pub fn sarif_properties(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut props = serde_json::Map::new();
        match self {
            Origin::Git {
                commit,
                author,
                email,
                date,
                summary,
                blob,
                still_in_head,
                ..
            } => {
                for (key, value) in [
                    ("commit", commit),
                    ("author", author),
                    ("email", email),
                    ("date", date),
                    ("commitSummary", summary),
                    ("blob", blob),
                ] {
                    props.insert(key.into(), value.clone().into());
                }
                props.insert("stillInHead".into(), (*still_in_head).into());
            }
            Origin::GitStaged { blob, .. } => {
                props.insert("blob".into(), blob.clone().into());
                props.insert("staged".into(), true.into());
            }
            Origin::File { .. } | Origin::Stdin { .. } => {}
        }
        props
    }
}
