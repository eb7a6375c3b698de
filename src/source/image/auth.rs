//! Answers a registry's `401` challenge: `Basic` with the credentials, or `Bearer` with a token
//! from the challenge's realm (the Docker token protocol: `GET realm?service=..&scope=..` with the
//! credentials as Basic auth, or an OAuth2 `POST` for identity tokens). Tokens are refreshed
//! before they expire. Credentials go to a realm only on the registry's own host and port (or a
//! public registry's known token service, or a host the user listed with `--insecure-registry`),
//! only over https or over http to a listed host (OAuth2 requires TLS at token endpoints); an
//! https registry's realm over plain http is refused. The bearer token goes only to the registry.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::StatusCode;
use reqwest::blocking::Client;
use reqwest::header::AUTHORIZATION;

use super::credentials::Credentials;

/// Lifetime of a token whose answer has no `expires_in` (the token specification's default).
const DEFAULT_TOKEN_LIFETIME: u64 = 60;
/// The `client_id` sent with OAuth2 token requests.
const CLIENT_ID: &str = "ferret";

/// The authorization negotiated with one registry for one repository.
pub struct Authenticator {
    client: Client,
    host: String,
    repository: String,
    credentials: Option<Credentials>,
    insecure: Vec<String>,
    current: Mutex<Option<Authorization>>,
}

/// An `Authorization` header and how it was obtained.
#[derive(Clone)]
struct Authorization {
    header: String,
    /// Who the registry sees, for messages: the user, or `None` when anonymous.
    user: Option<String>,
    /// The token realm, for bearer tokens.
    realm: Option<String>,
    /// Credentials that were held back from a plain-http realm.
    withheld: bool,
    /// For bearer tokens: when to fetch a fresh one, and the challenge to answer again.
    refresh: Option<(Instant, Vec<(String, String)>)>,
}

