//! Sources: where bytes come from. Each source hands blobs with their [`Origin`] to the scanner and
//! knows nothing about rules.

pub mod cilog;
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
    },
    /// Standard input, named by `--path-name`.
    Stdin {
        /// The name given to it in reports.
        path: String,
    },
    /// A CI build log: a local file or a job log fetched from a CI provider's API.
    CiLog(cilog::CiLogOrigin),
}

impl Origin {
    /// The path shown in reports and used by path allowlists.
    pub fn path(&self) -> &str {
        match self {
            Origin::File { path } | Origin::Stdin { path } => path,
            Origin::CiLog(log) => &log.path,
        }
    }

    /// A short suffix after `path:line` in text output (a commit, a layer); empty for files.
    pub fn text_suffix(&self) -> String {
        match self {
            Origin::CiLog(log) => log.text_suffix(),
            _ => String::new(),
        }
    }

    /// Extra key/value pairs that SARIF puts in a result's `properties`.
    pub fn sarif_properties(&self) -> serde_json::Map<String, serde_json::Value> {
        match self {
            Origin::CiLog(log) => log.sarif_properties(),
            _ => serde_json::Map::new(),
        }
    }
}
