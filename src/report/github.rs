//! `--format github`: GitHub Actions workflow commands, which the runner turns into annotations.
//! Text from the input is made printable ([`escape_control`]: no ESC or other control character
//! reaches the log) and CR/LF are escaped as the runner expects, so a file name cannot end a
//! command early, colour the log or forge a `::workflow-command::` of its own.

use std::io::Write;

use anyhow::Result;

use super::{ReportOptions, Summary};
use crate::detect::Severity;
use crate::escape::escape_control;
use crate::pipeline::Finding;

/// Writes one `::error`/`::warning` command per finding, then a notice with the summary.
pub fn write_github(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    opts: &ReportOptions,
) -> Result<()> {
    for f in findings {
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium | Severity::Low => "warning",
        };
        let mut message = format!(
            "{} ({}) found: {} — fingerprint {}.",
            f.rule_name,
            f.rule_id,
            f.display_secret(opts.show_secrets),
            f.fingerprint
        );
        let suffix = f.origin.text_suffix();
        if !suffix.is_empty() {
            message.push_str(&format!(" Seen{suffix}."));
        }
        if let Some(rotate) = &f.rotate {
            message.push_str(&format!(" Rotate it: {rotate}"));
        }
        writeln!(
            out,
            "::{level} file={},line={},endLine={},col={},title={}::{}",
            // Annotations name files from the workspace (the working directory of the job).
            escape_property(&f.origin.full_path()),
            f.line,
            f.end_line,
            f.column,
            escape_property(&format!("Secret: {}", f.rule_name)),
            escape_data(&message)
        )?;
    }
    for skip in &summary.skips {
        writeln!(
            out,
            "::warning title={}::{}",
            escape_property("ferret: not scanned fully"),
            escape_data(&format!("{}: {}", skip.subject, skip.detail))
        )?;
    }
    writeln!(
        out,
        "::notice title=ferret::{}",
        escape_data(&summary.line())
    )?;
    Ok(())
}

/// Escapes a workflow command's message as the runner documents (`%`, CR, LF, which it decodes
/// back into the annotation), after making every other control character visible.
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push_str("%0A");
        }
        for (j, part) in line.split('\r').enumerate() {
            if j > 0 {
                out.push_str("%0D");
            }
            out.push_str(&escape_control(part).replace('%', "%25"));
        }
    }
    out
}

/// Escapes a workflow command property: the message escapes plus `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner_rules() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
        assert_eq!(
            escape_property("x\n::error::y\x1b[31m"),
            "x%0A%3A%3Aerror%3A%3Ay\\x1b[31m"
        );
    }
}
