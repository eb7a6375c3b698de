//! Which blobs a history holds and where each was introduced: commits are enumerated from the
//! selected refs, visited oldest first, and their trees walked once each (a subtree already seen is
//! skipped), so every unique blob is recorded once with the first (commit, path) pairs that held it.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result, bail};
use gix::ObjectId;
use gix::objs::{CommitRefIter, Find, TreeRefIter};
use gix::revision::walk::Sorting;
use gix::traverse::commit::simple::CommitTimeOrder;

use crate::pipeline::ScanStats;

/// A blob is reported at no more than this many paths; beyond that (the empty file, a licence copied
/// everywhere) the extra places add nothing a reader would act on.
const MAX_INTROS_PER_BLOB: usize = 16;

/// Where a blob was introduced: indexes into [`History::sources`] and [`History::paths`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intro {
    /// Index of the commit (or ref) that introduced it.
    pub source: u32,
    /// Index of the path it was introduced at.
    pub path: u32,
}

/// What introduced a blob: a commit, or a ref that points straight at a tree or blob.
#[derive(Debug, Clone)]
pub enum Source {
    /// A commit.
    Commit(ObjectId),
    /// A ref naming a tree or blob (`git tag key <blob>`).
    Ref(String),
}

/// One unique blob and the places that introduced it.
#[derive(Debug)]
pub struct BlobRecord {
    /// The blob's id.
    pub id: ObjectId,
    /// First (commit, path) pairs, oldest first; at most [`MAX_INTROS_PER_BLOB`].
    pub intros: Vec<Intro>,
}

/// Interned paths: each distinct path stored once, named by a `u32`.
#[derive(Debug, Default)]
pub struct Paths {
    ids: HashMap<Box<[u8]>, u32>,
    list: Vec<Box<[u8]>>,
}

impl Paths {
    fn intern(&mut self, path: &[u8]) -> u32 {
        if let Some(&id) = self.ids.get(path) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(path.into());
        self.ids.insert(path.into(), id);
        id
    }

    /// The path with id `id`, as text.
    pub fn get(&self, id: u32) -> String {
        String::from_utf8_lossy(&self.list[id as usize]).into_owned()
    }

    /// The path with id `id`, as stored.
    pub fn bytes(&self, id: u32) -> &[u8] {
        &self.list[id as usize]
    }
}

/// Which commits to read.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Start from these revisions instead of every ref.
    pub branches: Vec<String>,
    /// Leave out these revisions and everything they reach (`--since`, the base of `--range`).
    pub hidden: Vec<String>,
}

/// The unique blobs of the selected history, with provenance.
#[derive(Debug, Default)]
pub struct History {
    /// Commits (oldest first) and refs that introduced blobs.
    pub sources: Vec<Source>,
    /// Interned paths.
    pub paths: Paths,
    /// Unique blobs in the order they were first seen.
    pub blobs: Vec<BlobRecord>,
    /// Submodule paths (gitlinks), which are not followed.
    pub submodules: Vec<String>,
    /// Number of commits walked.
    pub commits_walked: usize,
    /// Blob id -> index in `blobs`.
    pub blob_index: gix::hashtable::HashMap<ObjectId, u32>,
    /// Trees met again at a path other than where they were first walked (an identical directory
    /// elsewhere, a moved directory), with the commit that put them there: their blobs are at that
    /// path too, which [`History::add_alias_intros`] records for the blobs that matter.
    pub tree_aliases: Vec<(ObjectId, u32, u32)>,
}

