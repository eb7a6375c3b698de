//! The verifier data schema (`verify` tables in rules and `rules/verify.toml`), its validation, and
//! template expansion with the escaping each place in a request needs.
//!
//! A template is text with placeholders `{name}` or `{name|filter}`. `name` is `secret`, `partner`
//! (the secret of the partner rule's finding) or another named group the rule captured. Anything
//! else in braces (a GraphQL query, JSON) is literal text.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// `rules/verify.toml`, compiled into the binary.
pub static EMBEDDED_VERIFY_FILE: &str = include_str!("../../rules/verify.toml");

/// How a check is carried out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// One HTTP request described entirely by the table.
    #[default]
    Http,
    /// AWS `sts:GetCallerIdentity`, signed with SigV4 (the secret never leaves the machine).
    AwsSts,
    /// Azure Storage "Get Blob Service Properties", signed with the account key (Shared Key).
    AzureStorage,
    /// Log in to the PostgreSQL server a connection URL names, then close (no query).
    Postgres,
    /// Log in to the MySQL or MariaDB server a connection URL names, then close (no query).
    Mysql,
    /// A Google Cloud service-account key: a JWT signed with it is exchanged for a token.
    GcpServiceAccount,
}

impl CheckKind {
    /// Whether the check logs in to a database instead of sending an HTTP request.
    pub fn is_database(self) -> bool {
        matches!(self, CheckKind::Postgres | CheckKind::Mysql)
    }
}

/// HTTP methods a verifier may use. There is deliberately no PUT, PATCH or DELETE.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// Read.
    #[default]
    Get,
    /// For APIs that read via POST (GraphQL, Slack) or reject a deliberately invalid payload.
    Post,
    /// Read headers only.
    Head,
}

impl HttpMethod {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Head => "HEAD",
        }
    }
}

/// Basic authentication built from templates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// User name template.
    pub user: String,
    /// Password template.
    #[serde(default)]
    pub password: String,
}

/// What an answer must look like to count as live (or dead). All given conditions must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Accepted status codes; empty accepts any.
    #[serde(default)]
    pub status: Vec<u16>,
    /// JSON fields (dotted paths) that must equal the value, or one of the values of an array.
    #[serde(default)]
    pub json: BTreeMap<String, toml::Value>,
    /// JSON fields (dotted paths) that must be present and not null.
    #[serde(default)]
    pub json_present: Vec<String>,
    /// The body must contain one of these strings (when given).
    #[serde(default)]
    pub body_contains: Vec<String>,
}

/// One answer or a list of alternatives.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Answer),
    Many(Vec<Answer>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<Answer> {
        match self {
            OneOrMany::One(a) => vec![a],
            OneOrMany::Many(v) => v,
        }
    }
}

/// A verify table as written in data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    provider: Option<String>,
    #[serde(default)]
    kind: CheckKind,
    #[serde(default)]
    method: HttpMethod,
    #[serde(default)]
    url: String,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<String>,
    basic_auth: Option<BasicAuth>,
    partner: Option<String>,
    #[serde(default)]
    companions: BTreeMap<String, String>,
    #[serde(default)]
    also: Vec<String>,
    live: Option<OneOrMany>,
    dead: Option<OneOrMany>,
    #[serde(default)]
    live_status: Vec<u16>,
    #[serde(default)]
    dead_status: Vec<u16>,
    #[serde(default)]
    identity: Vec<String>,
    #[serde(default)]
    identity_headers: Vec<String>,
    #[serde(default)]
    access: BTreeMap<String, String>,
}

