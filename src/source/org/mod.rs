//! Organisation listings: every repository of a GitHub organisation or user, or of a GitLab group
//! and its subgroups, through the providers' REST APIs. The listing only says what to clone; the
//! clone URLs come from an API answer, so each is checked against the API's own host before it
//! is used (a hostile or compromised listing must not point ferret at a local path or another
//! server).

pub mod github;
pub mod gitlab;

use anyhow::{Result, bail};
use globset::{Glob, GlobSet, GlobSetBuilder};
use reqwest::Url;

/// One repository of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRepository {
    /// Its full name (`org/repo`, `group/subgroup/project`).
    pub name: String,
    /// Where to clone it from, checked by [`check_clone_url`].
    pub clone_url: String,
    /// A fork of another repository.
    pub fork: bool,
    /// Archived (read-only).
    pub archived: bool,
}

/// What a listing gave: the repositories, and those refused by name with the reason (a clone
/// URL that is not on the API's host). A refused repository is an error of the scan, not a
/// reason to stop listing the others.
#[derive(Debug, Default)]
pub struct Listing {
    /// Repositories with checked clone URLs.
    pub repos: Vec<OrgRepository>,
    /// `(name, reason)` of each repository that cannot be cloned as listed.
    pub refused: Vec<(String, String)>,
}

impl Listing {
    /// Adds `repo` if its clone URL passes [`check_clone_url`], else records why not.
    fn push_checked(&mut self, repo: OrgRepository, api: &Url) {
        match check_clone_url(&repo.clone_url, api) {
            Ok(()) => self.repos.push(repo),
            Err(e) => self.refused.push((repo.name, format!("{e:#}"))),
        }
    }
}

/// Which repositories of a listing to scan.
#[derive(Debug, Clone, Default)]
pub struct RepoSelection {
    /// Scan forks too.
    pub forks: bool,
    /// Scan archived repositories too.
    pub archived: bool,
    /// Only names matching one of these globs (all when empty).
    pub include: Vec<String>,
    /// Leave out names matching one of these globs.
    pub exclude: Vec<String>,
}

impl RepoSelection {
    /// The repositories of `listed` this selection takes, in name order, and how many it left
    /// out.
    pub fn apply(&self, mut listed: Vec<OrgRepository>) -> Result<(Vec<OrgRepository>, usize)> {
        let include = glob_set(&self.include, "--include")?;
        let exclude = glob_set(&self.exclude, "--exclude")?;
        let before = listed.len();
        listed.retain(|r| {
            (self.forks || !r.fork)
                && (self.archived || !r.archived)
                && (self.include.is_empty() || include.is_match(&r.name))
                && !exclude.is_match(&r.name)
        });
        listed.sort_by(|a, b| a.name.cmp(&b.name));
        listed.dedup_by(|a, b| a.name == b.name);
        let left_out = before - listed.len();
        Ok((listed, left_out))
    }
}

fn glob_set(globs: &[String], flag: &str) -> Result<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for g in globs {
        match Glob::new(g) {
            Ok(glob) => {
                set.add(glob);
            }
            Err(e) => bail!("{flag} {g:?}: {e}"),
        }
    }
    Ok(set.build()?)
}

/// Fails unless `clone_url`, from an API answer, is a network URL on the API's own host: https
/// or ssh, or (only when the API itself is on a loopback address, as in tests and local mirrors)
/// git:// and http://. The port may differ (a git daemon beside the API). Never a local path or
/// `file://`: a listing must not make ferret read this machine's files.
pub fn check_clone_url(clone_url: &str, api: &Url) -> Result<()> {
    let Ok(url) = Url::parse(clone_url) else {
        bail!("clone URL {clone_url:?} is not a URL");
    };
    let api_host = api.host_str().unwrap_or_default();
    let loopback = matches!(api_host, "127.0.0.1" | "localhost" | "[::1]" | "::1");
    let scheme_ok = match url.scheme() {
        "https" | "ssh" => true,
        "http" | "git" => loopback,
        _ => false,
    };
    if !scheme_ok {
        bail!(
            "clone URL {} has scheme {:?}, which ferret does not clone from an API listing",
            crate::redact_url::redact_urls_in(clone_url),
            url.scheme()
        );
    }
    let host = url.host_str().unwrap_or_default();
    // api.github.com lists github.com clone URLs; a GitHub Enterprise or GitLab API is on the
    // same host as its repositories.
    let expected = api_host
        .strip_prefix("api.")
        .filter(|_| api_host == "api.github.com");
    if host != api_host && Some(host) != expected {
        bail!(
            "clone URL {} is not on the API's host {api_host}",
            crate::redact_url::redact_urls_in(clone_url)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(name: &str, fork: bool, archived: bool) -> OrgRepository {
        OrgRepository {
            name: name.into(),
            clone_url: format!("https://git.example/{name}.git"),
            fork,
            archived,
        }
    }

    #[test]
    fn forks_and_archived_repositories_are_left_out_unless_asked_and_globs_select_names() {
        let listed = vec![
            repo("org/web", false, false),
            repo("org/api", false, false),
            repo("org/old", false, true),
            repo("org/fork", true, false),
            repo("org/web-docs", false, false),
        ];
        let (taken, out) = RepoSelection::default().apply(listed.clone()).unwrap();
        let names: Vec<_> = taken.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["org/api", "org/web", "org/web-docs"]);
        assert_eq!(out, 2);
        let all = RepoSelection {
            forks: true,
            archived: true,
            include: vec!["org/web*".into(), "org/old".into()],
            exclude: vec!["*-docs".into()],
        };
        let (taken, _) = all.apply(listed).unwrap();
        let names: Vec<_> = taken.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["org/old", "org/web"]);
        let bad = RepoSelection {
            include: vec!["org/[".into()],
            ..Default::default()
        };
        assert!(
            bad.apply(vec![])
                .unwrap_err()
                .to_string()
                .contains("--include")
        );
    }

    #[test]
    fn clone_urls_must_be_on_the_api_host_and_never_local() {
        let github = Url::parse("https://api.github.com/").unwrap();
        assert!(check_clone_url("https://github.com/org/app.git", &github).is_ok());
        assert!(check_clone_url("ssh://git@github.com/org/app.git", &github).is_ok());
        for bad in [
            "file:///etc/passwd",
            "/home/user/repo",
            "https://evil.example/org/app.git",
            "git://github.com/org/app.git",
            "http://github.com/org/app.git",
        ] {
            assert!(check_clone_url(bad, &github).is_err(), "{bad}");
        }
        let gitlab = Url::parse("https://gitlab.example.com/api/v4/").unwrap();
        assert!(check_clone_url("https://gitlab.example.com/g/p.git", &gitlab).is_ok());
        assert!(check_clone_url("https://gitlab.com/g/p.git", &gitlab).is_err());
        let local = Url::parse("http://127.0.0.1:8080/api/").unwrap();
        assert!(check_clone_url("git://127.0.0.1:9418/org/app.git", &local).is_ok());
        assert!(check_clone_url("file:///srv/org/app.git", &local).is_err());
    }
}
