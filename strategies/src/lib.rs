//! # echelon-strategies
//!
//! Concrete strategies for the traits of `echelon-sim`:
//! [`replenishment`] policies (base stock, (R,S), (s,S), (r,Q), one-for-one,
//! echelon base stock, forecast-driven order-up-to), the [`forecast`]s
//! behind the last, [`allocation`] rules (FCFS, fair share), the [`level`]s
//! their parameters are written in, and the [`registry`] that builds them
//! from scenario specs.
//!
//! Every policy states its rule exactly in its module doc and is unit-tested
//! on a hand-worked case. To add a strategy: implement
//! [`echelon_sim::strategy::Replenishment`] in a module of [`replenishment`],
//! add a variant to [`registry::ReplenishmentSpec`], a branch to
//! [`registry::build_replenishment`] and an entry to [`registry::CATALOGUE`].

#![forbid(unsafe_code)]

pub mod actions;
pub mod allocation;
pub mod forecast;
pub mod level;
pub mod registry;
pub mod replenishment;
pub mod tunable;
