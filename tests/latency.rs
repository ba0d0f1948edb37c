//! Simulated decision latency on a hand-worked timeline.

mod common;

use echelon::sim::metrics::metric_index;

#[test]
fn weekly_review_waits_six_days_from_trigger_to_release() {
    // Demand is exactly 1 unit a day, lead time 0, (R,S) with R = 7, S = 10.
    // Day 0 review orders 1 unit (released at the end of day 0). From then,
    // each day's demand drops IP to 9 = S − 1: the first trigger after a
    // review is the end of the day after it, and the next review is 6 days
    // later: latency = 6 × 1440 = 8640 minutes for every measured order.
    let text = common::single_location(
        "Constant(quantity: 1.0)",
        "Constant(days: 0.0)",
        "Backorder",
        "(name: \"weekly\", replenishment: PeriodicReview(review_period_days: 7, order_up_to: Units(10)))",
        "(horizon_days: 71, warmup_days: 1, replications: 1, seed: 1)",
    );
    let outcome = common::run(&common::scenario_from_text("weekly.ron", &text), 1);
    let run = &outcome.records[0];
    for key in ["decision_latency_p50_min", "decision_latency_p99_min", "decision_latency_max_min"] {
        assert_eq!(run.network[metric_index(key).unwrap()], 8640.0, "{key}");
    }
    // Orders on days 7, 14, …, 70: 10 orders of 7 units over 70 measured days.
    assert_eq!(run.network[metric_index("order_frequency").unwrap()], 10.0 / 70.0);
    assert_eq!(run.network[metric_index("order_quantity_mean").unwrap()], 7.0);
}

#[test]
fn daily_base_stock_releases_at_the_trigger() {
    let text = common::single_location(
        "Poisson(mean: 3.0)",
        "Constant(days: 1.0)",
        "Backorder",
        "(name: \"daily\", replenishment: BaseStock(order_up_to: Units(10)))",
        "(horizon_days: 200, warmup_days: 10, replications: 1, seed: 1)",
    );
    let outcome = common::run(&common::scenario_from_text("daily.ron", &text), 1);
    assert_eq!(outcome.records[0].network[metric_index("decision_latency_max_min").unwrap()], 0.0);
}

/// A forecast-driven order-up-to reviewed daily, without approvals,
/// decides every day at the level it has just computed: whenever it
/// orders, the need arose at that very review, so every latency is 0. (A
/// trigger timed against yesterday's level — the position at or below
/// the old reorder point while the new level is lower — used to start a
/// clock that ran until a later order: p95 two days, max six, on this
/// slow-moving SKU.)
#[test]
fn forecast_driven_daily_review_releases_at_the_trigger() {
    let text = common::single_location(
        "Poisson(mean: 2.0)",
        "Constant(days: 2.0)",
        "Backorder",
        "(name: \"forecast\", replenishment: ForecastOrderUpTo(forecast: Ses(alpha: 0.3), service_target: 0.95))",
        "(horizon_days: 400, warmup_days: 30, replications: 3, seed: 9)",
    );
    let outcome = common::run(&common::scenario_from_text("forecast-latency.ron", &text), 1);
    for run in &outcome.records {
        for key in ["decision_latency_p50_min", "decision_latency_p95_min", "decision_latency_max_min"] {
            assert_eq!(run.network[metric_index(key).unwrap()], 0.0, "{key}, replication {}", run.replication);
        }
    }
}

/// The decision compute time is read on every 64th decision call only: a
/// daily review over 130 days is 130 calls, of which calls 0, 64 and 128
/// are timed (the engine read the clock on all 130 before).
#[test]
fn decision_compute_time_is_measured_on_every_64th_call() {
    let text = common::single_location(
        "Constant(quantity: 1.0)",
        "Constant(days: 0.0)",
        "Backorder",
        "(name: \"daily\", replenishment: BaseStock(order_up_to: Units(10)))",
        "(horizon_days: 130, warmup_days: 0, replications: 2, seed: 1)",
    );
    let outcome = common::run(&common::scenario_from_text("daily.ron", &text), 1);
    assert_eq!(outcome.timing.decision_compute_ns.count, 2 * 3);
    assert!(outcome.timing.decision_compute_ns.description.contains("every 64th"));
}
