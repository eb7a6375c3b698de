//! The progress line on standard error (indicatif): what ferret is doing, totals, rate and elapsed
//! time. Messages printed while it is drawn go through [`note`], so they appear above it instead of
//! being overwritten by it.

use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar while a scan draws one; `None` when progress is off (not a terminal, `--quiet`).
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);
/// In a run over many targets, how far it is ("3/50 targets, git https://..."); empty otherwise.
/// Kept apart from the phase so that each target's own phases do not overwrite it.
static TARGETS: Mutex<String> = Mutex::new(String::new());
/// The phase last announced.
static PHASE: Mutex<String> = Mutex::new(String::new());

/// Starts drawing the progress line on standard error.
pub fn start() {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(8));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed:>4} {prefix}: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_prefix("starting");
    bar.enable_steady_tick(Duration::from_millis(125));
    *lock() = Some(bar);
}

/// Says what ferret is doing now (e.g. "listing git objects", "scanning").
pub fn phase(what: &str) {
    *locked(&PHASE) = what.to_string();
    refresh_prefix();
}

/// Says how far a run over many targets is: `done` of `total` finished, `current` started last.
pub fn targets(done: usize, total: usize, current: &str) {
    *locked(&TARGETS) = format!(
        "{done}/{total} targets, {}",
        crate::escape::escape_control(current)
    );
    refresh_prefix();
}

fn refresh_prefix() {
    if let Some(bar) = lock().as_ref() {
        let targets = locked(&TARGETS).clone();
        let phase = locked(&PHASE).clone();
        bar.set_prefix(match (targets.is_empty(), phase.is_empty()) {
            (true, _) => phase,
            (false, true) => targets,
            (false, false) => format!("{targets} · {phase}"),
        });
    }
}

fn locked(text: &'static Mutex<String>) -> std::sync::MutexGuard<'static, String> {
    text.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Shows the running totals.
pub fn totals(blobs: u64, bytes: u64, findings: u64, elapsed: Duration) {
    if let Some(bar) = lock().as_ref() {
        let secs = elapsed.as_secs_f64().max(0.001);
        let found = match findings {
            0 => String::new(),
            1 => ", 1 finding".to_string(),
            n => format!(", {n} findings"),
        };
        bar.set_message(format!(
            "{blobs} blobs, {} ({}/s){found}",
            crate::report::human_bytes(bytes),
            crate::report::human_bytes((bytes as f64 / secs) as u64)
        ));
    }
}

/// Prints a message on standard error, above the progress line when one is drawn.
pub fn note(message: &str) {
    match lock().as_ref() {
        Some(bar) => bar.println(message),
        None => eprintln!("{message}"),
    }
}

/// Stops drawing and clears the line.
pub fn finish() {
    if let Some(bar) = lock().take() {
        bar.finish_and_clear();
    }
}

fn lock() -> std::sync::MutexGuard<'static, Option<ProgressBar>> {
    // A panic while holding the lock leaves a usable Option behind.
    BAR.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
