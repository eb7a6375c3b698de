//! Scans the unique blobs of a history in parallel, then attaches provenance to the few that
//! matched and reports them.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use gix::ObjectId;
use gix::objs::{CommitRef, Find, FindHeader};
use gix::odb::pack::Find as _;

use anyhow::Result;

use super::history::{History, Selection, Source, collect_history, head_blobs};
use crate::pipeline::{Match, Origin, Sink, Skip, SkipReason};

/// Blobs a worker takes from the shared queue at a time: large enough that the queue is not
/// contended, small enough that the cores finish together.
const BATCH: usize = 64;

/// The first bytes of a Git LFS pointer file; the content it points to is not in the repository.
const LFS_POINTER_PREFIX: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// What the blob workers found.
#[derive(Default)]
struct Scanned {
    /// Blobs with matches.
    matched: Vec<(ObjectId, Vec<Match>)>,
    /// Every blob that was read and scanned (or deliberately skipped: binary, oversize, LFS).
    done: gix::hashtable::HashSet<ObjectId>,
    /// Fingerprints of matches in blobs of the default branch's HEAD.
    head_fingerprints: HashSet<String>,
    /// Blobs a partial clone's remote promised and did not send (see [`super::promisor`]).
    not_local: usize,
}

/// Walks the selected history and scans each of its unique blobs once, in parallel, then reports
/// the matches at every place that introduced the blob.
///
/// For a whole-history scan, the blob workers do not wait for the walk: they read every blob of
/// the packs in pack order (nearly all of which a whole history reaches) while the walk runs, and
/// afterwards the few reachable blobs they did not meet (loose objects) are scanned. Matches in
/// blobs the walk did not reach are dropped. A narrowed scan (branches, ranges) walks first and
/// scans only what it selected.
pub fn scan_history<S: Sink>(
    repo: &gix::Repository,
    repository: &str,
    selection: &Selection,
    sink: &S,
) -> Result<History> {
    let head_blobs = head_blobs(repo);
    // Most blobs of a history are versions of one another: remember what each segment and window
    // held so a new version costs about what it changed.
    let cache = sink.new_memory();
    let whole_history = selection.branches.is_empty() && selection.hidden.is_empty();
    let partial = super::promisor::is_partial_clone(repo);
    let shared = repo.clone().into_sync();
    let (history, mut scanned) = if whole_history {
        crate::progress::phase("listing packed objects");
        let packed = pack_order(repo, packed_objects(repo));
        crate::progress::phase("scanning blobs and walking history");
        let (history, scanned) = std::thread::scope(|s| {
            let workers = s.spawn(|| {
                let pass = Pass::lenient(partial);
                scan_ids(&shared, &packed, pass, &head_blobs, sink, &cache)
            });
            let history = collect_history(repo, selection, sink.stats());
            let scanned = workers
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (history, scanned)
        });
        (history?, scanned)
    } else {
        crate::progress::phase("walking history");
        (
            collect_history(repo, selection, sink.stats())?,
            Scanned::default(),
        )
    };
    let rest: Vec<ObjectId> = history
        .blobs
        .iter()
        .map(|blob| blob.id)
        .filter(|id| !scanned.done.contains(id))
        .collect();
    let rest = pack_order(repo, rest);
    crate::progress::phase("scanning blobs");
    let more = scan_ids(
        &shared,
        &rest,
        Pass::exact(partial),
        &head_blobs,
        sink,
        &cache,
    );
    scanned.matched.extend(more.matched);
    scanned.head_fingerprints.extend(more.head_fingerprints);
    scanned.not_local += more.not_local;
    if scanned.not_local > 0 {
        // One record for the repository: listing thousands of promised blobs by id helps nobody.
        sink.stats().skip(Skip::new(
            repository,
            SkipReason::PartialClone,
            format!(
                "partial clone: {} blobs not available locally (not fetched)",
                scanned.not_local
            ),
        ));
    }

    let mut history = history;
    let mut matched: Vec<(u32, Vec<Match>)> = scanned
        .matched
        .into_iter()
        .filter_map(|(id, matches)| Some((*history.blob_index.get(&id)?, matches)))
        .collect();
    // Credential-store files are read by structure, which needs the path only the walk knows: they
    // are reported even when the content scan found nothing in them.
    let with_matches: HashSet<u32> = matched.iter().map(|(index, _)| *index).collect();
    matched.extend(
        credential_blobs(repo, &history, sink)
            .filter(|index| !with_matches.contains(index))
            .map(|index| (index, Vec::new())),
    );
    matched.sort_by_key(|(index, _)| *index);
    let wanted: HashSet<u32> = matched.iter().map(|(index, _)| *index).collect();
    crate::progress::phase("finding the commits that introduced matches");
    history.add_alias_intros(repo, &wanted);
    add_head_credential_fingerprints(
        repo,
        &history,
        &matched,
        &head_blobs,
        sink,
        &mut scanned.head_fingerprints,
    );
    report_blobs(
        repo,
        repository,
        &history,
        &matched,
        &scanned.head_fingerprints,
        sink,
    );
    Ok(history)
}

