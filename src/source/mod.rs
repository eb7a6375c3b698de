//! Sources: where bytes come from. Each source hands blobs with their [`Origin`] to the scanner and
//! knows nothing about rules.

pub mod fs;
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
        /// Length of the scan root's prefix in `path` (root and separator), for root-relative
        /// matching of path allowlists.
        #[serde(skip)]
        root_len: usize,
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
            Origin::File { path, .. } | Origin::Stdin { path } => path,
        }
    }

    /// The path relative to the scan root, which path allowlists match.
    pub fn relative_path(&self) -> &str {
        match self {
            Origin::File { path, root_len } => path.get(*root_len..).unwrap_or(path),
            _ => self.path(),
        }
    }

    /// A short suffix after `path:line` in text output (a commit, a layer); empty for files.
    pub fn text_suffix(&self) -> String {
        String::new()
    }

    /// Extra key/value pairs that SARIF puts in a result's `properties`.
    pub fn sarif_properties(&self) -> serde_json::Map<String, serde_json::Value> {
        serde_json::Map::new()
    }
}
