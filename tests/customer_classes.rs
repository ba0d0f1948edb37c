//! Customer classes competing for scarce stock: per-class results, and the
//! allocation rules deciding who gets it.

mod common;

/// One SKU at one store, short of stock on purpose, with two classes listed
/// lower tier first (so that list order — FCFS's tie-break — favours it).
fn scenario(strategies: &str) -> String {
    format!(
        r#"Scenario(
    name: "classes",
    experiment: (horizon_days: 400, warmup_days: 40, replications: 10, seed: 5),
    skus: [(id: "item", unit_cost: 1.0)],
    classes: [
        (name: "ecommerce", tier: 2, shortage: LostSales, margin: 2.0),
        (name: "contract", tier: 1, margin: 6.0, sla_days: 2.0, late_penalty_per_day: 1.0),
    ],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 3.0))],
    demand: [
        (location: "store", sku: "item", class: "ecommerce", model: Poisson(mean: 6.0)),
        (location: "store", sku: "item", class: "contract", model: Poisson(mean: 6.0)),
    ],
    strategies: [{strategies}],
)"#
    )
}

const POLICY: &str = "MinMax(reorder_point: Units(30), order_up_to: Units(60))";

fn class_metric(key: &str) -> usize {
    echelon::sim::metrics::CLASS_METRICS.iter().position(|m| m.key == key).unwrap()
}

fn class_fill(outcome: &echelon::runner::Outcome, strategy: usize, class: usize) -> f64 {
    let runs: Vec<f64> =
        outcome.records.iter().filter(|r| r.strategy == strategy).map(|r| r.classes[class][0]).collect();
    runs.iter().sum::<f64>() / runs.len() as f64
}

#[test]
fn strict_priority_serves_the_top_tier_no_worse_than_fcfs() {
    let text = scenario(&format!(
        r#"(name: "fcfs", replenishment: {POLICY}, allocation: Fcfs),
           (name: "priority", replenishment: {POLICY}, allocation: StrictPriority)"#
    ));
    let outcome = common::run(&common::scenario_from_text("classes.ron", &text), 2);
    common::assert_conservation(&outcome);
    let (contract, ecommerce) = (1, 0);
    let (fcfs_top, priority_top) = (class_fill(&outcome, 0, contract), class_fill(&outcome, 1, contract));
    let (fcfs_low, priority_low) = (class_fill(&outcome, 0, ecommerce), class_fill(&outcome, 1, ecommerce));
    assert!(priority_top >= fcfs_top, "top tier: priority {priority_top} vs FCFS {fcfs_top}");
    // Stock is short, so the difference is real: the top tier gains, the
    // lower one (first in list order, FCFS's tie-break) loses.
    assert!(priority_top > fcfs_top + 0.02, "top tier: priority {priority_top} vs FCFS {fcfs_top}");
    assert!(priority_low < fcfs_low, "lower tier: priority {priority_low} vs FCFS {fcfs_low}");
}

#[test]
fn class_results_add_up_to_the_network_and_reach_summary_json() {
    let text = scenario(&format!(r#"(name: "margin", replenishment: {POLICY}, allocation: MarginWeighted)"#));
    let outcome = common::run(&common::scenario_from_text("classes.ron", &text), 2);
    let demand = echelon::sim::metrics::metric_index("demand_mean").unwrap();
    let lost = echelon::sim::metrics::metric_index("lost_sales_mean").unwrap();
    let (class_demand, class_lost) = (class_metric("demand_mean"), class_metric("lost_sales_mean"));
    for record in &outcome.records {
        let sum = |m: usize| record.classes.iter().map(|c| c[m]).sum::<f64>();
        assert!((sum(class_demand) - record.network[demand]).abs() < 1e-9, "class demand adds up to the network's");
        assert!((sum(class_lost) - record.network[lost]).abs() < 1e-9, "class lost sales add up to the network's");
        assert_eq!(record.classes[1][class_lost], 0.0, "contract customers backorder: nothing lost");
    }
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_echelon"))
        .args(["run", "--quiet", "--out"])
        .arg(dir.path())
        .arg(write(dir.path(), &text))
        .output()
        .unwrap();
    assert!(output.status.success());
    let terminal = String::from_utf8(output.stdout).unwrap();
    assert!(terminal.contains("Per customer class:") && terminal.contains("on_time_rate"), "{terminal}");
    let report = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(report.contains("<h2>Per customer class</h2>") && report.contains("backorder age p95 days"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap()).unwrap();
    let classes = &summary["points"][0]["strategies"][0]["classes"];
    for name in ["ecommerce", "contract"] {
        let fill = classes[name]["fill_rate"]["mean"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&fill), "{name}: {fill}");
    }
}

fn write(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("classes.ron");
    std::fs::write(&path, text).unwrap();
    path
}
