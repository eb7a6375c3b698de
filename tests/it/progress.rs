//! The progress line on a real terminal: it says what ferret is doing (listing objects included),
//! shows totals, rate and elapsed time, prints notes above itself whole, and is gone when ferret
//! is done; on a pipe, or with `--quiet`, it is never drawn.

use std::io::Write;
use std::process::{Command, Stdio};

use regex::Regex;

use crate::support::pty::{Screen, run_with_terminal_stderr};
use crate::support::test_repo::TestRepo;

/// Terminal width for these tests: wide enough that no line of ferret's wraps.
const COLS: u16 = 120;

const NOTE: &str = "ferret: 1 submodule(s) not followed (scan them separately): vendor/lib";

/// A repository with `commits` x `files` distinct blobs of about 2 KB (enough history that a
/// debug build scans it for a few seconds and a release build for a few tenths), and a submodule
/// entry, which ferret reports with a note while the progress line is drawn.
fn repo_with_history(commits: usize, files: usize) -> TestRepo {
    const WORDS: [&str; 8] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ];
    let repo = TestRepo::new();
    let mut stream = Vec::new();
    for c in 0..commits {
        writeln!(stream, "commit refs/heads/main").unwrap();
        writeln!(
            stream,
            "committer Ada <ada@example.com> {} +0000",
            1_700_000_000 + c * 60
        )
        .unwrap();
        let message = format!("change {c}");
        write!(stream, "data {}\n{message}\n", message.len()).unwrap();
        for f in 0..files {
            let mut body = format!("# file {f}, version {c}\n");
            let mut state = (c * 7919 + f * 104_729) as u64 | 1;
            while body.len() < 2048 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                body.push_str(WORDS[(state >> 61) as usize]);
                body.push(if state & 0xf == 0 { '\n' } else { ' ' });
            }
            writeln!(stream, "M 100644 inline notes/{}/file{f}.txt", f % 4).unwrap();
            write!(stream, "data {}\n{body}\n", body.len()).unwrap();
        }
    }
    let mut import = repo
        .command(&["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import runs");
    import.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(import.wait().unwrap().success(), "git fast-import");
    repo.git(&["reset", "-q", "--hard", "main"]);
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        "160000,1111111111111111111111111111111111111111,vendor/lib",
    ]);
    repo.commit("vendor a library");
    repo.git(&["gc", "-q"]);
    repo
}

/// `ferret scan git .` in `repo`, as a plain command (the test decides where its output goes).
fn scan_git(repo: &TestRepo, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferret"));
    cmd.current_dir(repo.path())
        .args(["scan", "git", ".", "--format", "json"])
        .args(extra)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN");
    cmd
}

/// Each state of the progress line the terminal was sent: the text between line clears that
/// starts with the spinner, trailing padding removed.
fn frames(terminal: &str) -> Vec<String> {
    terminal
        .split("\r\x1b[2K")
        .map(|f| f.trim_end().to_string())
        .filter(|f| f.starts_with(|c: char| ('\u{2800}'..='\u{28ff}').contains(&c)))
        .collect()
}

