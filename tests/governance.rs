//! Approval governance in whole runs: a hand-worked latency timeline,
//! planner capacity as a hard limit, and the threshold.

mod common;

use echelon::sim::engine::{self, Trace};
use echelon::sim::metrics::metric_index;

/// `skus` SKUs at one store (unit cost 10), constant demand of 10 a day
/// each, base stock 40 reviewed daily over a 2-day lead time: every SKU
/// orders 10 units (worth 100) at every day end.
fn scenario(skus: usize, governance: &str) -> String {
    let ids: Vec<String> = (0..skus).map(|k| format!("(id: \"item{k}\", unit_cost: 10.0, price: 15.0)")).collect();
    let demand: Vec<String> = (0..skus)
        .map(|k| format!("(location: \"store\", sku: \"item{k}\", model: Constant(quantity: 10.0))"))
        .collect();
    format!(
        r#"Scenario(
    name: "governed",
    experiment: (horizon_days: 60, warmup_days: 10, replications: 2, seed: 4),
    skus: [{}],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 2.0))],
    demand: [{}],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(40)))],
    governance: {governance},
)"#,
        ids.join(", "),
        demand.join(", ")
    )
}

fn traced(text: &str) -> (echelon::sim::engine::RunOutput, Trace) {
    let scenario = common::scenario_from_text("governed.ron", text);
    let allocation = scenario.allocation(0);
    engine::simulate_traced(&scenario.model, 0, scenario.policies(0, &*allocation))
}

fn metric(output: &echelon::sim::engine::RunOutput, key: &str) -> f64 {
    output.network[metric_index(key).unwrap()]
}

/// By hand: the order decided at the end of day t (minute 1440·(t+1)) is
/// worth 100 > 50, so it waits; the planners start at 8:00 of day t + 1,
/// take it at once (capacity 5, one order a day) and release it 2 hours
/// later, at 10:00: 600 minutes after its trigger, every time.
#[test]
fn an_order_above_the_threshold_waits_for_the_morning_round_and_its_delay() {
    let governance = "(approval_above: 50.0, approvals_per_day: 5, working_hours: (start: 8.0, end: 17.0), \
                      approval_delay: Constant(hours: 2.0))";
    let (output, trace) = traced(&scenario(1, &format!("Some({governance})")));
    for key in ["po_latency_p50_min", "po_latency_p99_min", "po_latency_max_min", "decision_latency_p50_min"] {
        assert_eq!(metric(&output, key), 600.0, "{key}");
    }
    assert!(metric(&output, "transfer_latency_p50_min").is_nan(), "no transfers: NaN");
    assert_eq!(trace.approvals, vec![1; 50], "one approval released each measured day");

    // Above the decision's value, the threshold lets everything through at once.
    let lenient = governance.replace("approval_above: 50.0", "approval_above: 100.0");
    let (output, trace) = traced(&scenario(1, &format!("Some({lenient})")));
    assert_eq!(metric(&output, "po_latency_max_min"), 0.0);
    assert_eq!(trace.approvals, vec![0; 50]);
}

/// Three SKUs order every day but the planners approve two a day: the
/// queue grows, no day releases more than two, and the wait shows in the
/// latency (FIFO: p99 far above the 600-minute floor).
#[test]
fn releases_per_day_never_exceed_planner_capacity() {
    let governance = "Some((approval_above: 50.0, approvals_per_day: 2, approval_delay: LogNormal(mean_hours: 3.0, \
                      sd_hours: 2.0), queue: Fifo))";
    let text = scenario(3, governance);
    let (output, trace) = traced(&text);
    assert!(trace.approvals.iter().all(|&n| n <= 2), "{:?}", trace.approvals);
    assert_eq!(trace.approvals.iter().filter(|&&n| n == 2).count(), 50, "the planners are never idle");
    assert!(metric(&output, "po_latency_p99_min") > 10.0 * 1440.0, "a growing queue");
    let outcome = common::run(&common::scenario_from_text("governed.ron", &text), 2);
    common::assert_conservation(&outcome);
}
