//! Customer returns and substitution (engine modules `returns` and
//! `substitution`): hand-worked cases on one location, conservation on
//! every run shape, and results of scenarios without them left unchanged.

mod common;

use echelon::runner::Outcome;
use echelon::sim::metrics::metric_index;

fn metric(outcome: &Outcome, key: &str) -> f64 {
    common::mean_metric(outcome, 0, key)
}

/// One location, one SKU "item" (unit cost 1), constant demand 4 a day
/// from a class with the given returns, base stock 20 over a one-day lane;
/// 25 days, the first 5 warm-up.
fn returning(returns: &str, disposition: &str) -> String {
    format!(
        r#"Scenario(
    name: "returns",
    experiment: (horizon_days: 25, warmup_days: 5, replications: 1, seed: 1),
    skus: [(id: "item", unit_cost: 1.0, price: 2.0, returns: {disposition})],
    classes: [(name: "web", returns: {returns})],
    suppliers: [(id: "s")],
    locations: [(id: "store")],
    lanes: [(from: "s", to: "store", lead_time: Constant(days: 1.0))],
    demand: [(location: "store", sku: "item", model: Constant(quantity: 4.0))],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(20)))],
)"#
    )
}

/// By hand: every unit shipped comes back 3 days later. Days 0–24 each
/// ship 4 units (stock never runs short): 100 units drawn to return; those
/// of days 22–24 are due on days 25–27, after the horizon (12 units); the
/// other 88 are restocked. Each measured day (5–24) receives day t−3's 4
/// units. From day 3 on the return puts back what the day's demand takes,
/// so the position is 20 at every day end without an order: no order on a
/// measured day, and on-hand ends each day at 20.
#[test]
fn restocked_returns_come_back_after_their_delay_and_replace_orders() {
    let text = returning("Some((share: 1.0, delay: Constant(days: 3.0)))", "Restock");
    let outcome = common::run(&common::scenario_from_text("returns.ron", &text), 1);
    common::assert_conservation(&outcome);
    assert_eq!(metric(&outcome, "returned_units"), 4.0);
    assert_eq!(metric(&outcome, "scrapped_units"), 0.0);
    assert_eq!(metric(&outcome, "order_frequency"), 0.0);
    assert_eq!(metric(&outcome, "on_hand_end_mean"), 20.0);
    assert_eq!(metric(&outcome, "fill_rate"), 1.0);
    let b = outcome.balances[0][0];
    assert_eq!((b.shipped, b.returns_drawn, b.returns_restocked, b.returns_due), (100, 100, 88, 12));
    assert_eq!(b.returns_scrapped, 0);
}

/// By hand: the same returns scrapped are written off at unit cost 1 —
/// 4 units and 4.0 a day, in total cost — and leave stock and orders as
/// they are without returns (4 units ordered every day).
#[test]
fn scrapped_returns_are_written_off_at_unit_cost_and_leave_stock_alone() {
    let text = returning("Some((share: 1.0, delay: Constant(days: 3.0)))", "Scrap");
    let outcome = common::run(&common::scenario_from_text("returns.ron", &text), 1);
    common::assert_conservation(&outcome);
    assert_eq!(metric(&outcome, "returned_units"), 4.0);
    assert_eq!(metric(&outcome, "scrapped_units"), 4.0);
    assert_eq!(metric(&outcome, "scrap_cost"), 4.0);
    assert_eq!(metric(&outcome, "order_frequency"), 1.0);
    assert_eq!(metric(&outcome, "order_quantity_mean"), 4.0);
    let plain = common::run(&common::scenario_from_text("plain.ron", &returning("None", "Scrap")), 1);
    let total = metric(&outcome, "total_cost");
    assert!((total - metric(&plain, "total_cost") - 4.0).abs() < 1e-9, "{total}");
    let b = outcome.balances[0][0];
    assert_eq!((b.returns_drawn, b.returns_scrapped, b.returns_due, b.returns_restocked), (100, 88, 12, 0));
}

