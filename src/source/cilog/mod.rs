//! CI build logs: local files (plain, `.gz`, GitHub Actions run-logs ZIPs) and logs fetched from
//! the GitHub Actions and GitLab CI APIs. Every log is normalised (timestamps, terminal escapes and
//! console notes removed) before matching, and findings point back at the original line.

pub mod format;
pub mod github;
pub mod gitlab;
pub mod log;
pub mod normalize;
pub mod runzip;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use crate::pipeline::{CiLogOrigin, Sink, Skip};
use crate::source::fs::display_path;
use format::{LogFormat, detect_format};
use log::{Dedup, LogState, scan_log};

/// Options for `ferret scan ci-log`.
#[derive(Debug, Clone, Default)]
pub struct LocalOptions {
    /// Log files, or directories holding them.
    pub paths: Vec<PathBuf>,
    /// Repository or project the logs belong to, for reports and links.
    pub repository: Option<String>,
    /// Web address of the CI server, for links (default by provider).
    pub web_url: Option<String>,
}

/// How many directories deep `scan ci-log` descends below a directory it was given.
pub const MAX_DIR_DEPTH: usize = 64;

/// Scans local log files in parallel. Directories are walked without following symlinks (as
/// `scan dir` does), so the walk never leaves the directory it was given and cannot loop.
pub fn scan_paths<S: Sink>(opts: &LocalOptions, sink: &S) -> Result<()> {
    if opts.paths.is_empty() {
        bail!("no log file to scan");
    }
    let mut files = Vec::new();
    for path in &opts.paths {
        collect_root(path, sink, &mut files)
            .with_context(|| format!("cannot read {}", display_path(path)))?;
    }
    files
        .par_iter()
        .for_each_init(LogState::<S>::default, |state, path| {
            let shown = display_path(path);
            if let Err(e) = scan_file(path, &shown, opts, sink, state) {
                sink.stats().error(shown, format!("{e:#}"));
            }
        });
    Ok(())
}

/// A path named on the command line: a log file (a symlink the user names is followed), or a
/// directory to walk.
fn collect_root<S: Sink>(path: &Path, sink: &S, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).context("no such file or directory")?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        Ok(())
    } else if meta.is_dir() {
        collect_dir(path, 0, sink, out)
    } else {
        bail!("not a regular file or directory")
    }
}

/// The log files under `dir`, sorted; symlinks are counted as skipped, other special files
/// (FIFOs, sockets, devices) and directories past [`MAX_DIR_DEPTH`] are reported by name.
fn collect_dir<S: Sink>(dir: &Path, depth: usize, sink: &S, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = std::fs::read_dir(dir)?
        .map(|e| e.and_then(|e| Ok((e.path(), e.file_type()?))))
        .collect::<std::io::Result<_>>()?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        if kind.is_symlink() {
            crate::pipeline::ScanStats::bump(&sink.stats().skipped_symlinks);
        } else if kind.is_file() {
            out.push(path);
        } else if kind.is_dir() {
            if depth + 1 > MAX_DIR_DEPTH {
                sink.stats().error(
                    display_path(&path),
                    format!("directories nest more than {MAX_DIR_DEPTH} deep: not scanned"),
                );
                continue;
            }
            if let Err(err) = collect_dir(&path, depth + 1, sink, out) {
                sink.stats()
                    .error(display_path(&path), format!("cannot read: {err:#}"));
            }
        } else {
            sink.stats().error(
                display_path(&path),
                "not a regular file (FIFO, socket or device): not scanned",
            );
        }
    }
    Ok(())
}

fn scan_file<S: Sink>(
    path: &Path,
    shown: &str,
    opts: &LocalOptions,
    sink: &S,
    state: &mut LogState<S>,
) -> Result<()> {
    let file = File::open(path).context("cannot open")?;
    let len = file.metadata().context("cannot stat")?.len();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let id = trailing_id(&name);
    if lower.ends_with(".zip") {
        // A run-logs ZIP is GitHub's; its members say so by content too.
        let mut template = local_origin(opts, LogFormat::GithubActions, id);
        template.path = shown.to_string();
        let prefix = format!("{shown}!");
        return runzip::scan_run_zip(file, &template, &prefix, sink, state);
    }
    if len > sink.max_blob_size() && !lower.ends_with(".gz") {
        let skip = Skip::too_large(shown, Some(len), sink.max_blob_size());
        sink.stats().skip(skip);
        return Ok(());
    }
    let limit = sink.max_blob_size().saturating_add(1);
    let mut data = Vec::new();
    if lower.ends_with(".gz") {
        flate2::read::MultiGzDecoder::new(file)
            .take(limit)
            .read_to_end(&mut data)
            .context("cannot decompress gzip")?;
    } else {
        std::io::BufReader::new(file)
            .take(limit)
            .read_to_end(&mut data)
            .context("cannot read")?;
    }
    if data.len() as u64 > sink.max_blob_size() {
        // Only the first max_blob_size + 1 bytes were read (a .gz may expand without bound).
        sink.stats()
            .skip(Skip::too_large(shown, None, sink.max_blob_size()));
        return Ok(());
    }
    let format = detect_format(&data);
    let mut template = local_origin(opts, format, id);
    template.path = shown.to_string();
    scan_log(&data, Some(format), &template, sink, state, Dedup::None);
    Ok(())
}

/// The provenance a local log gets: its provider, and the run (GitHub) or job (GitLab) id taken
/// from a file name such as `logs_123456789.zip` or `job_4242.log`, linked when the repository is
/// known.
fn local_origin(opts: &LocalOptions, format: LogFormat, id: Option<&str>) -> CiLogOrigin {
    let mut origin = CiLogOrigin {
        provider: format.provider().to_string(),
        repository: opts.repository.clone(),
        ..CiLogOrigin::default()
    };
    let Some(id) = id else {
        return origin;
    };
    let web = |default: &str| {
        opts.web_url
            .as_deref()
            .unwrap_or(default)
            .trim_end_matches('/')
            .to_string()
    };
    match format {
        LogFormat::GithubActions => {
            origin.run = Some(id.to_string());
            if let Some(repo) = &opts.repository {
                origin.url = Some(format!(
                    "{}/{repo}/actions/runs/{id}",
                    web("https://github.com")
                ));
            }
        }
        LogFormat::GitlabCi => {
            if let Some(project) = &opts.repository {
                origin.url = Some(format!(
                    "{}/{project}/-/jobs/{id}",
                    web("https://gitlab.com")
                ));
            }
        }
        _ => {}
    }
    origin
}

/// The last run of at least five digits in a file name: the run or job id tools name files by.
fn trailing_id(name: &str) -> Option<&str> {
    let stem = name.split('.').next().unwrap_or(name);
    stem.split(|c: char| !c.is_ascii_digit())
        .rfind(|part| part.len() >= 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_come_from_file_names() {
        assert_eq!(trailing_id("logs_22154483610.zip"), Some("22154483610"));
        assert_eq!(trailing_id("job_4242123.log.gz"), Some("4242123"));
        assert_eq!(trailing_id("build.log"), None);
        assert_eq!(trailing_id("v1.2.log"), None);
    }
}
