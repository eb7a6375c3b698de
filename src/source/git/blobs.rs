//! Scans the unique blobs of a history in parallel, then attaches provenance to the few that
//! matched and reports them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use gix::ObjectId;
use gix::objs::{CommitRef, Find, FindHeader};
use gix::odb::pack::Find as _;

use super::history::{History, Source};
use crate::detect::Match;
use crate::finding::fingerprint;
use crate::scan::{ScanStats, Scanner, ThreadState};
use crate::source::Origin;

/// Blobs a worker takes from the shared queue at a time: large enough that the queue is not
/// contended, small enough that the cores finish together.
const BATCH: usize = 64;

/// The first bytes of a Git LFS pointer file; the content it points to is not in the repository.
const LFS_POINTER_PREFIX: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// Scans every blob of `history` once, in parallel, and reports the matches at every place that
/// introduced the blob. `head_blobs` are the blobs of the default branch's HEAD tree.
pub fn scan_history_blobs(
    repo: &gix::Repository,
    history: &mut History,
    head_blobs: &gix::hashtable::HashSet<ObjectId>,
    scanner: &Scanner,
) {
    let history_ref: &History = history;
    let order = pack_order(repo, history_ref);
    let shared = repo.clone().into_sync();
    let next = AtomicUsize::new(0);
    let matched: Mutex<Vec<(u32, Vec<Match>)>> = Mutex::new(Vec::new());
    let head_fingerprints: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    let workers = rayon::current_num_threads().max(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let mut repo = shared.to_thread_local();
                // Blobs are read once each; caching whole objects would only evict delta bases.
                repo.object_cache_size(None);
                let mut state = ThreadState::default();
                let mut buf = Vec::new();
                let mut found = Vec::new();
                loop {
                    let start = next.fetch_add(BATCH, Ordering::Relaxed);
                    if start >= order.len() {
                        break;
                    }
                    for &index in &order[start..(start + BATCH).min(order.len())] {
                        let id = history_ref.blobs[index as usize].id;
                        let Some(data) = read_blob(&repo, id, scanner, &mut buf) else {
                            continue;
                        };
                        let matches = scanner.find_matches(data, &mut state);
                        if matches.is_empty() {
                            continue;
                        }
                        if head_blobs.contains(&id) {
                            let mut fps =
                                head_fingerprints.lock().unwrap_or_else(|e| e.into_inner());
                            for m in matches {
                                let rule = &scanner.detector.rules()[m.rule];
                                fps.insert(fingerprint(&rule.id, &m.secret));
                            }
                        }
                        found.push((index, matches.to_vec()));
                    }
                }
                matched
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .append(&mut found);
            });
        }
    });
    let mut matched = matched.into_inner().unwrap_or_else(|e| e.into_inner());
    matched.sort_by_key(|(index, _)| *index);
    let head_fingerprints = head_fingerprints
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let wanted: HashSet<u32> = matched.iter().map(|(index, _)| *index).collect();
    history.add_alias_intros(repo, &wanted);
    report_blobs(repo, history, &matched, &head_fingerprints, scanner);
}

/// Blob indexes sorted by where the blobs sit in the packs, so that consecutive reads share delta
/// bases that the pack cache still holds; loose objects come last.
fn pack_order(repo: &gix::Repository, history: &History) -> Vec<u32> {
    let mut buf = Vec::new();
    let mut odb = repo.objects.clone();
    // Pack ids in locations are only meaningful while packs stay loaded.
    odb.prevent_pack_unload();
    let mut keyed: Vec<(u32, u64, u32)> = history
        .blobs
        .iter()
        .enumerate()
        .map(|(index, blob)| {
            let (pack, offset) = match odb.location_by_oid(&blob.id, &mut buf) {
                Ok(Some(loc)) => (loc.pack_id, loc.pack_offset),
                _ => (u32::MAX, 0),
            };
            (pack, offset, index as u32)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, _, index)| index).collect()
}

