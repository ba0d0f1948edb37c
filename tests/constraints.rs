//! Order constraints (MOQ, case pack, maximum order), storage capacity and
//! overflow, lane capacity per day and truck consolidation, on hand-worked
//! cases (README: "Order constraints and capacities").
//!
//! The base case: one store, constant demand 3 a day, base stock 30, lead
//! time 1 day (an order released at the end of day t is received at the
//! start of day t + 2), 10 warm-up days then 100 measured days (10..109).
//! Without constraints the store orders 3 units every day end.

mod common;

use echelon::runner::Outcome;

/// The base case with `sku` fields added to the SKU, `location` to the
/// store, `lane` to the lane.
fn scenario(sku: &str, location: &str, lane: &str, order_up_to: i64, demand: &str) -> String {
    format!(
        r#"Scenario(
    name: "constraints",
    experiment: (horizon_days: 110, warmup_days: 10, replications: 1, seed: 3),
    skus: [(id: "item", unit_cost: 1.0, price: 2.0, holding_rate: 0.0, ordering_cost: 1.0{sku})],
    suppliers: [(id: "supplier")],
    locations: [(id: "store"{location})],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 1.0), cost_per_unit: 0.1{lane})],
    demand: [(location: "store", sku: "item", model: {demand})],
    strategies: [(name: "bs", replenishment: BaseStock(order_up_to: Units({order_up_to})))],
)"#
    )
}

fn run(sku: &str, location: &str, lane: &str) -> Outcome {
    let text = scenario(sku, location, lane, 30, "Constant(quantity: 3.0)");
    let outcome = common::run(&common::scenario_from_text("constraints.ron", &text), 1);
    common::assert_conservation(&outcome);
    for b in &outcome.network_balances {
        assert!(b.holds(), "{b:?}");
    }
    outcome
}

fn metric(outcome: &Outcome, key: &str) -> f64 {
    common::mean_metric(outcome, 0, key)
}

/// Unconstrained: one order of 3 a day.
#[test]
fn unconstrained_base_stock_orders_demand_every_day() {
    let o = run("", "", "");
    assert_eq!(metric(&o, "order_frequency"), 1.0);
    assert_eq!(metric(&o, "order_quantity_mean"), 3.0);
    assert_eq!(metric(&o, "ordering_cost"), 1.0);
    assert_eq!(metric(&o, "trucks_per_day"), 0.0);
    assert!(metric(&o, "truck_fill_rate").is_nan());
    assert_eq!(metric(&o, "overflow_units_mean"), 0.0);
}

/// Case pack 10: the position after ordering runs 27, 28, 29, 30 and an
/// order of 10 goes out on 3 day ends in 10 (days 10, 13, 16, 20, …): 30
/// orders of 10 in the 100 measured days, 0.3 orders (and 0.3 of ordering
/// cost) a day, the 300 units demanded.
#[test]
fn case_pack_rounds_every_order_up_to_whole_packs() {
    let o = run(", case_pack: 10", "", "");
    assert_eq!(metric(&o, "order_frequency"), 0.3);
    assert_eq!(metric(&o, "order_quantity_mean"), 10.0);
    assert!((metric(&o, "ordering_cost") - 0.3).abs() < 1e-12);
    assert_eq!(metric(&o, "demand_mean"), 3.0);
}

/// MOQ 12: the need of 3 at position 27 is raised to 12; the position
/// after ordering is 39, then 36, 33, 30 (no order: the need is 0), 27
/// again: one order of 12 every 4 days (days 0, 4, …), 25 in the measured
/// days.
#[test]
fn moq_raises_small_orders_to_the_minimum() {
    let o = run(", min_order: 12", "", "");
    assert_eq!(metric(&o, "order_frequency"), 0.25);
    assert_eq!(metric(&o, "order_quantity_mean"), 12.0);
}

/// MOQ 12 and packs of 5: 12 rounds up to 15 (5 days of demand): one
/// order of 15 every 5 days.
#[test]
fn moq_is_rounded_up_to_whole_packs() {
    let o = run(", min_order: 12, case_pack: 5", "", "");
    assert_eq!(metric(&o, "order_quantity_mean"), 15.0);
    assert_eq!(metric(&o, "order_frequency"), 0.2);
}

/// A maximum of 5 with packs of 2 caps at 4 (the whole packs below 5):
/// under demand 9 a day every need is at least 9, rounded up to 10 and
/// capped at 4: one order of 4 a day.
#[test]
fn max_order_caps_at_whole_packs_below_it() {
    let text = scenario(", case_pack: 2, max_order: 5", "", "", 30, "Constant(quantity: 9.0)");
    let o = common::run(&common::scenario_from_text("constraints.ron", &text), 1);
    common::assert_conservation(&o);
    assert_eq!(metric(&o, "order_quantity_mean"), 4.0);
    assert_eq!(metric(&o, "order_frequency"), 1.0);
}

