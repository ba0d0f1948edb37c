//! The multi-echelon network: conservation of units everywhere under every
//! event kind with transfers and expedites, a two-stage serial echelon
//! base-stock system against an independent simulation written here,
//! hand-worked transfers and expedites, reproducible random outages.

mod common;

use echelon::sim::distribution::DailyDemand;
use echelon::sim::metrics::metric_index;
use echelon::sim::rng::{self, StreamKey};

fn metric(outcome: &echelon::runner::Outcome, strategy: usize, key: &str) -> f64 {
    common::mean_metric(outcome, strategy, key)
}

fn node_metric(outcome: &echelon::runner::Outcome, node: usize, key: &str) -> f64 {
    outcome.records[0].nodes[node][metric_index(key).unwrap()]
}

/// Two suppliers (one with a capacity), a DC with a secondary source, three
/// warehouses in a ring of lateral lanes with expedite modes.
fn network(demand: &str, events: &str, strategies: &str) -> String {
    format!(
        r#"Scenario(
    name: "net",
    experiment: (horizon_days: 360, warmup_days: 20, replications: 3, seed: 17),
    skus: [(id: "a", unit_cost: 10.0), (id: "b", unit_cost: 3.0)],
    classes: [(name: "contract", tier: 1), (name: "web", tier: 2, shortage: LostSales)],
    suppliers: [(id: "s1"), (id: "s2", capacity_per_day: 60)],
    locations: [(id: "dc"), (id: "w1"), (id: "w2"), (id: "w3")],
    lanes: [
        (from: "s1", to: "dc", lead_time: Gamma(mean_days: 4.0, sd_days: 1.0), cost_per_unit: 0.2),
        (from: "s2", to: "dc", lead_time: Constant(days: 6.0), cost_per_unit: 0.3),
        (from: "dc", to: "w1", lead_time: Uniform(min_days: 1, max_days: 3), expedite: (lead_time: Constant(days: 0.5), cost_per_unit: 1.0, cost_per_shipment: 20.0)),
        (from: "dc", to: "w2", lead_time: Constant(days: 2.0), expedite: (lead_time: Constant(days: 1.0), cost_per_unit: 1.0, cost_per_shipment: 20.0)),
        (from: "s1", to: "w3", lead_time: Constant(days: 5.0), expedite: (lead_time: Constant(days: 1.0), cost_per_unit: 2.0, cost_per_shipment: 30.0)),
        (from: "w1", to: "w2", lead_time: Constant(days: 1.0), cost_per_unit: 0.5, lateral: true),
        (from: "w2", to: "w1", lead_time: Constant(days: 1.0), cost_per_unit: 0.5, lateral: true),
        (from: "w3", to: "w1", lead_time: Constant(days: 2.0), cost_per_unit: 0.5, lateral: true),
    ],
    demand: [
        (location: "w1", sku: "a", class: "contract", model: {demand}),
        (location: "w1", sku: "a", class: "web", model: Poisson(mean: 3.0)),
        (location: "w2", sku: "a", class: "contract", model: {demand}),
        (location: "w2", sku: "b", class: "web", model: NegativeBinomial(mean: 6.0, sd: 4.0)),
        (location: "w3", sku: "a", class: "contract", model: Intermittent(probability: 0.3, mean_size: 12.0, sd_size: 5.0)),
        (location: "w3", sku: "b", class: "contract", model: {demand}),
    ],
    events: [{events}],
    random_outages: [(name: "flaky-s1", from: "s1", mean_up_days: 40.0, mean_down_days: 4.0, in_transit: Lose)],
    demand_pattern: (weekly: [1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.9], annual_amplitude: 0.1, trend_per_year: 0.05),
    strategies: [{strategies}],
)"#
    )
}

