//! The projects of a GitLab group and all its subgroups: `GET /groups/{id}/projects` with
//! `include_subgroups=true`, 100 a page, following `x-next-page` (or `Link: rel="next"`).

use anyhow::{Context, Result, bail};
use reqwest::header::HeaderMap;
use serde::Deserialize;

use super::{Listing, OrgRepository};
use crate::source::api::{ApiClient, ApiOptions, header, next_page};
use crate::uri::encode_component as encode;

/// Default `--api-url`.
pub const DEFAULT_API_URL: &str = "https://gitlab.com/api/v4";

/// The fields of a project ferret uses.
#[derive(Debug, Deserialize)]
struct Project {
    path_with_namespace: String,
    http_url_to_repo: String,
    #[serde(default)]
    archived: bool,
    /// Present (an object) only on forks.
    #[serde(default)]
    forked_from_project: Option<serde_json::Value>,
}

/// Every project of `group` (numeric id or full path) and its subgroups.
pub fn list(group: &str, api: &ApiOptions) -> Result<Listing> {
    if group.trim().is_empty() || group.chars().any(char::is_control) {
        bail!("{group:?} is not a GitLab group");
    }
    let mut headers = HeaderMap::new();
    if let Some(token) = &api.token {
        let (k, v) = header("private-token", token)?;
        headers.insert(k, v);
    }
    let client = ApiClient::new(&api.url, headers, api.max_wait)?;
    let first = client.url(&format!("groups/{}/projects", encode(group)))?;
    let page_url = |page: &str| {
        let mut url = first.clone();
        url.query_pairs_mut()
            .append_pair("include_subgroups", "true")
            .append_pair("per_page", "100")
            .append_pair("page", page);
        url
    };
    let api_base = client.url("")?;
    let mut listing = Listing::default();
    let mut next = Some(page_url("1"));
    while let Some(url) = next.take() {
        let response = client
            .get(&url)
            .with_context(|| format!("cannot list the projects of GitLab group {group:?}"))?;
        next = next_page(&client, &response, &page_url)?;
        let page: Vec<Project> = response
            .json()
            .with_context(|| format!("bad projects JSON from {url}"))?;
        for p in page {
            listing.push_checked(
                OrgRepository {
                    name: p.path_with_namespace,
                    clone_url: p.http_url_to_repo,
                    fork: p.forked_from_project.is_some_and(|v| !v.is_null()),
                    archived: p.archived,
                },
                &api_base,
            );
        }
    }
    Ok(listing)
}
