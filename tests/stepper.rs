//! The day-stepping API (`engine::Stepper`): parity with `simulate`,
//! when an action applies, determinism, and the day's outcome.

mod common;

use echelon::scenario::Scenario;
use echelon::sim::engine::{self, ActionMode, RunOutput, Stepper};
use echelon::sim::metrics::metric_index;
use echelon::sim::strategy::{Capabilities, NodeView, Replenishment, Review};
use std::sync::{Arc, Mutex};

/// Everything of a run but the wall-clock decision times, in a form
/// compared exactly (`{:?}` of an `f64` is its shortest round-trip form).
fn deterministic(output: &RunOutput) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}",
        output.network,
        output.nodes,
        output.events,
        output.random_events,
        output.classes,
        output.balances,
        output.network_balance,
        output.sku_location_days
    )
}

fn simulated(scenario: &Scenario, strategy: usize, replication: u32) -> RunOutput {
    let allocation = scenario.allocation(strategy);
    engine::simulate(&scenario.model, replication, scenario.policies(strategy, &*allocation))
}

fn every_node(scenario: &Scenario) -> Vec<usize> {
    (0..scenario.model.nodes.len()).collect()
}

/// Pausing after every day end and letting the scenario strategies decide
/// (through the external wrapper, at every node) changes nothing: the
/// bundled scenarios cover multi-echelon, echelon base stock, transfers,
/// expedites, disruptions, customer classes, fallbacks and stale data.
#[test]
fn stepping_day_by_day_with_delegated_decisions_is_the_simulated_run() {
    let cases = [
        ("scenarios/quickstart.ron", vec![0, 1, 2, 3]),
        ("scenarios/ci.ron", vec![0, 2]),
        ("scenarios/resilience-fallback.ron", vec![1]),
        ("scenarios/regional-network.ron", vec![1, 2, 3]),
    ];
    for (file, strategies) in cases {
        let scenario = common::bundled(file);
        for strategy in strategies {
            let expected = deterministic(&simulated(&scenario, strategy, 1));
            let allocation = scenario.allocation(strategy);
            let policies = scenario.policies(strategy, &*allocation);
            let mut stepper = Stepper::new(&scenario.model, 1, policies, &every_node(&scenario), ActionMode::OrderUpTo);
            while !stepper.is_done() {
                stepper.step_delegated();
            }
            let output = stepper.finish().expect("done");
            assert!(deterministic(&output) == expected, "{file}, strategy {strategy}: the stepped run differs");
        }
    }
}

/// The same with event-driven demand (customer orders during the day,
/// continuous review) and approval governance.
#[test]
fn stepping_with_order_events_and_governance_is_the_simulated_run() {
    let orders = common::single_location(
        "Orders(rate_per_day: 3.0, size: Geometric(mean: 2.0))",
        "Gamma(mean_days: 2.0, sd_days: 1.0)",
        "Backorder",
        r#"(name: "one-for-one", replenishment: OneForOne(base_stock: Units(15))),
           (name: "r-Q", replenishment: ReorderPointQuantity(reorder_point: Units(5), order_quantity: Units(10), review: Continuous))"#,
        "(horizon_days: 200, warmup_days: 20, replications: 2, seed: 5)",
    );
    let governed = orders.replace(
        "strategies:",
        "governance: Some((approval_above: 5.0, approvals_per_day: 3, working_hours: (start: 8.0, end: 17.0), \
         approval_delay: Constant(hours: 2.0))),\n    strategies:",
    );
    for text in [orders, governed] {
        let scenario = common::scenario_from_text("events.ron", &text);
        for strategy in 0..2 {
            let expected = deterministic(&simulated(&scenario, strategy, 0));
            let allocation = scenario.allocation(strategy);
            let policies = scenario.policies(strategy, &*allocation);
            let mut stepper = Stepper::new(&scenario.model, 0, policies, &[0], ActionMode::OrderQuantity);
            while !stepper.is_done() {
                stepper.step_delegated();
            }
            assert!(deterministic(&stepper.finish().unwrap()) == expected, "strategy {strategy}");
        }
    }
}

