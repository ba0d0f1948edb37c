//! The planner's scorecard metrics on hand-worked runs: constant demand,
//! constant lead times, so every figure follows from the daily cycle by
//! hand (README, "Metrics").

mod common;

use echelon::sim::engine::{self, RunOutput};
use echelon::sim::metrics::{CLASS_METRICS, LANE_METRICS, metric_index};

fn simulate(text: &str) -> RunOutput {
    let scenario = common::scenario_from_text("scorecard.ron", text);
    let allocation = scenario.allocation(0);
    engine::simulate(&scenario.model, 0, scenario.policies(0, &*allocation))
}

fn metric(output: &RunOutput, key: &str) -> f64 {
    output.network[metric_index(key).unwrap_or_else(|| panic!("unknown metric {key}"))]
}

fn class_metric(output: &RunOutput, class: usize, key: &str) -> f64 {
    output.classes[class][CLASS_METRICS.iter().position(|m| m.key == key).unwrap()]
}

/// One store, demand 10 a day, (R,S) with R = 5 and S = 30 over a
/// next-morning lane (L = 0), unit cost 2, holding rate 36.5 % a year.
fn periodic(ownership: &str, scorecard: &str) -> String {
    format!(
        r#"Scenario(
    name: "periodic",
    experiment: (horizon_days: 26, warmup_days: 6, replications: 1, seed: 1),
    skus: [(id: "item", unit_cost: 2.0, holding_rate: 0.365)],
    classes: [(name: "customers", sla_days: 1.0)],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 0.0){ownership})],
    demand: [(location: "store", sku: "item", model: Constant(quantity: 10.0))],
    strategies: [(name: "rs", replenishment: PeriodicReview(review_period_days: 5, order_up_to: Units(30)))],
    {scorecard}
)"#
    )
}

/// By hand. Reviews at the ends of days 0, 5, 10, …; from day 5 on each
/// review sees IP = −20 and orders 50, received the next morning. A cycle
/// of days 6–10: day 6 receives 50, clears the 20 backordered, serves 10
/// (end 20); day 7 ends with 10, day 8 with 0; days 9 and 10 serve
/// nothing (10 backordered each). Measured days 6–25 are four such
/// cycles: 8 stock-out days of 20, in 4 runs of 2 days (the last, days
/// 24–25, still going at the horizon); 20 order lines, 12 complete from
/// stock; of the 8 backordered, the day-10, 15 and 20 lines are served
/// the next morning (1 day ≤ SLA), the day-9, 14, 19 ones after 2 days
/// (late) and the day-24 and 25 ones never.
#[test]
fn stockout_runs_lines_and_otif_are_counted_by_hand() {
    let output = simulate(&periodic("", ""));
    assert_eq!(metric(&output, "stockout_frequency"), 0.4);
    assert_eq!(metric(&output, "cycle_service"), 0.6);
    assert_eq!(metric(&output, "stockout_duration_mean_days"), 2.0);
    assert_eq!(metric(&output, "stockout_duration_p95_days"), 2.0);
    assert_eq!(metric(&output, "line_fill_rate"), 12.0 / 20.0);
    assert_eq!(metric(&output, "otif"), 15.0 / 20.0);
    assert_eq!(class_metric(&output, 0, "line_fill_rate"), 12.0 / 20.0);
    assert_eq!(class_metric(&output, 0, "otif"), 15.0 / 20.0);
    // No governance: every one of the 4 measured orders is touchless.
    assert_eq!(metric(&output, "touchless_rate"), 1.0);
    assert_eq!(metric(&output, "exceptions_per_day"), 0.0);
    // 4 orders of 50 units at unit cost 2 over 20 days.
    assert_eq!(metric(&output, "purchase_cost"), 4.0 * 50.0 * 2.0 / 20.0);
    // Next-morning lane: every shipment leaves at a day end and is
    // received at the next day start, the same minute.
    assert_eq!(metric(&output, "lead_time_mean_days"), 0.0);
    assert_eq!(metric(&output, "lead_time_var_days2"), 0.0);
    assert!(metric(&output, "transfer_cycle_time_days").is_nan(), "no transfers");
    assert!(metric(&output, "forecast_mape").is_nan(), "the policy does not forecast");
    assert!(metric(&output, "inventory_imbalance").is_nan(), "one location");
}

