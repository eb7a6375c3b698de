//! The targets file of `ferret scan targets FILE`, in one of two forms:
//!
//! - lines: `KIND LOCATION` per line (`git https://git.example.com/team/app.git`,
//!   `dir ./services`), blank lines and `#` comments ignored;
//! - TOML (a `.toml` file): `[[target]]` tables with `kind` and `location`.
//!
//! Every mistake is refused with the file and line named, before anything is scanned: a list
//! that is half wrong would otherwise scan half of what was meant and say nothing.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::{Target, TargetKind};

/// The targets listed in `path`, in file order, each once.
pub fn read_targets(path: &Path) -> Result<Vec<Target>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the targets file {}", path.display()))?;
    let name = path.display().to_string();
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let targets = if is_toml {
        parse_toml(&text, &name)?
    } else {
        parse_lines(&text, &name)?
    };
    if targets.is_empty() {
        bail!("{name}: lists no targets");
    }
    Ok(targets)
}

/// The line form: `KIND LOCATION` per line.
pub fn parse_lines(text: &str, name: &str) -> Result<Vec<Target>> {
    let mut targets = Vec::new();
    let mut seen = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{name}:{}", n + 1);
        let (word, location) = line
            .split_once(char::is_whitespace)
            .map(|(w, l)| (w, l.trim()))
            .unwrap_or((line, ""));
        let kind = kind_named(word, &at)?;
        let target = checked(kind, location, &at)?;
        if seen.insert(target.clone()) {
            targets.push(target);
        }
    }
    Ok(targets)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    target: Vec<TomlTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlTarget {
    kind: String,
    location: String,
}

/// The TOML form: `[[target]]` tables.
pub fn parse_toml(text: &str, name: &str) -> Result<Vec<Target>> {
    let file: TomlFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        match line {
            Some(line) => anyhow::anyhow!("{name}:{line}: {}", e.message()),
            None => anyhow::anyhow!("{name}: {}", e.message()),
        }
    })?;
    let mut targets = Vec::new();
    let mut seen = HashSet::new();
    for (i, t) in file.target.into_iter().enumerate() {
        let at = format!("{name}: target {}", i + 1);
        let target = checked(kind_named(&t.kind, &at)?, t.location.trim(), &at)?;
        if seen.insert(target.clone()) {
            targets.push(target);
        }
    }
    Ok(targets)
}

fn kind_named(word: &str, at: &str) -> Result<TargetKind> {
    TargetKind::parse(word).with_context(|| {
        let kinds: Vec<&str> = TargetKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "{at}: unknown target kind {:?} (one of: {})",
            crate::escape::escape_control(word),
            kinds.join(", ")
        )
    })
}

fn checked(kind: TargetKind, location: &str, at: &str) -> Result<Target> {
    if location.is_empty() {
        bail!("{at}: `{}` needs a location", kind.as_str());
    }
    if location.chars().any(char::is_control) {
        bail!("{at}: the location holds a control character");
    }
    Ok(Target::new(kind, location))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_give_kinds_and_locations_in_order_once_each() {
        let text = "# the estate\n\ngit https://git.example.com/a.git\n  dir   ./services/api  \n\
                    image registry.example.com/app:1.2\nci-log logs/\ngit https://git.example.com/a.git\n";
        let targets = parse_lines(text, "t.txt").unwrap();
        assert_eq!(
            targets,
            vec![
                Target::new(TargetKind::Git, "https://git.example.com/a.git"),
                Target::new(TargetKind::Dir, "./services/api"),
                Target::new(TargetKind::Image, "registry.example.com/app:1.2"),
                Target::new(TargetKind::CiLog, "logs/"),
            ]
        );
    }

    #[test]
    fn mistakes_name_the_file_and_line() {
        let err = parse_lines("dir a\nrepo b\n", "list.txt").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("list.txt:2: unknown target kind \"repo\""),
            "{err}"
        );
        let err = parse_lines("\ngit\n", "list.txt").unwrap_err();
        assert_eq!(err.to_string(), "list.txt:2: `git` needs a location");
        let err = parse_toml("[[target]]\nkind = \"git\"\nplace = \"x\"\n", "t.toml").unwrap_err();
        assert!(err.to_string().starts_with("t.toml:3:"), "{err}");
        let err =
            parse_toml("[[target]]\nkind = \"tape\"\nlocation = \"x\"\n", "t.toml").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.toml: target 1: unknown target kind"),
            "{err}"
        );
    }

    #[test]
    fn toml_tables_are_targets() {
        let text = "[[target]]\nkind = \"git\"\nlocation = \"/srv/app.git\"\n\n\
                    [[target]]\nkind = \"image\"\nlocation = \"app.tar\"\n";
        assert_eq!(
            parse_toml(text, "t.toml").unwrap(),
            vec![
                Target::new(TargetKind::Git, "/srv/app.git"),
                Target::new(TargetKind::Image, "app.tar"),
            ]
        );
    }
}