impl Authenticator {
    /// Authorization for `repository` on `host` (`host[:port]`).
    pub fn new(
        client: Client,
        host: &str,
        repository: &str,
        credentials: Option<Credentials>,
        insecure: &[String],
    ) -> Self {
        Self {
            client,
            host: host.to_string(),
            repository: repository.to_string(),
            credentials,
            insecure: insecure.to_vec(),
            current: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Authorization>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The header to send, if any; a bearer token about to expire is replaced first.
    pub fn header(&self) -> Result<Option<String>> {
        let mut current = self.lock();
        let due = current
            .as_ref()
            .and_then(|a| a.refresh.as_ref())
            .filter(|(at, _)| Instant::now() >= *at)
            .map(|(_, params)| params.clone());
        if let Some(params) = due {
            *current = Some(self.fetch_token(&params)?);
        }
        Ok(current.as_ref().map(|a| a.header.clone()))
    }

    /// Answers a `WWW-Authenticate` challenge so that the next request carries authorization.
    pub fn answer(&self, challenge: &str) -> Result<()> {
        let (scheme, params) = split_challenge(challenge);
        let authorization = match scheme.to_ascii_lowercase().as_str() {
            "basic" => {
                let Some(creds) = &self.credentials else {
                    bail!(
                        "registry {} requires credentials: give --registry-user and \
                         --registry-password-stdin, or log in with docker login",
                        self.host
                    );
                };
                if creds.is_identity_token() {
                    bail!(
                        "registry {} asks for a password but only an identity token is configured",
                        self.host
                    );
                }
                Authorization {
                    header: basic_header(creds),
                    user: Some(creds.user.clone()),
                    realm: None,
                    withheld: false,
                    refresh: None,
                }
            }
            "bearer" => self.fetch_token(&parse_params(params))?,
            "" => bail!(
                "registry {} answered 401 without a WWW-Authenticate challenge",
                self.host
            ),
            _ => bail!(
                "registry {} asks for unsupported authentication {scheme:?}",
                self.host
            ),
        };
        *self.lock() = Some(authorization);
        Ok(())
    }

    /// Why the registry still refuses a request after the challenge was answered.
    pub fn denied(&self, status: StatusCode) -> String {
        let current = self.lock().clone();
        let (host, repo) = (&self.host, &self.repository);
        match current {
            Some(Authorization {
                realm: None,
                user: Some(user),
                ..
            }) => format!("registry {host} rejected the credentials of user {user} ({status})"),
            Some(Authorization {
                realm: Some(realm),
                user: Some(user),
                ..
            }) => format!(
                "registry {host} refused {repo} to user {user} with a token from {realm} ({status})"
            ),
            Some(Authorization {
                realm: Some(realm),
                user: None,
                withheld,
                ..
            }) => {
                let mut message = format!(
                    "registry {host} requires credentials for {repo}: the anonymous token from \
                     {realm} does not grant pull access ({status}); give --registry-user and \
                     --registry-password-stdin, or log in with docker login"
                );
                if withheld {
                    message.push_str(&format!(
                        " (credentials were not sent to {realm}: it is plain http or not the \
                         registry's own host; add --insecure-registry {} to allow it)",
                        url_host(realm.as_str()).unwrap_or_default()
                    ));
                }
                message
            }
            _ => format!("registry {host} refused access to {repo} ({status})"),
        }
    }

    /// Gets a token from the challenge's realm for its service and scopes.
    fn fetch_token(&self, params: &[(String, String)]) -> Result<Authorization> {
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let host = &self.host;
        let realm = param("realm")
            .with_context(|| format!("registry {host} sent a bearer challenge without a realm"))?;
        let url = reqwest::Url::parse(realm)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .with_context(|| format!("registry {host} sent a bad token realm {realm:?}"))?;
        let default_scope = format!("repository:{}:pull", self.repository);
        let mut scopes: Vec<&str> = param("scope")
            .map(|s| s.split_whitespace().collect())
            .unwrap_or_default();
        if scopes.is_empty() {
            scopes.push(&default_scope);
        }
        let service = param("service");

        let trusted = realm_trust(&self.host, &self.insecure, &url)?;
        let creds = self.credentials.as_ref().filter(|_| trusted);
        let withheld = self.credentials.is_some() && !trusted;
        let request = match creds {
            Some(creds) if creds.is_identity_token() => {
                let mut form = vec![
                    ("grant_type", "refresh_token"),
                    ("refresh_token", creds.password.as_str()),
                    ("client_id", CLIENT_ID),
                ];
                let scope = scopes.join(" ");
                if let Some(service) = service {
                    form.push(("service", service));
                }
                form.push(("scope", &scope));
                let body = form_urlencode(&form);
                self.client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
            }
            _ => {
                let mut url = url;
                {
                    let mut query = url.query_pairs_mut();
                    if let Some(service) = service {
                        query.append_pair("service", service);
                    }
                    for scope in &scopes {
                        query.append_pair("scope", scope);
                    }
                }
                let request = self.client.get(url);
                match creds {
                    Some(creds) => request.header(AUTHORIZATION, basic_header(creds)),
                    None => request,
                }
            }
        };
        let response = request
            .send()
            .with_context(|| format!("cannot reach the token service {realm} of {host}"))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            match creds {
                Some(creds) => bail!(
                    "the token service {realm} rejected the credentials of user {} for \
                     registry {host} ({status})",
                    creds.user
                ),
                None => bail!(
                    "the token service {realm} refused an anonymous token for registry {host} \
                     ({status}); give --registry-user and --registry-password-stdin, or log in \
                     with docker login"
                ),
            }
        }
        if !status.is_success() {
            bail!("the token service {realm} of registry {host} answered {status}");
        }
        let body: serde_json::Value = response.json().with_context(|| {
            format!("the token service {realm} of registry {host} did not answer JSON")
        })?;
        let token = ["token", "access_token"]
            .iter()
            .filter_map(|k| body.get(*k).and_then(|t| t.as_str()))
            .find(|t| !t.is_empty())
            .with_context(|| {
                format!("the token service {realm} of registry {host} returned no token")
            })?;
        let lifetime = body
            .get("expires_in")
            .and_then(|e| e.as_u64())
            .filter(|&e| e > 0)
            .unwrap_or(DEFAULT_TOKEN_LIFETIME);
        // Fetch a new token a little before this one runs out (never later than it does).
        let margin = (lifetime / 6).min(10);
        Ok(Authorization {
            header: format!("Bearer {token}"),
            user: creds.map(|c| c.user.clone()),
            realm: Some(realm.to_string()),
            withheld,
            refresh: Some((
                Instant::now() + Duration::from_secs(lifetime - margin),
                params.to_vec(),
            )),
        })
    }
}

/// Token services of public registries that live on another host than the registry itself.
const KNOWN_REALMS: &[(&str, &str)] = &[
    ("registry-1.docker.io", "auth.docker.io"),
    ("docker.io", "auth.docker.io"),
    ("index.docker.io", "auth.docker.io"),
    ("registry.gitlab.com", "gitlab.com"),
];

/// Whether the token realm `realm` of the registry `registry` (`host[:port]`) may receive the
/// registry's credentials: only over https, or over http to a host the user named with
/// `--insecure-registry`; and only on the registry's own host and port, a host the user named
/// the same way, or a public registry's known token service. A realm that turns an https
/// registry's authentication into plain http is refused outright, credentials or not.
pub fn realm_trust(registry: &str, named: &[String], realm: &reqwest::Url) -> Result<bool> {
    let Some(realm_host) = url_host(realm.as_str()) else {
        bail!("registry {registry} sent a token realm without a host");
    };
    let registry_https = !named.iter().any(|h| h == registry);
    let realm_named = named.contains(&realm_host);
    if realm.scheme() != "https" && registry_https && !realm_named {
        bail!(
            "registry {registry} is reached over https but sent a plain-http token realm \
             {realm_host}: refused (name it with --insecure-registry to allow it)"
        );
    }
    let secure = realm.scheme() == "https" || realm_named;
    let same_host = realm_host == registry
        || realm_host == format!("{registry}:443") && realm.scheme() == "https";
    let known = KNOWN_REALMS
        .iter()
        .any(|(r, t)| *r == registry && *t == realm_host);
    Ok(secure && (same_host || realm_named || known))
}

fn basic_header(creds: &Credentials) -> String {
    format!(
        "Basic {}",
        BASE64.encode(format!("{}:{}", creds.user, creds.password))
    )
}

/// `host[:port]` of a URL, as `--insecure-registry` names it.
pub fn url_host(url: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

fn form_urlencode(pairs: &[(&str, &str)]) -> String {
    let mut url = reqwest::Url::parse("http://form.invalid/").expect("a valid constant URL");
    url.query_pairs_mut().extend_pairs(pairs);
    url.query().unwrap_or_default().to_string()
}

/// The scheme of a `WWW-Authenticate` challenge and the text of its parameters.
pub fn split_challenge(challenge: &str) -> (&str, &str) {
    challenge
        .trim()
        .split_once(' ')
        .unwrap_or((challenge.trim(), ""))
}

/// `key="value", key=value` pairs of an authentication challenge.
pub fn parse_params(text: &str) -> Vec<(String, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenge_params_parse() {
        let p = parse_params(
            r#"realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(p[0], ("realm".into(), "https://auth.example/token".into()));
        assert_eq!(p[1], ("service".into(), "reg".into()));
        assert_eq!(p[2], ("scope".into(), "repository:a/b:pull,push".into()));
    }

    #[test]
    fn realm_hosts_are_named_like_insecure_registries() {
        assert_eq!(
            url_host("http://127.0.0.1:5001/token").as_deref(),
            Some("127.0.0.1:5001")
        );
        assert_eq!(
            url_host("https://auth.docker.io/token").as_deref(),
            Some("auth.docker.io")
        );
    }

    #[test]
    fn credentials_go_only_to_the_registry_host_or_a_named_realm() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        let none: Vec<String> = Vec::new();
        let trust = |registry: &str, named: &[String], realm: &str| {
            realm_trust(registry, named, &url(realm))
        };
        assert!(trust("reg.example", &none, "https://reg.example/token").unwrap());
        // Another host, or another port of the same host, is not the registry.
        assert!(!trust("reg.example", &none, "https://evil.example/token").unwrap());
        assert!(!trust("reg.example:5000", &none, "https://reg.example:5001/t").unwrap());
        assert!(
            trust(
                "registry-1.docker.io",
                &none,
                "https://auth.docker.io/token"
            )
            .unwrap()
        );
        // Named by the user: allowed, over http too.
        let named = vec!["127.0.0.1:5000".to_string(), "127.0.0.2:5001".to_string()];
        assert!(trust("127.0.0.1:5000", &named, "http://127.0.0.2:5001/token").unwrap());
        assert!(!trust("127.0.0.1:5000", &named[..1], "http://127.0.0.2:5001/token").unwrap());
        // An https registry's realm over plain http is a downgrade: refused outright.
        assert!(trust("reg.example", &none, "http://reg.example/token").is_err());
    }

    #[test]
    fn forms_are_encoded() {
        assert_eq!(
            form_urlencode(&[("scope", "repository:a/b:pull x"), ("k", "&=")]),
            "scope=repository%3Aa%2Fb%3Apull+x&k=%26%3D"
        );
    }
}
