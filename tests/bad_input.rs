//! Bad input gets a clear error: exit code 2, one message on stderr naming
//! the file, line:col where known, the field path and what would be valid;
//! no panic text; no output directory written.

use std::path::{Path, PathBuf};
use std::process::Command;

const QUICKSTART: &str = include_str!("../scenarios/quickstart.ron");
const SWEEP: &str = include_str!("../scenarios/disruption-sweep.ron");
const REGIONAL: &str = include_str!("../scenarios/regional-network.ron");
/// The quickstart's first SKU line (substitution cases edit it).
const DRILL: &str = "backorder_penalty_per_day: 2.0),\n        (id: \"bits\",";

struct Case {
    name: &'static str,
    content: Vec<u8>,
    /// Substrings the message must contain.
    expect: &'static [&'static str],
}

fn edit(from: &str, to: &str) -> Vec<u8> {
    edit_in(QUICKSTART, from, to)
}

fn edit_in(base: &str, from: &str, to: &str) -> Vec<u8> {
    assert!(base.contains(from), "the bundled scenario no longer contains {from:?}");
    base.replacen(from, to, 1).into_bytes()
}

/// The quickstart with an empty SKU list.
fn without_skus() -> Vec<u8> {
    let mut text = QUICKSTART.to_string();
    for id in ["drill", "bits", "gloves"] {
        let start = text.find(&format!("(id: \"{id}\",")).expect("the quickstart lists the SKU");
        let end = start + text[start..].find('\n').expect("one SKU per line") + 1;
        text.replace_range(start..end, "");
    }
    text.into_bytes()
}

fn with_event(event: &str) -> Vec<u8> {
    edit("    strategies: [", &format!("    events: [{event}],\n    strategies: ["))
}

