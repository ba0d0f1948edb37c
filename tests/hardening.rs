//! Issue 14, input side: what a hostile or broken scenario or history file
//! can no longer do. Each test runs the real `echelon` binary and pins exit
//! 2 with one printable line naming the file, or the accepted behaviour.

use std::path::Path;
use std::process::{Command, Output};

const QUICKSTART: &str = include_str!("../scenarios/quickstart.ron");

fn edit(from: &str, to: &str) -> String {
    assert!(QUICKSTART.contains(from), "quickstart no longer contains {from:?}");
    QUICKSTART.replacen(from, to, 1)
}

fn echelon(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echelon")).args(args).current_dir(dir).output().unwrap()
}

/// Writes `content` as `name` in `dir`, validates it, and returns stderr
/// after checking the clean-failure contract.
fn refused(dir: &Path, name: &str, content: &[u8]) -> String {
    std::fs::write(dir.join(name), content).unwrap();
    let out = echelon(&["validate", name], dir);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("overflow"), "{name}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: one line expected: {stderr}");
    assert!(!stderr.trim_end().chars().any(char::is_control), "{name}: control characters in {stderr:?}");
    assert!(stderr.contains(name), "{name}: names no file: {stderr}");
    stderr
}

fn accepted(dir: &Path, name: &str, content: &[u8]) {
    std::fs::write(dir.join(name), content).unwrap();
    let out = echelon(&["validate", name], dir);
    assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn distributions_that_cannot_be_sampled_are_refused_not_panicked() {
    let tmp = tempfile::tempdir().unwrap();
    let lane = "Gamma(mean_days: 4.0, sd_days: 1.0)";
    for (name, from, to, expect) in [
        ("gamma-demand", "Poisson(mean: 3.0)", "Gamma(mean: 1e-300, sd: 1.0)", "demand[0].model.mean"),
        ("gamma-lead", lane, "Gamma(mean_days: 1e-300, sd_days: 1.0)", "lanes[0].lead_time.mean_days"),
        ("gamma-lead-sd", lane, "Gamma(mean_days: 6, sd_days: 1e-300)", "lanes[0].lead_time.sd_days"),
        (
            "negbin",
            "NegativeBinomial(mean: 20.0, sd: 8.0)",
            "NegativeBinomial(mean: 1e-300, sd: 8.0)",
            "demand[1].model.mean",
        ),
        ("lognormal", lane, "LogNormal(mean_days: 1e-300, sd_days: 1e9)", "lanes[0].lead_time.mean_days"),
    ] {
        let stderr = refused(tmp.path(), &format!("{name}.ron"), edit(from, to).as_bytes());
        assert!(stderr.contains(expect) && stderr.contains("too small") && stderr.contains("1e-6"), "{stderr}");
    }
}

#[test]
fn governance_delay_beyond_the_longest_horizon_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let text = edit(
        "    strategies: [",
        "    governance: (approval_above: 5.0, approvals_per_day: 3, approval_delay: Constant(hours: 1e11)),\n    strategies: [",
    );
    let stderr = refused(tmp.path(), "delay.ron", text.as_bytes());
    assert!(stderr.contains("governance.approval_delay.hours") && stderr.contains("at most 2400000"), "{stderr}");
}

#[test]
fn deep_nesting_is_refused_with_its_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, open, depth) in [("paren", "(", 50_000), ("brace", "{", 60_000), ("bracket", "[", 30_000)] {
        let text = edit("Poisson(mean: 3.0)", &format!("Poisson(mean: {})", open.repeat(depth)));
        let stderr = refused(tmp.path(), &format!("{name}.ron"), text.as_bytes());
        assert!(stderr.contains(":35:128:") && stderr.contains("deeper than 64 levels"), "{stderr}");
    }
}

#[test]
fn oversized_and_non_regular_scenario_files_are_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let mut big = QUICKSTART.as_bytes().to_vec();
    big.resize(17 << 20, b' ');
    let stderr = refused(tmp.path(), "big.ron", &big);
    assert!(stderr.contains("at most 16777216 bytes"), "{stderr}");
    #[cfg(unix)]
    {
        let fifo = tmp.path().join("fifo.ron");
        assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let out = echelon(&["validate", "fifo.ron"], tmp.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("fifo.ron: is not a regular file"), "{stderr}");
    }
}

