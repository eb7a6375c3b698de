//! The `ferret` binary: parse arguments, run, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ferret::cli::Cli::parse();
    match ferret::app::run(cli) {
        Ok(outcome) => ExitCode::from(outcome as u8),
        Err(err) => {
            eprintln!("ferret: error: {err:#}");
            ExitCode::from(ferret::app::Outcome::Error as u8)
        }
    }
}