/// A validated verifier: where to send a secret and how to read the answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawSpec")]
pub struct VerifySpec {
    /// Provider name: what `--verify-endpoint` and per-provider reporting refer to.
    pub provider: Option<String>,
    /// Plain HTTP or provider code.
    pub kind: CheckKind,
    /// HTTP method.
    pub method: HttpMethod,
    /// URL template; its scheme is https and its host is fixed (or matched by `hosts`). Empty for
    /// database checks, whose server is the one the secret's own URL names.
    pub url: String,
    /// Host patterns (`*.example.com`) a templated host must match.
    pub hosts: Vec<String>,
    /// Header templates.
    pub headers: BTreeMap<String, String>,
    /// Body template.
    pub body: Option<String>,
    /// Basic authentication templates.
    pub basic_auth: Option<BasicAuth>,
    /// Rule id whose finding in the same blob supplies `{partner}`.
    pub partner: Option<String>,
    /// Placeholder name -> companion rule id: where the rule itself does not capture a value,
    /// that rule's finding in the same file supplies it (a shop domain, an account e-mail).
    pub companions: BTreeMap<String, String>,
    /// More rule ids this verifier applies to (verify.toml only).
    pub also: Vec<String>,
    /// Answers that mean the secret works.
    pub live: Vec<Answer>,
    /// Answers that mean the provider rejected it.
    pub dead: Vec<Answer>,
    /// JSON fields (dotted paths) that describe whom the secret belongs to.
    pub identity: Vec<String>,
    /// Response headers that describe the identity or scopes.
    pub identity_headers: Vec<String>,
    /// What a live secret can reach, by name: each value a dotted JSON path of the live answer,
    /// or `header:NAME` for a response header (`scopes = "header:x-oauth-scopes"`).
    pub access: BTreeMap<String, String>,
}

impl TryFrom<RawSpec> for VerifySpec {
    type Error = String;

    fn try_from(raw: RawSpec) -> Result<Self, String> {
        let mut live = raw.live.map(OneOrMany::into_vec).unwrap_or_default();
        let mut dead = raw.dead.map(OneOrMany::into_vec).unwrap_or_default();
        if !raw.live_status.is_empty() {
            live.push(Answer {
                status: raw.live_status,
                ..Answer::default()
            });
        }
        if !raw.dead_status.is_empty() {
            dead.push(Answer {
                status: raw.dead_status,
                ..Answer::default()
            });
        }
        if raw.kind == CheckKind::Http {
            if live.is_empty() {
                live.push(Answer {
                    status: vec![200],
                    ..Answer::default()
                });
            }
            if dead.is_empty() {
                dead.push(Answer {
                    status: vec![401, 403],
                    ..Answer::default()
                });
            }
        }
        let spec = VerifySpec {
            provider: raw.provider,
            kind: raw.kind,
            method: raw.method,
            url: raw.url,
            hosts: raw.hosts,
            headers: raw.headers,
            body: raw.body,
            basic_auth: raw.basic_auth,
            partner: raw.partner,
            companions: raw.companions,
            also: raw.also,
            live,
            dead,
            identity: raw.identity,
            identity_headers: raw.identity_headers,
            access: raw.access,
        };
        spec.validate()?;
        Ok(spec)
    }
}

/// Placeholder filters.
const FILTERS: &[&str] = &["url_path", "after_dash"];