const EVERY_EVENT: &str = r#"
    (name: "outage", start_day: 60, days: 10, kind: SupplierOutage(supplier: "s1", in_transit: Delay)),
    (name: "lane-down", start_day: 90, days: 5, kind: LaneOutage(from: "dc", to: "w2", in_transit: Lose)),
    (name: "cut", start_day: 100, days: 20, kind: CapacityCut(supplier: "s2", multiplier: 0.25)),
    (name: "slow", start_day: 130, days: 15, kind: LeadTimeInflation(supplier: "dc", location: "w1", multiplier: 3.0)),
    (name: "closed", start_day: 160, days: 6, kind: NodeClosure(location: "w2")),
    (name: "dc-closed", start_day: 180, days: 3, kind: NodeClosure(location: "dc")),
    (name: "spike", start_day: 200, days: 10, kind: DemandShock(location: "w1", multiplier: 2.0)),
    (name: "promo", start_day: 230, days: 7, kind: Promotion(uplift: 1.6, dip: 0.7, dip_days: 5)),
    (name: "shift", start_day: 300, kind: RegimeShift(location: "w3", multiplier: 1.3)),
"#;

const STRATEGIES: &str = r#"
    (name: "s-S", replenishment: MinMax(reorder_point: DaysOfCover(5.0), order_up_to: DaysOfCover(10.0)),
     at: {"dc": MinMax(reorder_point: DaysOfCover(8.0), order_up_to: DaysOfCover(16.0))}),
    (name: "echelon", replenishment: EchelonBaseStock(order_up_to: DaysOfCover(6.0)),
     at: {"dc": EchelonBaseStock(order_up_to: DaysOfCover(14.0))}, allocation: FairShare),
    (name: "transfers", replenishment: MinMax(reorder_point: DaysOfCover(5.0), order_up_to: DaysOfCover(10.0)),
     transfers: (below_days: 3.0, above_days: 6.0)),
    (name: "expedites", replenishment: MinMax(reorder_point: DaysOfCover(5.0), order_up_to: DaysOfCover(10.0)),
     expedites: (cover_days: 3.0)),
"#;

#[test]
fn units_are_conserved_across_the_network_under_every_event_kind_with_transfers_and_expedites() {
    for demand in ["Poisson(mean: 8.0)", "Orders(rate_per_day: 4.0, size: Geometric(mean: 2.0))"] {
        let scenario = common::scenario_from_text("net.ron", &network(demand, EVERY_EVENT, STRATEGIES));
        assert_eq!(scenario.model.nodes[0].height, 1, "the DC feeds the warehouses");
        let outcome = common::run(&scenario, 2);
        common::assert_conservation(&outcome);
        for (run, b) in outcome.network_balances.iter().enumerate() {
            assert!(b.holds() && b.shipped > 0, "run {run}: goods between nodes not conserved: {b:?}");
        }
        assert!(metric(&outcome, 2, "transfer_cost") > 0.0, "{demand}: transfers never happened");
        assert!(metric(&outcome, 3, "expedite_count") > 0.0, "{demand}: expedites never happened");
        assert_eq!(metric(&outcome, 0, "expedite_cost"), 0.0);
        let lost: i64 = outcome.balances.iter().flatten().map(|b| b.lost_in_transit).sum();
        assert!(lost > 0, "{demand}: the Lose outages lost nothing");
        let fill = metric_index("fill_rate").unwrap();
        assert!(outcome.records.iter().all(|r| (0.0..1.0).contains(&r.network[fill])));
    }
}

/// The same network under approval governance (every decision above 20
/// needs one of 3 approvals a day), impatient contract customers whose
/// lines ship whole, and two days of stale data: units are still
/// conserved, including transfers and expedites waiting for approval at
/// the end, and their latencies show the wait.
#[test]
fn units_are_conserved_under_governance_patience_whole_lines_and_stale_data() {
    let events = format!("{EVERY_EVENT}(name: \"lag\", start_day: 250, days: 20, kind: StaleData(hours: 48.0)),");
    for demand in ["Poisson(mean: 8.0)", "Orders(rate_per_day: 4.0, size: Geometric(mean: 2.0))"] {
        let text = network(demand, &events, STRATEGIES)
            .replace(
                r#"(name: "contract", tier: 1)"#,
                r#"(name: "contract", tier: 1, sla_days: 2.0, late_penalty_per_day: 1.0, patience_days: 5.0, partial_shipment: false)"#,
            )
            .replace(
                "    strategies: [",
                "    governance: (approval_above: 20.0, approvals_per_day: 3, approval_delay: Gamma(mean_hours: 4.0, \
                 sd_hours: 2.0), queue: ExceptionPriority),\n    strategies: [",
            );
        let outcome = common::run(&common::scenario_from_text("net.ron", &text), 2);
        common::assert_conservation(&outcome);
        for (run, b) in outcome.network_balances.iter().enumerate() {
            assert!(b.holds() && b.shipped > 0, "run {run}: goods between nodes not conserved: {b:?}");
        }
        assert!(metric(&outcome, 2, "transfer_latency_p50_min") > 0.0, "{demand}: transfers waited for approval");
        assert!(metric(&outcome, 3, "expedite_latency_max_min") > 0.0, "{demand}: expedites waited for approval");
        assert!(metric(&outcome, 0, "po_latency_p50_min") > 0.0, "{demand}: orders waited for approval");
        let cancelled = echelon::sim::metrics::CLASS_METRICS.iter().position(|m| m.key == "cancelled_mean").unwrap();
        assert!(outcome.records.iter().any(|r| r.classes[0][cancelled] > 0.0), "{demand}: nobody ran out of patience");
    }
}

