//! Lexing shared by the readers: lines with their offsets, trimming and quotes, `key = value`
//! lines, and base64. Every span is a byte range into the blob, so a finding points at the value.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// A byte range `start..end` in the blob.
pub type Span = (usize, usize);

/// Each line of `data` with the offset it starts at, without its `\n` or `\r\n`.
pub fn lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= data.len() {
            return None;
        }
        let start = at;
        let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
        at = end + 1;
        let line = &data[start..end];
        Some((start, line.strip_suffix(b"\r").unwrap_or(line)))
    })
}

/// `span` without the ASCII whitespace at either end.
pub fn trim(data: &[u8], (mut s, mut e): Span) -> Span {
    while s < e && data[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && data[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    (s, e)
}

/// `span` without one pair of matching `"` or `'` around it.
pub fn unquote(data: &[u8], (s, e): Span) -> Span {
    if e >= s + 2 && matches!(data[s], b'"' | b'\'') && data[e - 1] == data[s] {
        (s + 1, e - 1)
    } else {
        (s, e)
    }
}

/// A `key = value` (or `key: value`) line split at the first separator in `seps`: the key's and
/// the value's spans, trimmed. `line_start` is the line's offset in the blob.
pub fn key_value(line: &[u8], line_start: usize, seps: &[u8]) -> Option<(Span, Span)> {
    let sep = line.iter().position(|b| seps.contains(b))?;
    let data_key = trim_in(line, 0, sep);
    let data_value = trim_in(line, sep + 1, line.len());
    Some((
        (line_start + data_key.0, line_start + data_key.1),
        (line_start + data_value.0, line_start + data_value.1),
    ))
}

fn trim_in(line: &[u8], s: usize, e: usize) -> Span {
    trim(line, (s, e))
}

/// A line that holds only a comment starting with one of `marks` (after indentation).
pub fn is_comment(line: &[u8], marks: &[u8]) -> bool {
    line.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| marks.contains(b))
}

/// An INI section header `[name]`: the name.
pub fn section(line: &[u8]) -> Option<&[u8]> {
    let t = line.trim_ascii();
    t.strip_prefix(b"[")?.strip_suffix(b"]")
}

/// `text` decoded as standard base64 (padding optional), or `None`.
pub fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let text = text.trim_ascii();
    if text.is_empty() {
        return None;
    }
    BASE64.decode(text).ok().or_else(|| {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text.strip_suffix(b"=").unwrap_or(text))
            .ok()
    })
}

/// Undoes `%XX` escapes (as in URL userinfo); malformed escapes stay as they are.
pub fn percent_decode(text: &[u8]) -> Vec<u8> {
    percent_encoding::percent_decode(text).collect()
}

/// Calls `each(key, value span)` for every `key: value` line of a YAML (or line-per-key JSON)
/// file: indentation and a list item's `- ` skipped, quotes and a trailing `,` or ` # comment`
/// removed. Block scalars and flow collections are not values.
pub fn yaml_pairs(data: &[u8], mut each: impl FnMut(&[u8], Span)) {
    for (start, line) in lines(data) {
        let body = line.trim_ascii_start();
        let mut offset = start + (line.len() - body.len());
        let mut body = body;
        while let Some(rest) = body.strip_prefix(b"- ") {
            let rest_trimmed = rest.trim_ascii_start();
            offset += body.len() - rest_trimmed.len();
            body = rest_trimmed;
        }
        if body.starts_with(b"#") {
            continue;
        }
        let Some(((ks, ke), (vs, ve))) = key_value(body, offset, b":") else {
            continue;
        };
        let key_span = unquote(data, (ks, ke));
        let mut value = (vs, ve);
        if data.get(ve.wrapping_sub(1)) == Some(&b',') && ve > vs {
            value = trim(data, (vs, ve - 1));
        }
        let v = &data[value.0..value.1];
        if v.is_empty() || matches!(v[0], b'|' | b'>' | b'{' | b'[' | b'&' | b'*') {
            continue;
        }
        if !matches!(v[0], b'"' | b'\'')
            && let Some(hash) = v
                .windows(2)
                .position(|w| w[0].is_ascii_whitespace() && w[1] == b'#')
        {
            value = trim(data, (value.0, value.0 + hash));
        }
        each(&data[key_span.0..key_span.1], unquote(data, value));
    }
}
