//! Credentials in URLs never reach a message or a report: userinfo (`user:token@`) and the query
//! (signed redirect URLs carry their signature there) are replaced before a URL is shown.

use std::borrow::Cow;

/// What stands in for a removed userinfo or query.
const REDACTED: &str = "***";

/// `text` with the userinfo and query of every `scheme://...` URL in it replaced by `***`, so
/// error chains from HTTP and git libraries (which quote the URL they failed on) and names given
/// as URLs can be shown safely. Text without such a URL is returned unchanged.
pub fn redact_urls_in(text: &str) -> Cow<'_, str> {
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(sep) = rest.find("://") {
        let scheme_start = rest[..sep]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let after = &rest[sep + 3..];
        let token_len = after
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(after.len());
        let token = trim_prose(&after[..token_len]);
        out.push_str(&rest[..sep + 3]);
        if scheme_start == sep {
            // "://" with no scheme before it is not a URL; keep it and go on.
            rest = after;
            continue;
        }
        push_redacted_rest(&mut out, token);
        rest = &after[token.len()..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A URL quoted in prose ends before the punctuation that follows it: `(https://h/x): failed`.
fn trim_prose(mut token: &str) -> &str {
    loop {
        let unbalanced_paren =
            token.ends_with(')') && token.matches('(').count() < token.matches(')').count();
        if unbalanced_paren || token.ends_with(['.', ',', ';', ':', '!']) {
            token = &token[..token.len() - 1];
        } else {
            return token;
        }
    }
}

/// Appends the part of a URL after `scheme://` with userinfo and query redacted.
fn push_redacted_rest(out: &mut String, rest: &str) {
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => {
            out.push_str(REDACTED);
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    match tail.find('?') {
        Some(q) => {
            out.push_str(&tail[..q]);
            let fragment = tail[q..].find('#').map_or("", |h| &tail[q + h..]);
            out.push('?');
            out.push_str(REDACTED);
            out.push_str(fragment);
        }
        None => out.push_str(tail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_and_query_are_redacted() {
        assert_eq!(
            redact_urls_in("https://user:ghp_secret@example.com:8443/x.git"),
            "https://***@example.com:8443/x.git"
        );
        assert_eq!(
            redact_urls_in("https://blob.example/l?sv=2&sig=abc#frag"),
            "https://blob.example/l?***#frag"
        );
        assert_eq!(
            redact_urls_in("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
        assert_eq!(
            redact_urls_in("https://example.com/a/b"),
            "https://example.com/a/b"
        );
    }

    #[test]
    fn urls_inside_messages_are_redacted() {
        assert_eq!(
            redact_urls_in(
                "error sending request for url (https://h/b?X-Amz-Signature=s): timed out"
            ),
            "error sending request for url (https://h/b?***): timed out"
        );
        assert_eq!(
            redact_urls_in("cannot clone ssh://me:pw@h/r and 'http://t@x/'"),
            "cannot clone ssh://***@h/r and 'http://***@x/'"
        );
        assert_eq!(redact_urls_in("a :// b"), "a :// b");
        assert_eq!(redact_urls_in("no url here"), "no url here");
    }
}
