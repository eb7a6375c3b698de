//! Runs candidate rules' patterns inside their windows and confirms each match (entropy, checksum,
//! allow-list, placeholder filter).

use std::sync::Arc;

use regex::bytes::CaptureLocations;

use super::confidence::{Confidence, Scored};
use super::entropy::shannon_entropy;
use super::placeholder::is_placeholder;
use super::rules::{CompiledRule, Rule, char_class_count};

pub use crate::pipeline::Match;

/// Searches one window of `data` with `rule` (whose regexes are `compiled`), pushing confirmed
/// matches onto `out`.
pub fn match_window(
    rule_idx: usize,
    rule: &Rule,
    compiled: &CompiledRule,
    data: &[u8],
    window: (usize, usize),
    locs: &mut CaptureLocations,
    out: &mut Vec<Match>,
) {
    // Searching the window alone (not the blob up to it) keeps the haystack small enough for the
    // regex crate's fast capture engines; windows start at a newline, so line anchors still hold.
    let base = window.0;
    let hay = &data[base..window.1];
    let mut at = 0;
    while at <= hay.len() {
        // Find the match with the DFA first, then resolve captures on the match alone: capture
        // engines are far slower, and on a short haystack the regex crate picks its fastest one.
        let Some(found) = compiled.regex.find_at(hay, at) else {
            break;
        };
        let (m_start, m_end) = (found.start(), found.end());
        at = if m_end > m_start { m_end } else { m_end + 1 };
        if compiled
            .regex
            .captures_read(locs, &hay[m_start..m_end])
            .is_none()
        {
            continue;
        }
        let sub = &hay[m_start..m_end];
        let Some((start, end)) = locs.get(compiled.secret_group) else {
            continue;
        };
        if compiled.allow_match.iter().any(|re| re.is_match(sub)) {
            continue;
        }
        if let Some(mut found) = confirm(rule_idx, rule, compiled, sub, start, end, locs) {
            found.start += base + m_start;
            found.end += base + m_start;
            out.push(found);
        }
    }
}

fn confirm(
    rule_idx: usize,
    rule: &Rule,
    compiled: &CompiledRule,
    hay: &[u8],
    start: usize,
    end: usize,
    locs: &CaptureLocations,
) -> Option<Match> {
    let secret = &hay[start..end];
    if secret.is_empty() {
        return None;
    }
    let entropy = shannon_entropy(secret);
    if rule.min_entropy.is_some_and(|floor| entropy < floor) {
        return None;
    }
    if char_class_count(secret) < rule.min_char_classes
        || !rule
            .must_contain
            .iter()
            .all(|class| secret.iter().any(|&b| class.contains(b)))
    {
        return None;
    }
    if compiled.allow.iter().any(|re| re.is_match(secret)) || is_placeholder(secret) {
        return None;
    }
    // A password that merely repeats the user name (`admin:admin@`) is a default, not a leak.
    let names_user = compiled
        .user_groups
        .iter()
        .any(|&i| locs.get(i).is_some_and(|(s, e)| &hay[s..e] == secret));
    if names_user {
        return None;
    }
    let checksum_valid = rule.checksum.map(|c| c.is_valid(secret));
    // A fixed format starts high; a checksum that fails says the format was only imitated.
    let mut score = Scored::new(Confidence::High);
    if checksum_valid == Some(false) {
        score.lower("checksum invalid");
    }
    if rule.public {
        score.lower_to_low("public-by-design key");
    }
    let captures = compiled
        .named_groups
        .iter()
        .filter_map(|(i, name)| {
            let (s, e) = locs.get(*i)?;
            Some((
                Arc::clone(name),
                String::from_utf8_lossy(&hay[s..e]).into_owned(),
            ))
        })
        .collect();
    Some(Match {
        rule: rule_idx,
        start,
        end,
        line: 0,
        column: 0,
        end_line: 0,
        secret: secret.to_vec(),
        captures,
        entropy,
        checksum_valid,
        score,
        decoded: None,
    })
}

/// Fills in line and column numbers of `matches` (sorted by `start`) in one pass over `data`.
pub fn assign_lines(data: &[u8], matches: &mut [Match]) {
    let mut line = 1;
    let mut pos = 0;
    for m in matches.iter_mut() {
        line += memchr::memchr_iter(b'\n', &data[pos..m.start]).count();
        let line_start = memchr::memrchr(b'\n', &data[..m.start]).map_or(0, |nl| nl + 1);
        pos = m.start;
        m.line = line;
        m.column = m.start - line_start + 1;
        let last = m.end.saturating_sub(1).max(m.start);
        m.end_line = line + memchr::memchr_iter(b'\n', &data[m.start..last]).count();
    }
}
