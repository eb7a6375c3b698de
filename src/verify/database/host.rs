//! Which database hosts may be contacted: only names that resolve to public addresses only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

/// Name suffixes reserved for documentation, tests or private networks (RFC 2606, 6761, 6762,
/// 8375 and common internal conventions).
const PRIVATE_SUFFIXES: &[&str] = &[
    "localhost",
    "local",
    "localdomain",
    "internal",
    "intranet",
    "private",
    "corp",
    "home",
    "lan",
    "test",
    "example",
    "invalid",
    "home.arpa",
    "example.com",
    "example.net",
    "example.org",
];

/// Why a host is refused.
const NOT_PUBLIC: &str = "host is not public";

/// Splits `host[:port]` (or `[v6]:port`) and checks the name's characters.
pub fn split_host_port(raw: &str, default_port: u16) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = raw.strip_prefix('[') {
        let (inside, after) = rest
            .split_once(']')
            .ok_or("the URL's host is not a valid address")?;
        (inside, after.strip_prefix(':'))
    } else {
        match raw.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (raw, None),
        }
    };
    if host.contains(',') || raw.contains(',') {
        return Err("the URL names several hosts; only single-host URLs are checked".into());
    }
    let port = match port {
        None | Some("") => default_port,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|&p| p != 0)
            .ok_or("the URL's port is not a number")?,
    };
    let valid = !host.is_empty()
        && host.len() <= 253
        && (host.parse::<IpAddr>().is_ok()
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_'));
    if !valid {
        return Err("the URL's host is not a host name or address".into());
    }
    Ok((host.to_ascii_lowercase(), port))
}

/// Whether `name` is a placeholder or private name that must not be looked up at all.
fn is_private_name(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    !name.contains('.')
        || PRIVATE_SUFFIXES.iter().any(|suffix| {
            name == *suffix
                || name
                    .strip_suffix(suffix)
                    .is_some_and(|rest| rest.ends_with('.'))
        })
}

/// The one address to connect to for `host`: it must be public, and so must every address the
/// name resolves to (a name that also points inside the network is refused).
pub fn public_address(host: &str, port: u16, timeout: Duration) -> Result<IpAddr, String> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return if is_public_ip(ip) {
            Ok(ip)
        } else {
            Err(format!("{NOT_PUBLIC} ({host} is a private address)"))
        };
    }
    if is_private_name(host) {
        return Err(format!(
            "{NOT_PUBLIC} ({host} is a local or placeholder name)"
        ));
    }
    let addrs = resolve(host, port, timeout)?;
    if addrs.is_empty() {
        return Err(format!("{NOT_PUBLIC} ({host} does not resolve)"));
    }
    if let Some(private) = addrs.iter().find(|ip| !is_public_ip(**ip)) {
        return Err(format!("{NOT_PUBLIC} ({host} resolves to {private})"));
    }
    Ok(addrs[0])
}

/// Resolves `host` with the system resolver, giving up after `timeout`.
fn resolve(host: &str, port: u16, timeout: Duration) -> Result<Vec<IpAddr>, String> {
    let (tx, rx) = mpsc::channel();
    let name = host.to_string();
    // The system resolver cannot be cancelled; a lookup that outlives the timeout finishes on
    // its own thread and its answer is dropped.
    std::thread::spawn(move || {
        let result = (name.as_str(), port)
            .to_socket_addrs()
            .map(|it| it.map(|a| a.ip()).collect::<Vec<_>>());
        let _ = tx.send(result);
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(addrs)) => Ok(addrs),
        Ok(Err(_)) => Err(format!("{NOT_PUBLIC} ({host} does not resolve)")),
        Err(_) => Err(format!("looking up {host} timed out")),
    }
}

/// Whether `ip` is a globally routable unicast address.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local
                || (seg[0] & 0xffc0) == 0xfe80 // link local
                || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
                || (seg[0] == 0x0064 && seg[1] == 0xff9b) // NAT64 of any v4 address
                || v6 == Ipv6Addr::from(0u128))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 192 && b == 0 && c == 0)) // IETF protocol assignments
}

/// Accepts any server certificate but still checks the handshake signatures, so the session is
/// encrypted to whoever holds the certificate's key.
#[derive(Debug)]
pub struct AnyCertificate(pub Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port() {
        assert_eq!(
            split_host_port("db.acme.io:6432", 5432).unwrap(),
            ("db.acme.io".into(), 6432)
        );
        assert_eq!(
            split_host_port("DB.acme.io", 5432).unwrap(),
            ("db.acme.io".into(), 5432)
        );
        assert_eq!(
            split_host_port("[2001:db8::1]:5433", 5432).unwrap(),
            ("2001:db8::1".into(), 5433)
        );
        assert!(split_host_port("a,b:5432", 5432).is_err());
        assert!(split_host_port("h:port", 5432).is_err());
        assert!(split_host_port("${DB_HOST}", 5432).is_err());
    }

    #[test]
    fn public_and_private_addresses() {
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(is_public_ip(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "192.0.2.10",
        ] {
            assert!(!is_public_ip(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn placeholder_names_are_not_looked_up() {
        for name in [
            "localhost",
            "db",
            "warehouse",
            "api.localhost",
            "db.internal",
            "example.com",
            "db.example.org",
            "pg.test",
        ] {
            assert!(is_private_name(name), "{name}");
        }
        assert!(!is_private_name("db.acme-corp.io"));
        assert!(!is_private_name("notexample.com"));
    }
}