#[test]
fn byte_order_mark_and_cr_only_line_endings_are_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    accepted(tmp.path(), "bom.ron", format!("\u{feff}{QUICKSTART}").as_bytes());
    accepted(tmp.path(), "cr.ron", QUICKSTART.replace('\n', "\r").as_bytes());
    accepted(tmp.path(), "crlf.ron", QUICKSTART.replace('\n', "\r\n").as_bytes());
    // Positions count CR-only lines as lines.
    let stderr =
        refused(tmp.path(), "cr-bad.ron", edit("horizon_days: 395", "horizon_day: 395").replace('\n', "\r").as_bytes());
    assert!(stderr.contains("cr-bad.ron:14:"), "{stderr}");
}

#[test]
fn invalid_utf8_and_binary_are_located_by_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = edit("(id: \"wh-south\")", "(id: \"wh-south\u{1}\")").into_bytes();
    let at = bytes.iter().position(|&b| b == 1).unwrap();
    bytes[at] = 0xff;
    let stderr = refused(tmp.path(), "utf8.ron", &bytes);
    assert!(stderr.contains("utf8.ron:25:49: is not UTF-8") && !stderr.contains("offset"), "{stderr}");
    bytes[at] = 0;
    let stderr = refused(tmp.path(), "nul.ron", &bytes);
    assert!(stderr.contains("nul.ron:25:49: is binary"), "{stderr}");
}

#[test]
fn missing_top_level_field_is_blamed_on_itself_not_the_last_field_read() {
    let tmp = tempfile::tempdir().unwrap();
    let text = edit("    experiment: (horizon_days: 395, warmup_days: 30, replications: 20, seed: 42),\n", "");
    let stderr = refused(tmp.path(), "missing.ron", text.as_bytes());
    assert!(stderr.contains(": experiment: missing field `experiment`"), "{stderr}");
    assert!(!stderr.contains("strategies["), "{stderr}");
    let text = edit("replications: 20, seed: 42", "seed: 42");
    let stderr = refused(tmp.path(), "missing-inner.ron", text.as_bytes());
    assert!(stderr.contains(": experiment.replications: missing field `replications`"), "{stderr}");
}

#[test]
fn hostile_names_are_refused_at_load() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, from, to, path) in [
        ("formula", "(id: \"wh-south\")", "(id: \"=1+2\")", "locations[1].id"),
        ("escape", "(id: \"gloves\",", "(id: \"glo\\u{1b}[31mves\",", "skus[2].id"),
        ("script", "(name: \"base-stock\",", "(name: \"<script>alert(1)</script>\",", "strategies[0].name"),
        ("newline", "(name: \"min-max\",", "(name: \"min\\nmax\",", "strategies[1].name"),
        ("pipe", "(id: \"acme-tools\")", "(id: \"acme|tools\")", "suppliers[0].id"),
        ("bidi", "name: \"quickstart\"", "name: \"quick\\u{202e}start\"", "name"),
        (
            "long",
            "(id: \"bits\",",
            "(id: \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",",
            "skus[1].id",
        ),
    ] {
        let stderr = refused(tmp.path(), &format!("{name}.ron"), edit(from, to).as_bytes());
        assert!(stderr.contains(&format!(": {path}: ")), "{name}: {stderr}");
        assert!(!stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'), "{name}: {stderr:?}");
    }
}

