//! gitleaks' `--log-opts` (options it passes to `git log -p`) translated into the history
//! selection of `ferret scan git`: which refs, and which commits' blobs are reported.
//!
//! ferret reads the object database, not `git log`, so only options that choose revisions have a
//! meaning; anything else (dates, authors, paths, merge handling, counts) is refused by name rather
//! than ignored, since scanning more or less than asked for would be silently wrong.

/// The history `--log-opts` selects, in `scan git`'s own terms.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HistorySelection {
    /// `--branch` revisions (empty: every ref).
    pub branches: Vec<String>,
    /// `--since REV`: commits after REV only.
    pub since: Option<String>,
    /// `--range BASE..HEAD`.
    pub range: Option<String>,
}

/// What `--log-opts` may hold.
const SUPPORTED: &str = "supported: --all, REV, ^REV, BASE..HEAD, BASE.. and -p";

/// Translates a `--log-opts` value (split on white space, as gitleaks splits it).
pub fn translate(log_opts: &str) -> Result<HistorySelection, String> {
    let mut all = false;
    let mut revisions = Vec::new();
    let mut excluded = Vec::new();
    let mut ranges = Vec::new();
    for word in log_opts.split_whitespace() {
        match word {
            "--all" => all = true,
            // gitleaks asks for patches itself; ferret reads whole blobs either way.
            "-p" | "--patch" => {}
            "--" => {
                return Err(refuse(
                    word,
                    "ferret cannot limit a scan to paths of the history; use [scan] exclude in ferret.toml",
                ));
            }
            w if w.starts_with("--since")
                || w.starts_with("--after")
                || w.starts_with("--until")
                || w.starts_with("--before") =>
            {
                return Err(refuse(
                    w,
                    "ferret selects history by revision, not by date: name the oldest commit to leave out as ^REV or BASE..HEAD",
                ));
            }
            w if w.starts_with('-') => {
                return Err(refuse(
                    w,
                    "ferret reads the object database, not `git log`, and has no equivalent",
                ));
            }
            w if w.contains("...") => {
                return Err(refuse(
                    w,
                    "a symmetric difference is not a range ferret can scan; use BASE..HEAD",
                ));
            }
            w if w.contains("..") => {
                let (base, head) = w.split_once("..").unwrap_or((w, ""));
                if base.is_empty() {
                    return Err(refuse(w, "the range needs a base revision (BASE..HEAD)"));
                }
                let head = if head.is_empty() { "HEAD" } else { head };
                ranges.push((base.to_string(), head.to_string()));
            }
            w if w.len() > 1 && w.starts_with('^') => excluded.push(w[1..].to_string()),
            w => revisions.push(w.to_string()),
        }
    }
    if ranges.len() + excluded.len() > 1 {
        return Err(format!(
            "--log-opts {log_opts:?}: ferret can leave out the history of one revision only \
             (one BASE..HEAD or one ^REV)"
        ));
    }
    let mut selection = HistorySelection::default();
    match (ranges.pop(), excluded.pop()) {
        (Some((base, head)), None) if all || !revisions.is_empty() => {
            // `git log --all A..B`: every ref's history (B's among it) less A's.
            selection.since = Some(base);
            if !all {
                revisions.push(head);
                selection.branches = revisions;
            }
        }
        (Some((base, head)), None) => selection.range = Some(format!("{base}..{head}")),
        (None, Some(rev)) => {
            selection.since = Some(rev);
            if !all {
                selection.branches = revisions;
            }
        }
        _ => {
            if !all {
                selection.branches = revisions;
            }
        }
    }
    Ok(selection)
}

fn refuse(word: &str, why: &str) -> String {
    format!("--log-opts: cannot translate {word:?}: {why} ({SUPPORTED})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(branches: &[&str], since: Option<&str>, range: Option<&str>) -> HistorySelection {
        HistorySelection {
            branches: branches.iter().map(|b| b.to_string()).collect(),
            since: since.map(Into::into),
            range: range.map(Into::into),
        }
    }

    #[test]
    fn revision_selections_translate() {
        assert_eq!(translate("--all"), Ok(sel(&[], None, None)));
        assert_eq!(
            translate("origin/main..HEAD"),
            Ok(sel(&[], None, Some("origin/main..HEAD")))
        );
        assert_eq!(translate("v1.2.."), Ok(sel(&[], None, Some("v1.2..HEAD"))));
        assert_eq!(
            translate("--all 3f2a9c1..8be7d04"),
            Ok(sel(&[], Some("3f2a9c1"), None))
        );
        assert_eq!(
            translate("-p main release"),
            Ok(sel(&["main", "release"], None, None))
        );
        assert_eq!(
            translate("main ^v1.0"),
            Ok(sel(&["main"], Some("v1.0"), None))
        );
    }

    #[test]
    fn what_has_no_equivalent_is_refused_by_name() {
        for (opts, named) in [
            ("--since=2024-01-01", "--since=2024-01-01"),
            ("--author=me main", "--author=me"),
            ("--all -- src/", "--"),
            ("main...topic", "main...topic"),
            ("..HEAD", "..HEAD"),
        ] {
            let err = translate(opts).unwrap_err();
            assert!(err.contains(&format!("{named:?}")), "{opts}: {err}");
        }
        assert!(
            translate("a..b ^c")
                .unwrap_err()
                .contains("one revision only")
        );
    }
}
