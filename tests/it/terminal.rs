//! ferret at a terminal and in pipes: NO_COLOR, a reader that goes away, grouped help.

use std::process::{Command, Stdio};

use crate::support::{TestDir, ferret};

/// A tree with many findings, so a report is longer than a pipe's buffer.
fn many_findings() -> TestDir {
    let dir = TestDir::new();
    for i in 0..400 {
        dir.write(
            &format!("f{i}.env"),
            format!("GITHUB_TOKEN=ghp_Zp4Vq8Rt2Lx6Nw9Bk3Hy7Cm1Df5Gs0Ja{i:04}\n"),
        );
    }
    dir
}

fn text_with_env(dir: &TestDir, env: &[(&str, &str)]) -> String {
    let mut cmd = ferret();
    cmd.env_remove("NO_COLOR").current_dir(dir.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.args(["scan", "dir", "."]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn no_color_wins_over_a_forced_colour() {
    let dir = TestDir::new().file(
        "a.env",
        "GITHUB_TOKEN=ghp_Zp4Vq8Rt2Lx6Nw9Bk3Hy7Cm1Df5Gs0Ja2Ke4\n",
    );
    let forced = text_with_env(&dir, &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\x1b["), "colour when forced: {forced:?}");
    let plain = text_with_env(&dir, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!plain.contains('\x1b'), "NO_COLOR: {plain:?}");
    assert!(plain.contains("a.env"));
    // --color always is the user's explicit word and beats NO_COLOR.
    let out = ferret()
        .current_dir(dir.path())
        .args(["scan", "dir", ".", "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\x1b["));
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let dir = many_findings();
    for format in ["text", "jsonl", "json"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ferret"))
            .current_dir(dir.path())
            .args(["scan", "dir", ".", "--quiet", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before ferret writes anything, as `| head -0` would.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.is_empty(),
            "{format}: quiet on a closed pipe: {stderr}"
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: findings were cut short"
        );
    }
}

#[test]
fn help_groups_flags_and_hides_test_only_ones() {
    let out = ferret().args(["scan", "git", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for heading in ["Input:", "Output:", "Detection:", "Verification:"] {
        assert!(help.lines().any(|l| l == heading), "{heading} in\n{help}");
    }
    assert!(!help.contains("--verify-endpoint"), "{help}");
    let verification = help.split("Verification:").nth(1).unwrap();
    assert!(verification.contains("--verify-timeout"));
}
