//! The GitHub Actions run-logs ZIP: `<n>_<job>.txt` whole-job logs and `<job>/<n>_<step>.txt`
//! step logs. Step logs are scanned first so a secret they hold is not reported again from the
//! whole-job log.

use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Seek};

use anyhow::{Context, Result};

use super::format::LogFormat;
use super::log::{Dedup, LogState, scan_log};
use crate::pipeline::CiLogOrigin;
use crate::pipeline::{Sink, Skip};

/// What a ZIP member is, from its name.
#[derive(Debug, PartialEq, Eq)]
enum Member {
    /// `<n>_<job>.txt`
    Job(String),
    /// `<job>/<n>_<step>.txt`
    Step { job: String, step: String },
    /// Anything else (`<job>/system.txt`, unknown layouts).
    Other,
}

/// `build (ubuntu-latest, 3.11)` from `0_build (ubuntu-latest, 3.11).txt`.
fn strip_order(file: &str) -> Option<&str> {
    let stem = file.strip_suffix(".txt")?;
    let (digits, name) = stem.split_once('_')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty())
        .then_some(name)
}

fn classify(name: &str) -> Member {
    match name.split_once('/') {
        None => strip_order(name).map_or(Member::Other, |job| Member::Job(job.to_string())),
        Some((job, file)) if !file.contains('/') => match strip_order(file) {
            Some(step) => Member::Step {
                job: job.to_string(),
                step: step.to_string(),
            },
            None => Member::Other,
        },
        Some(_) => Member::Other,
    }
}

/// Per-job members: the whole-job log and the step logs.
#[derive(Default)]
struct JobMembers {
    job_file: Option<usize>,
    steps: Vec<(usize, String)>,
}

/// Scans every log in a run-logs ZIP. Members are named `{path_prefix}{member}` in reports.
pub fn scan_run_zip<R: Read + Seek, S: Sink>(
    reader: R,
    template: &CiLogOrigin,
    path_prefix: &str,
    sink: &S,
    state: &mut LogState<S>,
) -> Result<()> {
    let mut archive = zip::ZipArchive::new(reader).context("not a ZIP archive")?;
    let mut jobs: BTreeMap<String, JobMembers> = BTreeMap::new();
    let mut others = Vec::new();
    for index in 0..archive.len() {
        let Some(Ok(name)) = archive.name_for_index(index) else {
            sink.stats().error(
                format!("{path_prefix}#{index}"),
                "ZIP member name is not valid",
            );
            continue;
        };
        if name.ends_with('/') {
            continue;
        }
        match classify(&name) {
            Member::Job(job) => jobs.entry(job).or_default().job_file = Some(index),
            Member::Step { job, step } => jobs.entry(job).or_default().steps.push((index, step)),
            Member::Other => others.push(index),
        }
    }
    let format = (template.provider == LogFormat::GithubActions.provider())
        .then_some(LogFormat::GithubActions);
    for (job, members) in &jobs {
        let mut seen = HashSet::new();
        for (index, step) in &members.steps {
            let origin = CiLogOrigin {
                job: Some(job.clone()),
                step: Some(step.clone()),
                ..template.clone()
            };
            let dedup = Dedup::Record(&mut seen);
            scan_member(
                &mut archive,
                *index,
                origin,
                path_prefix,
                format,
                sink,
                state,
                dedup,
            );
        }
        if let Some(index) = members.job_file {
            let origin = CiLogOrigin {
                job: Some(job.clone()),
                ..template.clone()
            };
            let dedup = Dedup::Skip(&seen);
            scan_member(
                &mut archive,
                index,
                origin,
                path_prefix,
                format,
                sink,
                state,
                dedup,
            );
        }
    }
    for index in others {
        let origin = template.clone();
        scan_member(
            &mut archive,
            index,
            origin,
            path_prefix,
            format,
            sink,
            state,
            Dedup::None,
        );
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn scan_member<R: Read + Seek, S: Sink>(
    archive: &mut zip::ZipArchive<R>,
    index: usize,
    mut origin: CiLogOrigin,
    path_prefix: &str,
    format: Option<LogFormat>,
    sink: &S,
    state: &mut LogState<S>,
    dedup: Dedup<'_>,
) {
    let mut file = match archive.by_index(index) {
        Ok(file) => file,
        Err(e) => {
            sink.stats().error(
                format!("{path_prefix}#{index}"),
                format!("cannot open ZIP member: {e}"),
            );
            return;
        }
    };
    let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
    origin.path = format!("{path_prefix}{name}");
    // The declared size may lie (a ZIP bomb); reading is bounded whatever it says.
    if file.size() > sink.max_blob_size() {
        let skip = Skip::too_large(origin.path.clone(), Some(file.size()), sink.max_blob_size());
        sink.stats().skip(skip);
        return;
    }
    let mut data = Vec::new();
    let limit = sink.max_blob_size().saturating_add(1);
    if let Err(e) = file.by_ref().take(limit).read_to_end(&mut data) {
        sink.stats()
            .error(origin.path, format!("cannot read ZIP member: {e}"));
        return;
    }
    if data.len() as u64 > sink.max_blob_size() {
        // The declared size was a lie: reading stopped one byte past the limit.
        let skip = Skip::too_large(origin.path.clone(), None, sink.max_blob_size());
        sink.stats().skip(skip);
        return;
    }
    scan_log(&data, format, &origin, sink, state, dedup);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_with_spaces_and_parentheses() {
        assert_eq!(
            classify("0_build (ubuntu-latest, 3.11).txt"),
            Member::Job("build (ubuntu-latest, 3.11)".into())
        );
        assert_eq!(
            classify("build (ubuntu-latest, 3.11)/12_Run tests (unit).txt"),
            Member::Step {
                job: "build (ubuntu-latest, 3.11)".into(),
                step: "Run tests (unit)".into()
            }
        );
        assert_eq!(classify("build/system.txt"), Member::Other);
        assert_eq!(classify("notes.md"), Member::Other);
    }
}
