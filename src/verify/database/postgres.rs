//! PostgreSQL: the startup and authentication exchange of `tokio-postgres`, then a clean close.
//! The connection runs through an [`AuthGuard`], which stops the login rather than let the
//! password go out in clear text or as an md5 hash.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::auth_guard::{AuthGuard, Refusal};
use super::{GOODBYE, Login, TlsUsed, dead, live, tls_config};
use crate::verify::CheckResult;

/// Logs in as `login` and closes; the whole exchange is bounded by `timeout`.
pub fn check(login: &Login, timeout: Duration) -> CheckResult {
    super::run_login(login_once(login, timeout))
}

async fn login_once(login: &Login, timeout: Duration) -> CheckResult {
    let tls_config = match tls_config() {
        Ok(c) => c,
        Err(e) => return CheckResult::unknown(format!("{e:#}")),
    };
    let used = TlsUsed::default();
    let refusal = Refusal::default();
    let mut make_tls = MakeRustlsConnect::new(tls_config);
    let tls = match MakeTlsConnect::<AuthGuard<tokio::net::TcpStream>>::make_tls_connect(
        &mut make_tls,
        &login.host,
    ) {
        Ok(connect) => NoteTls {
            inner: connect,
            used: used.clone(),
            refusal: refusal.clone(),
        },
        Err(e) => {
            return CheckResult::unknown(format!("cannot set up TLS for {}: {e}", login.host));
        }
    };
    let mut config = tokio_postgres::Config::new();
    config
        .user(&login.user)
        .password(login.password.as_bytes())
        .dbname(login.database.as_deref().unwrap_or(&login.user))
        .application_name("ferret-verify")
        .ssl_mode(SslMode::Prefer);
    let connected = tokio::time::timeout(timeout, async {
        let tcp = tokio::net::TcpStream::connect((login.addr, login.connect_port))
            .await
            .map_err(|e| CheckResult::unknown(format!("could not connect ({e})")))?;
        // `SslMode::Prefer` makes the client open with an SSLRequest.
        let guarded = AuthGuard::after_ssl_request(tcp, refusal.clone());
        config
            .connect_raw(guarded, tls)
            .await
            .map_err(|e| classify(login, &e, &used, &refusal))
    })
    .await;
    match connected {
        Err(_) => CheckResult::unknown("timed out"),
        Ok(Ok((client, connection))) => {
            // Dropping the client makes the connection send Terminate and finish.
            let closing = tokio::spawn(connection);
            drop(client);
            let _ = tokio::time::timeout(GOODBYE, closing).await;
            live(login, &[used.text().to_string()])
        }
        Ok(Err(result)) => result,
    }
}

/// Reads a failed login: a rejected password is dead; a missing database after authentication
/// is live; anything else says nothing about the password.
fn classify(
    login: &Login,
    e: &tokio_postgres::Error,
    used: &TlsUsed,
    refusal: &Refusal,
) -> CheckResult {
    if let Some(reason) = refusal.reason() {
        return CheckResult::unknown(format!("password {reason}"));
    }
    let Some(db) = e.as_db_error() else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        let kind = if text.contains("timed out") {
            "timed out"
        } else {
            "could not log in"
        };
        return CheckResult::unknown(format!("{kind} ({text})"));
    };
    let code = db.code();
    let message = db.message();
    if *code == SqlState::INVALID_PASSWORD {
        dead(format!("rejected (SQLSTATE {}: {message})", code.code()))
    } else if *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION {
        // 28000 also answers a client address that pg_hba.conf does not let in at all, before
        // any password is asked for: that says nothing about the password.
        if message.contains("pg_hba.conf") {
            CheckResult::unknown(format!(
                "the server does not accept logins from here (SQLSTATE 28000: {message})"
            ))
        } else {
            dead(format!("rejected (SQLSTATE {}: {message})", code.code()))
        }
    } else if *code == SqlState::INVALID_CATALOG_NAME {
        live(
            login,
            &[
                used.text().to_string(),
                "(authenticated; the database does not exist)".into(),
            ],
        )
    } else {
        CheckResult::unknown(format!(
            "the server answered SQLSTATE {}: {message}",
            code.code()
        ))
    }
}

/// Wraps a TLS connector to record whether the server accepted TLS and to guard the session's
/// messages as the raw connection's are guarded.
struct NoteTls<T> {
    inner: T,
    used: TlsUsed,
    refusal: Refusal,
}

impl<S, T> TlsConnect<S> for NoteTls<T>
where
    T: TlsConnect<S>,
    T::Future: Send + 'static,
{
    type Stream = AuthGuard<T::Stream>;
    type Error = T::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Stream, T::Error>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        self.used.set();
        let handshake = self.inner.connect(stream);
        let refusal = self.refusal;
        Box::pin(async move { Ok(AuthGuard::messages(handshake.await?, refusal)) })
    }
}
