//! Bounded decoding: secrets hidden in base64 blobs, JSON string escapes (`\"`, `\/`, `\u00..`) and
//! percent-encoded URLs are reached by scanning a decoded *view* of the bytes around each encoded run
//! and mapping what it finds back to the encoded text.
//!
//! A view is the start of the run's line (so the name before a value still counts), the decoded
//! run, and the rest of the line. Growth is impossible by construction: every decoder emits at most
//! as many bytes as it reads (base64 3 for 4, an escape one character for two or more, `%XX` one
//! for three), views of views stop at [`MAX_DEPTH`], and all views of one blob together hold at most
//! [`BLOB_BUDGET`] bytes. Blobs without a candidate run cost one search per encoding.

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use std::sync::LazyLock;

use super::matcher::Match;
use super::{Detector, Scratch};

/// Views of views are scanned; views of those are not.
pub const MAX_DEPTH: usize = 2;
/// Decoded bytes (all views, all levels) scanned per blob.
pub const BLOB_BUDGET: usize = 1 << 20;
/// Longest encoded run decoded; a longer one is decoded up to here.
pub const MAX_RUN: usize = 256 << 10;
/// Bytes of a run's line kept on either side of it in its view.
const CONTEXT: usize = 256;
/// Shortest unpadded base64 run decoded (12 bytes once decoded).
const MIN_BASE64: usize = 16;
/// Shortest padded base64 run decoded: `aHVudGVyMg==` is a 7-byte password.
const MIN_PADDED_BASE64: usize = 12;
/// Shortest decoded text worth a view.
const MIN_DECODED: usize = 6;

/// Which encoding a finding was hidden under, as reports name it.
pub type Decoding = &'static str;

/// What marks a line as holding escaped JSON worth undoing: an escaped key before its colon, an
/// escaped URL, a `\u00..` escape. A lone `\"` in a string literal of code is not enough: views
/// of such lines would cost a second scan of most source files and find nothing new.
static JSON_ESCAPE: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build([r#"\":"#, r#"\" :"#, r":\/\/", r"\u00"])
        .expect("the escape markers compile")
});
/// Percent-encoded `://` and `@`: an encoded URL or credential, not a lone `%20` or an encoded
/// timestamp (whose rules' allow lists are written for the encoded form).
static PERCENT: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(["%3a%2f%2f", "%40"])
        .expect("the percent markers compile")
});
/// Accepts padded and unpadded input and trailing bits: the text is found, not validated.
static BASE64: LazyLock<GeneralPurpose> = LazyLock::new(|| {
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    )
});

/// What the decoding pass did with one blob, for tests of its limits.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DecodeStats {
    /// Views scanned.
    pub views: usize,
    /// Bytes in those views.
    pub view_bytes: usize,
    /// The deepest level scanned (1 for a view of the blob, 2 for a view of a view).
    pub deepest: usize,
}

/// Reusable buffers of the decoding pass, one set per level.
#[derive(Debug, Default)]
pub struct DecodeScratch {
    levels: Vec<Level>,
    /// What the last top-level pass did.
    pub stats: DecodeStats,
}

#[derive(Debug, Default)]
struct Level {
    /// The view: line context, decoded run, line context.
    view: Vec<u8>,
    /// `map[i]`: where view byte `i` came from in the level's input; one entry past the end.
    map: Vec<usize>,
    /// Matches found in the view.
    found: Vec<Match>,
    /// Decoded bytes of a run, before they are placed in the view.
    decoded: Vec<u8>,
}

/// One encoded region of the input and how to decode it.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    start: usize,
    end: usize,
    kind: Decoding,
}

