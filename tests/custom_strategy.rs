//! The worked example `examples/custom-strategy/` — a separate package
//! plugging its own strategies in through `echelon::cli::main_with` —
//! builds, runs its scenario, and passes `check` against a baseline it
//! just recorded: the loop a CI pipeline regression-testing its own
//! strategy runs (docs/ci.md). The example is a member of this workspace,
//! built into the same target directory with the same features, so
//! `cargo run` finds it (and the engine) already compiled.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory this test was built in (…/target/<profile>/deps/this).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

fn example(args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = root().join("examples/custom-strategy/Cargo.toml");
    Command::new(cargo)
        .args(["run", "-q", "--manifest-path"])
        .arg(&manifest)
        .arg("--")
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir())
        .current_dir(root())
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn write_variant(dir: &Path, from: &str, to: &str) -> String {
    let source = std::fs::read_to_string(root().join("examples/custom-strategy/scenario.ron")).unwrap();
    assert!(source.contains(from));
    let path = dir.join("variant.ron");
    std::fs::write(&path, source.replace(from, to)).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn the_custom_strategy_example_runs_lists_and_passes_its_own_gate() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("results");
    let run = example(&[
        "run",
        "examples/custom-strategy/scenario.ron",
        "--quiet",
        "--replications",
        "3",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run));
    let table = String::from_utf8_lossy(&run.stdout);
    assert!(table.contains("dynamic-protect") && table.contains("min-max-strict"), "{table}");
    assert!(out_dir.join("summary.json").exists());

    let list = example(&["list"]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("PLUGGED-IN STRATEGIES") && listed.contains("dynamic-min-max"), "{listed}");
    assert!(listed.contains("protect-top-tiers") && listed.contains("window_days"), "{listed}");

    let baseline = dir.path().join("baseline.json");
    let scenario = "examples/custom-strategy/scenario.ron";
    let record =
        example(&["baseline", scenario, "--quiet", "--replications", "3", "--out", baseline.to_str().unwrap()]);
    assert!(record.status.success(), "{}", text(&record));
    let gate_exact = |file: &str| {
        example(&[
            "check",
            file,
            "--quiet",
            "--replications",
            "3",
            "--baseline",
            baseline.to_str().unwrap(),
            "--mode",
            "exact",
        ])
    };
    let check = gate_exact(scenario);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));

    // A change of the strategy's parameters is caught by the gate.
    let changed =
        write_variant(dir.path(), "\"window_days\": 28, \"min_days\": 6.0", "\"window_days\": 7, \"min_days\": 2.0");
    let check = gate_exact(&changed);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));

    // Bad params are located at the field, through the example's binary.
    let bad =
        write_variant(dir.path(), "\"window_days\": 28, \"min_days\": 6.0", "\"window_days\": 0, \"min_days\": 6.0");
    let validate = example(&["validate", &bad]);
    assert_eq!(validate.status.code(), Some(2), "{}", text(&validate));
    let stderr = String::from_utf8_lossy(&validate.stderr);
    assert!(stderr.contains("strategies[2].replenishment.params.window_days: must be 1 to 365 days"), "{stderr}");
    assert!(stderr.contains("variant.ron:3"), "located at a line: {stderr}");
}
