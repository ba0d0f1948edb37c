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

/// By hand, planners 8:00–17:00 (9 working hours a day), a 16-hour
/// approval: the order decided at the end of day t (minute 1440·(t+1)) is
/// taken at 8:00 of day t + 1, gets 9 hours that day and 7 the next, and
/// is released at 15:00 of day t + 2: 1440 + 900 = 2340 minutes after its
/// trigger, every time (cut at 17:00 it was 1020). Each approval spans two
/// days, so two places of the capacity of 5 are held; one release a day.
/// At the horizon (day 60) the order of day 58 is in approval and that of
/// day 59 waits in the queue: both pending, censored at 1440 and 0.
#[test]
fn a_sixteen_hour_approval_carries_over_to_the_next_working_day() {
    let governance = "Some((approval_above: 50.0, approvals_per_day: 5, working_hours: (start: 8.0, end: 17.0), \
                      approval_delay: Constant(hours: 16.0)))";
    let (output, trace) = traced(&scenario(1, governance));
    for key in ["po_latency_p50_min", "po_latency_p99_min", "po_latency_max_min"] {
        assert_eq!(metric(&output, key), 2340.0, "{key}");
    }
    assert_eq!(trace.approvals, vec![1; 50]);
    assert_eq!(metric(&output, "decisions_pending_end"), 2.0);
    assert_eq!(metric(&output, "approval_backlog_end"), 1.0);
    // The two censored latencies are the smallest of the 52.
    assert_eq!(trace.latency, vec![(0, 1), (1440, 1), (2340, 50)]);
}

/// A queue that never drains: one order a day, one planner place a day,
/// 100-hour approvals (11 working days and an hour, holding the planner's
/// place on each of the 12 days they span). By hand: decision j (of the
/// day-end j) is taken at 8:00 of day 1 + 12j and released at 9:00 of day
/// 12(j + 1): decisions 0–3 are released (latencies 11(j+1) days + 540
/// minutes), decision 4 is in approval at the horizon (day 60) and
/// decisions 5–59 wait in the queue. The 56 pending decisions count,
/// censored at the horizon, with latency (59 − k) days (decision 4's 55
/// days the longest): among the 60 latencies the 30th smallest is 27 days. (Counting only the 4 released
/// decisions hid the queue: the median was the released ones'.)
#[test]
fn decisions_still_waiting_at_the_horizon_count_censored_in_the_latency() {
    let governance = "Some((approval_above: 50.0, approvals_per_day: 1, working_hours: (start: 8.0, end: 17.0), \
                      approval_delay: Constant(hours: 100.0)))";
    let (output, trace) = traced(&scenario(1, governance));
    assert_eq!(metric(&output, "decisions_pending_end"), 56.0);
    assert_eq!(metric(&output, "approval_backlog_end"), 55.0);
    assert_eq!(output.nodes[0][metric_index("decisions_pending_end").unwrap()], 56.0);
    assert_eq!(metric(&output, "po_latency_p50_min"), 27.0 * 1440.0);
    assert_eq!(metric(&output, "decision_latency_p50_min"), 27.0 * 1440.0);
    // The longest is decision 4's, censored: 55 days (to 3 significant
    // figures, the latency histogram's precision).
    let max = metric(&output, "po_latency_max_min");
    assert!((max - 55.0 * 1440.0).abs() <= 55.0 * 1440.0 * 1e-3, "got {max}");
    assert_eq!(trace.latency.iter().map(|&(_, n)| n).sum::<u64>(), 60);
    let released_days: Vec<usize> =
        trace.approvals.iter().enumerate().filter(|&(_, &n)| n > 0).map(|(d, _)| d + 10).collect();
    assert_eq!(released_days, [12, 24, 36, 48]);
}