/// Base stock orders `S − IP` at every day end; an agent giving the level
/// `S` (read from the strategy: its reorder point is `S − 1`) at every
/// location, every day, from day 0, is the base-stock run exactly.
#[test]
fn order_up_to_actions_at_the_base_stock_levels_are_the_base_stock_run() {
    for file in ["scenarios/quickstart.ron", "scenarios/ci.ron"] {
        let scenario = common::bundled(file);
        let levels: Vec<i64> =
            scenario.replenishment(0).iter().flat_map(|s| s.reorder_points().iter().map(|r| r + 1)).collect();
        for replication in [0, 2] {
            let expected = deterministic(&simulated(&scenario, 0, replication));
            let allocation = scenario.allocation(0);
            let policies = scenario.policies(0, &*allocation);
            let mut stepper =
                Stepper::new(&scenario.model, replication, policies, &every_node(&scenario), ActionMode::OrderUpTo);
            assert_eq!(stepper.action_len(), levels.len());
            while !stepper.is_done() {
                stepper.step(&levels);
            }
            let output = stepper.finish().unwrap();
            assert!(deterministic(&output) == expected, "{file}, replication {replication}");
        }
    }
}

/// The decisions a [`Recorder`] logged: (day, node, orders).
type DecisionLog = Arc<Mutex<Vec<(u32, usize, Vec<i64>)>>>;

/// A strategy that logs every decision it takes (node, day, orders).
struct Recorder<'a> {
    inner: Box<dyn Replenishment + 'a>,
    node: usize,
    log: DecisionLog,
}

impl Replenishment for Recorder<'_> {
    fn review(&self) -> Review {
        self.inner.review()
    }
    fn reorder_points(&self) -> &[i64] {
        self.inner.reorder_points()
    }
    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.inner.initial_on_hand(sku)
    }
    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64 {
        self.inner.order_quantity(sku, inventory_position)
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn observe(&mut self, view: &NodeView<'_>) {
        self.inner.observe(view);
    }
    fn on_fallback(&self) -> bool {
        self.inner.on_fallback()
    }
    fn decide(&mut self, view: &NodeView<'_>, orders: &mut [i64]) {
        self.inner.decide(view, orders);
        self.log.lock().unwrap().push((view.day, self.node, orders.to_vec()));
    }
}

