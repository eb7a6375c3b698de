//! Combines reports read back from files (see [`super::read`]) into one: the findings of every
//! input, each place once, sorted as a scan sorts them, with one summary. Shards of one scan
//! split across machines (a CI matrix, a Kubernetes Indexed Job) merge into the report the
//! unsplit scan would have written.

use std::collections::HashSet;

use super::Summary;
use super::read::ReadReport;
use crate::pipeline::{Finding, Origin};

/// What makes two findings the same: one secret (fingerprint) at one place (the whole origin,
/// commit and layer included, and the position in it). A file's root is part of its origin, so
/// `.env` in two scanned trees stays two places.
type PlaceKey = (String, Origin, usize, usize);

fn place_key(f: &Finding) -> PlaceKey {
    (f.fingerprint.clone(), (*f.origin).clone(), f.line, f.column)
}

/// Merges `reports` (each with the name it was read from, for the summary) into sorted,
/// deduplicated findings and their summary.
pub fn merge_reports(reports: Vec<(String, ReadReport)>) -> (Vec<Finding>, Summary) {
    let mut summary = Summary::default();
    let mut seen: HashSet<PlaceKey> = HashSet::new();
    let mut seen_skips = HashSet::new();
    let mut findings = Vec::new();
    for (name, report) in reports {
        summary.inputs.push(name);
        summary.blobs += report.blobs;
        summary.bytes += report.bytes;
        for f in report.findings {
            if seen.insert(place_key(&f)) {
                findings.push(f);
            }
        }
        for skip in report.skips {
            if seen_skips.insert((skip.subject.clone(), skip.reason, skip.detail.clone())) {
                summary.skips.push(skip);
            }
        }
        summary.errors.extend(report.errors);
    }
    // As a scan sorts; the full path breaks ties between trees scanned apart.
    findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.origin.full_path().cmp(&b.origin.full_path()))
    });
    summary
        .skips
        .sort_by(|a, b| (&a.subject, a.reason).cmp(&(&b.subject, b.reason)));
    summary.findings = findings.len();
    summary.distinct_secrets = findings
        .iter()
        .map(|f| &f.fingerprint)
        .collect::<HashSet<_>>()
        .len();
    (findings, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::read::read_report;

    const LINE: &str = r#"{"rule_id":"r","rule_name":"R","severity":"high","path":"b","line":1,"column":1,"end_line":1,"secret":"*****","redacted":true,"fingerprint":"fp2_0123456789abcdef0123456789abcdef","confidence":"high","origin":{"kind":"file","path":"b"},"root":"/t/"}"#;

    #[test]
    fn a_place_is_reported_once_however_often_it_is_merged() {
        let other_root = LINE.replace("/t/", "/u/");
        let read = |text: &str| read_report("x.jsonl", text).unwrap();
        let (findings, summary) = merge_reports(vec![
            ("a".into(), read(LINE)),
            ("b".into(), read(&format!("{LINE}\n{other_root}"))),
        ]);
        assert_eq!(
            findings.len(),
            2,
            "same place once, the other tree's file kept"
        );
        assert_eq!((summary.findings, summary.distinct_secrets), (2, 1));
        assert_eq!(summary.inputs, ["a", "b"]);
    }
}
