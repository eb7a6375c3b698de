//! Registry credentials from the Docker CLI's configuration (`$DOCKER_CONFIG/config.json` or
//! `~/.docker/config.json`): a `credHelpers` entry for the registry, else the `credsStore`, else an
//! `auths` entry. Helpers are `docker-credential-<name>` programs on `PATH` that answer
//! `get` with `{"ServerURL", "Username", "Secret"}`. Secrets never appear in messages.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

/// Docker Hub's registry host (where `name:tag` without a host is pulled from).
pub const DOCKER_HUB: &str = "registry-1.docker.io";
/// The server address the Docker CLI files Docker Hub credentials under.
const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";
/// A credential helper that has not answered by then is stopped.
const HELPER_TIMEOUT: Duration = Duration::from_secs(30);
/// The user name helpers return when the secret is an identity (refresh) token.
const IDENTITY_TOKEN_USER: &str = "<token>";

/// Credentials for a registry.
#[derive(Clone)]
pub struct Credentials {
    /// User name.
    pub user: String,
    /// Password or token.
    pub password: String,
}

impl Credentials {
    /// Whether the secret is an OAuth2 refresh token (`docker login` with an identity token)
    /// rather than a password.
    pub fn is_identity_token(&self) -> bool {
        self.user == IDENTITY_TOKEN_USER
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The Docker CLI's credentials for `host` (`host[:port]`). `Ok(None)` means none are configured;
/// an error (unreadable config, missing or failing helper) says why none could be had.
pub fn docker_config_credentials(host: &str) -> Result<Option<Credentials>> {
    let Some(path) = docker_config_path() else {
        return Ok(None);
    };
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let config: serde_json::Value = serde_json::from_slice(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let server = if host == DOCKER_HUB {
        DOCKER_HUB_SERVER
    } else {
        host
    };
    let helper = config
        .get("credHelpers")
        .and_then(|h| h.as_object())
        .and_then(|helpers| {
            helpers
                .iter()
                .find(|(key, _)| same_registry(key, host))
                .and_then(|(_, name)| name.as_str())
        })
        .or_else(|| config.get("credsStore").and_then(|s| s.as_str()))
        .filter(|name| !name.is_empty());
    if let Some(name) = helper {
        return run_helper(name, server, host);
    }
    Ok(auths_entry(&config, host))
}

fn docker_config_path() -> Option<PathBuf> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".docker")))?;
    Some(dir.join("config.json"))
}

/// Whether a config key (`host`, `https://host/v1/`, ...) names registry `host`.
fn same_registry(key: &str, host: &str) -> bool {
    let key_host = key
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or("");
    key_host == host || (host == DOCKER_HUB && matches!(key_host, "index.docker.io" | "docker.io"))
}

/// An `auths` entry: `auth` (base64 `user:password`) or `username` and `password`.
fn auths_entry(config: &serde_json::Value, host: &str) -> Option<Credentials> {
    let auths = config.get("auths")?.as_object()?;
    let entry = auths
        .iter()
        .find(|(key, _)| same_registry(key, host))
        .map(|(_, value)| value)?;
    if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()) {
        let decoded = BASE64.decode(auth).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, password) = decoded.split_once(':')?;
        return Some(Credentials {
            user: user.to_string(),
            password: password.to_string(),
        });
    }
    if let Some(token) = entry.get("identitytoken").and_then(|t| t.as_str()) {
        return Some(Credentials {
            user: IDENTITY_TOKEN_USER.to_string(),
            password: token.to_string(),
        });
    }
    Some(Credentials {
        user: entry.get("username")?.as_str()?.to_string(),
        password: entry.get("password")?.as_str()?.to_string(),
    })
}

