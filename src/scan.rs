//! Wires the pipeline: sources hand blobs to [`Scanner`], which runs the detector, turns matches
//! into findings, filters them and passes the survivors to the report sink.

use std::io::Read;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};
use crossbeam_channel::Sender;

use crate::detect::{
    Confidence, CredentialFile, DetectCache, Detector, Match, Scored, Scratch, credential_files,
};
use crate::filter::Filter;
use crate::finding::Finding;
use crate::line_context::{LineContext, SecretSpans};
use crate::source::Origin;

/// Blobs up to this size are scanned whole; larger ones in overlapping chunks.
pub const CHUNK_SIZE: usize = 16 << 20;
/// Overlap kept between chunks; a secret longer than this could be cut at a chunk boundary.
pub const CHUNK_OVERLAP: usize = 64 << 10;

/// Something that could not be scanned, reported at the end and reflected in the exit status.
#[derive(Debug, Clone)]
pub struct ScanError {
    /// The path, object id or URL concerned.
    pub subject: String,
    /// What went wrong.
    pub message: String,
}

/// Why something was not scanned fully. Binary content, symlinks and allowlisted paths are left
/// out by choice (flags change that) and are only counted; these are limits and problems, and each
/// is listed by name in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Larger than `--max-file-size` (or, for a zip, than what is read into memory).
    TooLarge,
    /// An archive nested deeper than the archive depth limit: not opened.
    ArchiveDepth,
    /// A compressed stream that expands past the size or ratio limit: a decompression bomb.
    DecompressionLimit,
    /// Named or shaped like an archive but corrupt, truncated or in an unsupported variant.
    Unsupported,
    /// A FIFO, socket or device: never opened, so a scan cannot block on it.
    SpecialFile,
}

impl SkipReason {
    /// Short words for the summary line and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::TooLarge => "too large",
            SkipReason::ArchiveDepth => "archive depth limit",
            SkipReason::DecompressionLimit => "decompression limit",
            SkipReason::Unsupported => "unsupported or corrupt",
            SkipReason::SpecialFile => "special file",
        }
    }
}

/// A file, archive member or layer that was not scanned fully: plain data every source emits
/// through [`ScanStats::skip`], as it reports errors through [`ScanStats::error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The path (`outer!inner` for archive members), object id or layer concerned.
    pub subject: String,
    /// Why it was not scanned fully.
    pub reason: SkipReason,
    /// What exactly was hit, for people (a limit and its value, the parser's complaint).
    pub detail: String,
    /// Its size in bytes, when known.
    pub size: Option<u64>,
}

impl Skip {
    /// A skip record of `subject` for `reason`, explained by `detail`.
    pub fn new(subject: impl Into<String>, reason: SkipReason, detail: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            reason,
            detail: detail.into(),
            size: None,
        }
    }

    /// The record of `subject` (of `size` bytes, when known) over the size limit `limit`.
    pub fn too_large(subject: impl Into<String>, size: Option<u64>, limit: u64) -> Self {
        let what = size.map_or_else(|| "more than".to_string(), |n| format!("{n} bytes,"));
        Self::new(
            subject,
            SkipReason::TooLarge,
            format!("{what} over --max-file-size ({limit} bytes)"),
        )
        .with_size(size)
    }

    /// The same record with its size.
    pub fn with_size(mut self, size: Option<u64>) -> Self {
        self.size = size;
        self
    }
}

/// Counters shared by all scanning threads.
#[derive(Debug, Default)]
pub struct ScanStats {
    /// Blobs scanned.
    pub blobs: AtomicU64,
    /// Bytes scanned.
    pub bytes: AtomicU64,
    /// Blobs skipped as binary.
    pub skipped_binary: AtomicU64,
    /// Blobs skipped for exceeding the size limit.
    pub skipped_too_large: AtomicU64,
    /// Symlinks not followed.
    pub skipped_symlinks: AtomicU64,
    /// Files skipped by a path allowlist.
    pub skipped_allowlisted: AtomicU64,
    /// Findings dropped by allowlists, inline comments, ignore file or baseline.
    pub suppressed: AtomicU64,
    /// Things that could not be read.
    pub errors: Mutex<Vec<ScanError>>,
    /// Things not scanned fully, by name.
    pub skips: Mutex<Vec<Skip>>,
}

impl ScanStats {
    /// Records something that could not be scanned.
    pub fn error(&self, subject: impl Into<String>, message: impl std::fmt::Display) {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(ScanError {
                subject: subject.into(),
                message: message.to_string(),
            });
    }

    /// Records something not scanned fully (it is also counted as too large when it was).
    pub fn skip(&self, skip: Skip) {
        if skip.reason == SkipReason::TooLarge {
            Self::bump(&self.skipped_too_large);
        }
        self.skips
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(skip);
    }

