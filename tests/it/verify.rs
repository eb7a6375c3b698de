//! `--verify` end to end: the real binary against `MockProvider`s on 127.0.0.1 that answer as each
//! provider documents. Every test also checks that no full secret appears in ferret's output.

use std::collections::BTreeSet;
use std::process::Output;
use std::time::Duration;

use crate::support::mock_provider::{MockProvider, Recorded, Reply};
use crate::support::verification_statuses as statuses;
use crate::support::{TestDir, ferret, json_findings};
use serde_json::{Value, json};

const CORPUS_RULES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/corpus/verify/rules.toml"
);

/// A token of `len` characters from `alphabet`, different for each `seed`, with no long runs
/// (so the placeholder filter keeps it).
fn token(prefix: &str, len: usize, seed: u64, alphabet: &str) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = String::from(prefix);
    for _ in 0..len {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push(chars[((state >> 33) % chars.len() as u64) as usize]);
    }
    out
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &str = "0123456789abcdef";

/// Runs `ferret scan dir DIR --format json --verify` with more arguments.
fn scan(dir: &TestDir, args: &[&str]) -> Output {
    ferret()
        .args(["scan", "dir"])
        .arg(dir.path())
        .args(["--format", "json", "--verify"])
        .args(args)
        .output()
        .expect("ferret runs")
}

/// Fails if any of `secrets` appears anywhere in the process output.
fn assert_no_secret(output: &Output, secrets: &[&str]) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for s in secrets {
        assert!(!all.contains(s), "output contains a full secret:\n{all}");
    }
}

fn endpoint(provider: &str, mock: &MockProvider) -> String {
    format!("{provider}={}", mock.url())
}

fn count_with(requests: &[Recorded], needle: &str) -> usize {
    requests
        .iter()
        .filter(|r| {
            r.path.contains(needle)
                || r.body.contains(needle)
                || r.headers.iter().any(|(_, v)| v.contains(needle))
        })
        .count()
}

#[test]
fn github_tokens_are_verified_once_each_with_identity() {
    let live = token("ghp_", 36, 1, ALNUM);
    let dead = token("ghp_", 36, 2, ALNUM);
    let live_header = format!("token {live}");
    let mock = MockProvider::start(move |r| {
        if r.path == "/user" && r.header("authorization") == Some(live_header.as_str()) {
            Reply::json(
                200,
                json!({"login": "octocat", "id": 583231, "type": "User"}),
            )
            .header("x-oauth-scopes", "repo, gist")
        } else {
            Reply::json(401, json!({"message": "Bad credentials"}))
        }
    });
    let dir = TestDir::new()
        .file("a.env", format!("GITHUB_TOKEN={live}\n"))
        .file("b.env", format!("GITHUB_TOKEN={dead}\n"))
        .file("c.env", format!("token: {live}\nother: {live}\n"));
    let out = scan(&dir, &["--verify-endpoint", &endpoint("github", &mock)]);
    assert_no_secret(&out, &[&live, &dead]);
    assert_eq!(out.status.code(), Some(1), "a live secret fails the scan");
    let findings = json_findings(&out);
    let got = statuses(&findings, "github-pat-classic");
    assert_eq!(got.len(), 4, "{got:?}");
    for (file, status, detail) in &got {
        if file == "b.env" {
            assert_eq!(status, "invalid");
            assert!(
                detail.contains("401") && detail.contains("Bad credentials"),
                "{detail}"
            );
        } else {
            assert_eq!(status, "verified");
            assert!(detail.contains("login=octocat"), "{detail}");
            assert!(detail.contains("x-oauth-scopes=repo, gist"), "{detail}");
        }
    }
    let requests = mock.requests();
    assert_eq!(requests.len(), 2, "one request per distinct secret");
    assert_eq!(count_with(&requests, &live), 1);
    assert_eq!(count_with(&requests, &dead), 1);
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" && r.path == "/user")
    );
    assert!(findings.iter().all(|f| f["rotate"].is_string()));

    // --only-verified reports the live ones; text output shows status, identity and rotation.
    let out = ferret()
        .args(["scan", "dir"])
        .arg(dir.path())
        .args([
            "--only-verified",
            "--verify-endpoint",
            &endpoint("github", &mock),
        ])
        .output()
        .unwrap();
    assert_no_secret(&out, &[&live, &dead]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("verification: verified (login=octocat"),
        "{text}"
    );
    assert!(
        text.contains("rotate: https://github.com/settings/tokens"),
        "{text}"
    );
    assert!(!text.contains("b.env"), "{text}");
}

