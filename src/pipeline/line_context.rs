//! The line a secret was found on, kept with the finding so the text report can show it with a
//! caret under the secret. Every secret on the line (this finding's and any other match's) is kept
//! as its own piece, so the report redacts each of them: context must never print a secret that
//! the `secret:` field hides.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use crate::escape::escape_control;
use crate::pipeline::redact;

/// Bytes of the line kept on each side of the secret; a minified file's line can be megabytes.
const SIDE: usize = 48;

/// Capture values shorter than this are names (`base64`), not secret material worth masking.
const MIN_MASKED_CAPTURE: usize = 8;

/// What a piece of the line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Ordinary text.
    Plain,
    /// This finding's secret (or the encoded text it was decoded from).
    Own,
    /// Another match's secret, or a second value the rule captured.
    Other,
}

/// The spans of every match in a blob, sorted, so each finding's line finds the secrets on it
/// without walking all of them (a generated file can hold a hundred thousand matches).
#[derive(Debug, Default)]
pub struct SecretSpans {
    /// `(start, end)` by start.
    spans: Vec<(usize, usize)>,
    /// `reach[i]`: the largest end among `spans[..=i]`, so a walk back can stop once nothing
    /// earlier reaches the line.
    reach: Vec<usize>,
}

impl SecretSpans {
    /// The spans `(start, end)`, in any order.
    pub fn new(spans: impl IntoIterator<Item = (usize, usize)>) -> Self {
        let mut spans: Vec<(usize, usize)> = spans.into_iter().collect();
        spans.sort_unstable();
        let reach = spans
            .iter()
            .scan(0, |max, &(_, end)| {
                *max = end.max(*max);
                Some(*max)
            })
            .collect();
        SecretSpans { spans, reach }
    }

    /// The spans that overlap `from..to`.
    fn overlapping(&self, from: usize, to: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let before_to = self.spans.partition_point(|&(start, _)| start < to);
        (0..before_to)
            .rev()
            .take_while(move |&i| self.reach[i] > from)
            .map(|i| self.spans[i])
            .filter(move |&(_, end)| end > from)
    }
}

/// A secret's line, cut around the secret, split into plain text and secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineContext {
    pieces: Vec<(Kind, String)>,
    /// The line went on before the first piece.
    cut_before: bool,
    /// The line went on after the last piece.
    cut_after: bool,
}

/// A rendered context line and where its caret goes (both in terminal columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The line, control characters escaped and secrets redacted unless shown.
    pub line: String,
    /// Columns before the secret.
    pub caret_at: usize,
    /// Columns the secret takes (at least one).
    pub caret_width: usize,
}

