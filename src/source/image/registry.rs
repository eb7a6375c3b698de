//! Pulls images over the OCI distribution API: manifests by tag or digest, blobs streamed
//! straight into the sink. Authentication (basic or bearer token, see `auth`) with credentials
//! from the command line or the Docker configuration (see `credentials`).

use std::io::Read;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use reqwest::header::{ACCEPT, AUTHORIZATION, WWW_AUTHENTICATE};
use sha2::{Digest, Sha256};

use super::auth::Authenticator;
pub use super::credentials::Credentials;
use super::credentials::{DOCKER_HUB, docker_config_credentials};
use super::manifest::{MAX_METADATA_SIZE, ManifestSource};
use super::store::{BlobKey, BlobStore};

const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

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

/// Options for pulling from registries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Credentials given on the command line (used for every registry).
    pub credentials: Option<Credentials>,
    /// Registries and token services (`host[:port]`) reached over plain http.
    pub insecure: Vec<String>,
    /// Do not print notes (such as a credential helper that failed).
    pub quiet: bool,
}

/// One repository on one registry, with its authorization once negotiated.
pub struct RegistryStore {
    client: Client,
    base: String,
    repository: String,
    auth: Authenticator,
}

impl RegistryStore {
    /// A client for `reference`'s repository. Credentials come from the options, else from the
    /// Docker configuration; a credential helper that fails leaves the pull anonymous, with a note.
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
            .redirect(redirect_policy())
            .user_agent(concat!("ferret/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot build the HTTP client")?;
        let credentials = match &opts.credentials {
            Some(creds) => Some(creds.clone()),
            None => match docker_config_credentials(&reference.host) {
                Ok(creds) => creds,
                Err(err) => {
                    if !opts.quiet {
                        crate::progress::note(&format!(
                            "ferret: note: {}; pulling from {} anonymously",
                            crate::escape::escape_control(&format!("{err:#}")),
                            reference.host
                        ));
                    }
                    None
                }
            },
        };
        let auth = Authenticator::new(
            client.clone(),
            &reference.host,
            &reference.repository,
            credentials,
            &opts.insecure,
        );
        Ok(Self {
            client,
            base: format!("{scheme}://{}", reference.host),
            repository: reference.repository.clone(),
            auth,
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
            if let Some(auth) = self.auth.header()? {
                request = request.header(AUTHORIZATION, auth);
            }
            let response = request.send().with_context(|| format!("GET {url}"))?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED {
                if challenged {
                    bail!("{}", self.auth.denied(status));
                }
                challenged = true;
                let challenge = response
                    .headers()
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                self.auth.answer(&challenge)?;
                continue;
            }
            if status == StatusCode::FORBIDDEN {
                bail!("GET {url}: {}", self.auth.denied(status));
            }
            if !status.is_success() {
                let body = response.text().unwrap_or_default();
                let body: String = body.chars().take(300).collect();
                bail!("GET {url}: HTTP {status}: {}", body.trim());
            }
            return Ok(response);
        }
    }
}

/// Follows at most 10 redirects (blob downloads are often redirected to storage), never from
/// https down to plain http. reqwest drops the `Authorization` header when a redirect leaves the
/// host, so the token stays with the registry.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let downgrade = attempt.url().scheme() == "http"
            && attempt
                .previous()
                .last()
                .is_some_and(|prev| prev.scheme() == "https");
        if downgrade {
            attempt.error("refusing a redirect from https to plain http")
        } else if attempt.previous().len() > 10 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
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
}