/// Returns draw only from their own streams: a scenario with Poisson
/// demand and random lead times gets exactly the same demand, service,
/// stock and orders when its customers' returns are scrapped, and the
/// binomial share is met in the long run (30 % of units shipped).
#[test]
fn returns_use_their_own_random_stream_and_return_their_share() {
    let base = |returns: &str| {
        format!(
            r#"Scenario(
    name: "share",
    experiment: (horizon_days: 2000, warmup_days: 0, replications: 2, seed: 9),
    skus: [(id: "item", unit_cost: 1.0, price: 2.0, returns: Scrap)],
    classes: [(name: "web", returns: {returns})],
    suppliers: [(id: "s")],
    locations: [(id: "store")],
    lanes: [(from: "s", to: "store", lead_time: Gamma(mean_days: 2.0, sd_days: 1.0))],
    demand: [(location: "store", sku: "item", model: Poisson(mean: 6.0))],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(22)))],
)"#
        )
    };
    let with = common::run(
        &common::scenario_from_text("a.ron", &base("Some((share: 0.3, delay: Uniform(min_days: 2, max_days: 9)))")),
        2,
    );
    let without = common::run(&common::scenario_from_text("b.ron", &base("None")), 2);
    common::assert_conservation(&with);
    for key in ["demand_mean", "fill_rate", "on_hand_end_mean", "order_frequency", "backorders_end_mean"] {
        assert_eq!(metric(&with, key), metric(&without, key), "{key}");
    }
    let shipped: i64 = with.balances.iter().map(|b| b[0].shipped).sum();
    let drawn: i64 = with.balances.iter().map(|b| b[0].returns_drawn).sum();
    let share = drawn as f64 / shipped as f64;
    assert!((share - 0.3).abs() < 0.01, "returned share {share}");
}

/// One location stocking "a" (demand 4 a day) and "b" (2 a day), both
/// starting at 10 units with nothing arriving in the 6 days; "a" names "b"
/// as its substitute at 0.5 a unit.
fn substituting(class: &str, substitutes: &str) -> String {
    format!(
        r#"Scenario(
    name: "substitutes",
    experiment: (horizon_days: 6, warmup_days: 0, replications: 1, seed: 1),
    skus: [
        (id: "a", unit_cost: 1.0, price: 2.0, substitutes: {substitutes}),
        (id: "b", unit_cost: 3.0, price: 5.0),
    ],
    classes: [{class}],
    suppliers: [(id: "s")],
    locations: [(id: "store")],
    lanes: [(from: "s", to: "store", lead_time: Constant(days: 50.0))],
    demand: [
        (location: "store", sku: "a", model: Constant(quantity: 4.0)),
        (location: "store", sku: "b", model: Constant(quantity: 2.0)),
    ],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(10)))],
)"#
    )
}

