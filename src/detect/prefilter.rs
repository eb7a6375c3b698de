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
    /// For each automaton pattern, the rules that listed that keyword or a keyword inside it.
    rules_by_keyword: Vec<Vec<usize>>,
    /// For each automaton pattern A, the keywords B that can start inside A and run past its end
    /// (`(offset in A, B)`): a hit of A hides them, so they are checked for at that offset.
    hidden_after: Vec<Vec<HiddenKeyword>>,
    /// The keywords, lowercase.
    keywords: Vec<Vec<u8>>,
    /// The longest keyword, in bytes: how far a hit can reach past the place it starts.
    max_keyword_len: usize,
}

/// A keyword that may start `.0` bytes into another keyword's hit: `(offset, keyword index)`.
type HiddenKeyword = (usize, usize);

/// One keyword hit: which automaton pattern, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
        let (rules_by_keyword, hidden_after) = overlaps(&keywords, &rules_by_keyword);
        let max_keyword_len = keywords.iter().map(String::len).max().unwrap_or(1);
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
            hidden_after,
            keywords: keywords.into_iter().map(String::into_bytes).collect(),
            max_keyword_len,
        })
    }

    /// The longest keyword in bytes.
    pub fn max_keyword_len(&self) -> usize {
        self.max_keyword_len
    }

    /// Fills `out` with the windows of `data` each candidate rule must search.
    pub fn windows(&self, data: &[u8], rules: &[Rule], out: &mut Windows) {
        let hits = self.automaton.find_iter(data).map(|hit| Hit {
            start: hit.start(),
            end: hit.end(),
            pattern: hit.pattern().as_u32(),
        });
        self.windows_from_hits(data, hits, rules, out);
    }

    /// Appends to `out` the hits that start in `data[from..to]`, with positions in `data`. The
    /// automaton starts `max_keyword_len` bytes early so a keyword ending just past `from` is
    /// resolved as a search of the whole of `data` would resolve it, and reads on past `to` so a
    /// keyword straddling `to` is found whole.
    pub fn hits_in(&self, data: &[u8], from: usize, to: usize, out: &mut Vec<Hit>) {
        let lo = from.saturating_sub(self.max_keyword_len);
        let hi = to.saturating_add(self.max_keyword_len).min(data.len());
        for hit in self.automaton.find_iter(&data[lo..hi]) {
            let start = lo + hit.start();
            if start >= to {
                break;
            }
            if start >= from {
                out.push(Hit {
                    start,
                    end: lo + hit.end(),
                    pattern: hit.pattern().as_u32(),
                });
            }
        }
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
        // Hidden keywords start inside their hit, before the next hit: windows stay in order.
        for hit in hits {
            let pattern = hit.pattern as usize;
            self.add_windows(data, hit.start, hit.end, pattern, rules, out);
            for &(offset, hidden) in &self.hidden_after[pattern] {
                let start = hit.start + offset;
                let end = start + self.keywords[hidden].len();
                if end <= data.len()
                    && data[start..end].eq_ignore_ascii_case(&self.keywords[hidden])
                {
                    self.add_windows(data, start, end, hidden, rules, out);
                }
            }
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

/// Non-overlapping search (much faster than overlapping) can hide a keyword B behind a hit of
/// keyword A. When B lies wholly inside A, a hit of A is a hit of B: A's hits select B's rules.
/// When B starts inside A and runs past its end, B may or may not follow: those (offset, B) pairs
/// are returned per A, for the hit to check.
fn overlaps(
    keywords: &[String],
    rules_by_keyword: &[Vec<usize>],
) -> (Vec<Vec<usize>>, Vec<Vec<HiddenKeyword>>) {
    use std::collections::{BTreeSet, HashMap};
    // Hash lookups of substrings instead of comparing every pair of keywords: start-up stays
    // linear in the keyword count (the pairwise loop dominated start-up at a few hundred rules).
    let index: HashMap<&str, usize> = keywords
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let lengths: BTreeSet<usize> = keywords.iter().map(String::len).collect();
    let mut by_proper_prefix: HashMap<&str, Vec<usize>> = HashMap::new();
    for (b, kb) in keywords.iter().enumerate() {
        for p in (1..kb.len()).filter(|&p| kb.is_char_boundary(p)) {
            by_proper_prefix.entry(&kb[..p]).or_default().push(b);
        }
    }
    let mut rules = rules_by_keyword.to_vec();
    let mut hidden_after = vec![Vec::new(); keywords.len()];
    for (a, ka) in keywords.iter().enumerate() {
        // Keywords inside A: a hit of A (leftmost-longest) hides them, so A's hit runs their rules.
        let mut inside: Vec<usize> = Vec::new();
        for i in (0..ka.len()).filter(|&i| ka.is_char_boundary(i)) {
            for &len in lengths.range(..=ka.len() - i) {
                let j = i + len;
                if ka.is_char_boundary(j)
                    && let Some(&b) = index.get(&ka[i..j])
                    && b != a
                {
                    inside.push(b);
                }
            }
        }
        inside.sort_unstable();
        inside.dedup();
        for b in inside {
            for &rule in &rules_by_keyword[b] {
                if !rules[a].contains(&rule) {
                    rules[a].push(rule);
                }
            }
        }
        // Keywords B that start inside A and run past its end: A's suffix is B's proper prefix.
        let hidden = &mut hidden_after[a];
        for i in (1..ka.len()).filter(|&i| ka.is_char_boundary(i)) {
            if let Some(bs) = by_proper_prefix.get(&ka[i..]) {
                hidden.extend(bs.iter().filter(|&&b| b != a).map(|&b| (i, b)));
            }
        }
        hidden.sort_unstable_by_key(|&(i, b)| (b, i));
    }
    (rules, hidden_after)
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

    /// The pairwise definition, kept as the reference for the indexed version.
    fn overlaps_pairwise(
        keywords: &[String],
        rules_by_keyword: &[Vec<usize>],
    ) -> (Vec<Vec<usize>>, Vec<Vec<HiddenKeyword>>) {
        let mut rules = rules_by_keyword.to_vec();
        let mut hidden_after = vec![Vec::new(); keywords.len()];
        for (a, ka) in keywords.iter().enumerate() {
            for (b, kb) in keywords.iter().enumerate() {
                if a == b {
                    continue;
                }
                if ka.contains(kb.as_str()) {
                    for &rule in &rules_by_keyword[b] {
                        if !rules[a].contains(&rule) {
                            rules[a].push(rule);
                        }
                    }
                }
                for i in 1..ka.len() {
                    if kb.len() > ka.len() - i && kb.starts_with(&ka[i..]) {
                        hidden_after[a].push((i, b));
                    }
                }
            }
        }
        (rules, hidden_after)
    }

    #[test]
    fn indexed_overlaps_equal_the_pairwise_definition() {
        let mut keywords: Vec<String> = embedded_rules()
            .unwrap()
            .iter()
            .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
            .collect();
        keywords.extend(["abab", "bab", "ba", "xab", "abcd", "b"].map(String::from));
        keywords.sort();
        keywords.dedup();
        let rules_by_keyword: Vec<Vec<usize>> = (0..keywords.len()).map(|i| vec![i]).collect();
        assert_eq!(
            overlaps(&keywords, &rules_by_keyword),
            overlaps_pairwise(&keywords, &rules_by_keyword)
        );
    }

    /// With keywords `xab` and `abcd`, the hit `xab` hides `abcd` in `xabcd`: the hidden keyword's
    /// rules still get a window there, and only there.
    #[test]
    fn a_keyword_hidden_behind_another_hit_is_checked_for() {
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
}
