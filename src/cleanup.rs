//! Temporary directories that must not outlive ferret, even when it is stopped by SIGINT or SIGTERM.
//!
//! A `TempDir` removes itself when it is dropped, which covers returns and errors; a signal kills
//! the process without running destructors, so every such directory is also listed here, and the
//! first registration installs (once) a handler thread that removes the listed directories and
//! exits with the conventional status, 128 + the signal number (130 for SIGINT, 143 for SIGTERM).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, Result};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Set when a signal arrived: long-running work (a clone) polls it to stop early.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Directories to remove on a signal, by registration id.
static REGISTRY: OnceLock<Mutex<HashMap<u64, PathBuf>>> = OnceLock::new();
/// Result of installing the handler, which is done once per process.
static HANDLER: OnceLock<Result<(), String>> = OnceLock::new();
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A directory listed for removal on a signal; dropping it takes it off the list (the directory
/// itself is removed by its owner, e.g. a `TempDir`).
#[derive(Debug)]
pub struct Registration {
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        registry()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
    }
}

/// The flag that says ferret was interrupted, for APIs (gix) that take one.
pub fn interrupt_flag() -> &'static AtomicBool {
    &INTERRUPTED
}

/// Lists `dir` for removal if SIGINT or SIGTERM arrives before the registration is dropped.
pub fn remove_on_signal(dir: &Path) -> Result<Registration> {
    HANDLER
        .get_or_init(|| install_handler().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
        .context("cannot install the handler that removes temporary files on SIGINT/SIGTERM")?;
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    registry()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, dir.to_path_buf());
    Ok(Registration { id })
}

fn registry() -> &'static Mutex<HashMap<u64, PathBuf>> {
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

fn install_handler() -> Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM]).context("cannot register signals")?;
    std::thread::Builder::new()
        .name("ferret-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                INTERRUPTED.store(true, Ordering::SeqCst);
                remove_registered();
                std::process::exit(128 + signal);
            }
        })
        .context("cannot start the signal thread")?;
    Ok(())
}

/// Removes every listed directory. The thread that fills one may still be writing into it, so a
/// removal that races with it is retried a few times.
fn remove_registered() {
    let dirs: Vec<PathBuf> = registry()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .cloned()
        .collect();
    for dir in dirs {
        for _ in 0..20 {
            match std::fs::remove_dir_all(&dir) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(Duration::from_millis(25));
                }
                _ => break,
            }
        }
    }
}