/// Orders recorded from a (s,S) and an (r,Q) run, replayed as order
/// quantities on the days they were decided (0 on the others), give the
/// same run: the quantity action is the order of that day's review.
#[test]
fn replaying_recorded_orders_as_order_quantities_is_the_simulated_run() {
    let scenario = common::bundled("scenarios/quickstart.ron");
    for strategy in [1, 3] {
        let log = Arc::new(Mutex::new(Vec::new()));
        let allocation = scenario.allocation(strategy);
        let mut policies = scenario.policies(strategy, &*allocation);
        policies.replenishment = policies
            .replenishment
            .into_iter()
            .enumerate()
            .map(|(node, inner)| Box::new(Recorder { inner, node, log: log.clone() }) as Box<dyn Replenishment + '_>)
            .collect();
        let expected = deterministic(&engine::simulate(&scenario.model, 0, policies));

        let days = scenario.model.experiment.horizon_days as usize;
        let skus: Vec<usize> = scenario.model.nodes.iter().map(|n| n.skus.len()).collect();
        let width: usize = skus.iter().sum();
        let mut actions = vec![vec![0i64; width]; days];
        for (day, node, orders) in log.lock().unwrap().iter() {
            let offset: usize = skus[..*node].iter().sum();
            actions[*day as usize][offset..offset + orders.len()].copy_from_slice(orders);
        }
        let policies = scenario.policies(strategy, &*allocation);
        let mut stepper = Stepper::new(&scenario.model, 0, policies, &every_node(&scenario), ActionMode::OrderQuantity);
        for day in &actions {
            stepper.step(day);
        }
        assert!(deterministic(&stepper.finish().unwrap()) == expected, "strategy {strategy}");
    }
}

/// One store, constant demand 5 a day, 20 on hand at the start, a 2-day
/// constant lead time, ordering cost 1 and transport 0.1 per unit.
fn store() -> Scenario {
    let text = common::single_location(
        "Constant(quantity: 5.0)",
        "Constant(days: 2.0)",
        "Backorder",
        r#"(name: "base", replenishment: BaseStock(order_up_to: Units(20)))"#,
        "(horizon_days: 12, warmup_days: 0, replications: 1, seed: 1)",
    );
    common::scenario_from_text("store.ron", &text)
}

/// By hand: 7 units ordered at the end of day 0 (a quantity action) leave
/// at minute 1440 and arrive at the start of day 3 (1440·(0+1+2)); the
/// day's ordering cost is 1 and its transport 0.7. On-hand goes 20 → 15,
/// 10, 5, then 5 + 7 − 5 = 7. An order-up-to action of 20 at day 4, after
/// its demand (on-hand 2, nothing on order), orders 18.
#[test]
fn an_action_is_the_order_of_that_days_review_and_arrives_after_the_lead_time() {
    let scenario = store();
    let allocation = scenario.allocation(0);
    let policies = scenario.policies(0, &*allocation);
    let mut stepper = Stepper::new(&scenario.model, 0, policies, &[0], ActionMode::OrderQuantity);
    let o = stepper.observation();
    assert_eq!((o.day, &o.on_hand[..], &o.on_order[..], &o.demand[..]), (0, &[20][..], &[0][..], &[0][..]));

    let outcome = *stepper.step(&[7]);
    assert_eq!((outcome.day, outcome.orders, outcome.ordered_units), (0, 1, 7));
    assert_eq!((outcome.ordering_cost, outcome.transport_cost), (1.0, 0.7000000000000001));
    let o = stepper.observation();
    assert_eq!((o.day, o.on_hand[0], o.on_order[0], o.position[0], o.demand[0]), (1, 15, 7, 22, 5));

    let on_hand: Vec<i64> = (1..4)
        .map(|_| {
            let outcome = stepper.step(&[0]);
            assert_eq!((outcome.orders, outcome.ordering_cost, outcome.transport_cost), (0, 0.0, 0.0));
            stepper.observation().on_hand[0]
        })
        .collect();
    assert_eq!(on_hand, [10, 5, 7], "received at the start of day 3");
    assert_eq!(stepper.observation().on_order[0], 0);

    // Negative quantities order nothing.
    stepper.step(&[-4]);
    assert_eq!((stepper.observation().on_hand[0], stepper.observation().on_order[0]), (2, 0));
    assert_eq!(stepper.outcome().orders, 0);

    // The mode is the stepper's: a fresh one in order-up-to mode, driven to
    // the same state, orders up to the level.
    let policies = scenario.policies(0, &*allocation);
    let mut stepper = Stepper::new(&scenario.model, 0, policies, &[0], ActionMode::OrderUpTo);
    for level in [22, 0, 0, 0] {
        stepper.step(&[level]);
    }
    assert_eq!(stepper.observation().on_hand[0], 7);
    stepper.step(&[20]);
    let o = stepper.observation();
    assert_eq!((o.on_hand[0], o.on_order[0], o.position[0]), (2, 18, 20));
    assert_eq!(stepper.outcome().ordered_units, 18);
}

/// Backorders appear in the observation and in the day's shortage cost
/// (penalty 0.5 per unit-day at the day end).
#[test]
fn a_stock_out_shows_as_backorders_and_shortage_cost_of_that_day() {
    let scenario = store();
    let allocation = scenario.allocation(0);
    let policies = scenario.policies(0, &*allocation);
    let mut stepper = Stepper::new(&scenario.model, 0, policies, &[0], ActionMode::OrderQuantity);
    for _ in 0..4 {
        stepper.step(&[0]);
    }
    let (o, outcome) = (stepper.observation(), stepper.outcome());
    assert_eq!((o.on_hand[0], o.backorders[0], o.position[0]), (0, 0, 0));
    assert_eq!((outcome.demand, outcome.served_from_stock, outcome.shortage_cost), (5, 5, 0.0));
    stepper.step(&[0]);
    let (o, outcome) = (stepper.observation(), stepper.outcome());
    assert_eq!((o.on_hand[0], o.backorders[0], o.position[0]), (0, 5, -5));
    assert_eq!((outcome.demand, outcome.served_from_stock, outcome.backorders_end), (5, 0, 5));
    assert_eq!(outcome.shortage_cost, 2.5);
}

fn run_steps(scenario: &Scenario, replication: u32, days: usize) -> Vec<String> {
    let allocation = scenario.allocation(0);
    let policies = scenario.policies(0, &*allocation);
    let mut stepper = Stepper::new(&scenario.model, replication, policies, &[1, 0], ActionMode::OrderUpTo);
    let levels = vec![30; stepper.action_len()];
    (0..days)
        .map(|_| {
            let outcome = *stepper.step(&levels);
            format!("{outcome:?} {:?}", stepper.observation())
        })
        .collect()
}

/// Same model, replication and actions ⇒ the same observations and
/// outcomes; another replication draws other demand (its own common random
/// numbers, as on the command line).
#[test]
fn the_same_replication_and_actions_step_identically_and_another_replication_differs() {
    let scenario = common::bundled("scenarios/quickstart.ron");
    let first = run_steps(&scenario, 3, 60);
    assert_eq!(first, run_steps(&scenario, 3, 60));
    assert_ne!(first, run_steps(&scenario, 4, 60));
}

/// The day outcomes of the measured days add up to the run's totals.
#[test]
fn day_costs_add_up_to_the_runs_total_cost() {
    let scenario = common::bundled("scenarios/quickstart.ron");
    let allocation = scenario.allocation(0);
    let policies = scenario.policies(0, &*allocation);
    let mut stepper = Stepper::new(&scenario.model, 0, policies, &[0], ActionMode::OrderUpTo);
    stepper.warm_up();
    let (mut cost, mut demand, mut served) = (0.0, 0i64, 0i64);
    let mut day = 0i64;
    while !stepper.is_done() {
        // A level that moves with the day: not a policy of the scenario.
        let level = 20 + (day % 5) * 10;
        let outcome = stepper.step(&[level, level / 2, level * 2]);
        assert!(outcome.measured);
        cost += outcome.total_cost;
        demand += outcome.demand;
        served += outcome.served_from_stock;
        day += 1;
    }
    let output = stepper.finish().unwrap();
    let days = f64::from(scenario.model.experiment.measured_days());
    let network = |key: &str| output.network[metric_index(key).unwrap()];
    let total = network("total_cost") * days;
    assert!((cost - total).abs() <= 1e-9 * total, "{cost} vs {total}");
    assert_eq!(demand as f64, network("demand_mean") * days);
    assert_eq!(served as f64 / demand as f64, network("fill_rate"));
    for b in &output.balances {
        assert!(b.holds());
    }
}

/// With the scorecard's costs — overflow beyond storage capacity, scrapped
/// returns, substitution — the day outcomes still add up to the run's
/// `total_cost` (they once left those three out).
#[test]
fn day_costs_include_overflow_scrap_and_substitution() {
    let scenario = common::bundled("scenarios/distributor.ron");
    let allocation = scenario.allocation(0);
    let policies = scenario.policies(0, &*allocation);
    let mut stepper = Stepper::new(&scenario.model, 0, policies, &[], ActionMode::OrderUpTo);
    stepper.warm_up();
    let (mut cost, mut parts) = (0.0, [0.0; 3]);
    while !stepper.is_done() {
        let outcome = stepper.step(&[]);
        cost += outcome.total_cost;
        for (part, value) in
            parts.iter_mut().zip([outcome.overflow_cost, outcome.scrap_cost, outcome.substitution_cost])
        {
            *part += value;
        }
    }
    let output = stepper.finish().unwrap();
    let days = f64::from(scenario.model.experiment.measured_days());
    let network = |key: &str| output.network[metric_index(key).unwrap()];
    for (part, key) in parts.iter().zip(["overflow_cost", "scrap_cost", "substitution_cost"]) {
        assert!(network(key) > 0.0, "{key}: the scenario no longer exercises it");
        assert!((part - network(key) * days).abs() <= 1e-6 * part, "{key}: {part} vs {}", network(key) * days);
    }
    let total = network("total_cost") * days;
    assert!((cost - total).abs() <= 1e-9 * total, "{cost} vs {total}");
}

/// The warm-up runs under the scenario strategies and counts nothing.
#[test]
fn warm_up_runs_the_scenario_strategies_and_measures_nothing() {
    let scenario = common::bundled("scenarios/quickstart.ron");
    let allocation = scenario.allocation(0);
    let policies = scenario.policies(0, &*allocation);
    let mut stepper = Stepper::new(&scenario.model, 0, policies, &[0, 1], ActionMode::OrderQuantity);
    let mut outcomes = Vec::new();
    while stepper.day() < scenario.model.experiment.warmup_days {
        outcomes.push(*stepper.step_delegated());
    }
    assert_eq!(outcomes.len(), 30);
    assert!(outcomes.iter().all(|o| !o.measured && o.total_cost == 0.0 && o.demand == 0));
    stepper.warm_up();
    assert_eq!(stepper.day(), 30, "nothing left to warm up");
    assert!(stepper.observation().demand.iter().any(|&d| d > 0));
    assert!(stepper.observation().on_order.iter().any(|&d| d > 0), "base stock ordered during the warm-up");
    assert!(stepper.finish().is_none(), "not done: no output");
}

#[test]
fn a_stepper_can_move_between_threads() {
    fn is_send<T: Send>() {}
    is_send::<Stepper<'static>>();
}
