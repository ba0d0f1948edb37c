//! The terminal view and the warnings, on captured output of the binary:
//! widths, `--metrics`, colour, verdict ranking, `echelon list TOPIC`, and
//! the likely-mistake warnings on stderr (issue 18, items 4 and 5).

use std::path::Path;
use std::process::{Command, Output};

/// A one-location scenario: `skus` lines, `extra` top-level fields,
/// `strategies` entries and `lane_extra` fields of its one lane.
fn scenario(dir: &Path, holding_rate: f64, lane_extra: &str, strategies: &str, extra: &str) -> std::path::PathBuf {
    let text = format!(
        r#"Scenario(
    name: "terminal",
    experiment: (horizon_days: 90, warmup_days: 10, replications: 4, seed: 7),
    skus: [(id: "item", unit_cost: 10.0, price: 20.0, holding_rate: {holding_rate}, ordering_cost: 5.0, backorder_penalty_per_day: 1.0)],
    suppliers: [(id: "supplier")],
    locations: [(id: "store")],
    lanes: [(from: "supplier", to: "store", lead_time: Uniform(min_days: 2, max_days: 6), cost_per_unit: 0.1{lane_extra})],
    demand: [(location: "store", sku: "item", model: Poisson(mean: 8.0))],
    strategies: [{strategies}],
    {extra}
)"#
    );
    let path = dir.join("scenario.ron");
    std::fs::write(&path, text).unwrap();
    path
}

const FOUR: &str = r#"
        (name: "a-base-stock-with-a-rather-long-descriptive-name", replenishment: BaseStock(order_up_to: DaysOfCover(7.0))),
        (name: "min-max", replenishment: MinMax(reorder_point: DaysOfCover(4.0), order_up_to: DaysOfCover(9.0))),
        (name: "weekly", replenishment: PeriodicReview(review_period_days: 7, order_up_to: DaysOfCover(12.0))),
        (name: "lean", replenishment: BaseStock(order_up_to: DaysOfCover(3.0))),
"#;

fn echelon(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_echelon"));
    command.args(args).env_remove("COLUMNS").env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn run(file: &Path, out: &Path, more: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec!["run", file.to_str().unwrap(), "--quiet", "--out", out.to_str().unwrap()];
    args.extend_from_slice(more);
    echelon(&args, env)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn piped_table_fits_100_columns_without_colour_and_shows_latency_in_days() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), 0.25, "", FOUR, "");
    let out = run(&file, &dir.path().join("out"), &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(widest(&text) <= 100, "a line is {} wide:\n{text}", widest(&text));
    assert!(!text.contains('\x1b'), "colour when piped:\n{text}");
    // Every headline metric is a column, and the weekly review's latency
    // (6 days and more) reads in days.
    for key in ["fill_rate", "cycle_service", "turns", "total_cost"] {
        assert!(text.contains(key), "{key}:\n{text}");
    }
    assert!(text.contains(" d ± "), "latency in days:\n{text}");
    assert!(!text.contains("expedite_cost"), "no strategy expedites:\n{text}");
}

#[test]
fn columns_narrow_the_table_and_verbose_shows_every_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), 0.25, "", FOUR, "");
    let narrow = run(&file, &dir.path().join("narrow"), &[], &[("COLUMNS", "60")]);
    assert!(narrow.status.success(), "{}", stderr(&narrow));
    let text = stdout(&narrow);
    assert!(widest(&text) <= 60, "a line is {} wide:\n{text}", widest(&text));
    // Split into blocks: each block repeats the strategy column.
    assert!(text.matches("strategy").count() >= 2, "{text}");

    // 3 comparisons × 6 metrics = 18 verdicts: a screenful (24 rows when
    // piped) shows fewer, --verbose all of them.
    // A verdict's first line is indented two spaces (continuations four).
    let verdicts =
        |t: &str| t.lines().filter(|l| l.starts_with("  ") && !l.starts_with("   ") && !l.starts_with("  …")).count();
    let short = stdout(&run(&file, &dir.path().join("short"), &[], &[]));
    let all = stdout(&run(&file, &dir.path().join("all"), &["--verbose"], &[]));
    assert_eq!(verdicts(&all), 18, "{all}");
    assert!(verdicts(&short) < 18 && short.contains("--verbose shows them"), "{short}");
    // Ranked: significant verdicts before any "no significant difference".
    let lines: Vec<&str> = all.lines().collect();
    let first_quiet = lines.iter().position(|l| l.contains("no significant difference")).unwrap_or(lines.len());
    assert!(
        lines[first_quiet..]
            .iter()
            .all(|l| !l.contains(" beats ") && !l.contains(" is higher than ") && !l.contains(" is lower than ")),
        "{all}"
    );
}

