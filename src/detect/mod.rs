//! Detection: which rules match where in a blob. Knows nothing about where bytes came from.

pub mod assignment;
pub mod base64_run;
pub mod cache;
pub mod checksum;
pub mod confidence;
pub mod credential_files;
pub mod decode;
pub mod entropy;
pub mod examples;
pub mod http_auth;
pub mod jwk;
pub mod matcher;
pub mod naming;
pub mod placeholder;
pub mod prefilter;
pub mod published;
pub mod rules;
pub mod value;

use anyhow::Result;
use regex::bytes::CaptureLocations;

pub use assignment::AssignmentRecogniser;
pub use cache::DetectCache;
pub use confidence::{Confidence, Scored};
pub use credential_files::CredentialFile;
pub use matcher::Match;
pub use rules::{Rule, Severity};

use prefilter::{Hit, Prefilter, Windows};

/// Rules whose ids start with this are catch-alls; a specific rule matching the same bytes wins.
pub const GENERIC_RULE_PREFIX: &str = "generic-";

/// The compiled rule set plus its keyword prefilter.
#[derive(Debug)]
pub struct Detector {
    rules: Vec<Rule>,
    prefilter: Prefilter,
    /// Matches the `generic-password` and `generic-secret` rules in place of their patterns.
    assignments: Option<AssignmentRecogniser>,
    /// Reads credential-store files by structure for the `structured` rules.
    credential_files: credential_files::CredentialFiles,
}

/// Per-thread scratch space so scanning a blob allocates nothing in the common case.
#[derive(Default)]
pub struct Scratch {
    windows: Windows,
    locations: Vec<Option<CaptureLocations>>,
    hits: Vec<Hit>,
    /// The base64 runs of the blob, when the cache found them.
    base64_runs: Vec<(usize, usize)>,
    /// Every rule's windows as `(start, end, rule)`, for grouping by range.
    ranged: Vec<(usize, usize, usize)>,
    /// The assignment rules' windows, merged.
    assignment_windows: Vec<(usize, usize)>,
    /// Buffers of the decoding pass.
    pub decode: decode::DecodeScratch,
}

impl Detector {
    /// Compiles the prefilter over `rules`; fails on duplicate rule ids.
    pub fn new(rules: Vec<Rule>) -> Result<Self> {
        rules::check_unique_ids(&rules)?;
        let prefilter = Prefilter::new(&rules)?;
        let assignments = AssignmentRecogniser::new(&rules)?;
        let credential_files = credential_files::CredentialFiles::new(&rules);
        Ok(Self {
            rules,
            prefilter,
            assignments,
            credential_files,
        })
    }

    /// The rules, indexed by [`Match::rule`].
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Finds every confirmed match in `data`, sorted by position, into `out` (cleared first).
    /// Encoded runs (base64, JSON escapes, percent-encoding) are decoded and searched too.
    pub fn scan(&self, data: &[u8], scratch: &mut Scratch, out: &mut Vec<Match>) {
        self.scan_plain(data, scratch, out);
        decode::scan_decoded(self, data, None, scratch, out);
    }

    /// [`Detector::scan`] without the decoding pass.
    fn scan_plain(&self, data: &[u8], scratch: &mut Scratch, out: &mut Vec<Match>) {
        out.clear();
        self.prefilter
            .windows(data, &self.rules, &mut scratch.windows);
        self.confirm_windows(data, scratch, None, out);
    }

    /// Like [`Detector::scan`], with the same result, but searches only bytes that `cache` has not
    /// seen: for the many similar versions of files in a history.
    pub fn scan_cached(
        &self,
        data: &[u8],
        scratch: &mut Scratch,
        cache: &DetectCache,
        out: &mut Vec<Match>,
    ) {
        out.clear();
        let mut runs = std::mem::take(&mut scratch.base64_runs);
        cache.hits(&self.prefilter, data, &mut scratch.hits, &mut runs);
        self.prefilter.windows_from_hits(
            data,
            scratch.hits.iter().copied(),
            &self.rules,
            &mut scratch.windows,
        );
        self.confirm_windows(data, scratch, Some(cache), out);
        decode::scan_decoded(self, data, Some(&runs), scratch, out);
        scratch.base64_runs = runs;
    }

