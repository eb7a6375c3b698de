//! `Azurite`: Microsoft's Azure Storage emulator (npm package `azurite`), blob service only, on a
//! free 127.0.0.1 port, stopped when dropped. It serves the account it is given (the well-known
//! development account's key is allowlisted by the rules as public, so tests use their own).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Where `.ci/setup` installs the emulator.
const INSTALLED: &str = "/opt/ferret-test-tools/node_modules/.bin/azurite-blob";

/// A running blob emulator.
pub struct Azurite {
    child: Child,
    port: u16,
    account: String,
    _dir: tempfile::TempDir,
}

fn program() -> PathBuf {
    if let Some(p) = std::env::var_os("FERRET_AZURITE_BLOB") {
        return PathBuf::from(p);
    }
    let installed = PathBuf::from(INSTALLED);
    if installed.is_file() {
        return installed;
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("azurite-blob"))
                .find(|p| p.is_file())
        })
        .unwrap_or_default();
    on_path.unwrap_or_else(|| {
        panic!("azurite-blob is not installed (bash .ci/setup installs it under /opt/ferret-test-tools)")
    })
}

impl Azurite {
    /// Starts the blob service for `account` with base64 `key` and waits until it listens.
    pub fn start(account: &str, key: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a loopback port can be bound")
            .port();
        let mut child = Command::new(program())
            .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
            .args([
                "--loose",
                "--skipApiVersionCheck",
                "--disableTelemetry",
                "--silent",
            ])
            .arg("--location")
            .arg(dir.path())
            .env("AZURITE_ACCOUNTS", format!("{account}:{key}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("azurite-blob starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("successfully listens") {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = child.kill();
            let out = child.wait_with_output().ok();
            panic!(
                "azurite-blob did not start: {}",
                out.map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                    .unwrap_or_default()
            );
        }
        Azurite {
            child,
            port,
            account: account.to_string(),
            _dir: dir,
        }
    }

    /// `http://127.0.0.1:PORT/ACCOUNT`: the path-style account URL.
    pub fn account_url(&self) -> String {
        format!("http://127.0.0.1:{}/{}", self.port, self.account)
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
