//! # echelon-sim
//!
//! The engine of Echelon: the network [`model`] (and [`model::ModelBuilder`]),
//! the daily cycle ([`engine`], stepped by [`engine::Stepper`]), the
//! [`strategy`] traits that replenishment and allocation rules implement,
//! approval [`governance`], [`disruption`]s, demand and lead-time
//! [`distribution`]s, per-purpose random streams ([`rng`]) and the metric
//! catalogue ([`metrics`]).
//!
//! # Public surface
//!
//! What an embedding crate needs is `pub`: the model and its builder, the
//! strategy traits and what they see, the engine's entry points and
//! outputs, the metric catalogue, and the rules the documentation defines
//! results by (the event [`calendar`], the stream keys, receipt rounding).
//! The engine's internals — per-run state and tallies, the daily steps,
//! the approval queue, the queries it makes of disruptions and
//! distributions — are `pub(crate)` or live in private modules, so they
//! can change without breaking anyone. Types that
//! will grow (capabilities, errors, the decisions a strategy sees) are
//! `#[non_exhaustive]` and built through constructors.
//!
//! This crate knows nothing of concrete strategies, files or terminals: the
//! `echelon-strategies` crate implements the traits, and the `echelon` crate
//! parses scenario files into a [`model::Model`] and runs it.
//!
//! Determinism: a run is a pure function of (model, replication, strategy
//! instances). Randomness comes only from [`rng::stream`]; no hash-map order
//! and no wall-clock time enters a result ([`engine::RunOutput::decision_ns`]
//! is the one wall-clock figure and is kept apart).

#![forbid(unsafe_code)]

pub mod calendar;
pub mod disruption;
pub mod distribution;
pub mod engine;
pub mod governance;
pub mod metrics;
pub mod model;
pub mod rng;
pub mod strategy;
pub mod time;