/// Walks the selected history of `repo` and records every unique blob. Unreadable commits and
/// trees are reported in `stats` and skipped.
pub fn collect_history(
    repo: &gix::Repository,
    selection: &Selection,
    stats: &ScanStats,
) -> Result<History> {
    let mut walker = Walker {
        repo,
        stats,
        history: History::default(),
        tree_paths: gix::hashtable::HashMap::default(),
        aliased: HashSet::new(),
        seen_trees: gix::hashtable::HashSet::default(),
        excluded_blobs: gix::hashtable::HashSet::default(),
        submodule_paths: Default::default(),
        previous_trees: HashMap::new(),
        path_buf: Vec::new(),
        buf: Vec::new(),
    };
    let (tips, ref_roots) = resolve_tips(repo, &selection.branches)?;
    let hidden = selection
        .hidden
        .iter()
        .map(|spec| resolve_commit(repo, spec))
        .collect::<Result<Vec<_>>>()?;
    let commits = walk_commits(repo, &tips, &hidden, stats)?;

    // Content already present where the range starts is not new: mark the trees and blobs of
    // every commit just outside the range as seen.
    if !hidden.is_empty() {
        let in_range: gix::hashtable::HashSet<ObjectId> = commits.iter().map(|c| c.0).collect();
        let mut boundary: Vec<ObjectId> = commits
            .iter()
            .flat_map(|c| c.1.iter().copied())
            .filter(|p| !in_range.contains(p))
            .collect();
        boundary.extend(hidden.iter().copied());
        boundary.sort();
        boundary.dedup();
        for commit in boundary {
            if let Some(tree) = walker.commit_tree(commit) {
                walker.exclude_tree(tree);
            }
        }
    }

    walker.history.commits_walked = commits.len();
    for (commit, _) in commits {
        let source = walker.history.sources.len() as u32;
        walker.history.sources.push(Source::Commit(commit));
        if let Some(tree) = walker.commit_tree(commit) {
            walker.walk_tree(tree, source);
        }
    }
    for (name, id, kind) in ref_roots {
        let source = walker.history.sources.len() as u32;
        walker.history.sources.push(Source::Ref(name.clone()));
        match kind {
            gix::object::Kind::Tree => walker.walk_tree(id, source),
            _ => walker.record_blob(id, name.as_bytes(), source),
        }
    }
    let mut history = walker.history;
    history.submodules = walker.submodule_paths.into_iter().collect();
    history.submodules.sort();
    Ok(history)
}

/// The commits to start from, plus refs that point straight at trees or blobs.
type Tips = (Vec<ObjectId>, Vec<(String, ObjectId, gix::object::Kind)>);

fn resolve_tips(repo: &gix::Repository, branches: &[String]) -> Result<Tips> {
    let mut commits = Vec::new();
    let mut others = Vec::new();
    if !branches.is_empty() {
        for spec in branches {
            commits.push(resolve_commit(repo, spec)?);
        }
        return Ok((commits, others));
    }
    let platform = repo
        .references()
        .context("cannot list the repository's refs")?;
    let refs = platform
        .all()
        .context("cannot list the repository's refs")?;
    for reference in refs {
        let mut reference = match reference {
            Ok(r) => r,
            Err(e) => bail!("cannot read a ref: {e}"),
        };
        let name = reference.name().as_bstr().to_string();
        let object = match reference.peel_to_id() {
            Ok(id) => id.detach(),
            // A symbolic ref to an unborn branch, or a ref to a missing object: nothing to read.
            Err(_) => continue,
        };
        let mut id = object;
        let mut kind = match repo.find_header(id) {
            Ok(h) => h.kind(),
            Err(_) => continue,
        };
        // Annotated tags were peeled by `peel_to_id`; a tag of a tag of a blob may still remain.
        while kind == gix::object::Kind::Tag {
            let Ok(tag) = repo.find_object(id).map(|o| o.into_tag()) else {
                break;
            };
            let Ok(target) = tag.target_id() else { break };
            id = target.detach();
            kind = match repo.find_header(id) {
                Ok(h) => h.kind(),
                Err(_) => break,
            };
        }
        match kind {
            gix::object::Kind::Commit => commits.push(id),
            gix::object::Kind::Tree | gix::object::Kind::Blob => others.push((name, id, kind)),
            gix::object::Kind::Tag => {}
        }
    }
    commits.sort();
    commits.dedup();
    Ok((commits, others))
}

/// The commit a revision spec (branch, tag, sha, `HEAD~2`) names.
pub fn resolve_commit(repo: &gix::Repository, spec: &str) -> Result<ObjectId> {
    let object = repo
        .rev_parse_single(spec)
        .with_context(|| format!("unknown revision {spec:?}"))?
        .object()
        .with_context(|| format!("cannot read revision {spec:?}"))?;
    let commit = object
        .peel_to_commit()
        .with_context(|| format!("revision {spec:?} does not name a commit"))?;
    Ok(commit.id)
}

