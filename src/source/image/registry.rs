//! Pulls images over the OCI distribution API: manifests by tag or digest, blobs streamed
//! straight into the scanner. Anonymous, basic and bearer-token (challenge) authentication, with
//! credentials from the command line or `~/.docker/config.json`.

use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, WWW_AUTHENTICATE};
use sha2::{Digest, Sha256};

use super::manifest::{MAX_METADATA_SIZE, ManifestSource};
use super::store::{BlobKey, BlobStore};

const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

const DOCKER_HUB: &str = "registry-1.docker.io";

/// `host[:port]/name` plus a tag or digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Registry host and optional port.
    pub host: String,
    /// Repository name.
    pub repository: String,
    /// Tag or digest (`sha256:...`).
    pub reference: String,
}

impl Reference {
    /// Parses `[host[:port]/]name[:tag][@digest]`; a name without a host is on Docker Hub.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.strip_prefix("docker://").unwrap_or(text);
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (text, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(colon) => (
                &rest[..last_slash + colon],
                Some(&rest[last_slash + colon + 1..]),
            ),
            None => (rest, None),
        };
        let (host, repository) = match name.split_once('/') {
            Some((first, repo))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), repo.to_string())
            }
            _ if name.contains('/') => (DOCKER_HUB.to_string(), name.to_string()),
            _ => (DOCKER_HUB.to_string(), format!("library/{name}")),
        };
        let valid_repo = !repository.is_empty()
            && repository.split('/').all(|part| {
                !part.is_empty()
                    && part.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)
                    })
            });
        if !valid_repo {
            bail!("{text:?} is neither a file nor an image reference (host[:port]/name:tag)");
        }
        let reference = match (digest, tag) {
            (Some(d), _) => {
                if !d.starts_with("sha256:") || d.len() != 71 {
                    bail!("{text:?}: digest must be sha256: and 64 hex digits");
                }
                d.to_string()
            }
            (None, Some(t)) if !t.is_empty() => t.to_string(),
            (None, Some(_)) => bail!("{text:?}: empty tag"),
            (None, None) => "latest".to_string(),
        };
        Ok(Reference {
            host,
            repository,
            reference,
        })
    }
}

/// Credentials for a registry.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// User name.
    pub user: String,
    /// Password or token.
    pub password: String,
}

/// Options for pulling from registries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Credentials given on the command line (used for every registry).
    pub credentials: Option<Credentials>,
    /// Registries (`host[:port]`) reached over plain http.
    pub insecure: Vec<String>,
}

/// One repository on one registry, with its authorization once negotiated.
pub struct RegistryStore {
    client: Client,
    base: String,
    repository: String,
    credentials: Option<Credentials>,
    authorization: Mutex<Option<String>>,
}

