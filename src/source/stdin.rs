//! Standard input as a source.

use std::io::Read;
use std::sync::Arc;

use anyhow::Result;

use super::Origin;
use crate::scan::Scanner;

/// Scans standard input as one blob named `name`.
pub fn scan_stdin(scanner: &Scanner, name: &str) -> Result<()> {
    let origin = Arc::new(Origin::Stdin {
        path: name.to_string(),
    });
    let stdin = std::io::stdin();
    let reader: Box<dyn Read> = Box::new(stdin.lock());
    scanner.scan_reader(reader, origin, &mut Default::default())
}
