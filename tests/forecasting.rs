//! Forecast-driven order-up-to in the engine: the forecasts learn the
//! day's demand, the dynamic safety stock delivers roughly the service it
//! targets, and more service costs more stock.

mod common;

/// Runs `strategies` on one SKU with `demand` scaled by `demand_pattern`.
fn simulate(strategies: &str, demand: &str, demand_pattern: &str) -> echelon::runner::Outcome {
    let text = common::single_location(
        demand,
        "Constant(days: 2.0)",
        "Backorder",
        strategies,
        "(horizon_days: 730, warmup_days: 60, replications: 12, seed: 17)",
    )
    .replace("strategies: [", &format!("demand_pattern: {demand_pattern},\n    strategies: ["));
    let outcome = common::run(&common::scenario_from_text("forecast.ron", &text), 2);
    common::assert_conservation(&outcome);
    outcome
}

#[test]
fn dynamic_safety_stock_serves_about_its_target_on_stationary_demand() {
    // Daily review, lead time 2 days: P = 3 days. With stationary Poisson
    // demand the one-day forecast error is about the demand's own spread,
    // so the share of days without a stock-out should sit near the target
    // (a little above: levels are rounded up and demand is discrete).
    let outcome = simulate(
        r#"(name: "ses-90", replenishment: ForecastOrderUpTo(forecast: Ses(alpha: 0.1), service_target: 0.9)),
           (name: "ses-98", replenishment: ForecastOrderUpTo(forecast: Ses(alpha: 0.1), service_target: 0.98))"#,
        "Poisson(mean: 20.0)",
        "()",
    );
    let low = common::mean_metric(&outcome, 0, "cycle_service");
    let high = common::mean_metric(&outcome, 1, "cycle_service");
    assert!((0.85..=0.97).contains(&low), "target 0.90: cycle service {low}");
    assert!((0.95..=1.0).contains(&high), "target 0.98: cycle service {high}");
    let stock = |s| common::mean_metric(&outcome, s, "on_hand_end_mean");
    assert!(stock(1) > stock(0), "more service needs more stock: {} vs {}", stock(1), stock(0));
}

#[test]
fn holt_keeps_up_with_a_trend_that_ses_lags_behind() {
    // Demand doubles over a year (trend 100% a year): SES's level trails it
    // by about α⁻¹ days of growth, Holt's trend follows it, so Holt serves
    // better at the same target.
    let outcome = simulate(
        r#"(name: "ses", replenishment: ForecastOrderUpTo(forecast: Ses(alpha: 0.05), service_target: 0.95)),
           (name: "holt", replenishment: ForecastOrderUpTo(forecast: Holt(alpha: 0.05, beta: 0.05), service_target: 0.95))"#,
        "Poisson(mean: 20.0)",
        "(trend_per_year: 1.0)",
    );
    let ses = common::mean_metric(&outcome, 0, "cycle_service");
    let holt = common::mean_metric(&outcome, 1, "cycle_service");
    assert!(holt > ses + 0.02, "Holt {holt} vs SES {ses}");
}

#[test]
fn the_fallback_decides_on_exactly_the_forecast_outage_days() {
    // A forecast outage over days 200..230 (all measured): every replication
    // switches once and spends exactly 30 location-days on the fallback; the
    // policy without a fallback never switches.
    let outcome = simulate(
        r#"(name: "with-fallback", replenishment: Fallback(
               primary: ForecastOrderUpTo(forecast: Ses(alpha: 0.1), service_target: 0.95),
               fallback: MinMax(reorder_point: DaysOfCover(3.0), order_up_to: DaysOfCover(6.0)))),
           (name: "forecast-only", replenishment: ForecastOrderUpTo(forecast: Ses(alpha: 0.1), service_target: 0.95))],
    events: [(name: "forecast-down", start_day: 200, days: 30, kind: ForecastOutage())"#,
        "Poisson(mean: 20.0)",
        "()",
    );
    let value = |record: &echelon::reports::record::RunRecord, key: &str| {
        record.network[echelon::sim::metrics::metric_index(key).unwrap()]
    };
    for record in &outcome.records {
        let (switches, days) = (value(record, "fallback_switches"), value(record, "fallback_days"));
        if record.strategy == 0 {
            assert_eq!((switches, days), (1.0, 30.0), "replication {}", record.replication);
            assert!((0.0..=1.0).contains(&value(record, "fallback_fill_rate")));
        } else {
            assert_eq!((switches, days), (0.0, 0.0), "replication {}", record.replication);
            assert!(value(record, "fallback_fill_rate").is_nan());
        }
    }
}
