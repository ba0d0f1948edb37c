//! Backorder queues per class: SLA, late penalties, patience and whole
//! order lines, each on a case worked by hand.

mod common;

use echelon::sim::metrics::CLASS_METRICS;

/// One SKU at one store: constant demand of 10 a day from one class,
/// base stock 10 reviewed daily, lead time 2 days.
fn scenario(class: &str, lead_time_days: f64, horizon: u32) -> String {
    format!(
        r#"Scenario(
    name: "queues",
    experiment: (horizon_days: {horizon}, warmup_days: 10, replications: 1, seed: 1),
    skus: [(id: "item", unit_cost: 1.0, price: 3.0)],
    classes: [{class}],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: {lead_time_days}))],
    demand: [(location: "store", sku: "item", class: "contract", model: Constant(quantity: 10.0))],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(10)))],
)"#
    )
}

/// The class metrics of the one class; its network on-time rate must be
/// the class's (one class, one location).
fn class_values(text: &str) -> Vec<f64> {
    let outcome = common::run(&common::scenario_from_text("queues.ron", text), 1);
    common::assert_conservation(&outcome);
    let values = outcome.records[0].classes[0].to_vec();
    let network = outcome.records[0].network[echelon::sim::metrics::metric_index("on_time_rate").unwrap()];
    assert_eq!(network.to_bits(), value(&values, "on_time_rate").to_bits(), "network on-time rate");
    values
}

fn value(values: &[f64], key: &str) -> f64 {
    values[CLASS_METRICS.iter().position(|m| m.key == key).unwrap()]
}

/// Worked by hand: the store starts with 10 and serves day 0; from day 1
/// every day's line is backordered (nothing on hand) and served by the
/// receipt two days later — the order placed the evening it was demanded
/// arrives at the start of day t + 3, but the pipeline always holds the
/// order of day t − 1, which serves it at t + 2. So every line waits
/// exactly 2 days, oldest first. Over 100 measured days (10..110) the last
/// two lines are still open at the end, aged 2 and 1 days.
#[test]
fn every_line_waits_two_days_and_its_sla_decides_on_time_and_penalty() {
    let within = class_values(&scenario(r#"(name: "contract", sla_days: 2.0, late_penalty_per_day: 3.0)"#, 2.0, 110));
    assert_eq!(value(&within, "fill_rate"), 0.0);
    assert_eq!(value(&within, "on_time_rate"), 0.98, "98 lines served at 2 days, 2 open at the end");
    assert_eq!(value(&within, "backorder_age_p50_days"), 2.0);
    assert_eq!(value(&within, "backorder_age_p95_days"), 2.0);
    assert_eq!(value(&within, "late_penalty_cost"), 0.0);
    assert_eq!(value(&within, "cancelled_mean"), 0.0);

    let tight = class_values(&scenario(r#"(name: "contract", sla_days: 1.0, late_penalty_per_day: 3.0)"#, 2.0, 110));
    assert_eq!(value(&tight, "on_time_rate"), 0.0);
    // 99 lines 1 day late (98 served, 1 open at age 2) × 10 units × 3.0.
    let expected = 99.0 * 10.0 * 3.0 / 100.0;
    assert!((value(&tight, "late_penalty_cost") - expected).abs() < 1e-9, "{tight:?}");
}

/// Worked by hand: the lead time outlasts the run, so after day 0 nothing
/// is ever served. With patience 3 days, the line demanded on day t is
/// cancelled at the start of day t + 3 when t + 3 < 60; measured days are
/// 10..60, so lines 10..=56 (47 of them) are cancelled at age 3 and lines
/// 57, 58, 59 are open at the end, aged 3, 2 and 1 days.
#[test]
fn impatient_customers_cancel_after_their_patience() {
    let values = class_values(&scenario(r#"(name: "contract", sla_days: 1.0, patience_days: 3.0)"#, 500.0, 60));
    assert_eq!(value(&values, "cancelled_mean"), 47.0 * 10.0 / 50.0);
    assert_eq!(value(&values, "on_time_rate"), 0.0);
    assert_eq!(value(&values, "backorder_age_p50_days"), 3.0);
    assert_eq!(value(&values, "lost_sales_mean"), 0.0, "cancellations are not lost sales at demand");
}

/// With a lead time of 1 day the base stock of 10 leaves the store 10
/// short every other day or so; a line of 10 that may not ship in parts is
/// never served from a partial shelf, so the class is served from stock
/// less often than the same class allowed to ship in parts.
#[test]
fn whole_lines_ship_whole_or_wait() {
    let demand = |partial: bool| {
        format!(
            r#"Scenario(
    name: "lines",
    experiment: (horizon_days: 200, warmup_days: 20, replications: 1, seed: 3),
    skus: [(id: "item", unit_cost: 1.0)],
    classes: [(name: "contract", partial_shipment: {partial})],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 1.0))],
    demand: [(location: "store", sku: "item", class: "contract", model: Poisson(mean: 10.0))],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(22)))],
)"#
        )
    };
    let partial = class_values(&demand(true));
    let whole = class_values(&demand(false));
    let fill = |v: &[f64]| value(v, "fill_rate");
    assert!(fill(&whole) < fill(&partial), "whole {} vs partial {}", fill(&whole), fill(&partial));
}
