//! Where a CI log finding came from: provider, repository, run, job, step and the run's web page.

use serde::{Deserialize, Serialize};

/// The provenance of a CI log, local or fetched from a provider's API.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, Default)]
pub struct CiLogOrigin {
    /// What reports show: a file (with `!member` inside a ZIP) or `provider:repository/...`.
    pub path: String,
    /// `github-actions`, `gitlab-ci`, `circleci`, `jenkins` or `plain`.
    pub provider: String,
    /// OWNER/REPO or GROUP/PROJECT, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Workflow run id (GitHub) or pipeline id (GitLab).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// Job name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// Step name (GitHub step log) or section name (GitLab trace).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The run's or job's web page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl CiLogOrigin {
    /// ` @ run 42 job "build" step "Run tests"` after `line:col` in text output.
    pub fn text_suffix(&self) -> String {
        let mut out = String::new();
        if let Some(run) = &self.run {
            out.push_str(&format!(" run {run}"));
        }
        if let Some(job) = &self.job {
            out.push_str(&format!(" job {job:?}"));
        }
        if let Some(step) = &self.step {
            out.push_str(&format!(" step {step:?}"));
        }
        if let Some(url) = &self.url {
            out.push_str(&format!(" <{url}>"));
        }
        if out.is_empty() {
            out
        } else {
            format!(" @{out}")
        }
    }

    /// Provider, repository, run, job, step and web page as SARIF result properties.
    pub fn sarif_properties(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut map = serde_json::Map::new();
        map.insert("ciProvider".into(), self.provider.clone().into());
        let fields = [
            ("ciRepository", &self.repository),
            ("ciRun", &self.run),
            ("ciJob", &self.job),
            ("ciStep", &self.step),
            ("ciUrl", &self.url),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                map.insert(key.into(), value.clone().into());
            }
        }
        map
    }
}
