//! `--verify` against real servers the tests start on 127.0.0.1: PostgreSQL and MariaDB (database
//! URLs log in and close) and the Azurite storage emulator (Shared Key-signed requests). Every test
//! also checks that no password or key appears in ferret's output.

use std::net::TcpListener;
use std::process::Output;

use crate::support::azurite::Azurite;
use crate::support::db_server::DbServer;
use crate::support::{TestDir, ferret, json_findings};

/// Runs `ferret scan dir DIR --format json --verify` with more arguments.
fn scan(dir: &TestDir, args: &[&str]) -> Output {
    ferret()
        .args(["scan", "dir"])
        .arg(dir.path())
        .args(["--format", "json", "--verify", "--verify-timeout", "10s"])
        .args(args)
        .output()
        .expect("ferret runs")
}

/// Fails if any of `secrets` appears anywhere in the process output.
fn assert_no_secret(output: &Output, secrets: &[&str]) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for s in secrets {
        assert!(!all.contains(s), "output contains a full secret:\n{all}");
    }
}

/// `(file name, status, detail)` of each finding of `rule` in `output`, sorted by file name.
fn statuses(output: &Output, rule: &str) -> Vec<(String, String, String)> {
    crate::support::verification_statuses(&json_findings(output), rule)
}

/// A port nothing listens on (it was free a moment ago).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

#[test]
fn postgres_urls_log_in_and_report_user_host_and_database() {
    let password = "Vq7mZ2xKp9Lw4Rt";
    let wrong = "Hn3bT8cWq5Ys2Ke";
    let server = DbServer::postgres("app_owner", password);
    let dir = TestDir::new()
        .file(
            "live.env",
            format!("DATABASE_URL=postgres://app_owner:{password}@db.acme-corp.io:5432/postgres\n"),
        )
        .file(
            "dead.env",
            format!("DATABASE_URL=postgresql://app_owner:{wrong}@db.acme-corp.io/postgres\n"),
        )
        .file(
            "nodb.env",
            format!("DATABASE_URL=postgres://app_owner:{password}@db.acme-corp.io/billing_prod\n"),
        );
    let endpoint = format!("postgres={}", server.endpoint());
    let out = scan(&dir, &["--verify-endpoint", &endpoint]);
    assert_no_secret(&out, &[password, wrong]);
    let got = statuses(&out, "postgres-connection-uri");
    assert_eq!(got.len(), 3, "{got:?}");
    let (dead, live, nodb) = (&got[0], &got[1], &got[2]);
    assert_eq!((dead.0.as_str(), dead.1.as_str()), ("dead.env", "invalid"));
    assert!(dead.2.contains("28P01"), "{dead:?}");
    assert_eq!(live.1, "verified", "{live:?}");
    assert!(
        live.2
            .starts_with("app_owner@db.acme-corp.io:5432/postgres"),
        "{live:?}"
    );
    assert!(
        live.2.contains("tls=yes"),
        "the server offers TLS: {live:?}"
    );
    assert_eq!(
        nodb.1, "verified",
        "authenticated before the database check: {nodb:?}"
    );
    assert!(nodb.2.contains("database does not exist"), "{nodb:?}");
}

#[test]
fn mysql_urls_log_in_to_mariadb() {
    let password = "Pf4kR9wXz2Lq7Nm";
    let wrong = "Tg6hJ3vBn8Qc5Wd";
    let server = DbServer::mariadb("shop", password, "shop");
    let dir = TestDir::new()
        .file(
            "live.env",
            format!("DATABASE_URL=mysql://shop:{password}@mysql.acme-corp.io:3306/shop\n"),
        )
        .file(
            "dead.env",
            format!("DATABASE_URL=mysql+pymysql://shop:{wrong}@mysql.acme-corp.io/shop\n"),
        );
    let endpoint = format!("mysql={}", server.endpoint());
    let out = scan(&dir, &["--verify-endpoint", &endpoint]);
    assert_no_secret(&out, &[password, wrong]);
    let got = statuses(&out, "mysql-connection-uri");
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].1, "invalid", "{got:?}");
    assert!(got[0].2.contains("1045"), "{got:?}");
    assert_eq!(got[1].1, "verified", "{got:?}");
    assert!(
        got[1].2.starts_with("shop@mysql.acme-corp.io:3306/shop"),
        "{got:?}"
    );
    // The test server's certificate is its own (no public CA vouches for it): the login goes
    // over plain TCP through the guard, never over a TLS session nobody verified.
    assert!(
        got[1].2.contains("tls=no (the certificate did not verify)"),
        "the server offers TLS with an unverifiable certificate: {got:?}"
    );
    assert!(
        got[1].2.contains(" server=") && !got[1].2.contains("server=5.5.5"),
        "MariaDB's own version, not its compatibility prefix: {got:?}"
    );
}