#[test]
fn revoked_secrets_do_not_fail_the_scan_and_sarif_follows_the_status() {
    let dead = token("ghp_", 36, 3, ALNUM);
    let live = token("ghp_", 36, 4, ALNUM);
    let live_header = format!("token {live}");
    let mock = MockProvider::start(move |r| {
        if r.header("authorization") == Some(live_header.as_str()) {
            Reply::json(200, json!({"login": "hubot"}))
        } else {
            Reply::json(401, json!({"message": "Bad credentials"}))
        }
    });
    let only_dead = TestDir::new().file("x.env", format!("GITHUB_TOKEN={dead}\n"));
    let out = scan(
        &only_dead,
        &["--verify-endpoint", &endpoint("github", &mock)],
    );
    assert_no_secret(&out, &[&dead]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a revoked secret is housekeeping"
    );
    assert_eq!(
        statuses(&json_findings(&out), "github-pat-classic")[0].1,
        "invalid"
    );

    let both = TestDir::new()
        .file("dead.env", format!("GITHUB_TOKEN={dead}\n"))
        .file("live.env", format!("GITHUB_TOKEN={live}\n"));
    let out = ferret()
        .args(["scan", "dir"])
        .arg(both.path())
        .args([
            "--format",
            "sarif",
            "--verify",
            "--verify-endpoint",
            &endpoint("github", &mock),
        ])
        .output()
        .unwrap();
    assert_no_secret(&out, &[&dead, &live]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut levels: Vec<(String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["properties"]["verification"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    levels.sort();
    assert_eq!(
        levels,
        vec![
            ("invalid".into(), "note".into()),
            ("verified".into(), "error".into())
        ]
    );
}

#[test]
fn slack_tokens_use_auth_test() {
    let live = format!(
        "xoxb-{}-{}-{}",
        token("", 12, 5, "0123456789"),
        token("", 13, 6, "0123456789"),
        token("", 24, 7, ALNUM)
    );
    let dead = format!(
        "xoxb-{}-{}-{}",
        token("", 12, 8, "0123456789"),
        token("", 13, 9, "0123456789"),
        token("", 24, 10, ALNUM)
    );
    let live_header = format!("Bearer {live}");
    let mock = MockProvider::start(move |r| {
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/api/auth.test")
        );
        if r.header("authorization") == Some(live_header.as_str()) {
            Reply::json(
                200,
                json!({"ok": true, "team": "Acme", "user": "deploybot", "url": "https://acme.slack.com/"}),
            )
        } else {
            Reply::json(200, json!({"ok": false, "error": "invalid_auth"}))
        }
    });
    let dir = TestDir::new()
        .file("live.txt", format!("SLACK_BOT_TOKEN={live}\n"))
        .file("dead.txt", format!("SLACK_BOT_TOKEN={dead}\n"));
    let out = scan(&dir, &["--verify-endpoint", &endpoint("slack", &mock)]);
    assert_no_secret(&out, &[&live, &dead]);
    let got = statuses(&json_findings(&out), "slack-bot-token");
    assert_eq!(got[0].0, "dead.txt");
    assert_eq!(got[0].1, "invalid");
    assert!(got[0].2.contains("invalid_auth"), "{got:?}");
    assert_eq!(got[1].1, "verified");
    assert!(
        got[1].2.contains("team=Acme") && got[1].2.contains("user=deploybot"),
        "{got:?}"
    );
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn slack_webhooks_are_checked_without_posting_a_message() {
    let live = format!(
        "https://hooks.slack.com/services/T{}/B{}/{}",
        token("", 8, 11, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"),
        token("", 8, 12, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"),
        token("", 24, 13, ALNUM)
    );
    let dead = format!(
        "https://hooks.slack.com/services/T{}/B{}/{}",
        token("", 8, 14, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"),
        token("", 8, 15, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"),
        token("", 24, 16, ALNUM)
    );
    let live_path = live
        .trim_start_matches("https://hooks.slack.com")
        .to_string();
    let mock = MockProvider::start(move |r| {
        if r.path == live_path {
            Reply::text(400, "no_text")
        } else {
            Reply::text(404, "no_service")
        }
    });
    let dir = TestDir::new()
        .file("live.yml", format!("webhook: {live}\n"))
        .file("dead.yml", format!("webhook: {dead}\n"));
    let out = scan(
        &dir,
        &["--verify-endpoint", &endpoint("slack-webhook", &mock)],
    );
    assert_no_secret(&out, &[&live, &dead]);
    let got = statuses(&json_findings(&out), "slack-webhook-url");
    assert_eq!(
        got.iter()
            .map(|(f, s, _)| (f.as_str(), s.as_str()))
            .collect::<Vec<_>>(),
        vec![("dead.yml", "invalid"), ("live.yml", "verified")]
    );
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(r.body, "{}", "the payload carries no message");
    }
}

#[test]
fn twilio_token_is_checked_with_its_account_sid_from_the_same_file() {
    let sid = token("AC", 32, 17, HEX);
    let auth = token("", 32, 18, HEX);
    let expected = format!(
        "Basic {}",
        base64_encode(format!("{sid}:{auth}").as_bytes())
    );
    let sid_path = format!("/2010-04-01/Accounts/{sid}.json");
    let mock = MockProvider::start(move |r| {
        if r.path == sid_path && r.header("authorization") == Some(expected.as_str()) {
            Reply::json(
                200,
                json!({"sid": "AC-redacted", "friendly_name": "Acme Prod", "status": "active"}),
            )
        } else {
            Reply::json(401, json!({"code": 20003, "message": "Authenticate"}))
        }
    });
    let dir = TestDir::new()
        .file(
            "pair.env",
            format!("TWILIO_ACCOUNT_SID={sid}\nTWILIO_AUTH_TOKEN={auth}\n"),
        )
        .file(
            "alone.env",
            format!("TWILIO_AUTH_TOKEN={}\n", token("", 32, 19, HEX)),
        );
    let out = scan(&dir, &["--verify-endpoint", &endpoint("twilio", &mock)]);
    assert_no_secret(&out, &[&auth]);
    let got = statuses(&json_findings(&out), "twilio-auth-token");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, "alone.env");
    assert_eq!(got[0].1, "unknown");
    assert!(got[0].2.contains("twilio-account-sid"), "{got:?}");
    assert_eq!(got[1].1, "verified", "{got:?}");
    assert!(got[1].2.contains("friendly_name=Acme Prod"), "{got:?}");
    assert_eq!(mock.requests().len(), 1);
}

fn base64_encode(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[test]
fn aws_key_pairs_are_signed_with_sigv4_and_the_secret_key_is_never_sent() {
    let key_id = token("AKIA", 16, 20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    let secret = token("", 40, 21, ALNUM);
    let dead_id = token("AKIA", 16, 22, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    let dead_secret = token("", 40, 23, ALNUM);
    let (id2, secret2) = (key_id.clone(), secret.clone());
    let mock = MockProvider::start(move |r| {
        let auth = r.header("authorization").unwrap_or_default().to_string();
        let date = r.header("x-amz-date").unwrap_or_default().to_string();
        // Recompute the signature the real STS would check, for the real host.
        let expected = ferret::verify::aws::authorization(
            &id2,
            &secret2,
            &ferret::verify::aws::SigningInput {
                method: "POST",
                path: "/",
                query: "",
                headers: &[
                    ("content-type", r.header("content-type").unwrap_or_default()),
                    ("host", "sts.amazonaws.com"),
                    ("x-amz-date", &date),
                ],
                payload: r.body.as_bytes(),
                amz_date: &date,
                region: "us-east-1",
                service: "sts",
            },
        );
        if auth == expected {
            Reply::text(
                200,
                "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>",
            )
        } else {
            Reply::text(
                403,
                "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>",
            )
        }
    });
    let dir = TestDir::new()
        .file(
            "live/credentials",
            format!("[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
        )
        .file(
            "dead/credentials",
            format!(
                "[default]\naws_access_key_id = {dead_id}\naws_secret_access_key = {dead_secret}\n"
            ),
        );
    let out = scan(
        &dir,
        &[
            "--rules",
            CORPUS_RULES,
            "--verify-endpoint",
            &endpoint("aws", &mock),
        ],
    );
    assert_no_secret(&out, &[&secret, &dead_secret]);
    let findings = json_findings(&out);
    let mut got: Vec<(String, String)> = findings
        .iter()
        .filter(|f| f["rule_id"] == "test-aws-secret-access-key")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                format!(
                    "{} {}",
                    f["verification"]["status"].as_str().unwrap(),
                    f["verification"]["detail"].as_str().unwrap()
                ),
            )
        })
        .collect();
    got.sort();
    assert!(
        got[0].0.contains("dead") && got[0].1.starts_with("invalid InvalidClientTokenId"),
        "{got:?}"
    );
    assert!(
        got[1].0.contains("live")
            && got[1]
                .1
                .starts_with("verified account=123456789012 arn=arn:aws:iam::123456789012:user/ci"),
        "{got:?}"
    );
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(r.body, "Action=GetCallerIdentity&Version=2011-06-15");
        assert_eq!(
            count_with(std::slice::from_ref(r), &secret),
            0,
            "the secret key never travels"
        );
        assert_eq!(count_with(std::slice::from_ref(r), &dead_secret), 0);
    }
}

#[test]
fn azure_storage_keys_are_signed_with_shared_key_and_never_sent() {
    use base64::Engine;
    let b64 = |seed: u8| {
        let bytes: Vec<u8> = (0u8..64)
            .map(|i| i.wrapping_mul(73).wrapping_add(seed.wrapping_mul(151)) ^ 0x3c)
            .collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    let (key, wrong) = (b64(1), b64(2));
    let live_key = key.clone();
    let mock = MockProvider::start(move |r| {
        // Recompute the signature Azure would check for the request as it arrived.
        let (path, query) = r.path.split_once('?').unwrap_or((&r.path, ""));
        let pairs: Vec<(&str, &str)> = query.split('&').filter_map(|p| p.split_once('=')).collect();
        let date = r.header("x-ms-date").unwrap_or_default();
        let version = r.header("x-ms-version").unwrap_or_default();
        let expected = ferret::verify::azure::authorization(
            &live_key,
            &ferret::verify::azure::SharedKeyInput {
                method: "GET",
                account: "contosologs",
                path,
                query: &pairs,
                ms_headers: &[("x-ms-date", date), ("x-ms-version", version)],
            },
        );
        if r.header("authorization") == expected.as_deref() {
            Reply::text(200, "<StorageServiceProperties/>")
        } else {
            Reply::text(
                403,
                "<Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message></Error>",
            )
            .header("x-ms-error-code", "AuthenticationFailed")
        }
    });
    let conn = |k: &str| {
        format!(
            "DefaultEndpointsProtocol=https;AccountName=contosologs;AccountKey={k};EndpointSuffix=core.windows.net\n"
        )
    };
    let dir = TestDir::new()
        .file("live.env", conn(&key))
        .file("dead.env", conn(&wrong));
    let out = scan(
        &dir,
        &["--verify-endpoint", &endpoint("azure-storage", &mock)],
    );
    assert_no_secret(&out, &[&key, &wrong]);
    let got = statuses(&json_findings(&out), "azure-storage-account-key");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].1, "invalid", "{got:?}");
    assert!(got[0].2.contains("AuthenticationFailed"), "{got:?}");
    assert_eq!(got[1].1, "verified", "{got:?}");
    assert_eq!(got[1].2, "account=contosologs");
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/?restype=service&comp=properties");
        assert_eq!(
            count_with(std::slice::from_ref(r), &key),
            0,
            "the key never travels"
        );
        assert_eq!(count_with(std::slice::from_ref(r), &wrong), 0);
    }
}

#[test]
fn shopify_tokens_are_checked_on_the_shop_named_next_to_them() {
    let live = token("shpat_", 32, 40, HEX);
    let dead = token("shpat_", 32, 41, HEX);
    let alone = token("shpat_", 32, 42, HEX);
    let l = live.clone();
    let mock = MockProvider::start(move |r| {
        assert_eq!(r.path, "/admin/oauth/access_scopes.json");
        if r.header("x-shopify-access-token") == Some(l.as_str()) {
            Reply::json(200, json!({"access_scopes": [{"handle": "read_orders"}]}))
        } else {
            Reply::json(
                401,
                json!({"errors": "[API] Invalid API key or access token"}),
            )
        }
    });
    let dir = TestDir::new()
        .file(
            "live.env",
            format!("SHOPIFY_SHOP=northwind-goods.myshopify.com\nSHOPIFY_ACCESS_TOKEN={live}\n"),
        )
        .file(
            "dead.env",
            format!(
                "SHOPIFY_ACCESS_TOKEN={dead}\nshop_url: https://acme-store.myshopify.com/admin\n"
            ),
        )
        .file("alone.env", format!("SHOPIFY_ACCESS_TOKEN={alone}\n"));
    let out = scan(&dir, &["--verify-endpoint", &endpoint("shopify", &mock)]);
    assert_no_secret(&out, &[&live, &dead, &alone]);
    let findings = json_findings(&out);
    let got = statuses(&findings, "shopify-access-token");
    assert_eq!(
        got.iter()
            .map(|(f, s, _)| (f.as_str(), s.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("alone.env", "unknown"),
            ("dead.env", "invalid"),
            ("live.env", "verified")
        ]
    );
    assert!(got[0].2.contains("shopify-shop-domain"), "{got:?}");
    assert_eq!(got[2].2, "handle=read_orders");
    assert_eq!(mock.requests().len(), 2);
    assert!(
        findings
            .iter()
            .all(|f| f["rule_id"] != "shopify-shop-domain"),
        "a companion value is never reported"
    );
}

#[test]
fn okta_tokens_are_checked_on_their_organisation_only() {
    let live = token("00", 40, 43, ALNUM);
    let dead = token("00", 40, 44, ALNUM);
    let l = format!("SSWS {live}");
    let mock = MockProvider::start(move |r| {
        assert_eq!(r.path, "/api/v1/users/me");
        if r.header("authorization") == Some(l.as_str()) {
            Reply::json(
                200,
                json!({"id": "00u1", "profile": {"login": "ops@acme.test"}}),
            )
        } else {
            Reply::json(
                401,
                json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided"}),
            )
        }
    });
    let dir = TestDir::new()
        .file(
            "live.env",
            format!("OKTA_ORG_URL=https://acme.okta.com\nOKTA_API_TOKEN={live}\n"),
        )
        .file(
            "dead.env",
            format!("OKTA_ORG_URL=https://northwind.oktapreview.com\nOKTA_API_TOKEN={dead}\n"),
        )
        .file(
            "foreign.env",
            format!(
                "OKTA_ORG_URL=https://login.evil.test\nOKTA_API_TOKEN={}\n",
                token("00", 40, 45, ALNUM)
            ),
        );
    let out = scan(&dir, &["--verify-endpoint", &endpoint("okta", &mock)]);
    assert_no_secret(&out, &[&live, &dead]);
    let findings = json_findings(&out);
    let got = statuses(&findings, "okta-api-token");
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        (got[0].0.as_str(), got[0].1.as_str()),
        ("dead.env", "invalid")
    );
    assert_eq!(
        (got[1].0.as_str(), got[1].1.as_str()),
        ("foreign.env", "unknown")
    );
    assert_eq!(
        (got[2].0.as_str(), got[2].1.as_str()),
        ("live.env", "verified")
    );
    assert!(got[2].2.contains("login=ops@acme.test"), "{got:?}");
    assert_eq!(
        mock.requests().len(),
        2,
        "no request without an Okta domain"
    );
    assert!(findings.iter().all(|f| f["rule_id"] != "okta-org-domain"));

    // Without --verify the companion rule does not even run.
    let plain = ferret()
        .args(["scan", "dir"])
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        json_findings(&plain)
            .iter()
            .all(|f| f["rule_id"] != "okta-org-domain")
    );
}

#[test]
fn atlassian_tokens_use_the_email_and_site_found_with_them() {
    let body = token("", 180, 46, ALNUM);
    let live = format!("ATATT3{body}=AB12CD34");
    let expected = format!(
        "Basic {}",
        base64_encode(format!("ops@acme-corp.io:{live}").as_bytes())
    );
    let mock = MockProvider::start(move |r| {
        assert_eq!(r.path, "/rest/api/3/myself");
        if r.header("authorization") == Some(expected.as_str()) {
            Reply::json(
                200,
                json!({"emailAddress": "ops@acme-corp.io", "accountId": "5b10"}),
            )
        } else {
            Reply::json(401, json!({"message": "Client must be authenticated"}))
        }
    });
    let dir = TestDir::new().file(
        "jira.sh",
        format!("curl -u ops@acme-corp.io:{live} https://acme.atlassian.net/rest/api/3/myself\n"),
    );
    let out = scan(&dir, &["--verify-endpoint", &endpoint("atlassian", &mock)]);
    assert_no_secret(&out, &[&live]);
    let got = statuses(&json_findings(&out), "atlassian-api-token");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, "verified", "{got:?}");
    assert!(
        got[0].2.contains("emailAddress=ops@acme-corp.io"),
        "{got:?}"
    );
}

/// A mock for the corpus's `test-token` rule.
fn test_token_dir(tokens: &[&str]) -> TestDir {
    let dir = TestDir::new();
    for (i, t) in tokens.iter().enumerate() {
        dir.write(&format!("f{i}.txt"), format!("API={t}\n"));
    }
    dir
}

#[test]
fn rate_limited_answers_are_retried_a_bounded_number_of_times() {
    let t = token("tst_", 32, 24, ALNUM);
    let mock = MockProvider::start(|_| {
        Reply::json(429, json!({"error": "slow down"})).header("retry-after", "1")
    });
    let out = scan(
        &test_token_dir(&[&t]),
        &[
            "--rules",
            CORPUS_RULES,
            "--verify-endpoint",
            &endpoint("example", &mock),
        ],
    );
    assert_no_secret(&out, &[&t]);
    let got = statuses(&json_findings(&out), "test-token");
    assert_eq!(got[0].1, "unknown");
    assert!(got[0].2.contains("rate limited"), "{got:?}");
    assert_eq!(
        mock.requests().len(),
        3,
        "one request and two bounded retries"
    );
    assert_eq!(out.status.code(), Some(1), "unknown still fails the scan");
}

#[test]
fn slow_malformed_and_redirecting_providers_give_unknown() {
    let slow = token("tst_", 32, 25, ALNUM);
    let malformed = token("tst_", 32, 26, ALNUM);
    let redirect = token("tst_", 32, 27, ALNUM);
    let live = token("tst_", 32, 28, ALNUM);
    let foreign = MockProvider::start_on("127.0.0.2", |_| {
        Reply::json(200, json!({"user": {"name": "attacker"}}))
    });
    let foreign_url = format!("{}/collect", foreign.url());
    let (s, m, rd, l) = (
        slow.clone(),
        malformed.clone(),
        redirect.clone(),
        live.clone(),
    );
    let mock = MockProvider::start(move |r| {
        let auth = r.header("authorization").unwrap_or_default();
        if auth.ends_with(&s) {
            Reply::json(200, json!({"user": {"name": "late"}})).delayed(Duration::from_secs(3))
        } else if auth.ends_with(&m) {
            Reply::text(200, "<html>maintenance</html>")
        } else if auth.ends_with(&rd) {
            Reply::text(302, "").header("location", &foreign_url)
        } else if auth.ends_with(&l) {
            Reply::json(200, json!({"user": {"name": "alice", "plan": "pro"}}))
        } else {
            Reply::json(401, json!({"error": "bad token"}))
        }
    });
    let out = scan(
        &test_token_dir(&[&slow, &malformed, &redirect, &live]),
        &[
            "--rules",
            CORPUS_RULES,
            "--verify-endpoint",
            &endpoint("example", &mock),
            "--verify-timeout",
            "1s",
        ],
    );
    assert_no_secret(&out, &[&slow, &malformed, &redirect, &live]);
    let got = statuses(&json_findings(&out), "test-token");
    assert_eq!(got.len(), 4);
    assert_eq!(got[0].1, "unknown");
    assert!(got[0].2.contains("timed out"), "{got:?}");
    assert_eq!(got[1].1, "unknown");
    assert!(got[1].2.contains("malformed"), "{got:?}");
    assert_eq!(got[2].1, "unknown");
    assert!(
        got[2].2.contains("redirected to another host (127.0.0.2)"),
        "{got:?}"
    );
    assert_eq!(got[3].1, "verified");
    assert_eq!(got[3].2, "name=alice plan=pro");
    assert!(
        foreign.requests().is_empty(),
        "a redirect to a foreign host is not followed"
    );
    for t in [&slow, &malformed, &redirect, &live] {
        assert_eq!(count_with(&mock.requests(), t), 1);
    }
}

#[test]
fn the_cache_keeps_answers_and_never_the_secret() {
    let live = token("tst_", 32, 29, ALNUM);
    let dead = token("tst_", 32, 30, ALNUM);
    let l = live.clone();
    let mock = MockProvider::start(move |r| {
        if r.header("authorization").unwrap_or_default().ends_with(&l) {
            Reply::json(200, json!({"user": {"name": "bob"}}))
        } else {
            Reply::json(401, json!({"error": "bad token"}))
        }
    });
    let dir = test_token_dir(&[&live, &dead]);
    let cache_dir = TestDir::new();
    let cache = cache_dir.join("verify-cache.json");
    let args = [
        "--rules",
        CORPUS_RULES,
        "--verify-endpoint",
        &endpoint("example", &mock),
        "--verify-cache",
        cache.to_str().unwrap(),
    ];
    let first = scan(&dir, &args);
    assert_no_secret(&first, &[&live, &dead]);
    assert_eq!(mock.requests().len(), 2);
    let second = scan(&dir, &args);
    assert_no_secret(&second, &[&live, &dead]);
    assert_eq!(
        mock.requests().len(),
        2,
        "cached answers are not asked again"
    );
    assert_eq!(
        statuses(&json_findings(&first), "test-token"),
        statuses(&json_findings(&second), "test-token")
    );
    assert!(String::from_utf8_lossy(&second.stderr).contains("2 from cache"));
    let stored = std::fs::read_to_string(&cache).unwrap();
    assert!(!stored.contains(&live) && !stored.contains(&dead) && !stored.contains("tst_"));
    assert!(stored.contains("verified") && stored.contains("invalid"));
}

#[test]
fn templated_hosts_take_only_a_captured_label() {
    let secret = token("00", 40, 31, ALNUM);
    let mock = MockProvider::start(|r| {
        assert_eq!(r.path, "/api/v1/users/me");
        Reply::json(200, json!({"profile": {"login": "ops@acme.test"}}))
    });
    let dir = TestDir::new().file("okta.txt", format!("acme.okta.com token={secret}\n"));
    let out = scan(
        &dir,
        &[
            "--rules",
            CORPUS_RULES,
            "--verify-endpoint",
            &endpoint("okta", &mock),
        ],
    );
    assert_no_secret(&out, &[&secret]);
    let got = statuses(&json_findings(&out), "test-okta-token");
    assert_eq!(got[0].1, "verified", "{got:?}");
    assert_eq!(got[0].2, "login=ops@acme.test");
}

#[test]
fn connection_errors_never_show_a_secret_in_the_url() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let secret = format!(
        "{}:AA{}",
        token("", 10, 32, "123456789"),
        token("", 33, 33, ALNUM)
    );
    let dir = TestDir::new().file("bot.py", format!("TELEGRAM_BOT_TOKEN = \"{secret}\"\n"));
    let out = scan(
        &dir,
        &[
            "--verify-endpoint",
            &format!("telegram=http://127.0.0.1:{port}"),
        ],
    );
    assert_no_secret(&out, &[&secret, &secret.replace(':', "%3A")]);
    let got = statuses(&json_findings(&out), "telegram-bot-token");
    assert_eq!(got[0].1, "unknown");
    assert!(got[0].2.contains("could not connect"), "{got:?}");
}