/// Day-end on-hand per cycle 20, 10, 0, 0, 0: Σ 30, four cycles, 120
/// unit-days over 20 days = 6 units = 12 at cost. Cover 1 day = 10
/// units: only day 6 of each cycle has excess, 10 units: 40 unit-days =
/// 2 units = 4 at cost. Ownership at dispatch: the 50 units ordered at
/// the ends of days 10, 15, 20, 25 are in transit at those day ends, 200
/// unit-days = 10 units = 20 more working capital, and 200 × 2 × 0.365 ÷
/// 365 ÷ 20 = 0.02 a day of holding cost in transit.
#[test]
fn working_capital_excess_and_in_transit_holding_by_hand() {
    let receipt = simulate(&periodic("", "scorecard: Some((excess_cover_days: 1.0)),"));
    assert_eq!(metric(&receipt, "working_capital"), 12.0);
    assert_eq!(metric(&receipt, "excess_stock_value"), 4.0);
    assert_eq!(metric(&receipt, "in_transit_holding_cost"), 0.0);
    let dispatch = simulate(&periodic(", ownership: Dispatch", "scorecard: Some((excess_cover_days: 1.0)),"));
    assert_eq!(metric(&dispatch, "working_capital"), 32.0);
    assert!((metric(&dispatch, "in_transit_holding_cost") - 0.02).abs() < 1e-12);
    let extra = metric(&dispatch, "holding_cost") - metric(&receipt, "holding_cost");
    assert!((extra - 0.02).abs() < 1e-12, "in-transit holding is part of holding_cost: {extra}");
    // The default cover is 90 days: 900 units, never reached.
    assert_eq!(metric(&simulate(&periodic("", "")), "excess_stock_value"), 0.0);
}

/// Two SKUs worth 10 and 1 per unit, 10 a day each, base stock 40 over
/// 2 days: every day end each orders 10 units, worth 100 and 10. Above
/// 50, the first waits for approval; the second is released at once.
#[test]
fn touchless_rate_and_exceptions_count_decisions_by_their_route() {
    let text = r#"Scenario(
    name: "governed",
    experiment: (horizon_days: 60, warmup_days: 10, replications: 1, seed: 4),
    skus: [(id: "dear", unit_cost: 10.0, price: 15.0), (id: "cheap", unit_cost: 1.0, price: 1.5)],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 2.0))],
    demand: [(location: "store", sku: "dear", model: Constant(quantity: 10.0)),
             (location: "store", sku: "cheap", model: Constant(quantity: 10.0))],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(40)))],
    governance: Some((approval_above: 50.0, approvals_per_day: 5, working_hours: (start: 8.0, end: 17.0),
                      approval_delay: Constant(hours: 2.0))),
)"#;
    let output = simulate(text);
    assert_eq!(metric(&output, "touchless_rate"), 0.5);
    assert_eq!(metric(&output, "exceptions_per_day"), 1.0);
}

/// Two stores, 10 a day each, base stock over 2 days: S = 40 at "a" and
/// 60 at "b" end every day with 10 and 30 on hand (S − 30 in transit):
/// 1 and 3 days of cover, standard deviation 1 day every measured day.
#[test]
fn inventory_imbalance_is_the_spread_of_days_of_cover() {
    let output = simulate(&two_stores("", ""));
    assert!((metric(&output, "inventory_imbalance") - 1.0).abs() < 1e-12);
    assert!(output.nodes.iter().all(|n| n[metric_index("inventory_imbalance").unwrap()].is_nan()));
    assert_eq!(metric(&output, "lead_time_mean_days"), 2.0);
    assert_eq!(metric(&output, "lead_time_var_days2"), 0.0);
}

/// A transfer released at a day end over a 1-day lateral lane is received
/// at the start of the day after next: 1 day later.
#[test]
fn transfer_cycle_time_runs_from_release_to_receipt() {
    let lateral = r#", (from: "b", to: "a", lead_time: Constant(days: 1.0), cost_per_unit: 0.01, lateral: true)"#;
    let output = simulate(&two_stores(lateral, ", transfers: (below_days: 2.0, above_days: 2.5)"));
    assert!(metric(&output, "transfer_cost") > 0.0, "transfers happened");
    assert_eq!(metric(&output, "transfer_cycle_time_days"), 1.0);
    // The supplier lanes' lead times are unchanged by the transfers.
    assert_eq!(metric(&output, "lead_time_mean_days"), 2.0);
}

