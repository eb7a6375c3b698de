//! Long operations held open on purpose, and stopped: a server that accepts connections and never
//! answers (so a clone stays in progress), and a signal sent to ferret with a bounded wait for it
//! to exit.

use std::net::TcpListener;
use std::process::{Child, ExitStatus};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// A server on 127.0.0.1 that accepts and never answers: its port, and a channel that gets one
/// message per accepted connection.
pub fn silent_server() -> (u16, Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (accepted_tx, accepted) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
            let _ = accepted_tx.send(());
        }
    });
    (port, accepted)
}

/// Sends SIG`signal` (`TERM`, `INT`) to `child` and waits up to 20 s for it to exit.
pub fn signal_and_wait(child: &mut Child, signal: &str) -> ExitStatus {
    std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(exit) = child.try_wait().unwrap() {
            return exit;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("ferret did not stop on SIG{signal}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
