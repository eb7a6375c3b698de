//! Where a report goes: standard output, or a file that appears only once it is complete.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::atomic_file::AtomicFile;

/// The report destination: standard output, or a file that appears (0600, replacing whatever
/// was at the path, a planted symlink included) only once the report is complete.
pub enum Output {
    Stdout(BufWriter<std::io::Stdout>),
    File(BufWriter<AtomicFile>),
}

impl Output {
    /// Flushes the report and, for a file, moves it into place.
    pub fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush().context("cannot write the report"),
            Output::File(out) => out
                .into_inner()
                .map_err(|e| anyhow::Error::new(e.into_error()))
                .context("cannot write the report")?
                .commit(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File(out) => out.flush(),
        }
    }
}

/// Opens the report destination: `path`, or standard output.
pub fn open_output(path: Option<&Path>) -> Result<Output> {
    Ok(match path {
        Some(path) => Output::File(BufWriter::new(
            AtomicFile::create(path)
                .with_context(|| format!("cannot create output file {}", path.display()))?,
        )),
        None => Output::Stdout(BufWriter::new(std::io::stdout())),
    })
}