#[test]
fn metrics_flag_picks_the_columns_and_rejects_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), 0.25, "", FOUR, "");
    let out = run(&file, &dir.path().join("out"), &["--metrics", "total_cost,fill_rate", "--verbose"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let header = text.lines().find(|l| l.starts_with("strategy")).unwrap();
    let (cost, fill) = (header.find("total_cost").unwrap(), header.find("fill_rate").unwrap());
    assert!(cost < fill, "columns in the order given: {header}");
    assert!(!text.contains("turns") && !text.contains("cycle service"), "{text}");
    // The verdicts follow the columns: 3 comparisons × 2 metrics.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(flat.matches(" on fill rate").count() + flat.matches(" on total cost").count(), 6, "{text}");

    let bad = run(&file, &dir.path().join("bad"), &["--metrics", "fill_rate,fil_rate"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    let message = stderr(&bad);
    assert!(message.contains("unknown metric \"fil_rate\"") && message.contains("cycle_service"), "{message}");
    assert!(!dir.path().join("bad").exists(), "nothing runs on a bad --metrics");
}

#[test]
fn expedite_cost_is_a_default_column_when_a_strategy_expedites() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = r#"
        (name: "plain", replenishment: BaseStock(order_up_to: DaysOfCover(3.0))),
        (name: "expediting", replenishment: BaseStock(order_up_to: DaysOfCover(3.0)), expedites: (cover_days: 3.0)),
    "#;
    let lane = ", expedite: (lead_time: Constant(days: 0.5), cost_per_unit: 1.0, cost_per_shipment: 10.0)";
    let file = scenario(dir.path(), 0.25, lane, strategies, "");
    let out = run(&file, &dir.path().join("out"), &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("expedite_cost") || text.contains("expedite_"), "{text}");
    assert!(widest(&text) <= 100, "{text}");
}

#[test]
fn colour_is_forced_by_clicolor_force_and_refused_under_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), 0.25, "", FOUR, "");
    let forced = stdout(&run(&file, &dir.path().join("forced"), &[], &[("CLICOLOR_FORCE", "1")]));
    assert!(forced.contains("\x1b[1m"), "{forced}");
    let refused = stdout(&run(&file, &dir.path().join("refused"), &[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(!refused.contains('\x1b'), "{refused}");
}

#[test]
fn list_topic_shows_one_topic_and_unknown_topics_exit_2() {
    let events = echelon(&["list", "events"], &[]);
    assert!(events.status.success());
    let text = stdout(&events);
    assert!(text.contains("ForecastOutage") && text.contains("StaleData(location?, hours)"), "{text}");
    assert!(!text.contains("METRICS") && !text.contains("BaseStock"), "one topic only:\n{text}");
    let levels = stdout(&echelon(&["list", "levels"], &[]));
    assert!(levels.contains("Table(file:"), "{levels}");
    let all = stdout(&echelon(&["list"], &[("COLUMNS", "72")]));
    assert!(widest(&all) <= 72, "{}", widest(&all));
    for topic in ["CUSTOMER CLASSES", "GOVERNANCE", "CATALOGUE", "CLASS METRICS", "SWEEPS"] {
        assert!(all.contains(topic), "{topic}");
    }
    let bad = echelon(&["list", "nonesuch"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("topics: strategies, add-ons, levels"), "{}", stderr(&bad));
}

#[test]
fn holding_rate_above_one_is_a_located_warning_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), 25.0, "", FOUR, "");
    let out = echelon(&["validate", file.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("warning: ") && message.contains(":4:"), "{message}");
    assert!(message.contains("skus[0].holding_rate: 25 is above 1"), "{message}");
    let fine = echelon(&["validate", scenario(dir.path(), 0.25, "", FOUR, "").to_str().unwrap()], &[]);
    assert!(!stderr(&fine).contains("warning"), "{}", stderr(&fine));
}

#[test]
fn event_entirely_inside_the_warm_up_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let events = r#"events: [
        (name: "early", start_day: 2, days: 5, kind: SupplierOutage(supplier: "supplier")),
        (name: "late", start_day: 8, days: 5, kind: SupplierOutage(supplier: "supplier")),
    ],"#;
    let file = scenario(dir.path(), 0.25, "", FOUR, events);
    let out = echelon(&["validate", file.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains("events[0]: the event (days 2–6) lies entirely inside the warm-up (days 0–9)"),
        "{message}"
    );
    assert!(!message.contains("events[1]"), "an event reaching measured days is fine: {message}");
}

#[test]
fn sweep_that_changes_nothing_and_identical_strategies_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = r#"
        (name: "base", replenishment: BaseStock(order_up_to: DaysOfCover(5.0))),
        (name: "same-again", replenishment: BaseStock(order_up_to: DaysOfCover(5.0))),
        (name: "other", replenishment: BaseStock(order_up_to: DaysOfCover(8.0))),
    "#;
    // Demand backorders, so the lost-sale penalty changes nothing.
    let sweep = r#"sweep: [(path: "skus[item].lost_sale_penalty", values: [1.0, 50.0])],"#;
    let file = scenario(dir.path(), 0.25, "", strategies, sweep);
    let out = run(&file, &dir.path().join("out"), &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("warning: the sweep over skus[item].lost_sale_penalty changed no result"), "{message}");
    assert!(message.contains("\"base\" and \"same-again\" produced identical results"), "{message}");
    assert!(!message.contains("\"other\""), "{message}");

    // A sweep that moves results but not every column names the column.
    let sweep = r#"sweep: [(path: "skus[item].backorder_penalty_per_day", values: [1.0, 50.0])],"#;
    let file = scenario(dir.path(), 0.25, "", FOUR, sweep);
    let out = run(&file, &dir.path().join("partial"), &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("leaves fill_rate, cycle_service, on_hand_end_mean, turns"), "{message}");
    assert!(!message.contains("identical"), "{message}");
}

#[test]
fn sweeping_an_enum_says_sweeps_are_numeric() {
    let dir = tempfile::tempdir().unwrap();
    let extra = r#"events: [(name: "outage", start_day: 20, days: 10, kind: SupplierOutage(supplier: "supplier"))],
    sweep: [(path: "events[outage].kind.in_transit", values: [Continue, Delay, Lose])],"#;
    let file = scenario(dir.path(), 0.25, "", FOUR, extra);
    let out = echelon(&["validate", file.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("sweep[0].values") && message.contains("sweeps are numeric"), "{message}");
    assert!(message.contains("--set events[outage].kind.in_transit=Delay"), "{message}");
}