impl RegistryStore {
    /// A client for `reference`'s repository.
    pub fn new(reference: &Reference, opts: &RegistryOptions) -> Result<Self> {
        let scheme = if opts.insecure.iter().any(|h| h == &reference.host) {
            "http"
        } else {
            "https"
        };
        let client = Client::builder()
            .connect_timeout(Duration::from_secs(30))
            // Layers can take long to stream; stalls are caught by the connection's keepalive.
            .timeout(None)
            .user_agent(concat!("ferret/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot build the HTTP client")?;
        let credentials = opts
            .credentials
            .clone()
            .or_else(|| docker_config_credentials(&reference.host));
        Ok(Self {
            client,
            base: format!("{scheme}://{}", reference.host),
            repository: reference.repository.clone(),
            credentials,
            authorization: Mutex::new(None),
        })
    }

    /// Fetches the manifest or index `reference` names; returns its bytes and digest.
    pub fn root_manifest(&self, reference: &str) -> Result<(Vec<u8>, String)> {
        let bytes = self.fetch_manifest(reference)?;
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
        if reference.starts_with("sha256:") && reference != digest {
            bail!("manifest {reference} has digest {digest}: content does not match");
        }
        Ok((bytes, digest))
    }

    fn fetch_manifest(&self, reference: &str) -> Result<Vec<u8>> {
        let url = format!("{}/v2/{}/manifests/{reference}", self.base, self.repository);
        let response = self.get(&url, Some(MANIFEST_ACCEPT))?;
        let mut bytes = Vec::new();
        response
            .take(MAX_METADATA_SIZE + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {url}"))?;
        if bytes.len() as u64 > MAX_METADATA_SIZE {
            bail!("{url}: manifest larger than {MAX_METADATA_SIZE} bytes");
        }
        Ok(bytes)
    }

    /// GET with the negotiated authorization; on a 401 challenge, authenticates once and retries.
    fn get(&self, url: &str, accept: Option<&str>) -> Result<Response> {
        let mut challenged = false;
        loop {
            let mut request = self.client.get(url);
            if let Some(accept) = accept {
                request = request.header(ACCEPT, accept);
            }
            let auth = self
                .authorization
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            if let Some(auth) = auth {
                request = request.header(AUTHORIZATION, auth);
            }
            let response = request.send().with_context(|| format!("GET {url}"))?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !challenged {
                challenged = true;
                let challenge = response
                    .headers()
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                self.authenticate(&challenge)
                    .with_context(|| format!("cannot authenticate to {}", self.base))?;
                continue;
            }
            if !status.is_success() {
                let body = response.text().unwrap_or_default();
                let body: String = body.chars().take(300).collect();
                bail!("GET {url}: HTTP {status}: {}", body.trim());
            }
            return Ok(response);
        }
    }

    fn authenticate(&self, challenge: &str) -> Result<()> {
        let (scheme, params) = challenge.split_once(' ').unwrap_or((challenge, ""));
        let header = match scheme.to_ascii_lowercase().as_str() {
            "basic" => {
                let Some(creds) = &self.credentials else {
                    bail!("the registry requires credentials (--registry-user, or docker login)");
                };
                basic_header(creds)
            }
            "bearer" => format!("Bearer {}", self.fetch_token(&parse_params(params))?),
            _ => bail!("unsupported authentication challenge {challenge:?}"),
        };
        *self.authorization.lock().unwrap_or_else(|e| e.into_inner()) = Some(header);
        Ok(())
    }

    fn fetch_token(&self, params: &[(String, String)]) -> Result<String> {
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let realm = param("realm").context("bearer challenge without realm")?;
        let default_scope = format!("repository:{}:pull", self.repository);
        let mut query = vec![("scope", param("scope").unwrap_or(&default_scope))];
        if let Some(service) = param("service") {
            query.push(("service", service));
        }
        let url = reqwest::Url::parse_with_params(realm, &query)
            .with_context(|| format!("bad token realm {realm:?}"))?;
        let mut request = self.client.get(url);
        if let Some(creds) = &self.credentials {
            request = request.header(AUTHORIZATION, basic_header(creds));
        }
        let response = request.send().with_context(|| format!("GET {realm}"))?;
        let status = response.status();
        if !status.is_success() {
            bail!("token endpoint {realm} answered HTTP {status}");
        }
        let body: serde_json::Value = response
            .json()
            .with_context(|| format!("token endpoint {realm} did not answer JSON"))?;
        body.get("token")
            .or_else(|| body.get("access_token"))
            .and_then(|t| t.as_str())
            .map(str::to_string)
            .with_context(|| format!("token endpoint {realm} returned no token"))
    }
}

impl BlobStore for RegistryStore {
    fn open(&self, key: &BlobKey) -> Result<Box<dyn Read + Send + '_>> {
        let BlobKey::Digest(digest) = key else {
            bail!(
                "registries name blobs by digest, not by path {}",
                key.as_str()
            );
        };
        let url = format!("{}/v2/{}/blobs/{digest}", self.base, self.repository);
        Ok(Box::new(self.get(&url, None)?))
    }

    fn has_path(&self, _path: &str) -> bool {
        false
    }
}

impl ManifestSource for RegistryStore {
    fn store(&self) -> &dyn BlobStore {
        self
    }

    fn manifest(&self, digest: &str) -> Result<Vec<u8>> {
        self.fetch_manifest(digest)
    }
}

fn basic_header(creds: &Credentials) -> String {
    format!(
        "Basic {}",
        BASE64.encode(format!("{}:{}", creds.user, creds.password))
    )
}

/// `key="value", key=value` pairs of an authentication challenge.
fn parse_params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key.trim().trim_start_matches(',').trim().to_string();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        out.push((key, value.to_string()));
        rest = remaining.trim_start_matches([',', ' ']);
    }
    out
}

/// Credentials for `host` from `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`.
fn docker_config_credentials(host: &str) -> Option<Credentials> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".docker")))?;
    let text = std::fs::read(dir.join("config.json")).ok()?;
    let config: serde_json::Value = serde_json::from_slice(&text).ok()?;
    let auths = config.get("auths")?.as_object()?;
    let hub = host == DOCKER_HUB;
    let entry = auths.iter().find_map(|(key, value)| {
        let key_host = key
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or("");
        (key_host == host || (hub && (key_host == "index.docker.io" || key_host == "docker.io")))
            .then_some(value)
    })?;
    if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()) {
        let decoded = BASE64.decode(auth).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, password) = decoded.split_once(':')?;
        return Some(Credentials {
            user: user.to_string(),
            password: password.to_string(),
        });
    }
    Some(Credentials {
        user: entry.get("username")?.as_str()?.to_string(),
        password: entry.get("password")?.as_str()?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        let r = Reference::parse("127.0.0.1:5000/team/app:v1").unwrap();
        assert_eq!(
            (r.host.as_str(), r.repository.as_str(), r.reference.as_str()),
            ("127.0.0.1:5000", "team/app", "v1")
        );
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("localhost/app@{digest}")).unwrap();
        assert_eq!(r.reference, digest);
        let r = Reference::parse("alpine").unwrap();
        assert_eq!(
            (r.host.as_str(), r.repository.as_str(), r.reference.as_str()),
            (DOCKER_HUB, "library/alpine", "latest")
        );
        assert!(Reference::parse("Not A Ref").is_err());
        assert!(Reference::parse("host.io/app@sha256:abc").is_err());
    }

    #[test]
    fn bearer_challenge_params_parse() {
        let p = parse_params(
            r#"realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(p[0], ("realm".into(), "https://auth.example/token".into()));
        assert_eq!(p[1], ("service".into(), "reg".into()));
        assert_eq!(p[2], ("scope".into(), "repository:a/b:pull,push".into()));
    }
}