impl VerifySpec {
    /// Checks what can be checked without the rule: the URL's scheme and host, templates, answers.
    fn validate(&self) -> Result<(), String> {
        if self.kind.is_database() {
            if !self.url.is_empty()
                || !self.headers.is_empty()
                || self.body.is_some()
                || self.basic_auth.is_some()
                || self.partner.is_some()
            {
                return Err(
                    "a database check takes its server from the secret's URL: give no url, headers, body, basic_auth or partner"
                        .into(),
                );
            }
            return Ok(());
        }
        for (name, source) in &self.access {
            let name_ok =
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            let source = source.strip_prefix("header:").unwrap_or(source);
            if !name_ok || source.is_empty() || source.chars().any(char::is_whitespace) {
                return Err(format!(
                    "access {name:?} = {source:?}: a lower-case name and a JSON path or header:NAME"
                ));
            }
        }
        let (scheme, host, _) = split_url(&self.url)?;
        if scheme != "https" {
            return Err(format!(
                "url {:?} must be https: secrets are only sent over TLS",
                self.url
            ));
        }
        let templated_host = host.contains('{');
        if templated_host && self.hosts.is_empty() {
            return Err(format!(
                "url {:?} has a placeholder in its host; list the provider's hosts in `hosts` (e.g. \"*.example.com\")",
                self.url
            ));
        }
        if templated_host && (host.contains("{secret}") || host.contains("{secret|url_path}")) {
            return Err("the secret may not be part of a host name".into());
        }
        for pattern in &self.hosts {
            let fixed = pattern.strip_prefix("*.").unwrap_or(pattern);
            if fixed.is_empty()
                || fixed.contains('*')
                || !fixed
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
                || !fixed.contains('.')
            {
                return Err(format!(
                    "hosts entry {pattern:?} must be a host name, optionally starting with \"*.\""
                ));
            }
        }
        for template in self.templates() {
            for p in placeholders(template) {
                if let Some(f) = &p.filter
                    && !FILTERS.contains(&f.as_str())
                {
                    return Err(format!(
                        "unknown filter {f:?} in {template:?} (known: {})",
                        FILTERS.join(", ")
                    ));
                }
                if p.name == "partner" && self.partner.is_none() {
                    return Err(format!(
                        "{template:?} uses {{partner}} but no `partner` rule is named"
                    ));
                }
            }
        }
        for name in self.companions.keys() {
            let ident = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !ident || name == "secret" || name == "partner" {
                return Err(format!(
                    "companion {name:?} must be a placeholder name other than secret and partner"
                ));
            }
        }
        if self.kind == CheckKind::GcpServiceAccount
            && !(self.companions.contains_key("private_key")
                && self.companions.contains_key("email"))
        {
            return Err(
                "kind \"gcp-service-account\" needs companions private_key and email".into(),
            );
        }
        if self.kind == CheckKind::AwsSts && self.partner.is_none() {
            return Err("kind \"aws-sts\" needs `partner` (the access key id rule)".into());
        }
        if self.live.is_empty() && self.kind == CheckKind::Http {
            return Err("needs at least one `live` answer".into());
        }
        for answer in self.live.iter().chain(&self.dead) {
            if answer.status.is_empty()
                && answer.json.is_empty()
                && answer.json_present.is_empty()
                && answer.body_contains.is_empty()
            {
                return Err(
                    "an answer with no condition would match anything; give `status`, `json`, `json_present` or `body_contains`"
                        .into(),
                );
            }
        }
        for name in self.headers.keys() {
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(format!("header name {name:?} is not a valid header name"));
            }
        }
        Ok(())
    }

    /// Every template of the spec: URL, headers, body, basic auth.
    fn templates(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.url.as_str())
            .chain(self.headers.values().map(String::as_str))
            .chain(self.body.as_deref())
            .chain(
                self.basic_auth
                    .iter()
                    .flat_map(|b| [b.user.as_str(), b.password.as_str()]),
            )
    }

    /// Names of every value the templates use (`secret`, `partner`, captures).
    pub fn used_names(&self) -> BTreeSet<String> {
        let mut names: BTreeSet<String> = self
            .templates()
            .flat_map(placeholders)
            .map(|p| p.name)
            .collect();
        // A check in code reads its values by name rather than through templates.
        if self.kind == CheckKind::GcpServiceAccount {
            names.extend(["private_key", "email"].map(String::from));
        }
        names
    }

    /// Checks the spec against the rule it is attached to: every placeholder must be the secret,
    /// the partner or a group of the rule's pattern.
    pub fn check_against_rule(&self, capture_names: &[&str]) -> Result<(), String> {
        if self.kind.is_database() && !capture_names.contains(&"host") {
            return Err(
                "a database check needs the rule's pattern to capture the server as `host`".into(),
            );
        }
        for name in self.used_names() {
            if name != "secret"
                && name != "partner"
                && !capture_names.contains(&name.as_str())
                && !self.companions.contains_key(&name)
            {
                return Err(format!(
                    "placeholder {{{name}}} is neither `secret`, `partner`, a named group of the rule's pattern nor a companion"
                ));
            }
        }
        Ok(())
    }

    /// The provider name: explicit, or the first word of the rule id.
    pub fn provider_name(&self, rule_id: &str) -> String {
        self.provider
            .clone()
            .unwrap_or_else(|| rule_id.split('-').next().unwrap_or(rule_id).to_string())
    }
}

