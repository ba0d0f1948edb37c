//! Customer classes competing for scarce stock: per-class results, and the
//! allocation rules deciding who gets it.

mod common;

/// One SKU at one store, short of stock on purpose, with two classes listed
/// lower tier first.
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
    // lower one loses.
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

/// Per replication of strategy 0, class `class`'s fill rate.
fn class_fills(outcome: &echelon::runner::Outcome, class: usize) -> Vec<f64> {
    outcome.records.iter().filter(|r| r.strategy == 0).map(|r| r.classes[class][0]).collect()
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// 4 standard errors of the mean of `xs` (replications are independent).
fn noise(xs: &[f64]) -> f64 {
    let m = mean(xs);
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
    4.0 * (var / xs.len() as f64).sqrt()
}

/// Three identical classes at a store short of stock, listed in `names`
/// order, all served first come, first served.
fn identical_classes(names: [&str; 3]) -> String {
    let classes: Vec<String> = names.iter().map(|n| format!("(name: \"{n}\")")).collect();
    let demand: Vec<String> = names
        .iter()
        .map(|n| format!("(location: \"store\", sku: \"item\", class: \"{n}\", model: Poisson(mean: 4.0))"))
        .collect();
    format!(
        r#"Scenario(
    name: "identical",
    experiment: (horizon_days: 400, warmup_days: 40, replications: 16, seed: 5),
    skus: [(id: "item", unit_cost: 1.0)],
    classes: [{}],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 3.0))],
    demand: [{}],
    strategies: [(name: "fcfs", replenishment: {POLICY}, allocation: Fcfs)],
)"#,
        classes.join(", "),
        demand.join(", ")
    )
}

/// Before arrival order was drawn, same-day claims were served in list
/// order: 0.769 / 0.660 / 0.558 for three identical classes, reversed when
/// the list was.
#[test]
fn fcfs_serves_identical_classes_alike_whatever_their_list_order() {
    let forward = common::run(&common::scenario_from_text("f.ron", &identical_classes(["a", "b", "c"])), 2);
    let reversed = common::run(&common::scenario_from_text("r.ron", &identical_classes(["c", "b", "a"])), 2);
    common::assert_conservation(&forward);
    let fills: Vec<Vec<f64>> = (0..3).map(|c| class_fills(&forward, c)).collect();
    let overall = mean(&fills.concat());
    assert!(overall < 0.8, "stock must be short for the test to mean anything: {overall}");
    for i in 0..3 {
        for j in i + 1..3 {
            // Paired by replication: same run, same stock.
            let diff: Vec<f64> = fills[i].iter().zip(&fills[j]).map(|(a, b)| a - b).collect();
            let d = mean(&diff);
            assert!(d.abs() <= noise(&diff).min(0.03), "classes {i} and {j}: fill differs by {d} ({fills:?})");
        }
    }
    // Reversed list: class "a" is now last; its fill is the same within noise.
    for (f, r) in [(0, 2), (1, 1), (2, 0)] {
        let (ff, rr) = (class_fills(&forward, f), class_fills(&reversed, r));
        let d = mean(&ff) - mean(&rr);
        let tolerance = (noise(&ff).powi(2) + noise(&rr).powi(2)).sqrt().min(0.03);
        assert!(d.abs() <= tolerance, "class {f} forward vs reversed: {} vs {}", mean(&ff), mean(&rr));
    }
}

/// A DC short of stock, feeding three identical warehouses that all order
/// at the same day end: under FCFS none is favoured for being listed first.
#[test]
fn fcfs_at_a_dc_serves_identical_warehouses_alike() {
    let text = r#"Scenario(
    name: "dc",
    experiment: (horizon_days: 400, warmup_days: 40, replications: 16, seed: 9),
    skus: [(id: "item", unit_cost: 1.0)],
    suppliers: [(id: "supplier")],
    locations: [(id: "dc"), (id: "w1"), (id: "w2"), (id: "w3")],
    lanes: [
        (from: "supplier", to: "dc", lead_time: Constant(days: 4.0)),
        (from: "dc", to: "w1", lead_time: Constant(days: 1.0)),
        (from: "dc", to: "w2", lead_time: Constant(days: 1.0)),
        (from: "dc", to: "w3", lead_time: Constant(days: 1.0)),
    ],
    demand: [
        (location: "w1", sku: "item", model: Poisson(mean: 5.0)),
        (location: "w2", sku: "item", model: Poisson(mean: 5.0)),
        (location: "w3", sku: "item", model: Poisson(mean: 5.0)),
    ],
    strategies: [(
        name: "fcfs",
        replenishment: BaseStock(order_up_to: Units(14)),
        at: {"dc": MinMax(reorder_point: Units(40), order_up_to: Units(80))},
        allocation: Fcfs,
    )],
)"#;
    let outcome = common::run(&common::scenario_from_text("dc.ron", text), 2);
    common::assert_conservation(&outcome);
    let fill = echelon::sim::metrics::metric_index("fill_rate").unwrap();
    let fills: Vec<Vec<f64>> = (1..4).map(|n| outcome.records.iter().map(|r| r.nodes[n][fill]).collect()).collect();
    let dc: Vec<f64> = outcome.records.iter().map(|r| r.nodes[0][fill]).collect();
    assert!(mean(&dc) < 0.8, "the DC must be short for the test to mean anything: {}", mean(&dc));
    for i in 0..3 {
        for j in i + 1..3 {
            let diff: Vec<f64> = fills[i].iter().zip(&fills[j]).map(|(a, b)| a - b).collect();
            let d = mean(&diff);
            assert!(d.abs() <= noise(&diff).min(0.03), "warehouses {i} and {j}: fill differs by {d} ({fills:?})");
        }
    }
}