/// A chain supplier → dc (3 days) → store (1 day), demand 10 a day,
/// daily base stock (the dc never runs short: 60 units, 30 on the way):
/// every measured day each lane delivers one shipment, which left 3 and 1
/// days before. Per lane the lead time is constant, variance 0; the
/// network's figure pools both lanes — mean (3 + 1) ÷ 2 = 2 days, variance
/// 1 day² (every shipment 1 day from the mean) — which is why a planner
/// reads it per lane. `summary.json` carries the lane figures, keyed
/// `<from>-><to>`.
#[test]
fn realised_lead_time_is_measured_per_lane() {
    let text = r#"Scenario(
    name: "chain",
    experiment: (horizon_days: 40, warmup_days: 10, replications: 1, seed: 5),
    skus: [(id: "item", unit_cost: 1.0)],
    suppliers: [(id: "supplier")],
    locations: [(id: "dc"), (id: "store")],
    lanes: [(from: "supplier", to: "dc", lead_time: Constant(days: 3.0)),
            (from: "dc", to: "store", lead_time: Constant(days: 1.0))],
    demand: [(location: "store", sku: "item", model: Constant(quantity: 10.0))],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(30)),
                  at: {"dc": BaseStock(order_up_to: Units(60))})],
)"#;
    let output = simulate(text);
    let lane = |l: usize, key: &str| output.lanes[l][LANE_METRICS.iter().position(|m| m.key == key).unwrap()];
    assert_eq!([lane(0, "lead_time_mean_days"), lane(1, "lead_time_mean_days")], [3.0, 1.0]);
    assert_eq!([lane(0, "lead_time_var_days2"), lane(1, "lead_time_var_days2")], [0.0, 0.0]);
    assert_eq!([lane(0, "shipments_per_day"), lane(1, "shipments_per_day")], [1.0, 1.0]);
    assert_eq!(metric(&output, "lead_time_mean_days"), 2.0);
    assert_eq!(metric(&output, "lead_time_var_days2"), 1.0);
    let at = |node: usize| output.nodes[node][metric_index("lead_time_mean_days").unwrap()];
    assert_eq!([at(0), at(1)], [3.0, 1.0], "per receiving location");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chain.ron");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let run = echelon(&["run".as_ref(), "--quiet".as_ref(), "--out".as_ref(), out.as_os_str(), file.as_os_str()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let lanes = &summary["points"][0]["strategies"][0]["lanes"];
    assert_eq!(lanes["supplier->dc"]["lead_time_mean_days"]["mean"], 3.0);
    assert_eq!(lanes["dc->store"]["lead_time_mean_days"]["mean"], 1.0);
    assert_eq!(lanes["dc->store"]["shipments_per_day"]["mean"], 1.0);
}

fn two_stores(lateral: &str, transfers: &str) -> String {
    format!(
        r#"Scenario(
    name: "two",
    experiment: (horizon_days: 40, warmup_days: 10, replications: 1, seed: 2),
    skus: [(id: "item", unit_cost: 1.0)],
    suppliers: [(id: "supplier")],
    locations: [(id: "a"), (id: "b")],
    lanes: [(from: "supplier", to: "a", lead_time: Constant(days: 2.0), cost_per_unit: 0.1),
            (from: "supplier", to: "b", lead_time: Constant(days: 2.0), cost_per_unit: 0.1){lateral}],
    demand: [(location: "a", sku: "item", model: Constant(quantity: 10.0)),
             (location: "b", sku: "item", model: Constant(quantity: 10.0))],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(40)),
                  at: {{"b": BaseStock(order_up_to: Units(60))}}{transfers})],
)"#
    )
}

/// SES with α = 0.5 from the mean, 10: demand 10 a day, doubled on days
/// 10 and 11. One-step-ahead errors (forecast − demand): −10 on day 10
/// (forecast 10), −5 on day 11 (15), then +7.5, +3.75, … halving, on days
/// 12–21 (10 terms): Σ|e| = 15 + 15·(1 − 2⁻¹⁰), Σe = −15·2⁻¹⁰, over a
/// measured demand of 17 × 10 + 20 = 190.
#[test]
fn forecast_errors_are_one_step_ahead_against_demand() {
    let text = r#"Scenario(
    name: "forecast",
    experiment: (horizon_days: 22, warmup_days: 5, replications: 1, seed: 3),
    skus: [(id: "item", unit_cost: 1.0)],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 1.0))],
    demand: [(location: "store", sku: "item", model: Constant(quantity: 10.0))],
    events: [(start_day: 10, days: 2, kind: DemandShock(multiplier: 2.0))],
    strategies: [(name: "ses", replenishment: ForecastOrderUpTo(forecast: Ses(alpha: 0.5), service_target: 0.9))],
)"#;
    let output = simulate(text);
    let tail = 1.0 / 1024.0;
    let mape = (15.0 + 15.0 * (1.0 - tail)) / 190.0;
    let bias = -15.0 * tail / 190.0;
    assert!((metric(&output, "forecast_mape") - mape).abs() < 1e-12, "{}", metric(&output, "forecast_mape"));
    assert!((metric(&output, "forecast_bias") - bias).abs() < 1e-12, "{}", metric(&output, "forecast_bias"));
    assert!((output.nodes[0][metric_index("forecast_mape").unwrap()] - mape).abs() < 1e-12);
}

fn echelon(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_echelon")).args(args).output().unwrap()
}

