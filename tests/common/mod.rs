//! Helpers shared by the integration tests.
#![allow(dead_code)]

use echelon::runner::{self, Outcome};
use echelon::scenario::{Scenario, parse};
use echelon::sim::metrics::metric_index;
use echelon::study::Study;
use std::path::Path;

/// Loads a scenario from RON text (as if read from `name`).
pub fn scenario_from_text(name: &str, text: &str) -> Scenario {
    let path = Path::new(name);
    let file = parse::parse(path, text).unwrap_or_else(|e| panic!("{e}"));
    Scenario::from_parts(path, text.to_string(), file).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads a bundled scenario file.
pub fn bundled(relative: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs every point of a scenario's study on `threads` threads.
pub fn run(scenario: &Scenario, threads: usize) -> Outcome {
    let study = Study::new(scenario.clone()).unwrap_or_else(|e| panic!("{e}"));
    runner::execute(&study, threads)
}

/// Mean over the runs of strategy `strategy` of network metric `key`.
pub fn mean_metric(outcome: &Outcome, strategy: usize, key: &str) -> f64 {
    let m = metric_index(key).unwrap_or_else(|| panic!("unknown metric {key}"));
    let values: Vec<f64> = outcome.records.iter().filter(|r| r.strategy == strategy).map(|r| r.network[m]).collect();
    values.iter().sum::<f64>() / values.len() as f64
}

/// Asserts the unit balance of every node of every run.
pub fn assert_conservation(outcome: &Outcome) {
    for (run, balances) in outcome.balances.iter().enumerate() {
        for (node, b) in balances.iter().enumerate() {
            assert!(b.holds(), "run {run}, node {node}: units not conserved: {b:?}");
            assert!(b.final_on_hand >= 0, "run {run}, node {node}: negative on-hand");
        }
    }
}

/// A one-location, one-SKU scenario in RON.
pub fn single_location(demand: &str, lead_time: &str, shortage: &str, strategies: &str, experiment: &str) -> String {
    format!(
        r#"Scenario(
    name: "single",
    experiment: {experiment},
    skus: [(id: "item", unit_cost: 1.0, price: 2.0, ordering_cost: 1.0, backorder_penalty_per_day: 0.5)],
    classes: [(name: "customers", shortage: {shortage})],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: {lead_time}, cost_per_unit: 0.1)],
    demand: [(location: "store", sku: "item", model: {demand})],
    strategies: [{strategies}],
)"#
    )
}