    /// The skip records so far, sorted by subject so reports are stable across thread timing.
    pub fn skip_list(&self) -> Vec<Skip> {
        let mut list = self.skips.lock().unwrap_or_else(|e| e.into_inner()).clone();
        list.sort_by(|a, b| (&a.subject, a.reason).cmp(&(&b.subject, b.reason)));
        list
    }

    /// A copy of the errors so far.
    pub fn error_list(&self) -> Vec<ScanError> {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Per-thread buffers reused across blobs.
#[derive(Default)]
pub struct ThreadState {
    scratch: Scratch,
    matches: Vec<Match>,
    /// Read buffer for sources that load a blob into memory.
    pub buf: Vec<u8>,
}

/// The detector, the filter and the sink, shared by every source thread.
pub struct Scanner {
    /// The compiled rules.
    pub detector: Detector,
    /// Allowlists, ignore file, baseline.
    pub filter: Filter,
    /// Counters and errors.
    pub stats: ScanStats,
    /// Scan content that looks binary.
    pub scan_binary: bool,
    /// Largest blob to scan, in bytes.
    pub max_blob_size: u64,
    /// Matches less confident than this are not reported (`--confidence`).
    pub confidence_floor: Confidence,
    /// Keep each finding's line ([`Finding::context`]): only the text report shows it, and a
    /// history scan can hold a million findings.
    pub line_context: bool,
    sink: Sender<Finding>,
}

/// Bytes sniffed to decide whether content is binary.
const BINARY_SNIFF_LEN: usize = 8192;

/// Whether content looks binary: a NUL byte in its first 8 KiB, as git decides.
pub fn looks_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_SNIFF_LEN)]).is_some()
}

impl Scanner {
    /// A scanner that sends findings to `sink`.
    pub fn new(
        detector: Detector,
        filter: Filter,
        max_blob_size: u64,
        sink: Sender<Finding>,
    ) -> Self {
        Self {
            detector,
            filter,
            stats: ScanStats::default(),
            scan_binary: false,
            confidence_floor: Confidence::Low,
            line_context: true,
            max_blob_size,
            sink,
        }
    }

    /// Scans one in-memory blob. Binary content is skipped (and counted) unless asked for.
    pub fn scan_blob(&self, data: &[u8], origin: &Arc<Origin>, state: &mut ThreadState) {
        if self
            .find_matches_at(data, origin.relative_path(), state)
            .is_empty()
        {
            return;
        }
        let matches = std::mem::take(&mut state.matches);
        self.emit(data, &matches, &matches, origin, 0, usize::MAX);
        state.matches = matches;
    }

