//! MySQL and MariaDB: the handshake and authentication of the `mysql` crate, then a clean close.
//! The options keep the crate from running its usual set-up queries (`SELECT @@max_allowed_packet`,
//! `SELECT @@socket`), so nothing but the login reaches the server.
//!
//! The password never goes out in clear text: a server that switches the login to
//! `mysql_clear_password` gets no answer (that would be acceptable only over TLS with a verified
//! certificate, and database certificates are not verified), and the pre-4.1 hash is refused.

use std::time::Duration;

use ::mysql::{Conn, DriverError, Error, OptsBuilder, SslOpts};

use super::{Login, dead, live};
use crate::verify::CheckResult;

/// Access denied (wrong user or password).
const ACCESS_DENIED: u16 = 1045;
/// Authenticated, but not allowed to use the database the URL names.
const DB_ACCESS_DENIED: u16 = 1044;
/// Authenticated, but the database does not exist.
const BAD_DB: u16 = 1049;

/// Logs in as `login` and closes. TLS is used when the server offers it.
pub fn check(login: &Login, timeout: Duration) -> CheckResult {
    let tls = SslOpts::default()
        .with_danger_accept_invalid_certs(true)
        .with_danger_skip_domain_validation(true);
    match Conn::new(options(login, timeout).ssl_opts(tls)) {
        Ok(conn) => connected(login, conn, true),
        Err(Error::DriverError(DriverError::TlsNotSupported)) => {
            match Conn::new(options(login, timeout)) {
                Ok(conn) => connected(login, conn, false),
                Err(e) => classify(login, &e),
            }
        }
        Err(e) => classify(login, &e),
    }
}

fn options(login: &Login, timeout: Duration) -> OptsBuilder {
    OptsBuilder::new()
        .ip_or_hostname(Some(login.addr.to_string()))
        .tcp_port(login.connect_port)
        .user(Some(login.user.clone()))
        .pass(Some(login.password.clone()))
        .enable_cleartext_plugin(false)
        .secure_auth(true)
        .db_name(login.database.clone())
        .prefer_socket(false)
        .max_allowed_packet(Some(4 << 20))
        .tcp_connect_timeout(Some(timeout))
        .read_timeout(Some(timeout))
        .write_timeout(Some(timeout))
}

fn connected(login: &Login, conn: Conn, tls: bool) -> CheckResult {
    let version = conn.server_version();
    // Dropping the connection sends COM_QUIT.
    drop(conn);
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
        Error::DriverError(DriverError::CleartextPluginDisabled) => CheckResult::unknown(
            "password not sent: the server asks for it in clear text (mysql_clear_password), \
             which ferret only sends over TLS with a verified certificate (database certificates \
             are not verified)",
        ),
        Error::DriverError(DriverError::UnknownAuthPlugin(name))
            if name.as_str() == "mysql_clear_password" =>
        {
            CheckResult::unknown(
                "password not sent: the server asks for it in clear text (mysql_clear_password)",
            )
        }
        Error::DriverError(DriverError::OldMysqlPasswordDisabled) => CheckResult::unknown(
            "password not sent: the server asks for the pre-4.1 password hash, which is \
             insecure",
        ),
        Error::MySqlError(m) if m.code == ACCESS_DENIED => {
            dead(format!("rejected (error {}: {})", m.code, m.message))
        }
        Error::MySqlError(m) if m.code == DB_ACCESS_DENIED || m.code == BAD_DB => live(
            login,
            &[format!(
                "(authenticated; the database is not usable: error {})",
                m.code
            )],
        ),
        Error::MySqlError(m) => CheckResult::unknown(format!(
            "the server answered error {}: {}",
            m.code, m.message
        )),
        Error::IoError(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            CheckResult::unknown(format!("timed out ({io})"))
        }
        Error::IoError(io) => CheckResult::unknown(format!("could not connect ({io})")),
        other => CheckResult::unknown(format!("could not log in ({other})")),
    }
}
