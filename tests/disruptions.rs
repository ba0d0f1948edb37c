//! Disruptions: hand-worked timelines for each event kind, and conservation
//! of units under every kind and every in-transit rule, for daily and
//! event-driven demand.

mod common;

use echelon::sim::metrics::metric_index;

/// One store, constant demand of 2 a day, base stock S, constant lead time,
/// 30 days, no warm-up, with the given events.
fn steady_store(lead_days: f64, order_up_to: i64, events: &str) -> String {
    let text = common::single_location(
        "Constant(quantity: 2.0)",
        &format!("Constant(days: {lead_days})"),
        "Backorder",
        &format!("(name: \"bs\", replenishment: BaseStock(order_up_to: Units({order_up_to})))"),
        "(horizon_days: 30, warmup_days: 0, replications: 1, seed: 1)",
    );
    text.replacen("strategies:", &format!("events: [{events}],\n    strategies:"), 1)
}

fn run_one(name: &str, text: &str) -> (echelon::runner::Outcome, f64, f64) {
    let outcome = common::run(&common::scenario_from_text(name, text), 1);
    common::assert_conservation(&outcome);
    let fill = common::mean_metric(&outcome, 0, "fill_rate");
    let demand = common::mean_metric(&outcome, 0, "demand_mean");
    (outcome, fill, demand)
}

#[test]
fn undisrupted_steady_store_never_runs_short() {
    let (_, fill, demand) = run_one("steady.ron", &steady_store(1.0, 4, ""));
    assert_eq!(fill, 1.0);
    assert_eq!(demand, 2.0);
}

/// Lead time 1 day, S = 4: each morning receives the 2 units ordered two
/// evenings before. Outage days 10–14: the orders of the evenings of days
/// 9–13 (released at the starts of days 10–14) wait until the start of day
/// 15, as does nothing else; they arrive with the order of day 14's evening
/// on the morning of day 16. Days 11–15 receive nothing: 5 days × 2 units
/// short of 60 demanded.
#[test]
fn supplier_outage_holds_orders_until_it_ends() {
    let outage = r#"(name: "outage", start_day: 10, days: 5, kind: SupplierOutage(supplier: "supplier"))"#;
    let (_, fill, _) = run_one("outage.ron", &steady_store(1.0, 4, outage));
    assert_eq!(fill, 50.0 / 60.0);
}

