//! The text report as a person reads it: the line with a caret under the (redacted) secret, one
//! entry per secret with the other places under it, and a closing count by severity and provider.

use crate::support::{TestDir, ferret};

/// Valid-checksum GitHub token and a Slack bot token, both made up for these tests.
const GITHUB: &str = "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";
const GITHUB_2: &str = "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";
const SLACK: &str = "xoxb-207712147352-5721356542805-BwyMZDrXqDjrDYazmDtlRyIS";

fn text(dir: &TestDir, extra: &[&str]) -> String {
    let out = ferret()
        .current_dir(dir.path())
        .args(["scan", "dir", "."])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The context line of the finding whose place line starts with `place`, and its caret line.
fn context_of<'a>(report: &'a str, place: &str) -> (&'a str, &'a str) {
    let lines: Vec<&str> = report.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(place))
        .unwrap_or_else(|| panic!("no finding at {place}:\n{report}"));
    (lines[at + 1], lines[at + 2])
}

#[test]
fn each_finding_shows_its_line_with_a_caret_under_the_redacted_secret() {
    let dir = TestDir::new()
        .file(
            "settings.py",
            format!("import os\n\tGITHUB = \"{GITHUB}\"  # \x1b[2Jdeploy\n"),
        )
        .file("both.env", format!("GH={GITHUB_2} SLACK={SLACK}\n"));
    let report = text(&dir, &[]);
    for secret in [GITHUB, GITHUB_2, SLACK] {
        assert!(
            !report.contains(&secret[8..]),
            "a secret printed:\n{report}"
        );
    }
    let (line, caret) = context_of(&report, "  2:12  github-pat-classic");
    // Tabs print as one space and escape sequences from the file are shown, not obeyed.
    assert_eq!(
        line,
        "    2 |  GITHUB = \"ghp_kNta*****\"  # \\x1b[2Jdeploy"
    );
    assert_eq!(
        caret.find('^'),
        line.find("ghp_kNta"),
        "caret not under the secret:\n{line}\n{caret}"
    );
    assert_eq!(caret.matches('^').count(), "ghp_kNta*****".len());

    // Two secrets on one line: each finding's line redacts both, and a long line is cut (marked
    // with an ellipsis) some way from the secret.
    let (line, _) = context_of(&report, "  1:4  github-pat-classic");
    assert_eq!(line, "    1 | GH=ghp_u8jz***** SLACK=xoxb-207*****…");
    let (line, caret) = context_of(&report, "  1:51  slack-bot-token");
    assert_eq!(line, "    1 | …=ghp_u8jz***** SLACK=xoxb-207*****");
    // Columns, not bytes: the ellipsis is three bytes wide in UTF-8 and one column on screen.
    let column = |l: &str, of: &str| l[..l.find(of).unwrap()].chars().count();
    assert_eq!(column(caret, "^"), column(line, "xoxb"));

    let shown = text(&dir, &["--show-secrets"]);
    let (line, _) = context_of(&shown, "  1:51  slack-bot-token");
    assert_eq!(line, format!("    1 | …={GITHUB_2} SLACK={SLACK}"));
}

#[test]
fn one_secret_in_many_places_is_listed_once_with_the_other_places() {
    let mut dir = TestDir::new();
    for i in 0..13 {
        dir = dir.file(&format!("svc{i:02}/.env"), format!("TOKEN={GITHUB}\n"));
    }
    dir = dir.file("chat.env", format!("SLACK={SLACK}\n"));
    let report = text(&dir, &[]);
    assert_eq!(
        report.matches("github-pat-classic").count(),
        1,
        "one entry for the token:\n{report}"
    );
    assert!(
        report.contains("svc00/.env\n  1:7  github-pat-classic"),
        "{report}"
    );
    assert!(
        report.contains("    also in 12 more places:\n      svc01/.env:1:7\n"),
        "{report}"
    );
    // Ten places are listed, the rest counted.
    assert!(report.contains("      svc10/.env:1:7\n"), "{report}");
    assert!(!report.contains("svc11/.env"), "{report}");
    assert!(
        report.contains("... and 2 more (every place is in --format json)"),
        "{report}"
    );
    // Files whose only finding is a repeat get no heading of their own.
    assert!(!report.lines().any(|l| l == "svc05/.env"), "{report}");

    assert!(
        report.contains(
            "\n14 findings of 2 distinct secrets: 14 high\nby provider: GitHub 13, Slack 1\n"
        ),
        "{report}"
    );

    // JSON still has every place.
    let out = ferret()
        .current_dir(dir.path())
        .args(["scan", "dir", ".", "--format", "json"])
        .output()
        .unwrap();
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings.len(), 14);
    assert!(findings.iter().all(|f| f["provider"].is_string()));
}

#[test]
fn the_closing_count_is_by_severity_then_provider_and_generic_rules_are_generic() {
    let dir = TestDir::new().file(
        "deploy.env",
        format!(
            "AWS_ACCESS_KEY_ID=AKIA4POZVFI34LM2UEY2\nAWS_SECRET_ACCESS_KEY=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\nDB_PASSWORD=4YUhh3eIukIJeU75\nGH={GITHUB}\n"
        ),
    );
    let report = text(&dir, &[]);
    assert!(
        report.contains("\n4 findings of 4 distinct secrets: 2 critical, 1 high, 1 medium\nby provider: AWS 2, Generic 1, GitHub 1\n"),
        "{report}"
    );
}
