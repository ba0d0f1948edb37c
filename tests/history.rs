//! Demand history from CSV: replay gives exactly the recorded quantities,
//! bootstrap draws from them, and a bad file is reported with its line.

use std::path::Path;
use std::process::Command;

fn scenario(mode: &str) -> String {
    format!(
        r#"Scenario(
    name: "history",
    experiment: (horizon_days: 300, warmup_days: 0, replications: 2, seed: 4),
    skus: [(id: "drill", unit_cost: 50.0), (id: "bits", unit_cost: 3.0)],
    suppliers: [(id: "s")],
    locations: [(id: "wh-north"), (id: "wh-south")],
    lanes: [
        (from: "s", to: "wh-north", lead_time: Constant(days: 2.0)),
        (from: "s", to: "wh-south", lead_time: Constant(days: 2.0)),
    ],
    demand: [],
    history: (file: "h.csv", mode: {mode}),
    strategies: [(name: "bs", replenishment: BaseStock(order_up_to: Units(40)))],
)"#
    )
}

/// 3 recorded days by date; rows of a day add up; a missing day is 0.
const GOOD: &str = "date,location,sku,quantity,note\n\
2025-01-30,wh-north,drill,4,\n\
2025-01-30,wh-north,drill,2,second order\n\
2025-02-01,wh-north,drill,9,\n\
2025-01-31,wh-south,bits,30,\n";

fn run(dir: &Path, csv: &str, mode: &str) -> std::process::Output {
    std::fs::write(dir.join("h.csv"), csv).unwrap();
    std::fs::write(dir.join("s.ron"), scenario(mode)).unwrap();
    Command::new(env!("CARGO_BIN_EXE_echelon"))
        .args(["run", "s.ron", "--format", "json", "--quiet", "--force", "--out", "out"])
        .current_dir(dir)
        .output()
        .unwrap()
}

fn demand_mean(dir: &Path) -> f64 {
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/summary.json")).unwrap()).unwrap();
    summary["points"][0]["strategies"][0]["metrics"]["demand_mean"]["mean"].as_f64().unwrap()
}

#[test]
fn replay_demands_exactly_the_recorded_days_and_bootstrap_draws_from_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), GOOD, "Replay");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Per 3-day cycle: north 6 + 0 + 9, south 0 + 30 + 0 = 45 units; 100 cycles.
    assert_eq!(demand_mean(tmp.path()), 45.0 / 3.0);
    let out = run(tmp.path(), GOOD, "Bootstrap");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mean = demand_mean(tmp.path());
    assert!(mean != 15.0 && (mean - 15.0).abs() < 3.0, "bootstrap mean {mean}");
}

#[test]
fn a_bad_history_names_the_csv_and_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    for (csv, expect) in [
        ("when,location,sku,quantity\n0,wh-north,drill,1\n", vec!["h.csv:1:1", "bad header", "day or date"]),
        (
            "day,location,sku,quantity\n0,wh-north,drill,1\n1,wh-north,drill,lots\n",
            vec!["h.csv:3:1", "quantity \"lots\""],
        ),
        ("day,location,sku,quantity\n0,wh-mars,drill,1\n", vec!["h.csv:2:1", "unknown location \"wh-mars\""]),
        ("day,location,sku,quantity\n0,wh-north,hammer,1\n", vec!["h.csv:2:1", "unknown SKU \"hammer\""]),
        ("date,location,sku,quantity\n2025-02-30,wh-north,drill,1\n", vec!["h.csv:2:1", "not a date"]),
    ] {
        let out = run(tmp.path(), csv, "Replay");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        for needle in expect {
            assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
        }
    }
}
