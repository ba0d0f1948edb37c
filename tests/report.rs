//! `report.html` and `charts/`: every strategy and every chart present, the
//! page self-contained, `echelon report` rebuilding it exactly, PNG output,
//! and a real headless browser rendering it without errors.

use std::path::Path;
use std::process::{Command, Output};

fn echelon(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echelon"))
        .args(args)
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn run(scenario: &str, dir: &Path, replications: &str) {
    let args = vec!["run", scenario, "--replications", replications, "--quiet", "--format", "json"];
    let mut args = args;
    args.push("--out");
    let out = echelon(&args, dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The ids of the page's figures.
fn figures(html: &str) -> Vec<String> {
    html.match_indices("<figure id=\"")
        .map(|(i, m)| html[i + m.len()..].split('"').next().unwrap().to_string())
        .collect()
}

const QUICKSTART_CHARTS: [&str; 8] = [
    "frontier",
    "fill-rate-by-replication",
    "total-cost-by-replication",
    "inventory-over-time",
    "backorders-over-time",
    "orders-over-time",
    "decision-latency",
    // (no sweep charts without a sweep)
    "",
];

#[test]
fn report_names_every_strategy_holds_every_chart_and_is_self_contained() {
    let tmp = tempfile::tempdir().unwrap();
    run("scenarios/quickstart.ron", tmp.path(), "3");
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    for strategy in ["base-stock", "min-max", "weekly-R-S", "reorder-r-Q"] {
        assert!(html.contains(strategy), "{strategy} missing");
    }
    let expected: Vec<&str> = QUICKSTART_CHARTS.iter().copied().filter(|c| !c.is_empty()).collect();
    assert_eq!(figures(&html), expected);
    assert_eq!(html.matches("<svg").count(), expected.len(), "each figure inlines its SVG");
    for chart in &expected {
        let svg = std::fs::read_to_string(tmp.path().join(format!("charts/{chart}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.len() > 2000, "{chart}.svg is empty");
    }
    for external in ["<link", "src=\"http", "href=\"http", "@import", "url(http", "<script src"] {
        assert!(!html.contains(external), "report.html refers outside itself: {external}");
    }
}

#[test]
fn echelon_report_rebuilds_the_same_page_and_draws_pngs() {
    let tmp = tempfile::tempdir().unwrap();
    run("scenarios/quickstart.ron", tmp.path(), "3");
    let page = tmp.path().join("report.html");
    let first = std::fs::read(&page).unwrap();
    std::fs::remove_file(&page).unwrap();
    std::fs::remove_dir_all(tmp.path().join("charts")).unwrap();
    let out = echelon(&["report", "--png"], tmp.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&page).unwrap() == first, "report.html differs after `echelon report`");
    for chart in QUICKSTART_CHARTS.iter().filter(|c| !c.is_empty()) {
        let png = std::fs::read(tmp.path().join(format!("charts/{chart}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000, "{chart}.png");
    }
}

#[test]
fn a_sweep_report_draws_each_metric_against_each_swept_parameter() {
    let tmp = tempfile::tempdir().unwrap();
    run("scenarios/disruption-sweep.ron", tmp.path(), "2");
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    let ids = figures(&html);
    for chart in ["sweep-0-fill_rate", "sweep-0-total_cost", "sweep-1-fill_rate", "sweep-1-total_cost"] {
        assert!(ids.iter().any(|id| id == chart), "{chart} missing from {ids:?}");
    }
    assert!(html.contains("<th>events[outage].days</th>"), "the sweep table lists the swept values");
    let svg = std::fs::read_to_string(tmp.path().join("charts/inventory-over-time.svg")).unwrap();
    assert!(svg.contains("\noutage\n") && svg.contains("\nshock\n"), "disruption windows are labelled");
}

#[test]
fn report_on_a_directory_without_results_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = echelon(&["report"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no results here"));
}

fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().find(|p| Path::new(p).exists())
}

/// Renders the page in headless Chromium: the page's own check finds every
/// chart drawn and non-empty, and the console shows no error. `.ci/run`
/// installs Debian's chromium and sets ECHELON_REQUIRE_BROWSER=1, so in CI a
/// missing browser fails instead of skipping.
#[test]
fn headless_chromium_renders_every_chart_without_errors() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("ECHELON_REQUIRE_BROWSER").is_none(), "chromium is required but not installed");
        eprintln!("skipped: chromium not installed (apt-get install chromium)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    run("scenarios/disruption-sweep.ron", tmp.path(), "2");
    let page = tmp.path().join("report.html");
    let profile = tmp.path().join("profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    let charts = figures(&std::fs::read_to_string(&page).unwrap()).len();
    assert!(
        dom.contains(&format!("data-chart-check=\"ok {charts}\"")),
        "chart check: {}",
        dom.lines().find(|l| l.contains("data-chart-check")).unwrap_or("no body")
    );
    let console_errors: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE") || l.contains("Uncaught")).collect();
    assert!(console_errors.is_empty(), "console: {console_errors:?}");
}