    /// Runs each candidate rule in its windows, then orders the matches and settles overlaps.
    fn confirm_windows(
        &self,
        data: &[u8],
        scratch: &mut Scratch,
        cache: Option<&DetectCache>,
        out: &mut Vec<Match>,
    ) {
        if scratch.windows.touched.is_empty() {
            return;
        }
        if scratch.locations.len() != self.rules.len() {
            scratch.locations = (0..self.rules.len()).map(|_| None).collect();
        }
        let assigned = |idx: usize| self.assignments.as_ref().is_some_and(|a| a.handles(idx));
        match cache {
            None => {
                for &rule_idx in &scratch.windows.touched {
                    if assigned(rule_idx) {
                        continue;
                    }
                    let rule = &self.rules[rule_idx];
                    // Only a rule that passed neither load (user rules compile there) nor the
                    // rule tests (built-in ones) can fail here; it can match nothing.
                    let Ok(compiled) = rule.compiled() else {
                        continue;
                    };
                    let locs = scratch.locations[rule_idx]
                        .get_or_insert_with(|| compiled.regex.capture_locations());
                    for &window in &scratch.windows.per_rule[rule_idx] {
                        matcher::match_window(rule_idx, rule, compiled, data, window, locs, out);
                    }
                }
            }
            Some(cache) => self.confirm_windows_cached(data, scratch, cache, out),
        }
        if let Some(recogniser) = &self.assignments {
            let merged = &mut scratch.assignment_windows;
            merged.clear();
            for &rule_idx in scratch.windows.touched.iter().filter(|&&i| assigned(i)) {
                merged.extend_from_slice(&scratch.windows.per_rule[rule_idx]);
            }
            merged.sort_unstable();
            merged.dedup_by(|b, a| {
                let overlaps = b.0 <= a.1;
                if overlaps {
                    a.1 = a.1.max(b.1);
                }
                overlaps
            });
            recogniser.scan_windows(data, merged, out);
        }
        self.refine(data, out);
        if out.is_empty() {
            return;
        }
        out.sort_by_key(|m| (m.start, m.end, m.rule));
        self.drop_generic_overlaps(out);
        published::rank(out);
        matcher::assign_lines(data, out);
    }

    /// Adds to `out` (a scan's matches of `data`) the fields that the reader of credential-store
    /// `file` finds. A field and a content match on the same bytes report once, as the field (the
    /// format says what it is, weak or not), unless the content rule can verify the secret live.
    /// In a format its reader reads fully, generic matches are dropped: the reader has looked at
    /// every field that can hold a credential.
    pub fn add_credential_fields(&self, file: CredentialFile, data: &[u8], out: &mut Vec<Match>) {
        let is_generic = |m: &Match| self.rules[m.rule].id.starts_with(GENERIC_RULE_PREFIX);
        if file.format.read_fully() {
            out.retain(|m| !is_generic(m));
        }
        let before = out.len();
        self.credential_files.scan(file, data, out);
        if out.len() == before {
            return;
        }
        let mut fields = out.split_off(before);
        let verifiable = |m: &Match| self.rules[m.rule].live_checked;
        let overlap = |a: &Match, b: &Match| a.start < b.end && b.start < a.end;
        fields.retain(|f| !out.iter().any(|m| verifiable(m) && overlap(m, f)));
        fields.sort_by_key(|m| (m.start, m.end));
        fields.dedup_by(|b, a| overlap(a, b));
        out.retain(|m| verifiable(m) || !fields.iter().any(|f| overlap(m, f)));
        out.append(&mut fields);
        out.sort_by_key(|m| (m.start, m.end, m.rule));
        matcher::assign_lines(data, out);
    }

    /// Most windows are shared by several rules (one keyword hit selects them all), so windows are
    /// grouped by their byte range and each range is looked up in `cache` once for all its rules.
    fn confirm_windows_cached(
        &self,
        data: &[u8],
        scratch: &mut Scratch,
        cache: &DetectCache,
        out: &mut Vec<Match>,
    ) {
        let ranged = &mut scratch.ranged;
        ranged.clear();
        let assigned = |idx: usize| self.assignments.as_ref().is_some_and(|a| a.handles(idx));
        for &rule_idx in scratch.windows.touched.iter().filter(|&&i| !assigned(i)) {
            for &(start, end) in &scratch.windows.per_rule[rule_idx] {
                ranged.push((start, end, rule_idx));
            }
        }
        ranged.sort_unstable();
        for group in ranged.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let window = (group[0].0, group[0].1);
            let rules = group.iter().map(|&(_, _, rule)| rule);
            cache.window_matches(rules.clone(), data, window, out, |out| {
                for rule_idx in rules {
                    let rule = &self.rules[rule_idx];
                    let Ok(compiled) = rule.compiled() else {
                        continue;
                    };
                    let locs = scratch.locations[rule_idx]
                        .get_or_insert_with(|| compiled.regex.capture_locations());
                    matcher::match_window(rule_idx, rule, compiled, data, window, locs, out);
                }
            });
        }
    }

    /// Rules whose matches code completes after their pattern: decodes, scores, moves or drops them.
    fn refine(&self, data: &[u8], out: &mut Vec<Match>) {
        out.retain_mut(|m| match &*self.rules[m.rule].id {
            jwk::RULE => jwk::refine(data, m),
            id if http_auth::handles(id) => http_auth::refine(id, m),
            _ => true,
        });
    }

    /// Removes generic-rule matches whose secret overlaps a specific rule's secret.
    fn drop_generic_overlaps(&self, matches: &mut Vec<Match>) {
        let is_generic = |m: &Match| self.rules[m.rule].id.starts_with(GENERIC_RULE_PREFIX);
        if !matches.iter().any(is_generic) {
            return;
        }
        let specific: Vec<(usize, usize)> = matches
            .iter()
            .filter(|m| !is_generic(m))
            .map(|m| (m.start, m.end))
            .collect();
        matches
            .retain(|m| !is_generic(m) || !specific.iter().any(|&(s, e)| m.start < e && s < m.end));
        // Two generic rules on the same bytes report once.
        matches
            .dedup_by(|b, a| is_generic(a) && is_generic(b) && b.start < a.end && a.start < b.end);
    }
}