/// `(scheme, host-with-port, rest)` of a URL template, where rest starts with `/` or is empty.
pub fn split_url(url: &str) -> Result<(&str, &str, &str), String> {
    let (scheme, after) = url
        .split_once("://")
        .ok_or_else(|| format!("url {url:?} has no scheme"))?;
    let mut end = after.find(['/', '?']).unwrap_or(after.len());
    // `{secret|url_path}` supplies the whole path, so the host ends where it starts.
    if let Some(filter) = after[..end].find("|url_path}")
        && let Some(open) = after[..filter].rfind('{')
    {
        end = open;
    }
    let host = &after[..end];
    if host.is_empty() || host.contains('@') {
        return Err(format!("url {url:?} must name a host (and no user info)"));
    }
    Ok((scheme, host, &after[end..]))
}

/// One `{name}` or `{name|filter}` in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Value name.
    pub name: String,
    /// Filter applied to the value.
    pub filter: Option<String>,
}

/// Splits a template into literal text and placeholders.
fn parse_template(template: &str) -> Vec<Result<&str, Placeholder>> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let inner_end = after.find('}');
        let placeholder = inner_end.and_then(|end| {
            let inner = &after[..end];
            let (name, filter) = match inner.split_once('|') {
                Some((n, f)) => (n, Some(f)),
                None => (inner, None),
            };
            let ident = |s: &str| {
                s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                    && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            };
            (ident(name) && filter.is_none_or(ident)).then(|| Placeholder {
                name: name.to_string(),
                filter: filter.map(str::to_string),
            })
        });
        match (placeholder, inner_end) {
            (Some(p), Some(end)) => {
                parts.push(Ok(&rest[..open]));
                parts.push(Err(p));
                rest = &after[end + 1..];
            }
            _ => {
                parts.push(Ok(&rest[..=open]));
                rest = after;
            }
        }
    }
    parts.push(Ok(rest));
    parts
}

/// The placeholders of a template.
pub fn placeholders(template: &str) -> Vec<Placeholder> {
    parse_template(template)
        .into_iter()
        .filter_map(Result::err)
        .collect()
}

/// Where an expanded value goes; each place escapes or validates differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A host name or label: only letters, digits, `-` and `.` between labels.
    Host,
    /// URL path or query: percent-encoded (unless the `url_path` filter validated it).
    Url,
    /// A header value: no line breaks.
    Header,
    /// A JSON body: JSON-string escaped.
    JsonBody,
    /// A form or other body: percent-encoded.
    FormBody,
    /// Basic-auth user or password: taken as is.
    Raw,
}

/// Expands `template` with `values`. Errors never contain a value, only its name.
pub fn expand(template: &str, values: &BTreeMap<String, String>, place: Place) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut host_done = place != Place::Url;
    // In a URL, text before the template's own `://` is the scheme: no value may go there, or
    // it could supply the `://` itself (`https:/` + `/evil.example/...`) and with it the host.
    let mut scheme_done = place != Place::Url;
    for part in parse_template(template) {
        match part {
            Ok(text) => {
                out.push_str(text);
                let has_scheme = (!scheme_done || !host_done) && out.contains("://");
                scheme_done |= has_scheme;
                if !host_done && has_scheme {
                    let after = &out[out.find("://").map_or(0, |i| i + 3)..];
                    if after.contains(['/', '?']) {
                        host_done = true;
                    }
                }
            }
            Err(p) => {
                if !scheme_done {
                    bail!("{{{}}} cannot be used before the URL's `://`", p.name);
                }
                let raw = values
                    .get(&p.name)
                    .with_context(|| format!("the finding has no value for {{{}}}", p.name))?;
                let value = apply_filter(raw, p.filter.as_deref())
                    .with_context(|| format!("{{{}}} cannot be used here", p.name))?;
                let is_path = p.filter.as_deref() == Some("url_path");
                if is_path {
                    host_done = true;
                }
                let place = if place == Place::Url && !host_done {
                    Place::Host
                } else {
                    place
                };
                let escaped = escape(&value, place, is_path)
                    .with_context(|| format!("{{{}}} cannot be used here", p.name))?;
                out.push_str(&escaped);
            }
        }
    }
    Ok(out)
}

