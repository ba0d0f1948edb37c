//! Plugged-in strategies through the library: an unknown `Custom` name and
//! bad params are located input errors, and a strategy that panics fails
//! the study naming it (exit 4) with the finished runs kept in the log.

use echelon::plan::{self, Failure, NoProgress, RunPlan, StudyOptions};
use echelon::sim::strategy::{Replenishment, Review};
use echelon::strategies::registry::{Registry, SpecError};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

const SCENARIO: &str = r#"Scenario(
    name: "plugins",
    experiment: (horizon_days: 60, warmup_days: 5, replications: 3, seed: 3),
    skus: [(id: "a", unit_cost: 5.0, holding_rate: 0.2, backorder_penalty_per_day: 1.0)],
    suppliers: [(id: "s")],
    locations: [(id: "wh")],
    lanes: [(from: "s", to: "wh", lead_time: Constant(days: 2))],
    demand: [(location: "wh", sku: "a", model: Poisson(mean: 4.0))],
    strategies: [
        (name: "base", replenishment: BaseStock(order_up_to: Units(20))),
        (name: "plugged", replenishment: Custom(name: "bomb", params: {"day": 30})),
    ],
)
"#;

/// Order up to 20 every day; panics at the end of day `day`.
#[derive(Clone)]
struct Bomb {
    day: u32,
    level: Vec<i64>,
}

impl Replenishment for Bomb {
    fn review(&self) -> Review {
        Review::Periodic { period_days: 1, offset_days: 0 }
    }
    fn reorder_points(&self) -> &[i64] {
        &self.level
    }
    fn initial_on_hand(&self, _sku: usize) -> i64 {
        20
    }
    fn order_quantity(&self, _sku: usize, position: i64) -> i64 {
        (20 - position).max(0)
    }
    fn decide(&mut self, view: &echelon::sim::strategy::NodeView<'_>, orders: &mut [i64]) {
        assert!(view.day < self.day, "bomb went off on day {}", view.day);
        for (sku, order) in orders.iter_mut().enumerate() {
            *order = self.order_quantity(sku, view.inventory_position(sku));
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BombParams {
    day: u32,
}

fn registry() -> Arc<Registry> {
    let mut registry = Registry::bundled();
    registry.register_replenishment("bomb", "panics on `day`", |ctx, params| {
        let p: BombParams = params.deserialize()?;
        if p.day == 0 {
            return Err(SpecError::new("day", "must be at least 1"));
        }
        Ok(Bomb { day: p.day, level: vec![19; ctx.sku_ids.len()] })
    });
    Arc::new(registry)
}

fn scenario_file(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("plugins.ron");
    std::fs::write(&path, text).unwrap();
    path
}

fn load_error(text: &str, registry: &Arc<Registry>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario_file(dir.path(), text);
    let err = echelon::scenario::Scenario::load_in(&path, Default::default(), registry).unwrap_err();
    err.to_string().replace(&path.display().to_string(), "plugins.ron")
}

#[test]
fn an_unknown_custom_name_is_located_and_lists_the_registered_ones() {
    let err = load_error(&SCENARIO.replace("\"bomb\"", "\"bom\""), &registry());
    assert!(err.starts_with("plugins.ron:11:"), "{err}");
    assert!(
        err.contains(
            "strategies[1].replenishment.name: no replenishment strategy \"bom\" is registered; registered: \"bomb\""
        ),
        "{err}"
    );
    // The bundled registry has none.
    let err = load_error(SCENARIO, &Arc::new(Registry::bundled()));
    assert!(err.contains("none is registered"), "{err}");
}

#[test]
fn custom_params_failing_the_factory_are_located_at_the_field() {
    let err = load_error(&SCENARIO.replace("{\"day\": 30}", "{\"day\": 0}"), &registry());
    assert!(err.contains("strategies[1].replenishment.params.day: must be at least 1"), "{err}");
    assert!(err.starts_with("plugins.ron:11:"), "{err}");
    let err = load_error(&SCENARIO.replace("{\"day\": 30}", "{\"days\": 3}"), &registry());
    assert!(err.contains("params.days: unknown parameter `days`; valid: `day`"), "{err}");
}

#[test]
fn a_panicking_plugged_in_strategy_fails_the_study_naming_it_and_keeps_the_finished_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario_file(dir.path(), SCENARIO);
    let mut options = StudyOptions::new(&path);
    options.threads = Some(1);
    let out = dir.path().join("results");
    let plan = RunPlan::new(&options, &registry(), Some(out.clone())).unwrap();
    let failure = match plan::execute(&plan, &NoProgress, &AtomicBool::new(false)) {
        Err(failure) => failure,
        Ok(_) => panic!("the bomb went off in every run of strategy 1"),
    };
    assert_eq!(failure.exit_code(), 4);
    let Failure::Strategy(message) = &failure else { panic!("{failure}") };
    assert!(message.contains("strategy \"plugged\" (plugged-in \"bomb\") failed"), "{message}");
    assert!(message.contains("bomb went off on day 30"), "{message}");
    assert!(message.contains("--resume"), "{message}");
    // The base strategy's finished runs are in the log; none of the failed ones.
    let log = echelon::runlog::read(&out.join("runs.jsonl")).unwrap();
    assert!(!log.records.is_empty());
    assert!(log.records.iter().all(|r| r.strategy == 0));
}

/// Two SKUs ordering 10 units every day (cheap: worth 100, dear: worth
/// 1,000), every order above the threshold, one planner place a day, 2-hour
/// approvals.
fn governed(queue: &str) -> String {
    format!(
        r#"Scenario(
    name: "governed",
    experiment: (horizon_days: 60, warmup_days: 10, replications: 1, seed: 4),
    skus: [(id: "cheap", unit_cost: 10.0, price: 15.0), (id: "dear", unit_cost: 100.0, price: 150.0)],
    suppliers: [(id: "s")],
    locations: [(id: "wh")],
    lanes: [(from: "s", to: "wh", lead_time: Constant(days: 2.0))],
    demand: [(location: "wh", sku: "cheap", model: Constant(quantity: 10.0)),
             (location: "wh", sku: "dear", model: Constant(quantity: 10.0))],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(40)))],
    governance: Some((approval_above: 50.0, approvals_per_day: 1, working_hours: (start: 8.0, end: 17.0),
                      approval_delay: Constant(hours: 2.0), queue: {queue})),
)
"#
    )
}

