//! Google Cloud service-account keys: a JWT signed with the key (RS256, as Google's OAuth 2.0
//! server-to-server flow documents) is exchanged at the token endpoint. The private key never
//! leaves the machine; Google answers with an access token (the key works) or `invalid_grant`
//! (deleted or disabled key, unknown account). The access token is dropped unread.

use std::collections::BTreeMap;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use super::http::{HttpClient, Request};
use super::spec::{VerifySpec, split_url};
use super::{Access, CheckResult, Verdict};

/// The scope asked for: read-only, and the token obtained is never used.
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform.read-only";
/// How long the signed assertion is valid (Google allows at most an hour).
const ASSERTION_SECONDS: u64 = 300;

/// Exchanges a JWT signed with `values["private_key"]` for `values["email"]` at the spec's
/// token endpoint; `values["secret"]` (the key id) names the key in the JWT header.
pub fn check(
    client: &HttpClient,
    provider: &str,
    spec: &VerifySpec,
    values: &BTreeMap<String, String>,
) -> CheckResult {
    let (Some(key_id), Some(pem), Some(email)) = (
        values.get("secret"),
        values.get("private_key"),
        values.get("email"),
    ) else {
        return CheckResult::unknown("needs the key id, the private key and the client_email");
    };
    let Ok((_, host, _)) = split_url(&spec.url) else {
        return CheckResult::unknown("the verifier URL has no host");
    };
    let key = match private_key(pem) {
        Ok(key) => key,
        Err(why) => return CheckResult::unknown(why),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let claims = json!({
        "iss": email,
        "scope": SCOPE,
        "aud": spec.url,
        "iat": now,
        "exp": now + ASSERTION_SECONDS,
    });
    let assertion = match signed_jwt(&key, key_id, &claims) {
        Ok(jwt) => jwt,
        Err(why) => return CheckResult::unknown(why),
    };
    let body = format!(
        "grant_type={}&assertion={assertion}",
        crate::uri::encode_component("urn:ietf:params:oauth:grant-type:jwt-bearer")
    );
    let request = Request {
        method: "POST",
        url: spec.url.clone(),
        headers: vec![(
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        body: Some(body.into_bytes()),
        allowed_hosts: Vec::new(),
        fixed_host: Some(host.to_string()),
    };
    match client.send(provider, &request) {
        Ok(response) => {
            let json: Option<Value> = serde_json::from_slice(&response.body).ok();
            classify(response.status, json.as_ref(), email).answered(response.status)
        }
        Err(failure) => CheckResult::unknown(failure.to_string()),
    }
}

/// Reads the token endpoint's answer.
fn classify(status: u16, json: Option<&Value>, email: &str) -> CheckResult {
    let field = |name: &str| {
        json.and_then(|j| j.get(name))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match status {
        200 if !field("access_token").is_empty() => CheckResult {
            verdict: Verdict::Live,
            detail: format!("client_email={email}"),
            http_status: None,
            access: Access::from([
                ("principal".to_string(), email.to_string()),
                ("scope".to_string(), SCOPE.to_string()),
            ]),
        },
        400 | 401 if field("error") == "invalid_grant" => CheckResult {
            verdict: Verdict::Dead,
            detail: format!(
                "rejected (HTTP {status} invalid_grant: {})",
                field("error_description")
            ),
            http_status: None,
            access: Access::new(),
        },
        _ => CheckResult::unknown(format!("an unexpected answer (HTTP {status})")),
    }
}

/// The RSA key of a PKCS#8 PEM block as a service-account file holds it (newlines possibly still
/// JSON-escaped).
fn private_key(pem: &str) -> Result<RsaKeyPair, String> {
    let text = pem
        .replace("\\\\n", "\n")
        .replace("\\n", "\n")
        .replace("\\/", "/");
    let body = text
        .split("-----BEGIN PRIVATE KEY-----")
        .nth(1)
        .and_then(|rest| rest.split("-----END PRIVATE KEY-----").next())
        .ok_or("the private key is not a PKCS#8 PEM block")?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = STANDARD
        .decode(b64)
        .map_err(|_| "the private key is not valid base64")?;
    RsaKeyPair::from_pkcs8(&der).map_err(|_| "the private key is not an RSA key".to_string())
}

/// `header.claims.signature`, RS256.
fn signed_jwt(key: &RsaKeyPair, key_id: &str, claims: &Value) -> Result<String, String> {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": key_id});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = vec![0u8; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| "cannot sign the assertion".to_string())?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_as_google_documents_them() {
        let live = classify(
            200,
            Some(&json!({"access_token": "ya29.x", "expires_in": 3599})),
            "a@p.iam.gserviceaccount.com",
        );
        assert_eq!(live.verdict, Verdict::Live);
        assert_eq!(live.access["principal"], "a@p.iam.gserviceaccount.com");
        let dead = classify(
            400,
            Some(&json!({"error": "invalid_grant", "error_description": "Invalid JWT Signature."})),
            "a@p",
        );
        assert_eq!(dead.verdict, Verdict::Dead);
        assert!(dead.detail.contains("Invalid JWT Signature"));
        for (status, body) in [
            (200, json!({})),
            (400, json!({"error": "invalid_scope"})),
            (500, json!({})),
        ] {
            assert_eq!(
                classify(status, Some(&body), "a@p").verdict,
                Verdict::Unknown
            );
        }
        assert!(
            private_key("-----BEGIN PRIVATE KEY-----\\nnot base64!\\n-----END PRIVATE KEY-----")
                .is_err()
        );
    }
}
