//! The keyword prefilter: one Aho-Corasick automaton over every rule's keywords decides which rules
//! run, and where.
//!
//! The automaton is searched for every occurrence of every keyword (overlapping), so a keyword
//! inside or across another keyword's hit is never hidden by it. The search drives the DFA of the
//! `aho-corasick` crate through its public `Automaton` interface with four independent state
//! chains, one per quarter of the input: a DFA steps one byte at a time, each step waiting for the
//! last one's table load, so interleaving four chains lets the loads overlap. Measured on source
//! trees this more than doubles the speed of the crate's own search loop, and the keyword search
//! is the largest cost of a scan.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{AhoCorasick, Anchored, MatchKind, dfa};
use anyhow::{Context, Result};

use super::rules::Rule;

/// How far before a keyword hit a rule's pattern may start (bounded by the start of the line).
pub const LOOK_BEHIND: usize = 512;
/// How far past the end of a window we extend to reach the end of its line.
const LINE_EXTENSION: usize = 4096;
/// Bytes whose keyword hits [`Prefilter::windows`] gathers at a time.
const PIECE: usize = 1 << 20;
/// State chains searched side by side.
const CHAINS: usize = 4;
/// Inputs whose quarters are shorter than this many keyword lengths are searched by one chain:
/// each chain but the first re-reads a keyword length before its quarter.
const MIN_CHAIN_KEYWORDS: usize = 8;

/// Finds keyword hits and turns them into per-rule search windows.
#[derive(Debug)]
pub struct Prefilter {
    searcher: Searcher,
    /// For each automaton pattern, the rules that listed that keyword.
    rules_by_keyword: Vec<Vec<usize>>,
    /// The longest keyword, in bytes: how far a hit can reach past the place it starts.
    max_keyword_len: usize,
}

/// The automaton: a DFA searched by [`dfa_hits`], or, for a keyword set too large for a DFA (only
/// user rules can make one), the crate's slower automaton and its own overlapping search.
#[derive(Debug)]
enum Searcher {
    Dfa(Box<dfa::DFA>),
    Other(AhoCorasick),
}

/// One keyword hit: which automaton pattern, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub pattern: u32,
}

/// Reusable per-thread buffers for [`Prefilter::windows`].
#[derive(Debug, Default)]
pub struct Windows {
    /// `per_rule[i]` holds rule i's merged, sorted `(start, end)` windows.
    pub per_rule: Vec<Vec<(usize, usize)>>,
    /// Rules with at least one window, in first-hit order.
    pub touched: Vec<usize>,
    /// The keyword hits of the last search.
    hits: Vec<Hit>,
}

impl Windows {
    fn reset(&mut self, rule_count: usize) {
        for &r in &self.touched {
            self.per_rule[r].clear();
        }
        self.touched.clear();
        if self.per_rule.len() != rule_count {
            self.per_rule = vec![Vec::new(); rule_count];
        }
    }
}