/// Dearest decision first (above `min_value`, else oldest first).
#[derive(Debug)]
struct DearestFirst {
    min_value: f64,
}

impl echelon::sim::governance::ApprovalOrdering for DearestFirst {
    fn compare(
        &self,
        a: &echelon::sim::governance::Queued,
        b: &echelon::sim::governance::Queued,
    ) -> std::cmp::Ordering {
        let rank = |q: &echelon::sim::governance::Queued| if q.value > self.min_value { q.value } else { 0.0 };
        rank(b).total_cmp(&rank(a))
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DearestParams {
    min_value: f64,
}

fn governed_registry() -> Arc<Registry> {
    let mut registry = Registry::bundled();
    registry.register_approval_order("dearest-first", "the dearest decision first", |params| {
        let p: DearestParams = params.deserialize()?;
        if !(p.min_value.is_finite() && p.min_value >= 0.0) {
            return Err(SpecError::new("min_value", "must be a finite value ≥ 0"));
        }
        Ok(DearestFirst { min_value: p.min_value })
    });
    Arc::new(registry)
}

/// By hand: each day end both SKUs order 10 units and both orders wait
/// (values 100 and 1,000 > 50); the planners take one a day, at 8:00,
/// released at 10:00. Dearest first, the dear SKU's order of the previous
/// evening wins every morning: each of the 50 measured days releases one
/// decision with latency 600 minutes, and the cheap orders pile up
/// unreleased. First in, first out, the queue's oldest goes first: two
/// decisions arrive a day and one leaves, so the latencies grow day by day
/// and never repeat 600 fifty times.
#[test]
fn a_plugged_in_approval_order_ranks_the_planners_queue() {
    use echelon::sim::engine;
    let registry = governed_registry();
    let dir = tempfile::tempdir().unwrap();
    let load = |queue: &str| {
        let path = scenario_file(dir.path(), &governed(queue));
        echelon::scenario::Scenario::load_in(&path, Default::default(), &registry).unwrap_or_else(|e| panic!("{e}"))
    };
    let traced = |scenario: &echelon::scenario::Scenario| {
        let allocation = scenario.allocation(0);
        engine::simulate_traced(&scenario.model, 0, scenario.policies(0, &*allocation)).1
    };
    let custom = load(r#"Custom(name: "dearest-first", params: {"min_value": 0.0})"#);
    assert!(format!("{:?}", custom.model.governance.as_ref().unwrap().order).contains("DearestFirst"));
    let trace = traced(&custom);
    assert_eq!(trace.approvals, vec![1; 50]);
    assert!(trace.latency.contains(&(600, 50)), "{:?}", trace.latency);
    let fifo = traced(&load("Fifo"));
    assert_eq!(fifo.approvals, vec![1; 50]);
    assert!(!fifo.latency.iter().any(|&(v, n)| v == 600 && n > 1), "{:?}", fifo.latency);
    // An unknown name and bad params are located input errors.
    let err = load_error(&governed(r#"Custom(name: "dearest", params: {})"#), &registry);
    assert!(
        err.contains(
            "governance.queue.name: no approval_order strategy \"dearest\" is registered; registered: \"dearest-first\""
        ),
        "{err}"
    );
    let err = load_error(&governed(r#"Custom(name: "dearest-first", params: {"min_value": -1.0})"#), &registry);
    assert!(err.contains("governance.queue.params.min_value: must be a finite value ≥ 0"), "{err}");
}
