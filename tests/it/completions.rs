//! `ferret completions SHELL` and `ferret man`, generated from the clap definitions, loaded by the
//! real shells and `man` where they are installed (`.ci/setup` installs bash, zsh, fish, man-db).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{TestDir, ferret};

fn generated(args: &[&str]) -> String {
    let out = ferret().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The directory holding the `ferret` binary under test, for a shell's PATH.
fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_ferret"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn path_env() -> String {
    format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn bash_completion_loads_and_completes_subcommands() {
    let out = Command::new("bash")
        .args([
            "-c",
            "source <(ferret completions bash); complete -p ferret",
        ])
        .env("PATH", path_env())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("-F _ferret") && stdout.trim_end().ends_with("ferret"),
        "{stdout}"
    );

    // Asking the loaded function for `ferret sc<TAB>` and `ferret scan gi<TAB>`.
    let complete = |words: &str, cword: usize| {
        let script = format!(
            "source <(ferret completions bash); COMP_WORDS=({words}); COMP_CWORD={cword}; \
             COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \
             _ferret ferret \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; echo \"${{COMPREPLY[@]}}\""
        );
        let out = Command::new("bash")
            .args(["-c", &script])
            .env("PATH", path_env())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(complete("ferret sc", 1), "scan");
    assert_eq!(
        complete("ferret scan gi", 2),
        "git github-actions gitlab-ci github-org gitlab-group"
    );
    assert_eq!(complete("ferret scan git --log-o", 3), "--log-opts");
}

#[test]
fn every_shell_gets_a_script_its_shell_accepts() {
    let dir = TestDir::new();
    for (shell, marker) in [
        ("bash", "_ferret()"),
        ("zsh", "#compdef ferret"),
        ("fish", "complete -c ferret"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[ferret]"),
    ] {
        let script = generated(&["completions", shell]);
        assert!(
            script.contains(marker),
            "{shell}: {marker} not in the script"
        );
        // Subcommands and flags come from the clap definitions.
        for word in ["scan", "baseline", "config", "completions", "log-opts"] {
            assert!(script.contains(word), "{shell}: {word} missing");
        }
        let file = dir.join(&format!("ferret.{shell}"));
        std::fs::write(&file, &script).unwrap();
        // Each shell that is installed parses its script without running it.
        let check: Option<(&str, Vec<&str>)> = match shell {
            "bash" => Some(("bash", vec!["-n"])),
            "zsh" => Some(("zsh", vec!["-n"])),
            "fish" => Some(("fish", vec!["--no-execute"])),
            _ => None,
        };
        if let Some((program, args)) = check.filter(|(p, _)| installed(p)) {
            let out = Command::new(program)
                .args(args)
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{program} rejects its completions: {out:?}"
            );
        }
    }
    let out = ferret().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_man_page_renders() {
    let page = generated(&["man"]);
    // roff: the title header, the name and synopsis sections, and the subcommands.
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains(".TH ferret 1"), "no .TH header");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    assert!(page.contains("ferret\\-scan(1)"), "subcommands are listed");
    if installed("man") {
        let dir = TestDir::new().file("ferret.1", &page);
        let out = Command::new("man")
            .arg("-l")
            .arg(dir.join("ferret.1"))
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("NAME") && text.contains("SYNOPSIS"), "{text}");
        assert!(text.contains("Find leaked credentials"), "{text}");
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(!warnings.contains("warning"), "man warns: {warnings}");
    }
}