/// Scans decoded views of `data`'s encoded runs and adds what they hold to `out` (matches of
/// `data` itself, sorted), located at the encoded text and marked with their decoding.
/// `base64_runs` are `data`'s base64 runs if the caller has them (a history scan's cache does).
pub(super) fn scan_decoded(
    detector: &Detector,
    data: &[u8],
    base64_runs: Option<&[(usize, usize)]>,
    scratch: &mut Scratch,
    out: &mut Vec<Match>,
) {
    scratch.decode.stats = DecodeStats::default();
    let mut budget = BLOB_BUDGET;
    let mut added = Vec::new();
    scan_level(
        detector,
        data,
        base64_runs,
        scratch,
        0,
        &mut budget,
        &mut added,
    );
    if added.is_empty() {
        return;
    }
    merge(detector, data, out, added);
}

/// Finds the candidates of `data` (itself a view at `depth`) and pushes the matches of their views
/// onto `added`, in `data`'s coordinates.
#[allow(clippy::too_many_arguments)]
fn scan_level(
    detector: &Detector,
    data: &[u8],
    base64_runs: Option<&[(usize, usize)]>,
    scratch: &mut Scratch,
    depth: usize,
    budget: &mut usize,
    added: &mut Vec<Match>,
) {
    if depth >= MAX_DEPTH || *budget == 0 {
        return;
    }
    let mut candidates = Vec::new();
    find_candidates(data, base64_runs, &mut candidates);
    if candidates.is_empty() {
        return;
    }
    if scratch.decode.levels.len() <= depth {
        scratch.decode.levels.resize_with(depth + 1, Level::default);
    }
    let mut level = std::mem::take(&mut scratch.decode.levels[depth]);
    for candidate in candidates {
        if *budget == 0 {
            break;
        }
        if !build_view(data, candidate, &mut level) || level.view.len() > *budget {
            continue;
        }
        *budget -= level.view.len();
        let stats = &mut scratch.decode.stats;
        stats.views += 1;
        stats.view_bytes += level.view.len();
        stats.deepest = stats.deepest.max(depth + 1);

        let mut found = std::mem::take(&mut level.found);
        detector.scan_plain(&level.view, scratch, &mut found);
        let mut nested = Vec::new();
        scan_level(
            detector,
            &level.view,
            None,
            scratch,
            depth + 1,
            budget,
            &mut nested,
        );
        found.append(&mut nested);
        for mut m in found.drain(..) {
            m.start = level.map[m.start];
            m.end = level.map[m.end].max(m.start + 1);
            m.decoded = Some(combine(candidate.kind, m.decoded));
            added.push(m);
        }
        level.found = found;
    }
    scratch.decode.levels[depth] = level;
}

/// The name of a decoding applied on top of `inner` (if any).
fn combine(outer: Decoding, inner: Option<Decoding>) -> Decoding {
    match (outer, inner) {
        (outer, None) => outer,
        ("base64", Some("base64")) => "base64+base64",
        ("base64", Some(_)) => "base64+escape",
        ("json-escape", Some("base64")) => "json-escape+base64",
        ("percent", Some("base64")) => "percent+base64",
        (outer, Some(_)) => outer,
    }
}

/// Adds `added` (found in views, located in `data`) to `out`. Where a match of `data` itself has
/// the same rule at the same place it wins, except over the base64 text it was decoded from: the
/// decoded secret is the one to report. Then orders, settles overlaps and numbers lines again.
fn merge(detector: &Detector, data: &[u8], out: &mut Vec<Match>, added: Vec<Match>) {
    for m in added {
        let overlaps = |o: &Match| o.rule == m.rule && o.start < m.end && m.start < o.end;
        let encoded_twin = |o: &Match| overlaps(o) && o.decoded.is_none() && o.secret != m.secret;
        if m.decoded.is_some_and(|d| d.starts_with("base64")) && out.iter().any(encoded_twin) {
            out.retain(|o| !encoded_twin(o));
        } else if out.iter().any(overlaps) {
            continue;
        }
        out.push(m);
    }
    out.sort_by_key(|m| (m.start, m.end, m.rule));
    detector.drop_generic_overlaps(out);
    super::matcher::assign_lines(data, out);
}

