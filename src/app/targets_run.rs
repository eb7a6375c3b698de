//! Runs over many targets: `scan targets FILE`, `scan github-org`, `scan gitlab-group`. One scan
//! run (one detector, one report) whose source is every target of the list (or of this shard),
//! `--jobs` at a time. A target that fails is reported by name and the others go on.
//!
//! The targets' own settings (a repository's `.ferret.toml`, `.ferretignore`) are not read: a
//! run over many targets is an audit of them, and a scanned repository must not be able to hide
//! its own secrets from it. `--config` and the user's config apply as for every scan.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Result, bail};

use super::{Outcome, options, run_scan};
use crate::cli::{
    ApiClientArgs, CommonArgs, GithubOrgArgs, GitlabGroupArgs, ManyTargetsArgs, OrgSelectionArgs,
    TargetsArgs,
};
use crate::config::Config;
use crate::escape::escape_control;
use crate::progress;
use crate::redact_url::redact_urls_in;
use crate::scan::Scanner;
use crate::source;
use crate::source::api::ApiOptions;
use crate::source::org::{OrgRepository, RepoSelection};
use crate::targets::{Target, TargetKind, file::read_targets};

/// `ferret scan targets FILE`.
pub fn scan_targets_file(args: &TargetsArgs) -> Result<Outcome> {
    let targets = read_targets(&args.file)?;
    let max_wait = std::time::Duration::from_secs(args.max_wait);
    let api = |url: &str, variables: &[&str]| ApiOptions {
        url: url.to_string(),
        token: options::env_token(variables),
        max_wait,
    };
    let run = TargetsRun {
        insecure_registries: args.insecure_registry.clone(),
        github: api(&args.github_api_url, &["GITHUB_TOKEN", "GH_TOKEN"]),
        gitlab: api(&args.gitlab_api_url, &["GITLAB_TOKEN"]),
        // A list's URLs are the user's own; no listing token is in play.
        clone_token: None,
        refused: Vec::new(),
    };
    run.scan(&args.common, &args.many, targets)
}

/// `ferret scan github-org ORG`.
pub fn scan_github_org(args: &GithubOrgArgs) -> Result<Outcome> {
    let api = api_options(&args.api_url, &args.api, &["GITHUB_TOKEN", "GH_TOKEN"])?;
    let listing = source::org::github::list(&args.org, &api)?;
    scan_org(
        Provider::Github,
        api,
        listing,
        &args.selection,
        &args.many,
        &args.common,
    )
}

/// `ferret scan gitlab-group GROUP`.
pub fn scan_gitlab_group(args: &GitlabGroupArgs) -> Result<Outcome> {
    let api = api_options(&args.api_url, &args.api, &["GITLAB_TOKEN"])?;
    let listing = source::org::gitlab::list(&args.group, &api)?;
    scan_org(
        Provider::Gitlab,
        api,
        listing,
        &args.selection,
        &args.many,
        &args.common,
    )
}

/// Whose listing an organisation scan runs over.
#[derive(Clone, Copy)]
enum Provider {
    Github,
    Gitlab,
}

/// Scans the repositories of `listing`, which `api` of `provider` gave: their histories, and
/// with `--ci-logs` their CI logs through the same API.
fn scan_org(
    provider: Provider,
    api: ApiOptions,
    listing: source::org::Listing,
    selection: &OrgSelectionArgs,
    many: &ManyTargetsArgs,
    common: &CommonArgs,
) -> Result<Outcome> {
    // The user names the providers document for a token used as an https password.
    let (token_user, logs) = match provider {
        Provider::Github => ("x-access-token", TargetKind::GithubActions),
        Provider::Gitlab => ("oauth2", TargetKind::GitlabCi),
    };
    let clone_token = CloneToken::for_api(&api, token_user);
    let (github, gitlab) = match provider {
        Provider::Github => (api, default_api(source::org::gitlab::DEFAULT_API_URL)),
        Provider::Gitlab => (default_api(source::org::github::DEFAULT_API_URL), api),
    };
    let run = TargetsRun {
        clone_token,
        github,
        gitlab,
        insecure_registries: Vec::new(),
        refused: listing.refused,
    };
    let logs = selection.ci_logs.then_some(logs);
    run.scan_listing(listing.repos, selection, logs, many, common)
}

