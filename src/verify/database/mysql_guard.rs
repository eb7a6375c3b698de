//! A relay on 127.0.0.1 between `mysql_async` and a MySQL server, for logins without a verified
//! TLS session. It reads the server's packets on their way to the client and ends the login
//! before the password could be exposed.
//!
//! Why a relay: `mysql_async` answers MySQL 8's `caching_sha2_password` "full authentication"
//! request (`0x01 0x04`) with the password itself, in clear text over TLS or encrypted with an
//! RSA key that the server sends on request. With a certificate nobody checked, or a key nobody
//! checked, whoever sits in the path gets the password. The crate has no option to refuse that
//! step, and its stream is internal, so the guard sits on the only boundary there is: the socket.
//! (The challenge-response logins, `mysql_native_password` and the fast path of
//! `caching_sha2_password`, prove knowledge of the password without sending it and go through.)
//!
//! The relay sees only plain MySQL packets: logins through it never ask for TLS (see
//! `mysql::log_in`, which uses TLS only when the certificate verifies, and then no relay).

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::auth_guard::Refusal;

/// `caching_sha2_password`: AuthMoreData (`0x01`) asking for the full password (`0x04`).
const FULL_AUTHENTICATION: [u8; 2] = [0x01, 0x04];
/// Largest packet the guard reads during the login; a login needs a few hundred bytes.
const MAX_LOGIN_PACKET: usize = 1 << 20;

/// Why the guard stops a login, as reported (`unknown`).
pub const FULL_AUTH_REFUSED: &str = "password not sent: the server asks for the full password \
     (caching_sha2_password full authentication), which ferret sends only over TLS with a \
     verified certificate";

/// Starts a relay to `server` that accepts one connection; returns the address to connect to.
pub async fn start(server: SocketAddr, refusal: Refusal) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let local = listener.local_addr()?;
    tokio::spawn(async move {
        let Ok((client, _)) = listener.accept().await else {
            return;
        };
        drop(listener);
        let Ok(upstream) = TcpStream::connect(server).await else {
            // The client sees the connection close; the caller reports it as not reachable.
            return;
        };
        relay(client, upstream, refusal).await;
    });
    Ok(local)
}

/// Copies both directions; the server's side packet by packet until the login has ended.
async fn relay(client: TcpStream, upstream: TcpStream, refusal: Refusal) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = upstream.into_split();
    let to_server = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    });
    if watch_login(&mut server_read, &mut client_write, &refusal)
        .await
        .is_ok()
    {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
    }
    let _ = client_write.shutdown().await;
    // The server's side has ended (or was cut by the guard): nothing more goes to the server.
    to_server.abort();
}

/// Where the server's side of the login is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The server's greeting (or an error instead of one).
    Greeting,
    /// Authentication exchange: switches, extra data, until OK or ERR.
    Authenticating,
    /// The login has ended; the rest is copied unread.
    Done,
}

/// What the guard does with one packet from the server.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Forward(Step),
    Refuse(&'static str),
}

/// The decision for one server packet during the login.
fn judge(step: Step, payload: &[u8]) -> Verdict {
    match step {
        Step::Greeting => Verdict::Forward(Step::Authenticating),
        Step::Authenticating if payload == FULL_AUTHENTICATION => {
            Verdict::Refuse(FULL_AUTH_REFUSED)
        }
        // OK or ERR ends the login.
        Step::Authenticating if matches!(payload.first(), Some(0x00 | 0xff)) => {
            Verdict::Forward(Step::Done)
        }
        step => Verdict::Forward(step),
    }
}

/// Forwards the server's packets until the login has ended; an error when it was refused or a
/// packet was malformed (then nothing more is forwarded).
async fn watch_login(
    from: &mut (impl AsyncReadExt + Unpin),
    to: &mut (impl AsyncWriteExt + Unpin),
    refusal: &Refusal,
) -> io::Result<()> {
    let mut step = Step::Greeting;
    let mut payload = Vec::new();
    while step != Step::Done {
        let mut header = [0u8; 4];
        from.read_exact(&mut header).await?;
        let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
        if len > MAX_LOGIN_PACKET {
            return Err(refusal.refuse(format!(
                "the server sent a login packet of {len} bytes (at most {MAX_LOGIN_PACKET})"
            )));
        }
        payload.resize(len, 0);
        from.read_exact(&mut payload).await?;
        match judge(step, &payload) {
            Verdict::Refuse(reason) => return Err(refusal.refuse(reason.to_string())),
            Verdict::Forward(next) => step = next,
        }
        to.write_all(&header).await?;
        to.write_all(&payload).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_authentication_is_refused_during_the_login_only() {
        assert_eq!(
            judge(Step::Greeting, &[10, b'8', 0]),
            Verdict::Forward(Step::Authenticating)
        );
        assert_eq!(
            judge(Step::Authenticating, &FULL_AUTHENTICATION),
            Verdict::Refuse(FULL_AUTH_REFUSED)
        );
        // Fast authentication succeeded (0x01 0x03), then OK.
        assert_eq!(
            judge(Step::Authenticating, &[0x01, 0x03]),
            Verdict::Forward(Step::Authenticating)
        );
        assert_eq!(
            judge(Step::Authenticating, &[0x00, 0, 0, 2, 0]),
            Verdict::Forward(Step::Done)
        );
        assert_eq!(
            judge(Step::Authenticating, &[0xff, 0x15, 0x04]),
            Verdict::Forward(Step::Done)
        );
        // An auth switch keeps the guard watching.
        let mut switch = vec![0xfe];
        switch.extend_from_slice(b"caching_sha2_password\0");
        assert_eq!(
            judge(Step::Authenticating, &switch),
            Verdict::Forward(Step::Authenticating)
        );
    }
}
