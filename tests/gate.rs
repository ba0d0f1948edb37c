//! The regression gate end to end: `baseline` then `check` through the
//! command line, on the quickstart.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn echelon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echelon")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const STUDY: [&str; 5] = ["scenarios/quickstart.ron", "--replications", "8", "--quiet", "--threads=2"];

/// Records a baseline of the quickstart (8 replications) in `dir`.
fn record(dir: &Path) -> PathBuf {
    let path = dir.join("baseline.json");
    let mut args = vec!["baseline"];
    args.extend(STUDY);
    args.extend(["--out", path.to_str().unwrap()]);
    let out = echelon(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    path
}

fn check(baseline: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check"];
    args.extend(STUDY);
    args.extend(["--baseline", baseline.to_str().unwrap()]);
    args.extend(extra);
    echelon(&args)
}

/// (tests, failures, names of failing test cases) of a JUnit file.
fn junit(path: &Path) -> (usize, usize, Vec<String>) {
    let xml = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML parses");
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    let failing: Vec<String> = cases
        .iter()
        .filter(|c| c.children().any(|k| k.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap().to_string())
        .collect();
    let declared: usize = doc.root_element().attribute("failures").unwrap().parse().unwrap();
    assert_eq!(declared, failing.len(), "the failures attribute counts the failing cases");
    (cases.len(), failing.len(), failing)
}

#[test]
fn unchanged_results_pass_in_both_modes() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = record(tmp.path());
    let junit_path = tmp.path().join("junit.xml");
    for mode in ["statistical", "exact"] {
        let out = check(&baseline, &["--mode", mode, "--junit", junit_path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{mode}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("PASS: 0 of"), "{}", text(&out.stdout));
        let (tests, failures, _) = junit(&junit_path);
        let metrics = echelon::sim::metrics::METRICS.len();
        assert_eq!((tests, failures), (4 * metrics, 0), "one test case per strategy × metric");
    }
}

#[test]
fn a_worse_strategy_fails_with_exit_1_junit_failures_and_markdown() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = record(tmp.path());
    let (junit_path, markdown_path) = (tmp.path().join("j.xml"), tmp.path().join("summary.md"));
    // min-max orders up to 8 days of cover instead of 12: less stock, more stock-outs.
    let out = check(
        &baseline,
        &[
            "--set",
            "strategies[min-max].replenishment.order_up_to=8",
            "--junit",
            junit_path.to_str().unwrap(),
            "--markdown",
            markdown_path.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("min-max      fill_rate") && stdout.contains("REGRESSION"), "{stdout}");
    let (_, failures, failing) = junit(&junit_path);
    assert!(failures > 0);
    assert!(failing.iter().all(|name| name.starts_with("min-max / ")), "only min-max changed: {failing:?}");
    assert!(failing.contains(&"min-max / fill_rate".to_string()));
    let markdown = std::fs::read_to_string(&markdown_path).unwrap();
    assert!(markdown.starts_with("### Echelon gate — `quickstart`: FAIL"), "{markdown}");
    assert!(markdown.contains("| min-max | fill_rate |"), "{markdown}");
}

#[test]
fn another_seed_raises_no_false_alarm_in_statistical_mode_but_fails_exact_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = record(tmp.path());
    let out = check(&baseline, &["--seed", "99"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("unpaired (Welch)"));
    let out = check(&baseline, &["--seed", "99", "--mode", "exact"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("CHANGED"));
}

#[test]
fn unusable_baselines_exit_2_saying_what_differs() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = record(tmp.path());
    let original = std::fs::read_to_string(&baseline).unwrap();
    let variant = |name: &str, content: &str| {
        let path = tmp.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    };
    let current = echelon::reports::summary::METRIC_SET_VERSION;
    let old_metric_set =
        variant("old.json", &original.replacen(&format!("\"metric_set\": {current}"), "\"metric_set\": 1", 1));
    let corrupt = variant("corrupt.json", &original[..original.len() / 2]);
    let other =
        variant("other.json", &original.replacen("\"scenario\": \"quickstart\"", "\"scenario\": \"regional\"", 1));
    for (path, expect) in [
        (old_metric_set, "metric set 1"),
        (corrupt, "not a baseline Echelon wrote"),
        (other, "scenario \"regional\""),
        (tmp.path().join("missing.json"), "no such baseline"),
    ] {
        let out = check(&path, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expect), "expected {expect:?} in {stderr}");
        assert!(!stderr.contains("panicked"));
    }
}

/// The baseline committed for CI (`baselines/ci.json`, recorded by a release
/// build) is reproduced exactly by this build: results do not depend on the
/// optimisation level or the thread count.
#[test]
fn the_committed_ci_baseline_passes_in_exact_mode() {
    for threads in ["--threads=1", "--threads=2"] {
        let out = echelon(&[
            "check",
            "scenarios/ci.ron",
            "--baseline",
            "baselines/ci.json",
            "--mode",
            "exact",
            "--quiet",
            threads,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    }
}

/// A check whose interval straddles the tolerance is neither ok nor a
/// regression: another seed makes the differences unpaired, so the gate
/// cannot tell at 8 replications. It says so, passes by default, and fails
/// with `--fail-on-inconclusive`.
#[test]
fn a_gate_that_cannot_tell_says_inconclusive_and_fails_only_when_strict() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = record(tmp.path());
    let junit_path = tmp.path().join("j.xml");
    let out = check(&baseline, &["--seed", "99", "--junit", junit_path.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("replications would tell)"), "{stdout}");
    assert!(stdout.contains("inconclusive (pass unless --fail-on-inconclusive)"), "{stdout}");
    let xml = std::fs::read_to_string(&junit_path).unwrap();
    assert!(xml.contains("<skipped"), "inconclusive checks are skipped test cases");
    let out = check(&baseline, &["--seed", "99", "--fail-on-inconclusive"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stdout).starts_with("note:") && text(&out.stdout).contains("FAIL:"));
    // The same seed: every paired difference is exactly zero, nothing is inconclusive.
    let out = check(&baseline, &["--fail-on-inconclusive"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(!text(&out.stdout).contains("inconclusive"));
}

/// A baseline damaged by hand or by a tool — no runs, an absurd or missing
/// value, a run missing or twice, a metric gone — is refused (exit 2), never
/// used to pass a gate.
#[test]
fn a_corrupted_baseline_is_refused_not_passed() {
    let tmp = tempfile::tempdir().unwrap();
    let baseline = record(tmp.path());
    let original: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let damaged = |name: &str, damage: &dyn Fn(&mut serde_json::Value)| {
        let mut doc = original.clone();
        damage(&mut doc);
        let path = tmp.path().join(name);
        std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
        path
    };
    type Damage<'a> = &'a dyn Fn(&mut serde_json::Value);
    let cases: [(&str, Damage, &str); 6] = [
        ("empty.json", &|d| d["runs"] = serde_json::json!([]), "holds no runs"),
        ("huge.json", &|d| d["runs"][0]["values"][0] = serde_json::json!(1e308), "overflow its statistics"),
        ("missing-run.json", &|d| d["runs"].as_array_mut().unwrap().truncate(20), "is missing"),
        (
            "twice.json",
            &|d| {
                let first = d["runs"][0].clone();
                d["runs"].as_array_mut().unwrap()[1] = first;
            },
            "appears twice",
        ),
        ("short.json", &|d| d["runs"][3]["values"].as_array_mut().unwrap().truncate(5), "values for"),
        ("metric.json", &|d| d["metrics"][0] = serde_json::json!("fill_ratio"), "lacks metric \"fill_rate\""),
    ];
    for (name, damage, expect) in cases {
        let out = check(&damaged(name, damage), &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains("damaged baseline") && stderr.contains(expect),
            "{name}: expected {expect:?} in {stderr}"
        );
    }
}
