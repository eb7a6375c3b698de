//! A small blocking HTTP client for providers' REST APIs (CI logs, organisation listings): the token goes to the API host only
//! (redirects are followed by hand, without it), rate limits are waited out within a bound, and
//! error statuses become messages that say what they mean.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use reqwest::Url;
use reqwest::blocking::{Client, Response};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER};

/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 5;
/// Rate-limited attempts of one request before giving up.
const MAX_RATE_LIMIT_RETRIES: usize = 4;

/// An HTTP error status from the API, kept so callers can tell 404 from 410 from the rest.
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status} from {url}: {message}")]
pub struct StatusError {
    /// The status code.
    pub status: u16,
    /// The URL requested (never with credentials).
    pub url: String,
    /// The provider's message, or what the status means.
    pub message: String,
}

/// How to reach a CI provider's API, the same for every provider's source.
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// The API's base URL.
    pub url: String,
    /// The token sent with each request, if any.
    pub token: Option<String>,
    /// Longest wait for a rate limit to reset.
    pub max_wait: Duration,
}

/// The headers GitHub's REST API documents for every request: the token (when there is one) as a
/// bearer, its JSON media type and the API version ferret was written against.
pub fn github_headers(token: Option<&str>) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    if let Some(token) = token {
        let (k, v) = header("authorization", &format!("Bearer {token}"))?;
        headers.insert(k, v);
    }
    let (k, v) = header("accept", "application/vnd.github+json")?;
    headers.insert(k, v);
    let (k, v) = header("x-github-api-version", "2022-11-28")?;
    headers.insert(k, v);
    Ok(headers)
}

/// A client for one provider's API.
pub struct ApiClient {
    client: Client,
    base: Url,
    /// Headers sent to the API host only (the token among them).
    api_headers: HeaderMap,
    /// Longest single wait for a rate limit to reset.
    max_wait: Duration,
}

impl ApiClient {
    /// A client for the API at `base`. Plain `http` is accepted only for loopback addresses.
    pub fn new(base: &str, api_headers: HeaderMap, max_wait: Duration) -> Result<Self> {
        let trimmed = base.trim_end_matches('/');
        let base = Url::parse(&format!("{trimmed}/"))
            .with_context(|| format!("invalid API URL {base:?}"))?;
        let loopback = matches!(
            base.host_str(),
            Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
        );
        match base.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => bail!("API URL {trimmed} must use https (a token is sent to it)"),
        }
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(600))
            .user_agent(concat!("ferret/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot build the HTTP client")?;
        Ok(Self {
            client,
            base,
            api_headers,
            max_wait,
        })
    }

    /// The absolute URL of API path `path` (which may carry a query).
    pub fn url(&self, path: &str) -> Result<Url> {
        self.base
            .join(path.trim_start_matches('/'))
            .with_context(|| format!("invalid API path {path:?}"))
    }

    /// Fails unless `url` is on the API's own scheme, host and port: a next-page link elsewhere
    /// would receive the token.
    pub fn check_same_origin(&self, url: &Url) -> Result<()> {
        if url.origin() != self.base.origin() {
            bail!(
                "refusing to send the token to {} (not the API host)",
                without_query(url)
            );
        }
        Ok(())
    }

    /// GETs `url` from the API with its headers, waiting out rate limits, and follows redirects to
    /// other locations without those headers. Error statuses become [`StatusError`].
    pub fn get(&self, url: &Url) -> Result<Response> {
        let mut attempts = 0;
        let response = loop {
            let response = self
                .client
                .get(url.clone())
                .headers(self.api_headers.clone())
                .send()
                .with_context(|| format!("GET {url}"))?;
            if let Some(wait) = rate_limit_wait(&response) {
                attempts += 1;
                if attempts > MAX_RATE_LIMIT_RETRIES {
                    bail!("rate limited by {url} after {MAX_RATE_LIMIT_RETRIES} retries");
                }
                if wait > self.max_wait {
                    bail!(
                        "rate limited by {url} for {}s, longer than --max-wait {}s",
                        wait.as_secs(),
                        self.max_wait.as_secs()
                    );
                }
                std::thread::sleep(wait);
                continue;
            }
            break response;
        };
        // The quota is spent: wait for it to reset before the next request rather than fail it.
        if remaining_is_zero(&response)
            && let Some(wait) = reset_wait(&response)
        {
            std::thread::sleep(wait.min(self.max_wait));
        }
        if response.status().is_redirection() {
            return self.follow(url, response);
        }
        check_status(url, response)
    }

    /// Follows a redirect without the API's headers: the token never leaves the API host.
    fn follow(&self, from: &Url, mut response: Response) -> Result<Response> {
        let mut current = from.clone();
        for _ in 0..MAX_REDIRECTS {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| anyhow!("redirect from {current} without a Location"))?;
            let next = current
                .join(location)
                .with_context(|| format!("bad redirect Location from {current}"))?;
            if next.scheme() != "https" && next.scheme() != "http" {
                bail!(
                    "redirect from {current} to unsupported scheme {}",
                    next.scheme()
                );
            }
            response = self
                .client
                .get(next.clone())
                .send()
                .with_context(|| format!("GET {}", without_query(&next)))?;
            current = next;
            if !response.status().is_redirection() {
                return check_status(&current, response);
            }
        }
        bail!("too many redirects from {from}")
    }
}

