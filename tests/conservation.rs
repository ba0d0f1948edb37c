//! Conservation of units and basic metric sanity on every run shape the
//! engine supports: daily and event-driven demand, backorders and lost
//! sales, constant and random lead times (orders crossing), several customer
//! classes, periodic and continuous review.

mod common;

use echelon::sim::metrics::metric_index;

const SHAPES: &[(&str, &str, &str, &str)] = &[
    ("Poisson(mean: 5.0)", "Constant(days: 2.0)", "Backorder", "BaseStock(order_up_to: Units(18))"),
    ("Poisson(mean: 5.0)", "Constant(days: 2.0)", "LostSales", "BaseStock(order_up_to: Units(12))"),
    (
        "Normal(mean: 50.0, sd: 20.0)",
        "Normal(mean_days: 2.0, sd_days: 1.5)",
        "Backorder",
        "MinMax(reorder_point: Units(100), order_up_to: Units(250))",
    ),
    (
        "NegativeBinomial(mean: 8.0, sd: 6.0)",
        "Empirical(days: [1.0, 2.0, 7.0], weights: [5.0, 3.0, 1.0])",
        "LostSales",
        "PeriodicReview(review_period_days: 5, order_up_to: Units(80))",
    ),
    (
        "Gamma(mean: 10.0, sd: 4.0)",
        "LogNormal(mean_days: 3.0, sd_days: 2.0)",
        "Backorder",
        "ReorderPointQuantity(reorder_point: Units(30), order_quantity: Units(25), batching: Multiple)",
    ),
    (
        "Orders(rate_per_day: 3.0, size: Geometric(mean: 2.0))",
        "Gamma(mean_days: 2.0, sd_days: 1.0)",
        "Backorder",
        "OneForOne(base_stock: Units(15))",
    ),
    (
        "Orders(rate_per_day: 3.0, size: Geometric(mean: 2.0))",
        "Uniform(min_days: 0, max_days: 3)",
        "LostSales",
        "ReorderPointQuantity(reorder_point: Units(5), order_quantity: Units(10), review: Continuous)",
    ),
    (
        "Orders(rate_per_day: 6.0, size: Fixed(units: 1.0))",
        "Constant(days: 0.25)",
        "Backorder",
        "MinMax(reorder_point: Units(3), order_up_to: Units(9))",
    ),
];

#[test]
fn units_are_conserved_and_metrics_are_in_range_on_every_run_shape() {
    for (i, (demand, lead_time, shortage, policy)) in SHAPES.iter().enumerate() {
        let text = common::single_location(
            demand,
            lead_time,
            shortage,
            &format!("(name: \"p\", replenishment: {policy})"),
            "(horizon_days: 500, warmup_days: 50, replications: 3, seed: 3)",
        );
        let outcome = common::run(&common::scenario_from_text(&format!("shape{i}.ron"), &text), 2);
        common::assert_conservation(&outcome);
        for r in &outcome.records {
            for key in ["fill_rate", "cycle_service", "ready_rate"] {
                let v = r.network[metric_index(key).unwrap()];
                assert!((0.0..=1.0).contains(&v), "shape {i}: {key} = {v}");
            }
            let lost = r.network[metric_index("lost_sales_mean").unwrap()];
            let backorders = r.network[metric_index("backorders_end_mean").unwrap()];
            if *shortage == "LostSales" {
                assert_eq!(backorders, 0.0, "shape {i}");
            } else {
                assert_eq!(lost, 0.0, "shape {i}");
            }
        }
    }
}

#[test]
fn two_classes_at_one_location_are_conserved_and_share_stock() {
    let text = r#"Scenario(
        name: "classes",
        experiment: (horizon_days: 400, warmup_days: 20, replications: 3, seed: 8),
        skus: [(id: "a", unit_cost: 1.0), (id: "b", unit_cost: 2.0)],
        classes: [(name: "contract", tier: 1), (name: "web", tier: 2, shortage: LostSales)],
        suppliers: [(id: "s")],
        locations: [(id: "w1"), (id: "w2")],
        lanes: [(from: "s", to: "w1", lead_time: Constant(days: 1.0)), (from: "s", to: "w2", lead_time: Uniform(min_days: 1, max_days: 5))],
        demand: [
            (location: "w1", sku: "a", class: "contract", model: Poisson(mean: 4.0)),
            (location: "w1", sku: "a", class: "web", model: Poisson(mean: 2.0)),
            (location: "w2", sku: "b", class: "web", model: Poisson(mean: 3.0)),
            (location: "w2", sku: "a", class: "contract", model: Orders(rate_per_day: 2.0, size: Fixed(units: 2.0))),
        ],
        strategies: [(name: "mm", replenishment: MinMax(reorder_point: Units(5), order_up_to: Units(14)))],
    )"#;
    let scenario = common::scenario_from_text("classes.ron", text);
    assert_eq!(scenario.model.sku_locations(), 3);
    let outcome = common::run(&scenario, 2);
    common::assert_conservation(&outcome);
    assert_eq!(outcome.records[0].nodes.len(), 2);
    // Network demand is the sum of the nodes' demand.
    let d = metric_index("demand_mean").unwrap();
    let r = &outcome.records[0];
    assert!((r.network[d] - r.nodes[0][d] - r.nodes[1][d]).abs() < 1e-9);
}