#[test]
fn mysql_logins_fall_back_to_plain_tcp_when_the_server_has_no_tls() {
    let password = "Rb3nW8qZt5Kx2Mv";
    let server = DbServer::mariadb_with("shop", password, "shop", false);
    let dir = TestDir::new()
        .file(
            "live.env",
            format!("DATABASE_URL=mysql://shop:{password}@mysql.acme-corp.io:3306/shop\n"),
        )
        .file(
            "nodb.env",
            format!("DATABASE_URL=mysql://shop:{password}@mysql.acme-corp.io:3306/billing\n"),
        );
    let endpoint = format!("mysql={}", server.endpoint());
    let out = scan(&dir, &["--verify-endpoint", &endpoint]);
    assert_no_secret(&out, &[password]);
    let got = statuses(&out, "mysql-connection-uri");
    assert_eq!(got.len(), 2, "{got:?}");
    let (live, nodb) = (&got[0], &got[1]);
    assert_eq!((live.0.as_str(), live.1.as_str()), ("live.env", "verified"));
    assert!(
        live.2.contains("tls=no (the server offers no TLS)"),
        "{live:?}"
    );
    assert_eq!(
        (nodb.0.as_str(), nodb.1.as_str()),
        ("nodb.env", "verified"),
        "authenticated before the database check"
    );
    assert!(nodb.2.contains("error 1044"), "{nodb:?}");
}

#[test]
fn postgres_asking_for_a_cleartext_password_without_tls_does_not_get_it() {
    let password = "Wc8rN2kTz5Qx7Lm";
    // pg_hba method `password`: the server asks for the password in clear text, over plain TCP.
    let server = DbServer::postgres_with("app_owner", password, "password", false);
    let dir = TestDir::new().file(
        "app.env",
        format!("DATABASE_URL=postgres://app_owner:{password}@db.acme-corp.io:5432/postgres\n"),
    );
    let endpoint = format!("postgres={}", server.endpoint());
    let out = scan(&dir, &["--verify-endpoint", &endpoint]);
    assert_no_secret(&out, &[password]);
    // The password is right, so had it been sent the login would have succeeded.
    let got = statuses(&out, "postgres-connection-uri");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].1, "unknown", "{got:?}");
    assert!(
        got[0].2.contains("not sent") && got[0].2.contains("clear text"),
        "{got:?}"
    );
}

/// Bytes a test MySQL server received, every connection's.
type Received = std::sync::Arc<std::sync::Mutex<Vec<u8>>>;

/// A MySQL-protocol server on 127.0.0.1 that greets with the authentication `plugin` and answers
/// the client's n-th read with the packets of the n-th of `replies` (payloads, numbered after
/// the client's handshake response); every byte any client sent it is kept.
fn mysql_stand_in(plugin: &'static str, replies: Vec<Vec<Vec<u8>>>) -> (u16, Received) {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Received::default();
    let kept = received.clone();
    let packet = |seq: u8, payload: &[u8]| {
        let mut p = (payload.len() as u32).to_le_bytes()[..3].to_vec();
        p.push(seq);
        p.extend_from_slice(payload);
        p
    };
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            // protocol 10, version, connection id, scramble part 1, capabilities (PROTOCOL_41,
            // SECURE_CONNECTION, PLUGIN_AUTH, ...; no SSL), charset, status, scramble part 2.
            let caps: u32 = 0x1 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x80000;
            let mut hello = vec![10];
            hello.extend_from_slice(b"8.0.40-test\0");
            hello.extend_from_slice(&7u32.to_le_bytes());
            hello.extend_from_slice(b"abcdefgh\0");
            hello.extend_from_slice(&(caps as u16).to_le_bytes());
            hello.push(0x21);
            hello.extend_from_slice(&2u16.to_le_bytes());
            hello.extend_from_slice(&((caps >> 16) as u16).to_le_bytes());
            hello.push(21);
            hello.extend_from_slice(&[0; 10]);
            hello.extend_from_slice(b"ijklmnopqrst\0");
            hello.extend_from_slice(plugin.as_bytes());
            hello.push(0);
            if conn.write_all(&packet(0, &hello)).is_err() {
                continue;
            }
            let mut buf = [0u8; 4096];
            let mut script = replies.iter();
            let mut seq = 2u8;
            while let Ok(n) = conn.read(&mut buf) {
                if n == 0 {
                    break;
                }
                kept.lock().unwrap().extend_from_slice(&buf[..n]);
                for payload in script.next().into_iter().flatten() {
                    let _ = conn.write_all(&packet(seq, payload));
                    seq += 1;
                }
                // The client's next packet takes the next number.
                seq += 1;
            }
        }
    });
    (port, received)
}