#[test]
fn the_progress_line_shows_phase_totals_rate_and_elapsed_time_and_keeps_notes_whole() {
    let repo = repo_with_history(150, 40);
    let run = run_with_terminal_stderr(scan_git(&repo, &[]), COLS);
    assert_eq!(run.status.code(), Some(0), "{}", run.terminal);
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report.as_array().map(Vec::len), Some(0), "no findings");

    let frames = frames(&run.terminal);
    let line = Regex::new(
        r"^. +(\d+)s ([a-z ]+): (\d+) blobs, \d+(\.\d+)? [kMG]?B \(\d+(\.\d+)? [kMG]?B/s\)$",
    )
    .unwrap();
    let parsed: Vec<(u64, String, u64)> = frames
        .iter()
        .filter_map(|f| {
            let c = line.captures(f)?;
            Some((
                c[1].parse().unwrap(),
                c[2].to_string(),
                c[3].parse().unwrap(),
            ))
        })
        .collect();
    // What ferret does while it lists the objects of the packs, before any blob is scanned.
    assert!(
        frames
            .iter()
            .any(|f| f.contains(" listing packed objects:")),
        "{frames:#?}"
    );
    // Totals with a rate, elapsed seconds, and the phase, once blobs have been scanned. (Not
    // necessarily in a scanning phase: all 6000 blobs of this small history can be scanned
    // between two redraws, so the first frame to count them may be a later phase's.)
    assert!(
        parsed
            .iter()
            .any(|(_, phase, blobs)| !phase.is_empty() && *blobs > 0),
        "{frames:#?}"
    );
    let elapsed: Vec<u64> = parsed.iter().map(|(s, _, _)| *s).collect();
    assert!(
        elapsed.is_sorted(),
        "elapsed time runs forward: {elapsed:?}"
    );
    let counts: Vec<u64> = parsed.iter().map(|(_, _, n)| *n).collect();
    assert!(counts.is_sorted(), "the blob count only grows: {counts:?}");

    // Once ferret is done, the terminal shows the note whole on its own line and the summary:
    // the progress line overwrote neither and left nothing behind.
    let screen = Screen::replay(&run.terminal, COLS).text_lines();
    assert_eq!(screen.len(), 2, "{screen:#?}");
    assert_eq!(screen[0], NOTE);
    assert!(
        Regex::new(r"^ferret: scanned 6000 blobs \(.*\) in .*: 0 findings")
            .unwrap()
            .is_match(&screen[1]),
        "{screen:#?}"
    );
}

#[test]
fn no_progress_is_drawn_on_a_pipe_or_with_quiet() {
    let repo = repo_with_history(20, 10);
    let out = scan_git(&repo, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr:?}");
    assert_eq!(lines[0], NOTE);
    assert!(
        lines[1].starts_with("ferret: scanned 200 blobs"),
        "{stderr:?}"
    );
    assert!(
        !stderr.contains(['\r', '\x1b']) && !stderr.contains(" blobs, "),
        "{stderr:?}"
    );

    let quiet = run_with_terminal_stderr(scan_git(&repo, &["--quiet"]), COLS);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(quiet.terminal, "", "--quiet draws nothing on the terminal");
}

#[test]
fn a_run_over_many_targets_shows_targets_done_of_the_total_and_the_current_one() {
    let repos: Vec<TestRepo> = (0..3).map(|_| repo_with_history(60, 20)).collect();
    let list = tempfile::tempdir().unwrap();
    let file = list.path().join("targets.txt");
    let lines: String = repos
        .iter()
        .map(|r| format!("git {}\n", r.path().display()))
        .collect();
    std::fs::write(&file, lines).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferret"));
    cmd.args(["scan", "targets"])
        .arg(&file)
        .args(["--format", "json", "--jobs", "1"])
        .env("NO_COLOR", "1");
    let run = run_with_terminal_stderr(cmd, COLS);
    assert_eq!(run.status.code(), Some(0), "{}", run.terminal);
    let frames = frames(&run.terminal);
    let progress = Regex::new(r" ([0-3])/3 targets, git /\S+( · [a-z ]+)?: \d+ blobs").unwrap();
    let done: Vec<u32> = frames
        .iter()
        .filter_map(|f| Some(progress.captures(f)?[1].parse().unwrap()))
        .collect();
    assert!(!done.is_empty(), "{frames:#?}");
    assert!(done.is_sorted(), "targets done only grows: {done:?}");
    let screen = Screen::replay(&run.terminal, COLS).text_lines();
    // Each repository's note names it, then the summary: the progress line left nothing.
    assert_eq!(screen.len(), 4, "{screen:#?}");
    let named: std::collections::BTreeSet<String> = screen[..3]
        .iter()
        .map(|note| {
            let place = note
                .strip_prefix("ferret: 1 submodule(s) not followed in ")
                .unwrap_or_else(|| panic!("{screen:#?}"));
            place.split(' ').next().unwrap().to_string()
        })
        .collect();
    let repos: std::collections::BTreeSet<String> = repos
        .iter()
        .map(|r| {
            std::fs::canonicalize(r.path())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(named, repos, "each note names its repository");
    assert!(
        screen[3].starts_with("ferret: scanned 3600 blobs"),
        "{screen:#?}"
    );
}