impl LineContext {
    /// The context of the secret at `data[start..end]`. `others` are the spans of the matches in
    /// `data` (any that touch the kept part of the line are masked) and `captures` the
    /// rule's other captured values (masked where they appear on the line). A secret `encoded`
    /// (base64, escapes) owns the whole run of encoded text around it: the rest of an encoded blob
    /// can hold more of the secret or others like it, readable to anyone who decodes it.
    pub fn capture<'a>(
        data: &[u8],
        mut start: usize,
        mut end: usize,
        encoded: bool,
        others: &SecretSpans,
        captures: impl IntoIterator<Item = &'a str>,
    ) -> Option<LineContext> {
        if start > data.len() {
            return None;
        }
        end = end.clamp(start, data.len());
        if encoded {
            // Padding only ends a run, so `KEY=<base64>` keeps its `KEY=` in view.
            let encoded_byte =
                |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'\\');
            while start > 0 && encoded_byte(data[start - 1]) {
                start -= 1;
            }
            while end < data.len() && (encoded_byte(data[end]) || data[end] == b'=') {
                end += 1;
            }
        }
        let line_start = memchr::memrchr(b'\n', &data[..start]).map_or(0, |p| p + 1);
        let mut line_end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
        if line_end > start && data[line_end - 1] == b'\r' {
            line_end -= 1;
        }
        // A secret spanning lines (a PEM block) shows its first line.
        let own_end = end.clamp(start, line_end);
        let from = char_boundary(data, start.saturating_sub(SIDE).max(line_start));
        let to = char_boundary(data, (own_end + SIDE).min(line_end));
        let to = to.max(own_end);

        // Mark each byte of the kept window with what it is; own wins over other.
        let mut kinds = vec![Kind::Plain; to - from];
        for (s, e) in others.overlapping(from, to) {
            let (s, e) = (s.max(from), e.min(to).max(s.max(from)));
            for k in &mut kinds[s - from..e - from] {
                *k = Kind::Other;
            }
        }
        for capture in captures {
            let needle = capture.as_bytes();
            if needle.len() < MIN_MASKED_CAPTURE {
                continue;
            }
            for at in memchr::memmem::find_iter(&data[from..to], needle) {
                for k in &mut kinds[at..at + needle.len()] {
                    *k = Kind::Other;
                }
            }
        }
        for k in &mut kinds[start - from..own_end - from] {
            *k = Kind::Own;
        }
        // A secret that is all newline-free but empty here (it starts at a line end) still gets
        // a piece, so the caret has something to point at.
        let mut pieces: Vec<(Kind, String)> = Vec::new();
        let mut i = 0;
        let mut own_seen = false;
        while i < kinds.len() {
            let kind = kinds[i];
            let mut j = i + 1;
            while j < kinds.len() && kinds[j] == kind {
                j += 1;
            }
            if kind == Kind::Own {
                own_seen = true;
            }
            let text = String::from_utf8_lossy(&data[from + i..from + j]).into_owned();
            pieces.push((kind, text));
            i = j;
        }
        if !own_seen {
            let at = pieces
                .iter()
                .scan(from, |pos, (_, t)| {
                    let here = *pos;
                    *pos += t.len();
                    Some(here)
                })
                .position(|pos| pos >= start)
                .unwrap_or(pieces.len());
            pieces.insert(at, (Kind::Own, String::new()));
        }
        Some(LineContext {
            pieces,
            cut_before: from > line_start,
            cut_after: to < line_end,
        })
    }

    /// The line as the report prints it: secrets redacted unless `show_secrets`, control
    /// characters escaped, tabs as one space (so the caret lines up).
    pub fn render(&self, show_secrets: bool) -> Rendered {
        let mut line = String::new();
        let mut caret_at = 0;
        let mut caret_width = 1;
        if self.cut_before {
            line.push('…');
        }
        for (kind, text) in &self.pieces {
            let shown = match kind {
                Kind::Plain => escape_control(&text.replace('\t', " ")).into_owned(),
                _ if show_secrets => escape_control(text).into_owned(),
                // The kept prefix is the file's text too.
                _ => escape_control(&redact(text)).into_owned(),
            };
            if *kind == Kind::Own {
                caret_at = line.width();
                caret_width = shown.width().max(1);
            }
            let _ = write!(line, "{shown}");
        }
        if self.cut_after {
            line.push('…');
        }
        Rendered {
            line,
            caret_at,
            caret_width,
        }
    }
}

