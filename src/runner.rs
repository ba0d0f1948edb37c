//! Run orchestration: every (point, strategy, replication) of a study, in
//! parallel, collected in coordinate order.
//!
//! # Contract
//!
//! Runs are independent: each builds fresh strategy instances and derives
//! its random streams from (seed, replication) only. Rayon's indexed
//! `collect` keeps results in run-index order whatever thread finishes
//! first, and every reduction over runs happens afterwards, sequentially,
//! in that order. Hence results are byte-identical for any thread count.
//! Wall-clock figures are gathered into [`Timing`], apart from the results.

use crate::scenario::Scenario;
use echelon_reports::record::{RunRecord, StudyInfo};
use echelon_sim::engine::{self, UnitBalance};
use hdrhistogram::Histogram;
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;

/// Wall-clock measurements of a study (not deterministic; `timing.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// Elapsed seconds for all runs.
    pub wall_seconds: f64,
    /// Worker threads.
    pub threads: usize,
    /// Runs executed.
    pub runs: usize,
    /// SKU-location-days simulated.
    pub sku_location_days: u64,
    /// Throughput.
    pub sku_location_days_per_sec: f64,
    /// Wall-clock nanoseconds per SKU decision of the strategies.
    pub decision_compute_ns: ComputeLatency,
}

/// Percentiles of the decision compute time.
#[derive(Debug, Clone, Serialize)]
pub struct ComputeLatency {
    /// Median, ns.
    pub p50: u64,
    /// 99th percentile, ns.
    pub p99: u64,
    /// Maximum, ns.
    pub max: u64,
    /// Decision calls measured.
    pub count: u64,
}

/// Everything a study produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// One record per run, in (point, strategy, replication) order.
    pub records: Vec<RunRecord>,
    /// Per run, the unit balance of each node.
    pub balances: Vec<Vec<UnitBalance>>,
    /// Wall-clock figures.
    pub timing: Timing,
}

/// The study a scenario describes (one point until sweeps exist).
pub fn study_info(scenario: &Scenario) -> StudyInfo {
    let e = scenario.model.experiment;
    StudyInfo {
        scenario: scenario.model.name.clone(),
        seed: e.seed,
        horizon_days: e.horizon_days,
        warmup_days: e.warmup_days,
        replications: e.replications,
        strategies: scenario.strategy_names().into_iter().map(String::from).collect(),
        nodes: scenario.model.nodes.iter().map(|n| n.id.clone()).collect(),
        points: vec![Vec::new()],
    }
}

/// Every run coordinate (strategy, replication) of `scenario`, in run-index
/// order.
pub fn coordinates(scenario: &Scenario) -> Vec<(usize, u32)> {
    let strategies = scenario.file.strategies.len();
    let replications = scenario.model.experiment.replications;
    (0..strategies).flat_map(|s| (0..replications).map(move |r| (s, r))).collect()
}

/// Runs every run of `scenario` on `threads` worker threads.
pub fn execute(scenario: &Scenario, threads: usize) -> Outcome {
    execute_runs(scenario, threads, coordinates(scenario), &|_| {})
}

/// Runs the given runs; `on_finish` sees each record as soon as its run
/// completes (in completion order, from worker threads).
pub fn execute_runs(
    scenario: &Scenario,
    threads: usize,
    coordinates: Vec<(usize, u32)>,
    on_finish: &(dyn Fn(&RunRecord) + Sync),
) -> Outcome {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let started = Instant::now();
    let outputs: Vec<(RunRecord, Vec<UnitBalance>, Histogram<u64>, u64)> = pool.install(|| {
        coordinates
            .par_iter()
            .map(|&(strategy, replication)| {
                let allocation = scenario.allocation(strategy);
                let out =
                    engine::simulate(&scenario.model, replication, scenario.replenishment(strategy), &*allocation);
                let record = RunRecord { point: 0, strategy, replication, network: out.network, nodes: out.nodes };
                on_finish(&record);
                (record, out.balances, out.decision_ns, out.sku_location_days)
            })
            .collect()
    });
    let wall_seconds = started.elapsed().as_secs_f64();
    let mut compute = Histogram::<u64>::new(3).expect("valid precision");
    let mut sku_location_days = 0;
    let mut records = Vec::with_capacity(outputs.len());
    let mut balances = Vec::with_capacity(outputs.len());
    for (record, balance, histogram, days) in outputs {
        compute.add(&histogram).expect("auto-resizing histogram");
        sku_location_days += days;
        records.push(record);
        balances.push(balance);
    }
    let timing = Timing {
        wall_seconds,
        threads,
        runs: records.len(),
        sku_location_days,
        sku_location_days_per_sec: sku_location_days as f64 / wall_seconds.max(1e-9),
        decision_compute_ns: ComputeLatency {
            p50: compute.value_at_quantile(0.5),
            p99: compute.value_at_quantile(0.99),
            max: compute.max(),
            count: compute.len(),
        },
    };
    Outcome { records, balances, timing }
}