/// A header for [`ApiClient::new`]'s map.
pub fn header(name: &'static str, value: &str) -> Result<(HeaderName, HeaderValue)> {
    let mut value =
        HeaderValue::from_str(value).with_context(|| format!("invalid value for header {name}"))?;
    value.set_sensitive(true);
    Ok((HeaderName::from_static(name), value))
}

/// A URL as shown in messages: signed download URLs carry credentials in their query.
fn without_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.to_string()
}

fn check_status(url: &Url, response: Response) -> Result<Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.text().unwrap_or_default();
    let provider_message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .or_else(|| v.get("error"))
                .and_then(|m| m.as_str().map(str::to_string))
        });
    let meaning = match status.as_u16() {
        401 => "bad or missing credentials",
        403 => "forbidden: the token lacks access",
        404 => "not found (deleted, or not visible to this token)",
        410 => "gone: the logs have expired or were deleted",
        _ => "unexpected answer",
    };
    let message = match provider_message {
        Some(m) if !m.is_empty() => format!("{meaning} ({m})"),
        _ => meaning.to_string(),
    };
    Err(StatusError {
        status: status.as_u16(),
        url: without_query(url),
        message,
    }
    .into())
}

fn header_str<'r>(response: &'r Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

fn remaining_is_zero(response: &Response) -> bool {
    header_str(response, "x-ratelimit-remaining").is_some_and(|v| v.trim() == "0")
}

/// Time until `x-ratelimit-reset` (epoch seconds), at least one second.
fn reset_wait(response: &Response) -> Option<Duration> {
    let reset: u64 = header_str(response, "x-ratelimit-reset")?
        .trim()
        .parse()
        .ok()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now).max(1)))
}

/// How long to wait before retrying a rate-limited answer, or `None` when it is not one.
fn rate_limit_wait(response: &Response) -> Option<Duration> {
    let status = response.status().as_u16();
    if status != 403 && status != 429 {
        return None;
    }
    if let Some(secs) = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return Some(Duration::from_secs(secs));
    }
    if remaining_is_zero(response) {
        return reset_wait(response).or(Some(Duration::from_secs(60)));
    }
    // A 429 without hints still asks for patience; a plain 403 is a permission error.
    (status == 429).then_some(Duration::from_secs(5))
}

/// The URL of the `rel="next"` page in a `Link` header.
pub fn next_link(response: &Response) -> Option<String> {
    parse_next_link(header_str(response, "link")?)
}