/// `at` moved back to the start of the UTF-8 character it falls in.
fn char_boundary(data: &[u8], mut at: usize) -> usize {
    while at > 0 && at < data.len() && data[at] & 0xC0 == 0x80 {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(data: &str, secret: &str, show: bool) -> Rendered {
        let start = data.find(secret).unwrap();
        LineContext::capture(
            data.as_bytes(),
            start,
            start + secret.len(),
            false,
            &SecretSpans::default(),
            [],
        )
        .unwrap()
        .render(show)
    }

    #[test]
    fn the_secret_is_redacted_and_the_caret_sits_under_it() {
        let data = "a = 1\ntoken = \"ghp_Qm3kV8zR1tW6yB0nC4xL7pJ2hF5dS91a2b3c\"\nb = 2\n";
        let r = rendered(data, "ghp_Qm3kV8zR1tW6yB0nC4xL7pJ2hF5dS91a2b3c", false);
        assert_eq!(r.line, "token = \"ghp_Qm3k*****\"");
        assert_eq!(r.caret_at, 9);
        assert_eq!(r.caret_width, "ghp_Qm3k*****".len());
        let shown = rendered(data, "ghp_Qm3kV8zR1tW6yB0nC4xL7pJ2hF5dS91a2b3c", true);
        assert_eq!(
            shown.line,
            "token = \"ghp_Qm3kV8zR1tW6yB0nC4xL7pJ2hF5dS91a2b3c\""
        );
    }

    #[test]
    fn other_secrets_on_the_line_and_captured_values_are_masked_too() {
        let data =
            "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY other=s3cr3tPassw0rdValue";
        let secret = data.find("wJalr").unwrap();
        let other = data.find("s3cr3t").unwrap();
        let ctx = LineContext::capture(
            data.as_bytes(),
            secret,
            secret + "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY".len(),
            false,
            &SecretSpans::new([(other, other + 20)]),
            ["AKIAIOSFODNN7EXAMPLE"],
        )
        .unwrap();
        let r = ctx.render(false);
        assert!(!r.line.contains("IOSFODNN7"), "{}", r.line);
        assert!(!r.line.contains("XUtnFEMIK7"), "{}", r.line);
        assert!(!r.line.contains("Passw0rd"), "{}", r.line);
        assert!(r.line.contains(" other="), "{}", r.line);
        assert_eq!(&r.line[r.caret_at..r.caret_at + 5], "wJalr");
    }

    #[test]
    fn long_lines_are_cut_on_character_boundaries_and_control_characters_escaped() {
        let data = format!(
            "{}\tkey=\x1b[31mSECRETVALUE1234567890{}",
            "é".repeat(100),
            "ü".repeat(100)
        );
        let r = rendered(&data, "SECRETVALUE1234567890", true);
        assert!(
            r.line.starts_with('…') && r.line.ends_with('…'),
            "{}",
            r.line
        );
        assert!(r.line.contains(" key=\\x1b[31mSECRETVALUE"), "{}", r.line);
        assert!(r.line.width() < 2 * SIDE + 40, "{}", r.line);
        let before: String = r.line.chars().take(r.caret_at).collect();
        assert!(before.ends_with("\\x1b[31m"), "{before}");
    }

    #[test]
    fn an_encoded_secret_hides_the_whole_encoded_run() {
        let data = "  DATABASE_URL: cG9zdGdyZXM6Ly9vcmRlcnM6b1BDNGE3V2s3Y1J2Z21sTjlBQGRi # note";
        let at = data.find("b1BD").unwrap();
        let r = LineContext::capture(
            data.as_bytes(),
            at,
            at + 12,
            true,
            &SecretSpans::default(),
            [],
        )
        .unwrap()
        .render(false);
        assert_eq!(r.line, "  DATABASE_URL: cG9zdGdy***** # note");
        assert_eq!(r.caret_at, 16);
    }

    #[test]
    fn spans_overlapping_a_line_are_found_also_when_a_long_one_starts_far_before_it() {
        let spans = SecretSpans::new([(500, 510), (0, 2000), (100, 120), (900, 950), (3000, 3010)]);
        let mut found: Vec<_> = spans.overlapping(890, 905).collect();
        found.sort();
        assert_eq!(found, [(0, 2000), (900, 950)]);
        assert_eq!(spans.overlapping(2500, 2600).count(), 0);
        assert_eq!(
            spans.overlapping(3005, 3006).collect::<Vec<_>>(),
            [(3000, 3010)]
        );
        assert_eq!(SecretSpans::default().overlapping(0, 10).count(), 0);
    }

    #[test]
    fn a_redacted_secrets_kept_prefix_is_escaped_too() {
        let data = "pw = \x1b]0;owned\x07AAAAAAAAAAAAAAAAAAAA\n";
        let start = data.find('\x1b').unwrap();
        let r = LineContext::capture(
            data.as_bytes(),
            start,
            data.len() - 1,
            false,
            &SecretSpans::default(),
            [],
        )
        .unwrap()
        .render(false);
        assert!(
            !r.line.contains('\x1b') && !r.line.contains('\x07'),
            "{:?}",
            r.line
        );
        assert!(r.line.starts_with("pw = \\x1b]0;"), "{:?}", r.line);
    }

    #[test]
    fn a_pem_block_shows_its_first_line_and_crlf_is_not_shown() {
        let data = "key: |\r\n-----BEGIN RSA PRIVATE KEY-----\r\nMIIEow\r\n-----END RSA PRIVATE KEY-----\r\n";
        let start = data.find("-----BEGIN").unwrap();
        let end = data.len() - 2;
        let r = LineContext::capture(
            data.as_bytes(),
            start,
            end,
            false,
            &SecretSpans::default(),
            [],
        )
        .unwrap()
        .render(false);
        assert_eq!(r.line, "-----BEGIN RSA PRIVATE KEY----- [REDACTED]");
        assert_eq!(r.caret_at, 0);
    }
}
