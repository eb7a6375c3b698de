//! The keyword prefilter: one Aho-Corasick automaton over every rule's keywords decides which rules
//! run, and where.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use anyhow::{Context, Result};

use super::rules::Rule;

/// How far before a keyword hit a rule's pattern may start (bounded by the start of the line).
pub const LOOK_BEHIND: usize = 512;
/// How far past the end of a window we extend to reach the end of its line.
const LINE_EXTENSION: usize = 4096;

/// Finds keyword hits and turns them into per-rule search windows.
#[derive(Debug)]
pub struct Prefilter {
    automaton: AhoCorasick,
    /// For each automaton pattern, the rules that listed that keyword.
    rules_by_keyword: Vec<Vec<usize>>,
}

/// Reusable per-thread buffers for [`Prefilter::windows`].
#[derive(Debug, Default)]
pub struct Windows {
    /// `per_rule[i]` holds rule i's merged, sorted `(start, end)` windows.
    pub per_rule: Vec<Vec<(usize, usize)>>,
    /// Rules with at least one window, in first-hit order.
    pub touched: Vec<usize>,
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
        let rules_by_keyword = propagate_overlaps(&keywords, &rules_by_keyword);
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&keywords)
            .or_else(|_| {
                // Very large keyword sets may exceed the DFA's limits; the NFA is slower but unbounded.
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&keywords)
            })
            .context("cannot build the keyword automaton")?;
        Ok(Self {
            automaton,
            rules_by_keyword,
        })
    }

    /// Fills `out` with the windows of `data` each candidate rule must search.
    pub fn windows(&self, data: &[u8], rules: &[Rule], out: &mut Windows) {
        out.reset(rules.len());
        for hit in self.automaton.find_iter(data) {
            let start = window_start(data, hit.start());
            for &rule_idx in &self.rules_by_keyword[hit.pattern().as_usize()] {
                let end = window_end(data, hit.end().saturating_add(rules[rule_idx].window));
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
}

/// Non-overlapping search (much faster than overlapping) can hide a keyword B behind a hit of
/// keyword A when B lies inside A or starts inside A and runs past its end. So a hit of A also
/// selects the rules of every such B; their patterns then confirm whether B's match is really there.
fn propagate_overlaps(keywords: &[String], rules_by_keyword: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut out = rules_by_keyword.to_vec();
    for (a, ka) in keywords.iter().enumerate() {
        for (b, kb) in keywords.iter().enumerate() {
            if a == b {
                continue;
            }
            let hidden = ka.contains(kb.as_str())
                || (1..ka.len()).any(|i| ka.is_char_boundary(i) && kb.starts_with(&ka[i..]));
            if hidden {
                for &rule in &rules_by_keyword[b] {
                    if !out[a].contains(&rule) {
                        out[a].push(rule);
                    }
                }
            }
        }
    }
    out
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
