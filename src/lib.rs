//! # echelon
//!
//! The `echelon` command-line program and a thin library facade over the
//! workspace crates, for people who embed Echelon or write strategies in
//! Rust:
//!
//! * [`sim`] — the engine, the model, the strategy traits, metrics;
//! * [`strategies`] — the bundled strategies and their registry;
//! * [`reports`] — statistics, comparisons, summary, tables;
//! * [`scenario`] — scenario files: parsing, validation, errors;
//! * [`budget`] — memory and work estimated before a study runs;
//! * [`study`] — the runs of a scenario's sweep grid; [`runner`] — their
//!   parallel execution; [`runlog`] — the durable
//!   run log; [`output`] — result files; [`progress`] — progress bar and
//!   Ctrl-C.

#![forbid(unsafe_code)]

pub use echelon_reports as reports;
pub use echelon_sim as sim;
pub use echelon_strategies as strategies;

pub mod budget;
#[cfg(feature = "cli")]
pub mod cli;
pub mod import;
pub mod output;
pub mod plan;
pub mod precision;
#[cfg(feature = "cli")]
pub mod progress;
pub mod runlog;
pub mod runner;
pub mod scenario;
pub mod study;
pub mod tidy;
pub mod tune;
#[cfg(feature = "cli")]
pub(crate) mod warnings;