/// The periodic store with per-SKU results on: the SKU's row in
/// `skus.csv` has the hand-worked figures above (fill 12 lines of 20 of
/// 10 units, stock-out days 8 of 20, mean on-hand 6, backorders 10 and
/// 20 at the ends of days 9 and 10 of each cycle: 6, ordered 200 over 20
/// days), and its ABC class (A: the only SKU) the same in `summary.json`.
/// Without per-SKU results neither exists.
#[test]
fn per_sku_results_and_abc_figures_are_written_when_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("periodic.ron");
    std::fs::write(&file, periodic("", "scorecard: Some((per_sku: true)),")).unwrap();
    let out = dir.path().join("out");
    let output = echelon(&["run".as_ref(), "--quiet".as_ref(), "--out".as_ref(), out.as_os_str(), file.as_os_str()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let csv = std::fs::read_to_string(out.join("skus.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "point,strategy,replication,location,sku,fill_rate,stockout_frequency,demand_mean,on_hand_end_mean,\
             backorders_end_mean,inventory_value_end_mean,excess_stock_value,ordered_mean",
            "0,rs,0,store,item,0.6,0.4,10,6,6,12,0,10",
        ]
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let abc = &summary["points"][0]["strategies"][0]["abc"];
    assert_eq!(abc["A"]["fill_rate"]["mean"], 0.6);
    assert_eq!(abc["A"]["ordered_mean"]["mean"], 10.0);
    assert!(abc["B"]["fill_rate"]["mean"].is_null(), "no SKU in class B");
    let log = std::fs::read_to_string(out.join("runs.jsonl")).unwrap();
    assert!(log.contains("\"skus\":[[0.6,0.4,10.0,6.0,6.0,12.0,0.0,10.0]]"), "{log}");

    std::fs::write(&file, periodic("", "")).unwrap();
    let plain = dir.path().join("plain");
    let output = echelon(&["run".as_ref(), "--quiet".as_ref(), "--out".as_ref(), plain.as_os_str(), file.as_os_str()]);
    assert!(output.status.success());
    assert!(!plain.join("skus.csv").exists());
    let summary = std::fs::read_to_string(plain.join("summary.json")).unwrap();
    assert!(!summary.contains("\"abc\""));
}

/// Demand values 80, 15 and 5 a day: A, B, C by the 80/15/5 rule (the
/// SKUs ranked above hold < 80 %, < 95 %, the rest); a scenario's own
/// classes win.
#[test]
fn abc_classes_are_derived_by_demand_value_unless_given() {
    let text = |abc: &str| {
        format!(
            r#"Scenario(
    name: "abc",
    experiment: (horizon_days: 10, warmup_days: 0, replications: 1, seed: 1),
    skus: [(id: "c", unit_cost: 1.0), (id: "a", unit_cost: 8.0), (id: "b", unit_cost: 3.0)],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Constant(days: 1.0))],
    demand: [(location: "store", sku: "c", model: Constant(quantity: 5.0)),
             (location: "store", sku: "a", model: Constant(quantity: 10.0)),
             (location: "store", sku: "b", model: Constant(quantity: 5.0))],
    strategies: [(name: "base", replenishment: BaseStock(order_up_to: Units(40)))],
    scorecard: Some((per_sku: true{abc})),
)"#
        )
    };
    let derived = common::scenario_from_text("abc.ron", &text(""));
    assert_eq!(derived.model.abc_classes(), [2, 0, 1]);
    let given = common::scenario_from_text("abc.ron", &text(r#", abc: {"a": C, "b": C, "c": A}"#));
    assert_eq!(given.model.abc_classes(), [0, 2, 2]);
}

#[test]
fn bad_scorecard_settings_exit_2_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("scorecard: Some((excess_cover_days: -1.0)),", "scorecard.excess_cover_days"),
        (r#"scorecard: Some((abc: {"item": A, "nothing": B})),"#, "scorecard.abc.nothing"),
        (r#"scorecard: Some((abc: {"item": D})),"#, "scorecard"),
    ];
    for (scorecard, path) in cases {
        let file = dir.path().join("bad.ron");
        std::fs::write(&file, periodic("", scorecard)).unwrap();
        let output = echelon(&["validate".as_ref(), file.as_os_str()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{scorecard}: {stderr}");
        assert!(stderr.contains(path) && stderr.contains("bad.ron:"), "{scorecard}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // Every SKU must be named when abc is given.
    let two = periodic("", r#"scorecard: Some((abc: {"item": A})),"#)
        .replace(r#"skus: [(id: "item""#, r#"skus: [(id: "other", unit_cost: 1.0), (id: "item""#);
    let file = dir.path().join("bad.ron");
    std::fs::write(&file, two).unwrap();
    let output = echelon(&["validate".as_ref(), file.as_os_str()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("scorecard.abc") && stderr.contains("\"other\" has no class"), "{stderr}");
}
