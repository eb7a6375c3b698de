//! The command line mapped to each source's own options: sources never read `cli` types, so a
//! source can be driven by anything that fills its options (a test, another front end).

use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::cli::{
    ApiClientArgs, CiLogArgs, DirArgs, GitArgs, GithubActionsArgs, GitlabCiArgs, ImageArgs,
};
use crate::source;
use crate::source::api::ApiOptions;
use crate::source::cilog::github::GithubOptions;
use crate::source::cilog::gitlab::GitlabOptions;

/// `ferret scan dir` arguments as the file-system source's options (`excludes` from the command
/// line only: the config's are added once it is read).
pub fn dir_options(args: &DirArgs) -> source::fs::DirOptions {
    source::fs::DirOptions {
        roots: args.paths.clone(),
        gitignore: args.gitignore,
        excludes: args.exclude.clone(),
        follow_symlinks: args.follow_symlinks,
        threads: args.common.threads,
        archive_limits: source::archive::ArchiveLimits {
            max_depth: args.max_archive_depth,
            ..Default::default()
        },
    }
}

/// `ferret scan image` arguments as the image source's options, with the registry password read
/// from standard input when `--registry-user` is given.
pub fn image_options(args: &ImageArgs) -> Result<source::image::ImageOptions> {
    use source::image::registry::Credentials;
    let credentials = match &args.registry_user {
        Some(user) => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("cannot read the registry password from standard input")?;
            Some(Credentials {
                user: user.clone(),
                password: password.trim_end_matches(['\r', '\n']).to_string(),
            })
        }
        None => None,
    };
    Ok(source::image::ImageOptions {
        targets: args.targets.clone(),
        platform: args.platform.clone(),
        registry: source::image::registry::RegistryOptions {
            credentials,
            insecure: args.insecure_registry.clone(),
            quiet: args.common.quiet,
        },
        limits: source::archive::ArchiveLimits {
            max_depth: args.max_archive_depth,
            ..Default::default()
        },
    })
}

/// `ferret scan ci-log` arguments as the local log source's options.
pub fn ci_log_options(args: &CiLogArgs) -> source::cilog::LocalOptions {
    source::cilog::LocalOptions {
        paths: args.paths.clone(),
        repository: args.repo.clone(),
        web_url: args.web_url.clone(),
    }
}

/// `ferret scan github-actions` arguments as options, with the token from stdin or the environment.
pub fn github_options(args: &GithubActionsArgs) -> Result<GithubOptions> {
    let token = if args.api.token_stdin {
        read_token_stdin()?
    } else {
        env_token(&["GITHUB_TOKEN", "GH_TOKEN"]).ok_or_else(|| {
            anyhow::anyhow!(
                "GitHub run logs can only be downloaded with a token: set GITHUB_TOKEN or \
                 GH_TOKEN, or pass it on standard input with --token-stdin"
            )
        })?
    };
    Ok(GithubOptions {
        repo: args.repo.clone(),
        runs: args.runs.clone(),
        workflow: args.workflow.clone(),
        branch: args.branch.clone(),
        since: args.since.clone(),
        max_runs: args.max_runs,
        api: api_options(&args.api_url, Some(token), &args.api),
    })
}

/// `ferret scan gitlab-ci` arguments as options, with the token from stdin or the environment.
pub fn gitlab_options(args: &GitlabCiArgs) -> Result<GitlabOptions> {
    let token = if args.api.token_stdin {
        Some(read_token_stdin()?)
    } else {
        env_token(&["GITLAB_TOKEN"])
    };
    Ok(GitlabOptions {
        project: args.project.clone(),
        jobs: args.jobs.clone(),
        pipeline: args.pipeline,
        branch: args.branch.clone(),
        since: args.since.clone(),
        max_jobs: args.max_jobs,
        api: api_options(&args.api_url, token, &args.api),
    })
}

pub fn api_options(url: &str, token: Option<String>, args: &ApiClientArgs) -> ApiOptions {
    ApiOptions {
        url: url.to_string(),
        token,
        max_wait: Duration::from_secs(args.max_wait),
    }
}

/// The first of the variables `names` that is set and not blank, trimmed.
pub fn env_token(names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| std::env::var(n).ok())
        .map(|t| t.trim().to_string())
        .find(|t| !t.is_empty())
}

/// The token on the first line of standard input.
pub fn read_token_stdin() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the token from standard input")?;
    let token = line.trim().to_string();
    if token.is_empty() {
        bail!("--token-stdin: standard input holds no token");
    }
    Ok(token)
}

/// The git source's options for `target` from `ferret scan git` arguments.
pub fn git_options(target: &str, args: &GitArgs, quiet: bool) -> source::git::GitOptions {
    source::git::GitOptions {
        target: target.to_string(),
        branches: args.branches.clone(),
        since: args.since.clone(),
        range: args.range.clone(),
        staged: args.staged,
        quiet,
        name_in_notes: false,
        credentials: None,
    }
}
