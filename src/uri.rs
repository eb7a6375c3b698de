//! Percent-encoding for the URLs and URIs ferret builds (API paths, verifier templates, SARIF).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters is encoded: safe for any URL component.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path keeps its separators and the sub-delimiters RFC 3986 allows in path segments.
const PATH: &AsciiSet = &COMPONENT
    .remove(b'/')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// Percent-encodes `s` for use as one URL component (a path segment, a query value).
pub fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Percent-encodes `s` as a URI path, keeping `/` and the characters a path may hold.
pub fn encode_path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// Decodes `%XX` escapes; a value that does not decode to UTF-8 is kept as written.
pub fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_string(), |decoded| decoded.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_paths_and_decoding() {
        assert_eq!(encode_component("a b/c~d_e.f-g%"), "a%20b%2Fc~d_e.f-g%25");
        assert_eq!(encode_path("dir/a b#c:d@e"), "dir/a%20b%23c:d@e");
        assert_eq!(decode("p%40ss%3Aword"), "p@ss:word");
        assert_eq!(decode("bad%FFutf8"), "bad%FFutf8");
    }
}
