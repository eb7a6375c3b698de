//! Text from the input (paths, member names, ref names, messages) is shown through one function
//! before it reaches a terminal or a CI log, so it cannot forge a line, an ANSI sequence, a
//! `::workflow-command::` or reorder what is displayed.

use std::borrow::Cow;
use std::fmt::Write;

/// `s` with control characters (C0, DEL, C1: ESC, CR, LF, tab among them) and the Unicode
/// bidirectional overrides written as visible escapes (`\n`, `\r`, `\t`, `\x1b`, `\u{202e}`).
pub fn escape_control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && needs_escape(c) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        // Bidirectional embeddings, overrides and isolates reorder what a terminal shows.
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(escape_control("plain/path.txt"), "plain/path.txt");
        assert_eq!(
            escape_control("a\x1b[31mred\nb\r\u{9b}c\u{202e}d"),
            "a\\x1b[31mred\\nb\\r\\u{9b}c\\u{202e}d"
        );
    }
}
