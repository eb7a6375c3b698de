//! Directories and files on disk, walked in parallel.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

use super::archive::{self, ArchiveLimits};
use crate::pipeline::Origin;
use crate::pipeline::{ScanStats, Sink, Skip, SkipReason};

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
    /// Limits for archives found in the tree (`.zip`, `.jar`, `.tar`, `.tar.gz`, `.gz`).
    pub archive_limits: ArchiveLimits,
}

/// Files larger than this are scanned as a stream rather than read whole.
const READ_WHOLE_LIMIT: u64 = 16 << 20;

/// Walks `opts.roots` in parallel and scans every file.
pub fn scan_dirs<S: Sink>(opts: &DirOptions, sink: &S) -> Result<()> {
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
    let limits = &opts.archive_limits;
    builder.build_parallel().run(|| {
        let mut state = FileThread::<S>::default();
        Box::new(move |entry| {
            match entry {
                Ok(entry) => visit(&entry, sink, limits, &mut state),
                Err(err) => {
                    let subject = error_path(&err).unwrap_or_else(|| "(walk)".into());
                    sink.stats()
                        .error(subject, format!("cannot read: {}", io_message(&err)));
                }
            }
            WalkState::Continue
        })
    });
    Ok(())
}

/// What one walker thread keeps between files: the sink's buffers and a read buffer.
struct FileThread<S: Sink> {
    thread: S::Thread,
    buf: Vec<u8>,
}

impl<S: Sink> Default for FileThread<S> {
    fn default() -> Self {
        Self {
            thread: S::Thread::default(),
            buf: Vec::new(),
        }
    }
}

fn visit<S: Sink>(
    entry: &ignore::DirEntry,
    sink: &S,
    limits: &ArchiveLimits,
    state: &mut FileThread<S>,
) {
    let Some(file_type) = entry.file_type() else {
        return; // stdin placeholder entries never occur for path roots
    };
    if file_type.is_symlink() {
        ScanStats::bump(&sink.stats().skipped_symlinks);
        return;
    }
    // The report this run is writing into the scanned tree is output, not input.
    #[cfg(unix)]
    if let Some(ino) = entry.ino()
        && crate::atomic_file::is_being_written(entry.file_name(), ino)
    {
        return;
    }
    if file_type.is_dir() {
        return;
    }
    let path = entry.path();
    let shown = display_path(path);
    if !file_type.is_file() {
        sink.stats().skip(special_file(shown, &file_type));
        return;
    }
    let root_len = root_prefix_len(entry, &shown);
    if sink.skips_path(shown.get(root_len..).unwrap_or(&shown)) {
        ScanStats::bump(&sink.stats().skipped_allowlisted);
        return;
    }
    let file = FileToScan {
        path,
        shown: &shown,
        root_len,
    };
    if let Err(err) = scan_file(&file, sink, limits, state) {
        sink.stats().error(shown.clone(), format!("{err:#}"));
    }
}

/// The skip record of a FIFO, socket or device, which is never opened: reading a FIFO blocks
/// until someone writes to it, and a device can be endless.
fn special_file(shown: String, file_type: &std::fs::FileType) -> Skip {
    Skip::new(
        shown,
        SkipReason::SpecialFile,
        format!("{}: not opened", special_kind(file_type)),
    )
}

#[cfg(unix)]
fn special_kind(file_type: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "named pipe (FIFO)"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_block_device() {
        "block device"
    } else if file_type.is_char_device() {
        "character device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "not a regular file"
}

/// Opens `path` for reading without blocking: a path that became a FIFO after the walk looked
/// at it must not stall the scan waiting for a writer.
fn open_for_scan(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
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

/// A file the walk found: where it is and how reports name it.
struct FileToScan<'a> {
    path: &'a Path,
    shown: &'a str,
    root_len: usize,
}

fn scan_file<S: Sink>(
    target: &FileToScan<'_>,
    sink: &S,
    limits: &ArchiveLimits,
    state: &mut FileThread<S>,
) -> Result<()> {
    let mut file = open_for_scan(target.path).map_err(|e| anyhow::anyhow!("cannot open: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| anyhow::anyhow!("cannot stat: {e}"))?;
    if !meta.is_file() {
        sink.stats()
            .skip(special_file(target.shown.to_string(), &meta.file_type()));
        return Ok(());
    }
    let len = meta.len();
    if len > sink.max_blob_size() {
        sink.stats().skip(too_large(target.shown, len, sink));
        return Ok(());
    }
    if archive::archive_kind(target.shown).is_some() {
        return scan_archive_file(&mut file, len, target, sink, limits, &mut state.thread);
    }
    let origin = Arc::new(file_origin(target));
    if len > READ_WHOLE_LIMIT {
        return sink.scan_reader(file, origin, &mut state.thread);
    }
    let mut buf = std::mem::take(&mut state.buf);
    buf.clear();
    let read = file
        .read_to_end(&mut buf)
        .map_err(|e| anyhow::anyhow!("cannot read: {e}"));
    if read.is_ok() {
        sink.scan_blob(&buf, &origin, &mut state.thread);
    }
    state.buf = buf;
    read.map(|_| ())
}

/// The skip record of a file or member over `--max-file-size`.
fn too_large<S: Sink>(shown: &str, len: u64, sink: &S) -> Skip {
    Skip::too_large(shown, Some(len), sink.max_blob_size())
}

/// The origin of the file (or archive member) `target` names.
fn file_origin(target: &FileToScan<'_>) -> Origin {
    file_origin_at(target.shown, target.root_len)
}

/// The origin of `shown`, whose first `root_len` bytes are the scan root: reports show the rest.
fn file_origin_at(shown: &str, root_len: usize) -> Origin {
    // `root_len` comes from byte lengths of lossily converted names: never split inside a character.
    let root_len = if shown.is_char_boundary(root_len) {
        root_len
    } else {
        0
    };
    let (root, relative) = shown.split_at(root_len);
    Origin::File {
        path: relative.to_string(),
        root: Arc::from(root),
    }
}

/// Scans a file named like an archive: its members are opened (recursively, within `limits`) and
/// streamed to the sink, each reported as `archive!member`; what the limits stop is listed.
fn scan_archive_file<S: Sink>(
    file: &mut File,
    len: u64,
    target: &FileToScan<'_>,
    sink: &S,
    limits: &ArchiveLimits,
    state: &mut S::Thread,
) -> Result<()> {
    let root_len = target.root_len;
    let mut members = |member: &str, size: Option<u64>, reader: &mut dyn Read| -> Result<()> {
        if let Some(size) = size.filter(|&s| s > sink.max_blob_size()) {
            sink.stats().skip(too_large(member, size, sink));
            return Ok(());
        }
        let origin = Arc::new(file_origin_at(member, root_len));
        sink.scan_reader(reader, origin, state)
    };
    let mut skips = |skip: Skip| sink.stats().skip(skip);
    archive::open_member(
        target.shown,
        Some(len),
        file,
        0,
        limits,
        &mut members,
        &mut skips,
    )
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