#[test]
fn random_outages_are_reproducible_and_differ_between_replications() {
    let text = network("Poisson(mean: 8.0)", "", STRATEGIES);
    let a = common::run(&common::scenario_from_text("net.ron", &text), 1);
    let b = common::run(&common::scenario_from_text("net.ron", &text), 2);
    // Compared as text: undefined metrics are NaN, which never equals itself.
    let text = |o: &echelon::runner::Outcome| format!("{:?}", o.records);
    assert_eq!(text(&a), text(&b), "same seed, same results whatever the threads");
    let lost: Vec<i64> = a.balances.iter().map(|run| run.iter().map(|n| n.lost_in_transit).sum()).collect();
    assert!(lost.iter().any(|&l| l > 0));
    assert!(lost[0] != lost[1] || lost[1] != lost[2], "replications should see different outages: {lost:?}");
}

/// supplier → dc → store, one SKU, Poisson(5) at the store, lead times 2
/// days (supplier → dc) and 1 day (dc → store), echelon base stock with
/// S_store = 12 and S_dc (echelon) = 30.
fn serial_scenario() -> String {
    r#"Scenario(
    name: "serial",
    experiment: (horizon_days: 4000, warmup_days: 0, replications: 1, seed: 99),
    skus: [(id: "x", unit_cost: 1.0)],
    suppliers: [(id: "s")],
    locations: [(id: "dc"), (id: "store")],
    lanes: [
        (from: "s", to: "dc", lead_time: Constant(days: 2.0)),
        (from: "dc", to: "store", lead_time: Constant(days: 1.0)),
    ],
    demand: [(location: "store", sku: "x", model: Poisson(mean: 5.0))],
    strategies: [(name: "echelon", replenishment: EchelonBaseStock(order_up_to: Units(12)),
                  at: {"dc": EchelonBaseStock(order_up_to: Units(30))})],
)"#
    .to_string()
}

/// An independent day-by-day simulation of the same system and the same
/// demand draws, written from the semantics in the README: receipts at day
/// start, demand, then at day end the store orders up to its level on its
/// inventory position, the DC ships what it can of what is owed and orders
/// up to its echelon level on its echelon position. Returns (fill rate,
/// mean store on-hand, mean DC on-hand, mean owed by the DC). The DC
/// starts with `dc_initial` on hand.
fn independent_serial(days: usize, dc_initial: i64) -> (f64, f64, f64, f64) {
    let (s_store, s_dc, l_dc, l_store) = (12i64, 30i64, 2usize, 1usize);
    let demand = DailyDemand::poisson(5.0).unwrap();
    let mut draws = rng::stream(99, 0, StreamKey::demand(1, 0, 0));
    let (mut store, mut store_backorders, mut store_on_order) = (s_store, 0i64, 0i64);
    let (mut dc, mut owed, mut dc_on_order) = (dc_initial, 0i64, 0i64);
    let mut to_store = vec![0i64; days + 8];
    let mut to_dc = vec![0i64; days + 8];
    let (mut demanded, mut served) = (0i64, 0i64);
    let (mut store_sum, mut dc_sum, mut owed_sum) = (0i64, 0i64, 0i64);
    for t in 0..days {
        // Morning: receipts; the store's clear its backorders first.
        dc += to_dc[t];
        dc_on_order -= to_dc[t];
        store += to_store[t];
        store_on_order -= to_store[t];
        let cleared = store.min(store_backorders);
        store -= cleared;
        store_backorders -= cleared;
        // Demand.
        let d = demand.sample(&mut draws);
        let s = d.min(store);
        store -= s;
        store_backorders += d - s;
        demanded += d;
        served += s;
        // Evening: the store orders on its position; the DC ships, then orders.
        let store_position = store - store_backorders + store_on_order;
        let order = (s_store - store_position).max(0);
        store_on_order += order;
        owed += order;
        let ship = dc.min(owed);
        dc -= ship;
        owed -= ship;
        to_store[t + 1 + l_store] += ship;
        let echelon = (dc - owed + dc_on_order) + (store - store_backorders + store_on_order);
        let dc_order = (s_dc - echelon).max(0);
        dc_on_order += dc_order;
        to_dc[t + 1 + l_dc] += dc_order;
        store_sum += store;
        dc_sum += dc;
        owed_sum += owed;
    }
    let n = days as f64;
    (served as f64 / demanded as f64, store_sum as f64 / n, dc_sum as f64 / n, owed_sum as f64 / n)
}