/// By hand (lost sales): a has 10, 6, 2 at the day starts, then nothing;
/// b has 10, 8, 6, 2, 0, 0. Day 2: a serves 2 of 4; b first serves its own
/// 2 (6 → 4), then stands in for a's 2 (→ 2). Day 3: b's own 2 take its
/// last units, nothing is left to substitute — its own customers come
/// first (were a's line substituted first, 4 units would be). Served 10
/// (a) + 2 (b for a) + 8 (b) = 20 of 36, all counted from stock; lost 12
/// (a) + 4 (b). Without the substitute b's 10 units all go to b's own
/// customers (a loses 14, b 2): the same 20 served, nothing substituted.
#[test]
fn substitutes_serve_unmet_demand_after_their_own_customers() {
    let class = r#"(name: "trade", shortage: LostSales)"#;
    let with = common::run(
        &common::scenario_from_text("s.ron", &substituting(class, r#"[(sku: "b", cost_per_unit: 0.5)]"#)),
        1,
    );
    common::assert_conservation(&with);
    assert_eq!(metric(&with, "fill_rate"), 20.0 / 36.0);
    assert_eq!(metric(&with, "substituted_units"), 2.0 / 6.0);
    assert_eq!(metric(&with, "substitution_cost"), 1.0 / 6.0);
    assert_eq!(metric(&with, "lost_sales_mean"), 16.0 / 6.0);
    assert_eq!(with.balances[0][0].shipped, 20);
    let without = common::run(&common::scenario_from_text("n.ron", &substituting(class, "[]")), 1);
    assert_eq!(metric(&without, "fill_rate"), 20.0 / 36.0);
    assert_eq!(metric(&without, "lost_sales_mean"), 16.0 / 6.0);
    assert_eq!(metric(&without, "substitution_cost"), 0.0);
    assert_eq!(metric(&without, "substituted_units"), 0.0);
}

/// By hand (no partial shipment): day 2's line of 4 for a, with 2 of a,
/// ships whole from b (b's own 2 first: 6 → 4 → 0), so 4 are substituted;
/// a's 2 units stay. Day 3: a's 2 cannot fill a line of 4 and b has none.
#[test]
fn a_whole_line_is_substituted_only_when_its_substitutes_cover_it() {
    let class = r#"(name: "trade", shortage: LostSales, partial_shipment: false)"#;
    let outcome = common::run(
        &common::scenario_from_text("w.ron", &substituting(class, r#"[(sku: "b", cost_per_unit: 0.5)]"#)),
        1,
    );
    common::assert_conservation(&outcome);
    assert_eq!(metric(&outcome, "substituted_units"), 4.0 / 6.0);
    // a: 4 + 4 (own) + 4 (b); b: 2 + 2 + 2 own.
    assert_eq!(metric(&outcome, "fill_rate"), 18.0 / 36.0);
    assert_eq!(outcome.balances[0][0].final_on_hand, 2);
}

/// By hand (backorders): day 2's unmet 2 units of a are substituted; from
/// day 3 a's lines are backordered and wait for a itself, never for b —
/// b's later units serve only b (b ends with 0 after its own demand).
#[test]
fn backordered_units_wait_for_their_own_sku() {
    let class = r#"(name: "trade", shortage: Backorder)"#;
    let outcome = common::run(
        &common::scenario_from_text("b.ron", &substituting(class, r#"[(sku: "b", cost_per_unit: 0.5)]"#)),
        1,
    );
    common::assert_conservation(&outcome);
    assert_eq!(metric(&outcome, "substituted_units"), 2.0 / 6.0);
    // Backorders at day ends: a 0,0,0,4,8,12; b 0,0,0,0,2,4.
    assert_eq!(metric(&outcome, "backorders_end_mean"), 30.0 / 6.0);
}

/// Event-driven demand, several classes with returns and substitutes in
/// both directions of a chain: units are conserved and the new flows are
/// counted.
#[test]
fn returns_and_substitutes_conserve_units_under_event_driven_demand() {
    let text = r#"Scenario(
    name: "mixed",
    experiment: (horizon_days: 400, warmup_days: 20, replications: 2, seed: 4),
    skus: [
        (id: "a", unit_cost: 2.0, price: 3.0, substitutes: [(sku: "b", cost_per_unit: 0.2), (sku: "c")]),
        (id: "b", unit_cost: 2.5, price: 3.5, substitutes: [(sku: "c", cost_per_unit: 0.1)], returns: Scrap),
        (id: "c", unit_cost: 3.0, price: 4.0),
    ],
    classes: [
        (name: "web", shortage: LostSales, returns: Some((share: 0.2, delay: Gamma(mean_days: 5.0, sd_days: 2.0)))),
        (name: "trade", shortage: Backorder, partial_shipment: false, returns: Some((share: 0.05, delay: Constant(days: 10.0)))),
    ],
    suppliers: [(id: "s")],
    locations: [(id: "dc"), (id: "store")],
    lanes: [
        (from: "s", to: "dc", lead_time: Gamma(mean_days: 3.0, sd_days: 1.0)),
        (from: "dc", to: "store", lead_time: Constant(days: 1.5)),
    ],
    demand: [
        (location: "store", sku: "a", class: "web", model: Orders(rate_per_day: 4.0, size: Geometric(mean: 2.0))),
        (location: "store", sku: "a", class: "trade", model: Orders(rate_per_day: 1.0, size: Fixed(units: 3.0))),
        (location: "store", sku: "b", class: "web", model: Orders(rate_per_day: 2.0, size: Geometric(mean: 1.5))),
        (location: "store", sku: "c", class: "trade", model: Orders(rate_per_day: 1.0, size: Fixed(units: 2.0))),
        (location: "dc", sku: "c", class: "web", model: Orders(rate_per_day: 3.0, size: Fixed(units: 1.0))),
    ],
    strategies: [
        (name: "tight", replenishment: BaseStock(order_up_to: DaysOfCover(3.0))),
        (name: "rQ", replenishment: ReorderPointQuantity(reorder_point: DaysOfCover(2.0), order_quantity: DaysOfCover(4.0), review: Continuous)),
    ],
)"#;
    let outcome = common::run(&common::scenario_from_text("mixed.ron", text), 2);
    common::assert_conservation(&outcome);
    for strategy in 0..2 {
        assert!(common::mean_metric(&outcome, strategy, "returned_units") > 0.0);
        assert!(common::mean_metric(&outcome, strategy, "scrapped_units") > 0.0);
        assert!(common::mean_metric(&outcome, strategy, "substituted_units") > 0.0);
    }
    let again = common::run(&common::scenario_from_text("mixed.ron", text), 1);
    let m = metric_index("substituted_units").unwrap();
    for (x, y) in outcome.records.iter().zip(&again.records) {
        assert_eq!(x.network[m].to_bits(), y.network[m].to_bits(), "thread count must not matter");
    }
}