/// Commits reachable from `tips` and not from `hidden`, oldest first, with their parents.
fn walk_commits(
    repo: &gix::Repository,
    tips: &[ObjectId],
    hidden: &[ObjectId],
    stats: &ScanStats,
) -> Result<Vec<(ObjectId, Vec<ObjectId>)>> {
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let walk = repo
        .rev_walk(tips.iter().copied())
        .with_hidden(hidden.iter().copied())
        .sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst))
        .all()
        .context("cannot walk the commit history")?;
    let mut commits = Vec::new();
    for info in walk {
        match info {
            Ok(info) => commits.push((info.id, info.parent_ids.iter().copied().collect())),
            Err(e) => {
                // The walk cannot go past an unreadable commit; what was reached is still scanned.
                stats.error("git history", format!("cannot walk every commit: {e}"));
                break;
            }
        }
    }
    commits.reverse();
    Ok(commits)
}

struct Walker<'a> {
    repo: &'a gix::Repository,
    stats: &'a ScanStats,
    history: History,
    /// Path each walked tree was first met at.
    tree_paths: gix::hashtable::HashMap<ObjectId, u32>,
    aliased: HashSet<(ObjectId, u32)>,
    seen_trees: gix::hashtable::HashSet<ObjectId>,
    excluded_blobs: gix::hashtable::HashSet<ObjectId>,
    submodule_paths: std::collections::BTreeSet<String>,
    /// The last tree walked at each directory path (by interned path), raw.
    previous_trees: HashMap<u32, Vec<u8>>,
    path_buf: Vec<u8>,
    buf: Vec<u8>,
}