/// The options of a provider's API that a run does not use.
fn default_api(url: &str) -> ApiOptions {
    ApiOptions {
        url: url.to_string(),
        token: None,
        max_wait: std::time::Duration::from_secs(300),
    }
}

/// The API options of an organisation listing. The token is optional (public organisations
/// list without one) and goes to the API host only: clones are anonymous, so a listing can never
/// make ferret send it anywhere else.
fn api_options(url: &str, args: &ApiClientArgs, variables: &[&str]) -> Result<ApiOptions> {
    let token = if args.token_stdin {
        Some(options::read_token_stdin()?)
    } else {
        options::env_token(variables)
    };
    Ok(options::api_options(url, token, args))
}

/// A token that may answer a clone's request for credentials, on one host only.
struct CloneToken {
    /// The host (no port) the API listed the repositories on.
    host: String,
    /// The API's port: a clone on another port of the same host is another service, which gets
    /// no token (except on this machine, where a test's git server sits beside its API).
    port: Option<u16>,
    /// The user name the provider documents for tokens over https.
    username: &'static str,
    token: String,
}

impl CloneToken {
    /// The listing token of `api` for clones from its repositories' host: github.com for
    /// api.github.com, else the API's own host (GitHub Enterprise, GitLab).
    fn for_api(api: &ApiOptions, username: &'static str) -> Option<Self> {
        let token = api.token.clone()?;
        let url = reqwest::Url::parse(&api.url).ok()?;
        let host = match url.host_str()? {
            "api.github.com" => "github.com",
            other => other,
        };
        Some(CloneToken {
            host: host.to_string(),
            port: url.port_or_known_default(),
            username,
            token,
        })
    }
}

/// What every target of a run shares besides the common scan options.
struct TargetsRun {
    /// Registries image targets may reach over plain http.
    insecure_registries: Vec<String>,
    /// The GitHub API of `github-actions` targets, with its token.
    github: ApiOptions,
    /// The GitLab API of `gitlab-ci` targets, with its token.
    gitlab: ApiOptions,
    /// The listing's token, for cloning private repositories from the listing's own host.
    clone_token: Option<CloneToken>,
    /// Listed repositories that cannot be scanned as listed: `(name, reason)`, each an error of
    /// the run.
    refused: Vec<(String, String)>,
}

