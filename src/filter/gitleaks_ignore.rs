//! gitleaks' finding identities (`.gitleaksignore` lines and the `Fingerprint` of its JSON
//! reports, which `--baseline-path` takes) mapped onto ferret's findings.
//!
//! A gitleaks fingerprint names a place, not a secret: `COMMIT:FILE:RULE:LINE` in a git scan and
//! `FILE:RULE:LINE` in a directory scan. gitleaks' rule ids are not ferret's, so an entry matches
//! every ferret finding that starts on that line of that file (introduced by that commit, when the
//! entry names one; the commit may be abbreviated, as gitleaks 8.26 and later writes it). An entry
//! without a commit matches the file at every commit, as gitleaks applies it.
//!
//! gitleaks reads git history as patches, so it reports a secret once, at the commit that added
//! its line; ferret reads every version of a file, so the same secret is also found in the later
//! versions (on another line once lines above it change). Those are the same leak, so when an
//! entry matches a git finding, the same secret in the same file is suppressed in every other
//! version too ([`GitleaksEntries::drop_later_versions`], run once the scan is complete).

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result, bail};

use crate::pipeline::Finding;
use crate::pipeline::Origin;

/// File of gitleaks fingerprints, looked for at the scan root.
pub const GITLEAKS_IGNORE_FILE_NAME: &str = ".gitleaksignore";

/// One gitleaks finding identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Location {
    /// The commit that added the line (full or abbreviated id, lower case), for git scans.
    pub commit: Option<String>,
    /// The file, relative to the scanned directory or repository (`!` inside archives).
    pub path: String,
    /// 1-based line the secret starts on.
    pub line: usize,
}

impl Location {
    /// Parses a gitleaks fingerprint, `COMMIT:FILE:RULE:LINE` or `FILE:RULE:LINE`. A file name may
    /// itself hold colons, so the line and rule are taken from the right and the commit only when
    /// the first field looks like a commit id.
    pub fn parse(fingerprint: &str) -> Result<Self, String> {
        let mut fields = fingerprint.rsplitn(3, ':');
        let line = fields.next().unwrap_or("");
        let rule = fields.next();
        let rest = fields.next();
        let (Some(rule), Some(rest)) = (rule, rest) else {
            return Err("expected COMMIT:FILE:RULE:LINE or FILE:RULE:LINE".into());
        };
        let line: usize = line
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("{line:?} is not a line number"))?;
        if rule.is_empty() {
            return Err("the rule id is empty".into());
        }
        let (commit, path) = match rest.split_once(':') {
            Some((commit, path)) if is_commit_id(commit) && !path.is_empty() => {
                (Some(commit.to_ascii_lowercase()), path)
            }
            _ => (None, rest),
        };
        let path = path.trim_start_matches("./");
        if path.is_empty() {
            return Err("the file is empty".into());
        }
        Ok(Self {
            commit,
            path: path.to_string(),
            line,
        })
    }

    /// Whether `finding` is at this place.
    fn matches(&self, finding: &Finding) -> bool {
        if finding.line != self.line {
            return false;
        }
        let origin = &finding.origin;
        let path_matches = origin.relative_path().trim_start_matches("./") == self.path
            || origin.full_path().trim_start_matches("./") == self.path;
        if !path_matches {
            return false;
        }
        match (&self.commit, &**origin) {
            (None, _) => true,
            (Some(wanted), Origin::Git { commit, .. }) => commit_matches(commit, wanted),
            (Some(_), _) => false,
        }
    }
}

/// Whether `text` can be a (possibly abbreviated) commit id: 7 to 64 hex digits.
fn is_commit_id(text: &str) -> bool {
    (7..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether the full id `commit` is `wanted` or starts with it.
pub fn commit_matches(commit: &str, wanted: &str) -> bool {
    commit
        .get(..wanted.len())
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(wanted))
}

/// Parses the lines of a `.gitleaksignore` read from `name`: one fingerprint a line, `#` starting
/// a comment (whole-line or after the fingerprint), blank lines ignored.
pub fn parse_ignore_file(text: &str, name: &str) -> Result<Vec<Location>> {
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        let location = Location::parse(entry).map_err(|e| {
            anyhow::anyhow!(
                "{name}:{}: {entry:?} is not a gitleaks fingerprint: {e}",
                n + 1
            )
        })?;
        entries.push(location);
    }
    Ok(entries)
}

