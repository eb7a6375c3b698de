//! The repositories of a GitHub organisation, or of a user when no organisation has the name:
//! `GET /orgs/{org}/repos`, else `GET /users/{user}/repos`, 100 a page, following
//! `Link: rel="next"` on the API's own host.

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::{Listing, OrgRepository};
use crate::source::api::{ApiClient, ApiOptions, StatusError, github_headers, next_link};

/// Default `--api-url`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The fields of a repository ferret uses.
#[derive(Debug, Deserialize)]
struct Repo {
    full_name: String,
    clone_url: String,
    #[serde(default)]
    fork: bool,
    #[serde(default)]
    archived: bool,
}

/// Every repository of the organisation or user `owner`, with checked clone URLs.
pub fn list(owner: &str, api: &ApiOptions) -> Result<Listing> {
    if owner.is_empty() || owner.contains(['/', '?', '#']) || owner.chars().any(char::is_control) {
        bail!("{owner:?} is not a GitHub organisation or user name");
    }
    let headers = github_headers(api.token.as_deref())?;
    let client = ApiClient::new(&api.url, headers, api.max_wait)?;
    match list_pages(
        &client,
        &format!("orgs/{owner}/repos?type=all&per_page=100"),
    ) {
        Err(e) if is_not_found(&e) => list_pages(
            &client,
            &format!("users/{owner}/repos?type=owner&per_page=100"),
        )
        .with_context(|| format!("no GitHub organisation or user {owner:?}")),
        listed => listed,
    }
}

fn is_not_found(e: &anyhow::Error) -> bool {
    e.downcast_ref::<StatusError>()
        .is_some_and(|s| s.status == 404)
}

fn list_pages(client: &ApiClient, first: &str) -> Result<Listing> {
    let api_base = client.url("")?;
    let mut listing = Listing::default();
    let mut next = Some(client.url(first)?);
    while let Some(url) = next.take() {
        let response = client.get(&url)?;
        if let Some(link) = next_link(&response) {
            let link =
                reqwest::Url::parse(&link).with_context(|| format!("bad Link URL {link:?}"))?;
            client.check_same_origin(&link)?;
            next = Some(link);
        }
        let page: Vec<Repo> = response
            .json()
            .with_context(|| format!("bad repositories JSON from {url}"))?;
        for repo in page {
            listing.push_checked(
                OrgRepository {
                    name: repo.full_name,
                    clone_url: repo.clone_url,
                    fork: repo.fork,
                    archived: repo.archived,
                },
                &api_base,
            );
        }
    }
    Ok(listing)
}
