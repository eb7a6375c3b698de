//! Finds `"key": "string"` pairs in JSON (and JSON with comments, as editor configs are) with the
//! value's span, without building a document: a config that is not valid JSON is still read as
//! far as it goes, and nothing is allocated for what is not a string pair.

use super::text::Span;

/// One `"key": "value"` pair: the key unescaped, the value's span inside its quotes, and the value
/// unescaped.
pub struct Pair<'a> {
    /// The key, still escaped (keys that matter are plain ASCII).
    pub key: &'a [u8],
    /// The value's bytes in the blob, inside the quotes.
    pub span: Span,
    /// The value with JSON escapes undone.
    pub value: Vec<u8>,
}

/// Calls `each` for every string value that directly follows a string key.
pub fn string_pairs<'a>(data: &'a [u8], mut each: impl FnMut(Pair<'a>)) {
    let mut at = 0;
    let mut last_string: Option<Span> = None;
    while at < data.len() {
        match data[at] {
            b'"' => {
                let end = string_end(data, at + 1);
                last_string = Some((at + 1, end));
                at = end + 1;
            }
            b':' => {
                at += 1;
                let Some(key) = last_string.take() else {
                    continue;
                };
                at = skip_blank(data, at);
                if data.get(at) == Some(&b'"') {
                    let end = string_end(data, at + 1);
                    let span = (at + 1, end);
                    each(Pair {
                        key: &data[key.0..key.1],
                        span,
                        value: unescape(&data[span.0..span.1]),
                    });
                    at = end + 1;
                }
            }
            b'/' if data.get(at + 1) == Some(&b'/') => {
                at = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
            }
            b'/' if data.get(at + 1) == Some(&b'*') => {
                at =
                    memchr::memmem::find(&data[at + 2..], b"*/").map_or(data.len(), |i| at + i + 4);
            }
            b if b.is_ascii_whitespace() => at += 1,
            _ => {
                last_string = None;
                at += 1;
            }
        }
    }
}

/// Offset of the closing quote of a string whose body starts at `at` (or the end of the data).
fn string_end(data: &[u8], mut at: usize) -> usize {
    while at < data.len() {
        match data[at] {
            b'\\' => at += 2,
            b'"' => return at,
            b'\n' => return at,
            _ => at += 1,
        }
    }
    data.len()
}

fn skip_blank(data: &[u8], mut at: usize) -> usize {
    while at < data.len() && data[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

/// A JSON string body with its escapes undone (an invalid escape is kept as written).
pub fn unescape(body: &[u8]) -> Vec<u8> {
    if memchr::memchr(b'\\', body).is_none() {
        return body.to_vec();
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' || i + 1 >= body.len() {
            out.push(body[i]);
            i += 1;
            continue;
        }
        let simple = match body[i + 1] {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            i += 2;
            continue;
        }
        let code = (body[i + 1] == b'u')
            .then(|| body.get(i + 2..i + 6))
            .flatten()
            .and_then(|hex| u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match code.and_then(char::from_u32) {
            Some(c) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += 6;
            }
            None => {
                out.push(b'\\');
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_found_with_spans_through_comments_and_escapes() {
        let data = br#"{ // comment "a": "b"
  "host": "h", "password": "p\"q", "n": 1, "list": ["x", "y"],
  /* "token": "no" */ "token"  :  "t"
}"#;
        let mut seen = Vec::new();
        string_pairs(data, |p| {
            seen.push((
                String::from_utf8_lossy(p.key).into_owned(),
                String::from_utf8_lossy(&data[p.span.0..p.span.1]).into_owned(),
                String::from_utf8_lossy(&p.value).into_owned(),
            ))
        });
        let seen: Vec<(&str, &str, &str)> = seen
            .iter()
            .map(|(k, r, v)| (k.as_str(), r.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("host", "h", "h"),
                ("password", "p\\\"q", "p\"q"),
                ("token", "t", "t")
            ]
        );
    }
}