#[test]
fn a_two_stage_serial_echelon_base_stock_system_matches_an_independent_simulation() {
    let outcome = common::run(&common::scenario_from_text("serial.ron", &serial_scenario()), 1);
    common::assert_conservation(&outcome);
    let (fill, store, dc, owed) = independent_serial(4000, 0);
    assert_eq!(metric(&outcome, 0, "fill_rate"), fill);
    assert_eq!(node_metric(&outcome, 1, "on_hand_end_mean"), store);
    assert_eq!(node_metric(&outcome, 0, "on_hand_end_mean"), dc);
    assert_eq!(node_metric(&outcome, 0, "backorders_end_mean"), owed);
    assert!((0.5..1.0).contains(&fill) && owed > 0.0, "a case where the DC does run short: fill {fill}, owed {owed}");
}

/// The serial system again, the store on plain base stock (the same rule
/// at a node that feeds none, but without asking for echelon positions)
/// and the DC on a `Fallback` from a forecast-driven primary to echelon
/// base stock, the forecast service out for the whole run: the fallback
/// decides every day, on echelon positions the engine must keep current
/// although the primary needs none, and the system is the independent
/// simulation's (from the primary's starting stock at the DC). Echelon
/// positions left at zero made the DC order 30 units every day.
#[test]
fn a_fallback_to_echelon_base_stock_sees_echelon_positions() {
    let text = serial_scenario().replace(
        r#"strategies: [(name: "echelon", replenishment: EchelonBaseStock(order_up_to: Units(12)),
                  at: {"dc": EchelonBaseStock(order_up_to: Units(30))})],"#,
        r#"strategies: [(name: "fallback", replenishment: BaseStock(order_up_to: Units(12)),
                  at: {"dc": Fallback(primary: ForecastOrderUpTo(forecast: Ses(alpha: 0.2), service_target: 0.9),
                                      fallback: EchelonBaseStock(order_up_to: Units(30)))})],
    events: [(name: "forecast-down", start_day: 0, days: 4000, kind: ForecastOutage())],"#,
    );
    assert!(text.contains("Fallback"));
    let outcome = common::run(&common::scenario_from_text("serial-fallback.ron", &text), 1);
    common::assert_conservation(&outcome);
    assert_eq!(node_metric(&outcome, 0, "fallback_days"), 4000.0);
    let (fill, store, dc, owed) = independent_serial(4000, outcome.balances[0][0].initial_on_hand);
    assert_eq!(metric(&outcome, 0, "fill_rate"), fill);
    assert_eq!(node_metric(&outcome, 1, "on_hand_end_mean"), store);
    assert_eq!(node_metric(&outcome, 0, "on_hand_end_mean"), dc);
    assert_eq!(node_metric(&outcome, 0, "backorders_end_mean"), owed);
}

