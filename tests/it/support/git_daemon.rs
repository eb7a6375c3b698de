//! A real `git daemon` on 127.0.0.1 serving test repositories over git://.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::process::Child;
use std::time::{Duration, Instant};

/// A `git daemon` serving a directory on 127.0.0.1, stopped on drop.
pub struct GitDaemon {
    child: Child,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
}

impl GitDaemon {
    /// Serves every repository under `base` (exported without `git-daemon-export-ok`).
    pub fn serve(base: &std::path::Path) -> Self {
        let port = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // Run git-daemon itself: `git daemon` would fork it and leave it behind when killed.
        let exec_path = std::process::Command::new("git")
            .arg("--exec-path")
            .output()
            .expect("git runs");
        let exec_path = String::from_utf8(exec_path.stdout).unwrap();
        let daemon = std::path::Path::new(exec_path.trim()).join("git-daemon");
        // Its own process group, so that the connection handlers it forks go when it goes.
        use std::os::unix::process::CommandExt;
        let child = std::process::Command::new(daemon)
            .process_group(0)
            .args([
                "--export-all",
                "--reuseaddr",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", base.display()),
                &base.display().to_string(),
            ])
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .spawn()
            .expect("git daemon starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
