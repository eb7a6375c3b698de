//! What a scan records besides findings: what could not be read, what was not scanned fully and
//! why, and the counters the summary prints. Every source writes them; reports read them.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

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
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
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
    /// Blobs of a partial clone that its remote promised and never sent: ferret does not fetch
    /// them, so what they hold is not known (one record per repository, counting them).
    PartialClone,
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
            SkipReason::PartialClone => "partial clone",
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
    /// Findings sent to the report so far (for the progress line; the report counts its own).
    pub findings: AtomicU64,
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
