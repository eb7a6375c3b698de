//! Reads a file at the top of a revision's tree: a pull-request gate takes the repository's
//! `ferret.toml` and `.ferretignore` from the base revision, never from the commits under review.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// Largest configuration or ignore file read from a revision.
const MAX_FILE_SIZE: usize = 4 << 20;

/// The content of `name` in the tree of `rev` (a commit, or anything that peels to one) in the
/// repository at `target`; `None` when the tree has no such file.
pub fn read_file_at(target: &Path, rev: &str, name: &str) -> Result<Option<Vec<u8>>> {
    let repo = gix::discover(target)
        .with_context(|| format!("not a git repository: {}", target.display()))?;
    let commit = repo
        .rev_parse_single(rev)
        .with_context(|| format!("cannot resolve revision {rev:?}"))?
        .object()
        .with_context(|| format!("cannot read revision {rev:?}"))?
        .peel_to_commit()
        .with_context(|| format!("revision {rev:?} is not a commit"))?;
    let tree = commit
        .tree()
        .with_context(|| format!("cannot read the tree of {rev:?}"))?;
    let Some(entry) = tree
        .lookup_entry_by_path(name)
        .with_context(|| format!("cannot read the tree of {rev:?}"))?
    else {
        return Ok(None);
    };
    if !entry.mode().is_blob() {
        bail!("{name} in revision {rev:?} is not a regular file");
    }
    let object = entry
        .object()
        .with_context(|| format!("cannot read {name} in revision {rev:?}"))?;
    if object.data.len() > MAX_FILE_SIZE {
        bail!(
            "{name} in revision {rev:?} is larger than {} bytes",
            MAX_FILE_SIZE
        );
    }
    Ok(Some(object.data.clone()))
}
