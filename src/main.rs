//! The `ferret` binary: parse arguments, run, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ferret::cli::Cli::parse();
    match ferret::app::run(cli) {
        Ok(outcome) => ExitCode::from(outcome as u8),
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
