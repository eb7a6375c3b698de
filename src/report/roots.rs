//! Scan roots: reports show paths relative to the root they were found under and record each root
//! once, so a report does not change with how the root was spelt (`.`, `/abs/repo`, a symlink).

use std::path::Path;

use crate::pipeline::Finding;

/// SARIF's conventional base id for the first source root.
pub const FIRST_BASE_ID: &str = "%SRCROOT%";

/// The distinct roots of a set of findings, in order of first appearance.
#[derive(Debug, Default)]
pub struct Roots {
    /// (root as given, absolute directory with a trailing `/`).
    roots: Vec<(String, String)>,
}

impl Roots {
    /// The roots that `findings` were found under (files on disk only).
    pub fn of(findings: &[Finding]) -> Self {
        let mut roots: Vec<(String, String)> = Vec::new();
        for f in findings {
            if let Some(given) = f.origin.root()
                && !roots.iter().any(|(g, _)| g == given)
            {
                roots.push((given.to_string(), absolute_root(given)));
            }
        }
        Roots { roots }
    }

    /// Each root: its SARIF base id and absolute directory.
    pub fn iter(&self) -> impl Iterator<Item = (String, &str)> {
        self.roots
            .iter()
            .enumerate()
            .map(|(i, (_, abs))| (base_id(i), abs.as_str()))
    }

    /// The SARIF base id of the root given as `given`.
    pub fn base_id_of(&self, given: &str) -> Option<String> {
        self.roots.iter().position(|(g, _)| g == given).map(base_id)
    }

    /// How many roots there are.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether no finding came from a file on disk.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
}

fn base_id(index: usize) -> String {
    if index == 0 {
        FIRST_BASE_ID.to_string()
    } else {
        format!("SRCROOT{}", index + 1)
    }
}

/// The absolute form of a root as given ("" is the working directory), with a trailing `/`.
/// Symlinks are resolved so that every spelling of one directory records the same root.
pub fn absolute_root(given: &str) -> String {
    let path = if given.is_empty() {
        Path::new(".")
    } else {
        Path::new(given)
    };
    let abs = std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let mut s = abs.to_string_lossy().replace('\\', "/");
    if !s.ends_with('/') {
        s.push('/');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_absolute_directories() {
        let cwd = absolute_root("");
        assert!(cwd.starts_with('/') && cwd.ends_with('/'));
        assert_eq!(absolute_root("./"), cwd);
        assert_eq!(base_id(0), "%SRCROOT%");
        assert_eq!(base_id(1), "SRCROOT2");
    }
}
