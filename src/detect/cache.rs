//! Remembers what the detector found in bytes it has already seen, so that the many versions of a
//! file in a history cost little more than the bytes each version changed.
//!
//! Two things are remembered, both keyed by a 128-bit hash of exactly the bytes they depend on:
//! - the keyword hits and base64 runs of each content-defined segment of a blob (segment
//!   boundaries follow the content, so an edit disturbs only the segment it falls in), and
//! - the confirmed matches of one rule in one search window (a window depends only on its own bytes).
//!
//! Windows are still built from the hits of the whole blob exactly as [`super::Detector::scan`]
//! builds them, so a cached scan finds what a full scan finds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use xxhash_rust::xxh3::xxh3_128_with_seed;

use super::base64_run;
use super::matcher::Match;
use super::prefilter::{Hit, Prefilter};

/// Content-defined segment sizes: small enough that one edit invalidates little, large enough that
/// hashing and looking up segments costs far less than searching them.
const SEGMENT_MIN: u32 = 1536;
const SEGMENT_AVG: u32 = 2048;
const SEGMENT_MAX: u32 = 8192;

/// Entries each shard holds before it is emptied; bounds memory on histories of any size (versions
/// of one file sit together in pack order, so forgetting old entries loses little).
const SHARD_CAPACITY: usize = 1 << 15;
const SHARDS: usize = 64;

/// A hit relative to the start of its segment.
#[derive(Debug, Clone, Copy)]
struct SegmentHit {
    offset: u32,
    len: u32,
    pattern: u32,
}

/// What one segment holds: its keyword hits, and its base64 runs as [`base64_run::segment_runs`]
/// gives them.
#[derive(Debug)]
struct Segment {
    hits: Box<[SegmentHit]>,
    runs: Box<[(u32, u32)]>,
}

/// The shared memory of a scan; safe to use from every worker thread.
#[derive(Debug)]
pub struct DetectCache {
    segments: Sharded<Arc<Segment>>,
    window_matches: Sharded<Arc<[Match]>>,
}

impl Default for DetectCache {
    fn default() -> Self {
        Self::new()
    }
}

impl DetectCache {
    pub fn new() -> Self {
        Self {
            segments: Sharded::new(),
            window_matches: Sharded::new(),
        }
    }

    /// Fills `out` with every keyword hit of `data` and `runs` with its base64 runs (as
    /// [`base64_run::for_each`] finds them), in order, searching only segments whose bytes (with
    /// the keyword-length margins the search reads) have not been seen before.
    pub(super) fn hits(
        &self,
        prefilter: &Prefilter,
        data: &[u8],
        out: &mut Vec<Hit>,
        runs: &mut Vec<(usize, usize)>,
    ) {
        out.clear();
        runs.clear();
        let margin = prefilter.max_keyword_len();
        let mut stitcher = base64_run::Stitcher::default();
        for chunk in fastcdc::v2020::FastCDC::new(data, SEGMENT_MIN, SEGMENT_AVG, SEGMENT_MAX) {
            let (from, to) = (chunk.offset, chunk.offset + chunk.length);
            let lo = from.saturating_sub(margin);
            let hi = to.saturating_add(margin).min(data.len());
            let seed = ((from - lo) as u64) << 32 | chunk.length as u64;
            // The runs depend on the segment's bytes alone, which the key covers.
            let key = xxh3_128_with_seed(&data[lo..hi], seed);
            let segment = match self.segments.get(key) {
                Some(cached) => {
                    out.extend(cached.hits.iter().map(|h| Hit {
                        start: from + h.offset as usize,
                        end: from + (h.offset + h.len) as usize,
                        pattern: h.pattern,
                    }));
                    cached
                }
                None => {
                    let first = out.len();
                    prefilter.hits_in(data, from, to, out);
                    let hits = out[first..]
                        .iter()
                        .map(|h| SegmentHit {
                            offset: (h.start - from) as u32,
                            len: (h.end - h.start) as u32,
                            pattern: h.pattern,
                        })
                        .collect();
                    let mut segment_runs = Vec::new();
                    base64_run::segment_runs(&data[from..to], &mut segment_runs);
                    let segment = Arc::new(Segment {
                        hits,
                        runs: segment_runs.into(),
                    });
                    self.segments.insert(key, segment.clone());
                    segment
                }
            };
            stitcher.push(data, from, &segment.runs, runs);
        }
        stitcher.finish(data, runs);
    }

