//! JSON Web Keys (RFC 7517/7518): the `jwk-private-key` rule's pattern finds a `"kty"` member;
//! here the object around it is searched for the private members (`d` of RSA, EC and OKP keys,
//! else `p`/`q`/`dp`/`dq`/`qi`, and `k` of symmetric `oct` keys). The finding is moved onto that
//! member's value; an object with only public members (`n`, `e`, `x`, `y`) is no finding.

use super::matcher::Match;
use super::placeholder::is_placeholder;

/// The rule whose matches are completed here.
pub const RULE: &str = "jwk-private-key";

/// How far around the `kty` member the object's braces are looked for.
const REACH: usize = 16 << 10;
/// Shortest private member value: a 128-bit key is 22 base64url characters.
const MIN_MEMBER: usize = 16;

/// Moves `m` (a match of the key type) onto the private member of its object; false when there is
/// none.
pub fn refine(data: &[u8], m: &mut Match) -> bool {
    let Some((open, close)) = object_around(data, m.start) else {
        return false;
    };
    let object = &data[open..close];
    let symmetric = m.secret.eq_ignore_ascii_case(b"oct");
    let members: &[&[u8]] = if symmetric {
        &[b"k"]
    } else {
        &[b"d", b"p", b"q", b"dp", b"dq", b"qi"]
    };
    for name in members {
        if let Some((s, e)) = member_value(object, name) {
            let value = &object[s..e];
            if value.len() < MIN_MEMBER || is_placeholder(value) {
                return false;
            }
            m.start = open + s;
            m.end = open + e;
            m.secret = value.to_vec();
            m.entropy = super::entropy::shannon_entropy(value);
            return true;
        }
    }
    false
}

/// The innermost `{ … }` around `pos`, within [`REACH`] bytes either way. JWK members hold
/// base64url and names, never braces, so counting braces is enough.
fn object_around(data: &[u8], pos: usize) -> Option<(usize, usize)> {
    let floor = pos.saturating_sub(REACH);
    let mut depth = 0usize;
    let mut open = None;
    for i in (floor..pos).rev() {
        match data[i] {
            b'}' => depth += 1,
            b'{' if depth == 0 => {
                open = Some(i);
                break;
            }
            b'{' => depth -= 1,
            _ => {}
        }
    }
    let open = open?;
    let ceiling = (pos + REACH).min(data.len());
    let mut depth = 0usize;
    for (i, &b) in data[pos..ceiling].iter().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some((open, pos + i + 1)),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The range of the string value of member `name` (`"d": "…"`, `'d': '…'`, `d: "…"`) in `object`.
fn member_value(object: &[u8], name: &[u8]) -> Option<(usize, usize)> {
    let mut at = 0;
    while let Some(found) = memchr::memmem::find(&object[at..], name) {
        let start = at + found;
        at = start + 1;
        let end = start + name.len();
        let before = start.checked_sub(1).map(|i| object[i]);
        let quoted = matches!(before, Some(b'"' | b'\''));
        let after_name = if quoted {
            if object.get(end) != before.as_ref() {
                continue;
            }
            end + 1
        } else {
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                || object.get(end).is_some_and(|b| b.is_ascii_alphanumeric())
            {
                continue;
            }
            end
        };
        let rest = &object[after_name..];
        let colon = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if rest.get(colon) != Some(&b':') {
            continue;
        }
        let value_at = colon
            + 1
            + rest[colon + 1..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        let quote = *rest.get(value_at)?;
        if quote != b'"' && quote != b'\'' {
            continue;
        }
        let value_start = value_at + 1;
        let len = rest[value_start..]
            .iter()
            .take_while(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'=' | b'+' | b'/')
            })
            .count();
        if rest.get(value_start + len) != Some(&quote) {
            continue;
        }
        let base = after_name + value_start;
        return Some((base, base + len));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_found_by_exact_name() {
        let object = br#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","dp":"zz","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}"#;
        let (s, e) = member_value(object, b"d").unwrap();
        assert_eq!(
            &object[s..e],
            b"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"
        );
        assert_eq!(member_value(object, b"k"), None);
        let js = b"{ kty: 'oct', k: 'GawgguFyGrWKav7AX4VKUg' }";
        let (s, e) = member_value(js, b"k").unwrap();
        assert_eq!(&js[s..e], b"GawgguFyGrWKav7AX4VKUg");
    }

    #[test]
    fn the_innermost_object_is_the_key() {
        let data = br#"{"keys":[{"kty":"RSA","n":"abc"},{"kty":"oct","k":"x"}]}"#;
        let at = memchr::memmem::find(data, b"oct").unwrap();
        let (open, close) = object_around(data, at).unwrap();
        assert_eq!(&data[open..close], br#"{"kty":"oct","k":"x"}"#);
    }
}
