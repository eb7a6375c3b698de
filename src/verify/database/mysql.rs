//! MySQL and MariaDB: the handshake and authentication of `mysql_async`, then a clean close
//! (`COM_QUIT`). The options keep the crate from running its usual set-up queries
//! (`SELECT @@max_allowed_packet, @@wait_timeout, @@socket`), so nothing but the login reaches
//! the server.
//!
//! The password never goes out in clear text: a server that switches the login to
//! `mysql_clear_password` gets no answer (that would be acceptable only over TLS with a verified
//! certificate, and database certificates are not verified), and the pre-4.1 hash is refused.
//!
//! TLS goes through the same rustls build and crypto provider as every other connection ferret
//! makes (see [`super::crypto_provider`]); `mysql_async` builds its client configuration itself,
//! from that process-wide provider, with certificate checks off and handshake signatures checked,
//! as [`super::tls_config`] does for PostgreSQL.

use std::time::Duration;

use mysql_async::{Conn, DriverError, Error, IoError, OptsBuilder, SslOpts};

use super::{GOODBYE, Login, dead, live};
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
/// `timeout`. TLS is used when the server offers it.
pub fn check(login: &Login, timeout: Duration) -> CheckResult {
    super::run_login(async {
        match tokio::time::timeout(timeout, log_in(login)).await {
            Err(_) => CheckResult::unknown("timed out"),
            Ok(Err(e)) => classify(login, &e),
            Ok(Ok((conn, tls))) => connected(login, conn, tls).await,
        }
    })
}

/// An authenticated connection, and whether it is encrypted.
async fn log_in(login: &Login) -> Result<(Conn, bool), Error> {
    super::crypto_provider();
    let tls = SslOpts::default()
        .with_danger_accept_invalid_certs(true)
        .with_danger_skip_domain_validation(true)
        // Connect to the address that was checked, but name the URL's host in the handshake
        // (SNI), as the PostgreSQL login does.
        .with_danger_tls_hostname_override(Some(login.host.clone()));
    match Conn::new(options(login).ssl_opts(tls)).await {
        Ok(conn) => Ok((conn, true)),
        // The server does not offer TLS: log in without it, as MySQL's `PREFERRED` does.
        Err(Error::Driver(DriverError::NoClientSslFlagFromServer)) => {
            Ok((Conn::new(options(login)).await?, false))
        }
        Err(e) => Err(e),
    }
}

fn options(login: &Login) -> OptsBuilder {
    OptsBuilder::default()
        // An IP address, so nothing is looked up again: the connection goes where the check did.
        .ip_or_hostname(login.addr.to_string())
        .tcp_port(login.connect_port)
        .user(Some(login.user.clone()))
        .pass(Some(login.password.clone()))
        .enable_cleartext_plugin(false)
        .secure_auth(true)
        .db_name(login.database.clone())
        // Known values instead of asking the server for them after the login.
        .prefer_socket(false)
        .max_allowed_packet(Some(MAX_PACKET))
        .wait_timeout(Some(60))
}

async fn connected(login: &Login, conn: Conn, tls: bool) -> CheckResult {
    let version = conn.server_version();
    // A server that does not answer the goodbye does not change the result.
    let _ = tokio::time::timeout(GOODBYE, conn.disconnect()).await;
    let mut extra = Vec::new();
    // MariaDB announces itself as "5.5.5-<version>" for old clients; that prefix says nothing.
    if version != (5, 5, 5) {
        extra.push(format!("server={}.{}.{}", version.0, version.1, version.2));
    }
    extra.push(format!("tls={}", if tls { "yes" } else { "no" }));
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