#[test]
fn endpoints_cannot_send_secrets_in_clear_text_to_other_hosts() {
    let dir = TestDir::new().file(
        "a.env",
        format!("GITHUB_TOKEN={}\n", token("ghp_", 36, 34, ALNUM)),
    );
    let out = scan(&dir, &["--verify-endpoint", "github=http://example.com"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

/// Every built-in verifier that needs no partner and no captured host sends its rule's example
/// secret to the path its data names, exactly once per distinct secret.
#[test]
fn every_builtin_verifier_reaches_its_provider_path() {
    use ferret::detect::rules::embedded_rules;
    use ferret::verify::spec::split_url;
    let mut rules = embedded_rules().unwrap();
    let verifiers = ferret::verify::Verifiers::attach(&mut rules).unwrap();
    let mock = MockProvider::start(|_| Reply::json(500, json!({"error": "mock"})));
    let dir = TestDir::new();
    let mut providers = BTreeSet::new();
    let mut expected_paths = Vec::new();
    for rule in &rules {
        let Some(spec) = verifiers.get(&rule.id) else {
            continue;
        };
        if spec.partner.is_some()
            || !spec.hosts.is_empty()
            || spec.url.contains("|url_path}")
            || spec.kind != ferret::verify::spec::CheckKind::Http
            || !spec.companions.is_empty()
        {
            continue;
        }
        // A verifier that needs a value its rule does not capture (yet) ends `unknown` without a
        // request; `rules check` lists those gaps.
        let names = rule.capture_names().expect("built-in rules compile");
        if spec.check_against_rule(&names).is_err() {
            continue;
        }
        let Some(example) = rule.examples.first() else {
            continue;
        };
        dir.write(&format!("{}.txt", rule.id), example.text());
        providers.insert(spec.provider_name(&rule.id));
        let (_, _, rest) = split_url(&spec.url).unwrap();
        let fixed = rest.split(['{', '?']).next().unwrap().to_string();
        expected_paths.push((rule.id.to_string(), fixed));
    }
    assert!(
        expected_paths.len() >= 30,
        "{} verifiers exercised",
        expected_paths.len()
    );
    let mut args = vec!["--verify-concurrency".to_string(), "4".to_string()];
    for p in &providers {
        args.push("--verify-endpoint".into());
        args.push(endpoint(p, &mock));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = scan(&dir, &args);
    let findings = json_findings(&out);
    let requests = mock.requests();
    for (rule_id, path) in &expected_paths {
        let secrets: BTreeSet<&str> = findings
            .iter()
            .filter(|f| f["rule_id"] == rule_id.as_str())
            .filter_map(|f| f["fingerprint"].as_str())
            .collect();
        assert!(
            !secrets.is_empty(),
            "the example of {rule_id} gave no finding"
        );
        assert!(
            requests.iter().any(|r| r.path.starts_with(path.as_str())),
            "{rule_id}: no request to {path}"
        );
    }
    let distinct: BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f["fingerprint"].as_str())
        .collect();
    assert!(
        requests.len() <= distinct.len(),
        "{} requests for {} secrets",
        requests.len(),
        distinct.len()
    );
    for f in &findings {
        if let Some(status) = f["verification"]["status"].as_str() {
            assert_ne!(status, "verified", "a 500 answer verifies nothing: {f}");
        }
    }
}

/// Verifiers whose rule is still being written (ids expected from the rule authors). When the
/// rule lands, its id can leave this list so the id check below covers it.
const AWAITING_RULES: &[&str] = &[];

#[test]
fn verifier_ids_stay_in_sync_with_the_rules() {
    use ferret::detect::rules::embedded_rules;
    use ferret::verify::Verifiers;
    use ferret::verify::spec::embedded_verifiers;
    let mut rules = embedded_rules().unwrap();
    let ids: BTreeSet<String> = rules.iter().map(|r| r.id.to_string()).collect();
    let problems = Verifiers::default().add(
        &mut rules,
        embedded_verifiers().unwrap(),
        "rules/verify.toml",
    );
    for p in &problems {
        let known = AWAITING_RULES
            .iter()
            .any(|id| p.contains(&format!("{id:?}")));
        assert!(known, "{p}");
    }
    for id in AWAITING_RULES {
        if ids.contains(*id) {
            eprintln!("note: rule {id} exists now; it can leave AWAITING_RULES");
        }
    }
    let providers: BTreeSet<String> = embedded_verifiers()
        .unwrap()
        .iter()
        .map(|(id, spec)| spec.provider_name(id))
        .collect();
    assert!(
        providers.len() >= 150,
        "{} providers: {providers:?}",
        providers.len()
    );
}

#[test]
fn rules_check_rejects_a_verifier_for_an_unknown_rule() {
    let dir = TestDir::new().file(
        "verify.toml",
        "[verifier.\"no-such-rule\"]\nurl = \"https://api.example.com/me\"\n",
    );
    let out = ferret()
        .args(["rules", "check"])
        .arg(dir.join("verify.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("unknown rule id \"no-such-rule\""));
}