fn parse_next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

/// The next page of a GitLab-style listing: `x-next-page` (a page number that `page_url` turns into
/// a URL), else a `Link: rel="next"` on the API's own origin. `None` on the last page.
pub fn next_page(
    client: &ApiClient,
    response: &Response,
    page_url: &dyn Fn(&str) -> Url,
) -> Result<Option<Url>> {
    let next = response
        .headers()
        .get("x-next-page")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    if let Some(page) = next {
        if !page.bytes().all(|b| b.is_ascii_digit()) {
            bail!("bad x-next-page header {page:?}");
        }
        return Ok(Some(page_url(page)));
    }
    match next_link(response) {
        Some(link) => {
            let link = Url::parse(&link).with_context(|| format!("bad Link URL {link:?}"))?;
            client.check_same_origin(&link)?;
            Ok(Some(link))
        }
        None => Ok(None),
    }
}

/// Reads a response body of at most `limit` bytes; `None` when it is larger.
pub fn read_limited(response: Response, limit: u64) -> Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut data = Vec::new();
    response
        .take(limit.saturating_add(1))
        .read_to_end(&mut data)
        .context("cannot read the response body")?;
    Ok((data.len() as u64 <= limit).then_some(data))
}

/// Accepts `YYYY-MM-DD` (midnight UTC) or an RFC 3339 date-time for `--since`.
pub fn check_since(since: &str) -> Result<()> {
    match parse_instant(since) {
        Some(_) => Ok(()),
        None => bail!("--since {since:?} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"),
    }
}

/// `YYYY-MM-DD` as midnight UTC, or an RFC 3339 timestamp with its offset.
fn parse_instant(text: &str) -> Option<jiff::Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    let date: jiff::civil::Date = text.parse().ok()?;
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// Whether an API timestamp (`2024-01-01T00:00:00Z`, `...000+02:00`) is at or after `since`. An
/// answer whose timestamp does not parse is kept: better one run too many than a run left out.
pub fn at_or_after(created_at: &str, since: &str) -> bool {
    match (parse_instant(created_at), parse_instant(since)) {
        (Some(created), Some(since)) => created >= since,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_next_page() {
        let link = r#"<https://api.github.com/repositories/1/actions/runs?page=2>; rel="next", <https://api.github.com/repositories/1/actions/runs?page=5>; rel="last""#;
        assert_eq!(
            parse_next_link(link).as_deref(),
            Some("https://api.github.com/repositories/1/actions/runs?page=2")
        );
        assert_eq!(parse_next_link(r#"<https://x/?page=1>; rel="prev""#), None);
    }

    #[test]
    fn since_dates() {
        assert!(check_since("2024-01-31").is_ok());
        assert!(check_since("2024-01-31T10:00:00Z").is_ok());
        assert!(check_since("yesterday").is_err());
        assert!(at_or_after("2024-02-01T00:00:00Z", "2024-01-31"));
        assert!(!at_or_after("2024-01-30T23:59:59Z", "2024-01-31"));
        // Offsets and fractions are instants, not strings.
        assert!(!at_or_after("2024-01-31T01:00:00+02:00", "2024-01-31"));
        assert!(at_or_after(
            "2024-01-31T00:00:00.123Z",
            "2024-01-31T00:00:00Z"
        ));
        assert!(check_since("2024-02-30").is_err());
    }

    #[test]
    fn plain_http_only_for_loopback() {
        assert!(ApiClient::new("http://127.0.0.1:8080", HeaderMap::new(), Duration::ZERO).is_ok());
        assert!(ApiClient::new("http://example.com", HeaderMap::new(), Duration::ZERO).is_err());
        assert!(
            ApiClient::new(
                "https://ghe.example.com/api/v3",
                HeaderMap::new(),
                Duration::ZERO
            )
            .is_ok()
        );
    }
}
