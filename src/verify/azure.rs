//! Azure Storage: an account key is checked with "Get Blob Service Properties", a read-only call
//! on the account, signed with the key (Shared Key authorization), so the key itself is never
//! sent. The signature follows Microsoft's "Authorize with Shared Key" for the Blob service.

use std::collections::BTreeMap;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::check::build_request;
use super::http::{HttpClient, Response};
use super::spec::VerifySpec;
use super::{CheckResult, Verdict};

type HmacSha256 = Hmac<Sha256>;

/// The service version the request asks for (any version since 2009-09-19 signs the same way).
const API_VERSION: &str = "2021-08-06";

/// One request to sign.
pub struct SharedKeyInput<'a> {
    /// Method.
    pub method: &'a str,
    /// Storage account name.
    pub account: &'a str,
    /// The request path as sent (`/`, or `/devstoreaccount1/` on a path-style emulator URL).
    pub path: &'a str,
    /// Query parameters as `(name, decoded value)`.
    pub query: &'a [(&'a str, &'a str)],
    /// `x-ms-*` headers as `(name, value)`.
    pub ms_headers: &'a [(&'a str, &'a str)],
}

/// The string-to-sign of Shared Key for the Blob, Queue and File services (version 2009-09-19
/// and later), for a request without body, content headers, `Date` or conditions.
pub fn string_to_sign(input: &SharedKeyInput) -> String {
    let mut out = String::from(input.method);
    // Content-Encoding, -Language, -Length, -MD5, -Type, Date, If-Modified-Since, If-Match,
    // If-None-Match, If-Unmodified-Since, Range: all empty here.
    out.push_str(&"\n".repeat(12));
    let mut headers: Vec<(String, &str)> = input
        .ms_headers
        .iter()
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim()))
        .collect();
    headers.sort();
    for (name, value) in headers {
        out.push_str(&format!("{name}:{value}\n"));
    }
    out.push('/');
    out.push_str(input.account);
    out.push_str(input.path);
    let mut query: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (name, value) in input.query {
        query
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(value);
    }
    for (name, mut values) in query {
        values.sort_unstable();
        out.push_str(&format!("\n{name}:{}", values.join(",")));
    }
    out
}

/// `SharedKey account:signature` for `input`, or `None` if `key` is not base64.
pub fn authorization(key: &str, input: &SharedKeyInput) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD.decode(key).ok()?;
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&key).ok()?;
    mac.update(string_to_sign(input).as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    Some(format!("SharedKey {}:{signature}", input.account))
}

/// RFC 1123 date (`Sun, 06 Nov 1994 08:49:37 GMT`) for a Unix time.
pub fn http_date(unix: u64) -> String {
    super::aws::utc(unix)
        .strftime("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// Runs the signed request for the account in `values` (`account`) with the key (`secret`).
pub fn check(
    client: &HttpClient,
    provider: &str,
    spec: &VerifySpec,
    values: &BTreeMap<String, String>,
) -> CheckResult {
    let (Some(account), Some(key)) = (values.get("account"), values.get("secret")) else {
        return CheckResult::unknown("needs the storage account name next to the key");
    };
    let mut request = match build_request(spec, values) {
        Ok(r) => r,
        Err(e) => return CheckResult::unknown(format!("cannot build the request: {e:#}")),
    };
    // Sign the request as it will be sent: on a path-style (emulator) endpoint the account name
    // is part of the path, and Microsoft's emulators expect it in the signed resource too.
    let target = match client.target(provider, &request) {
        Ok(url) => url,
        Err(failure) => return CheckResult::unknown(failure.to_string()),
    };
    let query: Vec<(String, String)> = target.query_pairs().into_owned().collect();
    let query: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let date = http_date(now);
    let ms_headers = [("x-ms-date", date.as_str()), ("x-ms-version", API_VERSION)];
    let Some(auth) = authorization(
        key,
        &SharedKeyInput {
            method: request.method,
            account,
            path: target.path(),
            query: &query,
            ms_headers: &ms_headers,
        },
    ) else {
        return CheckResult::unknown("the account key is not base64");
    };
    for (name, value) in ms_headers {
        request.headers.push((name.into(), value.into()));
    }
    request.headers.push(("authorization".into(), auth));
    match client.send(provider, &request) {
        Ok(response) => classify(account, &response).answered(response.status),
        Err(failure) => CheckResult::unknown(failure.to_string()),
    }
}

/// 200 is a working key; 403 `AuthenticationFailed` a rejected one.
fn classify(account: &str, response: &Response) -> CheckResult {
    let code = response
        .header("x-ms-error-code")
        .map(str::to_string)
        .or_else(|| xml_code(&response.body));
    match (response.status, code.as_deref()) {
        (200, _) => CheckResult {
            verdict: Verdict::Live,
            detail: format!("account={account}"),
            http_status: None,
            access: super::Access::from([("account".to_string(), account.to_string())]),
        },
        (403, Some("AuthenticationFailed")) => CheckResult {
            verdict: Verdict::Dead,
            detail: "rejected (HTTP 403 AuthenticationFailed)".into(),
            http_status: None,
            access: super::Access::new(),
        },
        (status, Some(code)) => {
            CheckResult::unknown(format!("unexpected answer HTTP {status} {code}"))
        }
        (status, None) => CheckResult::unknown(format!("unexpected answer HTTP {status}")),
    }
}

/// The `<Code>` of a storage error body.
fn xml_code(body: &[u8]) -> Option<String> {
    super::aws::xml_text(&String::from_utf8_lossy(body), "Code")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_to_sign_matches_the_documented_layout() {
        // The layout of the example in "Authorize with Shared Key" (Get Container Metadata).
        let s = string_to_sign(&SharedKeyInput {
            method: "GET",
            account: "myaccount",
            path: "/mycontainer",
            query: &[
                ("restype", "container"),
                ("comp", "metadata"),
                ("timeout", "20"),
            ],
            ms_headers: &[
                ("x-ms-version", "2015-02-21"),
                ("x-ms-date", "Fri, 26 Jun 2015 23:39:12 GMT"),
            ],
        });
        assert_eq!(
            s,
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\nx-ms-version:2015-02-21\n/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20"
        );
    }

    /// A signature computed independently (Python's hmac and base64) over the string above.
    #[test]
    fn signature_vector() {
        let auth = authorization(
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
            &SharedKeyInput {
                method: "GET",
                account: "myaccount",
                path: "/mycontainer",
                query: &[("restype", "container"), ("comp", "metadata"), ("timeout", "20")],
                ms_headers: &[
                    ("x-ms-version", "2015-02-21"),
                    ("x-ms-date", "Fri, 26 Jun 2015 23:39:12 GMT"),
                ],
            },
        )
        .unwrap();
        assert_eq!(auth, format!("SharedKey myaccount:{}", VECTOR_SIGNATURE));
    }

    const VECTOR_SIGNATURE: &str = "1u9lui2jDxj0+fpbHjQ5m5NnastJRSYM+PSmfi8TXx4=";

    #[test]
    fn dates() {
        assert_eq!(http_date(1_435_361_952), "Fri, 26 Jun 2015 23:39:12 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn bad_keys_are_refused() {
        let input = SharedKeyInput {
            method: "GET",
            account: "a",
            path: "/",
            query: &[],
            ms_headers: &[],
        };
        assert!(authorization("not base64!", &input).is_none());
    }
}