/// Lead time 2 days, S = 6. Outage days 10–11 (minutes 14400–17279).
/// In transit at its start: the order released at minute 12960 (due 15840).
/// Continue: it arrives on day 11 as planned. Lose: written off. Delay:
/// due 15840 + 2880 = 18720, received on day 13.
#[test]
fn goods_in_transit_continue_are_delayed_or_lost_as_configured() {
    let event = |rule: &str| {
        format!(r#"(start_day: 10, days: 2, kind: SupplierOutage(supplier: "supplier", in_transit: {rule}))"#)
    };
    let (cont, fill_continue, _) = run_one("continue.ron", &steady_store(2.0, 6, &event("Continue")));
    let (lose, fill_lose, _) = run_one("lose.ron", &steady_store(2.0, 6, &event("Lose")));
    let (delay, fill_delay, _) = run_one("delay.ron", &steady_store(2.0, 6, &event("Delay")));
    assert_eq!(cont.balances[0][0].lost_in_transit, 0);
    assert_eq!(lose.balances[0][0].lost_in_transit, 2);
    assert_eq!(delay.balances[0][0].lost_in_transit, 0);
    // Held orders (released at the starts of days 10 and 11) depart at the
    // start of day 12 and arrive on day 14: days 12–13 get no receipts.
    // Continue: day 11 still receives, so 2 days short = 4 units.
    assert_eq!(fill_continue, 56.0 / 60.0);
    // Delay: day 11's receipt comes on day 13 with the held ones on day 14:
    // days 11, 12 and 13 short before it lands: 6 units.
    assert_eq!(fill_delay, 54.0 / 60.0);
    // Lose: the 2 units never come; base stock learns of the loss on day
    // 11's morning and reorders them that evening (minute 17280, after the
    // outage), due on day 14 with the held ones: short on days 11–13 = 6.
    assert_eq!(fill_lose, 54.0 / 60.0);
}

/// Demand 2 a day × 1.5 on days 5–8 = 3 a day: 4 × 1 extra unit over 30 days.
#[test]
fn demand_shock_scales_demand_over_its_window_only() {
    let shock = r#"(start_day: 5, days: 4, kind: DemandShock(multiplier: 1.5))"#;
    let (_, _, demand) = run_one("shock.ron", &steady_store(1.0, 4, shock));
    assert_eq!(demand, 64.0 / 30.0);
}

/// Lead time 1 day doubled to 2 for departures on days 11–13: the orders of
/// the evenings of days 10–12 arrive on days 13, 14, 15 instead of 12, 13,
/// 14, and day 13's order also lands on day 15. Day 12 gets nothing; the
/// backorder it creates eats each later receipt until day 15's double one,
/// so days 12, 13 and 14 each run 2 units short.
#[test]
fn lead_time_inflation_stretches_departures_in_its_window() {
    let slow = r#"(start_day: 11, days: 3, kind: LeadTimeInflation(supplier: "supplier", multiplier: 2.0))"#;
    let (_, fill, _) = run_one("slow.ron", &steady_store(1.0, 4, slow));
    assert_eq!(fill, 54.0 / 60.0);
}

#[test]
fn units_are_conserved_under_every_event_kind_and_demand_mode() {
    let events = r#"
        (name: "out-continue", start_day: 40, days: 10, kind: SupplierOutage(supplier: "supplier")),
        (name: "out-delay", start_day: 90, days: 7, kind: SupplierOutage(supplier: "supplier", in_transit: Delay)),
        (name: "out-lose", start_day: 150, days: 5, kind: SupplierOutage(supplier: "supplier", in_transit: Lose)),
        (name: "slow", start_day: 60, days: 30, kind: LeadTimeInflation(supplier: "supplier", location: "store", multiplier: 3.0)),
        (name: "spike", start_day: 100, days: 20, kind: DemandShock(location: "store", multiplier: 2.5)),
        (name: "slump", start_day: 200, kind: DemandShock(multiplier: 0.5)),
    "#;
    for (i, demand) in
        ["Poisson(mean: 6.0)", "Orders(rate_per_day: 3.0, size: Geometric(mean: 2.0))"].iter().enumerate()
    {
        for lead_time in ["Constant(days: 3.0)", "Gamma(mean_days: 3.0, sd_days: 1.5)"] {
            let text = common::single_location(
                demand,
                lead_time,
                "Backorder",
                r#"(name: "mm", replenishment: MinMax(reorder_point: Units(20), order_up_to: Units(40)))"#,
                "(horizon_days: 300, warmup_days: 10, replications: 4, seed: 5)",
            )
            .replacen("strategies:", &format!("events: [{events}],\n    strategies:"), 1);
            let outcome = common::run(&common::scenario_from_text(&format!("events{i}.ron"), &text), 2);
            common::assert_conservation(&outcome);
            let lost: i64 = outcome.balances.iter().map(|b| b[0].lost_in_transit).sum();
            assert!(lost > 0, "demand {demand}, lead time {lead_time}: the Lose outage lost nothing");
            let fill = metric_index("fill_rate").unwrap();
            assert!(outcome.records.iter().all(|r| r.network[fill] < 1.0));
        }
    }
}

/// The Lose case above: the 2 units in transit when the outage begins are
/// written off on day 11 (unit cost 1.0), over 30 measured days. They were
/// not reported anywhere but the unit balance, nor costed.
#[test]
fn lost_in_transit_units_and_cost_are_reported_and_join_total_cost() {
    let event = r#"(start_day: 10, days: 2, kind: SupplierOutage(supplier: "supplier", in_transit: Lose))"#;
    let (lose, _, _) = run_one("lose.ron", &steady_store(2.0, 6, event));
    let metric = |key: &str| common::mean_metric(&lose, 0, key);
    assert_eq!(metric("lost_in_transit_mean"), 2.0 / 30.0);
    assert_eq!(metric("lost_in_transit_cost"), 2.0 * 1.0 / 30.0);
    let others: f64 =
        ["holding_cost", "ordering_cost", "transport_cost", "shortage_cost", "expedite_cost", "transfer_cost"]
            .iter()
            .map(|k| metric(k))
            .sum();
    assert!((metric("total_cost") - others - 2.0 / 30.0).abs() < 1e-12);
    let (cont, _, _) = run_one("continue.ron", &steady_store(2.0, 6, &event.replace("Lose", "Continue")));
    assert_eq!(common::mean_metric(&cont, 0, "lost_in_transit_mean"), 0.0);
}

/// Constant demand of 10, lead time 5 days, base stock 60 = 10 × (5 + 1):
/// on-hand is 10 each morning after the receipt, never short. A supplier
/// outage on days 10–13 with goods in transit continuing: the orders of
/// the evenings of days 9–12 (released at the starts of days 10–13) wait
/// until the start of day 14 and land on day 19 with day 13's. Days 15–18
/// receive nothing: 4 × 10 units short, from one lead time after the start.
/// The 7-day fill rate is below the pre-event level (1.0) from day 15 and
/// back on day 25 (days 19–25 clean). The old rule measured from the last
/// outage day (13), saw service intact and reported 0 short, 0 days.
#[test]
fn lagged_outage_impact_is_counted() {
    let text = common::single_location(
        "Constant(quantity: 10.0)",
        "Constant(days: 5.0)",
        "Backorder",
        r#"(name: "bs", replenishment: BaseStock(order_up_to: Units(60)))"#,
        "(horizon_days: 40, warmup_days: 0, replications: 1, seed: 1)",
    )
    .replacen(
        "strategies:",
        r#"events: [(name: "outage", start_day: 10, days: 4, kind: SupplierOutage(supplier: "supplier", in_transit: Continue))],
    strategies:"#,
        1,
    );
    let (outcome, fill, _) = run_one("lagged.ron", &text);
    assert_eq!(fill, 360.0 / 400.0);
    let impact = outcome.records[0].events[0];
    assert_eq!(impact.units_short, 40.0);
    assert_eq!(impact.time_to_impact_days, 5.0);
    assert_eq!(impact.recovery_days, 25.0 - 15.0);
}

/// A random outage's down periods are event windows of each run: named
/// `<name>#<k>`, measured like timed events, in `runs.jsonl`'s records,
/// aggregated per outage in `summary.json` (windows per replication, mean
/// per window) and shown in `trace.json`; before, they appeared nowhere.
#[test]
fn random_outages_are_reported_as_event_windows() {
    let text = common::single_location(
        "Poisson(mean: 10.0)",
        "Constant(days: 3.0)",
        "Backorder",
        r#"(name: "bs", replenishment: BaseStock(order_up_to: Units(45)))"#,
        "(horizon_days: 400, warmup_days: 20, replications: 3, seed: 9)",
    )
    .replacen(
        "strategies:",
        r#"random_outages: [(name: "flaky", from: "supplier", mean_up_days: 40.0, mean_down_days: 5.0, in_transit: Continue)],
    strategies:"#,
        1,
    );
    let scenario = common::scenario_from_text("flaky.ron", &text);
    let outcome = common::run(&scenario, 1);
    common::assert_conservation(&outcome);
    for (r, record) in outcome.records.iter().enumerate() {
        let timeline = echelon::sim::disruption::Timeline::new(&scenario.model, u64::from(record.replication));
        let windows: Vec<_> = timeline.random_windows().map(|(_, d)| d.clone()).collect();
        assert!(windows.len() > 3, "run {r}: {} windows", windows.len());
        assert_eq!(record.random_events.len(), windows.len());
        for (k, (w, d)) in record.random_events.iter().zip(&windows).enumerate() {
            assert_eq!((w.outage, w.window, w.start_day, w.end_day), (0, k as u32 + 1, d.start_day, d.end_day));
            assert_eq!(d.name, format!("flaky#{}", k + 1));
        }
        assert!(record.random_events.iter().any(|w| w.impact.units_short > 0.0), "run {r}: no window hurt");
    }
    let study = echelon::study::Study::new(scenario.clone()).unwrap();
    let info = study.info();
    assert_eq!(info.random_outages, ["flaky"]);
    let stats = echelon::reports::summary::compute(&info, &outcome.records);
    let summary = echelon::reports::summary::to_json(&info, &stats);
    let flaky = &summary["points"][0]["strategies"][0]["random_outages"]["flaky"];
    let counts: Vec<f64> = outcome.records.iter().map(|r| r.random_events.len() as f64).collect();
    assert_eq!(flaky["windows"]["mean"].as_f64().unwrap(), counts.iter().sum::<f64>() / 3.0);
    assert_eq!(flaky["units_short"]["n"], 3);
    let trace = echelon::runner::representative(&study, &outcome.traces).unwrap();
    let names: Vec<&str> = trace.events.iter().map(|w| w.name.as_str()).collect();
    assert!(names.len() > 3 && names.iter().enumerate().all(|(k, n)| *n == format!("flaky#{}", k + 1)), "{names:?}");
    assert_eq!(trace.strategies[0].events.len(), names.len());
}
