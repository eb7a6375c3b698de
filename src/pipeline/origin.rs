//! Where a blob's bytes came from: the provenance every source attaches and every report prints.

use serde::{Deserialize, Serialize};

pub use super::ci_log_origin::CiLogOrigin;

/// Where a blob's bytes came from, precisely enough to find them again.
///
/// Deserialized only to merge reports (`ferret report merge`); a file's root comes from the
/// finding's own `root` field, outside the origin.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// A file on disk.
    File {
        /// Path relative to the scan root (the file's name when the file itself was the root).
        path: String,
        /// The scan root as given on the command line, with its trailing separator ("" for the
        /// working directory). Reports record it once instead of in every path.
        #[serde(skip, default = "empty_root")]
        root: std::sync::Arc<str>,
    },
    /// A blob in git history, with the commit that first introduced it at `path`.
    Git {
        /// The repository scanned: its absolute local path, or the URL it was cloned from
        /// (credentials redacted). `ferret recheck` reads the blob there again.
        repository: String,
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
        /// How many versions of the file held the secret (1 with `--all-occurrences`).
        #[serde(default = "one_version")]
        versions: usize,
        /// The commit that introduced the latest version still holding the secret (`commit`
        /// when there is one version).
        #[serde(default)]
        last_commit: String,
        /// Every version that held the secret, oldest first; `commit`, `blob`, the finding's
        /// line and column are the first's.
        #[serde(default)]
        occurrences: Vec<GitOccurrence>,
        /// Where the introducing commit came in the history walk (oldest first): orders a
        /// secret's versions, which commit dates cannot do reliably. Not written.
        #[serde(skip)]
        walk_order: u32,
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
    /// A file inside a layer of a container image.
    ImageLayer {
        /// The image as named on the command line or by its tag.
        image: String,
        /// Digest of the image manifest.
        image_digest: String,
        /// 0-based index of the layer in the image.
        layer_index: usize,
        /// Digest of the layer as stored (compressed) or its path in a `docker save` tar.
        layer_digest: String,
        /// Digest of the uncompressed layer (`rootfs.diff_ids` of the config).
        diff_id: String,
        /// Path inside the layer (`!` separates the members of nested archives).
        path: String,
        /// Index of the later layer that deletes or replaces this file: it is still in the image.
        removed_in_layer: Option<usize>,
    },
    /// Image metadata: a config field, the build history, annotations or an attestation.
    ImageMetadata {
        /// The image as named on the command line or by its tag.
        image: String,
        /// Digest of the image manifest.
        image_digest: String,
        /// Which field: `config.Env`, `history.created_by`, `manifest.annotations`, `attestation`.
        field: String,
    },
    /// A CI build log: a local file or a job log fetched from a CI provider's API.
    CiLog(CiLogOrigin),
}

impl Origin {
    /// This origin with the userinfo and query of every URL in it redacted (a CI run link built
    /// from a `--web-url` with credentials, a name given as a URL), or `None` when it holds none.
    pub fn without_url_credentials(&self) -> Option<Origin> {
        let mut copy = self.clone();
        let fields: Vec<&mut String> = match &mut copy {
            Origin::File { path, .. } | Origin::Stdin { path } => vec![path],
            Origin::Git {
                repository, path, ..
            } => vec![repository, path],
            Origin::GitStaged { path, .. } => vec![path],
            Origin::ImageLayer { image, path, .. } => vec![image, path],
            Origin::ImageMetadata { image, .. } => vec![image],
            Origin::CiLog(log) => {
                let mut fields = vec![&mut log.path];
                fields.extend(log.url.as_mut());
                fields
            }
        };
        let mut changed = false;
        for field in fields {
            if let std::borrow::Cow::Owned(redacted) = crate::redact_url::redact_urls_in(field)
                && redacted != *field
            {
                *field = redacted;
                changed = true;
            }
        }
        changed.then_some(copy)
    }