impl TargetsRun {
    /// The credentials a clone of `location` may answer with: the listing's token, when the URL
    /// is http(s) on the listing's host (the host a server asks from must match again, see
    /// [`source::git::CloneCredentials`]).
    fn clone_credentials(&self, location: &str) -> Option<source::git::CloneCredentials> {
        let token = self.clone_token.as_ref()?;
        let url = reqwest::Url::parse(location).ok()?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str()? != token.host {
            return None;
        }
        let loopback = matches!(token.host.as_str(), "127.0.0.1" | "localhost" | "[::1]");
        if !loopback && url.port_or_known_default() != token.port {
            return None;
        }
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str()?),
            None => url.host_str()?.to_string(),
        };
        Some(source::git::CloneCredentials {
            host,
            username: token.username.to_string(),
            password: token.token.clone(),
        })
    }

    /// Scans the repositories of an organisation listing that `selection` takes: each one's
    /// history, and with `logs` its CI logs too.
    fn scan_listing(
        self,
        repos: Vec<OrgRepository>,
        selection: &OrgSelectionArgs,
        logs: Option<TargetKind>,
        many: &ManyTargetsArgs,
        common: &CommonArgs,
    ) -> Result<Outcome> {
        let selection = RepoSelection {
            forks: selection.forks,
            archived: selection.archived,
            include: selection.include.clone(),
            exclude: selection.exclude.clone(),
        };
        let (repos, left_out) = selection.apply(repos)?;
        if !common.quiet && left_out > 0 {
            eprintln!(
                "ferret: {left_out} repositor{} left out (forks, archived, --include/--exclude)",
                if left_out == 1 { "y" } else { "ies" }
            );
        }
        let mut targets = Vec::new();
        for repo in repos {
            if let Some(kind) = logs {
                targets.push(Target::new(kind, repo.name.clone()));
            }
            targets.push(Target::new(TargetKind::Git, repo.clone_url));
        }
        self.scan(common, many, targets)
    }

    fn scan(
        self,
        common: &CommonArgs,
        many: &ManyTargetsArgs,
        targets: Vec<Target>,
    ) -> Result<Outcome> {
        let listed = targets.len();
        let targets: Vec<Target> = match many.shard {
            Some(shard) => targets.into_iter().filter(|t| shard.takes(t)).collect(),
            None => targets,
        };
        if many.list_targets {
            let mut out = std::io::stdout().lock();
            for t in &targets {
                writeln!(out, "{}", escape_control(&redact_urls_in(&t.to_string())))?;
            }
            out.flush()?;
            return Ok(Outcome::Clean);
        }
        if !common.quiet
            && let Some(shard) = many.shard
        {
            eprintln!(
                "ferret: shard {}/{}: {} of {listed} targets",
                shard.index,
                shard.count,
                targets.len()
            );
        }
        if targets.is_empty() && !common.quiet {
            eprintln!("ferret: no targets to scan");
        }
        let jobs = usize::from(many.jobs);
        let quiet = common.quiet;
        run_scan(common, None, move |scanner, config| {
            for (name, reason) in &self.refused {
                scanner.stats.error(
                    escape_control(&redact_urls_in(name)).into_owned(),
                    escape_control(&redact_urls_in(reason)).into_owned(),
                );
            }
            self.scan_all(&targets, jobs, quiet, scanner, config);
            Ok(())
        })
    }

    /// Scans `targets`, `jobs` at a time, each failure recorded against its target.
    fn scan_all(
        &self,
        targets: &[Target],
        jobs: usize,
        quiet: bool,
        scanner: &Scanner,
        config: &Config,
    ) {
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let total = targets.len();
        // Progress counts targets finished; the name shown is the one started last.
        let current = Mutex::new(String::new());
        std::thread::scope(|s| {
            for _ in 0..jobs.min(total) {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(target) = targets.get(i) else { break };
                        let name = redact_urls_in(&target.to_string()).into_owned();
                        *current.lock().unwrap_or_else(|e| e.into_inner()) = name.clone();
                        progress::targets(done.load(Ordering::Relaxed), total, &name);
                        if let Err(e) = self.scan_one(target, quiet, scanner, config) {
                            scanner
                                .stats
                                .error(name, redact_urls_in(&format!("{e:#}")).into_owned());
                        }
                        let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                        let shown = current.lock().unwrap_or_else(|e| e.into_inner()).clone();
                        progress::targets(finished, total, &shown);
                    }
                });
            }
        });
    }

    /// Scans one target with the source of its kind, as the matching `ferret scan` subcommand
    /// would with its defaults.
    fn scan_one(
        &self,
        target: &Target,
        quiet: bool,
        scanner: &Scanner,
        config: &Config,
    ) -> Result<()> {
        let location = &target.location;
        match target.kind {
            TargetKind::Dir => {
                let path = PathBuf::from(location);
                if std::fs::symlink_metadata(&path).is_err() {
                    bail!("path does not exist: {location}");
                }
                let opts = source::fs::DirOptions {
                    roots: vec![path],
                    gitignore: false,
                    excludes: config.scan.exclude.clone(),
                    follow_symlinks: false,
                    threads: scanner_threads(),
                    archive_limits: Default::default(),
                };
                source::fs::scan_dirs(&opts, scanner)
            }
            TargetKind::Git => {
                let opts = source::git::GitOptions {
                    target: location.clone(),
                    branches: Vec::new(),
                    since: None,
                    range: None,
                    staged: false,
                    quiet,
                    name_in_notes: true,
                    credentials: self.clone_credentials(location),
                };
                source::git::scan(&opts, scanner)
            }
            TargetKind::Image => {
                let opts = source::image::ImageOptions {
                    targets: vec![location.clone()],
                    platform: None,
                    registry: source::image::registry::RegistryOptions {
                        credentials: None,
                        insecure: self.insecure_registries.clone(),
                        quiet,
                    },
                    limits: Default::default(),
                };
                source::image::scan_images(&opts, scanner)
            }
            TargetKind::CiLog => {
                let opts = source::cilog::LocalOptions {
                    paths: vec![PathBuf::from(location)],
                    repository: None,
                    web_url: None,
                };
                source::cilog::scan_paths(&opts, scanner)
            }
            TargetKind::GithubActions => {
                if self.github.token.is_none() {
                    bail!(
                        "GitHub run logs can only be downloaded with a token: set GITHUB_TOKEN \
                         or GH_TOKEN"
                    );
                }
                let opts = source::cilog::github::GithubOptions {
                    repo: location.clone(),
                    runs: Vec::new(),
                    workflow: None,
                    branch: None,
                    since: None,
                    max_runs: 50,
                    api: self.github.clone(),
                };
                source::cilog::github::scan(&opts, scanner)
            }
            TargetKind::GitlabCi => {
                let opts = source::cilog::gitlab::GitlabOptions {
                    project: location.clone(),
                    jobs: Vec::new(),
                    pipeline: None,
                    branch: None,
                    since: None,
                    max_jobs: 100,
                    api: self.gitlab.clone(),
                };
                source::cilog::gitlab::scan(&opts, scanner)
            }
        }
    }
}