fn cases() -> Vec<Case> {
    vec![
        Case { name: "empty", content: Vec::new(), expect: &["is empty"] },
        Case { name: "binary", content: vec![0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3], expect: &["binary"] },
        Case { name: "json", content: b"{\"name\": \"x\"}".to_vec(), expect: &["looks like JSON", ":1:1"] },
        Case {
            name: "truncated",
            content: QUICKSTART.as_bytes()[..QUICKSTART.len() / 2].to_vec(),
            expect: &["truncated"],
        },
        Case {
            name: "unbalanced",
            content: edit("(id: \"wh-north\"), ", "(id: \"wh-north\")), "),
            expect: &["locations"],
        },
        Case {
            name: "service-target-outside-0-1",
            content: edit(
                "replenishment: BaseStock(order_up_to: DaysOfCover(7.0))",
                "replenishment: ForecastOrderUpTo(forecast: Ses(alpha: 0.2), service_target: 1.0)",
            ),
            expect: &[":47:92", "strategies[0].replenishment.service_target", "strictly between 0 and 1"],
        },
        Case {
            name: "smoothing-constant-outside-0-1",
            content: edit(
                "replenishment: BaseStock(order_up_to: DaysOfCover(7.0))",
                "replenishment: ForecastOrderUpTo(forecast: Holt(alpha: 0.2, beta: 1.5), service_target: 0.9)",
            ),
            expect: &["strategies[0].replenishment.forecast.beta", "(0, 1]", "got 1.5"],
        },
        Case {
            name: "negative-sla",
            content: edit_in(
                REGIONAL,
                r#"(name: "contract", tier: 1)"#,
                r#"(name: "contract", tier: 1, sla_days: -2.0)"#,
            ),
            expect: &["classes[0].sla_days", "≥ 0", "got -2"],
        },
        Case {
            name: "margin-weighted-without-margins",
            content: edit_in(REGIONAL, "allocation: FairShare", "allocation: MarginWeighted"),
            expect: &["strategies[1].allocation", "no class gives one", "margin:"],
        },
        Case {
            name: "unknown-class",
            content: edit_in(REGIONAL, r#"(class: "ecommerce", share: 0.4)"#, r#"(class: "retail", share: 0.4)"#),
            expect: &["catalogue[0].classes[1].class", "unknown class", "retail", "ecommerce"],
        },
        Case {
            name: "tier-zero",
            content: edit_in(REGIONAL, r#"(name: "contract", tier: 1)"#, r#"(name: "contract", tier: 0)"#),
            expect: &["classes[0].tier", "tiers start at 1"],
        },
        Case {
            name: "negative-patience",
            content: edit_in(REGIONAL, r#"(name: "contract", tier: 1)"#, r#"(name: "contract", patience_days: -1.0)"#),
            expect: &["classes[0].patience_days", "≥ 0", "got -1"],
        },
        Case {
            name: "planner-capacity-zero",
            content: edit(
                "    strategies: [",
                "    governance: (approval_above: 500.0, approvals_per_day: 0, approval_delay: Constant(hours: 2.0)),\n    strategies: [",
            ),
            expect: &["governance.approvals_per_day", "planner capacity 0", "at least 1 approval a day"],
        },
        Case {
            name: "working-hours-reversed",
            content: edit(
                "    strategies: [",
                "    governance: (approval_above: 500.0, approvals_per_day: 5, working_hours: (start: 17.0, end: 8.0), \
                 approval_delay: Constant(hours: 2.0)),\n    strategies: [",
            ),
            expect: &["governance.working_hours", "0 ≤ start < end ≤ 24"],
        },
        Case {
            name: "stale-data-too-old",
            content: with_event(r#"(start_day: 10, days: 5, kind: StaleData(hours: 1000.0))"#),
            expect: &["events[0].kind.hours", "≤ 720", "got 1000"],
        },
        Case {
            name: "negative-visibility-delay",
            content: edit("    strategies: [", "    visibility_delay_hours: -3.0,\n    strategies: ["),
            expect: &["visibility_delay_hours", "≥ 0", "got -3"],
        },
        Case {
            name: "fallback-referring-to-a-fallback",
            content: edit(
                "replenishment: BaseStock(order_up_to: DaysOfCover(7.0))",
                "replenishment: Fallback(primary: ForecastOrderUpTo(forecast: Ses(alpha: 0.2), service_target: 0.9), \
                 fallback: Fallback(primary: ForecastOrderUpTo(forecast: Ses(alpha: 0.2), service_target: 0.9), \
                 fallback: BaseStock(order_up_to: DaysOfCover(7.0))))",
            ),
            expect: &["strategies[0].replenishment.fallback", "cannot contain another Fallback"],
        },
        Case {
            name: "fallback-that-never-falls-back",
            content: edit(
                "replenishment: BaseStock(order_up_to: DaysOfCover(7.0))",
                "replenishment: Fallback(primary: BaseStock(order_up_to: DaysOfCover(7.0)), \
                 fallback: BaseStock(order_up_to: DaysOfCover(9.0)))",
            ),
            expect: &["strategies[0].replenishment.primary", "never take over", "stale_after_hours"],
        },
        Case {
            name: "unknown-field",
            content: edit("horizon_days: 395", "horizon_day: 395"),
            expect: &[":14:", "unknown field `horizon_day`", "did you mean `horizon_days`"],
        },
        Case {
            name: "unknown-strategy",
            content: edit("BaseStock(order_up_to", "BaseStok(order_up_to"),
            expect: &[
                "strategies[0].replenishment",
                "unknown strategy `BaseStok`",
                "did you mean `BaseStock`",
                "MinMax",
            ],
        },
        Case {
            name: "unknown-distribution",
            content: edit("model: Poisson(mean: 3.0)", "model: Poison(mean: 3.0)"),
            expect: &["demand[0].model", "unknown demand distribution `Poison`", "NegativeBinomial"],
        },
        Case {
            name: "negative-mean",
            content: edit("Poisson(mean: 3.0)", "Poisson(mean: -3.0)"),
            expect: &["demand[0].model.mean", "zero or more"],
        },
        Case {
            name: "nan-mean",
            content: edit("Poisson(mean: 3.0)", "Poisson(mean: NaN)"),
            expect: &["demand[0].model.mean", "finite"],
        },
        Case {
            name: "negative-sd",
            content: edit("Normal(mean: 40.0, sd: 12.0)", "Normal(mean: 40.0, sd: -12.0)"),
            expect: &["demand[2].model.sd", "zero or more"],
        },
        Case {
            name: "s-not-below-S",
            content: edit(
                "reorder_point: DaysOfCover(6.0), order_up_to: DaysOfCover(12.0)",
                "reorder_point: DaysOfCover(12.0), order_up_to: DaysOfCover(6.0)",
            ),
            expect: &["strategies[1].replenishment.reorder_point", "s < S", ":48:54:"],
        },
        Case {
            name: "negative-lead-time",
            content: edit("Uniform(min_days: 3, max_days: 6)", "Constant(days: -2.0)"),
            expect: &["lanes[1].lead_time.days", "zero or more"],
        },
        Case {
            name: "horizon-not-above-warmup",
            content: edit("horizon_days: 395, warmup_days: 30", "horizon_days: 30, warmup_days: 30"),
            expect: &["experiment.horizon_days", "must exceed warmup_days"],
        },
        Case {
            name: "zero-replications",
            content: edit("replications: 20", "replications: 0"),
            expect: &["experiment.replications", "at least 1"],
        },
        Case {
            name: "overflowing-quantity",
            content: edit("DaysOfCover(7.0)", "Units(99999999999999999)"),
            expect: &["strategies[0].replenishment.order_up_to", "too large"],
        },
        Case {
            name: "integer-out-of-range",
            content: edit("horizon_days: 395", "horizon_days: 99999999999999"),
            expect: &["experiment.horizon_days", "out of range"],
        },
        Case {
            name: "huge-mean",
            content: edit("Poisson(mean: 3.0)", "Poisson(mean: 1e15)"),
            expect: &["demand[0].model.mean", "too large"],
        },
        Case {
            name: "unknown-location",
            content: edit("to: \"wh-south\"", "to: \"wh-sooth\""),
            expect: &["lanes[1].to", "unknown location \"wh-sooth\"", "\"wh-north\""],
        },
        Case {
            name: "location-without-source",
            content: edit(
                "        (from: \"acme-tools\", to: \"wh-south\", lead_time: Uniform(min_days: 3, max_days: 6), cost_per_unit: 0.35),\n",
                "",
            ),
            expect: &["locations[1]", "has no source"],
        },
        Case {
            name: "cycle",
            content: edit_in(
                REGIONAL,
                "(from: \"supplier-b\", to: \"dc-central\",",
                "(from: \"wh-north\", to: \"dc-central\",",
            ),
            expect: &["lanes", "form a cycle", "dc-central → wh-north → dc-central"],
        },
        Case {
            name: "lane-unknown-node",
            content: edit_in(
                REGIONAL,
                "(from: \"dc-central\", to: \"wh-east\",",
                "(from: \"dc-centre\", to: \"wh-east\",",
            ),
            expect: &["lanes[3].from", "unknown supplier or location \"dc-centre\"", "\"dc-central\""],
        },
        Case {
            name: "node-without-source",
            content: edit_in(REGIONAL, "(id: \"wh-metro\"),", "(id: \"wh-metro\"), (id: \"wh-orphan\"),"),
            expect: &["locations[7]", "\"wh-orphan\" has no source"],
        },
        Case {
            name: "event-unknown-node",
            content: edit_in(
                REGIONAL,
                "kind: SupplierOutage(supplier: \"supplier-a\"",
                "kind: SupplierOutage(supplier: \"supplier-z\"",
            ),
            expect: &["events[2].kind.supplier", "unknown supplier \"supplier-z\""],
        },
        Case {
            name: "negative-capacity",
            content: edit_in(REGIONAL, "capacity_per_day: 40000", "capacity_per_day: -5"),
            expect: &["suppliers[1].capacity_per_day", "≥ 0"],
        },
        Case {
            name: "empirical-zero-weights",
            content: edit("Uniform(min_days: 3, max_days: 6)", "Empirical(days: [2.0, 4.0], weights: [0.0, -1.0])"),
            expect: &["lanes[1].lead_time.weights"],
        },
        Case {
            name: "history-missing",
            content: edit("    strategies: [", "    history: (file: \"no-such.csv\"),\n    strategies: ["),
            expect: &["history.file", "no such file", "no-such.csv"],
        },
        Case {
            name: "gate-unknown-metric",
            content: edit(
                "    strategies: [",
                "    gate: (tolerances: {\"fill_rat\": Absolute(0.01)}),\n    strategies: [",
            ),
            expect: &["gate.tolerances.fill_rat", "unknown metric", "did you mean \"fill_rate\""],
        },
        Case {
            name: "event-unknown-supplier",
            content: with_event(r#"(start_day: 50, days: 5, kind: SupplierOutage(supplier: "acme"))"#),
            expect: &["events[0].kind.supplier", "unknown supplier \"acme\"", "\"acme-tools\""],
        },
        Case {
            name: "event-outside-horizon",
            content: with_event(r#"(start_day: 400, days: 5, kind: DemandShock(multiplier: 2.0))"#),
            expect: &["events[0].start_day", "outside the horizon", "395"],
        },
        Case {
            name: "event-bad-multiplier",
            content: with_event(r#"(start_day: 40, kind: DemandShock(location: "wh-north", multiplier: 0.0))"#),
            expect: &["events[0].kind.multiplier", "above 0"],
        },
        Case {
            name: "sweep-path-names-nothing",
            content: edit_in(SWEEP, "events[outage].days\"", "events[outage].dayz\""),
            expect: &["sweep[0].path", "names no parameter", "did you mean events[outage].days"],
        },
        Case {
            name: "sweep-wrong-type",
            content: edit_in(
                SWEEP,
                "(path: \"events[outage].days\", values: [0, 7, 14, 21, 28])",
                "(path: \"events[outage].days\", values: [0, 7.5])",
            ),
            expect: &["sweep[0]", "7.5", "does not fit", "a whole number"],
        },
        Case {
            name: "per-sku-unknown-key",
            content: edit(
                "BaseStock(order_up_to: DaysOfCover(7.0))",
                "BaseStock(order_up_to: PerSku({\"drill\": 50, \"bits\": 60, \"gloves\": 40, \"dril\": 7}))",
            ),
            expect: &[
                "strategies[0].replenishment.order_up_to",
                "PerSku lists \"dril\", which is no SKU of the scenario; did you mean \"drill\"?",
            ],
        },
        Case {
            name: "no-skus-at-all",
            content: without_skus(),
            expect: &["unknown SKU \"drill\": the scenario lists none"],
        },
        Case {
            name: "sweep-over-the-experiment",
            content: edit_in(
                SWEEP,
                "(path: \"events[outage].days\", values: [0, 7, 14, 21, 28])",
                "(path: \"experiment.replications\", values: [1, 3])",
            ),
            expect: &["sweep[0].path", "\"experiment.replications\" cannot be swept", "--set"],
        },
        Case {
            name: "sweep-empty-range",
            content: edit_in(SWEEP, "from: 1.0, to: 1.75", "from: 1.75, to: 1.0"),
            expect: &["sweep[1].range", "empty"],
        },
        Case {
            name: "continuous-review-with-daily-demand",
            content: edit("order_quantity: DaysOfCover(5.0))", "order_quantity: DaysOfCover(5.0), review: Continuous)"),
            expect: &[
                ":50:135",
                "strategies[3].replenishment.review",
                "continuous review",
                "\"wh-north\" has daily-batch demand (demand[0])",
                "Orders(rate_per_day",
            ],
        },
        Case {
            name: "one-for-one-with-daily-demand",
            content: edit("BaseStock(order_up_to: DaysOfCover(7.0))", "OneForOne(base_stock: DaysOfCover(7.0))"),
            expect: &[":47:32", "strategies[0].replenishment:", "needs event-driven demand", "BaseStock instead"],
        },
        Case {
            name: "substitute-unknown",
            content: edit(DRILL, &DRILL.replace("2.0),", "2.0, substitutes: [(sku: \"hammer\")]),")),
            expect: &[":19:142", "skus[0].substitutes[0].sku", "unknown SKU \"hammer\"", "valid: \"bits\", \"drill\""],
        },
        Case {
            name: "substitute-stocked-nowhere",
            content: edit(
                DRILL,
                &DRILL.replace("2.0),", "2.0, substitutes: [(sku: \"saw\")]),\n        (id: \"saw\", unit_cost: 9.0),"),
            ),
            expect: &[
                ":19:142",
                "skus[0].substitutes[0].sku",
                "substitute \"saw\" is stocked at no location where \"drill\" has customer demand at \"wh-north\", \"wh-south\"",
            ],
        },
        Case {
            name: "substitution-cycle",
            content: edit_in(
                &String::from_utf8(edit(DRILL, &DRILL.replace("2.0),", "2.0, substitutes: [(sku: \"bits\")]),")))
                    .unwrap(),
                "backorder_penalty_per_day: 0.2)",
                "backorder_penalty_per_day: 0.2, substitutes: [(sku: \"gloves\"), (sku: \"drill\", cost_per_unit: 1.0)])",
            ),
            expect: &[
                ":20:159",
                "skus[1].substitutes[1].sku",
                "substitution cycle drill → bits → drill",
                "must not lead back",
            ],
        },
        Case {
            name: "return-share-outside-0-1",
            content: edit(
                "    suppliers: [",
                "    classes: [(name: \"web\", returns: (share: 1.5, delay: Constant(days: 3.0)))],\n    suppliers: [",
            ),
            expect: &[":24:39", "classes[0].returns.share", "between 0 and 1, got 1.5"],
        },
        Case {
            name: "catalogue-shares",
            content: edit_in(SWEEP, "count: 60, seed: 11,", "count: 60, seed: 11, shares: (a: 0.5, b: 0.5, c: 0.5),"),
            expect: &["catalogue[0].shares", "must be 1"],
        },
        Case {
            name: "catalogue-unknown-location",
            content: edit_in(SWEEP, "count: 60, seed: 11,", "count: 60, seed: 11, locations: [\"wh-mars\"],"),
            expect: &["catalogue[0].locations[0]", "unknown location \"wh-mars\""],
        },
        Case {
            name: "moq-above-max-order",
            content: edit(
                "(id: \"drill\",  unit_cost: 60.0,",
                "(id: \"drill\",  min_order: 50, max_order: 40, unit_cost: 60.0,",
            ),
            expect: &[
                ":19:24",
                "skus[0].min_order",
                "minimum order quantity 50 is above max_order 40",
                "min_order ≤ max_order",
            ],
        },
        Case {
            name: "case-pack-zero",
            content: edit("(id: \"bits\",   unit_cost: 4.0,", "(id: \"bits\",   case_pack: 0, unit_cost: 4.0,"),
            expect: &[":20:24", "skus[1].case_pack", "a case pack must be a whole number of units from 1", "got 0"],
        },
        Case {
            name: "no-order-fits-the-order-rules",
            content: edit(
                "(id: \"drill\",  unit_cost: 60.0,",
                "(id: \"drill\",  min_order: 10, case_pack: 6, max_order: 11, unit_cost: 60.0,",
            ),
            expect: &["skus[0].max_order", "no order fits", "1 whole case pack(s) of 6", "valid: max_order ≥ 12"],
        },
        Case {
            name: "capacity-below-a-case-pack",
            content: edit_in(
                std::str::from_utf8(&edit(
                    "(id: \"drill\",  unit_cost: 60.0,",
                    "(id: \"drill\",  case_pack: 24, unit_cost: 60.0,",
                ))
                .unwrap(),
                "(id: \"wh-north\")",
                "(id: \"wh-north\", capacity: 12)",
            ),
            expect: &[
                ":25:34",
                "locations[0].capacity",
                "capacity 12 units is below one case pack of SKU \"drill\" (24 units)",
                "at least 24 units",
            ],
        },
        Case {
            name: "volume-zero",
            content: edit("(id: \"bits\",   unit_cost: 4.0,", "(id: \"bits\",   volume: 0, unit_cost: 4.0,"),
            expect: &[":20:24", "skus[1].volume", "a unit's volume must be a finite number above 0", "got 0"],
        },
        Case {
            name: "volume-capacity-with-a-sku-without-volume",
            content: edit("(id: \"wh-north\")", "(id: \"wh-north\", capacity_volume: 100)"),
            expect: &[
                ":25:34",
                "locations[0].capacity_volume",
                "stocks SKU \"drill\", which has no volume",
                "valid: give every SKU stocked here a volume per unit",
            ],
        },
        Case {
            name: "volume-capacity-below-a-case-pack",
            content: [
                ("(id: \"drill\",  unit_cost: 60.0,", "(id: \"drill\",  case_pack: 24, volume: 0.5, unit_cost: 60.0,"),
                ("(id: \"bits\",   unit_cost: 4.0,", "(id: \"bits\",   volume: 0.1, unit_cost: 4.0,"),
                ("(id: \"gloves\", unit_cost", "(id: \"gloves\", volume: 0.2, unit_cost"),
                ("(id: \"wh-north\")", "(id: \"wh-north\", capacity_volume: 10)"),
            ]
            .iter()
            .fold(QUICKSTART.to_string(), |text, (from, to)| String::from_utf8(edit_in(&text, from, to)).unwrap())
            .into_bytes(),
            expect: &[
                ":25:34",
                "locations[0].capacity_volume",
                "below the volume of one case pack of SKU \"drill\" (24 units × 0.5 = 12)",
                "valid: at least 12",
            ],
        },
        Case {
            name: "truck-minimum-above-lane-capacity",
            content: edit(
                "cost_per_unit: 0.30),",
                "cost_per_unit: 0.30, capacity_per_day: 50, trucks: (units: 100, min_load: 80)),",
            ),
            expect: &[
                ":29:158",
                "lanes[0].trucks.min_load",
                "truck minimum 80 units is above the lane's capacity_per_day 50",
                "valid: min_load ≤ 50",
            ],
        },
        Case {
            name: "truck-minimum-above-a-truck",
            content: edit("cost_per_unit: 0.30),", "cost_per_unit: 0.30, trucks: (units: 100, min_load: 120)),"),
            expect: &["lanes[0].trucks.min_load", "above a truck's 100 units", "valid: 0 to 100"],
        },
    ]
}

fn run(args: &[&std::ffi::OsStr], cwd: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_echelon")).args(args).current_dir(cwd).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn assert_clean_failure(code: i32, stderr: &str, what: &str) {
    assert_eq!(code, 2, "{what}: exit code; stderr: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{what}: panic text: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{what}: one message expected: {stderr}");
}

#[test]
fn every_bad_scenario_is_rejected_with_a_located_message_by_validate_and_run() {
    let tmp = tempfile::tempdir().unwrap();
    for case in cases() {
        let file: PathBuf = tmp.path().join(format!("{}.ron", case.name));
        std::fs::write(&file, &case.content).unwrap();
        for command in ["validate", "run"] {
            let (code, stderr) = run(&[command.as_ref(), file.as_os_str()], tmp.path());
            let what = format!("{} ({command})", case.name);
            assert_clean_failure(code, &stderr, &what);
            assert!(stderr.contains(&format!("{}.ron", case.name)), "{what}: names no file: {stderr}");
            for needle in case.expect {
                assert!(stderr.contains(needle), "{what}: expected {needle:?} in: {stderr}");
            }
        }
        assert!(!tmp.path().join("results").exists(), "{}: an output directory was written", case.name);
    }
}

#[test]
fn missing_file_and_directory_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stderr) = run(&["run".as_ref(), "nope.ron".as_ref()], tmp.path());
    assert_clean_failure(code, &stderr, "missing");
    assert!(stderr.contains("nope.ron: no such file"), "{stderr}");
    let (code, stderr) = run(&["validate".as_ref(), tmp.path().as_os_str()], tmp.path());
    assert_clean_failure(code, &stderr, "directory");
    assert!(stderr.contains("is a directory"), "{stderr}");
}

#[test]
fn bad_command_line_values_exit_2() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for args in [
        vec!["run", "scenarios/quickstart.ron", "--replications", "0"],
        vec!["run", "scenarios/quickstart.ron", "--threads", "0"],
        vec!["run", "scenarios/quickstart.ron", "--format", "xml"],
        vec!["run", "scenarios/quickstart.ron", "--precision", "fill_rate=0.01", "--max-replications", "0"],
        // Given twice: refused, not one of them silently ignored.
        vec!["run", "scenarios/quickstart.ron", "--replications", "3", "--set", "experiment.replications=4"],
        vec!["run", "scenarios/quickstart.ron", "--seed", "3", "--set", "experiment.seed=4"],
        vec!["frobnicate"],
    ] {
        let os: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        let out = Command::new(env!("CARGO_BIN_EXE_echelon")).args(&os).current_dir(root).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn bad_set_overrides_name_the_path_and_suggest_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (setting, expect) in [
        ("events[outage].dayz=3", "did you mean events[outage].days"),
        ("events[outage].days=3.5", "does not fit"),
        ("experiment.seed", "expected PATH=VALUE"),
        ("strategies[min-max].replenishment=4", "names a group of values"),
        ("locations[0]=5", "names a group of values, not one; e.g. locations[wh-east]"),
        // A value the file would refuse is blamed on the setting, not on a line of the file.
        ("experiment.horizon_days=0", "(the value given by --set experiment.horizon_days=0)"),
        // A swept parameter cannot be set: the sweep would win.
        ("events[outage].days=7", "--set events[outage].days: the sweep varies it (sweep[0])"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_echelon"))
            .args(["run", "scenarios/disruption-sweep.ron", "--set", setting])
            .current_dir(root)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_clean_failure(out.status.code().unwrap_or(-1), &stderr, setting);
        assert!(stderr.contains(expect), "{setting}: expected {expect:?} in: {stderr}");
    }
}

#[test]
fn the_bundled_scenarios_validate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in [
        "scenarios/quickstart.ron",
        "scenarios/bench-single-location.ron",
        "scenarios/disruption-sweep.ron",
        "scenarios/distributor.ron",
        "scenarios/golden/C01.ron",
    ] {
        let out =
            Command::new(env!("CARGO_BIN_EXE_echelon")).args(["validate", file]).current_dir(root).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{file}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("valid"));
    }
}