/// Order constraints show in the bullwhip and cost figures: under Poisson
/// demand (mean 5) base stock passes demand through (bullwhip ≈ 1); packs
/// of 20 batch it (an order of 20 on about one day in four: variance near
/// 20² · ¼ · ¾ = 75 against 5), with fewer orders and more stock held.
#[test]
fn case_packs_raise_bullwhip_and_holding_and_cut_ordering_cost() {
    let with = |sku: &str| {
        let text = scenario(sku, "", "", 40, "Poisson(mean: 5.0)")
            .replace("holding_rate: 0.0", "holding_rate: 0.365")
            .replace("horizon_days: 110", "horizon_days: 1010");
        let o = common::run(&common::scenario_from_text("constraints.ron", &text), 1);
        common::assert_conservation(&o);
        o
    };
    let (free, packed) = (with(""), with(", case_pack: 20"));
    let bullwhip = (metric(&free, "bullwhip"), metric(&packed, "bullwhip"));
    assert!((bullwhip.0 - 1.0).abs() < 0.05, "base stock passes demand through: {}", bullwhip.0);
    assert!(bullwhip.1 > 8.0, "packs of 20 batch orders: bullwhip {}", bullwhip.1);
    assert!(metric(&packed, "ordering_cost") < 0.4 * metric(&free, "ordering_cost"));
    assert!(metric(&packed, "holding_cost") > metric(&free, "holding_cost"));
    assert_eq!(metric(&packed, "order_quantity_mean") % 20.0, 0.0);
}

/// Capacity 15: on-hand after the morning receipt is 30 − 3 · 2 (the two
/// orders in transit) + 3 = 27 every day: 12 units in overflow a day, at
/// 0.5 each: 6 a day, in total cost; the balances hold (overflow stock is
/// on-hand).
#[test]
fn stock_above_storage_capacity_is_charged_as_overflow_each_day() {
    let free = run("", "", "");
    let o = run("", ", capacity: 15, overflow_cost_per_unit_day: 0.5", "");
    assert_eq!(metric(&o, "on_hand_start_mean"), 27.0);
    assert_eq!(metric(&o, "overflow_units_mean"), 12.0);
    assert_eq!(metric(&o, "overflow_cost"), 6.0);
    assert!((metric(&o, "total_cost") - metric(&free, "total_cost") - 6.0).abs() < 1e-9);
    let roomy = run("", ", capacity: 27, overflow_cost_per_unit_day: 0.5", "");
    assert_eq!(metric(&roomy, "overflow_units_mean"), 0.0);
}

/// By volume: the item takes 0.5 a unit, so the 27 units on hand after the
/// morning receipt fill 13.5; a capacity_volume of 10 leaves 3.5 in
/// overflow every day, at 2 per unit of volume: 7 a day, in total cost.
/// With a unit capacity of 15 too, each limit is counted on its own (12
/// units at 0.5 and 3.5 of volume at 2: 13 a day); 13.5 of room is enough.
#[test]
fn stock_above_storage_capacity_by_volume_is_charged_as_overflow_each_day() {
    let free = run("", "", "");
    let o = run(", volume: 0.5", ", capacity_volume: 10, overflow_cost_per_volume_day: 2.0", "");
    assert_eq!(metric(&o, "overflow_volume_mean"), 3.5);
    assert_eq!(metric(&o, "overflow_units_mean"), 0.0, "no unit capacity");
    assert_eq!(metric(&o, "overflow_cost"), 7.0);
    assert!((metric(&o, "total_cost") - metric(&free, "total_cost") - 7.0).abs() < 1e-9);
    let both = run(
        ", volume: 0.5",
        ", capacity: 15, overflow_cost_per_unit_day: 0.5, capacity_volume: 10, overflow_cost_per_volume_day: 2.0",
        "",
    );
    assert_eq!(metric(&both, "overflow_units_mean"), 12.0);
    assert_eq!(metric(&both, "overflow_volume_mean"), 3.5);
    assert_eq!(metric(&both, "overflow_cost"), 13.0);
    let roomy = run(", volume: 0.5", ", capacity_volume: 13.5, overflow_cost_per_volume_day: 2.0", "");
    assert_eq!(metric(&roomy, "overflow_volume_mean"), 0.0);
    assert_eq!(metric(&free, "overflow_volume_mean"), 0.0);
}