fn apply_filter(value: &str, filter: Option<&str>) -> Result<String> {
    Ok(match filter {
        None => value.to_string(),
        Some("after_dash") => value
            .rsplit_once('-')
            .map(|(_, tail)| tail.to_string())
            .context("the value has no '-'")?,
        Some("url_path") => {
            let without_scheme = value.split_once("://").map_or(value, |(_, rest)| rest);
            let slash = without_scheme
                .find('/')
                .context("the value is not a URL with a path")?;
            without_scheme[slash..].to_string()
        }
        Some(other) => bail!("unknown filter {other:?}"),
    })
}

fn escape(value: &str, place: Place, validated_path: bool) -> Result<String> {
    Ok(match place {
        // A label (`acme`) or a dotted name (`acme.okta.com`); the `hosts` patterns then decide
        // whether the whole host is the provider's.
        Place::Host => {
            let labels_ok = value.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
            if value.len() > 253 || !labels_ok {
                bail!("a host may only hold letters, digits, '-' and '.' between labels");
            }
            value.to_ascii_lowercase()
        }
        Place::Url if validated_path => {
            if value.contains("..")
                || !value.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~')
                })
            {
                bail!("the URL path holds characters other than letters, digits and / - _ . ~");
            }
            value.to_string()
        }
        // `:` and `@` are plain path characters (a Telegram token holds a `:`).
        Place::Url => crate::uri::encode_component(value)
            .replace("%3A", ":")
            .replace("%40", "@"),
        Place::FormBody => crate::uri::encode_component(value),
        Place::Header => {
            if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
                bail!("a header value may not hold a line break");
            }
            value.to_string()
        }
        Place::JsonBody => {
            let quoted = serde_json::to_string(value)?;
            quoted[1..quoted.len() - 1].to_string()
        }
        Place::Raw => value.to_string(),
    })
}

/// Whether `host` (no port) matches one of `patterns` (`api.example.com` or `*.example.com`).
pub fn host_matches(host: &str, patterns: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    patterns.iter().any(|p| {
        let p = p.to_ascii_lowercase();
        match p.strip_prefix("*.") {
            Some(suffix) => host
                .strip_suffix(suffix)
                .is_some_and(|label| label.ends_with('.') && label.len() > 1),
            None => host == p,
        }
    })
}

/// `[verifier."rule-id"]` tables of a verify file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyFile {
    #[serde(default)]
    verifier: BTreeMap<String, VerifySpec>,
}

/// Parses a verify file into `(rule id, spec)` pairs, `also` ids expanded. `name` is for messages.
pub fn parse_verify_file(name: &str, text: &str) -> Result<Vec<(String, VerifySpec)>> {
    let file: VerifyFile =
        toml::from_str(text).with_context(|| format!("{name}: invalid verify file"))?;
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (id, spec) in file.verifier {
        for rule_id in std::iter::once(&id).chain(&spec.also) {
            if !seen.insert(rule_id.clone()) {
                bail!("{name}: rule {rule_id:?} has more than one verifier");
            }
            out.push((rule_id.clone(), spec.clone()));
        }
    }
    Ok(out)
}