/// One day. Warehouse A (demand 10/day, base stock 20, lead time 5) and B
/// (demand 1/day, base stock 200), lateral lane B → A at 0.5 per unit.
/// End of day 0: A's net stock 10 covers 1 day < 1.5; B's on-hand 199
/// covers 199 days > 10. Target (1.5 + 10)/2 = 5.75 days: A needs
/// ⌈57.5 − 10⌉ = 48, B can spare ⌊199 − 10⌋ = 189 → 48 units, cost 24.
#[test]
fn a_transfer_moves_what_the_hand_worked_rule_says() {
    let text = r#"Scenario(
        name: "transfer",
        experiment: (horizon_days: 1, warmup_days: 0, replications: 1, seed: 1),
        skus: [(id: "x", unit_cost: 1.0)],
        suppliers: [(id: "s")],
        locations: [(id: "a"), (id: "b")],
        lanes: [
            (from: "s", to: "a", lead_time: Constant(days: 5.0)),
            (from: "s", to: "b", lead_time: Constant(days: 5.0)),
            (from: "b", to: "a", lead_time: Constant(days: 1.0), cost_per_unit: 0.5, lateral: true),
        ],
        demand: [
            (location: "a", sku: "x", model: Constant(quantity: 10.0)),
            (location: "b", sku: "x", model: Constant(quantity: 1.0)),
        ],
        strategies: [(name: "t", replenishment: BaseStock(order_up_to: Units(20)),
                      at: {"b": BaseStock(order_up_to: Units(200))},
                      transfers: (below_days: 1.5, above_days: 10.0))],
    )"#;
    let outcome = common::run(&common::scenario_from_text("transfer.ron", text), 1);
    common::assert_conservation(&outcome);
    assert_eq!(metric(&outcome, 0, "transfer_cost"), 24.0);
    assert_eq!(node_metric(&outcome, 1, "on_hand_end_mean"), 151.0);
    assert_eq!(outcome.balances[0][0].transferred_in, 48);
    // A's order that evening sees the transfer in its position: 20 − (10 + 48) < 0 → none.
    assert_eq!(node_metric(&outcome, 0, "order_frequency"), 0.0);
}

/// One day. Demand 4/day, base stock 10, regular lead time 10 days, an
/// expedite mode of 1 day at 2 per unit + 5 per shipment. End of day 0:
/// net stock 6 runs out in 1.5 days, the regular order placed now is due
/// on day 11: expedite ⌈3 × 4⌉ = 12 units, cost 5 + 24 = 29.
#[test]
fn an_expedite_fires_when_the_stock_out_comes_before_the_next_receipt() {
    let text = r#"Scenario(
        name: "expedite",
        experiment: (horizon_days: 1, warmup_days: 0, replications: 1, seed: 1),
        skus: [(id: "x", unit_cost: 1.0)],
        suppliers: [(id: "s")],
        locations: [(id: "w")],
        lanes: [(from: "s", to: "w", lead_time: Constant(days: 10.0),
                 expedite: (lead_time: Constant(days: 1.0), cost_per_unit: 2.0, cost_per_shipment: 5.0))],
        demand: [(location: "w", sku: "x", model: Constant(quantity: 4.0))],
        strategies: [(name: "e", replenishment: BaseStock(order_up_to: Units(10)), expedites: (cover_days: 3.0))],
    )"#;
    let outcome = common::run(&common::scenario_from_text("expedite.ron", text), 1);
    common::assert_conservation(&outcome);
    assert_eq!(metric(&outcome, 0, "expedite_cost"), 29.0);
    assert_eq!(metric(&outcome, 0, "expedite_count"), 1.0);
    assert_eq!(outcome.balances[0][0].ordered, 4 + 12);
}

#[test]
fn the_regional_network_validates_with_a_dc_over_six_warehouses() {
    let scenario = common::bundled("scenarios/regional-network.ron");
    let model = &scenario.model;
    assert_eq!(model.nodes.len(), 7);
    assert_eq!(model.nodes[0].sources.len(), 2, "the DC has a secondary supplier");
    assert_eq!(model.nodes[0].skus.len(), 1000, "the DC stocks what its warehouses stock");
    assert_eq!(model.children(0).count(), 6);
    assert_eq!(scenario.file.strategies.len(), 4);
}

