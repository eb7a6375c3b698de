//! `--format baseline`: the file `--baseline` reads. Secrets are never written to it, only their
//! fingerprints and where they were, so it can be committed.

use std::io::Write;

use anyhow::Result;
use serde_json::json;

use crate::pipeline::Finding;

/// Version of the baseline file layout.
pub const BASELINE_VERSION: u32 = 1;

/// Writes a baseline: one entry per distinct (fingerprint, path), with the rule and first line.
pub fn write_baseline(out: &mut dyn Write, findings: &[Finding]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    let entries: Vec<_> = findings
        .iter()
        .filter(|f| seen.insert((f.fingerprint.as_str(), f.path())))
        .map(|f| {
            json!({
                "fingerprint": f.fingerprint,
                "rule_id": &*f.rule_id,
                "path": f.path(),
                "line": f.line,
                "secret": f.display_secret(false),
            })
        })
        .collect();
    let doc = json!({
        "ferret_baseline": BASELINE_VERSION,
        "tool_version": env!("CARGO_PKG_VERSION"),
        "findings": entries,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}
