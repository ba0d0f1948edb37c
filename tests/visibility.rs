//! Stale data: strategies seeing stock figures hours old, as a scenario
//! parameter and as an event, and a fallback that takes over when the data
//! are staler than its limit.

mod common;

use echelon::sim::engine::{self, RunOutput, Trace};
use echelon::sim::metrics::metric_index;

/// One SKU at one store: constant demand of 10 a day, base stock 40
/// reviewed daily, lead time 2 days (an order placed at the end of day t
/// is received at the start of day t + 3), no warm-up.
fn scenario(visibility: &str, events: &str, replenishment: &str) -> String {
    format!(
        r#"Scenario(
    name: "stale",
    experiment: (horizon_days: 20, warmup_days: 0, replications: 1, seed: 2),
    skus: [(id: "item", unit_cost: 1.0)],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 2.0))],
    demand: [(location: "store", sku: "item", model: Constant(quantity: 10.0))],
    strategies: [(name: "base", replenishment: {replenishment})],
    events: [{events}],
    {visibility}
)"#
    )
}

const BASE_STOCK: &str = "BaseStock(order_up_to: Units(40))";

fn traced(text: &str) -> (RunOutput, Trace) {
    let scenario = common::scenario_from_text("stale.ron", text);
    let allocation = scenario.allocation(0);
    engine::simulate_traced(&scenario.model, 0, scenario.policies(0, &*allocation))
}

/// Worked by hand with 48 hours of delay: at the end of day t the policy
/// sees on-hand as it was at the start of day t − 1 (after its demand; day
/// 0's at first) and current on-order. Day 0 sees 30 → orders 10; day 1
/// sees 30 with 10 on order → 0 (on-hand is really 20); day 2 sees 20 + 10
/// → 10; day 3 sees 10 + 10 → 20; day 4 sees 10 + 30 → 0; day 5 sees 0 +
/// 20 → 20; day 6 sees 0 + 20 → 20; day 7 sees 10 + 40 → 0; day 8 sees 0 +
/// 20 → 20; day 9 sees 10 + 20 → 10. Current data order 10 every day.
#[test]
fn a_two_day_delay_makes_base_stock_oscillate_as_worked_by_hand() {
    let (_, current) = traced(&scenario("", "", BASE_STOCK));
    assert_eq!(current.ordered[..10], [10; 10]);
    let (_, stale) = traced(&scenario("visibility_delay_hours: 48.0,", "", BASE_STOCK));
    assert_eq!(stale.ordered[..10], [10, 0, 10, 20, 0, 20, 20, 0, 20, 10]);
    // Within the day the figures are the day start's, which a store without
    // transfers still has at its day end: nothing changes.
    let (_, same_day) = traced(&scenario("visibility_delay_hours: 6.0,", "", BASE_STOCK));
    assert_eq!(same_day.ordered, current.ordered);
}

/// The event for days 0..6 orders as the hand-worked 48-hour case above;
/// on day 6 the data are current again: on-hand 10 + 20 on order → 10
/// (with the delay it would have been 20).
#[test]
fn a_stale_data_event_acts_only_inside_its_window() {
    let event = "(name: \"wms-lag\", start_day: 0, days: 6, kind: StaleData(hours: 48.0))";
    let (_, stale) = traced(&scenario("", event, BASE_STOCK));
    assert_eq!(stale.ordered[..7], [10, 0, 10, 20, 0, 20, 10]);
}

#[test]
fn the_fallback_takes_over_while_data_are_staler_than_its_limit() {
    let event = "(name: \"wms-lag\", start_day: 5, days: 4, kind: StaleData(hours: 30.0))";
    let fallback = "Fallback(primary: BaseStock(order_up_to: Units(40)), \
                    fallback: MinMax(reorder_point: Units(20), order_up_to: Units(50)), stale_after_hours: 24.0)";
    let (output, _) = traced(&scenario("", event, fallback));
    let metric = |key: &str| output.network[metric_index(key).unwrap()];
    assert_eq!(metric("fallback_days"), 4.0);
    assert_eq!(metric("fallback_switches"), 1.0);
    // 24 hours of delay is not staler than 24: no switch.
    let (output, _) = traced(&scenario("visibility_delay_hours: 24.0,", "", fallback));
    assert_eq!(output.network[metric_index("fallback_days").unwrap()], 0.0);
}