/// Reads blob `id` into `buf`, or counts or reports why it was not read.
fn read_blob<'b>(
    repo: &gix::Repository,
    id: ObjectId,
    scanner: &Scanner,
    buf: &'b mut Vec<u8>,
) -> Option<&'b [u8]> {
    match repo.objects.try_header(&id) {
        Ok(Some(header)) if header.size > scanner.max_blob_size => {
            ScanStats::bump(&scanner.stats.skipped_too_large);
            return None;
        }
        Ok(Some(_)) => {}
        Ok(None) => {
            scanner
                .stats
                .error(id.to_string(), "blob is missing from the object database");
            return None;
        }
        Err(e) => {
            scanner
                .stats
                .error(id.to_string(), format!("cannot read blob: {e}"));
            return None;
        }
    }
    match repo.objects.try_find(&id, buf) {
        Ok(Some(data)) => {
            if data.data.len() < 200 && data.data.starts_with(LFS_POINTER_PREFIX) {
                return None;
            }
            Some(data.data)
        }
        Ok(None) => {
            scanner
                .stats
                .error(id.to_string(), "blob is missing from the object database");
            None
        }
        Err(e) => {
            scanner
                .stats
                .error(id.to_string(), format!("cannot read blob: {e}"));
            None
        }
    }
}

/// Who made a commit and why, as findings show it.
#[derive(Debug, Clone, Default)]
struct CommitMeta {
    id: String,
    author: String,
    email: String,
    date: String,
    summary: String,
}

fn report_blobs(
    repo: &gix::Repository,
    history: &History,
    matched: &[(u32, Vec<Match>)],
    head_fingerprints: &HashSet<String>,
    scanner: &Scanner,
) {
    let mut commits: HashMap<u32, CommitMeta> = HashMap::new();
    let mut buf = Vec::new();
    for (index, matches) in matched {
        let blob = &history.blobs[*index as usize];
        let data = match repo.objects.try_find(&blob.id, &mut buf) {
            Ok(Some(data)) => data.data.to_vec(),
            _ => {
                scanner
                    .stats
                    .error(blob.id.to_string(), "blob could not be read a second time");
                continue;
            }
        };
        for intro in &blob.intros {
            let meta = commits
                .entry(intro.source)
                .or_insert_with(|| commit_meta(repo, &history.sources[intro.source as usize]))
                .clone();
            let path = history.paths.get(intro.path);
            for m in matches {
                let rule = &scanner.detector.rules()[m.rule];
                let still_in_head = head_fingerprints.contains(&fingerprint(&rule.id, &m.secret));
                let origin = Arc::new(Origin::Git {
                    path: path.clone(),
                    commit: meta.id.clone(),
                    author: meta.author.clone(),
                    email: meta.email.clone(),
                    date: meta.date.clone(),
                    summary: meta.summary.clone(),
                    blob: blob.id.to_string(),
                    still_in_head,
                });
                scanner.report_matches(&data, std::slice::from_ref(m), &origin);
            }
        }
    }
}

fn commit_meta(repo: &gix::Repository, source: &Source) -> CommitMeta {
    let id = match source {
        Source::Commit(id) => *id,
        Source::Ref(name) => {
            return CommitMeta {
                id: name.clone(),
                summary: format!("object named directly by {name}"),
                ..CommitMeta::default()
            };
        }
    };
    let mut buf = Vec::new();
    let mut meta = CommitMeta {
        id: id.to_string(),
        ..CommitMeta::default()
    };
    let Ok(Some(data)) = repo.objects.try_find(&id, &mut buf) else {
        return meta;
    };
    let Ok(commit) = CommitRef::from_bytes(data.data, repo.object_hash()) else {
        return meta;
    };
    if let Ok(author) = commit.author() {
        let author = author.trim();
        meta.author = author.name.to_string();
        meta.email = author.email.to_string();
        if let Ok(time) = author.time() {
            meta.date = time.format_or_unix(gix::date::time::format::ISO8601_STRICT);
        }
    }
    meta.summary = commit.message_summary().to_string();
    meta
}
