//! Scans one CI log: normalises it, runs the detector over the normalised text (and over lines
//! joined where a token may have been hard-wrapped), drops masked values and reports each match at
//! its original line and column.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use memchr::memmem;

use super::format::{LogFormat, detect_format};
use super::normalize::{Normalized, normalize};
use crate::pipeline::CiLogOrigin;
use crate::pipeline::{Match, Origin, ScanStats, Sink, looks_binary};

/// Per-thread buffers for scanning logs.
pub struct LogState<S: Sink> {
    thread: S::Thread,
    joined_matches: Vec<Match>,
}

impl<S: Sink> Default for LogState<S> {
    fn default() -> Self {
        Self {
            thread: S::Thread::default(),
            joined_matches: Vec::new(),
        }
    }
}

/// How a log takes part in de-duplication with related logs (a job log and its step logs).
pub enum Dedup<'a> {
    /// No de-duplication.
    None,
    /// Record the fingerprint of every reported secret.
    Record(&'a mut HashSet<String>),
    /// Leave out secrets whose fingerprint is in the set.
    Skip(&'a HashSet<String>),
}

/// Values CI systems print in place of a registered secret.
const MASKS: [&[u8]; 3] = [b"***", b"[MASKED]", b"[masked]"];

/// Shortest run of token characters across a line end that is worth joining the lines for.
const MIN_JOINED_TOKEN: usize = 12;

/// Scans `data`, a whole log, reporting findings with `template`'s provenance. `format` is
/// recognised from the content when not given; `template.provider` is then filled from it.
pub fn scan_log<S: Sink>(
    data: &[u8],
    format: Option<LogFormat>,
    template: &CiLogOrigin,
    sink: &S,
    state: &mut LogState<S>,
    mut dedup: Dedup<'_>,
) {
    if !sink.scans_binary() && looks_binary(data) {
        ScanStats::bump(&sink.stats().skipped_binary);
        return;
    }
    let format = format.unwrap_or_else(|| detect_format(data));
    let mut template = template.clone();
    if template.provider.is_empty() {
        template.provider = format.provider().to_string();
    }
    let norm = normalize(data, format);
    let mut matches: Vec<Match> = sink.find_matches(&norm.text, &mut state.thread).to_vec();
    let joined = joined_lines(&norm);
    let mut joined_matches = std::mem::take(&mut state.joined_matches);
    joined_matches.clear();
    if let Some(joined) = &joined {
        sink.find_derived_matches(&joined.text, &mut state.thread, &mut joined_matches);
        joined_matches.retain(|m| joined.crosses_cut(m.start, m.end));
        for m in joined_matches.iter_mut() {
            m.start = joined.to_norm(m.start);
            m.end = joined.to_norm(m.end - 1) + 1;
        }
        // Lines are joined on a guess, so the plain pass wins any overlap, except where a
        // catch-all rule saw only the head of a token (cut at the line end) that a specific rule
        // recognises whole once the lines are joined.
        let is_generic = |m: &Match| sink.is_catch_all(m);
        let replaces = |m: &Match, j: &Match| {
            j.start < m.end
                && m.end < j.end
                && norm.text[m.end] == b'\n'
                && is_generic(m)
                && !is_generic(j)
        };
        joined_matches.retain(|j| {
            matches
                .iter()
                .filter(|m| m.start < j.end && j.start < m.end)
                .all(|m| replaces(m, j))
        });
        matches.retain(|m| !joined_matches.iter().any(|j| replaces(m, j)));
    }

    let mut origins: HashMap<Option<String>, Arc<Origin>> = HashMap::new();
    let mut report = |list: &mut Vec<Match>| {
        list.retain(|m| !is_masked(&norm.text, m.start, m.end));
        list.retain(|m| {
            let print = sink.secret_key(m);
            match &mut dedup {
                Dedup::None => true,
                Dedup::Skip(seen) => !seen.contains(&print),
                Dedup::Record(seen) => {
                    seen.insert(print);
                    true
                }
            }
        });
        // Group by section so each finding's origin names the step it was printed in.
        let mut by_step: HashMap<Option<String>, Vec<Match>> = HashMap::new();
        for m in list.drain(..) {
            let step = template
                .step
                .clone()
                .or_else(|| norm.section_at(m.start).map(str::to_string));
            by_step.entry(step).or_default().push(m);
        }
        for (step, mut group) in by_step {
            for m in group.iter_mut() {
                let start = norm.position(m.start);
                m.line = start.line;
                m.column = start.column;
                m.end_line = norm.position(m.end.saturating_sub(1).max(m.start)).line;
            }
            let origin = origins
                .entry(step.clone())
                .or_insert_with(|| {
                    Arc::new(Origin::CiLog(CiLogOrigin {
                        step: step.clone(),
                        ..template.clone()
                    }))
                })
                .clone();
            sink.report_matches(&norm.text, &group, &origin);
        }
    };
    report(&mut matches);
    if !joined_matches.is_empty() {
        report(&mut joined_matches);
    }
    state.joined_matches = joined_matches;
}

/// Whether `text[start..end]` is, contains or touches a CI mask.
fn is_masked(text: &[u8], start: usize, end: usize) -> bool {
    let end = end.min(text.len());
    let start = start.min(end);
    MASKS.iter().any(|mask| {
        memmem::find(&text[start..end], mask).is_some()
            || text[..start].ends_with(mask)
            || text[end..].starts_with(mask)
    })
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=' | b'.' | b'~')
}

/// Runs of consecutive normalised lines joined where a token may have been hard-wrapped.
struct JoinedLines {
    text: Vec<u8>,
    /// `(offset in text, offset in the normalised text)` where each copied line starts.
    pieces: Vec<(usize, usize)>,
    /// Offsets in `text` where a line break was removed.
    cuts: Vec<usize>,
}

impl JoinedLines {
    fn to_norm(&self, at: usize) -> usize {
        let idx = self
            .pieces
            .partition_point(|(j, _)| *j <= at)
            .saturating_sub(1);
        let (j, n) = self.pieces[idx];
        n + (at - j)
    }

    fn crosses_cut(&self, start: usize, end: usize) -> bool {
        let idx = self.cuts.partition_point(|&c| c <= start);
        self.cuts.get(idx).is_some_and(|&c| c < end)
    }
}

/// Joins each pair of original lines where the first ends and the second begins with token
/// characters (together at least [`MIN_JOINED_TOKEN`] long); `None` when there is no such pair.
fn joined_lines(norm: &Normalized) -> Option<JoinedLines> {
    let text = &norm.text;
    let mut out = JoinedLines {
        text: Vec::new(),
        pieces: Vec::new(),
        cuts: Vec::new(),
    };
    // End (in the normalised text) of the last line copied, to chain a run of wrapped lines.
    let mut copied_until = usize::MAX;
    let mut line_start = 0;
    for nl in memchr::memchr_iter(b'\n', text) {
        let next_start = nl + 1;
        let next_end =
            memchr::memchr(b'\n', &text[next_start..]).map_or(text.len(), |p| next_start + p);
        let tail = text[line_start..nl]
            .iter()
            .rev()
            .take_while(|&&b| is_token_byte(b))
            .count();
        let head = text[next_start..next_end]
            .iter()
            .take_while(|&&b| is_token_byte(b))
            .count();
        if tail > 0
            && head > 0
            && tail + head >= MIN_JOINED_TOKEN
            && norm.is_original_line_break(nl)
        {
            if copied_until != nl {
                if !out.text.is_empty() {
                    out.text.push(b'\n');
                }
                out.pieces.push((out.text.len(), line_start));
                out.text.extend_from_slice(&text[line_start..nl]);
            }
            out.cuts.push(out.text.len());
            out.pieces.push((out.text.len(), next_start));
            out.text.extend_from_slice(&text[next_start..next_end]);
            copied_until = next_end;
        }
        line_start = next_start;
    }
    (!out.cuts.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_recognised_inside_and_next_to_a_match() {
        let t = b"KEY=***abc KEY=[MASKED] KEY=abcdef";
        assert!(is_masked(t, 7, 10));
        assert!(is_masked(t, 15, 23));
        assert!(!is_masked(t, 28, 34));
    }

    #[test]
    fn wrapped_lines_are_joined_only_at_original_line_ends() {
        let log = b"2024-01-01T00:00:00.0000000Z token ghp_abcdefgh\n2024-01-01T00:00:00.0000000Z ijklmnop rest\nshort\r\nx\n";
        let norm = normalize(log, LogFormat::GithubActions);
        let joined = joined_lines(&norm).unwrap();
        assert_eq!(joined.text, b"token ghp_abcdefghijklmnop rest");
        assert_eq!(joined.cuts, vec![18]);
        assert_eq!(joined.to_norm(18), 19);
        assert!(joined.crosses_cut(6, 26));
        assert!(!joined.crosses_cut(19, 26));
    }
}
