//! Reads one blob of a repository again, by the commit and path a report named it by or by its
//! object id: `ferret recheck` looks for a secret exactly where a scan of history found it.

use anyhow::{Context, Result};
use gix::ObjectId;

/// What looking a blob up found.
#[derive(Debug)]
pub enum BlobLookup {
    /// The blob's bytes.
    Found(Vec<u8>),
    /// It is not there any more, and why (the commit is gone, the path is not in its tree...).
    Missing(String),
    /// It is larger than the caller reads.
    TooLarge(u64),
}

/// The blob at `path` in the tree of `commit`, else the blob `blob` itself (a commit rewritten
/// away whose objects are still stored), read only when at most `max_size` bytes.
pub fn read_blob(
    repo: &gix::Repository,
    commit: &str,
    path: &str,
    blob: &str,
    max_size: u64,
) -> Result<BlobLookup> {
    let at_path = blob_at_path(repo, commit, path)?;
    let id = match (at_path, ObjectId::from_hex(blob.as_bytes())) {
        (Ok(id), _) => id,
        (Err(_), Ok(id)) if repo.has_object(id) => id,
        (Err(why), _) => return Ok(BlobLookup::Missing(why)),
    };
    let header = repo
        .find_header(id)
        .with_context(|| format!("cannot read blob {id}"))?;
    if header.size() > max_size {
        return Ok(BlobLookup::TooLarge(header.size()));
    }
    let object = repo
        .find_object(id)
        .with_context(|| format!("cannot read blob {id}"))?;
    if object.kind != gix::object::Kind::Blob {
        return Ok(BlobLookup::Missing(format!("object {id} is not a blob")));
    }
    Ok(BlobLookup::Found(object.detach().data))
}

/// The id of the blob at `path` in `commit`, or why there is none (the inner error).
fn blob_at_path(
    repo: &gix::Repository,
    commit: &str,
    path: &str,
) -> Result<std::result::Result<ObjectId, String>> {
    let Ok(commit_id) = ObjectId::from_hex(commit.as_bytes()) else {
        return Ok(Err(format!("{commit:?} is not a commit id")));
    };
    if !repo.has_object(commit_id) {
        return Ok(Err(format!(
            "commit {commit} is no longer in the repository"
        )));
    }
    let tree = repo
        .find_object(commit_id)
        .with_context(|| format!("cannot read commit {commit}"))?
        .peel_to_tree()
        .with_context(|| format!("cannot read the tree of commit {commit}"))?;
    let entry = tree
        .lookup_entry_by_path(path)
        .with_context(|| format!("cannot read the tree of commit {commit}"))?;
    Ok(match entry {
        Some(entry) if entry.mode().is_blob() => Ok(entry.object_id()),
        _ => Err(format!("commit {commit} has no file {path}")),
    })
}
