//! Database connection URLs: log in to the server the URL names with its user and password, run
//! no query, and close. PostgreSQL goes through `tokio-postgres` (SCRAM and md5 included), MySQL
//! and MariaDB through `mysql_async`; neither protocol is written here. Both run on a small
//! current-thread runtime per login, and both use rustls with the one crypto provider that the
//! HTTPS client uses too ([`crypto_provider`]), so ferret carries a single TLS stack.
//!
//! The server comes from the secret itself, so a URL naming a loopback, private, link-local or
//! placeholder host (`localhost`, `db`, `example.com`, ...) is never contacted: only a host that
//! resolves to public addresses only is, and the connection goes to the address that was checked.
//! `--verify-endpoint postgres=HOST:PORT` (or `mysql=`) sends the login to a loopback server
//! instead, for tests.
//!
//! TLS, PostgreSQL: where the server offers it, the session is encrypted (libpq's
//! `sslmode=prefer`); the certificate is not checked, since self-hosted databases rarely have a
//! publicly trusted one and the password would otherwise go in clear text to the same host.
//! Because the certificate is not checked, a TLS session never counts as safe for a password in
//! clear text: logins that would send it (`password` and md5) are stopped before the password
//! leaves and end `unknown` ([`auth_guard`]).
//!
//! TLS, MySQL: used only when the certificate verifies; otherwise the login goes over plain TCP
//! through a relay that stops any method sending the password itself ([`mysql_guard`]), since
//! `mysql_async` offers no way to refuse one over a TLS session it set up.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::endpoint::{DATABASE_PROVIDERS, is_loopback};
use super::{CheckResult, Verdict};
use crate::verify::spec::CheckKind;

mod auth_guard;
mod host;
mod mysql;
mod mysql_guard;
mod postgres;

pub use host::is_public_ip;

/// Where database logins go: the URL's own host, or a test endpoint.
pub struct DatabaseClient {
    timeout: Duration,
    /// Provider (`postgres`, `mysql`) -> loopback address from `--verify-endpoint`.
    endpoints: HashMap<String, SocketAddr>,
}

/// A server to log in to, with the credentials.
#[derive(Debug, Clone)]
pub struct Login {
    /// Host name (or address) as the URL gives it: for messages and TLS.
    pub host: String,
    /// Port the URL names.
    pub port: u16,
    /// The address actually connected to.
    pub addr: IpAddr,
    /// The port actually connected to (another one only for a test endpoint).
    pub connect_port: u16,
    /// User name.
    pub user: String,
    /// Password (the secret).
    pub password: String,
    /// Database, if the URL names one.
    pub database: Option<String>,
}

impl Login {
    /// `user@host:port/db`: the identity reported for a live login.
    pub fn identity(&self) -> String {
        let db = self.database.as_deref().unwrap_or("");
        format!("{}@{}:{}/{db}", self.user, self.host, self.port)
    }

    /// What a working login reaches: the server and the database as that user.
    pub fn access(&self) -> super::Access {
        let mut access = super::Access::from([
            ("user".to_string(), self.user.clone()),
            ("server".to_string(), format!("{}:{}", self.host, self.port)),
        ]);
        if let Some(db) = self.database.as_deref().filter(|d| !d.is_empty()) {
            access.insert("database".into(), db.to_string());
        }
        access
    }
}

impl DatabaseClient {
    /// Builds the client; `endpoints` are all `--verify-endpoint` pairs (only database ones are
    /// read here, and each must be a loopback `HOST:PORT`).
    pub fn new(timeout: Duration, endpoints: &[(String, String)]) -> Result<Self> {
        let mut overrides = HashMap::new();
        for (provider, target) in endpoints {
            if !DATABASE_PROVIDERS.contains(&provider.as_str()) {
                continue;
            }
            let addr: SocketAddr = target.parse().with_context(|| {
                format!(
                    "--verify-endpoint {provider}: {target:?} is not HOST:PORT with an IP address"
                )
            })?;
            if !is_loopback(&addr.ip().to_string()) {
                bail!("--verify-endpoint {provider}: only a loopback address is allowed");
            }
            overrides.insert(provider.clone(), addr);
        }
        Ok(Self {
            timeout,
            endpoints: overrides,
        })
    }

    /// Logs in with the values a finding gave (`secret`, `user`, `host`, `database`).
    pub fn check(
        &self,
        kind: CheckKind,
        provider: &str,
        values: &BTreeMap<String, String>,
    ) -> CheckResult {
        let default_port = match kind {
            CheckKind::Postgres => 5432,
            _ => 3306,
        };
        let login = match self.resolve(provider, default_port, values) {
            Ok(login) => login,
            Err(reason) => return CheckResult::unknown(reason),
        };
        match kind {
            CheckKind::Postgres => postgres::check(&login, self.timeout),
            CheckKind::Mysql => mysql::check(&login, self.timeout),
            _ => CheckResult::unknown("not a database check"),
        }
    }

