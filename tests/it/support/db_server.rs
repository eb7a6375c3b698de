//! `DbServer`: a real PostgreSQL or MariaDB server started by a test on 127.0.0.1, on a free port
//! and in a temporary data directory, stopped and removed when dropped. Run as root (as CI does),
//! the server runs as the `postgres` or `mysql` system user the Debian packages create.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running database server.
pub struct DbServer {
    child: Child,
    port: u16,
    /// Signal that shuts the server down cleanly.
    stop_signal: &'static str,
    _dir: tempfile::TempDir,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a loopback port can be bound")
        .port()
}

/// The first of `candidates` that exists.
fn find(candidates: &[PathBuf], what: &str) -> PathBuf {
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| panic!("{what} is not installed (bash .ci/setup installs it)"))
}

/// `/usr/lib/postgresql/<newest>/bin/NAME`.
fn postgres_bin(name: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| {
            dir.flatten()
                .map(|e| e.path().join("bin").join(name))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.reverse();
    find(&found, "PostgreSQL (Debian package postgresql)")
}

fn sbin(name: &str) -> PathBuf {
    find(
        &[
            Path::new("/usr/sbin").join(name),
            Path::new("/usr/bin").join(name),
        ],
        "MariaDB (Debian package mariadb-server)",
    )
}

/// Makes `path` (a directory) belong to `user` when running as root.
fn give_to(path: &Path, user: &str) {
    let status = Command::new("chown")
        .args(["-R", user])
        .arg(path)
        .status()
        .expect("chown runs");
    assert!(status.success(), "chown {user} {}", path.display());
}

/// Runs `cmd` to completion, panicking with its output on failure.
fn run(mut cmd: Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A command that runs as `user` when we are root (`setpriv` execs in place, so the child's pid
/// is the server's own and signals reach it).
fn as_user(program: &Path, user: &str, root: bool) -> Command {
    if root {
        let mut cmd = Command::new("setpriv");
        cmd.args([
            &format!("--reuid={user}"),
            &format!("--regid={user}"),
            "--init-groups",
            "--",
        ])
        .arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

impl DbServer {
    /// A PostgreSQL server whose superuser `user` has `password` (SCRAM-SHA-256 over TCP), with
    /// TLS offered when `openssl` can make a certificate.
    pub fn postgres(user: &str, password: &str) -> Self {
        Self::postgres_with(user, password, "scram-sha-256", true)
    }

    /// A PostgreSQL server that asks for passwords with pg_hba method `auth` (e.g. `password`:
    /// in clear text), offering TLS only when `tls` (and `openssl` can make a certificate).
    pub fn postgres_with(user: &str, password: &str, auth: &str, tls: bool) -> Self {
        let root = is_root();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let home = dir.path().join("pg");
        std::fs::create_dir(&home).unwrap();
        std::fs::write(home.join("pwfile"), format!("{password}\n")).unwrap();
        let tls = tls && make_certificate(&home);
        if root {
            allow_traverse(dir.path());
            give_to(&home, "postgres");
        }
        let data = home.join("data");
        let mut initdb = as_user(&postgres_bin("initdb"), "postgres", root);
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", user, &format!("--auth={auth}"), "-E"])
            .args(["UTF8", "--no-sync"])
            .arg(format!("--pwfile={}", home.join("pwfile").display()));
        run(initdb, "initdb");
        let port = free_port();
        let log = home.join("server.log");
        let mut server = as_user(&postgres_bin("postgres"), "postgres", root);
        server
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
            .arg("-k")
            .arg(&home)
            .args(["-c", "fsync=off"]);
        if tls {
            server.args(["-c", "ssl=on"]);
            server
                .arg("-c")
                .arg(format!("ssl_cert_file={}", home.join("cert.pem").display()));
            server
                .arg("-c")
                .arg(format!("ssl_key_file={}", home.join("key.pem").display()));
        }
        let child = spawn_logged(server, &log);
        let mut db = DbServer {
            child,
            port,
            stop_signal: "INT",
            _dir: dir,
        };
        db.wait_for(&log, "ready to accept connections");
        db
    }

    /// A MariaDB server with `user`@'%' identified by `password`, owning `database`, with TLS
    /// offered when `openssl` can make a certificate.
    pub fn mariadb(user: &str, password: &str, database: &str) -> Self {
        Self::mariadb_with(user, password, database, true)
    }

    /// [`DbServer::mariadb`], offering TLS only when `tls` (and `openssl` can make a certificate).
    pub fn mariadb_with(user: &str, password: &str, database: &str, tls: bool) -> Self {
        let root = is_root();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let home = dir.path().join("my");
        std::fs::create_dir(&home).unwrap();
        std::fs::write(
            home.join("init.sql"),
            format!(
                "CREATE DATABASE IF NOT EXISTS `{database}`;\n\
                 CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED BY '{password}';\n\
                 GRANT ALL ON `{database}`.* TO '{user}'@'%';\n"
            ),
        )
        .unwrap();
        let tls = tls && make_certificate(&home);
        if root {
            allow_traverse(dir.path());
            give_to(&home, "mysql");
        }
        let data = home.join("data");
        let mut install = Command::new(sbin("mariadb-install-db"));
        install
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(["--skip-test-db", "--auth-root-authentication-method=socket"]);
        if root {
            install.arg("--user=mysql");
        }
        run(install, "mariadb-install-db");
        let port = free_port();
        let log = home.join("server.log");
        let mut server = Command::new(sbin("mariadbd"));
        server
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--port={port}"))
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--socket={}", home.join("sock").display()))
            .arg(format!("--pid-file={}", home.join("pid").display()))
            .arg(format!("--init-file={}", home.join("init.sql").display()))
            .args(["--skip-log-bin", "--innodb-buffer-pool-size=16M"]);
        if tls {
            server
                .arg(format!("--ssl-cert={}", home.join("cert.pem").display()))
                .arg(format!("--ssl-key={}", home.join("key.pem").display()));
        }
        if root {
            server.arg("--user=mysql");
        }
        let child = spawn_logged(server, &log);
        let mut db = DbServer {
            child,
            port,
            stop_signal: "TERM",
            _dir: dir,
        };
        db.wait_for(&log, "ready for connections");
        db
    }

    /// `127.0.0.1:PORT`, for `--verify-endpoint postgres=...` or `mysql=...`.
    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Waits until the server's log says it is ready.
    fn wait_for(&mut self, log: &Path, ready: &str) {
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if text.contains(ready) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the database server exited ({status}):\n{text}");
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "the database server did not start:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for DbServer {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill")
            .args([&format!("-{}", self.stop_signal), &pid])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd` with its output going to `log`.
fn spawn_logged(mut cmd: Command, log: &Path) -> Child {
    let file = std::fs::File::create(log).expect("the server log can be created");
    let err = file.try_clone().expect("the log file can be cloned");
    cmd.stdin(Stdio::null())
        .stdout(file)
        .stderr(err)
        .spawn()
        .expect("the database server starts")
}

/// Lets other users reach directories below `dir` (tempfile makes it 0700).
fn allow_traverse(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Writes a self-signed `cert.pem` and `key.pem` into `dir`; false when `openssl` is missing.
fn make_certificate(dir: &Path) -> bool {
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=db.test",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        use std::os::unix::fs::PermissionsExt;
        let _ =
            std::fs::set_permissions(dir.join("key.pem"), std::fs::Permissions::from_mode(0o600));
    }
    ok
}
