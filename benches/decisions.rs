//! Decision compute cost per strategy: one node of 10,000 SKUs, every
//! strategy of the catalogue built from its example (and the forecast-driven
//! one with each forecasting method), one day end — the
//! forecast update (`observe`) where the strategy learns from demand, then
//! `decide` — per SKU. Criterion's throughput is SKU decisions per second;
//! ns per SKU decision is its inverse. `Custom/up-to` is a plugged-in
//! order-up-to rule registered through [`Registry`], the bundled
//! `BaseStock`'s rule written outside the catalogue: beside `BaseStock` it
//! shows what the registry's one dynamic call per node per review (and its
//! output check) costs per SKU.
//!
//! Run: `cargo bench --bench decisions`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use echelon::sim::strategy::NodeView;
use echelon::sim::strategy::{Replenishment, Review};
use echelon::strategies::level::NodeContext;
use echelon::strategies::registry::{CATALOGUE, Registry, ReplenishmentSpec, SpecError};
use std::hint::black_box;

const SKUS: usize = 10_000;

/// A plugged-in order-up-to rule: every day, order up to `days` of mean
/// demand (what the bundled `BaseStock` computes per SKU).
#[derive(Clone)]
struct UpTo {
    levels: Vec<i64>,
}

impl Replenishment for UpTo {
    fn review(&self) -> Review {
        Review::Periodic { period_days: 1, offset_days: 0 }
    }
    fn reorder_points(&self) -> &[i64] {
        &self.levels
    }
    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.levels[sku]
    }
    fn order_quantity(&self, sku: usize, position: i64) -> i64 {
        (self.levels[sku] - position).max(0)
    }
}

#[derive(serde::Deserialize)]
struct UpToParams {
    days: f64,
}

/// The bundled strategies and `up-to`.
fn registry() -> Registry {
    let mut registry = Registry::bundled();
    registry.register_replenishment("up-to", "order up to `days` of mean demand", |ctx, params| {
        let p: UpToParams = params.deserialize()?;
        if !(p.days.is_finite() && p.days >= 0.0) {
            return Err(SpecError::new("days", "must be a finite number ≥ 0"));
        }
        Ok(UpTo { levels: ctx.mean_daily_demand.iter().map(|m| (m * p.days).ceil() as i64).collect() })
    });
    registry
}

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
        ("Custom/up-to".into(), "Custom(name: \"up-to\", params: { \"days\": 4.0 })"),
    ]);
    let registry = registry();
    for (name, example) in examples {
        // As scenario files are read (`Fallback`'s optional staleness limit
        // written without `Some`).
        let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        let spec: ReplenishmentSpec = options.from_str(example).expect("examples parse");
        let mut strategy = registry.replenishment(&spec, &ctx).expect("examples build")();
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
