//! Finds element texts and attribute values in XML with their spans, by name, without a full
//! parser: credential files written by programs are regular enough, and a truncated or invalid
//! file is still read as far as it goes.

use super::text::Span;

/// Calls `each` with the open tag's attribute text and the text span of every `<name ...>text</name>`
/// element (names compared ignoring ASCII case).
pub fn elements<'a>(data: &'a [u8], name: &[u8], mut each: impl FnMut(&'a [u8], Span)) {
    let mut at = 0;
    while let Some(i) = memchr::memchr(b'<', &data[at..]) {
        let open = at + i + 1;
        at = open;
        let after = open + name.len();
        if after > data.len() || !data[open..after].eq_ignore_ascii_case(name) {
            continue;
        }
        if !matches!(data.get(after), Some(b'>' | b' ' | b'\t' | b'\r' | b'\n')) {
            continue;
        }
        let Some(gt) = memchr::memchr(b'>', &data[after..]).map(|g| after + g) else {
            return;
        };
        if data[gt - 1] == b'/' {
            at = gt;
            continue; // <Pass/> holds nothing
        }
        let text_start = gt + 1;
        let Some(close) = memchr::memchr(b'<', &data[text_start..]).map(|c| text_start + c) else {
            return;
        };
        each(&data[after..gt], (text_start, close));
        at = close;
    }
}

/// Calls `each` with every `name="value"` (or `'value'`) attribute in the tags of `data`: the
/// attribute name and the value's span inside its quotes.
pub fn attributes<'a>(data: &'a [u8], mut each: impl FnMut(&'a [u8], Span)) {
    let mut at = 0;
    while let Some(i) = memchr::memchr(b'=', &data[at..]) {
        let eq = at + i;
        at = eq + 1;
        let quote = match data.get(eq + 1) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => continue,
        };
        let name_end = eq;
        let name_start = data[..name_end]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':')))
            .map_or(0, |p| p + 1);
        if name_start == name_end {
            continue;
        }
        let value_start = eq + 2;
        let Some(end) = memchr::memchr(quote, &data[value_start..]).map(|e| value_start + e) else {
            return;
        };
        each(&data[name_start..name_end], (value_start, end));
        at = end + 1;
    }
}

/// `attrs` (an open tag's text after its name) holds `name="value"`.
pub fn has_attribute(attrs: &[u8], name: &[u8], value: &[u8]) -> bool {
    let mut found = false;
    attributes(attrs, |n, (s, e)| {
        found |= n.eq_ignore_ascii_case(name) && attrs[s..e].eq_ignore_ascii_case(value);
    });
    found
}

/// Text with the predefined XML entities and character references undone.
pub fn unescape(text: &[u8]) -> Vec<u8> {
    if memchr::memchr(b'&', text).is_none() {
        return text.to_vec();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'&'
            && let Some(len) = memchr::memchr(b';', &text[i..]).filter(|&l| l <= 10)
        {
            let entity = &text[i + 1..i + len];
            let decoded = match entity {
                b"amp" => Some('&'),
                b"lt" => Some('<'),
                b"gt" => Some('>'),
                b"quot" => Some('"'),
                b"apos" => Some('\''),
                _ => entity.strip_prefix(b"#").and_then(|num| {
                    let text = std::str::from_utf8(num).ok()?;
                    let code = match text.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => text.parse().ok()?,
                    };
                    char::from_u32(code)
                }),
            };
            if let Some(c) = decoded {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += len + 1;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_texts_and_attributes_are_found_with_spans() {
        let data = br#"<Server><Pass encoding="base64">cA==</Pass><pass/><Password>x</Password>
<fileTransfer host="h" password='a&amp;b' /></Server>"#;
        let mut texts = Vec::new();
        elements(data, b"pass", |attrs, (s, e)| {
            texts.push((has_attribute(attrs, b"encoding", b"base64"), &data[s..e]))
        });
        assert_eq!(texts, vec![(true, &b"cA=="[..])]);
        let mut attrs = Vec::new();
        attributes(data, |n, (s, e)| attrs.push((n, unescape(&data[s..e]))));
        assert_eq!(attrs[0], (&b"encoding"[..], b"base64".to_vec()));
        assert_eq!(attrs[2], (&b"password"[..], b"a&b".to_vec()));
    }
}