impl Prefilter {
    /// Builds the automaton over the keywords of `rules`.
    pub fn new(rules: &[Rule]) -> Result<Self> {
        let mut keywords: Vec<String> = Vec::new();
        let mut rules_by_keyword: Vec<Vec<usize>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for (rule_idx, rule) in rules.iter().enumerate() {
            for keyword in &rule.keywords {
                let key = keyword.to_ascii_lowercase();
                let slot = *index.entry(key.clone()).or_insert_with(|| {
                    keywords.push(key);
                    rules_by_keyword.push(Vec::new());
                    keywords.len() - 1
                });
                if !rules_by_keyword[slot].contains(&rule_idx) {
                    rules_by_keyword[slot].push(rule_idx);
                }
            }
        }
        let max_keyword_len = keywords.iter().map(String::len).max().unwrap_or(1);
        let searcher = match dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&keywords)
        {
            Ok(dfa) => Searcher::Dfa(Box::new(dfa)),
            Err(_) => Searcher::Other(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&keywords)
                    .context("cannot build the keyword automaton")?,
            ),
        };
        Ok(Self {
            searcher,
            rules_by_keyword,
            max_keyword_len,
        })
    }

    /// The longest keyword in bytes.
    pub fn max_keyword_len(&self) -> usize {
        self.max_keyword_len
    }

    /// Fills `out` with the windows of `data` each candidate rule must search.
    ///
    /// The hits are gathered a piece of [`PIECE`] bytes at a time, so the buffer holding them
    /// stays small even on a file made of one keyword repeated (a 16 MiB chunk of `n8n8n8...`
    /// holds eight million overlapping hits).
    pub fn windows(&self, data: &[u8], rules: &[Rule], out: &mut Windows) {
        let mut hits = std::mem::take(&mut out.hits);
        out.reset(rules.len());
        let mut from = 0;
        while from < data.len() {
            let to = data.len().min(from + PIECE);
            hits.clear();
            self.hits_in(data, from, to, &mut hits);
            self.add_hits(data, hits.iter().copied(), rules, out);
            from = to;
        }
        out.hits = hits;
    }

    /// Appends to `out` the hits that start in `data[from..to]`, with positions in `data`, in
    /// order. The search reads on past `to` so a keyword straddling `to` is found whole.
    pub fn hits_in(&self, data: &[u8], from: usize, to: usize, out: &mut Vec<Hit>) {
        let hi = to
            .saturating_add(self.max_keyword_len.saturating_sub(1))
            .min(data.len());
        let first = out.len();
        self.search(&data[from..hi], from, out);
        let kept = out[first..].partition_point(|hit| hit.start < to);
        out.truncate(first + kept);
    }

    /// Appends every keyword occurrence in `data` to `out`, at `base` plus its place in `data`,
    /// ordered by start, end and keyword.
    fn search(&self, data: &[u8], base: usize, out: &mut Vec<Hit>) {
        let first = out.len();
        match &self.searcher {
            Searcher::Dfa(dfa) => dfa_hits(dfa, data, base, out),
            Searcher::Other(automaton) => {
                out.extend(automaton.find_overlapping_iter(data).map(|hit| Hit {
                    start: base + hit.start(),
                    end: base + hit.end(),
                    pattern: hit.pattern().as_u32(),
                }));
            }
        }
        out[first..].sort_unstable();
    }

    /// Fills `out` with the windows of `data` that `hits` (in order of position) select.
    pub fn windows_from_hits(
        &self,
        data: &[u8],
        hits: impl Iterator<Item = Hit>,
        rules: &[Rule],
        out: &mut Windows,
    ) {
        out.reset(rules.len());
        self.add_hits(data, hits, rules, out);
    }

    /// Adds the windows that `hits` (in order of position) select to those already in `out`.
    fn add_hits(
        &self,
        data: &[u8],
        hits: impl Iterator<Item = Hit>,
        rules: &[Rule],
        out: &mut Windows,
    ) {
        for hit in hits {
            self.add_windows(data, hit.start, hit.end, hit.pattern as usize, rules, out);
        }
    }

    /// Adds the windows that a hit of `pattern` at `hit_start..hit_end` selects.
    fn add_windows(
        &self,
        data: &[u8],
        hit_start: usize,
        hit_end: usize,
        pattern: usize,
        rules: &[Rule],
        out: &mut Windows,
    ) {
        let start = window_start(data, hit_start);
        for &rule_idx in &self.rules_by_keyword[pattern] {
            let end = window_end(data, hit_end.saturating_add(rules[rule_idx].window));
            let windows = &mut out.per_rule[rule_idx];
            match windows.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                Some(_) => windows.push((start, end)),
                None => {
                    out.touched.push(rule_idx);
                    windows.push((start, end));
                }
            }
        }
    }
}

/// Appends every keyword occurrence in `data` to `out` (unordered), at `base` plus its place.
///
/// Chain `c` reports the hits that end in its quarter of `data`. It starts a keyword length early
/// (less one byte), reporting nothing there: that is enough for its state to hold every keyword
/// ending in its quarter, and the hits ending before its quarter are the previous chain's.
fn dfa_hits(dfa: &dfa::DFA, data: &[u8], base: usize, out: &mut Vec<Hit>) {
    let warm_up = dfa.max_pattern_len().saturating_sub(1);
    let quarter = data.len() / CHAINS;
    let Ok(start) = dfa.start_state(Anchored::No) else {
        return;
    };
    let mut report = |sid: StateID, end: usize| {
        for i in 0..dfa.match_len(sid) {
            let pattern = dfa.match_pattern(sid, i);
            out.push(Hit {
                start: base + end - dfa.pattern_len(pattern),
                end: base + end,
                pattern: pattern.as_u32(),
            });
        }
    };
    let step = |sid: StateID, byte: u8| dfa.next_state(Anchored::No, sid, byte);
    let mut tail_from = 0;
    let mut last = start;
    if quarter >= MIN_CHAIN_KEYWORDS * (warm_up + 1) {
        let mut sids = [start; CHAINS];
        for (c, sid) in sids.iter_mut().enumerate().skip(1) {
            for &byte in &data[c * quarter - warm_up..c * quarter] {
                *sid = step(*sid, byte);
            }
        }
        let (q0, rest) = data.split_at(quarter);
        let (q1, rest) = rest.split_at(quarter);
        let (q2, rest) = rest.split_at(quarter);
        let q3 = &rest[..quarter];
        for i in 0..quarter {
            sids[0] = step(sids[0], q0[i]);
            sids[1] = step(sids[1], q1[i]);
            sids[2] = step(sids[2], q2[i]);
            sids[3] = step(sids[3], q3[i]);
            // One branch for all four: most bytes leave every chain outside a match.
            if sids.iter().any(|&sid| dfa.is_special(sid)) {
                for (c, &sid) in sids.iter().enumerate() {
                    if dfa.is_match(sid) {
                        report(sid, c * quarter + i + 1);
                    }
                }
            }
        }
        tail_from = CHAINS * quarter;
        last = sids[CHAINS - 1];
    }
    for (i, &byte) in data.iter().enumerate().skip(tail_from) {
        last = step(last, byte);
        if dfa.is_match(last) {
            report(last, i + 1);
        }
    }
}

