//! # echelon-sim
//!
//! The engine of Echelon: the network [`model`], the event [`calendar`], the
//! daily cycle ([`engine`]), the [`strategy`] traits that replenishment and
//! allocation rules implement, per-purpose random streams ([`rng`]) and
//! metric collection ([`metrics`]).
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
