//! The one interface between sources and the rest of the pipeline. A source reads bytes from
//! wherever they live and pushes them, with their [`Origin`], into a [`Sink`]; the scanner
//! implements it by running detection and filtering and handing findings to the report. A source
//! never sees rules, the detector or the filter: what it needs of them (a rule's id, whether a
//! match is a catch-all, memory across versions of a file) it asks the sink.

use std::io::Read;
use std::sync::Arc;

use anyhow::Result;

use super::finding::Finding;
use super::matched::Match;
use super::origin::Origin;
use super::record::ScanStats;

/// Where a source pushes what it reads.
///
/// Two ways in: whole blobs and streams (`scan_*`), which the sink matches and reports at once;
/// and matching first, reporting later (`find_matches*`, then [`Sink::report_matches`]), for
/// sources that scan a blob once and attach provenance only to the blobs that matched (git
/// history), or that move matches back to original positions (CI logs).
pub trait Sink: Sync {
    /// Buffers one source thread keeps for the sink between blobs (the detector's scratch space
    /// and its match list), so scanning a blob allocates nothing in the common case.
    type Thread: Default + Send;
    /// What the sink remembers across blobs that are versions of one another (a history's), so
    /// that a new version costs about what it changed.
    type Memory: Sync;

    /// Counters, errors and skip records of this scan.
    fn stats(&self) -> &ScanStats;
    /// Largest blob to read, in bytes: a source reports larger ones as skipped.
    fn max_blob_size(&self) -> u64;
    /// Whether content that looks binary is scanned too.
    fn scans_binary(&self) -> bool;
    /// Whether a path allowlist drops every finding at `path` (relative to the scan root), so
    /// that the file need not be read at all.
    fn skips_path(&self, path: &str) -> bool;

    /// Scans one in-memory blob and reports what it holds. Binary content is skipped (and
    /// counted) unless asked for.
    fn scan_blob(&self, data: &[u8], origin: &Arc<Origin>, thread: &mut Self::Thread);
    /// Scans a stream in overlapping chunks, so memory stays bounded whatever its size.
    fn scan_reader(
        &self,
        reader: impl Read,
        origin: Arc<Origin>,
        thread: &mut Self::Thread,
    ) -> Result<()>;
    /// Like [`Sink::scan_reader`], but the findings (already filtered) are pushed to `held`
    /// instead of the report: for sources that complete a finding's origin only after reading
    /// more (an image layer's file that a later layer deletes). Send them on with
    /// [`Sink::report_finding`].
    fn scan_reader_holding(
        &self,
        reader: impl Read,
        origin: Arc<Origin>,
        thread: &mut Self::Thread,
        held: &mut Vec<Finding>,
    ) -> Result<()>;
    /// Sends a finding held back by [`Sink::scan_reader_holding`] to the report.
    fn report_finding(&self, finding: Finding);

    /// The matches in `data`, not reported. Counts the blob; skips (and counts) binary content.
    fn find_matches<'t>(&self, data: &[u8], thread: &'t mut Self::Thread) -> &'t [Match];
    /// Like [`Sink::find_matches`] for a blob at `path`: a credential-store file (`.netrc`,
    /// `.kube/config`, ...) is read by structure too.
    fn find_matches_at<'t>(
        &self,
        data: &[u8],
        path: &str,
        thread: &'t mut Self::Thread,
    ) -> &'t [Match];
    /// A fresh memory for [`Sink::find_matches_remembering`].
    fn new_memory(&self) -> Self::Memory;
    /// Like [`Sink::find_matches`], remembering in `memory` what was found in which bytes.
    fn find_matches_remembering<'t>(
        &self,
        data: &[u8],
        thread: &'t mut Self::Thread,
        memory: &Self::Memory,
    ) -> &'t [Match];
    /// Appends the matches in `data` to `out`, counting nothing: for text a source derived from
    /// a blob it has already pushed (a log's hard-wrapped lines joined).
    fn find_derived_matches(&self, data: &[u8], thread: &mut Self::Thread, out: &mut Vec<Match>);
    /// Whether a file at `path` is read by structure (a credential-store file), so that its
    /// fields are found even where no content pattern matched.
    fn reads_by_path(&self, path: &[u8]) -> bool;
    /// Adds the fields a credential-store file at `path` holds in `data` to its content
    /// `matches`; leaves them as they are when `path` names no such file or `data` is binary.
    fn add_path_matches(&self, data: &[u8], path: &[u8], matches: &mut Vec<Match>);
    /// Turns `matches` found in `data` into findings from `origin`, filters and reports them.
    fn report_matches(&self, data: &[u8], matches: &[Match], origin: &Arc<Origin>);

    /// The id of the rule that made `m`.
    fn rule_id(&self, m: &Match) -> &str;
    /// Whether `m` was made by a catch-all rule, which a specific rule matching the same bytes
    /// outranks.
    fn is_catch_all(&self, m: &Match) -> bool;
    /// A cheap in-memory identity of `m`'s rule and secret, for sources that recognise a secret
    /// they have met before. Never printed or written: it is a plain hash of the secret.
    fn secret_key(&self, m: &Match) -> String;
}
