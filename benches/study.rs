//! Study throughput and thread scaling: runs per second of the disruption
//! sweep (`scenarios/disruption-sweep.ron`, 20 points × 3 strategies, cut to
//! 2 replications = 120 runs per iteration) on 1 and 2 worker threads.
//! Near-linear scaling shows as a 2-thread rate close to twice the 1-thread
//! rate.
//!
//! Run: `cargo bench --bench study`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use echelon::runner;
use echelon::scenario::{Scenario, parse};
use echelon::study::Study;
use std::hint::black_box;
use std::path::Path;

fn study() -> Study {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/disruption-sweep.ron");
    let (source, mut file) = parse::read(&path).expect("bundled scenario reads");
    file.experiment.replications = 2;
    Study::new(Scenario::from_parts(&path, source, file).expect("bundled scenario is valid")).expect("valid sweep")
}

fn thread_scaling(c: &mut Criterion) {
    let study = study();
    let mut group = c.benchmark_group("disruption-sweep-runs");
    group.sample_size(10);
    group.throughput(Throughput::Elements(study.run_count() as u64));
    for threads in [1, 2] {
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, &threads| {
            b.iter(|| black_box(runner::execute(&study, threads).records.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, thread_scaling);
criterion_main!(benches);
