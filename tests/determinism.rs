//! Determinism and common random numbers.

mod common;

use std::process::Command;

fn echelon() -> Command {
    Command::new(env!("CARGO_BIN_EXE_echelon"))
}

fn run_to(dir: &std::path::Path, scenario: &str, threads: &str) {
    let status = echelon()
        .args(["run", scenario, "--replications", "3", "--format", "json", "--threads", threads])
        .arg("--out")
        .arg(dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn results_are_byte_identical_for_one_two_and_four_threads() {
    for scenario in ["scenarios/quickstart.ron", "scenarios/disruption-sweep.ron", "scenarios/resilience-fallback.ron"]
    {
        let tmp = tempfile::tempdir().unwrap();
        let dirs: Vec<_> = ["1", "2", "4"].iter().map(|t| (t, tmp.path().join(format!("t{t}")))).collect();
        for (threads, dir) in &dirs {
            run_to(dir, scenario, threads);
        }
        for file in ["summary.json", "runs.csv", "runs.jsonl"] {
            let one = std::fs::read(dirs[0].1.join(file)).unwrap();
            assert!(!one.is_empty());
            for (threads, dir) in &dirs[1..] {
                assert!(
                    one == std::fs::read(dir.join(file)).unwrap(),
                    "{scenario}: {file} differs between 1 and {threads} threads"
                );
            }
        }
    }
}

#[test]
fn a_strategy_ordering_more_does_not_change_the_demand_another_sees() {
    // Daily base stock orders every day; (s,S) with a wide gap rarely does.
    // Both draw lead times from the same lane, at different rates. Demand per
    // replication must be identical all the same (common random numbers).
    let text = common::single_location(
        "Poisson(mean: 6.0)",
        "LogNormal(mean_days: 3.0, sd_days: 1.5)",
        "Backorder",
        r#"(name: "daily", replenishment: BaseStock(order_up_to: Units(40))),
           (name: "rare", replenishment: MinMax(reorder_point: Units(10), order_up_to: Units(90)))"#,
        "(horizon_days: 400, warmup_days: 20, replications: 5, seed: 11)",
    );
    let outcome = common::run(&common::scenario_from_text("crn.ron", &text), 2);
    let demand = echelon::sim::metrics::metric_index("demand_mean").unwrap();
    let frequency = echelon::sim::metrics::metric_index("order_frequency").unwrap();
    let by = |s: usize, m: usize| -> Vec<f64> {
        outcome.records.iter().filter(|r| r.strategy == s).map(|r| r.network[m]).collect()
    };
    assert!(by(0, frequency)[0] > 3.0 * by(1, frequency)[0], "the strategies must order at different rates");
    assert_eq!(by(0, demand), by(1, demand));
    // And different replications do see different demand.
    assert_ne!(by(0, demand)[0], by(0, demand)[1]);
}

#[test]
fn same_seed_same_results_different_seed_different_results() {
    let text = |seed: u64| {
        common::single_location(
            "Poisson(mean: 4.0)",
            "Uniform(min_days: 1, max_days: 4)",
            "Backorder",
            "(name: \"p\", replenishment: BaseStock(order_up_to: Units(20)))",
            &format!("(horizon_days: 300, warmup_days: 10, replications: 3, seed: {seed})"),
        )
    };
    // Compared as text: undefined metrics are NaN, which never equals itself.
    let run = |seed| format!("{:?}", common::run(&common::scenario_from_text("s.ron", &text(seed)), 2).records);
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

/// `trace.json` is recorded during the study's own replication 0 (no
/// second simulation of it) and equals a separate traced simulation of
/// replication 0 — with a random outage, governance-free, several
/// strategies.
#[test]
fn the_trace_recorded_during_the_study_equals_a_separate_simulation_of_replication_0() {
    for file in ["scenarios/quickstart.ron", "scenarios/resilience-fallback.ron"] {
        let scenario = common::bundled(file);
        let study = echelon::study::Study::new(scenario).unwrap();
        let outcome = echelon::runner::execute(&study, 2);
        assert!(outcome.traces.iter().all(Option::is_some), "{file}: every strategy's replication 0 was traced");
        let recorded = echelon::runner::representative(&study, &outcome.traces).unwrap();
        assert_eq!(recorded, echelon::runner::representative(&study, &[]).unwrap(), "{file}");
    }
}

/// A swept study's points are not the scenario as given: none of its runs
/// is traced, and the trace is simulated separately.
#[test]
fn a_swept_study_traces_none_of_its_runs() {
    let scenario = common::bundled("scenarios/disruption-sweep.ron");
    let study = echelon::study::Study::new(scenario).unwrap();
    let first: Vec<_> = study.coordinates().into_iter().filter(|c| c.replication == 0).take(3).collect();
    let outcome = echelon::runner::execute_runs(&study, 2, first, &echelon::runner::Hooks::default());
    assert!(outcome.traces.iter().all(Option::is_none));
}

/// The report's time series are the mean over *every* replication: the
/// summed series (`trace.json`'s `series`) equal each replication's own
/// trace added up by hand, and do not depend on the thread count (integer
/// sums, whatever order runs finish in).
#[test]
fn the_summed_series_are_every_replications_trace_added_whatever_the_thread_count() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.ron"))
        .unwrap()
        .replace("replications: 20", "replications: 4");
    let scenario = common::scenario_from_text("quickstart.ron", &text);
    let study = echelon::study::Study::new(scenario).unwrap();
    let one = echelon::runner::execute(&study, 1).series;
    assert_eq!(one, echelon::runner::execute(&study, 2).series);
    assert_eq!(one.len(), 4, "one summed series per (point, strategy)");
    let s = &study.points[0].scenario;
    for (strategy, got) in one.iter().enumerate() {
        let (mut on_hand, mut squares, mut orders) = (Vec::<i64>::new(), Vec::<i128>::new(), 0u64);
        for r in 0..4 {
            let allocation = s.allocation(strategy);
            let (_, trace) = echelon::sim::engine::simulate_traced(&s.model, r, s.policies(strategy, &*allocation));
            on_hand.resize(trace.on_hand.len(), 0);
            squares.resize(trace.on_hand.len(), 0);
            for (d, &v) in trace.on_hand.iter().enumerate() {
                on_hand[d] += v;
                squares[d] += i128::from(v) * i128::from(v);
            }
            orders += trace.latency.iter().map(|(_, n)| n).sum::<u64>();
        }
        assert_eq!((got.point, got.strategy, got.runs), (0, strategy, 4));
        assert_eq!(got.on_hand.sum, on_hand, "strategy {strategy}");
        assert_eq!(got.on_hand.sum_sq, squares, "strategy {strategy}");
        assert_eq!(got.latency.iter().map(|(_, n)| n).sum::<u64>(), orders, "latencies pooled");
    }
}
