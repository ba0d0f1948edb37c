//! Sweeps and overrides: the grid's order, common random numbers across
//! points, `--set` equal to editing the file, paired statistics on real
//! runs, and Ctrl-C stopping cleanly with a resumable log.

mod common;

use echelon::reports::stats::Estimate;
use echelon::scenario::{Scenario, params, parse};
use echelon::sim::metrics::metric_index;
use echelon::study::Study;
use std::path::Path;
use std::process::Command;

fn sweep_file() -> (std::path::PathBuf, String, echelon::scenario::file::ScenarioFile) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/disruption-sweep.ron");
    let (source, mut file) = parse::read(&path).unwrap();
    file.experiment.replications = 3;
    (path, source, file)
}

#[test]
fn the_grid_is_the_cartesian_product_with_the_last_parameter_fastest() {
    let (path, source, file) = sweep_file();
    let study = Study::new(Scenario::from_parts(&path, source, file).unwrap()).unwrap();
    assert_eq!(study.points.len(), 20);
    assert_eq!(study.run_count(), 20 * 3 * 3);
    let values = |p: usize| study.points[p].params.iter().map(|(_, v)| *v).collect::<Vec<_>>();
    assert_eq!(values(0), vec![0.0, 1.0]);
    assert_eq!(values(1), vec![0.0, 1.25]);
    assert_eq!(values(4), vec![7.0, 1.0]);
    assert_eq!(values(19), vec![28.0, 1.75]);
    let outage = &study.points[6].scenario.model.disruptions[0];
    assert_eq!((outage.start_day, outage.end_day), (100, 107));
}

/// A point whose values equal the file's own gives exactly the runs of the
/// file without its sweep: random numbers do not depend on the point.
#[test]
fn a_sweep_point_equals_the_unswept_scenario_with_the_same_values() {
    let (path, source, file) = sweep_file();
    let study = Study::new(Scenario::from_parts(&path, source.clone(), file.clone()).unwrap()).unwrap();
    let at = study.points.iter().position(|p| p.params[0].1 == 14.0 && p.params[1].1 == 1.5).unwrap();
    let swept = echelon::runner::execute(&study, 2);
    let mut plain = file;
    plain.sweep.clear();
    let unswept = common::run(&Scenario::from_parts(&path, source, plain).unwrap(), 2);
    let from_point: Vec<_> =
        swept.records.iter().filter(|r| r.point == at).map(|r| (r.network, r.nodes.clone())).collect();
    let from_plain: Vec<_> = unswept.records.iter().map(|r| (r.network, r.nodes.clone())).collect();
    assert_eq!(from_point.len(), 9);
    // Compared as text: undefined metrics are NaN, which never equals itself.
    let text = |runs: &[_]| format!("{runs:?}");
    assert!(text(&from_point) == text(&from_plain), "the point's runs differ from the unswept runs");
}

/// A whole number is set exactly however large (2^64 − 1 was read as a
/// float, 1.8e19, and refused for a seed), and still fits a float field.
#[test]
fn set_takes_large_whole_numbers_exactly() {
    let (_, _, file) = sweep_file();
    let changed = params::set(&file, "experiment.seed", params::parse_value("18446744073709551615")).unwrap();
    assert_eq!(changed.experiment.seed, u64::MAX);
    let changed = params::set(&file, "experiment.seed", params::parse_value("9007199254740993")).unwrap();
    assert_eq!(changed.experiment.seed, 9_007_199_254_740_993, "2^53 + 1, not rounded");
    params::set(&file, "strategies[base-stock].replenishment.order_up_to", params::parse_value("12")).unwrap();
}

#[test]
fn set_changes_exactly_the_named_parameter() {
    let (_, _, file) = sweep_file();
    let changed = params::set(&file, "events[outage].kind.in_transit", params::parse_value("Lose")).unwrap();
    let changed =
        params::set(&changed, "strategies[base-stock].replenishment.order_up_to", params::number(11.0)).unwrap();
    let changed = params::set(&changed, "experiment.seed", params::number(9.0)).unwrap();
    assert_eq!(changed.experiment.seed, 9);
    assert!(format!("{:?}", changed.events[0].kind).contains("Lose"));
    assert!(format!("{:?}", changed.strategies[1].replenishment).contains("DaysOfCover(11.0)"));
    // Everything else is as it was.
    assert_eq!(format!("{:?}", changed.strategies[0]), format!("{:?}", file.strategies[0]));
    assert_eq!(changed.sweep.len(), file.sweep.len());
}

/// Under common random numbers the replications' noise is shared, so the
/// paired interval of a difference is narrower than the two-sample one.
#[test]
fn paired_interval_is_narrower_than_unpaired_on_the_quickstart() {
    let scenario = common::bundled("scenarios/quickstart.ron");
    let outcome = common::run(&scenario, 2);
    let fill = metric_index("fill_rate").unwrap();
    let column = |s: usize| -> Vec<f64> {
        outcome.records.iter().filter(|r| r.strategy == s).map(|r| r.network[fill]).collect()
    };
    let (a, b) = (column(0), column(1));
    let paired = Estimate::paired(&a, &b);
    let (ea, eb) = (Estimate::of(a.clone()), Estimate::of(b.clone()));
    let n = a.len() as f64;
    let unpaired_half =
        echelon::reports::stats::t_quantile_975(2 * a.len() - 2) * ((ea.sd * ea.sd + eb.sd * eb.sd) / n).sqrt();
    let paired_half = (paired.ci95[1] - paired.ci95[0]) / 2.0;
    assert!(paired_half < unpaired_half, "paired ±{paired_half} vs unpaired ±{unpaired_half}");
}

fn echelon_cmd(out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_echelon"));
    command
        .args(["run", "scenarios/disruption-sweep.ron", "--replications", "4", "--threads", "1", "--format", "json"])
        .arg("--out")
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn runs_logged(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("runs.jsonl")).map_or(0, |t| t.lines().count().saturating_sub(1))
}

#[test]
fn ctrl_c_stops_after_the_runs_in_flight_and_resume_completes_the_study() {
    let tmp = tempfile::tempdir().unwrap();
    let (stopped, whole) = (tmp.path().join("stopped"), tmp.path().join("whole"));
    let child =
        echelon_cmd(&stopped).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    while runs_logged(&stopped) < 3 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("--resume") && stderr.contains("of 240 runs are finished"), "{stderr}");
    let logged = runs_logged(&stopped);
    assert!((3..240).contains(&logged), "{logged} runs logged");
    assert!(!stopped.join("summary.json").exists(), "an interrupted study wrote a summary");
    let resumed = echelon_cmd(&stopped).arg("--resume").output().unwrap();
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    assert!(echelon_cmd(&whole).output().unwrap().status.success());
    for file in ["summary.json", "runs.csv", "runs.jsonl"] {
        let (a, b) = (std::fs::read(stopped.join(file)).unwrap(), std::fs::read(whole.join(file)).unwrap());
        assert!(a == b, "{file}: interrupted + resumed differs from uninterrupted");
    }
}

/// A study without a sweep keeps one scenario, not two: its one point is
/// the scenario as given, shared (it was a second full copy, validated a
/// second time).
#[test]
fn a_study_without_a_sweep_shares_its_one_point_with_the_scenario_given() {
    let study = Study::new(common::bundled("scenarios/quickstart.ron")).unwrap();
    assert_eq!(study.points.len(), 1);
    assert!(study.points[0].params.is_empty());
    assert!(std::sync::Arc::ptr_eq(&study.base, &study.points[0].scenario));
}
