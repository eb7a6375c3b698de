//! Standard input as a source.

use std::io::Read;
use std::sync::Arc;

use anyhow::Result;

use crate::pipeline::Origin;
use crate::pipeline::Sink;

/// Scans standard input as one blob named `name`.
pub fn scan_stdin<S: Sink>(sink: &S, name: &str) -> Result<()> {
    let origin = Arc::new(Origin::Stdin {
        path: name.to_string(),
    });
    let stdin = std::io::stdin();
    let reader: Box<dyn Read> = Box::new(stdin.lock());
    sink.scan_reader(reader, origin, &mut Default::default())
}
