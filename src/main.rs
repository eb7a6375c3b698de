//! The `ferret` binary: parse arguments, run, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ferret::cli::Cli::parse();
    let findings_status = cli.command.findings_exit_status();
    match ferret::app::run(cli) {
        Ok(ferret::app::Outcome::Findings) => ExitCode::from(findings_status),
        Ok(outcome) => ExitCode::from(outcome as u8),
        // The reader went away (`ferret ... | head`): nothing left to say to it, and no error to
        // report. Output is only cut short when there was something to print, so the run counts
        // as one with findings: a gate behind `set -o pipefail` must not pass by closing the pipe.
        Err(err) if is_broken_pipe(&err) => ExitCode::from(findings_status),
        Err(err) => {
            // The chain may quote a URL with a token in it, or a file name made to forge output.
            let message = ferret::redact_url::redact_urls_in(&format!("{err:#}")).into_owned();
            eprintln!(
                "ferret: error: {}",
                ferret::escape::escape_control(&message)
            );
            ExitCode::from(ferret::app::Outcome::Error as u8)
        }
    }
}

/// Whether `err` was caused by writing to a closed pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|json| json.io_error_kind() == Some(BrokenPipe))
    })
}