impl Walker<'_> {
    /// The root tree of `commit`, or `None` (reported) when the commit cannot be read.
    fn commit_tree(&mut self, commit: ObjectId) -> Option<ObjectId> {
        match self.repo.objects.try_find(&commit, &mut self.buf) {
            Ok(Some(data)) => {
                match CommitRefIter::from_bytes(data.data, self.repo.object_hash()).tree_id() {
                    Ok(tree) => Some(tree),
                    Err(e) => {
                        self.error(commit, format!("corrupt commit: {e}"));
                        None
                    }
                }
            }
            Ok(None) => {
                self.error(commit, "commit is missing from the object database");
                None
            }
            Err(e) => {
                self.error(commit, format!("cannot read commit: {e}"));
                None
            }
        }
    }

    fn error(&self, id: ObjectId, message: impl std::fmt::Display) {
        self.stats.error(id.to_string(), message);
    }

    /// Reads tree `id` and returns its entries as (mode, name, id).
    fn read_tree(
        &mut self,
        id: ObjectId,
    ) -> Option<Vec<(gix::objs::tree::EntryMode, Vec<u8>, ObjectId)>> {
        let data = match self.repo.objects.try_find(&id, &mut self.buf) {
            Ok(Some(data)) => data,
            Ok(None) => {
                self.error(id, "tree is missing from the object database");
                return None;
            }
            Err(e) => {
                self.error(id, format!("cannot read tree: {e}"));
                return None;
            }
        };
        let mut entries = Vec::new();
        for entry in TreeRefIter::from_bytes(data.data, self.repo.object_hash()) {
            match entry {
                Ok(e) => entries.push((e.mode, e.filename.to_vec(), e.oid.to_owned())),
                Err(e) => {
                    self.error(id, format!("corrupt tree: {e}"));
                    break;
                }
            }
        }
        Some(entries)
    }

    /// Marks every tree and blob under `root` as already present (not new in the range).
    fn exclude_tree(&mut self, root: ObjectId) {
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if !self.seen_trees.insert(id) {
                continue;
            }
            let Some(entries) = self.read_tree(id) else {
                continue;
            };
            for (mode, _, oid) in entries {
                if mode.is_tree() {
                    stack.push(oid);
                } else if mode.is_blob() {
                    self.excluded_blobs.insert(oid);
                }
            }
        }
    }

    /// Records every blob under `root` not seen before, introduced by `source`.
    ///
    /// A changed tree usually differs from the last version seen at the same path by an entry or
    /// two, so each new tree is compared with that version and only the entries it lacks are looked
    /// at: an identical entry at the same path was recorded when that version was walked.
    fn walk_tree(&mut self, root: ObjectId, source: u32) {
        let mut stack: Vec<(ObjectId, Vec<u8>)> = vec![(root, Vec::new())];
        while let Some((id, prefix)) = stack.pop() {
            if !self.seen_trees.insert(id) {
                self.note_alias(id, &prefix, source);
                continue;
            }
            let data = match self.repo.objects.try_find(&id, &mut self.buf) {
                Ok(Some(data)) => data.data.to_vec(),
                Ok(None) => {
                    self.error(id, "tree is missing from the object database");
                    continue;
                }
                Err(e) => {
                    self.error(id, format!("cannot read tree: {e}"));
                    continue;
                }
            };
            let dir = self.history.paths.intern(&prefix);
            self.tree_paths.insert(id, dir);
            let previous = self.previous_trees.remove(&dir).unwrap_or_default();
            let hash = self.repo.object_hash();
            let mut old = TreeRefIter::from_bytes(&previous, hash)
                .flatten()
                .peekable();
            for entry in TreeRefIter::from_bytes(&data, hash) {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        self.error(id, format!("corrupt tree: {e}"));
                        break;
                    }
                };
                // Both trees are sorted in git's order; skip old entries that sort before this one.
                let mut unchanged = false;
                while let Some(o) = old.peek() {
                    match tree_order(
                        o.filename,
                        o.mode.is_tree(),
                        entry.filename,
                        entry.mode.is_tree(),
                    ) {
                        std::cmp::Ordering::Less => {
                            old.next();
                        }
                        std::cmp::Ordering::Equal => {
                            unchanged = o.oid == entry.oid && o.mode == entry.mode;
                            old.next();
                            break;
                        }
                        std::cmp::Ordering::Greater => break,
                    }
                }
                if unchanged {
                    continue;
                }
                let mut path = std::mem::take(&mut self.path_buf);
                path.clear();
                path.extend_from_slice(&prefix);
                if !path.is_empty() {
                    path.push(b'/');
                }
                path.extend_from_slice(entry.filename);
                if entry.mode.is_tree() {
                    stack.push((entry.oid.to_owned(), path.clone()));
                } else if entry.mode.is_blob() {
                    self.record_blob(entry.oid.to_owned(), &path, source);
                } else if entry.mode.is_commit() {
                    self.submodule_paths
                        .insert(String::from_utf8_lossy(&path).into_owned());
                }
                // Symlinks hold a path, never a secret worth a finding.
                self.path_buf = path;
            }
            drop(old);
            self.previous_trees.insert(dir, data);
        }
    }

    /// Remembers that tree `id`, walked before at another path, is also at `prefix`.
    fn note_alias(&mut self, id: ObjectId, prefix: &[u8], source: u32) {
        // Trees only excluded (range mode) have no path and add nothing new.
        let Some(&first) = self.tree_paths.get(&id) else {
            return;
        };
        if self.history.paths.bytes(first) == prefix {
            return;
        }
        let path = self.history.paths.intern(prefix);
        if self.aliased.insert((id, path)) {
            self.history.tree_aliases.push((id, path, source));
        }
    }

    fn record_blob(&mut self, id: ObjectId, path: &[u8], source: u32) {
        if self.excluded_blobs.contains(&id) {
            return;
        }
        match self.history.blob_index.get(&id) {
            Some(&index) => {
                let record = &self.history.blobs[index as usize];
                if record.intros.len() >= MAX_INTROS_PER_BLOB
                    || record
                        .intros
                        .iter()
                        .any(|i| self.history.paths.bytes(i.path) == path)
                {
                    return;
                }
                let path = self.history.paths.intern(path);
                self.history.blobs[index as usize]
                    .intros
                    .push(Intro { source, path });
            }
            None => {
                let path = self.history.paths.intern(path);
                let next = self.history.blobs.len() as u32;
                self.history.blob_index.insert(id, next);
                self.history.blobs.push(BlobRecord {
                    id,
                    intros: vec![Intro { source, path }],
                });
            }
        }
    }
}