/// Reads `path` as a gitleaks JSON report (an array of objects with `RuleID`, `File` and
/// `StartLine`), returning its findings' places; `None` when it is not one (a ferret baseline).
pub fn load_gitleaks_report(path: &Path) -> Result<Option<Vec<Location>>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read baseline {}", path.display()))?;
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(&text)
    else {
        return Ok(None);
    };
    let is_gitleaks = |item: &serde_json::Value| item.get("RuleID").is_some();
    if items.is_empty() || !items.iter().all(is_gitleaks) {
        return Ok(None);
    }
    let mut entries = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let what = || format!("gitleaks report {}: finding {}", path.display(), i + 1);
        // The fingerprint says whether the scan was of git history; the fields are a fallback for
        // reports written before gitleaks had one.
        let location = match item.get("Fingerprint").and_then(|f| f.as_str()) {
            Some(fp) if !fp.is_empty() => Location::parse(fp)
                .map_err(|e| anyhow::anyhow!("{}: Fingerprint {fp:?}: {e}", what()))?,
            _ => {
                let file = item.get("File").and_then(|f| f.as_str());
                let line = item.get("StartLine").and_then(|l| l.as_u64());
                let (Some(file), Some(line)) = (file, line) else {
                    bail!("{}: has neither Fingerprint nor File and StartLine", what());
                };
                let commit = item
                    .get("Commit")
                    .and_then(|c| c.as_str())
                    .filter(|c| is_commit_id(c))
                    .map(str::to_ascii_lowercase);
                Location {
                    commit,
                    path: file.trim_start_matches("./").to_string(),
                    line: line as usize,
                }
            }
        };
        entries.push(location);
    }
    Ok(Some(entries))
}

/// The gitleaks entries a scan honours, and the git secrets they matched.
#[derive(Debug, Default)]
pub struct GitleaksEntries {
    entries: HashSet<Location>,
    /// Lines that hold an entry, so most findings are rejected by one lookup.
    lines: HashSet<usize>,
    /// `(path, fingerprint)` of git findings an entry matched: their other versions follow.
    matched_in_git: Mutex<HashSet<(String, String)>>,
}

impl GitleaksEntries {
    /// Adds entries.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = Location>) {
        for entry in entries {
            self.lines.insert(entry.line);
            self.entries.insert(entry);
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether an entry names the place of `finding` (recording git matches for
    /// [`GitleaksEntries::drop_later_versions`]).
    pub fn matches(&self, finding: &Finding) -> bool {
        if !self.lines.contains(&finding.line) || !self.entries.iter().any(|e| e.matches(finding)) {
            return false;
        }
        if matches!(&*finding.origin, Origin::Git { .. }) {
            self.matched_in_git
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert((finding.path().to_string(), finding.fingerprint.clone()));
        }
        true
    }

    /// Removes from `findings` the git findings of a secret an entry matched in the same file at
    /// another commit; returns how many were removed.
    pub fn drop_later_versions(&self, findings: &mut Vec<Finding>) -> usize {
        let matched = self
            .matched_in_git
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if matched.is_empty() {
            return 0;
        }
        let before = findings.len();
        findings.retain(|f| {
            !(matches!(&*f.origin, Origin::Git { .. })
                && matched.contains(&(f.path().to_string(), f.fingerprint.clone())))
        });
        before - findings.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_and_directory_fingerprints_parse() {
        let full = "4f1c2e9a7b3d5e6f8a9b0c1d2e3f4a5b6c7d8e9f:src/config.py:generic-api-key:12";
        assert_eq!(
            Location::parse(full),
            Ok(Location {
                commit: Some("4f1c2e9a7b3d5e6f8a9b0c1d2e3f4a5b6c7d8e9f".into()),
                path: "src/config.py".into(),
                line: 12,
            })
        );
        assert_eq!(
            Location::parse("4F1C2E9:src/config.py:jwt:3")
                .unwrap()
                .commit,
            Some("4f1c2e9".into())
        );
        assert_eq!(
            Location::parse("deploy/.env:aws-access-token:7"),
            Ok(Location {
                commit: None,
                path: "deploy/.env".into(),
                line: 7,
            })
        );
        // A file name with a colon is kept whole; a first field that is not hex is no commit.
        assert_eq!(
            Location::parse("docs/a:b.md:slack-webhook-url:2")
                .unwrap()
                .path,
            "docs/a:b.md"
        );
        assert_eq!(
            Location::parse("./app.env:generic-api-key:1").unwrap().path,
            "app.env"
        );
    }

    #[test]
    fn malformed_fingerprints_are_refused_with_the_reason() {
        assert!(Location::parse("just-a-name").is_err());
        assert!(
            Location::parse("file:rule:zero")
                .unwrap_err()
                .contains("line number")
        );
        assert!(Location::parse("file:rule:0").is_err());
        assert!(Location::parse("file::3").unwrap_err().contains("rule"));
        let err = parse_ignore_file(
            "# ok\n\nsrc/a.py:jwt:4 # why\nnonsense\n",
            ".gitleaksignore",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with(".gitleaksignore:4:"), "{err}");
    }

    #[test]
    fn abbreviated_commits_match_full_ids() {
        let full = "4f1c2e9a7b3d5e6f8a9b0c1d2e3f4a5b6c7d8e9f";
        assert!(commit_matches(full, "4f1c2e9"));
        assert!(commit_matches(full, full));
        assert!(!commit_matches(full, "4f1c2e8"));
        assert!(!commit_matches("4f1c", "4f1c2e9"));
    }
}