    /// The origin's `kind` as reports write it (`file`, `git`, `image_layer`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::File { .. } => "file",
            Origin::Git { .. } => "git",
            Origin::GitStaged { .. } => "git_staged",
            Origin::Stdin { .. } => "stdin",
            Origin::ImageLayer { .. } => "image_layer",
            Origin::ImageMetadata { .. } => "image_metadata",
            Origin::CiLog(_) => "ci_log",
        }
    }

    /// The path shown in reports and used by path allowlists.
    pub fn path(&self) -> &str {
        match self {
            Origin::File { path, .. } | Origin::Stdin { path } => path,
            Origin::ImageLayer { path, .. } => path,
            Origin::ImageMetadata { field, .. } => field,
            Origin::CiLog(log) => &log.path,
            Origin::Git { path, .. } | Origin::GitStaged { path, .. } => path,
        }
    }

    /// The path relative to the scan root, which path allowlists match.
    pub fn relative_path(&self) -> &str {
        self.path()
    }

    /// The directory the path is relative to, when it is one on this machine (files on disk): as
    /// given, "" for the working directory.
    pub fn root(&self) -> Option<&str> {
        match self {
            Origin::File { root, .. } => Some(root),
            _ => None,
        }
    }

    /// What the path is relative to, when a run can cover several: the tree of a file, the
    /// repository of a commit, the image of a layer. Sorting and de-duplication use it so the
    /// same path of two targets scanned in one run (`scan targets`, organisation scans) stays two
    /// findings, in an order that never depends on which target finished first.
    pub fn place(&self) -> &str {
        match self {
            Origin::File { root, .. } => root,
            Origin::Git { repository, .. } => repository,
            Origin::ImageLayer { image, .. } | Origin::ImageMetadata { image, .. } => image,
            _ => "",
        }
    }

    /// The path as it was reached from the working directory: root and relative path joined.
    pub fn full_path(&self) -> String {
        match self {
            Origin::File { path, root } => format!("{root}{path}"),
            _ => self.path().to_string(),
        }
    }

    /// A short suffix after `path:line` in text output (a commit, a layer); empty for files.
    pub fn text_suffix(&self) -> String {
        match self {
            Origin::File { .. } | Origin::Stdin { .. } => String::new(),
            Origin::ImageLayer {
                image,
                layer_index,
                diff_id,
                removed_in_layer,
                ..
            } => {
                let removed = removed_in_layer
                    .map(|n| format!(", removed in layer {n}"))
                    .unwrap_or_default();
                format!(
                    " @ {image} layer {layer_index} ({}){removed}",
                    short_digest(diff_id)
                )
            }
            Origin::ImageMetadata {
                image,
                image_digest,
                ..
            } => format!(" @ {image} ({})", short_digest(image_digest)),
            Origin::CiLog(log) => log.text_suffix(),
            Origin::Git {
                commit,
                still_in_head,
                versions,
                last_commit,
                ..
            } => {
                let status = if *still_in_head {
                    "still in HEAD"
                } else {
                    "history only"
                };
                let versions = if *versions > 1 {
                    format!(
                        ", {versions} versions, last in {}",
                        short_commit(last_commit)
                    )
                } else {
                    String::new()
                };
                format!(" @ {} ({status}{versions})", short_commit(commit))
            }
            Origin::GitStaged { .. } => " (staged)".to_string(),
        }
    }

    /// Extra key/value pairs that SARIF puts in a result's `properties`.
    pub fn sarif_properties(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        match self {
            Origin::File { .. } | Origin::Stdin { .. } => {}
            Origin::ImageLayer {
                image,
                image_digest,
                layer_index,
                layer_digest,
                diff_id,
                removed_in_layer,
                ..
            } => {
                map.insert("image".into(), image.clone().into());
                map.insert("imageDigest".into(), image_digest.clone().into());
                map.insert("layerIndex".into(), (*layer_index).into());
                map.insert("layerDigest".into(), layer_digest.clone().into());
                map.insert("diffId".into(), diff_id.clone().into());
                if let Some(n) = removed_in_layer {
                    map.insert("removedInLayer".into(), (*n).into());
                }
            }
            Origin::ImageMetadata {
                image,
                image_digest,
                field,
            } => {
                map.insert("image".into(), image.clone().into());
                map.insert("imageDigest".into(), image_digest.clone().into());
                map.insert("imageField".into(), field.clone().into());
            }
            Origin::CiLog(log) => return log.sarif_properties(),
            Origin::Git {
                repository,
                commit,
                author,
                email,
                date,
                summary,
                blob,
                still_in_head,
                versions,
                last_commit,
                occurrences,
                ..
            } => {
                for (key, value) in [
                    ("repository", repository),
                    ("commit", commit),
                    ("author", author),
                    ("email", email),
                    ("date", date),
                    ("commitSummary", summary),
                    ("blob", blob),
                ] {
                    map.insert(key.into(), value.clone().into());
                }
                map.insert("stillInHead".into(), (*still_in_head).into());
                map.insert("versions".into(), (*versions).into());
                map.insert("lastCommit".into(), last_commit.clone().into());
                let commits: Vec<serde_json::Value> = occurrences
                    .iter()
                    .map(|o| o.commit.clone().into())
                    .collect();
                map.insert("commits".into(), commits.into());
            }
            Origin::GitStaged { blob, .. } => {
                map.insert("blob".into(), blob.clone().into());
                map.insert("staged".into(), true.into());
            }
        }
        map
    }
}

/// One version of a file in git history that held a secret: the commit that introduced it and
/// where the secret sits in it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct GitOccurrence {
    /// The commit that introduced this version of the file (or the ref naming it).
    pub commit: String,
    /// That commit's author date, ISO 8601.
    pub date: String,
    /// This version's blob id.
    pub blob: String,
    /// 1-based line of the secret's start in this version.
    pub line: usize,
    /// 1-based byte column of the secret's start in this version.
    pub column: usize,
}

/// A git origin read back from a report written before versions were counted: one version.
fn one_version() -> usize {
    1
}

/// The root of a file origin read back from a report, until the finding's `root` is applied.
fn empty_root() -> std::sync::Arc<str> {
    std::sync::Arc::from("")
}

/// The first 8 characters of a commit id, for text output (a ref name as it is).
fn short_commit(commit: &str) -> &str {
    commit.get(..8).unwrap_or(commit)
}

/// `sha256:0123456789ab` from a full digest, for text output.
fn short_digest(digest: &str) -> &str {
    let end = digest.find(':').map_or(12, |colon| colon + 13);
    digest.get(..end).unwrap_or(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cloned_repositorys_credentials_are_not_kept_in_its_findings() {
        let origin = Origin::Git {
            repository: "https://ci:hunter22@git.example.com/team/app.git".into(),
            path: "a.env".into(),
            commit: "c".into(),
            author: String::new(),
            email: String::new(),
            date: String::new(),
            summary: String::new(),
            blob: String::new(),
            still_in_head: true,
            versions: 1,
            last_commit: "c".into(),
            occurrences: Vec::new(),
            walk_order: 0,
        };
        let redacted = origin
            .without_url_credentials()
            .expect("a password to hide");
        assert!(
            !redacted.place().contains("hunter22"),
            "{}",
            redacted.place()
        );
        assert!(redacted.place().ends_with("git.example.com/team/app.git"));
    }
}
