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
//!
//! Its `series` hold, per sweep point and strategy, the network series of
//! *every* replication summed day by day ([`DaySums`], integers) and the
//! pooled decision latencies: the report draws the mean with a band of
//! ± one standard deviation across replications from them. They are
//! streamed — each run's day-by-day trace is added as the run finishes and
//! dropped — so memory stays O(points × strategies × days), and being
//! integer sums they are the same whatever order runs finish in; shards'
//! sums add up to the single machine's.

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
    /// Every (point, strategy)'s replications summed day by day, sorted by
    /// (point, strategy); empty in a trace written before they were kept.
    #[serde(default)]
    pub series: Vec<PointSeries>,
}

/// Per-day sums over replications of one network series, in integers, so
/// that they do not depend on the order runs finish in (nor on how shards
/// split them): adding runs, or merging shards' sums, gives the same bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DaySums {
    /// Σ over runs of the day's value.
    pub sum: Vec<i64>,
    /// Σ over runs of the square of the day's value.
    pub sum_sq: Vec<i128>,
}

impl DaySums {
    /// Adds one run's series.
    pub fn add(&mut self, values: &[i64]) {
        self.grow(values.len());
        for (d, &v) in values.iter().enumerate() {
            self.sum[d] += v;
            self.sum_sq[d] += i128::from(v) * i128::from(v);
        }
    }

    /// Adds another set of sums.
    pub fn merge(&mut self, other: &DaySums) {
        self.grow(other.sum.len());
        for (d, (&s, &q)) in other.sum.iter().zip(&other.sum_sq).enumerate() {
            self.sum[d] += s;
            self.sum_sq[d] += q;
        }
    }

    fn grow(&mut self, days: usize) {
        if self.sum.len() < days {
            self.sum.resize(days, 0);
            self.sum_sq.resize(days, 0);
        }
    }

    /// Per day, the mean over `runs` and the sample standard deviation
    /// (NaN with fewer than two runs).
    pub fn mean_sd(&self, runs: u32) -> Vec<(f64, f64)> {
        let n = f64::from(runs.max(1));
        self.sum
            .iter()
            .zip(&self.sum_sq)
            .map(|(&s, &q)| {
                let mean = s as f64 / n;
                let sd = if runs < 2 {
                    f64::NAN
                } else {
                    // n Σx² − (Σx)², exact in integers, then scaled.
                    let spread = i128::from(runs) * q - i128::from(s) * i128::from(s);
                    (spread.max(0) as f64 / (n * (n - 1.0))).sqrt()
                };
                (mean, sd)
            })
            .collect()
    }
}

/// Every replication of one (point, strategy), day by day: the network
/// series summed over replications (for the mean and its band) and the
/// simulated decision latencies pooled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PointSeries {
    /// Sweep point index.
    pub point: usize,
    /// Strategy index.
    pub strategy: usize,
    /// Replications summed.
    pub runs: u32,
    /// Day of the first value (the warm-up length).
    pub first_day: u32,
    /// On-hand at day end.
    pub on_hand: DaySums,
    /// Backorders at day end.
    pub backorders: DaySums,
    /// Units ordered that day.
    pub ordered: DaySums,
    /// Simulated decision latency over every replication: (minutes,
    /// decisions), ascending.
    pub latency: Vec<(u64, u64)>,
    /// The timed disruption windows at this point (the same in every
    /// replication; random outages' windows differ between replications
    /// and are not drawn on the summed series).
    #[serde(default)]
    pub events: Vec<Window>,
}

impl PointSeries {
    /// Adds another set of replications of the same (point, strategy).
    pub fn merge(&mut self, other: &PointSeries) {
        self.runs += other.runs;
        self.first_day = other.first_day;
        if self.events.is_empty() {
            self.events = other.events.clone();
        }
        self.on_hand.merge(&other.on_hand);
        self.backorders.merge(&other.backorders);
        self.ordered.merge(&other.ordered);
        self.add_latency(&other.latency);
    }

    /// Pools latency counts (minutes, decisions) into this one's.
    pub fn add_latency(&mut self, more: &[(u64, u64)]) {
        let mut pooled: std::collections::BTreeMap<u64, u64> = self.latency.iter().copied().collect();
        for &(minutes, count) in more {
            *pooled.entry(minutes).or_default() += count;
        }
        self.latency = pooled.into_iter().collect();
    }
}

/// Merges `more` into `into`, keyed by (point, strategy), kept sorted.
pub fn merge_series(into: &mut Vec<PointSeries>, more: &[PointSeries]) {
    for s in more {
        match into.binary_search_by_key(&(s.point, s.strategy), |t| (t.point, t.strategy)) {
            Ok(i) => into[i].merge(s),
            Err(i) => into.insert(i, s.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summed_series_give_the_mean_and_sample_sd_of_each_day() {
        // Runs (2, 4) and (4, 8): day 0 mean 3, sd √2; day 1 mean 6, sd √8.
        let mut a = DaySums::default();
        a.add(&[2, 4]);
        let mut b = DaySums::default();
        b.add(&[4, 8]);
        a.merge(&b);
        assert_eq!((a.sum.clone(), a.sum_sq.clone()), (vec![6, 12], vec![20, 80]));
        let days = a.mean_sd(2);
        assert_eq!(days[0].0, 3.0);
        assert!((days[0].1 - 2f64.sqrt()).abs() < 1e-12 && (days[1].1 - 8f64.sqrt()).abs() < 1e-12);
        assert!(a.mean_sd(1)[0].1.is_nan(), "one run has no spread");
    }

    #[test]
    fn merging_series_adds_runs_and_pools_latencies_in_any_order() {
        let one = |point, runs, latency: Vec<(u64, u64)>| PointSeries { point, runs, latency, ..Default::default() };
        let (x, y, z) = (one(0, 1, vec![(0, 2), (60, 1)]), one(0, 2, vec![(60, 3), (1440, 1)]), one(1, 1, vec![]));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        merge_series(&mut a, &[x.clone(), y.clone(), z.clone()]);
        merge_series(&mut b, &[z, y, x]);
        assert_eq!(a, b);
        assert_eq!((a[0].runs, a[0].latency.clone()), (3, vec![(0, 2), (60, 4), (1440, 1)]));
    }
}