#[test]
fn names_at_the_edge_of_the_safe_set_appear_intact_in_every_output() {
    let tmp = tempfile::tempdir().unwrap();
    let text = edit("(name: \"base-stock\",", "(name: \"Zürich (base) @2#x\",")
        .replace("\"wh-north\"", "\"倉庫 north:1/2+\"")
        .replace("replications: 20", "replications: 2");
    std::fs::write(tmp.path().join("edge.ron"), text).unwrap();
    let out = echelon(&["run", "edge.ron", "--quiet", "--out", "out"], tmp.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Zürich (base) @2#x"));
    let dir = tmp.path().join("out");
    let csv = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    assert!(csv.contains("Zürich (base) @2#x"), "{csv}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert!(summary.to_string().contains("倉庫 north:1/2+"));
    let mut svgs = 0;
    for entry in std::fs::read_dir(dir.join("charts")).unwrap() {
        let svg = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("invalid SVG: {e}"));
        svgs += 1;
    }
    assert!(svgs > 0);
}

#[test]
fn demand_that_would_overflow_integer_tallies_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    // The issue's case: backorders_end_mean came out 9.8e12 (true ≈ 5e16).
    let text = edit("horizon_days: 395, warmup_days: 30", "horizon_days: 100000, warmup_days: 30")
        .replace("Poisson(mean: 3.0)", "Constant(quantity: 1e9)")
        .replace(
            "    strategies: [",
            "    events: [(start_day: 0, days: 100000, kind: DemandShock(location: \"wh-north\", multiplier: 1000.0))],\n    strategies: [",
        );
    let stderr = refused(tmp.path(), "volume.ron", text.as_bytes());
    assert!(stderr.contains("experiment.horizon_days") && stderr.contains("at most 1e17"), "{stderr}");
    // The same demand over the bundled horizon is fine.
    accepted(tmp.path(), "ok.ron", edit("Poisson(mean: 3.0)", "Constant(quantity: 1e9)").as_bytes());
}

const HISTORY: &str = r#"Scenario(
    name: "history",
    experiment: (horizon_days: 30, warmup_days: 0, replications: 1, seed: 4),
    skus: [(id: "drill", unit_cost: 50.0)],
    suppliers: [(id: "s")],
    locations: [(id: "wh-north")],
    lanes: [(from: "s", to: "wh-north", lead_time: Constant(days: 2.0))],
    demand: [],
    history: (file: "FILE"),
    strategies: [(name: "bs", replenishment: BaseStock(order_up_to: Units(40)))],
)"#;

fn history_scenario(dir: &Path, name: &str, csv: &str) {
    std::fs::write(dir.join(name), HISTORY.replace("FILE", csv)).unwrap();
}

#[test]
fn history_paths_leading_outside_the_scenario_folder_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let inside = tmp.path().join("project");
    std::fs::create_dir(&inside).unwrap();
    let secret = tmp.path().join("secret.csv");
    std::fs::write(&secret, "day,location,sku,quantity\nTOPSECRET\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, inside.join("link.csv")).unwrap();
    for (name, file) in [
        ("absolute.ron", secret.to_str().unwrap()),
        ("dotdot.ron", "../secret.csv"),
        ("environ.ron", "/proc/self/environ"),
        #[cfg(unix)]
        ("link.ron", "link.csv"),
    ] {
        history_scenario(&inside, name, file);
        let out = echelon(&["validate", name], &inside);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains("history.file") && stderr.contains("--allow-paths-outside"), "{name}: {stderr}");
        assert!(!stderr.contains("TOPSECRET") && stderr.lines().count() == 1, "{name}: {stderr}");
    }
    // Allowed, the file is read but its content is not echoed.
    let out = echelon(&["validate", "--allow-paths-outside", "dotdot.ron"], &inside);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("secret.csv:2:1") && !stderr.contains("TOPSECRET"), "{stderr}");
    std::fs::write(&secret, "day,location,sku,quantity\n0,wh-north,drill,3\n").unwrap();
    let out = echelon(&["validate", "--allow-paths-outside", "dotdot.ron"], &inside);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn history_that_is_not_a_regular_file_is_refused_by_kind() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("folder.csv")).unwrap();
    history_scenario(tmp.path(), "dir.ron", "folder.csv");
    let stderr = String::from_utf8_lossy(&echelon(&["validate", "dir.ron"], tmp.path()).stderr).into_owned();
    assert!(stderr.contains("folder.csv: is a directory"), "{stderr}");
    #[cfg(unix)]
    {
        assert!(Command::new("mkfifo").arg(tmp.path().join("fifo.csv")).status().unwrap().success());
        history_scenario(tmp.path(), "fifo.ron", "fifo.csv");
        let out = echelon(&["validate", "fifo.ron"], tmp.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("fifo.csv: is not a regular file"), "{stderr}");
    }
}

