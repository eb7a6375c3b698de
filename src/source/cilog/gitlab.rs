//! GitLab CI: lists a project's jobs through the REST API and scans each job's trace.

use anyhow::{Context, Result, bail};
use reqwest::header::HeaderMap;
use serde::Deserialize;

use super::format::LogFormat;
use super::log::{Dedup, LogState, scan_log};
use crate::pipeline::CiLogOrigin;
use crate::pipeline::{Sink, Skip};
use crate::source::api::{
    ApiClient, ApiOptions, at_or_after, check_since, header, next_page, read_limited,
};
use crate::uri::encode_component as encode;

/// Default `--api-url`.
pub const DEFAULT_API_URL: &str = "https://gitlab.com/api/v4";

/// Options for `ferret scan gitlab-ci`.
#[derive(Debug, Clone)]
pub struct GitlabOptions {
    /// Numeric project id or GROUP/PROJECT path.
    pub project: String,
    /// Scan only these jobs.
    pub jobs: Vec<u64>,
    /// Only jobs of this pipeline.
    pub pipeline: Option<u64>,
    /// Only jobs that ran for this branch or tag.
    pub branch: Option<String>,
    /// Only jobs created at or after this date.
    pub since: Option<String>,
    /// At most this many jobs, newest first.
    pub max_jobs: usize,
    /// Where the API is and how to authenticate to it.
    pub api: ApiOptions,
}

/// The fields of a job ferret uses.
#[derive(Debug, Deserialize)]
struct Job {
    id: u64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "ref")]
    git_ref: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    web_url: Option<String>,
    #[serde(default)]
    pipeline: Option<Pipeline>,
}

#[derive(Debug, Deserialize)]
struct Pipeline {
    id: u64,
}

/// Scans the traces of the selected jobs of `opts.project`.
pub fn scan<S: Sink>(opts: &GitlabOptions, sink: &S) -> Result<()> {
    if opts.project.trim().is_empty() {
        bail!("no GitLab project given");
    }
    if let Some(since) = &opts.since {
        check_since(since)?;
    }
    let mut headers = HeaderMap::new();
    if let Some(token) = &opts.api.token {
        let (k, v) = header("private-token", token)?;
        headers.insert(k, v);
    }
    let client = ApiClient::new(&opts.api.url, headers, opts.api.max_wait)?;
    let project_path = format!("projects/{}", encode(&opts.project));

    let jobs = if opts.jobs.is_empty() {
        list_jobs(&client, &project_path, opts)?
    } else {
        let mut jobs = Vec::new();
        for id in &opts.jobs {
            let url = client.url(&format!("{project_path}/jobs/{id}"))?;
            match client
                .get(&url)
                .and_then(|r| r.json::<Job>().context("bad job JSON"))
            {
                Ok(job) => jobs.push(job),
                Err(e) => sink
                    .stats()
                    .error(job_subject(&opts.project, *id), format!("{e:#}")),
            }
        }
        jobs
    };
    let mut state = LogState::<S>::default();
    for job in jobs {
        if let Err(e) = scan_job(&client, &project_path, opts, &job, sink, &mut state) {
            sink.stats()
                .error(job_subject(&opts.project, job.id), format!("{e:#}"));
        }
    }
    Ok(())
}

fn job_subject(project: &str, id: u64) -> String {
    format!("gitlab-ci:{project} job {id}")
}

/// The jobs to scan, newest first, following `x-next-page` or `Link: rel="next"`.
fn list_jobs(client: &ApiClient, project_path: &str, opts: &GitlabOptions) -> Result<Vec<Job>> {
    let path = match opts.pipeline {
        Some(p) => format!("{project_path}/pipelines/{p}/jobs"),
        None => format!("{project_path}/jobs"),
    };
    let first = client.url(&path)?;
    let per_page = opts.max_jobs.clamp(1, 100).to_string();
    let page_url = |page: &str| {
        let mut url = first.clone();
        url.query_pairs_mut()
            .append_pair("per_page", &per_page)
            .append_pair("page", page);
        url
    };
    let mut jobs = Vec::new();
    let mut next = Some(page_url("1"));
    while let Some(url) = next.take() {
        let response = client.get(&url)?;
        let following = next_page(client, &response, &page_url)?;
        let page: Vec<Job> = response
            .json()
            .with_context(|| format!("bad jobs JSON from {url}"))?;
        let page_len = page.len();
        let mut older_than_since = false;
        for job in page {
            let branch_ok = opts
                .branch
                .as_ref()
                .is_none_or(|b| job.git_ref.as_deref() == Some(b));
            let date_ok = match (&opts.since, &job.created_at) {
                (Some(since), Some(created)) => at_or_after(created, since),
                _ => true,
            };
            older_than_since |= !date_ok;
            if branch_ok && date_ok && jobs.len() < opts.max_jobs {
                jobs.push(job);
            }
        }
        // Jobs come newest first: once a page reaches past --since, later pages are older still.
        if jobs.len() >= opts.max_jobs || page_len == 0 || older_than_since {
            break;
        }
        next = following;
    }
    Ok(jobs)
}

/// Downloads one job's trace and scans it.
fn scan_job<S: Sink>(
    client: &ApiClient,
    project_path: &str,
    opts: &GitlabOptions,
    job: &Job,
    sink: &S,
    state: &mut LogState<S>,
) -> Result<()> {
    let url = client.url(&format!("{project_path}/jobs/{}/trace", job.id))?;
    let response = client.get(&url)?;
    let Some(trace) = read_limited(response, sink.max_blob_size())? else {
        let subject = format!("gitlab-ci:{}/jobs/{}", opts.project, job.id);
        let skip = Skip::too_large(subject, None, sink.max_blob_size());
        sink.stats().skip(skip);
        return Ok(());
    };
    let template = CiLogOrigin {
        path: format!("gitlab-ci:{}/jobs/{}", opts.project, job.id),
        provider: LogFormat::GitlabCi.provider().to_string(),
        repository: Some(opts.project.clone()),
        run: job.pipeline.as_ref().map(|p| p.id.to_string()),
        job: Some(job.name.clone().unwrap_or_else(|| job.id.to_string())),
        step: None,
        url: job.web_url.clone(),
    };
    scan_log(
        &trace,
        Some(LogFormat::GitlabCi),
        &template,
        sink,
        state,
        Dedup::None,
    );
    Ok(())
}