/// Worker threads for a directory walk: the global pool's size, which `--threads` set.
fn scanner_threads() -> usize {
    rayon::current_num_threads()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_with(api: &str) -> TargetsRun {
        let api = ApiOptions {
            url: api.to_string(),
            token: Some("tok".into()),
            max_wait: std::time::Duration::from_secs(1),
        };
        TargetsRun {
            insecure_registries: Vec::new(),
            clone_token: CloneToken::for_api(&api, "x-access-token"),
            github: api,
            gitlab: default_api(source::org::gitlab::DEFAULT_API_URL),
            refused: Vec::new(),
        }
    }

    #[test]
    fn the_listing_token_is_offered_to_https_clones_on_the_listing_host_and_port_only() {
        let github = run_with("https://api.github.com");
        let creds = github
            .clone_credentials("https://github.com/acme/app.git")
            .expect("github.com for api.github.com");
        assert_eq!(
            (creds.host.as_str(), creds.password.as_str()),
            ("github.com", "tok")
        );
        for other in [
            "https://evil.example/acme/app.git",
            "https://api.github.com.evil.example/a.git",
            "https://github.com:8443/acme/app.git",
            "ssh://git@github.com/acme/app.git",
            "git://github.com/acme/app.git",
        ] {
            assert!(github.clone_credentials(other).is_none(), "{other}");
        }
        let enterprise = run_with("https://ghe.example.com/api/v3");
        assert!(
            enterprise
                .clone_credentials("https://ghe.example.com/a/b.git")
                .is_some()
        );
        assert!(
            enterprise
                .clone_credentials("https://github.com/a/b.git")
                .is_none()
        );
        let anonymous = TargetsRun {
            clone_token: None,
            ..run_with("https://api.github.com")
        };
        assert!(
            anonymous
                .clone_credentials("https://github.com/a/b.git")
                .is_none()
        );
    }
}