/// The verifiers compiled into the binary.
pub fn embedded_verifiers() -> Result<Vec<(String, VerifySpec)>> {
    parse_verify_file("rules/verify.toml", EMBEDDED_VERIFY_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn access_names_are_lower_case_and_read_a_path_or_a_header() {
        let spec = |access: &str| {
            toml::from_str::<VerifySpec>(&format!(
                "url = \"https://api.example.com/me\"\naccess = {{ {access} }}\n"
            ))
        };
        let ok = spec(r#"owner = "login", scopes = "header:x-oauth-scopes""#).unwrap();
        assert_eq!(ok.access["scopes"], "header:x-oauth-scopes");
        for bad in [
            r#"Owner = "login""#,
            r#"owner = """#,
            r#"owner = "header:""#,
            r#"owner = "a b""#,
        ] {
            assert!(spec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn literal_braces_stay_literal() {
        let v = values(&[("secret", "a\"b")]);
        let out = expand(
            r#"{"query":"{ viewer { id } }","k":"{secret}"}"#,
            &v,
            Place::JsonBody,
        )
        .unwrap();
        assert_eq!(out, r#"{"query":"{ viewer { id } }","k":"a\"b"}"#);
    }

    #[test]
    fn url_values_are_encoded_and_host_values_checked() {
        let v = values(&[("secret", "a/b?c"), ("shop", "my-shop")]);
        assert_eq!(
            expand("https://{shop}.myshopify.com/x?k={secret}", &v, Place::Url).unwrap(),
            "https://my-shop.myshopify.com/x?k=a%2Fb%3Fc"
        );
        let bad = values(&[("shop", "evil.com/")]);
        let err = expand("https://{shop}.myshopify.com/", &bad, Place::Url).unwrap_err();
        assert!(!format!("{err:#}").contains("evil"));
    }

    #[test]
    fn url_path_filter_keeps_only_a_clean_path() {
        let v = values(&[("secret", "https://hooks.slack.com/services/T1/B2/xyz")]);
        assert_eq!(
            expand("https://hooks.slack.com{secret|url_path}", &v, Place::Url).unwrap(),
            "https://hooks.slack.com/services/T1/B2/xyz"
        );
        let v = values(&[("secret", "https://evil.example/../x")]);
        assert!(expand("https://hooks.slack.com{secret|url_path}", &v, Place::Url).is_err());
    }

    /// Found by the verify_template fuzz target: a path value after `https:/` completed the
    /// `://` and so named the host. A value before the template's own `://` is refused.
    #[test]
    fn a_value_cannot_complete_the_scheme_and_name_the_host() {
        let v = BTreeMap::from([(
            "secret".to_string(),
            "https://x/.evil.example/collect".to_string(),
        )]);
        let err = expand("https:/{secret|url_path}", &v, Place::Url).unwrap_err();
        assert!(
            err.to_string().contains("before the URL's `://`"),
            "{err:#}"
        );
        assert!(expand("{secret}://api.example.com/", &v, Place::Url).is_err());
        // Elsewhere than a URL the same text is plain text.
        assert!(expand("https:/{secret}", &v, Place::Raw).is_ok());
    }

    #[test]
    fn specs_without_tls_or_with_a_secret_host_are_rejected() {
        let parse = |t: &str| toml::from_str::<VerifyFile>(t).map(|_| ());
        assert!(parse("[verifier.x]\nurl = \"http://api.example.com/\"").is_err());
        assert!(
            parse(
                "[verifier.x]\nurl = \"https://{secret}.example.com/\"\nhosts = [\"*.example.com\"]"
            )
            .is_err()
        );
        assert!(parse("[verifier.x]\nurl = \"https://{id}.example.com/\"").is_err());
        assert!(parse("[verifier.x]\nurl = \"https://api.example.com/\"\nbogus = 1").is_err());
        assert!(parse("[verifier.x]\nurl = \"https://api.example.com/{partner}\"").is_err());
        assert!(parse("[verifier.x]\nurl = \"https://api.example.com/\"").is_ok());
    }

    #[test]
    fn host_patterns() {
        let p = vec!["*.okta.com".to_string(), "api.example.com".to_string()];
        assert!(host_matches("acme.okta.com", &p));
        assert!(!host_matches("okta.com", &p));
        assert!(!host_matches("evilokta.com", &p));
        assert!(host_matches("API.example.com", &p));
    }

    #[test]
    fn embedded_verify_file_parses() {
        let specs = embedded_verifiers().unwrap();
        assert!(specs.len() >= 40, "{} verifiers", specs.len());
    }
}
