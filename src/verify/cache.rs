//! `--verify-cache FILE`: check key (a hash, never the secret) -> status, detail, time. Only
//! conclusive answers are kept, so an `unknown` is asked again next time.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{CheckResult, Verdict};

/// One remembered answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    status: String,
    detail: String,
    /// The status of the provider's HTTP answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    http_status: Option<u16>,
    /// What the secret reached, when the answer said.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    access: BTreeMap<String, String>,
    /// Unix seconds when the provider answered.
    checked_at: u64,
}

/// The cache file's content.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    entries: BTreeMap<String, Entry>,
}

/// Answers loaded from and saved to `--verify-cache`.
#[derive(Debug, Default)]
pub struct VerifyCache {
    file: CacheFile,
    max_age: Duration,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl VerifyCache {
    /// Loads `path`; a missing file is an empty cache.
    pub fn load(path: &Path, max_age: Duration) -> Result<Self> {
        let file = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice::<CacheFile>(&bytes).with_context(|| {
                format!(
                    "verify cache {} is not a ferret verify cache (delete it to start over)",
                    path.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => CacheFile {
                version: 1,
                ..CacheFile::default()
            },
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read verify cache {}", path.display()));
            }
        };
        Ok(Self { file, max_age })
    }

    /// A fresh conclusive answer for `key`.
    pub fn get(&self, key: &str) -> Option<CheckResult> {
        let entry = self.file.entries.get(key)?;
        if now().saturating_sub(entry.checked_at) > self.max_age.as_secs() {
            return None;
        }
        let verdict = match entry.status.as_str() {
            "verified" => Verdict::Live,
            "invalid" => Verdict::Dead,
            _ => return None,
        };
        Some(CheckResult {
            verdict,
            detail: entry.detail.clone(),
            http_status: entry.http_status,
            access: entry.access.clone(),
        })
    }

    /// Remembers a conclusive answer.
    pub fn put(&mut self, key: &str, result: &CheckResult) {
        let status = match result.verdict {
            Verdict::Live => "verified",
            Verdict::Dead => "invalid",
            Verdict::Unknown => return,
        };
        self.file.entries.insert(
            key.to_string(),
            Entry {
                status: status.into(),
                detail: result.detail.clone(),
                http_status: result.http_status,
                access: result.access.clone(),
                checked_at: now(),
            },
        );
    }

    /// Writes the cache to `path` (owner-only, via a temporary file, so a crash leaves the old one).
    pub fn save(&mut self, path: &Path) -> Result<()> {
        self.file.version = 1;
        let text = serde_json::to_vec_pretty(&self.file)?;
        crate::atomic_file::write_atomic(path, &text)
            .with_context(|| format!("cannot write verify cache {}", path.display()))
    }
}
