//! The scanner: the [`Sink`] every source pushes into. It runs the detector over each blob, turns
//! matches into findings, filters them and hands the survivors to the report's channel.

use std::borrow::Cow;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::{Context, Result};
use crossbeam_channel::Sender;

use crate::detect::confidence::score_path;
use crate::detect::{
    Confidence, DetectCache, Detector, GENERIC_RULE_PREFIX, Match, Rule, Scored, Scratch,
    credential_files,
};
use crate::filter::Filter;
use crate::fingerprint::Fingerprinter;
use crate::pipeline::line_context::{LineContext, SecretSpans};
use crate::pipeline::{Finding, Origin, ScanStats, Sink, line_span, looks_binary};

/// Blobs up to this size are scanned whole; larger ones in overlapping chunks.
pub const CHUNK_SIZE: usize = 16 << 20;
/// Overlap kept between chunks; a secret longer than this could be cut at a chunk boundary.
pub const CHUNK_OVERLAP: usize = 64 << 10;

/// Per-thread buffers reused across blobs: the scanner's [`Sink::Thread`].
#[derive(Default)]
pub struct ThreadState {
    scratch: Scratch,
    matches: Vec<Match>,
    /// Read buffer of [`Sink::scan_reader`]'s chunks.
    buf: Vec<u8>,
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

    /// Runs the detector over `data` (remembering in `cache`, when given, what was found in which
    /// bytes) without reporting. Counts the blob; skips binary content.
    fn detect<'s>(
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
}

impl Sink for Scanner {
    type Thread = ThreadState;
    type Memory = DetectCache;

    fn stats(&self) -> &ScanStats {
        &self.stats
    }

    fn max_blob_size(&self) -> u64 {
        self.max_blob_size
    }

    fn scans_binary(&self) -> bool {
        self.scan_binary
    }

    fn skips_path(&self, path: &str) -> bool {
        self.filter.path_fully_allowed(path)
    }

    fn scan_blob(&self, data: &[u8], origin: &Arc<Origin>, state: &mut ThreadState) {
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

    fn scan_reader(
        &self,
        reader: impl Read,
        origin: Arc<Origin>,
        state: &mut ThreadState,
    ) -> Result<()> {
        self.scan_reader_into(reader, origin, state, None)
    }

    fn scan_reader_holding(
        &self,
        reader: impl Read,
        origin: Arc<Origin>,
        state: &mut ThreadState,
        held: &mut Vec<Finding>,
    ) -> Result<()> {
        self.scan_reader_into(reader, origin, state, Some(held))
    }

    fn report_finding(&self, finding: Finding) {
        ScanStats::bump(&self.stats.findings);
        // The receiver only goes away when the scan is being torn down after an error.
        let _ = self.sink.send(finding);
    }

    fn find_matches<'s>(&self, data: &[u8], state: &'s mut ThreadState) -> &'s [Match] {
        self.detect(data, state, None)
    }

    fn find_matches_at<'s>(
        &self,
        data: &[u8],
        path: &str,
        state: &'s mut ThreadState,
    ) -> &'s [Match] {
        let file = credential_files::recognise(path.as_bytes());
        if self.detect(data, state, None).is_empty() && file.is_none() {
            return &state.matches;
        }
        if let Some(file) = file
            && (self.scan_binary || !looks_binary(data))
        {
            self.detector
                .add_credential_fields(file, data, &mut state.matches);
        }
        &state.matches
    }

    fn new_memory(&self) -> DetectCache {
        DetectCache::new()
    }

    fn find_matches_remembering<'s>(
        &self,
        data: &[u8],
        state: &'s mut ThreadState,
        cache: &DetectCache,
    ) -> &'s [Match] {
        self.detect(data, state, Some(cache))
    }

    fn find_derived_matches(&self, data: &[u8], state: &mut ThreadState, out: &mut Vec<Match>) {
        self.detector.scan(data, &mut state.scratch, out);
    }

    fn reads_by_path(&self, path: &[u8]) -> bool {
        credential_files::recognise(path).is_some()
    }

    fn add_path_matches(&self, data: &[u8], path: &[u8], matches: &mut Vec<Match>) {
        if let Some(file) = credential_files::recognise(path)
            && (self.scan_binary || !looks_binary(data))
        {
            self.detector.add_credential_fields(file, data, matches);
        }
    }

    fn report_matches(&self, data: &[u8], matches: &[Match], origin: &Arc<Origin>) {
        self.emit(data, matches, matches, origin, 0, usize::MAX);
    }

    fn rule_id(&self, m: &Match) -> &str {
        &self.detector.rules()[m.rule].id
    }

    fn is_catch_all(&self, m: &Match) -> bool {
        self.rule_id(m).starts_with(GENERIC_RULE_PREFIX)
    }

    fn secret_key(&self, m: &Match) -> String {
        crate::fingerprint::legacy(self.rule_id(m), &m.secret)
    }
}

impl Scanner {
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
            .map(|m| (m, score(m, origin)))
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
            let mut finding = new_finding(
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
            ScanStats::bump(&self.stats.findings);
            // The receiver only goes away when the scan is being torn down after an error.
            let _ = self.sink.send(finding);
        }
    }
}

/// A finding of `m`, a match of `rule` in a blob from `origin`, with the confidence [`score`]
/// gave it. `line_offset` is added to the match's lines when the blob was scanned in chunks;
/// `fingerprints` derives the fingerprint.
fn new_finding(
    rule: &Rule,
    m: &Match,
    score: Scored,
    origin: Arc<Origin>,
    line_offset: usize,
    fingerprints: &Fingerprinter,
) -> Finding {
    Finding {
        rule_id: rule.id.clone(),
        rule_name: rule.name.clone(),
        provider: rule.provider.clone(),
        severity: rule.severity,
        secret: String::from_utf8_lossy(&m.secret).into_owned(),
        secret_redacted: false,
        fingerprint: fingerprints.fingerprint(&rule.id, &m.secret),
        legacy_fingerprint: crate::fingerprint::legacy(&rule.id, &m.secret),
        line: m.line + line_offset,
        column: m.column,
        end_line: m.end_line + line_offset,
        entropy: m.entropy,
        checksum_valid: m.checksum_valid,
        captures: m.captures.clone(),
        rotate: rule.rotate.clone(),
        origin,
        verification: None,
        confidence: score.confidence,
        confidence_reasons: score.reasons.into_iter().map(Cow::Borrowed).collect(),
        decoded: m.decoded,
        context: None,
    }
}

/// The confidence a finding of `m` from `origin` has: the match's own, adjusted for where it is
/// (test and docs paths rank lower). Cheap, so a scan can drop matches below its floor before
/// deriving their (deliberately slow) fingerprints.
fn score(m: &Match, origin: &Origin) -> Scored {
    let mut score = m.score.clone();
    score_path(origin.relative_path(), &mut score);
    score
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
