//! What any stage may ask of a blob's bytes without knowing the rules: whether they are binary,
//! and which lines hold a range.

/// Bytes sniffed to decide whether content is binary.
const BINARY_SNIFF_LEN: usize = 8192;

/// Whether content looks binary: a NUL byte in its first 8 KiB, as git decides.
pub fn looks_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_SNIFF_LEN)]).is_some()
}

/// The full lines that hold `data[start..end]`.
pub fn line_span(data: &[u8], start: usize, end: usize) -> &[u8] {
    let line_start = memchr::memrchr(b'\n', &data[..start]).map_or(0, |p| p + 1);
    let end = end.max(start).min(data.len());
    let line_end = memchr::memchr(b'\n', &data[end..]).map_or(data.len(), |p| end + p);
    &data[line_start..line_end]
}
