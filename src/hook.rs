//! `ferret hook install`: a plain git pre-commit hook for people who do not use the pre-commit
//! framework.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Marks a hook file as written by ferret, so it may be replaced without `--force`.
const MARKER: &str = "# ferret pre-commit hook";

/// Writes `<hooks dir>/pre-commit` for the repository at `repo`; refuses to replace a hook that
/// ferret did not write unless `force`. Returns the hook's path.
pub fn install_pre_commit_hook(repo: &Path, force: bool) -> Result<PathBuf> {
    let hooks_dir = hooks_dir(repo)?;
    std::fs::create_dir_all(&hooks_dir)
        .with_context(|| format!("cannot create hooks directory {}", hooks_dir.display()))?;
    let hook = hooks_dir.join("pre-commit");
    if let Ok(existing) = std::fs::read_to_string(&hook)
        && !existing.contains(MARKER)
        && !force
    {
        bail!(
            "a pre-commit hook already exists at {}; re-run with --force to replace it, or call \
             `ferret scan git --staged` from it",
            hook.display()
        );
    }
    let ferret = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "ferret".into());
    let script = format!(
        "#!/bin/sh\n\
         {MARKER} (installed by `ferret hook install`).\n\
         # Refuses a commit whose staged changes add a secret. After review you can instead mark the\n\
         # line `ferret:allow` or add the finding's fingerprint to .ferretignore.\n\
         FERRET_BIN=\"${{FERRET_BIN:-{ferret}}}\"\n\
         command -v \"$FERRET_BIN\" >/dev/null 2>&1 || FERRET_BIN=ferret\n\
         exec \"$FERRET_BIN\" scan git --staged\n"
    );
    std::fs::write(&hook, script).with_context(|| format!("cannot write {}", hook.display()))?;
    make_executable(&hook)?;
    Ok(hook)
}

/// The repository's hooks directory as git itself resolves it (core.hooksPath, worktrees).
fn hooks_dir(repo: &Path) -> Result<PathBuf> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-parse", "--git-path", "hooks"])
        .output()
        .context("cannot run git (is it installed?)")?;
    if !out.status.success() {
        bail!(
            "{} is not inside a git repository: {}",
            repo.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    Ok(if path.is_absolute() {
        path
    } else {
        repo.join(path)
    })
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}
