//! AWS: a key pair is checked with `sts:GetCallerIdentity`, which needs no permission, changes
//! nothing and answers with the account and ARN. The request is signed with Signature Version 4,
//! so the secret access key itself is never sent.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::http::{HttpClient, Request};
use super::{CheckResult, Verdict};
use crate::verify::spec::{VerifySpec, split_url};

type HmacSha256 = Hmac<Sha256>;

/// The STS action and version, form-encoded.
const GET_CALLER_IDENTITY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
/// The global STS endpoint signs for us-east-1.
const REGION: &str = "us-east-1";
const SERVICE: &str = "sts";

/// One request to sign.
pub struct SigningInput<'a> {
    /// Method.
    pub method: &'a str,
    /// Canonical URI (the path, already URI-encoded).
    pub path: &'a str,
    /// Query string (`a=1&b=2`, sorted here).
    pub query: &'a str,
    /// Headers to sign: (name, value); names are lower-cased and sorted here.
    pub headers: &'a [(&'a str, &'a str)],
    /// Request body.
    pub payload: &'a [u8],
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: &'a str,
    /// Region.
    pub region: &'a str,
    /// Service.
    pub service: &'a str,
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac =
        <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The `Authorization` header value for `input`, signed with the key pair.
pub fn authorization(access_key_id: &str, secret_key: &str, input: &SigningInput) -> String {
    let mut headers: Vec<(String, String)> = input
        .headers
        .iter()
        .map(|(k, v)| {
            let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
            (k.to_ascii_lowercase(), v)
        })
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let mut query: Vec<&str> = input.query.split('&').filter(|p| !p.is_empty()).collect();
    query.sort();
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        input.method,
        input.path,
        query.join("&"),
        sha256_hex(input.payload)
    );
    let date = &input.amz_date[..8.min(input.amz_date.len())];
    let scope = format!("{date}/{}/{}/aws4_request", input.region, input.service);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        input.amz_date,
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac(format!("AWS4{secret_key}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, input.region.as_bytes());
    let k_service = hmac(&k_region, input.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let signature = hex::encode(hmac(&k_signing, string_to_sign.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={access_key_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
    )
}

/// `YYYYMMDDTHHMMSSZ` for a Unix time.
pub fn amz_date(unix: u64) -> String {
    utc(unix).strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// The instant `unix` seconds after the epoch (clamped to what jiff represents).
pub fn utc(unix: u64) -> jiff::Timestamp {
    i64::try_from(unix)
        .ok()
        .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
        .unwrap_or(jiff::Timestamp::MAX)
}

/// Runs `sts:GetCallerIdentity` with `access_key_id` (the partner) and `secret_key`.
pub fn check(
    client: &HttpClient,
    provider: &str,
    spec: &VerifySpec,
    access_key_id: &str,
    secret_key: &str,
) -> CheckResult {
    let Ok((_, host, _)) = split_url(&spec.url) else {
        return CheckResult::unknown("the verifier URL has no host");
    };
    if !access_key_id
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return CheckResult::unknown("the access key id is not of the AWS form");
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let date = amz_date(now);
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";
    // The signature covers the host the request is meant for; a test endpoint receives the same
    // bytes it would.
    let auth = authorization(
        access_key_id,
        secret_key,
        &SigningInput {
            method: "POST",
            path: "/",
            query: "",
            headers: &[
                ("content-type", content_type),
                ("host", host),
                ("x-amz-date", &date),
            ],
            payload: GET_CALLER_IDENTITY.as_bytes(),
            amz_date: &date,
            region: REGION,
            service: SERVICE,
        },
    );
    let request = Request {
        method: "POST",
        url: format!("https://{host}/"),
        headers: vec![
            ("content-type".into(), content_type.into()),
            ("x-amz-date".into(), date.clone()),
            ("authorization".into(), auth),
            ("accept".into(), "application/xml".into()),
        ],
        body: Some(GET_CALLER_IDENTITY.as_bytes().to_vec()),
        allowed_hosts: Vec::new(),
        fixed_host: Some(host.to_string()),
    };
    let response = match client.send(provider, &request) {
        Ok(r) => r,
        Err(failure) => return CheckResult::unknown(failure.to_string()),
    };
    let body = String::from_utf8_lossy(&response.body);
    classify_sts(&body, response.status).answered(response.status)
}

/// Reads an STS GetCallerIdentity answer of HTTP `status`.
fn classify_sts(body: &str, status: u16) -> CheckResult {
    match status {
        200 => match (xml_text(body, "Arn"), xml_text(body, "Account")) {
            (Some(arn), Some(account)) => CheckResult {
                verdict: Verdict::Live,
                detail: format!("account={account} arn={arn}"),
                http_status: None,
                access: super::Access::from([
                    ("account".to_string(), account),
                    ("principal".to_string(), arn),
                ]),
            },
            _ => CheckResult::unknown("HTTP 200 without an Arn and Account in the answer"),
        },
        400 | 403 => match xml_text(body, "Code").as_deref() {
            Some(code)
                if matches!(
                    code,
                    "InvalidClientTokenId" | "SignatureDoesNotMatch" | "AccessDenied"
                ) =>
            {
                // AccessDenied on GetCallerIdentity only happens for a disabled or deleted key.
                CheckResult {
                    verdict: Verdict::Dead,
                    detail: code.to_string(),
                    http_status: None,
                    access: super::Access::new(),
                }
            }
            Some(code) => CheckResult::unknown(format!("HTTP {status} {code}")),
            None => CheckResult::unknown(format!("HTTP {status} without an error code")),
        },
        other => CheckResult::unknown(format!("unexpected answer HTTP {other}")),
    }
}

/// Text of the first `<tag>` element in an XML answer, read with an XML parser (entities decoded,
/// namespaces and attributes allowed).
pub fn xml_text(xml: &str, tag: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == tag.as_bytes() => inside = true,
            Event::Text(t) if inside => text.push_str(&t.decode().ok()?),
            Event::GeneralRef(r) if inside => {
                let name = r.decode().ok()?;
                let resolved = quick_xml::escape::resolve_predefined_entity(&name)?;
                text.push_str(resolved);
            }
            Event::CData(c) if inside => text.push_str(std::str::from_utf8(&c).ok()?),
            Event::End(e) if inside && e.local_name().as_ref() == tag.as_bytes() => {
                return Some(text.trim().to_string());
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_key_pair_reaches_its_account_as_its_principal() {
        let body = "<GetCallerIdentityResponse><GetCallerIdentityResult>\
                    <Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDA</UserId>\
                    <Account>123456789012</Account></GetCallerIdentityResult>\
                    </GetCallerIdentityResponse>";
        let result = classify_sts(body, 200);
        assert_eq!(result.access["account"], "123456789012");
        assert_eq!(
            result.access["principal"],
            "arn:aws:iam::123456789012:user/ci"
        );
        assert!(
            classify_sts("<Code>InvalidClientTokenId</Code>", 403)
                .access
                .is_empty()
        );
    }

    const KEY_ID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const DATE: &str = "20150830T123600Z";

    fn sign(method: &str, query: &str, extra: &[(&str, &str)], payload: &[u8]) -> String {
        let mut headers = vec![("host", "example.amazonaws.com"), ("x-amz-date", DATE)];
        headers.extend_from_slice(extra);
        authorization(
            KEY_ID,
            SECRET,
            &SigningInput {
                method,
                path: "/",
                query,
                headers: &headers,
                payload,
                amz_date: DATE,
                region: "us-east-1",
                service: "service",
            },
        )
    }

    /// AWS's published SigV4 test suite: get-vanilla.
    #[test]
    fn get_vanilla() {
        assert_eq!(
            sign("GET", "", &[], b""),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    /// get-vanilla-query-order-key-case: parameters are sorted before signing.
    #[test]
    fn get_vanilla_query_order_key_case() {
        assert!(
            sign("GET", "Param2=value2&Param1=value1", &[], b"").ends_with(
                "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
            )
        );
    }

    /// post-vanilla.
    #[test]
    fn post_vanilla() {
        assert!(sign("POST", "", &[], b"").ends_with(
            "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ));
    }

    #[test]
    fn dates() {
        assert_eq!(amz_date(1_440_938_160), DATE);
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(951_782_400), "20000229T000000Z");
    }

    #[test]
    fn xml_fields() {
        let xml = "<GetCallerIdentityResult><Arn>arn:aws:iam::1:user/a</Arn><Account>1</Account></GetCallerIdentityResult>";
        assert_eq!(
            xml_text(xml, "Arn").as_deref(),
            Some("arn:aws:iam::1:user/a")
        );
        // Namespaces, attributes and entities, as STS really answers.
        let real = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/a&amp;b</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>"#;
        assert_eq!(
            xml_text(real, "Arn").as_deref(),
            Some("arn:aws:iam::1:user/a&b")
        );
        assert_eq!(xml_text("<Arn>unclosed", "Arn"), None);
        assert_eq!(xml_text(xml, "UserId"), None);
    }
}