/// A serial chain supplier → dc → rdc → store under daily base stock: each
/// location orders exactly what it was asked for that day, so every
/// location's bullwhip is 1, and so is the network's (the customer-facing
/// echelon's). Summing the orders of all three echelons made it 3² = 9.
#[test]
fn network_bullwhip_of_a_pass_through_chain_is_one() {
    let text = r#"Scenario(
    name: "chain",
    experiment: (horizon_days: 200, warmup_days: 20, replications: 2, seed: 4),
    skus: [(id: "a", unit_cost: 1.0)],
    suppliers: [(id: "s")],
    locations: [(id: "dc"), (id: "rdc"), (id: "store")],
    lanes: [
        (from: "s", to: "dc", lead_time: Constant(days: 2.0)),
        (from: "dc", to: "rdc", lead_time: Constant(days: 1.0)),
        (from: "rdc", to: "store", lead_time: Constant(days: 1.0)),
    ],
    demand: [(location: "store", sku: "a", model: Poisson(mean: 8.0))],
    strategies: [(name: "bs", replenishment: BaseStock(order_up_to: Units(40)))],
)"#;
    let outcome = common::run(&common::scenario_from_text("chain.ron", text), 1);
    common::assert_conservation(&outcome);
    let bullwhip = metric_index("bullwhip").unwrap();
    for r in &outcome.records {
        for (node, values) in r.nodes.iter().enumerate() {
            assert_eq!(values[bullwhip], 1.0, "node {node}");
        }
        assert_eq!(r.network[bullwhip], 1.0);
    }
}

/// The per-node indices, by hand: dc → {a, b}, a → c, a lateral lane
/// a → b (transfers only: neither a child nor "feeds others"). Means: c 3,
/// a own 2 + c 3 = 5, b 4 (+ 1 of y), dc 5 + 4 = 9 (x) and 1 (y). Listed
/// out of model order on purpose (c's lane before a's).
#[test]
fn the_model_index_gives_children_demand_and_mean_demand_by_node() {
    let text = r#"Scenario(
        name: "index",
        experiment: (horizon_days: 5, warmup_days: 0, replications: 1, seed: 1),
        skus: [(id: "x", unit_cost: 1.0), (id: "y", unit_cost: 1.0)],
        classes: [(name: "one"), (name: "two")],
        suppliers: [(id: "s")],
        locations: [(id: "dc"), (id: "a"), (id: "b"), (id: "c")],
        lanes: [(from: "a", to: "c", lead_time: Constant(days: 1.0)),
                (from: "s", to: "dc", lead_time: Constant(days: 1.0)),
                (from: "dc", to: "b", lead_time: Constant(days: 1.0)),
                (from: "dc", to: "a", lead_time: Constant(days: 1.0)),
                (from: "a", to: "b", lead_time: Constant(days: 1.0), lateral: true)],
        demand: [(location: "c", sku: "x", class: "one", model: Constant(quantity: 3.0)),
                 (location: "a", sku: "x", class: "one", model: Constant(quantity: 1.5)),
                 (location: "a", sku: "x", class: "two", model: Constant(quantity: 0.5)),
                 (location: "b", sku: "x", class: "one", model: Constant(quantity: 4.0)),
                 (location: "b", sku: "y", class: "two", model: Constant(quantity: 1.0))],
        strategies: [(name: "b", replenishment: BaseStock(order_up_to: Units(10)))],
    )"#;
    let scenario = common::scenario_from_text("index.ron", text);
    let model = &scenario.model;
    let children: Vec<Vec<usize>> = (0..4).map(|n| model.children(n).collect()).collect();
    assert_eq!(children, [vec![1, 2], vec![3], vec![], vec![]]);
    assert_eq!((0..4).map(|n| model.feeds_others(n)).collect::<Vec<_>>(), [true, true, false, false]);
    assert_eq!((0..4).map(|n| model.serves_customers(n)).collect::<Vec<_>>(), [false, true, true, true]);
    assert_eq!(model.demand_of(1).map(|s| s.class).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(model.own_mean_daily_demand(1), [2.0]);
    assert_eq!(model.mean_daily_demand(1), [5.0]);
    assert_eq!(model.mean_daily_demand(2), [4.0, 1.0]);
    assert_eq!(model.mean_daily_demand(0), [9.0, 1.0]);
    assert_eq!(model.own_mean_daily_demand(0), [0.0, 0.0]);
    let heights: Vec<u32> = model.nodes.iter().map(|n| n.height).collect();
    assert_eq!(heights, [2, 1, 0, 0]);
}