    /// Runs the detector over `data` without reporting: for sources (git) that scan a blob once and
    /// attach provenance only to blobs that matched. Counts the blob; skips binary content.
    pub fn find_matches<'s>(&self, data: &[u8], state: &'s mut ThreadState) -> &'s [Match] {
        self.find_matches_with(data, state, None)
    }

    /// Like [`Scanner::find_matches`] for a blob at `path`: when the path names a credential-store
    /// file (`.netrc`, `.kube/config`, ...), its fields are read by structure too.
    pub fn find_matches_at<'s>(
        &self,
        data: &[u8],
        path: &str,
        state: &'s mut ThreadState,
    ) -> &'s [Match] {
        let file = credential_files::recognise(path.as_bytes());
        if self.find_matches_with(data, state, None).is_empty() && file.is_none() {
            return &state.matches;
        }
        if let Some(file) = file
            && (self.scan_binary || !looks_binary(data))
        {
            self.add_credential_fields(file, data, &mut state.matches);
        }
        &state.matches
    }

    /// Adds the fields of credential-store `file` read from `data` to `matches` (found in `data`).
    pub fn add_credential_fields(
        &self,
        file: CredentialFile,
        data: &[u8],
        matches: &mut Vec<Match>,
    ) {
        self.detector.add_credential_fields(file, data, matches);
    }

    /// Like [`Scanner::find_matches`], remembering in `cache` what was found in which bytes so
    /// that similar blobs later cost only what differs.
    pub fn find_matches_with<'s>(
        &self,
        data: &[u8],
        state: &'s mut ThreadState,
        cache: Option<&DetectCache>,
    ) -> &'s [Match] {
        if !self.scan_binary && looks_binary(data) {
            ScanStats::bump(&self.stats.skipped_binary);
            state.matches.clear();
            return &state.matches;
        }
        ScanStats::bump(&self.stats.blobs);
        self.stats
            .bytes
            .fetch_add(data.len() as u64, Ordering::Relaxed);
        match cache {
            Some(cache) => {
                self.detector
                    .scan_cached(data, &mut state.scratch, cache, &mut state.matches)
            }
            None => self
                .detector
                .scan(data, &mut state.scratch, &mut state.matches),
        }
        &state.matches
    }

    /// Turns `matches` found in `data` into findings from `origin`, filters and reports them.
    pub fn report_matches(&self, data: &[u8], matches: &[Match], origin: &Arc<Origin>) {
        self.emit(data, matches, matches, origin, 0, usize::MAX);
    }

    /// Scans a stream in overlapping chunks so memory stays bounded whatever its size.
    pub fn scan_reader(
        &self,
        reader: impl Read,
        origin: Arc<Origin>,
        state: &mut ThreadState,
    ) -> Result<()> {
        self.scan_reader_into(reader, origin, state, None)
    }

    /// Like [`Scanner::scan_reader`], but the findings (already filtered) are pushed to `held`
    /// instead of the report: for sources that complete a finding's origin only after reading more
    /// (an image layer file deleted by a later layer). Send them on with [`Scanner::report_finding`].
    pub fn scan_reader_holding(
        &self,
        reader: impl Read,
        origin: Arc<Origin>,
        state: &mut ThreadState,
        held: &mut Vec<Finding>,
    ) -> Result<()> {
        self.scan_reader_into(reader, origin, state, Some(held))
    }

    /// Sends a finding held back by [`Scanner::scan_reader_holding`] to the report.
    pub fn report_finding(&self, finding: Finding) {
        // The receiver only goes away when the scan is being torn down after an error.
        let _ = self.sink.send(finding);
    }

    fn scan_reader_into(
        &self,
        mut reader: impl Read,
        origin: Arc<Origin>,
        state: &mut ThreadState,
        mut held: Option<&mut Vec<Finding>>,
    ) -> Result<()> {
        let mut buf = std::mem::take(&mut state.buf);
        buf.clear();
        let credential_file = credential_files::recognise(origin.relative_path().as_bytes());
        let mut line_offset = 0usize;
        // Bytes of the line `buf` starts in that lie before `buf[0]`, so that columns on a single
        // long line (minified code) count from the line's start, not the chunk's.
        let mut column_offset = 0usize;
        let mut first = true;
        // Offset in `buf` before which matches were already reported from the previous chunk.
        let mut reported_until = 0usize;
        // Bytes at the front of `buf` carried over from the previous chunk.
        let mut carried = 0usize;
        let result = loop {
            let filled = match fill(&mut reader, &mut buf, CHUNK_SIZE) {
                Ok(eof) => eof,
                Err(e) => {
                    break Err(e).with_context(|| format!("cannot read {}", origin.full_path()));
                }
            };
            if first {
                first = false;
                if !self.scan_binary && looks_binary(&buf) {
                    ScanStats::bump(&self.stats.skipped_binary);
                    break Ok(());
                }
                ScanStats::bump(&self.stats.blobs);
            }
            let at_eof = filled;
            let new_bytes = buf.len() - carried;
            self.stats
                .bytes
                .fetch_add(new_bytes as u64, Ordering::Relaxed);
            self.detector
                .scan(&buf, &mut state.scratch, &mut state.matches);
            if let Some(file) = credential_file {
                self.detector
                    .add_credential_fields(file, &buf, &mut state.matches);
            }
            // Matches that start in the tail are left for the next chunk, which sees them whole.
            let accept_before = if at_eof {
                usize::MAX
            } else {
                buf.len().saturating_sub(CHUNK_OVERLAP)
            };
            let matches = std::mem::take(&mut state.matches);
            let fresh: Vec<Match> = matches
                .iter()
                .filter(|m| m.start >= reported_until)
                .map(|m| {
                    let mut m = m.clone();
                    if m.line == 1 {
                        m.column += column_offset;
                    }
                    m
                })
                .collect();
            match held.as_deref_mut() {
                Some(held) => self.hold(
                    &buf,
                    &fresh,
                    &matches,
                    &origin,
                    line_offset,
                    accept_before,
                    held,
                ),
                None => self.emit(&buf, &fresh, &matches, &origin, line_offset, accept_before),
            }
            state.matches = matches;
            if at_eof {
                break Ok(());
            }
            // Keep context before the deferred tail so keywords preceding a deferred secret survive.
            let keep_from = accept_before.saturating_sub(CHUNK_OVERLAP);
            line_offset += memchr::memchr_iter(b'\n', &buf[..keep_from]).count();
            column_offset = match memchr::memrchr(b'\n', &buf[..keep_from]) {
                Some(newline) => keep_from - newline - 1,
                None => column_offset + keep_from,
            };
            buf.drain(..keep_from);
            reported_until = accept_before - keep_from;
            carried = buf.len();
        };
        buf.clear();
        state.buf = buf;
        result
    }

    /// Turns the `matches` that start before `accept_before` into findings, drops those the
    /// filters suppress and pushes the rest onto `held`. `all` is every match of `data` (also those
    /// reported with an earlier chunk): their secrets are masked in each finding's context line.
    #[allow(clippy::too_many_arguments)]
    fn hold(
        &self,
        data: &[u8],
        matches: &[Match],
        all: &[Match],
        origin: &Arc<Origin>,
        line_offset: usize,
        accept_before: usize,
        held: &mut Vec<Finding>,
    ) {
        let rules = self.detector.rules();
        // Below the floor is never reported: dropped before its fingerprint is derived, which
        // costs tens of milliseconds a secret (most matches of a large tree are in tests).
        let wanted: Vec<(&Match, Scored)> = matches
            .iter()
            .filter(|m| m.start < accept_before)
            .map(|m| (m, Finding::score(m, origin)))
            .filter(|(_, score)| score.confidence >= self.confidence_floor)
            .collect();
        let pairs: Vec<(&str, &[u8])> = wanted
            .iter()
            .map(|(m, _)| (&*rules[m.rule].id, &m.secret[..]))
            .collect();
        self.filter.fingerprints().prepare(&pairs);
        // Sorted once a chunk, and only when a finding will show its line.
        let mut spans: Option<SecretSpans> = None;
        for (m, score) in wanted {
            let rule = &rules[m.rule];
            let mut finding = Finding::new(
                rule,
                m,
                score,
                origin.clone(),
                line_offset,
                self.filter.fingerprints(),
            );
            if self
                .filter
                .check(rule, &finding, line_span(data, m.start, m.end))
                .is_some()
            {
                ScanStats::bump(&self.stats.suppressed);
                continue;
            }
            if self.line_context {
                let spans = spans
                    .get_or_insert_with(|| SecretSpans::new(all.iter().map(|o| (o.start, o.end))));
                finding.context = LineContext::capture(
                    data,
                    m.start,
                    m.end,
                    m.decoded.is_some(),
                    spans,
                    m.captures.iter().map(|(_, value)| value.as_str()),
                )
                .map(Box::new);
            }
            held.push(finding);
        }
    }

    fn emit(
        &self,
        data: &[u8],
        matches: &[Match],
        all: &[Match],
        origin: &Arc<Origin>,
        line_offset: usize,
        accept_before: usize,
    ) {
        let mut findings = Vec::new();
        self.hold(
            data,
            matches,
            all,
            origin,
            line_offset,
            accept_before,
            &mut findings,
        );
        for finding in findings {
            // The receiver only goes away when the scan is being torn down after an error.
            let _ = self.sink.send(finding);
        }
    }
}

