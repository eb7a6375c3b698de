//! Recognises which CI system wrote a log, from its content alone.

use memchr::memmem;

/// The CI systems whose log conventions the normaliser knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogFormat {
    /// GitHub Actions: timestamp on every line, `##[group]` commands, a BOM.
    GithubActions,
    /// GitLab CI job traces: ANSI colour, `section_start:` / `section_end:` markers, `\r`.
    GitlabCi,
    /// CircleCI step output.
    CircleCi,
    /// Jenkins console text, with hidden console notes.
    Jenkins,
    /// Anything else.
    Plain,
}

impl LogFormat {
    /// The provider name used in reports.
    pub fn provider(self) -> &'static str {
        match self {
            LogFormat::GithubActions => "github-actions",
            LogFormat::GitlabCi => "gitlab-ci",
            LogFormat::CircleCi => "circleci",
            LogFormat::Jenkins => "jenkins",
            LogFormat::Plain => "plain",
        }
    }
}

/// How much of a log's head is looked at to recognise it.
const SNIFF_LEN: usize = 64 << 10;

/// Recognises the format of a log from its first bytes.
pub fn detect_format(data: &[u8]) -> LogFormat {
    let head = &data[..data.len().min(SNIFF_LEN)];
    let has = |needle: &[u8]| memmem::find(head, needle).is_some();
    if has(b"\x1b[8mha:") || has(b"[Pipeline] ") || head.starts_with(b"Started by ") {
        return LogFormat::Jenkins;
    }
    if has(b"section_start:") || has(b"Running with gitlab-runner") {
        return LogFormat::GitlabCi;
    }
    if head.starts_with(b"\xEF\xBB\xBF") || has(b"##[group]") || github_timestamped(head) {
        return LogFormat::GithubActions;
    }
    if has(b"CircleCI received exit code")
        || has(b"circleci-agent")
        || has(b"Build-agent version")
        || head.starts_with(b"#!/bin/bash -eo pipefail")
    {
        return LogFormat::CircleCi;
    }
    if has(b"Finished: SUCCESS") || has(b"Finished: FAILURE") {
        return LogFormat::Jenkins;
    }
    LogFormat::Plain
}

/// Whether most of the first lines carry GitHub's 7-digit-fraction timestamp prefix.
fn github_timestamped(head: &[u8]) -> bool {
    let mut lines = 0;
    let mut stamped = 0;
    for line in head.split(|&b| b == b'\n').take(20) {
        if line.is_empty() {
            continue;
        }
        lines += 1;
        let stamp = line.get(..29);
        if stamp.is_some_and(|s| s[10] == b'T' && s[19] == b'.' && s[27] == b'Z' && s[28] == b' ') {
            stamped += 1;
        }
    }
    lines > 0 && stamped * 2 > lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_provider() {
        assert_eq!(
            detect_format(b"\xEF\xBB\xBF2024-01-01T00:00:00.0000000Z hi\n"),
            LogFormat::GithubActions
        );
        assert_eq!(
            detect_format(b"2024-01-01T00:00:00.0000000Z hi\n2024-01-01T00:00:00.0000000Z x\n"),
            LogFormat::GithubActions
        );
        assert_eq!(
            detect_format(b"\x1b[0KRunning with gitlab-runner 16.5.0\n"),
            LogFormat::GitlabCi
        );
        assert_eq!(
            detect_format(b"Started by user admin\n\x1b[8mha:////abc\x1b[0m[Pipeline] Start\n"),
            LogFormat::Jenkins
        );
        assert_eq!(
            detect_format(b"#!/bin/bash -eo pipefail\nmake\n"),
            LogFormat::CircleCi
        );
        assert_eq!(detect_format(b"hello\n"), LogFormat::Plain);
    }
}
