//! Reads each planned place again and pushes what it holds into the scanner, under the origin the
//! report named, so that the findings made can be matched with the report's by place, rule and
//! fingerprint. Nothing here decides where a secret is sent: a tampered origin can only make
//! ferret read a file, repository, image or log the user could scan anyway.

use std::path::Path;
use std::sync::Arc;

use crate::pipeline::{Origin, Sink};
use crate::source;
use crate::source::git::objects::{BlobLookup, read_blob};

use super::plan::Target;

/// How places are reached, from the command line.
#[derive(Debug, Clone, Default)]
pub struct RereadOptions {
    /// Registries (`host[:port]`) reached over plain http, as `scan image --insecure-registry`.
    pub insecure_registries: Vec<String>,
}

/// Why a finding of the report may not be found again, when a place was not read as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absence {
    /// The place is not there any more (file deleted, commit rewritten away, image removed).
    Gone(String),
    /// The place could not be read (network, permissions, size): nothing is known.
    Unknown(String),
}

/// Reads `target` again into `sink`, for the findings `listed` (index and origin) that were
/// there. Returns, for those not necessarily read, why they may not be found.
pub fn reread<S: Sink>(
    target: &Target,
    listed: &[(usize, &Origin)],
    opts: &RereadOptions,
    sink: &S,
) -> Vec<(usize, Absence)> {
    let errors_before = sink.stats().error_list().len();
    let absent = match target {
        Target::File(path) => reread_file(path, listed, sink),
        Target::Repository(repository) => reread_blobs(repository, listed, sink),
        Target::Image(image) => {
            let target = match image_target(image) {
                Ok(target) => target,
                Err(gone) => return all(listed, &Absence::Gone(gone)),
            };
            let opts = source::image::ImageOptions {
                targets: vec![target],
                registry: source::image::registry::RegistryOptions {
                    quiet: true,
                    insecure: opts.insecure_registries.clone(),
                    ..Default::default()
                },
                ..Default::default()
            };
            match source::image::scan_images(&opts, sink) {
                Ok(()) => Vec::new(),
                Err(e) => all(listed, &Absence::Unknown(format!("{e:#}"))),
            }
        }
        Target::CiLog(path) => {
            if !path.exists() {
                return all(
                    listed,
                    &Absence::Gone("the log file no longer exists".into()),
                );
            }
            let opts = source::cilog::LocalOptions {
                paths: vec![path.clone()],
                ..Default::default()
            };
            match source::cilog::scan_paths(&opts, sink) {
                Ok(()) => Vec::new(),
                Err(e) => all(listed, &Absence::Unknown(format!("{e:#}"))),
            }
        }
    };
    // A place read only in part proves nothing by what it lacks.
    let errors = sink.stats().error_list();
    if absent.is_empty()
        && let Some(error) = errors.get(errors_before..).and_then(|new| new.first())
    {
        let why = format!(
            "could not be read fully: {}: {}",
            error.subject, error.message
        );
        return all(listed, &Absence::Unknown(why));
    }
    absent
}

/// The same absence for every listed finding.
fn all(listed: &[(usize, &Origin)], absence: &Absence) -> Vec<(usize, Absence)> {
    listed.iter().map(|(i, _)| (*i, absence.clone())).collect()
}

/// What to scan for the image a report names: the name itself (a registry reference, a tar),
/// or the layout it was found in (a layout's images are named `LAYOUT:REF`). A local layout or
/// tar that is not there any more is an error saying so.
fn image_target(image: &str) -> Result<String, String> {
    let path = ["oci:", "oci-archive:", "docker-archive:", "dir:"]
        .iter()
        .find_map(|prefix| image.strip_prefix(prefix))
        .unwrap_or(image);
    if Path::new(path).exists() {
        return Ok(image.to_string());
    }
    if let Some((layout, _)) = path.rsplit_once(':')
        && Path::new(layout).exists()
    {
        return Ok(layout.to_string());
    }
    let looks_local = path.starts_with('/') || path.starts_with("./") || path.starts_with("../");
    if looks_local {
        let gone = path.rsplit_once(':').map_or(path, |(layout, _)| layout);
        return Err(format!("{gone} no longer exists"));
    }
    Ok(image.to_string())
}

/// A file read whole and scanned under the report's own origin.
fn reread_file<S: Sink>(
    path: &Path,
    listed: &[(usize, &Origin)],
    sink: &S,
) -> Vec<(usize, Absence)> {
    let Some(&(_, origin)) = listed.first() else {
        return Vec::new();
    };
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return all(listed, &Absence::Gone("the file no longer exists".into()));
        }
        Err(e) => {
            return all(
                listed,
                &Absence::Unknown(format!("cannot read the file: {e}")),
            );
        }
    };
    if !metadata.is_file() {
        return all(listed, &Absence::Gone("no longer a regular file".into()));
    }
    if metadata.len() > sink.max_blob_size() {
        let why = format!(
            "the file is larger than --max-file-size ({} bytes)",
            metadata.len()
        );
        return all(listed, &Absence::Unknown(why));
    }
    match std::fs::read(path) {
        Ok(data) => {
            let mut thread = S::Thread::default();
            sink.scan_blob(&data, &Arc::new(origin.clone()), &mut thread);
            Vec::new()
        }
        Err(e) => all(
            listed,
            &Absence::Unknown(format!("cannot read the file: {e}")),
        ),
    }
}

/// Each listed blob of a repository, opened (or cloned) once, read by commit and path.
fn reread_blobs<S: Sink>(
    repository: &str,
    listed: &[(usize, &Origin)],
    sink: &S,
) -> Vec<(usize, Absence)> {
    let opened = match source::git::open_or_clone(repository, None) {
        Ok(opened) => opened,
        Err(_) if !source::git::is_url(repository) && !Path::new(repository).exists() => {
            return all(
                listed,
                &Absence::Gone("the repository no longer exists".into()),
            );
        }
        Err(e) => return all(listed, &Absence::Unknown(format!("{e:#}"))),
    };
    let mut thread = S::Thread::default();
    let mut absent = Vec::new();
    for &(index, origin) in listed {
        let Origin::Git {
            commit, path, blob, ..
        } = origin
        else {
            continue;
        };
        match read_blob(&opened.repo, commit, path, blob, sink.max_blob_size()) {
            Ok(BlobLookup::Found(data)) => {
                sink.scan_blob(&data, &Arc::new(origin.clone()), &mut thread)
            }
            Ok(BlobLookup::Missing(why)) => absent.push((index, Absence::Gone(why))),
            Ok(BlobLookup::TooLarge(size)) => absent.push((
                index,
                Absence::Unknown(format!(
                    "the blob is larger than --max-file-size ({size} bytes)"
                )),
            )),
            Err(e) => absent.push((index, Absence::Unknown(format!("{e:#}")))),
        }
    }
    absent
}