/// Indexes of the blobs introduced at a path that names a credential-store file (and within the
/// size limit, which the content scan has already reported them over).
fn credential_blobs<'h, S: Sink>(
    repo: &'h gix::Repository,
    history: &'h History,
    sink: &'h S,
) -> impl Iterator<Item = u32> + 'h {
    history
        .blobs
        .iter()
        .enumerate()
        .filter(move |(_, blob)| {
            blob.intros
                .iter()
                .any(|intro| sink.reads_by_path(history.paths.bytes(intro.path)))
                && repo
                    .objects
                    .try_header(&blob.id)
                    .is_ok_and(|h| h.is_some_and(|h| h.size <= sink.max_blob_size()))
        })
        .map(|(index, _)| index as u32)
}

/// The fields a blob's credential-file reader finds at `path`, added to its content `matches`;
/// `matches` as they are when the path names no credential file (or the blob is binary).
fn matches_at<S: Sink>(sink: &S, data: &[u8], path: &[u8], matches: &[Match]) -> Vec<Match> {
    let mut all = matches.to_vec();
    sink.add_path_matches(data, path, &mut all);
    all
}

/// Records the fingerprints of credential fields in blobs of HEAD, so that their findings say
/// whether the secret is still there as content matches do.
fn add_head_credential_fingerprints<S: Sink>(
    repo: &gix::Repository,
    history: &History,
    matched: &[(u32, Vec<Match>)],
    head_blobs: &gix::hashtable::HashSet<ObjectId>,
    sink: &S,
    head_fingerprints: &mut HashSet<String>,
) {
    let mut buf = Vec::new();
    for (index, matches) in matched {
        let blob = &history.blobs[*index as usize];
        if !head_blobs.contains(&blob.id) {
            continue;
        }
        let Ok(Some(data)) = repo.objects.try_find(&blob.id, &mut buf) else {
            continue; // reported when the blob is read for its findings
        };
        for intro in &blob.intros {
            for m in matches_at(sink, data.data, history.paths.bytes(intro.path), matches) {
                head_fingerprints.insert(sink.secret_key(&m));
            }
        }
    }
}

/// Every object id in the packs, in pack order (the order that reads delta chains cheaply).
fn packed_objects(repo: &gix::Repository) -> Vec<ObjectId> {
    let Ok(all) = repo.objects.store_ref().iter() else {
        return Vec::new();
    };
    all.with_ordering(gix::odb::store::iter::Ordering::PackAscendingOffsetThenLooseLexicographical)
        .filter_map(Result::ok)
        .collect()
}

/// How one pass over object ids treats what it cannot read.
#[derive(Debug, Clone, Copy)]
struct Pass {
    /// Ids that are not blobs or cannot be read are passed over silently (whoever needs them
    /// reads them again and reports the error): the pass over every object of the packs.
    lenient: bool,
    /// The repository is a partial clone: a missing blob was promised, and is counted rather
    /// than reported as an error.
    partial: bool,
}

impl Pass {
    fn lenient(partial: bool) -> Self {
        Self {
            lenient: true,
            partial,
        }
    }

    fn exact(partial: bool) -> Self {
        Self {
            lenient: false,
            partial,
        }
    }
}

/// Scans the blobs among `ids` on every core, reading them as `pass` says.
fn scan_ids<S: Sink>(
    shared: &gix::ThreadSafeRepository,
    ids: &[ObjectId],
    pass: Pass,
    head_blobs: &gix::hashtable::HashSet<ObjectId>,
    sink: &S,
    cache: &S::Memory,
) -> Scanned {
    let next = AtomicUsize::new(0);
    let result = Mutex::new(Scanned::default());
    let workers = rayon::current_num_threads().max(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let mut repo = shared.to_thread_local();
                // Blobs are read once each; caching whole objects would only evict delta bases.
                repo.object_cache_size(None);
                let mut state = S::Thread::default();
                let mut buf = Vec::new();
                let mut mine = Scanned::default();
                loop {
                    let start = next.fetch_add(BATCH, Ordering::Relaxed);
                    if start >= ids.len() {
                        break;
                    }
                    for &id in &ids[start..(start + BATCH).min(ids.len())] {
                        let data = match read_blob(&repo, id, sink, pass.lenient, &mut buf) {
                            Read::Data(data) => data,
                            Read::Skipped => {
                                mine.done.insert(id);
                                continue;
                            }
                            Read::Failed => continue,
                            Read::Missing if pass.lenient => continue,
                            Read::Missing if pass.partial => {
                                mine.not_local += 1;
                                mine.done.insert(id);
                                continue;
                            }
                            Read::Missing => {
                                sink.stats().error(
                                    id.to_string(),
                                    "blob is missing from the object database",
                                );
                                continue;
                            }
                        };
                        mine.done.insert(id);
                        let matches = sink.find_matches_remembering(data, &mut state, cache);
                        if matches.is_empty() {
                            continue;
                        }
                        if head_blobs.contains(&id) {
                            for m in matches {
                                mine.head_fingerprints.insert(sink.secret_key(m));
                            }
                        }
                        mine.matched.push((id, matches.to_vec()));
                    }
                }
                let mut all = result.lock().unwrap_or_else(|e| e.into_inner());
                all.matched.append(&mut mine.matched);
                all.done.extend(mine.done);
                all.head_fingerprints.extend(mine.head_fingerprints);
                all.not_local += mine.not_local;
            });
        }
    });
    result.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// `ids` sorted by where the objects sit in the packs, so that consecutive reads share delta