/// Full trucks of 10 (min_load 10, no wait limit): 3 units join the lane
/// each evening; a truck leaves when 10 wait: by the end of day d,
/// ⌊3(d + 1) ÷ 10⌋ trucks, so 33 − 3 = 30 in days 10..109, every one full,
/// each costing 50: transport 30 × 50 ÷ 100 + 0.1 × 300 ÷ 100 = 15.3 a day.
#[test]
fn full_truck_minimum_waits_for_a_full_truck() {
    let o = run("", "", ", trucks: (units: 10, cost_per_truck: 50.0, min_load: 10)");
    assert_eq!(metric(&o, "trucks_per_day"), 0.3);
    assert_eq!(metric(&o, "truck_fill_rate"), 1.0);
    assert!((metric(&o, "transport_cost") - 15.3).abs() < 1e-9);
    // The units still waiting: 3(d + 1) mod 10 at the end of day d,
    // averaging 4.5 over each 10 days.
    assert_eq!(metric(&o, "lane_waiting_end_mean"), 4.5);
}

/// Full trucks preferred but waits capped at 2 days: the evening orders of
/// days 0, 1, 2 (9 units) leave on day 2, the oldest having waited 2 days;
/// one truck of 9 every 3 days: days 11, 14, …, 107 are 33 trucks in the
/// measured days, each 90 % full.
#[test]
fn a_partial_truck_leaves_when_its_oldest_units_have_waited_max_wait_days() {
    let o = run("", "", ", trucks: (units: 10, cost_per_truck: 50.0, min_load: 10, max_wait_days: Some(2))");
    assert_eq!(metric(&o, "trucks_per_day"), 0.33);
    assert!((metric(&o, "truck_fill_rate") - 0.9).abs() < 1e-12);
}

/// Cost per truck with no minimum: every evening's 3 units leave in one
/// truck of 10 (fill 0.3).
#[test]
fn without_a_minimum_every_evening_sends_a_truck() {
    let o = run("", "", ", trucks: (units: 10, cost_per_truck: 50.0)");
    assert_eq!(metric(&o, "trucks_per_day"), 1.0);
    assert!((metric(&o, "truck_fill_rate") - 0.3).abs() < 1e-12);
    assert_eq!(metric(&o, "order_frequency"), 1.0);
}

/// A lane carrying 2 units a day against 3 ordered: 2 depart each day end
/// and the queue grows by one a day: d + 1 units wait at the end of day d,
/// 60.5 on average over days 10..109; transport 0.1 × 2 a day.
#[test]
fn lane_capacity_per_day_limits_what_departs() {
    let o = run("", "", ", capacity_per_day: 2");
    assert_eq!(metric(&o, "lane_waiting_end_mean"), 60.5);
    assert!((metric(&o, "transport_cost") - 0.2).abs() < 1e-12);
}

/// Two echelons with trucks and a capacity on the DC → store lane: the
/// unit balances and the network balance (units waiting at the lane count
/// as between the nodes) hold, under Poisson demand.
#[test]
fn balances_hold_with_trucks_and_capacities_between_locations() {
    let text = r#"Scenario(
    name: "two-echelon",
    experiment: (horizon_days: 400, warmup_days: 20, replications: 2, seed: 5),
    skus: [
        (id: "a", unit_cost: 1.0, case_pack: 6, min_order: 12),
        (id: "b", unit_cost: 2.0, max_order: 40),
    ],
    suppliers: [(id: "supplier", capacity_per_day: 30.0)],
    locations: [(id: "dc", capacity: 200, overflow_cost_per_unit_day: 0.1), (id: "store", capacity: 60)],
    lanes: [
        (from: "supplier", to: "dc", lead_time: Uniform(min_days: 2, max_days: 5), capacity_per_day: 25,
         trucks: (units: 20, cost_per_truck: 10.0, min_load: 20, max_wait_days: Some(3))),
        (from: "dc", to: "store", lead_time: Gamma(mean_days: 1.5, sd_days: 0.5),
         trucks: (units: 15, cost_per_truck: 4.0, min_load: 10, max_wait_days: Some(1)), capacity_per_day: 30),
    ],
    demand: [
        (location: "store", sku: "a", model: Poisson(mean: 6.0)),
        (location: "store", sku: "b", model: Poisson(mean: 4.0)),
    ],
    strategies: [
        (name: "bs", replenishment: BaseStock(order_up_to: DaysOfCover(8.0))),
        (name: "minmax", replenishment: MinMax(reorder_point: DaysOfCover(4.0), order_up_to: DaysOfCover(9.0))),
    ],
)"#;
    let o = common::run(&common::scenario_from_text("two.ron", text), 2);
    common::assert_conservation(&o);
    for b in &o.network_balances {
        assert!(b.holds(), "{b:?}");
    }
    assert!(metric(&o, "trucks_per_day") > 0.0);
    let fill = metric(&o, "truck_fill_rate");
    assert!(fill > 0.5 && fill <= 1.0, "{fill}");
}