/// Every encoded region of `data` worth a view, in order of position. `base64_runs` are the
/// base64 runs of `data`, if known; they are searched for otherwise.
fn find_candidates(data: &[u8], base64_runs: Option<&[(usize, usize)]>, out: &mut Vec<Candidate>) {
    let mut base64 = |start: usize, end: usize| {
        if is_base64_candidate(data, start, end) {
            out.push(Candidate {
                start,
                end: end.min(start + MAX_RUN),
                kind: "base64",
            });
        }
    };
    match base64_runs {
        Some(runs) => runs.iter().for_each(|&(start, end)| base64(start, end)),
        None => super::base64_run::for_each(data, base64),
    }
    // One view per line holding escapes, however many it holds.
    let mut line_done = 0;
    for hit in JSON_ESCAPE.find_iter(data) {
        if hit.start() < line_done {
            continue;
        }
        // A line longer than a run is viewed in pieces, each starting where the last one ended.
        let (line_start, end) = line_around(data, hit.start());
        let start = line_start.max(line_done);
        let end = end.min(start + MAX_RUN);
        line_done = end.max(hit.end());
        out.push(Candidate {
            start,
            end,
            kind: "json-escape",
        });
    }
    let mut url_done = 0;
    for hit in PERCENT.find_iter(data) {
        if hit.start() < url_done {
            continue;
        }
        let (start, end) = url_around(data, hit.start());
        url_done = end.max(hit.end());
        out.push(Candidate {
            start,
            end,
            kind: "percent",
        });
    }
    out.sort_by_key(|c| c.start);
}

/// Whether the run `data[start..end]` may be base64 of text: long enough, padded right, a whole
/// token rather than the tail of a word, with both cases of letters as encoded text has.
fn is_base64_candidate(data: &[u8], start: usize, end: usize) -> bool {
    let run = &data[start..end];
    let padded = run.ends_with(b"=");
    let body = run.len() - run.iter().rev().take_while(|&&b| b == b'=').count();
    let long_enough = if padded {
        run.len() >= MIN_PADDED_BASE64 && run.len().is_multiple_of(4)
    } else {
        body >= MIN_BASE64 && body % 4 != 1
    };
    let whole = start == 0 || !matches!(data[start - 1], b'-' | b'_' | b'.' | b'%' | b'\\');
    let after_ok = data
        .get(end)
        .is_none_or(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')));
    long_enough
        && whole
        && after_ok
        && run.iter().any(u8::is_ascii_lowercase)
        && run.iter().any(u8::is_ascii_uppercase)
}

/// The line holding `pos`, without its newline.
fn line_around(data: &[u8], pos: usize) -> (usize, usize) {
    let start = memchr::memrchr(b'\n', &data[..pos]).map_or(0, |p| p + 1);
    let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |p| pos + p);
    (start, end)
}

/// The URL-ish run of bytes around `pos` (to whitespace, quotes or angle brackets), bounded.
fn url_around(data: &[u8], pos: usize) -> (usize, usize) {
    let stop = |b: &u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>');
    let floor = pos.saturating_sub(MAX_RUN / 2);
    let start = data[floor..pos]
        .iter()
        .rposition(stop)
        .map_or(floor, |p| floor + p + 1);
    let ceiling = (pos + MAX_RUN / 2).min(data.len());
    let end = data[pos..ceiling]
        .iter()
        .position(stop)
        .map_or(ceiling, |p| pos + p);
    (start, end)
}