/// Runs `docker-credential-<name> get` with `server` on standard input.
fn run_helper(name: &str, server: &str, host: &str) -> Result<Option<Credentials>> {
    let program = format!("docker-credential-{name}");
    if name.contains(['/', '\\']) || name.starts_with('.') {
        bail!("credential helper name {name:?} is not a plain program name");
    }
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                anyhow::anyhow!("credential helper {program} is not on PATH")
            }
            _ => anyhow::Error::new(e).context(format!("cannot run credential helper {program}")),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading its input is judged by its answer, not by this.
        let _ = stdin.write_all(format!("{server}\n").as_bytes());
    }
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < HELPER_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "credential helper {program} did not answer within {}s",
                    HELPER_TIMEOUT.as_secs()
                );
            }
            Err(e) => return Err(e).with_context(|| format!("cannot wait for {program}")),
        }
    };
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    if let Some(out) = child.stdout.as_mut() {
        out.take(1 << 20)
            .read_to_end(&mut stdout)
            .with_context(|| format!("cannot read the answer of {program}"))?;
    }
    if let Some(err) = child.stderr.as_mut() {
        let _ = err.take(1 << 16).read_to_end(&mut stderr);
    }
    if !status.success() {
        // Helpers print their error (never a secret) on stdout, e.g. "credentials not found in
        // native keychain".
        let said = first_line(&stdout).or_else(|| first_line(&stderr));
        if said
            .as_deref()
            .is_some_and(|s| s.contains("credentials not found"))
        {
            bail!("{program} has no credentials for {server}");
        }
        bail!(
            "credential helper {program} failed ({status}){}",
            said.map(|s| format!(": {s}")).unwrap_or_default()
        );
    }
    parse_helper_answer(&stdout, &program, host)
}

/// The `{"ServerURL", "Username", "Secret"}` a helper prints; the text itself is never quoted in
/// errors because it holds the secret.
fn parse_helper_answer(stdout: &[u8], program: &str, host: &str) -> Result<Option<Credentials>> {
    let answer: serde_json::Value = serde_json::from_slice(stdout)
        .map_err(|_| anyhow::anyhow!("credential helper {program} did not answer JSON"))?;
    let field = |name: &str| answer.get(name).and_then(|v| v.as_str()).unwrap_or("");
    let (server_url, user, secret) = (field("ServerURL"), field("Username"), field("Secret"));
    if !server_url.is_empty() && !same_registry(server_url, host) {
        bail!("credential helper {program} answered for {server_url:?}, not for {host}");
    }
    if secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(Credentials {
        user: user.to_string(),
        password: secret.to_string(),
    }))
}

fn first_line(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(line.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_keys_match_registries() {
        assert!(same_registry("127.0.0.1:5000", "127.0.0.1:5000"));
        assert!(same_registry("https://ghcr.io/v2/", "ghcr.io"));
        assert!(same_registry("https://index.docker.io/v1/", DOCKER_HUB));
        assert!(!same_registry("127.0.0.1:5001", "127.0.0.1:5000"));
    }

    #[test]
    fn auths_entries_decode() {
        let config = serde_json::json!({"auths": {
            "a.example": {"auth": "dXNlcjpwYTpzcw=="},
            "https://b.example/v1/": {"identitytoken": "refresh"},
            "c.example": {},
        }});
        let a = auths_entry(&config, "a.example").unwrap();
        assert_eq!((a.user.as_str(), a.password.as_str()), ("user", "pa:ss"));
        assert!(
            auths_entry(&config, "b.example")
                .unwrap()
                .is_identity_token()
        );
        assert!(auths_entry(&config, "c.example").is_none());
        assert!(!format!("{a:?}").contains("pa:ss"));
    }

    #[test]
    fn helper_answers_parse_without_quoting_the_secret() {
        let ok = br#"{"ServerURL":"reg.example","Username":"u","Secret":"hunter2"}"#;
        let creds = parse_helper_answer(ok, "h", "reg.example")
            .unwrap()
            .unwrap();
        assert_eq!(
            (creds.user.as_str(), creds.password.as_str()),
            ("u", "hunter2")
        );
        let other = br#"{"ServerURL":"other.example","Username":"u","Secret":"hunter2"}"#;
        let err = parse_helper_answer(other, "h", "reg.example").unwrap_err();
        assert!(!format!("{err:#}").contains("hunter2"));
        let bad = br#"{"Secret":"hunter2""#;
        let err = parse_helper_answer(bad, "h", "reg.example").unwrap_err();
        assert!(!format!("{err:#}").contains("hunter2"));
        let empty = br#"{"ServerURL":"","Username":"","Secret":""}"#;
        assert!(
            parse_helper_answer(empty, "h", "reg.example")
                .unwrap()
                .is_none()
        );
    }
}
