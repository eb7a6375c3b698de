//! Registries on 127.0.0.1: Debian's `docker-registry` (the CNCF distribution registry),
//! optionally behind basic auth, and a token-auth front that makes it demand bearer tokens the way
//! Docker Hub does (the Docker token protocol), with its token service on the same or another
//! origin.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::json;

use super::TestDir;
use super::mock_http::{MockServer, Reply, Request};
use super::test_image::{TestImage, run};

/// Debian's docker-registry on a free port, optionally with htpasswd (bcrypt) basic auth.
pub struct Registry {
    child: std::process::Child,
    port: u16,
    _dir: TestDir,
}

impl Registry {
    /// Starts a registry; with `auth`, it asks for that user and password.
    pub fn start(auth: Option<(&str, &str)>) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = TestDir::new();
        std::fs::create_dir_all(dir.join("storage")).unwrap();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("storage").display()
        );
        if let Some((user, password)) = auth {
            let htpasswd = dir.join("htpasswd");
            run(
                "htpasswd",
                &["-Bbc", htpasswd.to_str().unwrap(), user, password],
            );
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: ferret-test\n    path: {}\n",
                htpasswd.display()
            ));
        }
        std::fs::write(dir.join("config.yml"), config).unwrap();
        let child = std::process::Command::new("docker-registry")
            .arg("serve")
            .arg(dir.join("config.yml"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("docker-registry is installed (see .ci/setup)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Registry {
            child,
            port,
            _dir: dir,
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Pushes `image` as `name` (`repo:tag`) with skopeo, with `user:password` if given.
    pub fn push(&self, image: &TestImage, name: &str, creds: Option<&str>) {
        let dest = format!("docker://{}/{name}", self.host());
        let mut extra = vec!["--dest-tls-verify=false"];
        if let Some(creds) = creds {
            extra.push("--dest-creds");
            extra.push(creds);
        }
        image.copy_to(&dest, &extra);
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How the token service behaves.
#[derive(Clone, Default)]
pub struct TokenPolicy {
    /// Pull access only for this user and password (anonymous tokens then grant nothing);
    /// `None`: anyone may pull.
    pub user: Option<(String, String)>,
    /// Answer `{"access_token": ...}` only (OAuth2 style) instead of `token` and `access_token`.
    pub access_token_only: bool,
    /// Serve the token endpoint from a second server (another origin) instead of the front.
    pub separate_realm: bool,
}

/// Tokens issued so far: token -> repositories it may pull.
#[derive(Default)]
struct Tokens {
    granted: Mutex<HashMap<String, HashSet<String>>>,
    next: AtomicU64,
}

/// The service name in the challenge; the token endpoint insists on it.
pub const SERVICE: &str = "test-registry";

/// A front on 127.0.0.1 that answers `401 Bearer` challenges and forwards requests carrying a
/// valid token to a real registry; plus its token endpoint (`/token`).
pub struct TokenRegistry {
    front: MockServer,
    realm: Option<MockServer>,
}

impl TokenRegistry {
    /// A front for `upstream` (`127.0.0.1:PORT` of a registry without auth).
    pub fn start(upstream: &str, policy: TokenPolicy) -> Self {
        let tokens = Arc::new(Tokens::default());
        let realm = policy.separate_realm.then(|| {
            let (tokens, policy) = (tokens.clone(), policy.clone());
            MockServer::start(move |req| token_endpoint(req, &policy, &tokens))
        });
        let realm_url = realm.as_ref().map(|r| format!("{}/token", r.url()));
        let client = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let upstream = format!("http://{upstream}");
        let front = MockServer::start(move |req| {
            if req.path() == "/token" {
                return token_endpoint(req, &policy, &tokens);
            }
            let realm = realm_url
                .clone()
                .unwrap_or_else(|| format!("{}/token", req.base));
            front(req, &realm, &tokens, &client, &upstream)
        });
        Self { front, realm }
    }

    /// `127.0.0.1:PORT` of the front (what references name).
    pub fn host(&self) -> String {
        self.front.url().trim_start_matches("http://").to_string()
    }

    /// `127.0.0.1:PORT` of the token service (the front itself unless `separate_realm`).
    pub fn realm_host(&self) -> String {
        self.realm
            .as_ref()
            .unwrap_or(&self.front)
            .url()
            .trim_start_matches("http://")
            .to_string()
    }

    /// Requests the front received (registry API and, without a separate realm, `/token`).
    pub fn front_requests(&self) -> Vec<Request> {
        self.front.requests()
    }

    /// Requests the token endpoint received, wherever it is.
    pub fn token_requests(&self) -> Vec<Request> {
        let all = match &self.realm {
            Some(realm) => realm.requests(),
            None => self.front.requests(),
        };
        all.into_iter().filter(|r| r.path() == "/token").collect()
    }
}

/// The Docker token endpoint: `GET /token?service=...&scope=...`, optional Basic credentials.
fn token_endpoint(req: &Request, policy: &TokenPolicy, tokens: &Tokens) -> Reply {
    let query = query_pairs(&req.target);
    if req.path() != "/token" || req.method != "GET" {
        return Reply::new(404, "not found");
    }
    if !query.iter().any(|(k, v)| k == "service" && v == SERVICE) {
        return Reply::new(400, r#"{"details":"unknown service"}"#);
    }
    let authenticated = match req.header("authorization") {
        Some(header) => {
            let given = header
                .strip_prefix("Basic ")
                .and_then(|b| BASE64.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok());
            let expected = policy.user.as_ref().map(|(u, p)| format!("{u}:{p}"));
            if given.is_none() || given != expected {
                // Wrong credentials are an error; missing ones only narrow the access granted.
                return Reply::new(401, r#"{"details":"incorrect username or password"}"#)
                    .header("www-authenticate", r#"Basic realm="token""#);
            }
            true
        }
        None => false,
    };
    let may_pull = policy.user.is_none() || authenticated;
    let mut granted = HashSet::new();
    for (_, scope) in query.iter().filter(|(k, _)| k == "scope") {
        let mut parts = scope.split(':');
        if let (Some("repository"), Some(name), Some(actions)) =
            (parts.next(), parts.next(), parts.next())
            && may_pull
            && actions.split(',').any(|a| a == "pull")
        {
            granted.insert(name.to_string());
        }
    }
    let token = format!("tok-{}", tokens.next.fetch_add(1, Ordering::SeqCst));
    tokens
        .granted
        .lock()
        .unwrap()
        .insert(token.clone(), granted);
    if policy.access_token_only {
        Reply::json(json!({"access_token": token, "expires_in": 300}))
    } else {
        Reply::json(json!({
            "token": token,
            "access_token": token,
            "expires_in": 300,
            "issued_at": "2024-01-01T00:00:00Z",
        }))
    }
}

/// The registry side: a valid token for the repository, or a 401 challenge.
fn front(
    req: &Request,
    realm: &str,
    tokens: &Tokens,
    client: &reqwest::blocking::Client,
    upstream: &str,
) -> Reply {
    let path = req.path();
    let Some(rest) = path.strip_prefix("/v2/") else {
        return Reply::new(404, "not found");
    };
    let repository = ["/manifests/", "/blobs/", "/tags/"]
        .iter()
        .find_map(|marker| rest.rfind(marker).map(|i| &rest[..i]));
    let token = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "));
    let allowed = token.is_some_and(|t| {
        let granted = tokens.granted.lock().unwrap();
        match (granted.get(t), repository) {
            (Some(repos), Some(repo)) => repos.contains(repo),
            (Some(_), None) => true,
            (None, _) => false,
        }
    });
    if !allowed {
        let scope = repository
            .map(|r| format!(r#",scope="repository:{r}:pull""#))
            .unwrap_or_default();
        return Reply::new(
            401,
            r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
        )
        .header("content-type", "application/json")
        .header(
            "www-authenticate",
            format!(r#"Bearer realm="{realm}",service="{SERVICE}"{scope}"#),
        );
    }
    let mut forward = client.get(format!("{upstream}{}", req.target));
    if let Some(accept) = req.header("accept") {
        forward = forward.header("accept", accept);
    }
    let Ok(response) = forward.send() else {
        return Reply::new(502, "upstream registry unreachable");
    };
    let status = response.status().as_u16();
    let mut headers = Vec::new();
    for name in ["content-type", "docker-content-digest", "location"] {
        if let Some(value) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            headers.push((name.to_string(), value.to_string()));
        }
    }
    let body = response.bytes().map(|b| b.to_vec()).unwrap_or_default();
    let mut reply = Reply::new(status, body);
    reply.headers = headers;
    reply
}

/// Query parameters, percent-decoded, repeated keys kept.
pub fn query_pairs(target: &str) -> Vec<(String, String)> {
    let Some((_, query)) = target.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