#[test]
fn history_errors_quote_only_a_short_sanitised_excerpt() {
    let tmp = tempfile::tempdir().unwrap();
    history_scenario(tmp.path(), "h.ron", "h.csv");
    for (csv, expect, absent) in [
        ("root:$6$saltsaltsalt$hashhashhashhash:19000:0:99999:7:::\n", "missing location", "saltsalt"),
        (
            "day,location,sku,quantity\n0,wh-\u{1b}[31mnorth-and-a-very-long-tail-of-text,drill,1\n",
            "\\u{1b}",
            "long-tail-of-text",
        ),
    ] {
        std::fs::write(tmp.path().join("h.csv"), csv).unwrap();
        let out = echelon(&["validate", "h.ron"], tmp.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expect) && !stderr.contains(absent) && !stderr.contains('\u{1b}'), "{stderr:?}");
    }
}

#[test]
fn history_days_summing_past_the_daily_limit_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    history_scenario(tmp.path(), "h.ron", "h.csv");
    // The issue's case: rows summing to 1e16 a day gave a negative demand_mean.
    let rows: String = (0..10_000).map(|_| "0,wh-north,drill,1000000000000\n").collect();
    std::fs::write(tmp.path().join("h.csv"), format!("day,location,sku,quantity\n{rows}")).unwrap();
    let stderr = String::from_utf8_lossy(&echelon(&["validate", "h.ron"], tmp.path()).stderr).into_owned();
    assert!(stderr.contains("h.csv:2:1") && stderr.contains("from 0 to 1000000000"), "{stderr}");
    let rows: String = (0..3).map(|_| "0,wh-north,drill,400000000\n").collect();
    std::fs::write(tmp.path().join("h.csv"), format!("day,location,sku,quantity\n{rows}")).unwrap();
    let stderr = String::from_utf8_lossy(&echelon(&["validate", "h.ron"], tmp.path()).stderr).into_owned();
    assert!(stderr.contains("h.csv:4:1") && stderr.contains("more than 1000000000 units"), "{stderr}");
}

#[test]
fn history_dates_outside_years_1_to_9999_are_refused_and_spans_are_true() {
    let tmp = tempfile::tempdir().unwrap();
    history_scenario(tmp.path(), "h.ron", "h.csv");
    std::fs::write(
        tmp.path().join("h.csv"),
        "date,location,sku,quantity\n2020-01-01,wh-north,drill,1\n9223372036854775807-01-01,wh-north,drill,1\n",
    )
    .unwrap();
    let stderr = String::from_utf8_lossy(&echelon(&["validate", "h.ron"], tmp.path()).stderr).into_owned();
    assert!(stderr.contains("h.csv:3:1") && stderr.contains("years 1 to 9999"), "{stderr}");
    std::fs::write(
        tmp.path().join("h.csv"),
        "date,location,sku,quantity\n0001-01-01,wh-north,drill,1\n9999-12-31,wh-north,drill,1\n",
    )
    .unwrap();
    let stderr = String::from_utf8_lossy(&echelon(&["validate", "h.ron"], tmp.path()).stderr).into_owned();
    assert!(stderr.contains("the history spans 3652059 days; at most 100000"), "{stderr}");
}

/// A `Table(file: …)` levels file obeys the same path rules as a history:
/// confined to the scenario's folder unless `--allow-paths-outside`.
#[test]
fn levels_table_paths_leading_outside_the_scenario_folder_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let inside = tmp.path().join("project");
    std::fs::create_dir(&inside).unwrap();
    std::fs::write(tmp.path().join("levels.csv"), "location,sku,value\nTOPSECRET\n").unwrap();
    for (name, file) in [("absolute.ron", "/etc/passwd"), ("dotdot.ron", "../levels.csv")] {
        let text = edit(
            "BaseStock(order_up_to: DaysOfCover(7.0))",
            &format!("BaseStock(order_up_to: Table(file: \"{file}\", parameter: \"order_up_to\"))"),
        );
        let stderr = refused(&inside, name, text.as_bytes());
        assert!(stderr.contains("order_up_to.file") && stderr.contains("--allow-paths-outside"), "{name}: {stderr}");
        assert!(!stderr.contains("TOPSECRET") && !stderr.contains("root:"), "{name}: {stderr}");
    }
}
