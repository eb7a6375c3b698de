//! One finding per secret per file of a git history. Every edit of a file makes a new blob, and a
//! history scan reads each blob once, so a secret that stays in a file through 36 edits is found
//! 36 times; a reader acts once per secret and file. The findings of one (rule, secret, path,
//! repository) become one, placed at the version that introduced the secret, carrying how many
//! versions held it, the last of them, and the list of them all.
//!
//! This is a pass over the findings of a whole scan rather than part of the git source: a
//! secret's versions are only known once every blob has been scanned, and the filters (inline
//! allow comments, baselines, gitleaks entries matched by commit) have to judge each version
//! first, as they did before, so that what is collapsed is exactly what would have been reported.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::finding::Finding;
use super::origin::{GitOccurrence, Origin};

/// How reports list a secret that several versions of a file in git history held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GitVersions {
    /// One finding per (rule, secret, path, repository), at the version that introduced it.
    #[default]
    Collapse,
    /// One finding per version (`scan git --all-occurrences`).
    EachVersion,
}

/// `findings` with the git findings of one secret in one file merged as `mode` says; every git
/// origin comes out with its `versions`, `last_commit` and `occurrences` filled. Other findings
/// pass unchanged. The order is not kept: callers sort for output.
pub fn collapse_git_versions(findings: Vec<Finding>, mode: GitVersions) -> Vec<Finding> {
    let mut out = Vec::with_capacity(findings.len());
    let mut groups: HashMap<GroupKey, Vec<Finding>> = HashMap::new();
    for finding in findings {
        match (&*finding.origin, mode) {
            (Origin::Git { .. }, GitVersions::Collapse) => {
                groups.entry(group_key(&finding)).or_default().push(finding);
            }
            (Origin::Git { .. }, GitVersions::EachVersion) => out.push(merge(vec![finding])),
            _ => out.push(finding),
        }
    }
    out.extend(groups.into_values().map(merge));
    out
}

/// What makes git findings the same finding: (rule id, fingerprint, path, repository).
type GroupKey = (Arc<str>, String, String, String);

fn group_key(f: &Finding) -> GroupKey {
    (
        f.rule_id.clone(),
        f.fingerprint.clone(),
        f.path().to_string(),
        f.origin.place().to_string(),
    )
}

/// The one finding that stands for `group` (git findings of one key, at least one): its first
/// version, with the versions of all of them.
fn merge(mut group: Vec<Finding>) -> Finding {
    group.sort_by_key(|f| (walk_order(f), f.line, f.column));
    let mut occurrences: Vec<GitOccurrence> = Vec::new();
    // A file edited thousands of times lists thousands of versions: looked up, not searched.
    let mut versions_seen: HashSet<(String, String)> = HashSet::new();
    let mut still_in_head = false;
    for f in &group {
        if let Origin::Git {
            still_in_head: in_head,
            ..
        } = &*f.origin
        {
            still_in_head |= *in_head;
        }
        for occurrence in occurrences_of(f) {
            // A version holding the secret twice is one version, at its first position.
            if versions_seen.insert((occurrence.commit.clone(), occurrence.blob.clone())) {
                occurrences.push(occurrence);
            }
        }
    }
    let mut first = group.swap_remove(0);
    if let Origin::Git {
        still_in_head: in_head,
        versions,
        last_commit,
        occurrences: list,
        ..
    } = Arc::make_mut(&mut first.origin)
    {
        *in_head = still_in_head;
        *versions = occurrences.len();
        if let Some(last) = occurrences.last() {
            last_commit.clone_from(&last.commit);
        }
        *list = occurrences;
    }
    first
}

fn walk_order(f: &Finding) -> u32 {
    match &*f.origin {
        Origin::Git { walk_order, .. } => *walk_order,
        _ => 0,
    }
}