/// Fills `level` with the view of `candidate` in `data`; false when the run does not decode to text.
fn build_view(data: &[u8], candidate: Candidate, level: &mut Level) -> bool {
    let Level {
        view, map, decoded, ..
    } = level;
    view.clear();
    map.clear();
    decoded.clear();
    let (start, end) = (candidate.start, candidate.end);
    // `decoded` holds the bytes, `map` (for now) where each one starts in the run.
    match candidate.kind {
        "base64" => {
            if !decode_base64(&data[start..end], decoded) || !is_text(decoded) {
                return false;
            }
            map.extend((0..decoded.len()).map(|i| start + i * 4 / 3));
        }
        "json-escape" => {
            if !unescape_json(&data[start..end], start, decoded, map) {
                return false;
            }
        }
        _ => {
            if !decode_percent(&data[start..end], start, decoded, map) || !is_text(decoded) {
                return false;
            }
        }
    }
    if decoded.len() < MIN_DECODED {
        return false;
    }
    let (line_start, line_end) = line_around(data, start);
    let before = start - line_start.max(start.saturating_sub(CONTEXT));
    let after = end.max(line_end.min(end + CONTEXT)) - end;
    let run_map = std::mem::take(map);
    view.extend_from_slice(&data[start - before..start]);
    map.extend(start - before..start);
    view.extend_from_slice(decoded);
    map.extend_from_slice(&run_map);
    view.extend_from_slice(&data[end..end + after]);
    map.extend(end..end + after);
    map.push(end + after);
    debug_assert!(view.len() <= (end + after) - (start - before));
    true
}

/// Decodes a base64 run (whole groups only) into `out`; false when it is not base64.
fn decode_base64(run: &[u8], out: &mut Vec<u8>) -> bool {
    let body = run.len() - run.iter().rev().take_while(|&&b| b == b'=').count();
    // A stray fifth character of a group cannot be decoded; the groups before it can.
    let usable = if body % 4 == 1 { body - 1 } else { body };
    BASE64.decode_vec(&run[..usable], out).is_ok()
}

/// Text: valid UTF-8 without control characters other than tab, CR and LF.
fn is_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| {
        !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    })
}

/// Undoes JSON string escapes in `line` (at `base` in the input) into `out`, and where each output
/// byte starts into `map`. False when nothing changed.
fn unescape_json(line: &[u8], base: usize, out: &mut Vec<u8>, map: &mut Vec<usize>) -> bool {
    let mut changed = false;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if b != b'\\' || i + 1 >= line.len() {
            out.push(b);
            map.push(base + i);
            i += 1;
            continue;
        }
        let simple = match line[i + 1] {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'n' => Some(b'\n'),
            b't' => Some(b'\t'),
            b'r' => Some(b'\r'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            map.push(base + i);
            i += 2;
            changed = true;
            continue;
        }
        if line[i + 1] == b'u'
            && let Some((c, len)) = unicode_escape(&line[i..])
        {
            let mut utf8 = [0u8; 4];
            for &byte in c.encode_utf8(&mut utf8).as_bytes() {
                out.push(byte);
                map.push(base + i);
            }
            i += len;
            changed = true;
            continue;
        }
        out.push(b);
        map.push(base + i);
        i += 1;
    }
    changed
}

/// `\uXXXX` (or a surrogate pair `\uD83D\uDE00`) at the start of `s`: the character and the length
/// of its escape. Its UTF-8 is never longer than the escape.
fn unicode_escape(s: &[u8]) -> Option<(char, usize)> {
    let hex = |from: usize| -> Option<u32> {
        let digits = std::str::from_utf8(s.get(from..from + 4)?).ok()?;
        u32::from_str_radix(digits, 16).ok()
    };
    let high = hex(2)?;
    if (0xD800..0xDC00).contains(&high) {
        if s.get(6..8) != Some(b"\\u") {
            return None;
        }
        let low = hex(8)?;
        if !(0xDC00..0xE000).contains(&low) {
            return None;
        }
        let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?;
        return Some((c, 12));
    }
    char::from_u32(high).map(|c| (c, 6))
}