impl History {
    /// Adds, for the blobs in `wanted` (indexes into `blobs`), the places where a tree alias put
    /// them: `dir/settings.env` when the tree of `a/` reappeared as `dir/`.
    pub fn add_alias_intros(&mut self, repo: &gix::Repository, wanted: &HashSet<u32>) {
        if wanted.is_empty() || self.tree_aliases.is_empty() {
            return;
        }
        let mut memo: gix::hashtable::HashMap<ObjectId, Vec<(Vec<u8>, u32)>> = Default::default();
        for (tree, dir, source) in std::mem::take(&mut self.tree_aliases) {
            let found = wanted_under(repo, tree, &self.blob_index, wanted, &mut memo);
            let dir = self.paths.bytes(dir).to_vec();
            for (rel, blob) in found {
                let mut path = dir.clone();
                if !path.is_empty() {
                    path.push(b'/');
                }
                path.extend_from_slice(&rel);
                let record = &self.blobs[blob as usize];
                if record.intros.len() >= MAX_INTROS_PER_BLOB
                    || record
                        .intros
                        .iter()
                        .any(|i| self.paths.bytes(i.path) == path)
                {
                    continue;
                }
                let path = self.paths.intern(&path);
                self.blobs[blob as usize]
                    .intros
                    .push(Intro { source, path });
            }
        }
    }
}

/// The wanted blobs under `tree`, with their paths relative to it; memoised per tree.
fn wanted_under(
    repo: &gix::Repository,
    tree: ObjectId,
    blob_index: &gix::hashtable::HashMap<ObjectId, u32>,
    wanted: &HashSet<u32>,
    memo: &mut gix::hashtable::HashMap<ObjectId, Vec<(Vec<u8>, u32)>>,
) -> Vec<(Vec<u8>, u32)> {
    if let Some(found) = memo.get(&tree) {
        return found.clone();
    }
    let mut found = Vec::new();
    let mut buf = Vec::new();
    let entries: Vec<_> = match repo.objects.try_find(&tree, &mut buf) {
        Ok(Some(data)) => TreeRefIter::from_bytes(data.data, repo.object_hash())
            .flatten()
            .map(|e| (e.mode, e.filename.to_vec(), e.oid.to_owned()))
            .collect(),
        _ => Vec::new(),
    };
    for (mode, name, oid) in entries {
        if mode.is_tree() {
            for (rel, blob) in wanted_under(repo, oid, blob_index, wanted, memo) {
                let mut path = name.clone();
                path.push(b'/');
                path.extend_from_slice(&rel);
                found.push((path, blob));
            }
        } else if mode.is_blob()
            && let Some(&blob) = blob_index.get(&oid)
            && wanted.contains(&blob)
        {
            found.push((name, blob));
        }
    }
    memo.insert(tree, found.clone());
    found
}

/// Every blob id in the tree of `repo`'s HEAD commit (empty when HEAD is unborn).
pub fn head_blobs(repo: &gix::Repository) -> gix::hashtable::HashSet<ObjectId> {
    let mut blobs = gix::hashtable::HashSet::default();
    let Ok(tree) = repo.head_tree_id() else {
        return blobs;
    };
    let mut buf = Vec::new();
    let mut stack = vec![tree.detach()];
    let mut seen = gix::hashtable::HashSet::default();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Ok(Some(data)) = repo.objects.try_find(&id, &mut buf) else {
            continue;
        };
        for entry in TreeRefIter::from_bytes(data.data, repo.object_hash()).flatten() {
            if entry.mode.is_tree() {
                stack.push(entry.oid.to_owned());
            } else if entry.mode.is_blob() {
                blobs.insert(entry.oid.to_owned());
            }
        }
    }
    blobs
}

/// Git's order of tree entries: by name, a tree's name compared as if it ended in `/`.
fn tree_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> std::cmp::Ordering {
    let common = a.len().min(b.len());
    match a[..common].cmp(&b[..common]) {
        std::cmp::Ordering::Equal => {}
        other => return other,
    }
    let next = |name: &[u8], tree: bool| match name.get(common) {
        Some(&c) => Some(c),
        None if tree => Some(b'/'),
        None => None,
    };
    next(a, a_tree).cmp(&next(b, b_tree))
}

#[cfg(test)]
mod tests {
    use super::tree_order;
    use std::cmp::Ordering;

    #[test]
    fn trees_sort_as_if_followed_by_a_slash() {
        assert_eq!(tree_order(b"a.txt", false, b"a", true), Ordering::Less);
        assert_eq!(tree_order(b"a", false, b"a.txt", false), Ordering::Less);
        assert_eq!(tree_order(b"a", true, b"a0", false), Ordering::Less);
        assert_eq!(tree_order(b"ab", false, b"ab", false), Ordering::Equal);
        assert_eq!(tree_order(b"b", false, b"a", true), Ordering::Greater);
    }
}