    /// The matches of `rules` in `window`, from memory or from `search` (which appends to its
    /// argument matches with positions in `data`). Pushes them onto `out`.
    pub(super) fn window_matches(
        &self,
        rules: impl Iterator<Item = usize>,
        data: &[u8],
        window: (usize, usize),
        out: &mut Vec<Match>,
        search: impl FnOnce(&mut Vec<Match>),
    ) {
        // The rule set is part of the key: the same bytes searched by other rules find other things.
        let seed = rules.fold(0xcbf2_9ce4_8422_2325_u64, |acc, rule| {
            (acc ^ rule as u64).wrapping_mul(0x0100_0000_01b3)
        });
        let key = xxh3_128_with_seed(&data[window.0..window.1], seed);
        if let Some(cached) = self.window_matches.get(key) {
            out.extend(cached.iter().map(|m| Match {
                start: m.start + window.0,
                end: m.end + window.0,
                ..m.clone()
            }));
            return;
        }
        let first = out.len();
        search(out);
        let found = out[first..]
            .iter()
            .map(|m| Match {
                start: m.start - window.0,
                end: m.end - window.0,
                ..m.clone()
            })
            .collect();
        self.window_matches.insert(key, found);
    }
}

/// A hash map split into independently locked shards so worker threads rarely wait on each other.
#[derive(Debug)]
struct Sharded<V> {
    shards: Box<[Mutex<HashMap<u128, V>>]>,
}

impl<V: Clone> Sharded<V> {
    fn new() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    fn shard(&self, key: u128) -> std::sync::MutexGuard<'_, HashMap<u128, V>> {
        // The key is a hash already; its low bits spread the shards evenly.
        self.shards[(key as usize) % SHARDS]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, key: u128) -> Option<V> {
        self.shard(key).get(&key).cloned()
    }

    fn insert(&self, key: u128, value: V) {
        let mut shard = self.shard(key);
        if shard.len() >= SHARD_CAPACITY {
            shard.clear();
        }
        shard.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Detector, Scratch, rules::embedded_rules};

    fn summary(matches: &[Match]) -> Vec<(usize, usize, usize, usize, Vec<u8>)> {
        matches
            .iter()
            .map(|m| (m.rule, m.start, m.end, m.line, m.secret.clone()))
            .collect()
    }

    /// Every corpus file, and versions of it edited at the start, middle and end, give the same
    /// matches from a cached scan (after the cache has seen the other versions) as from a full one.
    #[test]
    fn cached_scan_finds_what_a_full_scan_finds() {
        let detector = Detector::new(embedded_rules().unwrap()).unwrap();
        let cache = DetectCache::new();
        let mut scratch = Scratch::default();
        let (mut full, mut cached) = (Vec::new(), Vec::new());
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dir");
        let mut files = 0;
        let mut total_matches = 0;
        for entry in ignore::WalkBuilder::new(&dir).hidden(false).build() {
            let entry = entry.unwrap();
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let original = std::fs::read(entry.path()).unwrap();
            // Repeat the file so it spans many segments, then edit copies of it.
            let base: Vec<u8> = original.repeat(1 + 20_000 / (original.len() + 1));
            let mid = base.len() / 2;
            let versions = [
                base.clone(),
                [b"# edited first line\n".as_slice(), &base].concat(),
                [&base[..mid], b"\ninserted = 1\n".as_slice(), &base[mid..]].concat(),
                [&base[..mid], &base[mid + 7.min(base.len() - mid)..]].concat(),
                [base.as_slice(), b"\n# trailing edit\n"].concat(),
            ];
            for data in &versions {
                detector.scan(data, &mut scratch, &mut full);
                detector.scan_cached(data, &mut scratch, &cache, &mut cached);
                assert_eq!(
                    summary(&full),
                    summary(&cached),
                    "{}",
                    entry.path().display()
                );
                total_matches += full.len();
            }
            files += 1;
        }
        assert!(files >= 10, "the corpus was read ({files} files)");
        assert!(
            total_matches > 100,
            "the corpus has secrets ({total_matches})"
        );
    }
}