/// Event-driven timing (the scenario has an `Orders` stream, here a
/// trickle on a second SKU that orders nothing in the horizon) with a
/// daily Constant(10) on `item` and lead time 0.5 days: the 10 units
/// ordered at a day end arrive at noon. `item`'s on-hand after the morning's
/// demand is S − 20 until noon, S − 10 after, and S − 10 at day end:
/// integrated, (S − 15) unit-days a day, not the day end's S − 10.
/// With S = 10 the morning's demand waits for noon as 10 backorders:
/// 10 × 0.5 day × 0.5 per unit-day = 2.5 a day, where the day end shows
/// none.
#[test]
fn event_driven_holding_and_backorder_costs_integrate_unit_minutes() {
    let text = |order_up_to: i64| {
        format!(
            r#"Scenario(
    name: "timed",
    experiment: (horizon_days: 40, warmup_days: 2, replications: 1, seed: 1),
    skus: [
        (id: "item", unit_cost: 365.0, holding_rate: 1.0, backorder_penalty_per_day: 0.5),
        (id: "trickle", unit_cost: 1.0, holding_rate: 0.0),
    ],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 0.5))],
    demand: [
        (location: "store", sku: "item", model: Constant(quantity: 10.0)),
        (location: "store", sku: "trickle", model: Orders(rate_per_day: 0.000001, size: Fixed(units: 1.0))),
    ],
    strategies: [(name: "bs", replenishment: BaseStock(order_up_to: Units({order_up_to})))],
)"#
        )
    };
    let holding = common::run(&common::scenario_from_text("timed.ron", &text(25)), 1);
    common::assert_conservation(&holding);
    let metric = |outcome: &echelon::runner::Outcome, key: &str| common::mean_metric(outcome, 0, key);
    assert_eq!(metric(&holding, "demand_mean"), 10.0, "the trickle stream ordered nothing");
    // item's 15 at day end and the trickle's untouched 25 (held at no cost).
    assert_eq!(metric(&holding, "on_hand_end_mean"), 40.0);
    assert_eq!(metric(&holding, "holding_cost"), 10.0);
    assert_eq!(metric(&holding, "shortage_cost"), 0.0);
    let short = common::run(&common::scenario_from_text("timed.ron", &text(10)), 1);
    common::assert_conservation(&short);
    assert_eq!(metric(&short, "backorders_end_mean"), 0.0);
    assert_eq!(metric(&short, "fill_rate"), 0.0);
    assert_eq!(metric(&short, "holding_cost"), 0.0);
    assert_eq!(metric(&short, "shortage_cost"), 2.5);
}

/// The bundled distributor — MOQs and case packs, a volume-limited DC,
/// unit-limited branches, trucks and a lane capacity, web returns,
/// substitutes and approval governance together — one shortened
/// replication per policy: units are conserved at every location and
/// between them, and every feature is at work under every policy.
#[test]
fn the_distributor_scenario_conserves_units_with_every_constraint_at_work() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/distributor.ron");
    let full = std::fs::read_to_string(path).unwrap();
    let experiment = "horizon_days: 400, warmup_days: 35, replications: 8";
    assert!(full.contains(experiment), "the distributor's experiment line changed");
    let text = full.replace(experiment, "horizon_days: 150, warmup_days: 35, replications: 1");
    let outcome = common::run(&common::scenario_from_text("distributor.ron", &text), 2);
    common::assert_conservation(&outcome);
    for b in &outcome.network_balances {
        assert!(b.holds(), "{b:?}");
    }
    for strategy in 0..4 {
        let at = |key: &str| common::mean_metric(&outcome, strategy, key);
        for key in ["trucks_per_day", "returned_units", "scrapped_units", "substituted_units", "overflow_cost"] {
            assert!(at(key) > 0.0, "strategy {strategy}: {key} = {}", at(key));
        }
        let fill = at("truck_fill_rate");
        assert!(fill > 0.0 && fill <= 1.0, "strategy {strategy}: truck fill {fill}");
    }
}