    /// Works out where to connect, refusing hosts that are not public (unless overridden).
    fn resolve(
        &self,
        provider: &str,
        default_port: u16,
        values: &BTreeMap<String, String>,
    ) -> Result<Login, String> {
        let raw_host = values
            .get("host")
            .ok_or("the finding does not say which server the URL names")?;
        let (host, port) = host::split_host_port(raw_host, default_port)?;
        let password = values
            .get("secret")
            .map(|p| crate::uri::decode(p))
            .ok_or("the finding has no password")?;
        let user = values
            .get("user")
            .map(|u| crate::uri::decode(u))
            .filter(|u| !u.is_empty())
            .ok_or("the URL names no user")?;
        let database = values
            .get("database")
            .map(|d| crate::uri::decode(d))
            .filter(|d| !d.is_empty());
        let (addr, connect_port) = match self.endpoints.get(provider) {
            Some(endpoint) => (endpoint.ip(), endpoint.port()),
            None => (host::public_address(&host, port, self.timeout)?, port),
        };
        Ok(Login {
            host,
            port,
            addr,
            connect_port,
            user,
            password,
            database,
        })
    }
}

/// Records whether a TLS session was set up, for the identity line.
#[derive(Clone, Default)]
struct TlsUsed(Arc<AtomicBool>);

impl TlsUsed {
    fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn text(&self) -> &'static str {
        if self.0.load(Ordering::Relaxed) {
            "tls=yes"
        } else {
            "tls=no"
        }
    }
}

/// A live result: identity and what else the login told.
fn live(login: &Login, extra: &[String]) -> CheckResult {
    let mut detail = login.identity();
    for e in extra {
        detail.push(' ');
        detail.push_str(e);
    }
    CheckResult {
        verdict: Verdict::Live,
        detail,
        http_status: None,
        access: login.access(),
    }
}

/// A dead result with the server's reason.
fn dead(reason: String) -> CheckResult {
    CheckResult {
        verdict: Verdict::Dead,
        detail: reason,
        http_status: None,
        access: super::Access::new(),
    }
}

/// The crypto provider of every TLS session ferret opens: aws-lc-rs, the one `reqwest` is built
/// with. It is also installed as rustls' process-wide default, since `mysql_async` builds its
/// client configuration from that default rather than taking one.
fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Fails only when a default is installed already; then that one stays.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A rustls client configuration that encrypts but does not check the certificate (see the
/// module comment for why).
fn tls_config() -> Result<rustls::ClientConfig> {
    let provider = crypto_provider();
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .context("cannot set up TLS")?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(host::AnyCertificate(provider)))
        .with_no_client_auth();
    Ok(config)
}

/// How long a live login may take to say goodbye (`Terminate`, `COM_QUIT`) before it is dropped.
const GOODBYE: Duration = Duration::from_secs(2);

/// Runs one login on a current-thread runtime of its own (the callers are threads of the
/// verification pool, outside any runtime).
fn run_login(login: impl Future<Output = CheckResult>) -> CheckResult {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return CheckResult::unknown(format!("cannot start the connection runtime: {e}")),
    };
    let result = runtime.block_on(login);
    // Tasks a client left behind (a goodbye still being sent) are not waited for.
    runtime.shutdown_background();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_percent_decoded_when_valid() {
        assert_eq!(crate::uri::decode("p%40ss%2Fw"), "p@ss/w");
        assert_eq!(crate::uri::decode("zkP8FN8%APvm"), "zkP8FN8%APvm");
        assert_eq!(crate::uri::decode("abc%"), "abc%");
        assert_eq!(crate::uri::decode("%ff"), "%ff");
    }

    #[test]
    fn endpoints_must_be_loopback() {
        let t = Duration::from_secs(1);
        let ok = [("postgres".to_string(), "127.0.0.1:5432".to_string())];
        assert!(DatabaseClient::new(t, &ok).is_ok());
        let bad = [("mysql".to_string(), "10.0.0.1:3306".to_string())];
        assert!(DatabaseClient::new(t, &bad).is_err());
        let other = [("github".to_string(), "http://127.0.0.1:1".to_string())];
        assert!(DatabaseClient::new(t, &other).is_ok());
    }

    #[test]
    fn private_hosts_are_refused_without_contact() {
        let client = DatabaseClient::new(Duration::from_secs(1), &[]).unwrap();
        for host in [
            "localhost:5432",
            "db",
            "127.0.0.1",
            "10.1.2.3:5432",
            "192.168.0.5",
            "[::1]:5432",
            "db.example.com",
            "pg.internal",
        ] {
            let values: BTreeMap<String, String> =
                [("host", host), ("secret", "Xy7pQ2rT9w"), ("user", "app")]
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
            let r = client.check(CheckKind::Postgres, "postgres", &values);
            assert_eq!(r.verdict, Verdict::Unknown, "{host}");
            assert!(r.detail.contains("not public"), "{host}: {}", r.detail);
        }
    }
}