/// Undoes `%XX` escapes in `run` (at `base`) into `out` and `map`; false when nothing changed.
fn decode_percent(run: &[u8], base: usize, out: &mut Vec<u8>, map: &mut Vec<usize>) -> bool {
    let mut changed = false;
    let mut i = 0;
    while i < run.len() {
        let escaped = run[i] == b'%'
            && run.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && run.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        map.push(base + i);
        if escaped {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(run[i + 1]) << 4 | hex(run[i + 2]));
            i += 3;
            changed = true;
        } else {
            out.push(run[i]);
            i += 1;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view_of(
        data: &[u8],
        start: usize,
        end: usize,
        kind: Decoding,
    ) -> Option<(Vec<u8>, Vec<usize>)> {
        let mut level = Level::default();
        build_view(data, Candidate { start, end, kind }, &mut level)
            .then_some((level.view, level.map))
    }

    #[test]
    fn a_base64_view_keeps_the_name_before_the_value() {
        let data = b"data:\n  password: aHVudGVyMiE=\n";
        let at = 18;
        let (view, map) = view_of(data, at, at + 12, "base64").unwrap();
        assert_eq!(view, b"  password: hunter2!");
        assert_eq!(map[12], at, "the decoded value starts at the encoded one");
        assert_eq!(map.len(), view.len() + 1);
    }

    #[test]
    fn escapes_are_undone_and_mapped_to_their_source() {
        let line = br#"{\"token\": \"a\/b\u0041\"}"#;
        let mut out = Vec::new();
        let mut map = Vec::new();
        assert!(unescape_json(line, 100, &mut out, &mut map));
        assert_eq!(out, br#"{"token": "a/bA"}"#);
        assert_eq!(map[out.len() - 3], 100 + 18, "`A` came from `\\u0041`");
        let mut out = Vec::new();
        assert!(!unescape_json(b"plain", 0, &mut out, &mut Vec::new()));
    }

    #[test]
    fn binary_and_word_runs_are_not_decoded() {
        // Integrity hashes and random tokens decode to bytes, not text.
        let data = b"integrity sha512-Kq5sNclPz7QV2+lfQIuWzUqDyxlZ4kIGI0Fdi5WXvZkH8rFP== x";
        let mut found = Vec::new();
        find_candidates(data, None, &mut found);
        assert!(found.is_empty(), "{found:?}");
        let data = b"key: Zm9vYmFyYmF6cXV4cXV1eA== and getElementsByClassNameForWidgets";
        let mut found = Vec::new();
        find_candidates(data, None, &mut found);
        assert_eq!(found.len(), 2, "both runs are candidates: {found:?}");
        assert!(view_of(data, found[0].start, found[0].end, "base64").is_some());
        assert!(
            view_of(data, found[1].start, found[1].end, "base64").is_none(),
            "an identifier is not base64 text"
        );
    }

    #[test]
    fn no_decoder_grows_its_input() {
        let inputs: [&[u8]; 4] = [
            b"dGV4dCB0aGF0IGlzIHRleHQ=",
            br#"\u00e9\ud83d\ude00\"\\\/\n"#,
            b"%3A%2F%2F%40%3d",
            b"\\u12",
        ];
        for input in inputs {
            for kind in ["base64", "json-escape", "percent"] {
                if let Some((view, _)) = view_of(input, 0, input.len(), kind) {
                    assert!(view.len() <= input.len(), "{kind} grew {input:?}");
                }
            }
        }
    }

    fn detector() -> Detector {
        Detector::new(crate::detect::rules::embedded_rules().unwrap()).unwrap()
    }

    fn b64(data: &[u8]) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .encode(data)
            .into_bytes()
    }

    const TOKEN: &[u8] = b"GITHUB_TOKEN=ghp_Qm3kV8zR1tW6yB0nC4xL7pJ2hF5dS91a2b3c\n";

    /// A history scan takes a blob's base64 runs from the segment cache: a run crossing many
    /// segments, and short runs at segment edges, are found as a full scan finds them.
    #[test]
    fn the_cached_scan_decodes_what_the_full_scan_decodes() {
        let detector = detector();
        let cache = crate::detect::DetectCache::new();
        let mut scratch = Scratch::default();
        let (mut full, mut cached) = (Vec::new(), Vec::new());
        let filler = b"line of plain text with words, numbers 12345 and Mixed Case\n".repeat(200);
        let long = b64(&[filler.as_slice(), TOKEN, b"\n", filler.as_slice()].concat());
        let data = [
            b"short: aGVsbG8gd29ybGQ= and ".as_slice(),
            b"config: ",
            &long,
            b"\n",
            &b"key: dGhpcyBpcyBhIHRlc3Q=\n".repeat(500),
        ]
        .concat();
        for version in [data.clone(), [b"# edit\n".as_slice(), &data].concat()] {
            detector.scan(&version, &mut scratch, &mut full);
            detector.scan_cached(&version, &mut scratch, &cache, &mut cached);
            let summary = |ms: &[Match]| -> Vec<_> {
                ms.iter()
                    .map(|m| (m.rule, m.start, m.end, m.decoded, m.secret.clone()))
                    .collect()
            };
            assert_eq!(summary(&full), summary(&cached));
            assert!(
                full.iter()
                    .any(|m| m.decoded == Some("base64") && m.secret == TOKEN[13..TOKEN.len() - 1]),
                "the token inside the long run is found: {full:?}"
            );
        }
    }

    #[test]
    fn two_levels_of_base64_are_decoded_and_a_third_is_not() {
        let detector = detector();
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        let once = b64(TOKEN);
        let twice = b64(&once);
        let thrice = b64(&twice);
        for (blob, want) in [
            (&once, Some("base64")),
            (&twice, Some("base64+base64")),
            (&thrice, None),
        ] {
            let data = [b"config: ", blob.as_slice(), b"\n"].concat();
            detector.scan(&data, &mut scratch, &mut out);
            let found: Vec<_> = out.iter().map(|m| (m.decoded, m.line)).collect();
            match want {
                Some(kind) => {
                    assert_eq!(found, vec![(Some(kind), 1)]);
                    // Located inside the encoded text, where the token's bits are.
                    assert!(
                        out[0].start > 8 && out[0].end <= 8 + blob.len(),
                        "{:?}",
                        out[0]
                    );
                    assert_eq!(out[0].secret, TOKEN[13..TOKEN.len() - 1]);
                }
                None => assert!(found.is_empty(), "{found:?}"),
            }
            assert!(scratch.decode.stats.deepest <= MAX_DEPTH);
        }
    }

    /// Megabytes of nested, text-bearing base64: the views never hold more than the budget, the
    /// depth never passes two levels, and every view is smaller than what it decodes.
    #[test]
    fn a_hostile_blob_is_decoded_within_the_limits() {
        let detector = detector();
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        let nested = b64(&b64(&b64(&TOKEN.repeat(40))));
        let mut data = Vec::new();
        while data.len() < 2 << 20 {
            data.extend_from_slice(b"blob: ");
            data.extend_from_slice(&nested);
            data.push(b'\n');
        }
        detector.scan(&data, &mut scratch, &mut out);
        let stats = scratch.decode.stats;
        assert!(stats.view_bytes <= BLOB_BUDGET, "{stats:?}");
        assert!(
            stats.view_bytes > BLOB_BUDGET / 2,
            "the budget was used: {stats:?}"
        );
        assert_eq!(stats.deepest, MAX_DEPTH);
        assert!(out.is_empty(), "the token is three levels down");

        // One run longer than a run may be: only its first MAX_RUN bytes are decoded.
        let huge = b64(&vec![b'a'; MAX_RUN * 2]);
        let mut found = Vec::new();
        find_candidates(&huge, None, &mut found);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].start, found[0].end), (0, MAX_RUN));
    }
}