/// A server that greets with `mysql_native_password` and then switches the login to
/// `mysql_clear_password`.
fn mysql_asking_for_cleartext() -> (u16, Received) {
    let mut switch = vec![0xfe];
    switch.extend_from_slice(b"mysql_clear_password\0");
    mysql_stand_in("mysql_native_password", vec![vec![switch]])
}

/// Scans one file holding a MySQL URL with `password`, verifying it against the test server on
/// `port`; the one verification status, after checking no output shows the password.
fn verify_one_mysql_url(port: u16, password: &str) -> Vec<(String, String, String)> {
    let dir = TestDir::new().file(
        "app.env",
        format!("DATABASE_URL=mysql://shop:{password}@mysql.acme-corp.io:3306/shop\n"),
    );
    let endpoint = format!("mysql=127.0.0.1:{port}");
    let out = scan(&dir, &["--verify-endpoint", &endpoint]);
    assert_no_secret(&out, &[password]);
    let got = statuses(&out, "mysql-connection-uri");
    assert_eq!(got.len(), 1, "{got:?}");
    got
}

/// Whether `bytes` hold `password` verbatim.
fn holds(bytes: &[u8], password: &str) -> bool {
    bytes
        .windows(password.len())
        .any(|w| w == password.as_bytes())
}

/// The MySQL packets (header and payload) in bytes a client sent.
fn mysql_packets(bytes: &[u8]) -> Vec<&[u8]> {
    let mut packets = Vec::new();
    let mut rest = bytes;
    while rest.len() >= 4 {
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], 0]) as usize;
        let end = (4 + len).min(rest.len());
        packets.push(&rest[4..end]);
        rest = &rest[end..];
    }
    packets
}

#[test]
fn mysql_full_authentication_over_plain_tcp_does_not_get_the_password() {
    let password = "Hq7vN3kWz9Rt2Lp";
    // MySQL 8's default method; the server has no cached hash and asks for the full password
    // (AuthMoreData 0x04), which a client would send RSA-encrypted to a key the server supplies.
    let (port, received) = mysql_stand_in("caching_sha2_password", vec![vec![vec![0x01, 0x04]]]);
    let got = verify_one_mysql_url(port, password);
    assert_eq!(got[0].1, "unknown", "{got:?}");
    assert!(
        got[0].2.contains("not sent") && got[0].2.contains("full password"),
        "{got:?}"
    );
    let sent = received.lock().unwrap().clone();
    let packets = mysql_packets(&sent);
    // The handshake response only: no request for the server's RSA key (0x02), no password.
    assert_eq!(
        packets.len(),
        1,
        "the client went on after 0x04: {packets:?}"
    );
    assert!(
        !holds(&sent, password),
        "the password went out in clear text"
    );
}

#[test]
fn mysql_fast_authentication_goes_through_the_guard() {
    let password = "Mx4tB8wQr2Zk6Nv";
    // The server has the hash cached: the scramble is accepted (0x01 0x03), then OK.
    let ok = vec![0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00];
    let (port, received) =
        mysql_stand_in("caching_sha2_password", vec![vec![vec![0x01, 0x03], ok]]);
    let got = verify_one_mysql_url(port, password);
    assert_eq!(got[0].1, "verified", "{got:?}");
    assert!(
        got[0].2.contains("tls=no (the server offers no TLS)"),
        "{got:?}"
    );
    assert!(!received.lock().unwrap().is_empty());
}

#[test]
fn mysql_asking_for_a_cleartext_password_does_not_get_it() {
    let password = "Kd5mV9qRx2Tz8Hn";
    let (port, received) = mysql_asking_for_cleartext();
    let got = verify_one_mysql_url(port, password);
    assert_eq!(got[0].1, "unknown", "{got:?}");
    assert!(got[0].2.contains("clear text"), "{got:?}");
    let sent = received.lock().unwrap().clone();
    assert!(!sent.is_empty(), "ferret logged in to the test server");
    assert!(
        !holds(&sent, password),
        "the password went out in clear text"
    );
}

