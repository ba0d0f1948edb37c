//! Golden inventory-theory cases (shared/golden/cases.json, copied to
//! tests/data): each case is simulated with N = 100,000 post-warm-up periods
//! and every exact metric must lie within z·sqrt(TAVC/N) of the exact value.

mod common;

use serde_json::Value;

const REPLICATIONS: u32 = 20;
const MEASURED_DAYS: u32 = 5_000;
const WARMUP_DAYS: u32 = 400;

fn cases() -> Vec<Value> {
    let text = include_str!("data/golden_cases.json");
    serde_json::from_str(text).expect("valid cases.json")
}

/// Merges a variant's `changes` into the case parameters.
fn merge(base: &Value, changes: &Value) -> Value {
    match (base, changes) {
        (Value::Object(b), Value::Object(c)) => {
            let mut out = b.clone();
            for (k, v) in c {
                let merged = out.get(k).map_or(v.clone(), |old| merge(old, v));
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (_, c) => c.clone(),
    }
}

/// The scenario text of a case with parameters `p`.
fn scenario_text(p: &Value) -> String {
    let demand = &p["demand"];
    let demand = match demand["distribution"].as_str().unwrap() {
        "poisson" => format!("Poisson(mean: {:?})", demand["mean_per_period"].as_f64().unwrap()),
        "normal" => format!(
            "Normal(mean: {:?}, sd: {:?})",
            demand["mean_per_period"].as_f64().unwrap(),
            demand["sd_per_period"].as_f64().unwrap()
        ),
        other => panic!("demand {other} not mapped"),
    };
    assert_eq!(p["lead_time"]["type"], "constant");
    let lead_time = format!("Constant(days: {:?})", p["lead_time"]["L"].as_f64().unwrap());
    let policy = &p["policy"];
    let level = |key: &str| policy[key].as_f64().unwrap() as i64;
    let review = p["review_period_R"].as_u64().unwrap_or(1);
    let strategy = match policy["type"].as_str().unwrap() {
        t if t.starts_with("base_stock") => {
            format!("PeriodicReview(review_period_days: {review}, order_up_to: Units({}))", level("S"))
        }
        "(s,S)" => format!(
            "MinMax(reorder_point: Units({}), order_up_to: Units({}), review_period_days: {review})",
            level("s"),
            level("S")
        ),
        other => panic!("policy {other} not mapped"),
    };
    let shortage = if p["shortage"].as_str().unwrap().contains("lost") { "LostSales" } else { "Backorder" };
    common::single_location(
        &demand,
        &lead_time,
        shortage,
        &format!("(name: \"policy\", replenishment: {strategy})"),
        &format!(
            "(horizon_days: {}, warmup_days: {WARMUP_DAYS}, replications: {REPLICATIONS}, seed: 20261122)",
            WARMUP_DAYS + MEASURED_DAYS
        ),
    )
}

/// Echelon's value for a golden metric key.
fn simulated(outcome: &echelon::runner::Outcome, key: &str, lost_sales: bool) -> Option<f64> {
    let m = |k| common::mean_metric(outcome, 0, k);
    Some(match key {
        "mean_demand_per_period" => m("demand_mean"),
        "type1_ready_rate_end" => m("ready_rate"),
        "type1_no_stockout_period" => m("cycle_service"),
        "mean_order_quantity_given_order" => m("order_quantity_mean"),
        // Shipped-based turns per period; the exact value is demand-based,
        // equal in the long run with backorders (README of the cases).
        "inventory_turns_per_period" if !lost_sales => m("turns") / 365.0,
        "inventory_turns_per_period" => return None,
        k @ ("fill_rate"
        | "on_hand_end_mean"
        | "on_hand_start_mean"
        | "backorders_end_mean"
        | "net_inventory_end_mean"
        | "order_frequency"
        | "on_order_end_mean"
        | "inventory_position_end_mean"
        | "lost_sales_mean") => m(k),
        other => panic!("golden metric {other} is not mapped"),
    })
}

fn check_case(id: &str, params: &Value, exact: &Value, tolerance: &Value) {
    let scenario = common::scenario_from_text(&format!("{id}.ron"), &scenario_text(params));
    let outcome = common::run(&scenario, 2);
    common::assert_conservation(&outcome);
    let lost_sales = params["shortage"].as_str().unwrap().contains("lost");
    let n = f64::from(REPLICATIONS * MEASURED_DAYS);
    let z = tolerance["z"].as_f64().unwrap();
    let mut failures = Vec::new();
    for (key, exact_value) in exact.as_object().unwrap() {
        let Some(got) = simulated(&outcome, key, lost_sales) else { continue };
        let tavc = tolerance["tavc"][key].as_f64().unwrap();
        let floor = tolerance["abs_tolerance_at_reference_N"][key].as_f64().unwrap_or(1e-6);
        let allowed = (z * (tavc / n).sqrt()).max(if tavc == 0.0 { floor } else { 0.0 });
        let want = exact_value.as_f64().unwrap();
        if (got - want).abs() > allowed {
            failures.push(format!("{key}: simulated {got:.6}, exact {want:.6}, allowed ±{allowed:.6}"));
        }
    }
    if lost_sales {
        // Shipped-based turns against (mean demand − lost) ÷ on-hand.
        let want = (exact["mean_demand_per_period"].as_f64().unwrap() - exact["lost_sales_mean"].as_f64().unwrap())
            / exact["on_hand_end_mean"].as_f64().unwrap();
        let got = common::mean_metric(&outcome, 0, "turns") / 365.0;
        let allowed = z * (tolerance["tavc"]["inventory_turns_per_period"].as_f64().unwrap() / n).sqrt();
        if (got - want).abs() > allowed {
            failures.push(format!("shipped turns: simulated {got:.6}, expected {want:.6}, allowed ±{allowed:.6}"));
        }
    }
    assert!(failures.is_empty(), "{id}:\n  {}", failures.join("\n  "));
}

fn run_case(id: &str) {
    let cases = cases();
    let case = cases.iter().find(|c| c["id"].as_str().unwrap().starts_with(id)).expect("case present");
    check_case(id, &case["parameters"], &case["exact_metrics"], &case["tolerance"]);
    for variant in case["variants"].as_array().into_iter().flatten() {
        let params = merge(&case["parameters"], &variant["changes"]);
        let name = format!("{id}/{}", variant["name"].as_str().unwrap());
        check_case(&name, &params, &variant["exact_metrics"], &case["tolerance"]);
    }
}

#[test]
fn c01_periodic_base_stock_poisson_lead_time_2() {
    run_case("C01");
}

#[test]
fn c02_periodic_base_stock_normal_lead_time_2() {
    run_case("C02");
}

#[test]
fn c06_periodic_min_max_poisson_lead_time_0() {
    run_case("C06");
}

#[test]
fn c10_periodic_base_stock_lost_sales() {
    run_case("C10");
}

#[test]
fn bundled_golden_scenarios_match_the_case_parameters() {
    // The files in scenarios/golden/ are what users run; they must describe
    // the same systems as the cases.
    for (file, policy) in [
        ("C01", "BaseStock(order_up_to: Units(15))"),
        ("C02", "BaseStock(order_up_to: Units(350))"),
        ("C06", "MinMax(reorder_point: Units(4), order_up_to: Units(15))"),
        ("C10", "BaseStock(order_up_to: Units(16))"),
    ] {
        let s = common::bundled(&format!("scenarios/golden/{file}.ron"));
        assert!(s.source.contains(policy), "{file}");
        assert_eq!(s.model.experiment.measured_days() * s.model.experiment.replications, 100_000);
    }
}
