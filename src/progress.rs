//! What a person at a terminal sees while a study runs, and Ctrl-C.
//!
//! The progress bar (indicatif) goes to stderr and shows runs done of the
//! total, the rate and the time left. It draws nothing when stderr is not a
//! terminal or under `--quiet`, so pipes and CI logs stay clean.
//!
//! Ctrl-C raises a process-wide stop flag instead of killing the process:
//! runs not yet started are skipped, runs in flight finish and are logged,
//! and the command exits 130 naming the command that resumes.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// A progress bar over runs.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar for `total` runs of which `done` are already finished.
    pub fn new(total: u64, done: u64, quiet: bool) -> Self {
        let target = if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() };
        let bar = ProgressBar::with_draw_target(Some(total), target);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {per_sec}  ETA {eta}  {elapsed} elapsed")
                .expect("a valid template"),
        );
        bar.set_position(done);
        bar.reset_eta();
        Self(bar)
    }

    /// One more run finished.
    pub fn advance(&self) {
        self.0.inc(1);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// The stop flag Ctrl-C raises (the handler is installed on first use).
pub fn interrupt_flag() -> &'static AtomicBool {
    static FLAG: OnceLock<&'static AtomicBool> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
        // Without a handler (e.g. one is already installed) Ctrl-C simply
        // ends the process; finished runs are in the log either way.
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
        flag
    })
}
