//! Turns raw CI log bytes into the text a person reads: timestamp prefixes, terminal escapes,
//! Jenkins console notes and GitLab section markers removed, `\r`-rewritten segments kept as lines
//! of their own. A map leads every normalised byte back to its original line and column, so a
//! finding points at the real log line.

use super::format::LogFormat;

/// The normalised text of a log plus the way back to the original bytes.
#[derive(Debug, Default)]
pub struct Normalized {
    /// The text that is scanned.
    pub text: Vec<u8>,
    /// Contiguous stretches of `text` copied from one original line, sorted by `norm`.
    runs: Vec<Run>,
    /// GitLab sections: `(normalised offset, section name or None after its end)`, sorted.
    sections: Vec<(usize, Option<String>)>,
}

/// A stretch of normalised bytes copied verbatim from `orig..` in original line `line`.
#[derive(Debug, Clone, Copy)]
struct Run {
    norm: usize,
    orig: usize,
    line: usize,
    line_start: usize,
    /// Whether the stretch ends in a newline that was a newline in the original (not a `\r`).
    ends_line: bool,
}

/// Where a normalised byte came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Offset in the original bytes.
    pub offset: usize,
    /// 1-based original line.
    pub line: usize,
    /// 1-based byte column in the original line.
    pub column: usize,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";
const JENKINS_NOTE_START: &[u8] = b"\x1b[8mha:";
const JENKINS_NOTE_END: &[u8] = b"\x1b[0m";

impl Normalized {
    /// The original position of normalised offset `norm` (clamped to the text).
    pub fn position(&self, norm: usize) -> Position {
        let idx = self
            .runs
            .partition_point(|r| r.norm <= norm)
            .saturating_sub(1);
        let Some(run) = self.runs.get(idx) else {
            return Position {
                offset: 0,
                line: 1,
                column: 1,
            };
        };
        let offset = run.orig + norm.saturating_sub(run.norm);
        Position {
            offset,
            line: run.line,
            column: offset - run.line_start + 1,
        }
    }

    /// Whether the newline at normalised offset `norm` was a line end in the original log (so the
    /// two lines around it may be one hard-wrapped line), not a `\r` or a removed marker.
    pub fn is_original_line_break(&self, norm: usize) -> bool {
        if self.text.get(norm) != Some(&b'\n') {
            return false;
        }
        let idx = self
            .runs
            .partition_point(|r| r.norm <= norm)
            .saturating_sub(1);
        self.runs.get(idx).is_some_and(|r| {
            r.ends_line
                && self
                    .runs
                    .get(idx + 1)
                    .map_or(self.text.len(), |next| next.norm)
                    == norm + 1
        })
    }

    /// The GitLab section open at normalised offset `norm`, if any.
    pub fn section_at(&self, norm: usize) -> Option<&str> {
        let idx = self.sections.partition_point(|(at, _)| *at <= norm);
        idx.checked_sub(1)
            .and_then(|i| self.sections[i].1.as_deref())
    }
}

/// Normalises `data`, a log of `format`.
pub fn normalize(data: &[u8], format: LogFormat) -> Normalized {
    let mut out = Normalized {
        text: Vec::with_capacity(data.len()),
        runs: Vec::new(),
        sections: Vec::new(),
    };
    let mut open_sections: Vec<String> = Vec::new();
    let mut line_start = 0usize;
    let mut line_no = 1usize;
    while line_start < data.len() {
        let nl = memchr::memchr(b'\n', &data[line_start..]).map(|p| line_start + p);
        let line_end = nl.unwrap_or(data.len());
        let mut content_end = line_end;
        if nl.is_some() && content_end > line_start && data[content_end - 1] == b'\r' {
            content_end -= 1; // CRLF: the \r ends the line, it does not rewrite it
        }
        let mut pos = line_start;
        if line_no == 1 && data[pos..content_end].starts_with(BOM) {
            pos += BOM.len();
        }
        pos += prefix_len(&data[pos..content_end], format);
        let mut line = LineWriter {
            out: &mut out,
            data,
            line: line_no,
            line_start,
            segment_start: 0,
            segment_runs: 0,
        };
        line.begin_segment();
        line.copy_line(pos, content_end, format, &mut open_sections);
        line.end_segment(&mut open_sections);
        if let Some(nl) = nl {
            out.text.push(b'\n');
            if let Some(run) = out.runs.last_mut() {
                // The newline belongs to the line's last run only if the run ends right before it.
                if run.line == line_no && run.orig + (out.text.len() - 1 - run.norm) == nl {
                    run.ends_line = true;
                } else {
                    out.runs.push(Run {
                        norm: out.text.len() - 1,
                        orig: nl,
                        line: line_no,
                        line_start,
                        ends_line: true,
                    });
                }
            }
            if out.runs.is_empty() {
                out.runs.push(Run {
                    norm: 0,
                    orig: nl,
                    line: line_no,
                    line_start,
                    ends_line: true,
                });
            }
        }
        line_start = line_end + 1;
        line_no += 1;
    }
    out
}

