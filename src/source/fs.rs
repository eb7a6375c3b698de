//! Directories and files on disk, walked in parallel.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

use super::Origin;
use crate::scan::{ScanStats, Scanner, ThreadState};

/// Options for `ferret scan dir`.
#[derive(Debug, Clone)]
pub struct DirOptions {
    /// Files or directories to scan.
    pub roots: Vec<PathBuf>,
    /// Honour `.gitignore`, `.ignore` and git's exclude files.
    pub gitignore: bool,
    /// Globs of paths to leave out.
    pub excludes: Vec<String>,
    /// Follow symbolic links.
    pub follow_symlinks: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

/// Files larger than this are scanned as a stream rather than read whole.
const READ_WHOLE_LIMIT: u64 = 16 << 20;

/// Walks `opts.roots` in parallel and scans every file.
pub fn scan_dirs(opts: &DirOptions, scanner: &Scanner) -> Result<()> {
    let Some((first, rest)) = opts.roots.split_first() else {
        bail!("no path to scan");
    };
    for root in &opts.roots {
        if std::fs::symlink_metadata(root).is_err() {
            bail!("path does not exist: {}", root.display());
        }
    }
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    builder
        .hidden(false)
        .git_ignore(opts.gitignore)
        .git_global(opts.gitignore)
        .git_exclude(opts.gitignore)
        .ignore(opts.gitignore)
        .parents(opts.gitignore)
        .require_git(false)
        .follow_links(opts.follow_symlinks)
        .threads(opts.threads)
        .filter_entry(|entry| entry.file_name() != ".git");
    if !opts.excludes.is_empty() {
        let mut overrides = OverrideBuilder::new(first);
        for glob in &opts.excludes {
            overrides
                .add(&format!("!{glob}"))
                .with_context(|| format!("invalid --exclude glob {glob:?}"))?;
        }
        builder.overrides(overrides.build().context("invalid --exclude globs")?);
    }
    builder.build_parallel().run(|| {
        let mut state = ThreadState::default();
        Box::new(move |entry| {
            match entry {
                Ok(entry) => visit(&entry, scanner, &mut state),
                Err(err) => {
                    let subject = error_path(&err).unwrap_or_else(|| "(walk)".into());
                    scanner
                        .stats
                        .error(subject, format!("cannot read: {}", io_message(&err)));
                }
            }
            WalkState::Continue
        })
    });
    Ok(())
}

fn visit(entry: &ignore::DirEntry, scanner: &Scanner, state: &mut ThreadState) {
    let Some(file_type) = entry.file_type() else {
        return; // stdin placeholder entries never occur for path roots
    };
    if file_type.is_symlink() {
        ScanStats::bump(&scanner.stats.skipped_symlinks);
        return;
    }
    if !file_type.is_file() {
        return;
    }
    let path = entry.path();
    let shown = display_path(path);
    let root_len = root_prefix_len(entry, &shown);
    if scanner
        .filter
        .path_fully_allowed(shown.get(root_len..).unwrap_or(&shown))
    {
        ScanStats::bump(&scanner.stats.skipped_allowlisted);
        return;
    }
    if let Err(err) = scan_file(path, shown.clone(), root_len, scanner, state) {
        scanner.stats.error(shown, format!("{err:#}"));
    }
}

/// Length of the walk root's part of `shown` (with its separator), so `shown[len..]` is root-relative.
fn root_prefix_len(entry: &ignore::DirEntry, shown: &str) -> usize {
    let mut root = entry.path();
    for _ in 0..entry.depth() {
        root = root.parent().unwrap_or(root);
    }
    if entry.depth() == 0 {
        // A file given directly as a root. Named relative to the current directory inside it (as
        // the pre-commit framework names staged files from the work tree top), it is relative to
        // the working directory, so `paths = ["tests/fixtures/**"]` applies; otherwise it is shown
        // by its own name.
        let inside = Path::new(shown).is_relative() && !shown.starts_with("../");
        if inside {
            return 0;
        }
        let name_len = entry.file_name().len();
        return shown.len().saturating_sub(name_len);
    }
    let root_shown = display_path(root);
    if root_shown == "." || root_shown.is_empty() {
        return 0;
    }
    let len = root_shown.trim_end_matches('/').len();
    if shown.len() > len && shown.is_char_boundary(len + 1) {
        len + 1
    } else {
        0
    }
}

fn scan_file(
    path: &Path,
    shown: String,
    root_len: usize,
    scanner: &Scanner,
    state: &mut ThreadState,
) -> Result<()> {
    let mut file = File::open(path).map_err(|e| anyhow::anyhow!("cannot open: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| anyhow::anyhow!("cannot stat: {e}"))?
        .len();
    if len > scanner.max_blob_size {
        ScanStats::bump(&scanner.stats.skipped_too_large);
        return Ok(());
    }
    // `root_len` comes from byte lengths of lossily converted names: never split inside a character.
    let root_len = if shown.is_char_boundary(root_len) {
        root_len
    } else {
        0
    };
    let (root, relative) = shown.split_at(root_len);
    let origin = Arc::new(Origin::File {
        path: relative.to_string(),
        root: Arc::from(root),
    });
    if len > READ_WHOLE_LIMIT {
        return scanner.scan_reader(file, origin, state);
    }
    let mut buf = std::mem::take(&mut state.buf);
    buf.clear();
    let read = file
        .read_to_end(&mut buf)
        .map_err(|e| anyhow::anyhow!("cannot read: {e}"));
    if read.is_ok() {
        scanner.scan_blob(&buf, &origin, state);
    }
    state.buf = buf;
    read.map(|_| ())
}

/// The path as reports show it: as walked, without a leading `./`.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

fn error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(display_path(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(display_path(child)),
        _ => None,
    }
}

fn io_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => io_message(err),
        other => other.to_string(),
    }
}
