//! MySQL and MariaDB: the handshake and authentication of `mysql_async`, then a clean close
//! (`COM_QUIT`). The options keep the crate from running its usual set-up queries
//! (`SELECT @@max_allowed_packet, @@wait_timeout, @@socket`), so nothing but the login reaches
//! the server.
//!
//! The password itself never leaves except over TLS with a verified certificate: a server that
//! switches the login to `mysql_clear_password` gets no answer, the pre-4.1 hash is refused, and
//! a `caching_sha2_password` full authentication over plain TCP is stopped by the relay in
//! [`super::mysql_guard`] (see [`log_in`] for when TLS is used).
//!
//! TLS goes through the same rustls build and crypto provider as every other connection ferret
//! makes (see [`super::crypto_provider`]); `mysql_async` builds its client configuration itself,
//! from that process-wide provider, with the web PKI roots.

use std::net::SocketAddr;
use std::time::Duration;

use mysql_async::{Conn, DriverError, Error, IoError, OptsBuilder, SslOpts};

use super::auth_guard::Refusal;
use super::{GOODBYE, Login, dead, live, mysql_guard};
use crate::verify::CheckResult;

/// Access denied (wrong user or password).
const ACCESS_DENIED: u16 = 1045;
/// Authenticated, but not allowed to use the database the URL names.
const DB_ACCESS_DENIED: u16 = 1044;
/// Authenticated, but the database does not exist.
const BAD_DB: u16 = 1049;
/// Largest packet ferret accepts from the server; a login needs a few hundred bytes.
const MAX_PACKET: usize = 4 << 20;

/// Logs in as `login` and closes; the login, a retry without TLS included, is bounded by
/// `timeout`. TLS is used when the server offers it and its certificate verifies.
pub fn check(login: &Login, timeout: Duration) -> CheckResult {
    super::run_login(async {
        let refusal = Refusal::default();
        match tokio::time::timeout(timeout, log_in(login, &refusal)).await {
            Err(_) => CheckResult::unknown("timed out"),
            Ok(Err(_)) if refusal.reason().is_some() => {
                CheckResult::unknown(refusal.reason().unwrap_or_default())
            }
            Ok(Err(e)) => classify(login, &e),
            Ok(Ok((conn, tls))) => connected(login, conn, &tls).await,
        }
    })
}

/// How the session that carried the login was protected.
enum Transport {
    /// TLS with a certificate that verified for the URL's host.
    VerifiedTls,
    /// Plain TCP through the guard, and why not TLS.
    Guarded(&'static str),
}

/// An authenticated connection, and how it is protected.
///
/// First with TLS and the certificate checked against the web PKI roots for the URL's host: over
/// such a session every login method is safe, the full `caching_sha2_password` one included.
/// Where the server offers no TLS or its certificate does not verify (self-hosted databases
/// rarely have a publicly trusted one), the login is retried over plain TCP through
/// [`mysql_guard`], which lets challenge-response logins through and stops any that would send
/// the password itself. An unverified TLS session is never used: it would protect nothing
/// against whoever could present the certificate, and hide the login from the guard.
async fn log_in(login: &Login, refusal: &Refusal) -> Result<(Conn, Transport), Error> {
    super::crypto_provider();
    // Connect to the address that was checked, but verify the certificate (and send SNI) for
    // the URL's host, as a client given the host name would.
    let verified = SslOpts::default().with_danger_tls_hostname_override(Some(login.host.clone()));
    let target = SocketAddr::new(login.addr, login.connect_port);
    let why_plain = match Conn::new(options(target, login).ssl_opts(verified)).await {
        Ok(conn) => return Ok((conn, Transport::VerifiedTls)),
        Err(Error::Driver(DriverError::NoClientSslFlagFromServer)) => "the server offers no TLS",
        // The TLS handshake failed (the certificate, mostly) before anything of the login was
        // sent; rustls' errors come wrapped in an I/O error.
        Err(Error::Io(IoError::Tls(_))) => "the certificate did not verify",
        Err(Error::Io(IoError::Io(e))) if is_tls_failure(&e) => "the certificate did not verify",
        Err(e) => return Err(e),
    };
    let relay = mysql_guard::start(target, refusal.clone()).await?;
    let conn = Conn::new(options(relay, login)).await?;
    Ok((conn, Transport::Guarded(why_plain)))
}

/// Whether an I/O error is rustls refusing the session.
fn is_tls_failure(e: &std::io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
}

/// Options of every login: where to connect, the credentials, no cleartext plugin, no set-up
/// queries.
fn options(target: SocketAddr, login: &Login) -> OptsBuilder {
    OptsBuilder::default()
        .user(Some(login.user.clone()))
        .pass(Some(login.password.clone()))
        .db_name(login.database.clone())
        // An IP address, so nothing is looked up again: the connection goes where the check did.
        .ip_or_hostname(target.ip().to_string())
        .tcp_port(target.port())
        .enable_cleartext_plugin(false)
        .secure_auth(true)
        // Known values instead of asking the server for them after the login.
        .prefer_socket(false)
        .max_allowed_packet(Some(MAX_PACKET))
        .wait_timeout(Some(60))
}

async fn connected(login: &Login, conn: Conn, transport: &Transport) -> CheckResult {
    let version = conn.server_version();
    // A server that does not answer the goodbye does not change the result.
    let _ = tokio::time::timeout(GOODBYE, conn.disconnect()).await;
    let mut extra = Vec::new();
    // MariaDB announces itself as "5.5.5-<version>" for old clients; that prefix says nothing.
    if version != (5, 5, 5) {
        extra.push(format!("server={}.{}.{}", version.0, version.1, version.2));
    }
    extra.push(match transport {
        Transport::VerifiedTls => "tls=yes (certificate verified)".to_string(),
        Transport::Guarded(why) => format!("tls=no ({why})"),
    });
    live(login, &extra)
}

fn classify(login: &Login, e: &Error) -> CheckResult {
    match e {
        Error::Driver(DriverError::CleartextPluginDisabled) => CheckResult::unknown(
            "password not sent: the server asks for it in clear text (mysql_clear_password), \
             which ferret only sends over TLS with a verified certificate (database certificates \
             are not verified)",
        ),
        Error::Driver(DriverError::MysqlOldPasswordDisabled) => CheckResult::unknown(
            "password not sent: the server asks for the pre-4.1 password hash, which is \
             insecure",
        ),
        Error::Driver(DriverError::UnknownAuthPlugin { name }) => CheckResult::unknown(format!(
            "password not sent: the server asks for an authentication method ferret does not \
             know ({})",
            crate::escape::escape_control(name)
        )),
        Error::Server(m) if m.code == ACCESS_DENIED => {
            dead(format!("rejected (error {}: {})", m.code, m.message))
        }
        Error::Server(m) if m.code == DB_ACCESS_DENIED || m.code == BAD_DB => live(
            login,
            &[format!(
                "(authenticated; the database is not usable: error {})",
                m.code
            )],
        ),
        Error::Server(m) => CheckResult::unknown(format!(
            "the server answered error {}: {}",
            m.code, m.message
        )),
        Error::Io(IoError::Io(io)) => CheckResult::unknown(format!("could not connect ({io})")),
        Error::Io(IoError::Tls(tls)) => {
            CheckResult::unknown(format!("could not set up TLS ({tls})"))
        }
        other => CheckResult::unknown(format!("could not log in ({other})")),
    }
}