/// Copies one original line into the normalised text.
struct LineWriter<'a> {
    out: &'a mut Normalized,
    data: &'a [u8],
    line: usize,
    line_start: usize,
    segment_start: usize,
    segment_runs: usize,
}

impl LineWriter<'_> {
    fn begin_segment(&mut self) {
        self.segment_start = self.out.text.len();
        self.segment_runs = self.out.runs.len();
    }

    /// Appends `data[from..to]` verbatim.
    fn copy(&mut self, from: usize, to: usize) {
        if from >= to {
            return;
        }
        let norm = self.out.text.len();
        let contiguous = self.out.runs.last().is_some_and(|r| {
            r.line == self.line && self.out.runs.len() > self.segment_runs && {
                r.orig + (norm - r.norm) == from
            }
        });
        if !contiguous {
            self.out.runs.push(Run {
                norm,
                orig: from,
                line: self.line,
                line_start: self.line_start,
                ends_line: false,
            });
        }
        self.out.text.extend_from_slice(&self.data[from..to]);
    }

    /// Copies `data[pos..end]`, removing escapes and notes and splitting at `\r`.
    fn copy_line(
        &mut self,
        mut pos: usize,
        end: usize,
        format: LogFormat,
        open_sections: &mut Vec<String>,
    ) {
        let data = self.data;
        while pos < end {
            let Some(at) = memchr::memchr2(0x1b, b'\r', &data[pos..end]).map(|p| pos + p) else {
                self.copy(pos, end);
                return;
            };
            self.copy(pos, at);
            if data[at] == b'\r' {
                self.end_segment(open_sections);
                if self.out.text.len() > self.segment_start {
                    // The \r becomes a line break so each rewritten state is matched on its own.
                    self.copy(at, at + 1);
                    if let Some(last) = self.out.text.last_mut() {
                        *last = b'\n';
                    }
                }
                self.begin_segment();
                pos = at + 1;
                if format == LogFormat::GitlabCi {
                    pos += prefix_len(&data[pos..end], format).min(end - pos);
                }
                continue;
            }
            pos = at + escape_len(&data[at..end]);
        }
    }

    /// Closes the current `\r` segment: a GitLab section marker is removed and recorded.
    fn end_segment(&mut self, open_sections: &mut Vec<String>) {
        let segment = &self.out.text[self.segment_start..];
        let Some((start, name)) = section_marker(segment) else {
            return;
        };
        let name = String::from_utf8_lossy(name).into_owned();
        self.out.text.truncate(self.segment_start);
        self.out.runs.truncate(self.segment_runs);
        let at = self.out.text.len();
        if start {
            open_sections.push(name.clone());
            self.out.sections.push((at, Some(name)));
        } else {
            if let Some(i) = open_sections.iter().rposition(|n| *n == name) {
                open_sections.truncate(i);
            }
            self.out.sections.push((at, open_sections.last().cloned()));
        }
    }
}

