//! Runs one data-described check: expands the templates, sends the request and reads the answer
//! against the spec's live and dead answers.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::Value;

use super::http::{HttpClient, Request, Response};
use super::spec::{Answer, Place, VerifySpec, expand, split_url};
use super::{CheckResult, Verdict};

/// Builds the request a spec describes for `values` (`secret`, `partner`, captures).
pub fn build_request(
    spec: &VerifySpec,
    values: &BTreeMap<String, String>,
) -> anyhow::Result<Request> {
    let url = expand(&spec.url, values, Place::Url)?;
    let mut headers = Vec::new();
    let mut json_body = false;
    for (name, template) in &spec.headers {
        let value = expand(template, values, Place::Header)?;
        if name.eq_ignore_ascii_case("content-type") && value.contains("json") {
            json_body = true;
        }
        headers.push((name.clone(), value));
    }
    if let Some(auth) = &spec.basic_auth {
        let user = expand(&auth.user, values, Place::Raw)?;
        let password = expand(&auth.password, values, Place::Raw)?;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        headers.push(("authorization".into(), format!("Basic {token}")));
    }
    let body = match &spec.body {
        Some(template) => {
            let place = if json_body {
                Place::JsonBody
            } else {
                Place::FormBody
            };
            Some(expand(template, values, place)?.into_bytes())
        }
        None => None,
    };
    let template_host = split_url(&spec.url)
        .map(|(_, host, _)| host)
        .map_err(anyhow::Error::msg)?;
    let fixed_host = (!template_host.contains('{')).then(|| template_host.to_string());
    Ok(Request {
        method: spec.method.as_str(),
        url,
        headers,
        body,
        allowed_hosts: spec.hosts.clone(),
        fixed_host,
    })
}

/// Sends the spec's request and classifies the answer.
pub fn run(
    client: &HttpClient,
    provider: &str,
    spec: &VerifySpec,
    values: &BTreeMap<String, String>,
) -> CheckResult {
    let request = match build_request(spec, values) {
        Ok(r) => r,
        Err(e) => return CheckResult::unknown(format!("cannot build the request: {e:#}")),
    };
    match client.send(provider, &request) {
        Ok(response) => classify(spec, &response).answered(response.status),
        Err(failure) => CheckResult::unknown(failure.to_string()),
    }
}

/// Reads an answer: live, dead, or unknown with what was unexpected.
pub fn classify(spec: &VerifySpec, response: &Response) -> CheckResult {
    let json: Option<Value> = serde_json::from_slice(&response.body).ok();
    let body = String::from_utf8_lossy(&response.body);
    if spec
        .live
        .iter()
        .any(|a| answer_matches(a, response, json.as_ref(), &body))
    {
        return CheckResult {
            verdict: Verdict::Live,
            detail: identity(spec, response, json.as_ref()),
            http_status: None,
            access: access(spec, response, json.as_ref()),
        };
    }
    if spec
        .dead
        .iter()
        .any(|a| answer_matches(a, response, json.as_ref(), &body))
    {
        let reason = json
            .as_ref()
            .and_then(|j| {
                [
                    "error",
                    "message",
                    "error.message",
                    "errors.0.message",
                    "detail",
                ]
                .iter()
                .find_map(|p| json_at(j, p).and_then(scalar_text))
            })
            .map(|m| format!(": {}", truncate(&m, 120)))
            .unwrap_or_default();
        return CheckResult {
            verdict: Verdict::Dead,
            detail: format!("rejected (HTTP {}{reason})", response.status),
            http_status: None,
            access: super::Access::new(),
        };
    }
    let what = if json.is_none() && !response.body.is_empty() && spec_wants_json(spec) {
        "a malformed answer"
    } else {
        "an unexpected answer"
    };
    CheckResult::unknown(format!("{what} (HTTP {})", response.status))
}

fn spec_wants_json(spec: &VerifySpec) -> bool {
    !spec.identity.is_empty()
        || spec
            .live
            .iter()
            .any(|a| !a.json.is_empty() || !a.json_present.is_empty())
}

fn answer_matches(answer: &Answer, response: &Response, json: Option<&Value>, body: &str) -> bool {
    if !answer.status.is_empty() && !answer.status.contains(&response.status) {
        return false;
    }
    if !answer.body_contains.is_empty() && !answer.body_contains.iter().any(|s| body.contains(s)) {
        return false;
    }
    if answer.json.is_empty() && answer.json_present.is_empty() {
        return true;
    }
    let Some(json) = json else {
        return false;
    };
    answer
        .json_present
        .iter()
        .all(|p| json_at(json, p).is_some_and(|v| !v.is_null()))
        && answer.json.iter().all(|(path, expected)| {
            json_at(json, path).is_some_and(|actual| match expected {
                toml::Value::Array(options) => options.iter().any(|o| toml_eq_json(o, actual)),
                single => toml_eq_json(single, actual),
            })
        })
}

fn toml_eq_json(expected: &toml::Value, actual: &Value) -> bool {
    match (expected, actual) {
        (toml::Value::String(e), Value::String(a)) => e == a,
        (toml::Value::Boolean(e), Value::Bool(a)) => e == a,
        (toml::Value::Integer(e), Value::Number(a)) => a.as_i64() == Some(*e),
        (toml::Value::Float(e), Value::Number(a)) => a.as_f64() == Some(*e),
        _ => false,
    }
}

/// Value at a dotted path (`user.login`, `errors.0.message`).
pub fn json_at<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(json, |v, key| match v {
        Value::Object(map) => map.get(key),
        Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(scalar_text).collect();
            (!parts.is_empty()).then(|| parts.join(","))
        }
        _ => None,
    }
}

/// What the live answer says the secret can reach, by the spec's `access` names.
fn access(spec: &VerifySpec, response: &Response, json: Option<&Value>) -> super::Access {
    spec.access
        .iter()
        .filter_map(|(name, source)| {
            let value = match source.strip_prefix("header:") {
                Some(header) => response.header(header).map(str::to_string),
                None => json.and_then(|j| json_at(j, source)).and_then(scalar_text),
            }?;
            let value = value.trim();
            (!value.is_empty()).then(|| (name.clone(), truncate(value, 200)))
        })
        .collect()
}

/// `field=value` pairs the provider told about the identity behind the secret.
fn identity(spec: &VerifySpec, response: &Response, json: Option<&Value>) -> String {
    let mut parts = Vec::new();
    if let Some(json) = json {
        for path in &spec.identity {
            if let Some(text) = json_at(json, path).and_then(scalar_text)
                && !text.is_empty()
            {
                let name = path.rsplit('.').next().unwrap_or(path);
                parts.push(format!("{name}={}", truncate(&text, 200)));
            }
        }
    }
    for name in &spec.identity_headers {
        if let Some(v) = response.header(name) {
            parts.push(format!("{name}={}", truncate(v, 200)));
        }
    }
    parts.join(" ")
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}
