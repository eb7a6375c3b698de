//! Git repositories, read straight from the object database with gix: the whole history (every
//! unique blob scanned once, provenance attached to the blobs that matched), a commit range for pull
//! requests, or the staged changes for a pre-commit hook.

pub mod blobs;
pub mod history;
pub mod objects;
pub mod promisor;
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
    /// Name the repository in notes: one run scans several (`scan targets`, organisations).
    pub name_in_notes: bool,
    /// What to answer when the server of a URL to clone asks who is cloning.
    pub credentials: Option<CloneCredentials>,
}

/// A user name and password (a token) for cloning over http(s) from one host. They are given
/// only when that host's server asks for them (401), never to another host a redirect names.
#[derive(Clone, Default)]
pub struct CloneCredentials {
    /// `host[:port]` as the clone URL has it.
    pub host: String,
    /// The user name the provider documents for tokens (`x-access-token`, `oauth2`).
    pub username: String,
    /// The token.
    pub password: String,
}

impl std::fmt::Debug for CloneCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CloneCredentials {{ host: {:?}, username: {:?}, .. }}",
            self.host, self.username
        )
    }
}

impl CloneCredentials {
    /// The answer to the clone's request for credentials: these, if it is for this host.
    fn answer(
        &self,
        action: gix::credentials::helper::Action,
    ) -> gix::Result<Option<gix::credentials::protocol::Outcome>> {
        let gix::credentials::helper::Action::Get(mut ctx) = action else {
            return Ok(None);
        };
        if ctx.host.is_none() {
            ctx.destructure_url_in_place(false)?;
        }
        let secure = match ctx.protocol.as_deref() {
            Some("https") => true,
            Some("http") => is_loopback(ctx.host.as_deref().unwrap_or_default()),
            _ => false,
        };
        if !secure || ctx.host.as_deref() != Some(self.host.as_str()) {
            return Ok(None);
        }
        Ok(Some(gix::credentials::protocol::Outcome {
            identity: gix::sec::identity::Account {
                username: self.username.clone(),
                password: self.password.clone(),
                oauth_refresh_token: None,
            },
            next: ctx.into(),
        }))
    }
}

/// Whether `host` (with or without a port) is this machine: plain http is fine there only.
fn is_loopback(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
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
    let opened = open_or_clone(&opts.target, opts.credentials.clone())?;
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

/// Opens the repository at `target`, a local path or a URL to clone (bare, no work tree), with
/// `credentials` for a server that asks.
pub fn open_or_clone(
    target: &str,
    credentials: Option<CloneCredentials>,
) -> Result<OpenedRepository> {
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
        let repo = clone_bare(target, dir.path(), credentials)?;
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
fn clone_bare(
    url: &str,
    dir: &Path,
    credentials: Option<CloneCredentials>,
) -> Result<gix::Repository> {
    let interrupt = crate::cleanup::interrupt_flag();
    let mut prepare =
        gix::prepare_clone_bare(url, dir).with_context(|| format!("cannot clone {url}"))?;
    if let Some(credentials) = credentials {
        prepare = prepare.configure_connection(move |connection| {
            let credentials = credentials.clone();
            connection.set_credentials(move |action| credentials.answer(action));
            Ok(())
        });
    }
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
        let place = if opts.name_in_notes {
            format!(
                " in {}",
                crate::escape::escape_control(&crate::redact_url::redact_urls_in(repository))
            )
        } else {
            String::new()
        };
        crate::progress::note(&format!(
            "ferret: {} submodule(s) not followed{place} (scan them separately): {}",
            history.submodules.len(),
            crate::escape::escape_control(&history.submodules.join(", "))
        ));
    }
    Ok(())
}

#[cfg(test)]
mod credential_tests {
    use super::*;
    use gix::credentials::helper::Action;

    fn creds() -> CloneCredentials {
        CloneCredentials {
            host: "git.example.com".into(),
            username: "oauth2".into(),
            password: "tok".into(),
        }
    }

    fn asked(url: &str) -> Option<String> {
        creds()
            .answer(Action::get_for_url(url))
            .unwrap()
            .map(|o| format!("{}:{}", o.identity.username, o.identity.password))
    }

    #[test]
    fn a_clone_is_answered_only_for_its_own_host_over_https() {
        assert_eq!(
            asked("https://git.example.com/team/app.git").as_deref(),
            Some("oauth2:tok")
        );
        // A redirect elsewhere, another port, clear text, or a lookalike host: nothing.
        for url in [
            "https://elsewhere.example/team/app.git",
            "https://git.example.com:8443/team/app.git",
            "http://git.example.com/team/app.git",
            "https://git.example.com.evil.example/app.git",
        ] {
            assert_eq!(asked(url), None, "{url}");
        }
        assert!(creds().answer(Action::Erase("x".into())).unwrap().is_none());
        assert!(
            !format!("{:?}", creds()).contains("tok"),
            "Debug hides the token"
        );
    }
}