/// The newline before the line holding `pos` (so a pattern's `(?:^|[^\w])` guard can match it), but
/// at most [`LOOK_BEHIND`] bytes back.
fn window_start(data: &[u8], pos: usize) -> usize {
    let floor = pos.saturating_sub(LOOK_BEHIND);
    match memchr::memrchr(b'\n', &data[floor..pos]) {
        Some(nl) => floor + nl,
        None => floor,
    }
}

/// `pos` extended to the end of its line, so a token is not cut at the window's edge.
fn window_end(data: &[u8], pos: usize) -> usize {
    let pos = pos.min(data.len());
    let ceiling = pos.saturating_add(LINE_EXTENSION).min(data.len());
    match memchr::memchr(b'\n', &data[pos..ceiling]) {
        Some(nl) => pos + nl,
        None => ceiling,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::rules::embedded_rules;

    /// With keywords `xab` and `abcd`, a hit of `xab` must not hide `abcd` in `xabcd`: both rules
    /// get a window there, and only there.
    #[test]
    fn a_keyword_overlapping_another_hit_is_found() {
        let mut rules = embedded_rules().unwrap();
        rules.truncate(2);
        rules[0].keywords = vec!["xab".into()];
        rules[1].keywords = vec!["abcd".into()];
        let prefilter = Prefilter::new(&rules).unwrap();
        let mut out = Windows::default();

        prefilter.windows(b"line one\nvalue = xabcd\n", &rules, &mut out);
        assert_eq!(out.touched, vec![0, 1], "both keywords are there");

        prefilter.windows(b"line one\nvalue = xabzz\n", &rules, &mut out);
        assert_eq!(out.touched, vec![0], "only the first keyword is there");
    }

    /// Gathering hits a piece at a time gives the windows that all hits at once give, with
    /// keywords straddling the pieces' boundaries.
    #[test]
    fn windows_gathered_in_pieces_equal_windows_of_the_whole_search() {
        let rules = embedded_rules().unwrap();
        let prefilter = Prefilter::new(&rules).unwrap();
        let line = b"password = \"x\" token n8n8n8 api_key github ://u:p@h\n";
        let mut data = Vec::new();
        while data.len() < 3 * PIECE + 100 {
            data.extend_from_slice(line);
            // Shift the pattern against the piece boundaries.
            data.push(b' ');
        }
        let mut pieces = Windows::default();
        prefilter.windows(&data, &rules, &mut pieces);
        let mut all = Vec::new();
        prefilter.search(&data, 0, &mut all);
        let mut whole = Windows::default();
        prefilter.windows_from_hits(&data, all.into_iter(), &rules, &mut whole);
        assert!(!pieces.touched.is_empty());
        assert_eq!(pieces.touched, whole.touched);
        for &rule in &whole.touched {
            assert_eq!(pieces.per_rule[rule], whole.per_rule[rule], "rule {rule}");
        }
    }

    /// The chained search finds exactly what the crate's own overlapping search finds, at every
    /// input length around the chain boundaries, with keywords placed across them.
    #[test]
    fn chained_search_equals_the_crates_overlapping_search() {
        let rules = embedded_rules().unwrap();
        let prefilter = Prefilter::new(&rules).unwrap();
        let Searcher::Dfa(_) = &prefilter.searcher else {
            panic!("the built-in keywords fit a DFA");
        };
        // The keywords in the prefilter's order: first use, duplicates dropped.
        let mut keywords: Vec<String> = Vec::new();
        for keyword in rules.iter().flat_map(|r| r.keywords.iter()) {
            let keyword = keyword.to_ascii_lowercase();
            if !keywords.contains(&keyword) {
                keywords.push(keyword);
            }
        }
        let reference = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&keywords)
            .unwrap();
        let words: Vec<&str> = keywords.iter().step_by(7).map(String::as_str).collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for round in 0..400 {
            let mut text = String::new();
            while text.len() < round * 13 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                match state % 4 {
                    0 => text.push_str(words[(state >> 8) as usize % words.len()]),
                    1 => text.push_str(&words[(state >> 8) as usize % words.len()].to_uppercase()),
                    2 => text.push_str(" = \"x\"\n"),
                    _ => text.push_str("token_password"),
                }
            }
            let data = text.as_bytes();
            let mut expected: Vec<Hit> = reference
                .find_overlapping_iter(data)
                .map(|m| Hit {
                    start: m.start(),
                    end: m.end(),
                    pattern: m.pattern().as_u32(),
                })
                .collect();
            expected.sort_unstable();
            let mut found = Vec::new();
            prefilter.search(data, 0, &mut found);
            assert_eq!(found, expected, "round {round}, {} bytes", data.len());
            // A range's hits are the whole search's hits that start in it.
            let (from, to) = (data.len() / 3, data.len() * 2 / 3);
            let mut ranged = Vec::new();
            prefilter.hits_in(data, from, to, &mut ranged);
            let within: Vec<Hit> = expected
                .iter()
                .copied()
                .filter(|h| (from..to).contains(&h.start))
                .collect();
            assert_eq!(ranged, within, "round {round}: hits in {from}..{to}");
        }
    }
}
