//! Engine throughput on the 6,000-SKU single-location workload
//! (`scenarios/bench-single-location.ron`: Poisson demand, daily base stock,
//! lead time 2 days, 365 days), in SKU-location-days per second, beside the
//! floor: a bare periodic base-stock loop over the same SKUs and days with
//! the same demand sampler and no engine around it.
//!
//! Also one run of the regional network per strategy.
//!
//! Run: `cargo bench --bench engine`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use echelon::scenario::Scenario;
use echelon::sim::distribution::DailyDemand;
use echelon::sim::engine;
use echelon::sim::rng::{self, StreamKey};
use std::hint::black_box;
use std::path::Path;

fn load() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench-single-location.ron");
    Scenario::load(&path).expect("bundled scenario is valid")
}

/// The floor: order-up-to S every day with a fixed 2-day pipeline, one
/// Poisson draw per SKU-day, nothing else.
fn bare_loop(means: &[f64], levels: &[i64], days: u32) -> i64 {
    let samplers: Vec<DailyDemand> = means.iter().map(|&m| DailyDemand::poisson(m).unwrap()).collect();
    let mut streams: Vec<_> = (0..means.len()).map(|i| rng::stream(7, 0, StreamKey::demand(0, i, 0))).collect();
    let mut on_hand = levels.to_vec();
    let mut backorders = vec![0i64; means.len()];
    let mut pipeline = vec![[0i64; 3]; means.len()];
    let mut served_total = 0;
    for day in 0..days as usize {
        for sku in 0..means.len() {
            let arriving = std::mem::take(&mut pipeline[sku][day % 3]);
            on_hand[sku] += arriving;
            let demand = samplers[sku].sample(&mut streams[sku]) + backorders[sku];
            let served = demand.min(on_hand[sku]);
            on_hand[sku] -= served;
            backorders[sku] = demand - served;
            served_total += served;
            let on_order: i64 = pipeline[sku].iter().sum();
            let order = (levels[sku] - on_hand[sku] + backorders[sku] - on_order).max(0);
            pipeline[sku][day % 3] = order;
        }
    }
    served_total
}

fn engine_throughput(c: &mut Criterion) {
    let scenario = load();
    let model = &scenario.model;
    let sku_days = model.sku_locations() as u64 * u64::from(model.experiment.horizon_days);
    let mut group = c.benchmark_group("single-location-6000-skus-365-days");
    group.sample_size(10);
    group.throughput(Throughput::Elements(sku_days));
    group.bench_function("engine", |b| {
        b.iter(|| {
            let allocation = scenario.allocation(0);
            black_box(engine::simulate(model, 0, scenario.policies(0, &*allocation)).network)
        })
    });
    let means = model.mean_daily_demand(0);
    let levels: Vec<i64> = means.iter().map(|m| (4.0 * m - 1e-9).ceil() as i64).collect();
    group.bench_function("bare-loop-floor", |b| {
        b.iter(|| black_box(bare_loop(&means, &levels, model.experiment.horizon_days)))
    });
    group.finish();
}

/// One run of `scenarios/regional-network.ron` (1,000 SKUs × 7 locations ×
/// 330 days, two customer classes, seasonality, a promotion, a slow
/// supplier and an outage) per strategy.
fn regional_network(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/regional-network.ron");
    let scenario = Scenario::load(&path).expect("bundled scenario is valid");
    let model = &scenario.model;
    let mut group = c.benchmark_group("regional-network-7000-sku-locations-330-days");
    group.sample_size(10);
    group.throughput(Throughput::Elements(model.sku_locations() as u64 * u64::from(model.experiment.horizon_days)));
    for (index, name) in scenario.strategy_names().into_iter().enumerate() {
        group.bench_function(name, |b| {
            b.iter(|| {
                let allocation = scenario.allocation(index);
                black_box(engine::simulate(model, 0, scenario.policies(index, &*allocation)).network)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, engine_throughput, regional_network);
criterion_main!(benches);
