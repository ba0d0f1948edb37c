//! `run --precision METRIC=HALF_WIDTH`: replications are added in
//! deterministic batches until every target is met; the results are those
//! of a plain run with the final count, on any thread count.

use std::path::Path;
use std::process::{Command, Output};

fn echelon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echelon")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn run(out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["run", "scenarios/quickstart.ron", "--quiet", "--out", out.to_str().unwrap()];
    args.extend(extra);
    let output = echelon(&args);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap()
}

#[test]
fn a_precision_target_adds_replications_until_every_half_width_is_met() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two, plain) = (tmp.path().join("one"), tmp.path().join("two"), tmp.path().join("plain"));
    let target = ["--replications", "2", "--precision", "fill_rate=0.003"];
    let stdout = run(&one, &[&target[..], &["--threads", "1"]].concat());
    let n: u32 = stdout
        .split("precision reached with ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no precision line in {stdout}"));
    assert!(n > 2, "more replications were needed than the 2 given");
    // Every run of every batch was new: the count says so (it once gave
    // only the last batch's).
    let runs = 4 * n as usize;
    assert!(stdout.contains(&format!("{runs} runs ({runs} new)")), "{stdout}");
    let timing: serde_json::Value = serde_json::from_slice(&read(&one, "timing.json")).unwrap();
    assert_eq!(timing["runs"], runs);
    let summary: serde_json::Value = serde_json::from_slice(&read(&one, "summary.json")).unwrap();
    assert_eq!(summary["replications"], n);
    for s in summary["points"][0]["strategies"].as_array().unwrap() {
        let ci = &s["metrics"]["fill_rate"]["ci95"];
        let half = (ci[1].as_f64().unwrap() - ci[0].as_f64().unwrap()) / 2.0;
        assert!(half <= 0.003, "{}: half-width {half}", s["name"]);
    }
    // Any thread count: the same count and the same bytes.
    run(&two, &[&target[..], &["--threads", "2"]].concat());
    // A plain run with the final count gives the same files.
    run(&plain, &["--replications", &n.to_string()]);
    for file in ["summary.json", "runs.csv", "runs.jsonl"] {
        assert_eq!(read(&one, file), read(&two, file), "{file}: 1 vs 2 threads");
        assert_eq!(read(&one, file), read(&plain, file), "{file}: precision vs plain run of {n}");
    }
}

#[test]
fn a_precision_target_out_of_reach_stops_at_the_limit_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("limit");
    let stdout = run(&out, &["--replications", "2", "--precision", "fill_rate=0.00001", "--max-replications", "5"]);
    assert!(stdout.contains("precision NOT reached at the limit of 5 replications"), "{stdout}");
    let bad = echelon(&["run", "scenarios/quickstart.ron", "--precision", "fill_rate=0.01", "--shard", "0/2"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot be combined with --shard"));
    let bad = echelon(&["run", "scenarios/quickstart.ron", "--precision", "fill_ratio=0.01"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("did you mean fill_rate?"));
}