#[test]
fn database_logins_end_unknown_when_nothing_listens() {
    let password = "Xc8vN2mQw5Rt7Kp";
    let dir = TestDir::new()
        .file(
            "pg.env",
            format!("DATABASE_URL=postgres://svc:{password}@pg.acme-corp.io/main\n"),
        )
        .file(
            "my.env",
            format!("DATABASE_URL=mysql://svc:{password}@my.acme-corp.io/main\n"),
        );
    let pg = format!("postgres=127.0.0.1:{}", closed_port());
    let my = format!("mysql=127.0.0.1:{}", closed_port());
    let out = scan(&dir, &["--verify-endpoint", &pg, "--verify-endpoint", &my]);
    assert_no_secret(&out, &[password]);
    for rule in ["postgres-connection-uri", "mysql-connection-uri"] {
        let got = statuses(&out, rule);
        assert_eq!(got.len(), 1, "{rule}: {got:?}");
        assert_eq!(got[0].1, "unknown", "{got:?}");
        assert!(got[0].2.contains("could not"), "{got:?}");
    }
}

#[test]
fn database_urls_naming_local_or_placeholder_hosts_are_never_contacted() {
    let password = "Lw9cK4xTq2Vn7Bz";
    // A listener on the URL's own port: a connection attempt would show up here.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = TestDir::new()
        .file(
            "local.env",
            format!("DATABASE_URL=postgres://svc:{password}@localhost:{port}/main\n"),
        )
        .file(
            "loopback.env",
            format!("DATABASE_URL=mysql://svc:{password}@127.0.0.1:{port}/main\n"),
        )
        .file(
            "compose.env",
            format!("DATABASE_URL=postgres://svc:{password}@db:{port}/main\n"),
        );
    let out = scan(&dir, &[]);
    assert_no_secret(&out, &[password]);
    let mut got = statuses(&out, "postgres-connection-uri");
    got.extend(statuses(&out, "mysql-connection-uri"));
    assert_eq!(got.len(), 3, "{got:?}");
    for (file, status, detail) in &got {
        assert_eq!(status, "unknown", "{file}: {detail}");
        assert!(detail.contains("host is not public"), "{file}: {detail}");
    }
    assert!(
        listener.accept().is_err(),
        "nothing may connect to a host named by the secret unless it is public"
    );
}

/// A storage account key of the real shape (64 random bytes, base64).
fn account_key(seed: u8) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = (0u8..64)
        .map(|i| i.wrapping_mul(73).wrapping_add(seed.wrapping_mul(151)) ^ 0x5a)
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn azure_storage_keys_are_checked_with_a_signed_request_against_azurite() {
    let account = "ferretlogs";
    let key = account_key(1);
    let wrong = account_key(2);
    let azurite = Azurite::start(account, &key);
    let conn = |k: &str| {
        format!(
            "AZURE_STORAGE_CONNECTION_STRING=\"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={k};EndpointSuffix=core.windows.net\"\n"
        )
    };
    let dir = TestDir::new()
        .file("live.env", conn(&key))
        .file("dead.env", conn(&wrong))
        .file(
            "alone.tf",
            format!("  storage_account_access_key = \"{}\"\n", account_key(3)),
        );
    let endpoint = format!("azure-storage={}", azurite.account_url());
    let out = scan(&dir, &["--verify-endpoint", &endpoint]);
    assert_no_secret(&out, &[&key, &wrong]);
    let got = statuses(&out, "azure-storage-account-key");
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0].0, "alone.tf");
    assert_eq!(got[0].1, "unknown", "no account name to sign for: {got:?}");
    // Azure answers a wrong signature with 403 AuthenticationFailed (ferret: invalid; the mock
    // test in tests/verify.rs covers that). Azurite answers every failed authorization with 403
    // AuthorizationFailure, which on Azure means a firewall or policy refused the request, whatever
    // the key: that must stay unknown, never verified.
    assert_eq!(got[1].0, "dead.env");
    assert_eq!(got[1].1, "unknown", "{got:?}");
    assert!(got[1].2.contains("403 AuthorizationFailure"), "{got:?}");
    assert_eq!(got[2].1, "verified", "{got:?}");
    assert_eq!(got[2].2, format!("account={account}"));
}