/// Reads until `buf` holds `target` bytes or the reader ends; returns whether it ended.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, target: usize) -> std::io::Result<bool> {
    while buf.len() < target {
        let want = target - buf.len();
        let before = buf.len();
        reader.by_ref().take(want as u64).read_to_end(buf)?;
        if buf.len() == before {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The full lines that hold `data[start..end]`.
pub fn line_span(data: &[u8], start: usize, end: usize) -> &[u8] {
    let line_start = memchr::memrchr(b'\n', &data[..start]).map_or(0, |p| p + 1);
    let end = end.max(start).min(data.len());
    let line_end = memchr::memchr(b'\n', &data[end..]).map_or(data.len(), |p| end + p);
    &data[line_start..line_end]
}

impl Scanner {
    /// Disconnects the report sink so the collector knows no more findings will come. Called once
    /// every source thread has finished.
    pub fn close_sink(&mut self) {
        let (closed, _) = crossbeam_channel::bounded(0);
        self.sink = closed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::embedded_rules;

    fn scanner(floor: Confidence) -> (Scanner, crossbeam_channel::Receiver<Finding>) {
        let detector = Detector::new(embedded_rules().unwrap()).unwrap();
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut scanner = Scanner::new(detector, Filter::new(&[]).unwrap(), 1 << 20, tx);
        scanner.confidence_floor = floor;
        (scanner, rx)
    }

    #[test]
    fn matches_below_the_floor_get_no_fingerprint_derived() {
        // A weak password in a test fixture: found, at low confidence.
        let data = b"db_password = \"hunter2x\"\n";
        let origin = Arc::new(Origin::File {
            root: "".into(),
            path: "tests/fixtures/settings.py".into(),
        });
        let (low, rx) = scanner(Confidence::Low);
        low.scan_blob(data, &origin, &mut ThreadState::default());
        let found: Vec<Finding> = rx.try_iter().collect();
        assert!(!found.is_empty(), "the fixture's password is found");
        assert!(found.iter().all(|f| f.confidence < Confidence::High));
        assert!(low.filter.fingerprints().derived() >= 1);

        let (high, rx) = scanner(Confidence::High);
        high.scan_blob(data, &origin, &mut ThreadState::default());
        assert_eq!(rx.try_iter().count(), 0);
        assert_eq!(high.filter.fingerprints().derived(), 0);
    }
}