/// bases that the pack cache still holds; loose objects come last.
fn pack_order(repo: &gix::Repository, ids: Vec<ObjectId>) -> Vec<ObjectId> {
    let mut buf = Vec::new();
    let mut odb = repo.objects.clone();
    // Pack ids in locations are only meaningful while packs stay loaded.
    odb.prevent_pack_unload();
    let mut keyed: Vec<(u32, u64, ObjectId)> = ids
        .into_iter()
        .map(|id| match odb.location_by_oid(&id, &mut buf) {
            Ok(Some(loc)) => (loc.pack_id, loc.pack_offset, id),
            _ => (u32::MAX, 0, id),
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, _, id)| id).collect()
}

/// The outcome of reading one object for scanning.
enum Read<'b> {
    Data(&'b [u8]),
    /// Deliberately not scanned (too large, an LFS pointer); counted already.
    Skipped,
    /// Not a blob (lenient reads), or an error (reported unless lenient).
    Failed,
    /// Not in the object database (promised by a partial clone's remote, or lost); not reported.
    Missing,
}

/// Reads blob `id` into `buf`, or counts or reports why it was not read.
fn read_blob<'b, S: Sink>(
    repo: &gix::Repository,
    id: ObjectId,
    sink: &S,
    lenient: bool,
    buf: &'b mut Vec<u8>,
) -> Read<'b> {
    let fail = |message: String| {
        if !lenient {
            sink.stats().error(id.to_string(), message);
        }
        Read::Failed
    };
    match repo.objects.try_header(&id) {
        Ok(Some(header)) if lenient && header.kind != gix::object::Kind::Blob => {
            return Read::Failed;
        }
        Ok(Some(header)) if header.size > sink.max_blob_size() => {
            let subject = format!("blob {id}");
            let skip = Skip::too_large(subject, Some(header.size), sink.max_blob_size());
            sink.stats().skip(skip);
            return Read::Skipped;
        }
        Ok(Some(_)) => {}
        Ok(None) => return Read::Missing,
        Err(e) => return fail(format!("cannot read blob: {e}")),
    }
    match repo.objects.try_find(&id, buf) {
        Ok(Some(data)) => {
            if data.data.len() < 200 && data.data.starts_with(LFS_POINTER_PREFIX) {
                return Read::Skipped;
            }
            Read::Data(data.data)
        }
        Ok(None) => Read::Missing,
        Err(e) => fail(format!("cannot read blob: {e}")),
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

fn report_blobs<S: Sink>(
    repo: &gix::Repository,
    repository: &str,
    history: &History,
    matched: &[(u32, Vec<Match>)],
    head_fingerprints: &HashSet<String>,
    sink: &S,
) {
    let mut commits: HashMap<u32, CommitMeta> = HashMap::new();
    let mut buf = Vec::new();
    for (index, matches) in matched {
        let blob = &history.blobs[*index as usize];
        let data = match repo.objects.try_find(&blob.id, &mut buf) {
            Ok(Some(data)) => data.data.to_vec(),
            _ => {
                sink.stats()
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
            let matches = matches_at(sink, &data, history.paths.bytes(intro.path), matches);
            for m in &matches {
                let still_in_head = head_fingerprints.contains(&sink.secret_key(m));
                let origin = Arc::new(Origin::Git {
                    repository: repository.to_string(),
                    path: path.clone(),
                    commit: meta.id.clone(),
                    author: meta.author.clone(),
                    email: meta.email.clone(),
                    date: meta.date.clone(),
                    summary: meta.summary.clone(),
                    blob: blob.id.to_string(),
                    still_in_head,
                    // One version as the source sees it; the report groups a secret's versions
                    // once every finding of the scan is in (see `pipeline::collapse`).
                    versions: 1,
                    last_commit: meta.id.clone(),
                    occurrences: Vec::new(),
                    walk_order: intro.source,
                });
                sink.report_matches(&data, std::slice::from_ref(m), &origin);
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
