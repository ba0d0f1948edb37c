//! What a person at a terminal sees while a study runs, and Ctrl-C.
//!
//! The progress bar (indicatif) goes to stderr and shows runs done of the
//! total, the rate and the time left. It draws nothing when stderr is not a
//! terminal or under `--quiet`, so pipes and CI logs stay clean.
//!
//! Ctrl-C raises a process-wide stop flag instead of killing the process:
//! runs not yet started are skipped, runs in flight stop at their next
//! simulated day and are discarded (the log holds only whole runs), and the
//! command exits 130 naming the command that resumes. A second Ctrl-C exits
//! at once with 130: the log is append-only with whole lines flushed, so at
//! worst its last line is cut, which reading and `--resume` ignore.

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
        let _ = ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                eprintln!("\ninterrupted twice: exiting now; the finished runs are in the log (resume with --resume)");
                std::process::exit(130);
            }
            eprintln!("\ninterrupting: stopping the runs in flight (Ctrl-C again to exit at once)");
        });
        flag
    })
}
