//! `trace.json`: one representative replication of each strategy, day by
//! day, with what a reader needs to know about the scenario.
//!
//! # Contract
//!
//! The representative run is replication 0 of the scenario as written
//! (command-line overrides applied; a sweep's values are not). Its series
//! are network totals over the measured days, starting at `first_day`. The
//! file is deterministic (it is simulated, not measured) and is all that
//! `echelon report` needs beside `runs.jsonl` to redraw the time-series and
//! latency charts. Its `events` are the disruption windows of the
//! representative replication: the timed events, then each down period of
//! each random outage (`<name>#<k>`, the k-th of that replication); each
//! strategy's `events` holds their impacts in that run, in the same order.

use serde::{Deserialize, Serialize};

/// A disruption window, days `start_day..end_day`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Event name.
    pub name: String,
    /// First day affected.
    pub start_day: u32,
    /// First day no longer affected.
    pub end_day: u32,
}

/// One strategy's representative run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyTrace {
    /// Strategy name.
    pub name: String,
    /// Day of the first value.
    pub first_day: u32,
    /// On-hand at day end.
    pub on_hand: Vec<i64>,
    /// Backorders at day end.
    pub backorders: Vec<i64>,
    /// Units ordered that day.
    pub ordered: Vec<i64>,
    /// Units demanded that day.
    pub demand: Vec<i64>,
    /// Simulated decision latency: (minutes, orders), ascending.
    pub latency: Vec<(u64, u64)>,
    /// The impact of each window of [`Representative::events`] in this run.
    #[serde(default)]
    pub events: Vec<WindowFigures>,
}

/// A disruption window's impact in one run (resilience rules of
/// `echelon_sim::engine`); `None` where undefined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowFigures {
    /// Shortfall against the pre-event level until recovery.
    pub units_short: Option<f64>,
    /// Days from the impact until service is back.
    pub recovery_days: Option<f64>,
    /// Days from the window's start until service fell.
    pub time_to_impact_days: Option<f64>,
}

impl From<&echelon_sim::engine::EventImpact> for WindowFigures {
    fn from(i: &echelon_sim::engine::EventImpact) -> Self {
        let defined = |v: f64| (!v.is_nan()).then_some(v);
        Self {
            units_short: defined(i.units_short),
            recovery_days: defined(i.recovery_days),
            time_to_impact_days: defined(i.time_to_impact_days),
        }
    }
}

/// The contents of `trace.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Representative {
    /// The scenario's description.
    pub description: String,
    /// The replication traced.
    pub replication: u32,
    /// Disruption windows of the representative run (non-empty ones):
    /// timed events, then random outages' down periods.
    pub events: Vec<Window>,
    /// One trace per strategy, in scenario order.
    pub strategies: Vec<StrategyTrace>,
}
