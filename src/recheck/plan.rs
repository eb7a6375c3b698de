//! Which places to read again for the findings of a report, grouped so that each file, repository,
//! image and log is opened once however many findings it held.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::pipeline::Origin;

/// A place to read again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A file on disk, by its full path (the report's absolute root joined with its path).
    File(PathBuf),
    /// A git repository: an absolute local path or a clone URL.
    Repository(String),
    /// A container image as the scan named it (a layout, a tar or a registry reference).
    Image(String),
    /// A local CI log file (a ZIP of step logs included).
    CiLog(PathBuf),
}

impl Target {
    /// Where a scan of this place would look for `ferret.toml` (and its fingerprint salt): the
    /// scan root of a file, the work tree of a local repository; `None` for the rest, as scans of
    /// them use only `--config` and the user's config.
    pub fn config_root(&self, listed: &Origin) -> Option<PathBuf> {
        match self {
            Target::File(_) => listed
                .root()
                .map(PathBuf::from)
                .filter(|root| root.is_dir()),
            Target::Repository(repository) => {
                crate::source::git::config_root(repository).ok().flatten()
            }
            Target::Image(_) | Target::CiLog(_) => None,
        }
    }
}

/// The places to read, each with the findings (indices into the report) that were there, and
/// the findings whose place cannot be read again, each with the reason.
#[derive(Debug, Default)]
pub struct Plan {
    /// Each place once, in a fixed order, with its findings.
    pub targets: Vec<(Target, Vec<usize>)>,
    /// Findings that cannot be looked for again: (index, why).
    pub unreadable: Vec<(usize, String)>,
}

/// Groups the origins of a report's findings by the place each must be looked for again.
pub fn plan<'a>(origins: impl IntoIterator<Item = &'a Origin>) -> Plan {
    let mut targets: BTreeMap<Target, Vec<usize>> = BTreeMap::new();
    let mut unreadable = Vec::new();
    for (index, origin) in origins.into_iter().enumerate() {
        match target_of(origin) {
            Ok(target) => targets.entry(target).or_default().push(index),
            Err(why) => unreadable.push((index, why)),
        }
    }
    Plan {
        targets: targets.into_iter().collect(),
        unreadable,
    }
}

/// The place `origin` is read again from, or why it cannot be.
fn target_of(origin: &Origin) -> Result<Target, String> {
    match origin {
        Origin::File { .. } if origin.path().contains('!') => Err(
            "inside an archive: archive members are not read again (scan the archive again)".into(),
        ),
        Origin::File { .. } => Ok(Target::File(PathBuf::from(origin.full_path()))),
        Origin::Git { repository, .. } if repository.is_empty() => {
            Err("the report does not name the repository (made by an older ferret)".into())
        }
        Origin::Git { repository, .. } => Ok(Target::Repository(repository.clone())),
        Origin::ImageLayer { image, .. } | Origin::ImageMetadata { image, .. } => {
            Ok(Target::Image(image.clone()))
        }
        Origin::CiLog(log) if is_api_log(&log.path) => Err(format!(
            "fetched from the {} API: scan its runs again to look for it",
            log.provider
        )),
        Origin::CiLog(log) => {
            let file = log.path.split('!').next().unwrap_or(&log.path);
            Ok(Target::CiLog(PathBuf::from(file)))
        }
        Origin::GitStaged { .. } => {
            Err("a staged change is not recorded by commit: it cannot be found again".into())
        }
        Origin::Stdin { .. } => Err("standard input cannot be read again".into()),
    }
}

/// Whether a CI log's path names a job fetched from a provider's API (`gitlab-ci:GROUP/...`)
/// rather than a file.
fn is_api_log(path: &str) -> bool {
    ["github-actions:", "gitlab-ci:"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// Whether a finding made by re-reading a place is at the place `listed` named: the same file,
/// the same blob of the same commit, the same layer file or image field, the same log.
pub fn same_place(listed: &Origin, found: &Origin) -> bool {
    match (listed, found) {
        (Origin::File { .. }, Origin::File { .. }) => listed.full_path() == found.full_path(),
        (
            Origin::Git {
                repository,
                commit,
                path,
                ..
            },
            Origin::Git {
                repository: r,
                commit: c,
                path: p,
                ..
            },
        ) => repository == r && commit == c && path == p,
        (
            Origin::ImageLayer {
                image,
                diff_id,
                path,
                ..
            },
            Origin::ImageLayer {
                image: i,
                diff_id: d,
                path: p,
                ..
            },
        ) => image == i && diff_id == d && path == p,
        (
            Origin::ImageMetadata { image, field, .. },
            Origin::ImageMetadata {
                image: i, field: f, ..
            },
        ) => image == i && field == f,
        (Origin::CiLog(a), Origin::CiLog(b)) => a.path == b.path,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn file(root: &str, path: &str) -> Origin {
        Origin::File {
            path: path.into(),
            root: Arc::from(root),
        }
    }

    #[test]
    fn places_are_grouped_and_the_unreadable_named() {
        let origins = [
            file("/r/", "a.env"),
            Origin::Stdin { path: "-".into() },
            file("/r/", "a.env"),
            file("/r/", "b.zip!x.env"),
        ];
        let plan = plan(&origins);
        assert_eq!(
            plan.targets,
            vec![(Target::File("/r/a.env".into()), vec![0, 2])]
        );
        let unreadable: Vec<usize> = plan.unreadable.iter().map(|(i, _)| *i).collect();
        assert_eq!(unreadable, [1, 3]);
        assert!(!same_place(&file("/r/", "a.env"), &file("/s/", "a.env")));
        assert!(same_place(&file("/r/", "a.env"), &file("/", "r/a.env")));
    }
}
