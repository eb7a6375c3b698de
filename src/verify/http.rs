//! The HTTP client verifiers use: https to the provider's own host only, no redirect to another
//! host, bounded answers, per-host pacing and bounded `Retry-After` handling. Errors it returns never
//! contain the URL (which may hold a secret in its path).

use std::collections::HashMap;
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use reqwest::Url;
use reqwest::blocking::Client;
use reqwest::redirect::Policy;

use super::endpoint::{DATABASE_PROVIDERS, is_loopback};

/// Largest answer body read; provider "who am I" answers are small.
const MAX_BODY: u64 = 1 << 20;
/// Least time between two requests to one host.
const HOST_SPACING: Duration = Duration::from_millis(50);
/// Retries after a 429/503 answer.
const MAX_RETRIES: u32 = 2;
/// Longest `Retry-After` that is waited for; a longer one ends the check as `unknown`.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);
/// Redirects followed within the same host.
const MAX_SAME_HOST_REDIRECTS: usize = 3;

/// A request ready to send (values already expanded into it).
#[derive(Debug, Clone)]
pub struct Request {
    /// Method name.
    pub method: &'static str,
    /// The full URL (may contain a secret: never printed).
    pub url: String,
    /// Header name/value pairs.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Option<Vec<u8>>,
    /// Host patterns a templated host must match; empty when the host is fixed in data.
    pub allowed_hosts: Vec<String>,
    /// The host the URL template fixes (before any endpoint override), when it has no placeholder.
    pub fixed_host: Option<String>,
}

/// What a provider answered.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body (at most [`MAX_BODY`] bytes).
    pub body: Vec<u8>,
}

impl Response {
    /// First value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why no usable answer came back.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The answer was a redirect to another host, which is not followed.
    ForeignRedirect(String),
    /// Still rate limited after the allowed retries.
    RateLimited(u16),
    /// Timeout, connection failure, refused URL and the like (text holds no secret).
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::ForeignRedirect(host) => {
                write!(f, "redirected to another host ({host}); not followed")
            }
            Failure::RateLimited(status) => write!(
                f,
                "rate limited (HTTP {status}) after {MAX_RETRIES} retries"
            ),
            Failure::Other(msg) => f.write_str(msg),
        }
    }
}

/// The client shared by all verifier threads.
pub struct HttpClient {
    client: Client,
    /// Provider name -> base URL given by `--verify-endpoint`.
    endpoints: HashMap<String, Url>,
    /// Host -> earliest time the next request may start.
    next_slot: Mutex<HashMap<String, Instant>>,
}

