//! A gitleaks rule's Go regular expression as a ferret pattern: its secret group (`secretGroup`,
//! by number) becomes the `secret` group ferret reports, and keywords are derived from the
//! literal every match starts or ends with when the rule lists none.
//!
//! Go's RE2 syntax and Rust's `regex` agree on almost everything; where they do not (a syntax
//! Rust lacks, a Unicode class ferret's ASCII-only byte patterns cannot hold), the pattern is
//! refused with the parser's message so the caller can say what was not translated.

use regex_syntax::ast::{self, Ast, GroupKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use crate::detect::rules::build_regex;

/// A translated pattern, with what a reader of the translation should know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The ferret pattern, with a `secret` group.
    pub pattern: String,
    /// How the secret was chosen, when it is not exactly what gitleaks takes.
    pub note: Option<String>,
}

/// The capture groups of a pattern, in order of their opening parenthesis.
struct Group {
    /// Byte offset of the group's `(`.
    start: usize,
    /// For a named group, the byte span of its name.
    name: Option<(usize, usize, String)>,
}

fn collect_groups(node: &Ast, out: &mut Vec<Group>) {
    match node {
        Ast::Group(group) => {
            match &group.kind {
                GroupKind::CaptureIndex(_) => out.push(Group {
                    start: group.span.start.offset,
                    name: None,
                }),
                GroupKind::CaptureName { name, .. } => out.push(Group {
                    start: group.span.start.offset,
                    name: Some((
                        name.span.start.offset,
                        name.span.end.offset,
                        name.name.clone(),
                    )),
                }),
                GroupKind::NonCapturing(_) => {}
            }
            collect_groups(&group.ast, out);
        }
        Ast::Repetition(rep) => collect_groups(&rep.ast, out),
        Ast::Alternation(alt) => alt.asts.iter().for_each(|a| collect_groups(a, out)),
        Ast::Concat(concat) => concat.asts.iter().for_each(|a| collect_groups(a, out)),
        _ => {}
    }
}

/// Translates `regex` with gitleaks' `secretGroup` (0 or absent: gitleaks takes the first
/// non-empty group, or the whole match when there is none).
pub fn secret_pattern(regex: &str, secret_group: usize) -> Result<Pattern, String> {
    let parsed = ast::parse::Parser::new().parse(regex).map_err(|e| {
        format!(
            "the regex is not valid in Rust's regex syntax: {}",
            one_line(&e)
        )
    })?;
    let mut groups = Vec::new();
    collect_groups(&parsed, &mut groups);
    if secret_group > groups.len() {
        return Err(format!(
            "secretGroup {secret_group} does not exist (the regex has {} groups)",
            groups.len()
        ));
    }
    let chosen = match (secret_group, groups.len()) {
        (0, 0) => None,
        (0, _) => Some(1),
        (n, _) => Some(n),
    };
    let mut note = None;
    if secret_group == 0 && groups.len() > 1 {
        note = Some(
            "gitleaks reports the first group that matched something; ferret reports group 1 \
             (set secretGroup to choose)"
                .to_string(),
        );
    }
    if let Some(clash) = groups
        .iter()
        .enumerate()
        .find(|(i, g)| Some(i + 1) != chosen && matches!(&g.name, Some((_, _, n)) if n == "secret"))
    {
        return Err(format!(
            "group {} is named `secret`, which ferret reserves for the reported secret",
            clash.0 + 1
        ));
    }
    let pattern = match chosen {
        None => format!("(?P<secret>{regex})"),
        Some(n) => {
            let group = &groups[n - 1];
            match &group.name {
                Some((start, end, _)) => format!("{}secret{}", &regex[..*start], &regex[*end..]),
                None => format!(
                    "{}(?P<secret>{}",
                    &regex[..group.start],
                    &regex[group.start + 1..]
                ),
            }
        }
    };
    build_regex(&pattern).map_err(|e| {
        format!(
            "the regex does not compile as a ferret pattern (ASCII byte regex): {}",
            one_line(&e)
        )
    })?;
    Ok(Pattern { pattern, note })
}

/// A regex gitleaks applies as is (an allowlist's): checked to compile as ferret compiles it.
pub fn plain_regex(regex: &str) -> Result<(), String> {
    build_regex(regex)
        .map(|_| ())
        .map_err(|e| format!("does not compile in Rust's regex syntax: {}", one_line(&e)))
}

/// More alternatives than this make poor keywords: the rule is better given its own.
const MAX_DERIVED_KEYWORDS: usize = 16;

