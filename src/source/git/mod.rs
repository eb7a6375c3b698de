//! Git repositories, read straight from the object database with gix: the whole history (every
//! unique blob scanned once, provenance attached to the blobs that matched), a commit range for pull
//! requests, or the staged changes for a pre-commit hook.

pub mod blobs;
pub mod history;
pub mod objects;
pub mod revision_file;
pub mod staged;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::pipeline::Sink;
use history::Selection;

/// What `ferret scan git` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct GitOptions {
    /// Path of a work tree, bare repository or `.git` directory, or a URL to clone.
    pub target: String,
    /// Revisions to start from instead of every ref.
    pub branches: Vec<String>,
    /// Only what commits after this revision introduced.
    pub since: Option<String>,
    /// Only what `BASE..HEAD` introduced.
    pub range: Option<String>,
    /// Only the staged changes.
    pub staged: bool,
    /// Print nothing on standard error.
    pub quiet: bool,
}

/// Whether `target` is a URL to clone rather than a local path.
pub fn is_url(target: &str) -> bool {
    if Path::new(target).exists() {
        return false;
    }
    if target.contains("://") {
        return true;
    }
    // scp-like `user@host:path`; a Windows drive letter is one character before the colon.
    match target.split_once(':') {
        Some((host, _)) => host.contains('@') || host.len() > 1 && !host.contains('/'),
        None => false,
    }
}

/// The work-tree root of the repository at `target`, where `ferret.toml` and `.ferretignore` are
/// looked for (`None` for a bare repository or a URL).
pub fn config_root(target: &str) -> Result<Option<PathBuf>> {
    if is_url(target) {
        return Ok(None);
    }
    let repo = open_local(Path::new(target))?;
    Ok(repo.workdir().map(Path::to_path_buf))
}

fn open_local(path: &Path) -> Result<gix::Repository> {
    if !path.exists() {
        bail!("path does not exist: {}", path.display());
    }
    let repo =
        gix::discover(path).with_context(|| format!("not a git repository: {}", path.display()))?;
    Ok(repo)
}

/// Scans the repository `opts.target` as asked.
pub fn scan<S: Sink>(opts: &GitOptions, sink: &S) -> Result<()> {
    if opts.staged && is_url(&opts.target) {
        bail!("--staged needs a local repository, not a URL");
    }
    let opened = open_or_clone(&opts.target)?;
    scan_repo(&opened.repo, &opened.location, opts, sink)
}

/// A repository opened for reading: local, or cloned into a temporary directory that is
/// removed when this is dropped.
pub struct OpenedRepository {
    /// The repository.
    pub repo: gix::Repository,
    /// What findings name it: the absolute local path, or the URL as given.
    pub location: String,
    /// Removes the clone on a signal; dropped before `_clone`.
    _on_signal: Option<crate::cleanup::Registration>,
    /// The clone's directory, removed on drop (error returns included).
    _clone: Option<tempfile::TempDir>,
}

/// Opens the repository at `target`, a local path or a URL to clone (bare, no work tree).
pub fn open_or_clone(target: &str) -> Result<OpenedRepository> {
    if is_url(target) {
        // Owner-only: the clone holds whatever secrets the repository's history holds.
        let mut builder = tempfile::Builder::new();
        builder.prefix("ferret-clone-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = builder
            .tempdir()
            .context("cannot create a temporary directory for the clone")?;
        let on_signal = crate::cleanup::remove_on_signal(dir.path())?;
        let repo = clone_bare(target, dir.path())?;
        return Ok(OpenedRepository {
            repo,
            location: target.to_string(),
            _on_signal: Some(on_signal),
            _clone: Some(dir),
        });
    }
    let repo = open_local(Path::new(target))?;
    Ok(OpenedRepository {
        location: repository_location(&repo),
        repo,
        _on_signal: None,
        _clone: None,
    })
}

/// Where a local repository is, as findings record it: the absolute path of its work tree (of
/// the git directory when it is bare), so a later `ferret recheck` finds it from anywhere.
fn repository_location(repo: &gix::Repository) -> String {
    let dir = repo.workdir().unwrap_or_else(|| repo.git_dir());
    let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    absolute.to_string_lossy().into_owned()
}

/// Clones `url` (https, ssh, git or file) without a work tree into `dir`; a signal stops it.
fn clone_bare(url: &str, dir: &Path) -> Result<gix::Repository> {
    let interrupt = crate::cleanup::interrupt_flag();
    let mut prepare =
        gix::prepare_clone_bare(url, dir).with_context(|| format!("cannot clone {url}"))?;
    let (repo, _) = prepare
        .fetch_only(gix::progress::Discard, interrupt)
        .with_context(|| format!("cannot clone {url}"))?;
    Ok(repo)
}

/// Scans `repo`, whose findings name it `repository`.
fn scan_repo<S: Sink>(
    repo: &gix::Repository,
    repository: &str,
    opts: &GitOptions,
    sink: &S,
) -> Result<()> {
    let mut repo = repo.clone();
    // Trees are read once each during the walk; a modest cache helps the commits and small trees
    // that neighbouring commits share.
    repo.object_cache_size_if_unset(16 << 20);
    if opts.staged {
        return staged::scan_staged(&repo, sink);
    }
    let mut selection = Selection {
        branches: opts.branches.clone(),
        hidden: Vec::new(),
    };
    if let Some(since) = &opts.since {
        selection.hidden.push(since.clone());
    }
    if let Some(range) = &opts.range {
        let Some((base, head)) = range.split_once("..") else {
            bail!("--range takes BASE..HEAD, got {range:?}");
        };
        let head = head.strip_prefix('.').unwrap_or(head);
        if base.is_empty() {
            bail!("--range {range:?} has no base revision");
        }
        selection.hidden.push(base.to_string());
        selection.branches = vec![if head.is_empty() { "HEAD" } else { head }.to_string()];
    }
    let history = blobs::scan_history(&repo, repository, &selection, sink)?;
    if !opts.quiet && !history.submodules.is_empty() {
        crate::progress::note(&format!(
            "ferret: {} submodule(s) not followed (scan them separately): {}",
            history.submodules.len(),
            crate::escape::escape_control(&history.submodules.join(", "))
        ));
    }
    Ok(())
}