impl HttpClient {
    /// Builds the client. `endpoints` come from `--verify-endpoint` and are validated here.
    pub fn new(timeout: Duration, endpoints: &[(String, String)]) -> Result<Self> {
        let mut overrides = HashMap::new();
        for (provider, base) in endpoints {
            if DATABASE_PROVIDERS.contains(&provider.as_str()) {
                // `HOST:PORT`, read by the database client.
                continue;
            }
            let url = Url::parse(base)
                .with_context(|| format!("--verify-endpoint {provider}: {base:?} is not a URL"))?;
            let host = url.host_str().unwrap_or_default();
            match url.scheme() {
                "https" => {}
                "http" if is_loopback(host) => {}
                _ => bail!(
                    "--verify-endpoint {provider}: only https, or plain http to a loopback address, is allowed"
                ),
            }
            if url.query().is_some() || !url.username().is_empty() {
                bail!("--verify-endpoint {provider}: give a base URL without query or user info");
            }
            overrides.insert(provider.clone(), url);
        }
        let policy = Policy::custom(|attempt| {
            let first = attempt
                .previous()
                .first()
                .map(|u| (u.scheme(), u.host_str(), u.port()));
            let next = attempt.url();
            if attempt.previous().len() > MAX_SAME_HOST_REDIRECTS {
                attempt.stop()
            } else if first == Some((next.scheme(), next.host_str(), next.port())) {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let mut builder = Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(policy)
            .user_agent(concat!(
                "ferret/",
                env!("CARGO_PKG_VERSION"),
                " (secret verification)"
            ));
        if !overrides.is_empty() {
            // Test endpoints are local; a proxy from the environment must not see them.
            builder = builder.no_proxy();
        }
        let client = builder
            .build()
            .context("cannot build the verification HTTP client")?;
        Ok(Self {
            client,
            endpoints: overrides,
            next_slot: Mutex::new(HashMap::new()),
        })
    }

    /// Resolves where `request` goes for `provider`: the URL from data, or, with an endpoint
    /// override, the same path under the override's base. Checks the host policy.
    pub fn target(&self, provider: &str, request: &Request) -> Result<Url, Failure> {
        let url = Url::parse(&request.url)
            .map_err(|e| Failure::Other(format!("the expanded URL does not parse ({e})")))?;
        let host = url.host_str().unwrap_or_default().to_string();
        let host_ok = match &request.fixed_host {
            Some(fixed) => host.eq_ignore_ascii_case(fixed),
            None => crate::verify::spec::host_matches(&host, &request.allowed_hosts),
        };
        if url.scheme() != "https" || !host_ok || url.port().is_some() {
            return Err(Failure::Other(format!(
                "refused to send to {host}: not the provider's documented https host"
            )));
        }
        let Some(base) = self.endpoints.get(provider) else {
            return Ok(url);
        };
        let mut target = base.clone();
        let base_path = base.path().trim_end_matches('/');
        target.set_path(&format!("{base_path}{}", url.path()));
        target.set_query(url.query());
        Ok(target)
    }

    /// Sends `request` for `provider`, pacing per host and retrying bounded on 429/503.
    pub fn send(&self, provider: &str, request: &Request) -> Result<Response, Failure> {
        let url = self.target(provider, request)?;
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(0)
        );
        let mut attempt = 0;
        loop {
            self.wait_for_slot(&host);
            let response = self.send_once(&url, request)?;
            if (response.status == 429 || response.status == 503) && attempt < MAX_RETRIES {
                let wait = retry_after(&response).unwrap_or(Duration::from_secs(1));
                if wait > MAX_RETRY_WAIT {
                    return Err(Failure::RateLimited(response.status));
                }
                self.push_slot(&host, wait);
                attempt += 1;
                continue;
            }
            if response.status == 429 {
                return Err(Failure::RateLimited(response.status));
            }
            if (300..400).contains(&response.status) {
                let target = response
                    .header("location")
                    .and_then(|l| url.join(l).ok())
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_else(|| "an unknown place".into());
                return Err(Failure::ForeignRedirect(target));
            }
            return Ok(response);
        }
    }

    fn send_once(&self, url: &Url, request: &Request) -> Result<Response, Failure> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| Failure::Other(format!("bad method {}", request.method)))?;
        let mut builder = self.client.request(method, url.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let response = builder.send().map_err(describe_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        response
            .take(MAX_BODY)
            .read_to_end(&mut body)
            .map_err(|e| Failure::Other(format!("cannot read the answer: {e}")))?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// Blocks until `host` may be sent another request, and reserves the slot after it.
    fn wait_for_slot(&self, host: &str) {
        let wait = {
            let mut slots = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = slots.get(host).copied().unwrap_or(now).max(now);
            slots.insert(host.to_string(), slot + HOST_SPACING);
            slot - now
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }

    /// Moves `host`'s next slot at least `delay` into the future (a `Retry-After`).
    fn push_slot(&self, host: &str, delay: Duration) {
        let mut slots = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
        let at = Instant::now() + delay;
        let slot = slots.entry(host.to_string()).or_insert(at);
        *slot = (*slot).max(at);
    }
}

/// A reqwest error as text without its URL.
fn describe_error(err: reqwest::Error) -> Failure {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_redirect() {
        "too many redirects"
    } else {
        "request failed"
    };
    let err = err.without_url();
    let mut detail = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        source = s.source();
    }
    Failure::Other(format!("{kind} ({detail})"))
}

/// `Retry-After` in seconds (the HTTP-date form is treated as absent).
fn retry_after(response: &Response) -> Option<Duration> {
    response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}
