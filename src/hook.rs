//! `ferret hook install`: a plain git pre-commit hook for people who do not use the pre-commit
//! framework.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::atomic_file::AtomicFile;

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
    // `--` ends the options: nothing after it (a path, should one ever be passed) is read as one.
    let script = format!(
        "#!/bin/sh\n\
         {MARKER} (installed by `ferret hook install`).\n\
         # Refuses a commit whose staged changes add a secret. After review you can instead mark the\n\
         # line `ferret:allow` or add the finding's fingerprint to .ferretignore.\n\
         ferret_default={}\n\
         FERRET_BIN=\"${{FERRET_BIN:-$ferret_default}}\"\n\
         command -v \"$FERRET_BIN\" >/dev/null 2>&1 || FERRET_BIN=ferret\n\
         exec \"$FERRET_BIN\" scan git --staged -- .\n",
        shell_quote(&ferret)
    );
    let mut file = AtomicFile::create(&hook)?;
    file.write_all(script.as_bytes())
        .with_context(|| format!("cannot write {}", hook.display()))?;
    make_executable(&file)?;
    file.commit()?;
    Ok(hook)
}

/// `s` as one word for `sh` (an assignment's value): single-quoted, so `$`, backquotes and spaces
/// in the binary's path are taken literally.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
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
fn make_executable(file: &AtomicFile) -> Result<()> {
    file.set_mode(0o755)
}

#[cfg(not(unix))]
fn make_executable(_file: &AtomicFile) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_paths_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("/opt/my ferret/$(x)"), "'/opt/my ferret/$(x)'");
        assert_eq!(shell_quote("/it's"), "'/it'\\''s'");
    }
}
