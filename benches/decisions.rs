//! Decision compute cost per strategy: one node of 10,000 SKUs, every
//! strategy of the catalogue built from its example (and the forecast-driven
//! one with each forecasting method), one day end — the
//! forecast update (`observe`) where the strategy learns from demand, then
//! `decide` — per SKU. Criterion's throughput is SKU decisions per second;
//! ns per SKU decision is its inverse.
//!
//! Run: `cargo bench --bench decisions`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use echelon::sim::strategy::NodeView;
use echelon::strategies::level::NodeContext;
use echelon::strategies::registry::{CATALOGUE, ReplenishmentSpec, build_replenishment};
use std::hint::black_box;

const SKUS: usize = 10_000;

fn decisions(c: &mut Criterion) {
    let ids: Vec<String> = (0..SKUS).map(|i| format!("sku-{i}")).collect();
    let means: Vec<f64> = (0..SKUS).map(|i| 0.5 + (i % 40) as f64).collect();
    let ctx = NodeContext {
        node: "wh",
        sku_ids: ids.iter().map(String::as_str).collect(),
        mean_daily_demand: means.clone(),
        own_mean_daily_demand: means.clone(),
        lead_time_days: 3.0,
    };
    let on_hand: Vec<i64> = means.iter().map(|m| (m * 2.0) as i64).collect();
    let zeros = vec![0i64; SKUS];
    let on_order: Vec<i64> = means.iter().map(|m| (m * 3.0) as i64).collect();
    let demand: Vec<i64> = (0..SKUS).map(|i| (i * 7 % 23) as i64).collect();
    let view = NodeView {
        day: 10,
        on_hand: &on_hand,
        backorders: &zeros,
        owed: &zeros,
        on_order: &on_order,
        echelon_position: &on_hand,
        demand: &demand,
        forecast_available: true,
        data_delay: 0,
    };
    let mut group = c.benchmark_group("decisions-per-sku");
    group.throughput(Throughput::Elements(SKUS as u64));
    let mut orders = vec![0i64; SKUS];
    // The catalogue's examples, and the forecast-driven policy with each method.
    let mut examples: Vec<(String, &str)> = CATALOGUE.iter().map(|i| (i.name.to_string(), i.example)).collect();
    examples.extend([
        (
            "ForecastOrderUpTo/Holt".into(),
            "ForecastOrderUpTo(forecast: Holt(alpha: 0.2, beta: 0.1), service_target: 0.95)",
        ),
        ("ForecastOrderUpTo/Croston".into(), "ForecastOrderUpTo(forecast: Croston(alpha: 0.1), service_target: 0.95)"),
        ("ForecastOrderUpTo/Sba".into(), "ForecastOrderUpTo(forecast: Sba(alpha: 0.1), service_target: 0.95)"),
    ]);
    for (name, example) in examples {
        let spec: ReplenishmentSpec = ron::from_str(example).expect("examples parse");
        let mut strategy = build_replenishment(&spec, &ctx).expect("examples build");
        group.bench_function(name, |b| {
            b.iter(|| {
                if strategy.capabilities().observes_demand {
                    strategy.observe(black_box(&view));
                }
                strategy.decide(black_box(&view), &mut orders);
                black_box(&orders);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, decisions);
criterion_main!(benches);
