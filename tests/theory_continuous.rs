//! Continuous-review policies against inventory theory: with unit Poisson
//! customer orders (event-driven demand) and a constant lead time L, the
//! net inventory seen by a demand is IP − Poisson(λL), with IP fixed at S
//! (one-for-one) or uniform on r+1..r+Q ((r,Q)).

mod common;

fn poisson_cdf(lambda: f64, k: i64) -> f64 {
    let mut term = (-lambda).exp();
    let mut sum = 0.0;
    for i in 0..=k {
        if i > 0 {
            term *= lambda / i as f64;
        }
        sum += term;
    }
    sum
}

/// Fill rate of unit demands when the inventory position is uniform on
/// `positions`: P(net inventory > 0) = mean over y of P(Poisson(λL) ≤ y − 1).
fn exact_fill_rate(lambda_lead_time: f64, positions: std::ops::RangeInclusive<i64>) -> f64 {
    let count = positions.clone().count() as f64;
    positions.map(|y| poisson_cdf(lambda_lead_time, y - 1)).sum::<f64>() / count
}

fn simulate(strategy: &str) -> echelon::runner::Outcome {
    let text = common::single_location(
        "Orders(rate_per_day: 4.0, size: Fixed(units: 1.0))",
        "Constant(days: 2.0)",
        "Backorder",
        &format!("(name: \"policy\", replenishment: {strategy})"),
        "(horizon_days: 3100, warmup_days: 100, replications: 20, seed: 99)",
    );
    let outcome = common::run(&common::scenario_from_text("continuous.ron", &text), 2);
    common::assert_conservation(&outcome);
    outcome
}

/// 4 standard errors of the replication mean of `key`.
fn tolerance(outcome: &echelon::runner::Outcome, key: &str) -> f64 {
    let m = echelon::sim::metrics::metric_index(key).unwrap();
    let values: Vec<f64> = outcome.records.iter().map(|r| r.network[m]).collect();
    let e = echelon::reports::stats::Estimate::of(values);
    4.0 * e.sd / (e.n as f64).sqrt()
}

#[test]
fn one_for_one_base_stock_matches_the_poisson_lead_time_demand() {
    let outcome = simulate("OneForOne(base_stock: Units(10))");
    let want = exact_fill_rate(8.0, 10..=10);
    let got = common::mean_metric(&outcome, 0, "fill_rate");
    assert!((got - want).abs() <= tolerance(&outcome, "fill_rate"), "fill {got} vs {want}");
    // The inventory position never leaves S under one-for-one.
    assert_eq!(common::mean_metric(&outcome, 0, "inventory_position_end_mean"), 10.0);
}

#[test]
fn continuous_r_q_matches_the_uniform_position_theory() {
    let outcome =
        simulate("ReorderPointQuantity(reorder_point: Units(6), order_quantity: Units(5), review: Continuous)");
    let want = exact_fill_rate(8.0, 7..=11);
    let got = common::mean_metric(&outcome, 0, "fill_rate");
    assert!((got - want).abs() <= tolerance(&outcome, "fill_rate"), "fill {got} vs {want}");
    // IP uniform on 7..=11 → mean 9.
    let ip = common::mean_metric(&outcome, 0, "inventory_position_end_mean");
    assert!((ip - 9.0).abs() <= tolerance(&outcome, "inventory_position_end_mean").max(0.05), "IP {ip}");
}
