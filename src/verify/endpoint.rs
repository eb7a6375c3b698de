//! What `--verify-endpoint` may point at, shared by the HTTP and database clients: a test
//! endpoint is a loopback address (or https), and database providers take `HOST:PORT`.

/// Providers whose `--verify-endpoint` is `HOST:PORT` rather than a URL.
pub const DATABASE_PROVIDERS: &[&str] = &["postgres", "mysql"];

/// Whether `host` is a loopback name or address.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
