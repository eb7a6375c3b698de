//! GitHub Actions: lists a repository's workflow runs through the REST API, downloads each run's
//! logs ZIP (the API answers 302 to a storage host, which never sees the token) and scans it.

use std::io::{Seek, SeekFrom};

use anyhow::{Context, Result, bail};
use reqwest::Url;
use serde::Deserialize;

use super::format::LogFormat;
use super::log::LogState;
use super::runzip::scan_run_zip;
use crate::pipeline::CiLogOrigin;
use crate::pipeline::Sink;
use crate::source::api::{
    ApiClient, ApiOptions, at_or_after, check_since, github_headers, next_link,
};

/// Default `--api-url`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Options for `ferret scan github-actions`.
#[derive(Debug, Clone)]
pub struct GithubOptions {
    /// OWNER/REPO.
    pub repo: String,
    /// Scan only these runs.
    pub runs: Vec<u64>,
    /// Only runs of this workflow (file name such as `ci.yml`, or numeric id).
    pub workflow: Option<String>,
    /// Only runs on this branch.
    pub branch: Option<String>,
    /// Only runs created at or after this date.
    pub since: Option<String>,
    /// At most this many runs, newest first.
    pub max_runs: usize,
    /// Where the API is and how to authenticate to it.
    pub api: ApiOptions,
}

/// The fields of a workflow run ferret uses.
#[derive(Debug, Deserialize)]
struct Run {
    id: u64,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    head_branch: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RunPage {
    #[serde(default)]
    workflow_runs: Vec<Run>,
}

/// Scans the logs of the selected runs of `opts.repo`.
pub fn scan<S: Sink>(opts: &GithubOptions, sink: &S) -> Result<()> {
    let Some((owner, name)) = opts.repo.split_once('/') else {
        bail!("repository {:?} is not OWNER/REPO", opts.repo);
    };
    if owner.is_empty() || name.is_empty() || name.contains('/') {
        bail!("repository {:?} is not OWNER/REPO", opts.repo);
    }
    if let Some(since) = &opts.since {
        check_since(since)?;
    }
    let token = opts
        .api
        .token
        .as_deref()
        .context("GitHub run logs can only be downloaded with a token")?;
    let headers = github_headers(Some(token))?;
    let client = ApiClient::new(&opts.api.url, headers, opts.api.max_wait)?;
    let repo_path = format!("repos/{owner}/{name}");

    let runs = if opts.runs.is_empty() {
        list_runs(&client, &repo_path, opts)?
    } else {
        let mut runs = Vec::new();
        for id in &opts.runs {
            let url = client.url(&format!("{repo_path}/actions/runs/{id}"))?;
            match client
                .get(&url)
                .and_then(|r| r.json::<Run>().context("bad run JSON"))
            {
                Ok(run) => runs.push(run),
                Err(e) => sink
                    .stats()
                    .error(run_subject(&opts.repo, *id), format!("{e:#}")),
            }
        }
        runs
    };
    let mut state = LogState::<S>::default();
    for run in runs {
        if let Err(e) = scan_run(&client, &repo_path, opts, &run, sink, &mut state) {
            sink.stats()
                .error(run_subject(&opts.repo, run.id), format!("{e:#}"));
        }
    }
    Ok(())
}

fn run_subject(repo: &str, id: u64) -> String {
    format!("github-actions:{repo} run {id}")
}

/// The runs to scan, newest first, following `Link: rel="next"` pages.
fn list_runs(client: &ApiClient, repo_path: &str, opts: &GithubOptions) -> Result<Vec<Run>> {
    let path = match &opts.workflow {
        Some(wf) => format!(
            "{repo_path}/actions/workflows/{}/runs",
            crate::uri::encode_component(wf)
        ),
        None => format!("{repo_path}/actions/runs"),
    };
    let mut url = client.url(&path)?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("per_page", &opts.max_runs.clamp(1, 100).to_string());
        if let Some(branch) = &opts.branch {
            query.append_pair("branch", branch);
        }
        if let Some(since) = &opts.since {
            query.append_pair("created", &format!(">={since}"));
        }
    }
    let mut runs = Vec::new();
    let mut next = Some(url);
    while let Some(url) = next.take() {
        let response = client.get(&url)?;
        let link = next_link(&response);
        let page: RunPage = response
            .json()
            .with_context(|| format!("bad workflow runs JSON from {url}"))?;
        let page_len = page.workflow_runs.len();
        for run in page.workflow_runs {
            let branch_ok = opts
                .branch
                .as_ref()
                .is_none_or(|b| run.head_branch.as_deref() == Some(b));
            let date_ok = match (&opts.since, &run.created_at) {
                (Some(since), Some(created)) => at_or_after(created, since),
                _ => true,
            };
            if branch_ok && date_ok && runs.len() < opts.max_runs {
                runs.push(run);
            }
        }
        if runs.len() >= opts.max_runs || page_len == 0 {
            break;
        }
        if let Some(link) = link {
            let link = Url::parse(&link).with_context(|| format!("bad Link URL {link:?}"))?;
            client.check_same_origin(&link)?;
            next = Some(link);
        }
    }
    Ok(runs)
}

/// Downloads one run's logs ZIP to a temporary file and scans it.
fn scan_run<S: Sink>(
    client: &ApiClient,
    repo_path: &str,
    opts: &GithubOptions,
    run: &Run,
    sink: &S,
    state: &mut LogState<S>,
) -> Result<()> {
    let url = client.url(&format!("{repo_path}/actions/runs/{}/logs", run.id))?;
    let mut response = client.get(&url)?;
    let mut file = tempfile::tempfile().context("cannot create a temporary file")?;
    response
        .copy_to(&mut file)
        .context("cannot download the logs archive")?;
    file.seek(SeekFrom::Start(0))
        .context("cannot rewind the logs archive")?;
    let template = CiLogOrigin {
        provider: LogFormat::GithubActions.provider().to_string(),
        repository: Some(opts.repo.clone()),
        run: Some(run.id.to_string()),
        url: run.html_url.clone(),
        ..CiLogOrigin::default()
    };
    let prefix = format!("github-actions:{}/runs/{}/", opts.repo, run.id);
    scan_run_zip(file, &template, &prefix, sink, state)
}
