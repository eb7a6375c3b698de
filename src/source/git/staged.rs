//! `--staged`: what a commit would add. The index is compared with HEAD's tree entry by entry;
//! only changed blobs are read, and only findings on lines that HEAD's version of the file lacks
//! are reported. History is never walked, so a pre-commit hook stays fast on any repository.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anyhow::{Context, Result};
use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};
use gix::objs::{Find, TreeRefIter};

use crate::pipeline::{Match, Origin, Sink, Skip, line_span};

/// Scans the staged changes of the repository at `repo`.
pub fn scan_staged<S: Sink>(repo: &gix::Repository, sink: &S) -> Result<()> {
    let index = repo
        .index_or_empty()
        .context("cannot read the index (is this a bare repository?)")?;
    let head = head_files(repo)?;
    let mut state = S::Thread::default();
    let mut buf = Vec::new();
    let mut old_buf = Vec::new();
    for entry in index.entries() {
        if entry.stage_raw() != 0
            || entry
                .flags
                .contains(gix::index::entry::Flags::INTENT_TO_ADD)
            || !matches!(
                entry.mode,
                gix::index::entry::Mode::FILE | gix::index::entry::Mode::FILE_EXECUTABLE
            )
        {
            continue;
        }
        let path = entry.path(&index);
        let old = head.get(path.as_bytes());
        if old == Some(&entry.id) {
            continue;
        }
        let shown = path.to_str_lossy().into_owned();
        let data = match repo.objects.try_find(&entry.id, &mut buf) {
            Ok(Some(data)) => data.data,
            Ok(None) => {
                sink.stats()
                    .error(shown, format!("staged blob {} is missing", entry.id));
                continue;
            }
            Err(e) => {
                sink.stats()
                    .error(shown, format!("cannot read staged blob {}: {e}", entry.id));
                continue;
            }
        };
        if data.len() as u64 > sink.max_blob_size() {
            let size = Some(data.len() as u64);
            let skip = Skip::too_large(shown.clone(), size, sink.max_blob_size());
            sink.stats().skip(skip);
            continue;
        }
        let matches = sink.find_matches_at(data, &shown, &mut state);
        if matches.is_empty() {
            continue;
        }
        let mut added: Vec<Match> = matches.to_vec();
        if let Some(old_id) = old {
            match repo.objects.try_find(old_id, &mut old_buf) {
                Ok(Some(old_data)) => {
                    let old_lines: HashSet<&[u8]> = old_data.data.lines().collect();
                    added.retain(|m| {
                        !line_span(data, m.start, m.end)
                            .lines()
                            .all(|line| old_lines.contains(line))
                    });
                }
                _ => sink
                    .stats()
                    .error(shown.clone(), format!("cannot read HEAD's blob {old_id}")),
            }
        }
        if added.is_empty() {
            continue;
        }
        let origin = Arc::new(Origin::GitStaged {
            path: shown,
            blob: entry.id.to_string(),
        });
        sink.report_matches(data, &added, &origin);
    }
    Ok(())
}

/// Path -> blob id of every file in HEAD's tree (empty before the first commit).
fn head_files(repo: &gix::Repository) -> Result<HashMap<BString, ObjectId>> {
    let mut files = HashMap::new();
    let tree = match repo.head_tree_id_or_empty() {
        Ok(tree) => tree.detach(),
        Err(e) => return Err(e).context("cannot read HEAD"),
    };
    let mut buf = Vec::new();
    let mut stack: Vec<(ObjectId, BString)> = vec![(tree, BString::default())];
    while let Some((id, prefix)) = stack.pop() {
        if id == ObjectId::empty_tree(id.kind()) {
            continue;
        }
        let data = repo
            .objects
            .try_find(&id, &mut buf)
            .with_context(|| format!("cannot read tree {id} of HEAD"))?
            .with_context(|| format!("tree {id} of HEAD is missing"))?;
        for entry in TreeRefIter::from_bytes(data.data, repo.object_hash()) {
            let entry = entry.with_context(|| format!("corrupt tree {id} of HEAD"))?;
            let mut path = prefix.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(entry.filename);
            if entry.mode.is_tree() {
                stack.push((entry.oid.to_owned(), path));
            } else if entry.mode.is_blob() {
                files.insert(path, entry.oid.to_owned());
            }
        }
    }
    Ok(files)
}