/// `Some((is_start, name))` when `segment` is a GitLab `section_start:TS:NAME[opts]` or
/// `section_end:TS:NAME` marker.
fn section_marker(segment: &[u8]) -> Option<(bool, &[u8])> {
    let (start, rest) = if let Some(rest) = segment.strip_prefix(b"section_start:") {
        (true, rest)
    } else {
        (false, segment.strip_prefix(b"section_end:")?)
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = rest[digits..].strip_prefix(b":")?;
    let name_len = rest
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        .count();
    if digits == 0 || name_len == 0 {
        return None;
    }
    Some((start, &rest[..name_len]))
}

/// Length of the terminal escape (or Jenkins console note) at the start of `s`, which begins
/// with ESC. Unknown or cut-off sequences remove the ESC alone.
fn escape_len(s: &[u8]) -> usize {
    if s.starts_with(JENKINS_NOTE_START) {
        // A console note is serialised Java state (base64), hidden by the terminal, never output.
        let body = &s[JENKINS_NOTE_START.len()..];
        return memchr::memmem::find(body, JENKINS_NOTE_END).map_or(s.len(), |p| {
            JENKINS_NOTE_START.len() + p + JENKINS_NOTE_END.len()
        });
    }
    match s.get(1) {
        Some(b'[') => {
            // CSI: parameter bytes, intermediate bytes, one final byte.
            let mut i = 2;
            while i < s.len() && (0x30..=0x3f).contains(&s[i]) {
                i += 1;
            }
            while i < s.len() && (0x20..=0x2f).contains(&s[i]) {
                i += 1;
            }
            if i < s.len() && (0x40..=0x7e).contains(&s[i]) {
                i + 1
            } else {
                1
            }
        }
        Some(b']') => {
            // OSC (hyperlinks, titles): ends at BEL or ESC \.
            let mut i = 2;
            while i < s.len() {
                match s[i] {
                    0x07 => return i + 1,
                    0x1b if s.get(i + 1) == Some(&b'\\') => return i + 2,
                    _ => i += 1,
                }
            }
            1
        }
        Some(&b) if (0x40..=0x5f).contains(&b) || b == b'(' || b == b')' => {
            if (b == b'(' || b == b')') && s.len() > 2 {
                3
            } else {
                2
            }
        }
        _ => 1,
    }
}

/// Length of the timestamp or marker prefix at the start of a line of `format`.
fn prefix_len(line: &[u8], format: LogFormat) -> usize {
    let mut len = 0;
    if let Some(ts) = iso_timestamp_len(line) {
        if line.get(ts) == Some(&b' ') {
            len = ts + 1;
        }
    } else if line.first() == Some(&b'[') {
        // Jenkins timestamper: `[2024-01-01T00:00:00.000Z] ` or `[12:34:56] `.
        let inner = &line[1..];
        let ts = iso_timestamp_len(inner).or_else(|| clock_len(inner));
        if let Some(ts) = ts
            && inner.get(ts) == Some(&b']')
        {
            len = ts + 2 + usize::from(inner.get(ts + 1) == Some(&b' '));
        }
    }
    if format == LogFormat::GitlabCi {
        // GitLab's timestamped traces: `<ts> 00O ` / `<ts> 01E+` (stream, type, continuation).
        let rest = &line[len..];
        if rest.len() >= 4
            && rest[..2].iter().all(u8::is_ascii_hexdigit)
            && matches!(rest[2], b'O' | b'E')
        {
            len += 3;
            if line.get(len) == Some(&b'+') {
                len += 1;
            }
            if line.get(len) == Some(&b' ') {
                len += 1;
            }
        }
    }
    let rest = &line[len..];
    // GitHub workflow commands shown in logs: ##[group], ##[endgroup], ##[command], ##[error] ...
    if let Some(body) = rest.strip_prefix(b"##[")
        && let Some(close) = body.iter().take(16).position(|&b| b == b']')
        && body[..close].iter().all(u8::is_ascii_lowercase)
    {
        len += 3 + close + 1;
    }
    len.min(line.len())
}

/// Length of an ISO 8601 UTC timestamp `YYYY-MM-DDTHH:MM:SS[.fff]Z` at the start of `s`.
fn iso_timestamp_len(s: &[u8]) -> Option<usize> {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    if s.len() < SHAPE.len() + 1 {
        return None;
    }
    for (&b, &want) in s.iter().zip(SHAPE) {
        let ok = if want == b'd' {
            b.is_ascii_digit()
        } else {
            b == want
        };
        if !ok {
            return None;
        }
    }
    let mut i = SHAPE.len();
    if s.get(i) == Some(&b'.') {
        i += 1;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    match s.get(i) {
        Some(b'Z') => Some(i + 1),
        Some(b'+' | b'-') if s.len() >= i + 6 && s[i + 3] == b':' => Some(i + 6),
        _ => None,
    }
}

/// Length of a `HH:MM:SS[.fff]` clock time at the start of `s`.
fn clock_len(s: &[u8]) -> Option<usize> {
    const SHAPE: &[u8] = b"dd:dd:dd";
    if s.len() < SHAPE.len() {
        return None;
    }
    for (&b, &want) in s.iter().zip(SHAPE) {
        let ok = if want == b'd' {
            b.is_ascii_digit()
        } else {
            b == want
        };
        if !ok {
            return None;
        }
    }
    let mut i = SHAPE.len();
    if s.get(i) == Some(&b'.') {
        i += 1;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &[u8], f: LogFormat) -> String {
        String::from_utf8(normalize(s, f).text).unwrap()
    }

    #[test]
    fn strips_github_timestamps_bom_and_commands() {
        let log = b"\xEF\xBB\xBF2024-01-01T00:00:00.1234567Z ##[group]Run make\n2024-01-01T00:00:01.0000000Z token ghp_x\n";
        let n = normalize(log, LogFormat::GithubActions);
        assert_eq!(n.text, b"Run make\ntoken ghp_x\n");
        let at = n.text.iter().position(|&b| b == b'g').unwrap();
        let p = n.position(at);
        assert_eq!((p.line, p.column), (2, 36));
        assert_eq!(&log[p.offset..p.offset + 5], b"ghp_x");
    }

    #[test]
    fn escape_split_text_is_joined_and_mapped() {
        let log = b"key=ab\x1b[1;31mcd\x1b]8;;http://x\x07ef\n";
        let n = normalize(log, LogFormat::Plain);
        assert_eq!(n.text, b"key=abcdef\n");
        let p = n.position(8); // 'e'
        assert_eq!(log[p.offset], b'e');
        assert_eq!(p.line, 1);
    }

    #[test]
    fn carriage_return_segments_become_lines_and_sections_are_named() {
        let log = b"\x1b[0Ksection_start:1700000000:build_script[collapsed=true]\r\x1b[0K\x1b[36;1mBuilding\x1b[0;m\n10%\r50%\rTOKEN=abc\n\x1b[0Ksection_end:1700000001:build_script\r\x1b[0K\ndone\r\n";
        let n = normalize(log, LogFormat::GitlabCi);
        assert_eq!(
            String::from_utf8_lossy(&n.text),
            "Building\n10%\n50%\nTOKEN=abc\n\ndone\n"
        );
        let t = n.text.windows(5).position(|w| w == b"TOKEN").unwrap();
        let p = n.position(t);
        assert_eq!((p.line, p.column), (2, 9));
        assert_eq!(n.section_at(t), Some("build_script"));
        assert_eq!(n.section_at(n.text.len() - 2), None);
        // \r-made breaks are not original line ends; real ones are.
        assert!(!n.is_original_line_break(t - 1));
        assert!(n.is_original_line_break(8));
    }

    #[test]
    fn jenkins_console_notes_are_removed() {
        let log = b"\x1b[8mha:////4PbQqL0Ar+abc/def==\x1b[0m[Pipeline] sh\n[2024-01-01T10:00:00.000Z] + echo hi\n";
        assert_eq!(norm(log, LogFormat::Jenkins), "[Pipeline] sh\n+ echo hi\n");
    }

    #[test]
    fn gitlab_timestamped_trace_prefixes_are_removed() {
        let log =
            b"2024-05-03T12:00:00.123456Z 00O $ echo ok\n2024-05-03T12:00:00.223456Z 01E+more\n";
        assert_eq!(norm(log, LogFormat::GitlabCi), "$ echo ok\nmore\n");
    }
}