/// Keywords for a rule that lists none: the literals every match starts with (or else ends
/// with), lower-cased, when each is at least 3 ASCII characters, so the prefilter stays selective.
pub fn derive_keywords(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        // Only case variants are expanded (a class of two), so `[0-9]` cannot turn into ten
        // short keywords that would make the prefilter match nearly everything.
        let seq = Extractor::new().kind(kind).limit_class(2).extract(&hir);
        let Some(literals) = seq.literals() else {
            continue;
        };
        let mut keywords: Vec<String> = Vec::new();
        let usable = !literals.is_empty()
            && literals.iter().all(|lit| {
                let bytes = lit.as_bytes();
                bytes.len() >= 3 && bytes.is_ascii() && {
                    let word = String::from_utf8_lossy(bytes).to_ascii_lowercase();
                    if !keywords.contains(&word) {
                        keywords.push(word);
                    }
                    true
                }
            });
        if usable && keywords.len() <= MAX_DERIVED_KEYWORDS {
            return Some(keywords);
        }
    }
    None
}

fn one_line(e: &impl std::fmt::Display) -> String {
    // The parsers' messages draw the pattern and a caret over several lines; the last line says
    // what is wrong.
    let text = e.to_string();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.last().map_or(text.clone(), |l| {
        l.trim_start_matches("error: ").to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_group_becomes_the_named_secret() {
        let p = secret_pattern(r#"(?i)(acme)_(key|token)\s*=\s*"([a-z0-9]{24})""#, 3).unwrap();
        assert_eq!(
            p.pattern,
            r#"(?i)(acme)_(key|token)\s*=\s*"(?P<secret>[a-z0-9]{24})""#
        );
        assert_eq!(p.note, None);
        // A named group chosen by number is renamed.
        let p = secret_pattern(r"tok=(?P<value>[A-Z]{10})", 1).unwrap();
        assert_eq!(p.pattern, r"tok=(?P<secret>[A-Z]{10})");
        // Without groups the whole match is the secret; with several, group 1, said so.
        assert_eq!(
            secret_pattern(r"xk_[0-9a-f]{32}", 0).unwrap().pattern,
            r"(?P<secret>xk_[0-9a-f]{32})"
        );
        let p = secret_pattern(r"(a|b)=([0-9]{8})", 0).unwrap();
        assert_eq!(p.pattern, r"(?P<secret>a|b)=([0-9]{8})");
        assert!(p.note.unwrap().contains("group 1"));
        // Non-capturing groups and escaped parentheses are not counted.
        let p = secret_pattern(r"(?:x)\(([0-9]{6})\)", 1).unwrap();
        assert_eq!(p.pattern, r"(?:x)\((?P<secret>[0-9]{6})\)");
    }

    #[test]
    fn what_rust_cannot_compile_is_refused_with_the_reason() {
        let err = secret_pattern(r"a(?=b)", 0).unwrap_err();
        assert!(err.contains("not valid"), "{err}");
        let err = secret_pattern(r"\p{Greek}+", 0).unwrap_err();
        assert!(err.contains("does not compile"), "{err}");
        let err = secret_pattern(r"(a)(b)", 3).unwrap_err();
        assert!(err.contains("secretGroup 3"), "{err}");
        assert!(plain_regex(r"\Qx\E").is_err());
    }

    #[test]
    fn keywords_come_from_a_fixed_prefix_or_suffix() {
        assert_eq!(
            derive_keywords(r"(?P<secret>xk_[0-9a-f]{32})"),
            Some(vec!["xk_".to_string()])
        );
        // Case-insensitive literals expand into many variants, so the extractor may shorten them;
        // what is kept is still a lower-cased prefix of every match.
        let keywords = derive_keywords(r"(?i)(?P<secret>(?:live|test)_key_[0-9a-f]{16})").unwrap();
        assert_eq!(keywords.len(), 2, "{keywords:?}");
        assert!(
            keywords[0].len() >= 3 && "live_key_".starts_with(&keywords[0]),
            "{keywords:?}"
        );
        assert!(
            keywords[1].len() >= 3 && "test_key_".starts_with(&keywords[1]),
            "{keywords:?}"
        );
        assert_eq!(
            derive_keywords(r"(?P<secret>[0-9a-f]{16})\.acme"),
            Some(vec![".acme".to_string()])
        );
        assert_eq!(derive_keywords(r"(?P<secret>[0-9a-f]{32})"), None);
        assert_eq!(derive_keywords(r"(?P<secret>a[0-9]{8})"), None);
    }
}