/// The versions a git finding stands for: those it lists (a finding already merged, or read back
/// from a report), or else its own.
fn occurrences_of(f: &Finding) -> Vec<GitOccurrence> {
    let Origin::Git {
        commit,
        date,
        blob,
        occurrences,
        ..
    } = &*f.origin
    else {
        return Vec::new();
    };
    if !occurrences.is_empty() {
        return occurrences.clone();
    }
    vec![GitOccurrence {
        commit: commit.clone(),
        date: date.clone(),
        blob: blob.clone(),
        line: f.line,
        column: f.column,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{Confidence, Severity};

    /// A finding of `secret` at `path` in the version `commit` introduced, `walk_order`th in
    /// the walk.
    fn found(path: &str, fingerprint: &str, commit: &str, walk_order: u32, line: usize) -> Finding {
        Finding {
            rule_id: Arc::from("rule"),
            rule_name: Arc::from("Rule"),
            provider: None,
            severity: Severity::High,
            secret: "s".into(),
            secret_redacted: false,
            fingerprint: fingerprint.into(),
            legacy_fingerprint: String::new(),
            line,
            column: 1,
            end_line: line,
            entropy: 0.0,
            checksum_valid: None,
            captures: Vec::new(),
            rotate: None,
            origin: Arc::new(Origin::Git {
                repository: "/r".into(),
                path: path.into(),
                commit: commit.into(),
                author: String::new(),
                email: String::new(),
                date: String::new(),
                summary: String::new(),
                blob: format!("blob-{commit}"),
                still_in_head: walk_order == 9,
                versions: 1,
                last_commit: commit.into(),
                occurrences: Vec::new(),
                walk_order,
            }),
            verification: None,
            confidence: Confidence::High,
            confidence_reasons: Vec::new(),
            decoded: None,
            context: None,
        }
    }

    fn versions(f: &Finding) -> (String, usize, String, Vec<String>, bool) {
        let Origin::Git {
            commit,
            versions,
            last_commit,
            occurrences,
            still_in_head,
            ..
        } = &*f.origin
        else {
            panic!("a git finding");
        };
        let commits = occurrences.iter().map(|o| o.commit.clone()).collect();
        (
            commit.clone(),
            *versions,
            last_commit.clone(),
            commits,
            *still_in_head,
        )
    }

    #[test]
    fn versions_are_ordered_by_the_walk_and_a_repeat_in_one_version_counts_once() {
        let findings = vec![
            found("a", "fp", "c9", 9, 4),
            found("a", "fp", "c1", 1, 2),
            found("a", "fp", "c1", 1, 7),
            found("a", "fp", "c5", 5, 3),
        ];
        let out = collapse_git_versions(findings, GitVersions::Collapse);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].line, 2);
        let c = |s: &str| s.to_string();
        assert_eq!(
            versions(&out[0]),
            (c("c1"), 3, c("c9"), vec![c("c1"), c("c5"), c("c9")], true)
        );
    }

    #[test]
    fn paths_and_secrets_stay_apart_and_collapsing_twice_changes_nothing() {
        let findings = vec![
            found("a", "fp", "c1", 1, 1),
            found("a", "fp", "c2", 2, 1),
            found("b", "fp", "c2", 2, 1),
            found("a", "other", "c2", 2, 1),
        ];
        let mut once = collapse_git_versions(findings, GitVersions::Collapse);
        once.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut twice = collapse_git_versions(once.clone(), GitVersions::Collapse);
        twice.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let shape = |all: &[Finding]| -> Vec<_> {
            all.iter()
                .map(|f| (f.path().to_string(), f.fingerprint.clone(), versions(f)))
                .collect()
        };
        assert_eq!(once.len(), 3);
        assert_eq!(shape(&once), shape(&twice));
        let each = collapse_git_versions(
            vec![found("a", "fp", "c1", 1, 1), found("a", "fp", "c2", 2, 1)],
            GitVersions::EachVersion,
        );
        assert!(
            each.iter()
                .all(|f| versions(f).1 == 1 && versions(f).3.len() == 1)
        );
    }
}
