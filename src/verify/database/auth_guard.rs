//! Watches the PostgreSQL server's messages on their way to `tokio-postgres` and stops the login
//! before the password could be exposed. `tokio-postgres` answers whatever authentication request
//! the server sends, so a server (or anyone in the path of a plain TCP connection) that asks for
//! the password in clear text would get it; this guard fails the read that carries such a request,
//! so the client never gets to answer.
//!
//! Refused: cleartext (`AuthenticationCleartextPassword`) and md5 (`AuthenticationMD5Password`).
//! md5 sends `md5(md5(password + user) + salt)` with a salt the server picks: whoever sees it can
//! test guesses offline at the speed of md5, and an active attacker who downgrades a SCRAM server
//! to md5 gets exactly that. Both would be acceptable only over TLS with a verified certificate,
//! and ferret does not verify database certificates (see the `database` module), so they are
//! refused always. SCRAM-SHA-256 proves knowledge of the password without sending it and is
//! accepted over plain TCP.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, TlsStream};

/// Authentication request codes of the `R` message.
const AUTH_CLEARTEXT: u32 = 3;
const AUTH_MD5: u32 = 5;

/// Why a login was stopped, shared between the guard and the code that reports the result.
#[derive(Clone, Default, Debug)]
pub struct Refusal(Arc<OnceLock<String>>);

impl Refusal {
    /// The reason, if the guard stopped the login.
    pub fn reason(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }

    /// Records `reason` (the first one stays) and returns the error that ends the login.
    pub(super) fn refuse(&self, reason: String) -> io::Error {
        let _ = self.0.set(reason.clone());
        io::Error::new(io::ErrorKind::PermissionDenied, reason)
    }
}

/// Where the guard is in the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The one-byte answer to the client's SSLRequest comes first.
    SslReply,
    /// Framed backend messages.
    Messages,
    /// TLS records: the TLS stream above has its own guard.
    Opaque,
}

/// A stream whose reads are checked for password requests that would expose the password.
#[derive(Debug)]
pub struct AuthGuard<S> {
    inner: S,
    phase: Phase,
    /// Type byte, length and (for `R`) the request code of the message being read.
    head: [u8; 9],
    have: usize,
    /// Body bytes of the current message still to pass unexamined.
    skip: usize,
    refusal: Refusal,
}

impl<S> AuthGuard<S> {
    /// Guards a raw connection on which the client starts with an SSLRequest.
    pub fn after_ssl_request(inner: S, refusal: Refusal) -> Self {
        Self::with_phase(inner, Phase::SslReply, refusal)
    }

    /// Guards a stream that carries backend messages from its first byte (a TLS session).
    pub fn messages(inner: S, refusal: Refusal) -> Self {
        Self::with_phase(inner, Phase::Messages, refusal)
    }

    fn with_phase(inner: S, phase: Phase, refusal: Refusal) -> Self {
        Self {
            inner,
            phase,
            head: [0; 9],
            have: 0,
            skip: 0,
            refusal,
        }
    }

    /// Looks at bytes just read; an error means they must not reach the client.
    fn inspect(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            match self.phase {
                Phase::Opaque => return Ok(()),
                Phase::SslReply => {
                    self.phase = if data[0] == b'S' {
                        Phase::Opaque
                    } else {
                        Phase::Messages
                    };
                    data = &data[1..];
                }
                Phase::Messages if self.skip > 0 => {
                    let n = self.skip.min(data.len());
                    self.skip -= n;
                    data = &data[n..];
                }
                Phase::Messages => {
                    self.head[self.have] = data[0];
                    self.have += 1;
                    data = &data[1..];
                    self.message_head()?;
                }
            }
        }
        Ok(())
    }

    /// Acts on the head of a message once enough of it is in.
    fn message_head(&mut self) -> io::Result<()> {
        if self.have < 5 {
            return Ok(());
        }
        let len = u32::from_be_bytes([self.head[1], self.head[2], self.head[3], self.head[4]]);
        let body = (len as usize).saturating_sub(4);
        let is_auth = self.head[0] == b'R' && body >= 4;
        if !is_auth {
            self.skip = body;
            self.have = 0;
            return Ok(());
        }
        if self.have < 9 {
            return Ok(());
        }
        let code = u32::from_be_bytes([self.head[5], self.head[6], self.head[7], self.head[8]]);
        self.skip = body - 4;
        self.have = 0;
        match code {
            AUTH_CLEARTEXT => Err(self.refusal.refuse(
                "not sent: the server asks for the password in clear text, which ferret only \
                 sends over TLS with a verified certificate (database certificates are not \
                 verified)"
                    .into(),
            )),
            AUTH_MD5 => Err(self.refusal.refuse(
                "not sent: the server asks for an md5 password hash, which lets anyone who sees \
                 it test guesses offline; ferret logs in with SCRAM-SHA-256 only"
                    .into(),
            )),
            _ => Ok(()),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for AuthGuard<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let fresh = buf.filled()[before..].to_vec();
                if let Err(e) = this.inspect(&fresh) {
                    // The request must not reach the client, or it would answer it.
                    buf.set_filled(before);
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for AuthGuard<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S: TlsStream + Unpin> TlsStream for AuthGuard<S> {
    fn channel_binding(&self) -> ChannelBinding {
        self.inner.channel_binding()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![kind];
        m.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
        m.extend_from_slice(body);
        m
    }

    fn auth(code: u32, extra: &[u8]) -> Vec<u8> {
        let mut body = code.to_be_bytes().to_vec();
        body.extend_from_slice(extra);
        message(b'R', &body)
    }

    /// Feeds `bytes` to a fresh guard in pieces of `step` bytes; the reason if it refused.
    fn feed(bytes: &[u8], step: usize) -> Option<String> {
        let refusal = Refusal::default();
        let mut guard = AuthGuard::after_ssl_request((), refusal.clone());
        for piece in bytes.chunks(step) {
            if guard.inspect(piece).is_err() {
                return refusal.reason().map(str::to_string);
            }
        }
        None
    }

    #[test]
    fn cleartext_and_md5_requests_are_refused_scram_is_not() {
        let notice = message(b'N', b"SNOTICE\0\0");
        for step in [1, 2, 3, 7, 1000] {
            let mut cleartext = b"N".to_vec();
            cleartext.extend(notice.clone());
            cleartext.extend(auth(AUTH_CLEARTEXT, b""));
            assert!(feed(&cleartext, step).unwrap().contains("clear text"));

            let mut md5 = b"N".to_vec();
            md5.extend(auth(AUTH_MD5, b"salt"));
            assert!(feed(&md5, step).unwrap().contains("md5"));

            let mut scram = b"N".to_vec();
            scram.extend(auth(10, b"SCRAM-SHA-256\0\0"));
            scram.extend(auth(11, b"r=abc,s=def,i=4096"));
            scram.extend(auth(12, b"v=xyz"));
            scram.extend(auth(0, b""));
            assert_eq!(feed(&scram, step), None);
        }
    }

    #[test]
    fn tls_records_after_an_accepted_ssl_request_pass_unexamined() {
        let mut tls = b"S".to_vec();
        tls.extend(auth(AUTH_CLEARTEXT, b""));
        assert_eq!(feed(&tls, 4), None);
    }
}
