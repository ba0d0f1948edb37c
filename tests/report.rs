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

const QUICKSTART_CHARTS: [&str; 9] = [
    "frontier",
    "fill-rate-by-replication",
    "total-cost-by-replication",
    "cost-breakdown",
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
    // Point 5 (outage 7 days): each point's windows are its own.
    let svg = std::fs::read_to_string(tmp.path().join("charts/inventory-over-time-p5.svg")).unwrap();
    assert!(svg.contains("\noutage\n") && svg.contains("\nshock\n"), "disruption windows are labelled");
    assert!(svg.contains("events[outage].days = 7"), "the chart names its point");
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

/// Renders the pages in headless Chromium: the page's own check finds every
/// chart drawn and non-empty and every table within the page's column, and
/// the console shows no error. `.ci/run`
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
    // A sweep (sections, selector, heatmaps), a study with customer
    // classes (the widest table) and one with the per-SKU view.
    let per_sku = per_sku_scenario(tmp.path());
    for (scenario, dir) in [
        ("scenarios/disruption-sweep.ron", "sweep"),
        ("scenarios/resilience-fallback.ron", "classes"),
        (per_sku.to_str().unwrap(), "per-sku"),
    ] {
        let dir = tmp.path().join(dir);
        run(scenario, &dir, "2");
        check_in_chromium(browser, &dir);
    }
}

/// Loads `dir/report.html` in headless Chromium: every chart drawn and
/// non-empty, no table wider than the page's column (the per-class table
/// used to overflow it), no console error.
fn check_in_chromium(browser: &str, dir: &Path) {
    let page = dir.join("report.html");
    let profile = dir.join("profile");
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
    let tables = std::fs::read_to_string(&page).unwrap().matches("<table").count();
    assert!(
        dom.contains(&format!("data-layout-check=\"ok {tables}\"")),
        "layout check: {}",
        dom.lines().find(|l| l.contains("data-layout-check")).unwrap_or("no body")
    );
    let console_errors: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE") || l.contains("Uncaught")).collect();
    assert!(console_errors.is_empty(), "console: {console_errors:?}");
}

/// The text of point `k`'s section.
fn section(html: &str, k: usize) -> &str {
    let open = format!("<section class=\"point\" data-point=\"{k}\">");
    let start = html.find(&open).unwrap_or_else(|| panic!("no section for point {k}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

/// The text of the table with id `id` in `html`.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!(" id=\"{id}\"")).unwrap_or_else(|| panic!("no table {id}"));
    let end = html[start..].find("</table>").unwrap() + start;
    &html[start..end]
}

/// A table cell's mean as the report writes it.
fn mean_text(v: f64) -> String {
    if v.abs() < 10.0 { format!("{v:.4}") } else { format!("{v:.1}") }
}

/// A sweep's report has a section per point (named by its values, chosen
/// with a selector), whose disruption and per-location tables hold that
/// point's figures (they used to show point 0 under every point), its own
/// charts, and a heatmap per headline metric whose cells are summary.json's
/// means.
#[test]
fn a_sweep_report_has_per_point_sections_tables_and_heatmaps_whose_figures_equal_summary_json() {
    let tmp = tempfile::tempdir().unwrap();
    run("scenarios/disruption-sweep.ron", tmp.path(), "2");
    let html = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("summary.json")).unwrap()).unwrap();
    let points = summary["points"].as_array().unwrap();
    assert_eq!(points.len(), 20);
    assert_eq!(html.matches("<option value=").count(), 20, "the selector offers every point");
    let label = |p: &serde_json::Value| -> String {
        let params = p["params"].as_object().unwrap();
        params.iter().map(|(k, v)| format!("{k} = {}", v.as_f64().unwrap())).collect::<Vec<_>>().join(", ")
    };
    let ids = figures(&html);
    let mut outage_short = std::collections::BTreeSet::new();
    for (k, p) in points.iter().enumerate() {
        let text = section(&html, k);
        assert!(text.contains(&format!("<h2>Point {}: {}</h2>", k + 1, label(p))), "point {k} is named");
        let disruptions = table(text, &format!("disruptions-p{k}"));
        let locations = table(text, &format!("locations-p{k}"));
        for s in p["strategies"].as_array().unwrap() {
            let name = s["name"].as_str().unwrap();
            let short = s["events"]["outage"]["units_short"]["mean"].as_f64().unwrap();
            outage_short.insert(mean_text(short));
            let row = format!(
                "<td class=\"name\">outage</td><td class=\"name\">{name}</td><td>1</td><td>{}",
                mean_text(short)
            );
            assert!(disruptions.contains(&row), "point {k}: {row} missing from {disruptions}");
            let fill = s["nodes"]["wh-west"]["fill_rate"]["mean"].as_f64().unwrap();
            let row = format!("<td class=\"name\">wh-west</td><td class=\"name\">{name}</td><td>{}", mean_text(fill));
            assert!(locations.contains(&row), "point {k}: {row} missing");
        }
        for chart in ["frontier", "cost-breakdown", "inventory-over-time", "decision-latency"] {
            let id = format!("{chart}-p{k}");
            assert!(text.contains(&format!("<figure id=\"{id}\">")), "{id} not in point {k}'s section");
            assert!(ids.contains(&id));
        }
    }
    assert!(outage_short.len() > 3, "the points' disruption figures differ: {outage_short:?}");
    // Heatmaps: columns = outage days, rows = shock multiplier.
    let days = [0.0, 7.0, 14.0, 21.0, 28.0];
    let multipliers = [1.0, 1.25, 1.5, 1.75];
    for key in ["fill_rate", "total_cost", "turns"] {
        for (s, strategy) in ["min-max", "base-stock", "lean-r-Q"].iter().enumerate() {
            let grid = table(&html, &format!("heatmap-{key}-{s}"));
            assert!(grid.contains(&format!("<caption>{strategy}</caption>")));
            let cells: Vec<f64> = grid
                .match_indices("data-value=\"")
                .map(|(i, m)| grid[i + m.len()..].split('"').next().unwrap().parse().unwrap())
                .collect();
            let mut expected = Vec::new();
            for y in multipliers {
                for x in days {
                    let p = points
                        .iter()
                        .find(|p| {
                            p["params"]["events[outage].days"].as_f64() == Some(x)
                                && p["params"]["events[shock].kind.multiplier"].as_f64() == Some(y)
                        })
                        .unwrap();
                    expected.push(p["strategies"][s]["metrics"][key]["mean"].as_f64().unwrap());
                }
            }
            assert_eq!(cells, expected, "heatmap {key} of {strategy}");
        }
    }
}

/// The executive summary opens the page: a verdict per headline metric,
/// the service–cost Pareto set (recomputed here from summary.json), and
/// two strategies with identical runs flagged as such.
#[test]
fn the_executive_summary_gives_verdicts_the_pareto_set_and_flags_identical_strategies() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.ron"))
        .unwrap()
        .replace(
            "    strategies: [\n",
            "    strategies: [\n        (name: \"twin\", replenishment: BaseStock(order_up_to: DaysOfCover(7.0))),\n",
        );
    let file = tmp.path().join("twins.ron");
    std::fs::write(&file, text).unwrap();
    let out_dir = tmp.path().join("out");
    run(file.to_str().unwrap(), &out_dir, "4");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("summary.json")).unwrap()).unwrap();
    let at = |h: &str| html.find(h).unwrap_or_else(|| panic!("{h} missing"));
    assert!(at("<h2>Executive summary</h2>") < at("<h2>Strategy comparison</h2>"));
    let start = at("<div class=\"summary\"");
    let block = &html[start..start + html[start..].find("</div>").unwrap()];
    assert_eq!(block.matches("<li>").count(), 6, "one verdict per headline metric");
    for metric in
        ["fill rate:", "cycle service:", "on hand end mean:", "turns:", "total cost:", "decision latency p95 min:"]
    {
        assert!(block.contains(&format!("<li>{metric}")), "{metric} missing");
    }
    let strategies = summary["points"][0]["strategies"].as_array().unwrap();
    let mean = |s: &serde_json::Value, k: &str| s["metrics"][k]["mean"].as_f64().unwrap();
    let front: Vec<&str> = strategies
        .iter()
        .filter(|a| {
            !strategies.iter().any(|b| {
                let (fa, ca, fb, cb) =
                    (mean(a, "fill_rate"), mean(a, "total_cost"), mean(b, "fill_rate"), mean(b, "total_cost"));
                fb >= fa && cb <= ca && (fb > fa || cb < ca)
            })
        })
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(!front.is_empty());
    assert!(block.contains(&format!("by another): {}.", front.join(", "))), "Pareto set {front:?} in {block}");
    assert!(
        block.contains("<b>Identical runs:</b> twin and base-stock produced identical results in every replication"),
        "{block}"
    );
    assert_eq!(block.matches("Identical runs").count(), 1, "only the twins are identical");
}

/// Quickstart with per-SKU results kept, a SKU per ABC class, written
/// into `dir`.
fn per_sku_scenario(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.ron"))
        .unwrap()
        .replace(
            "    strategies: [\n",
            "    scorecard: Some((per_sku: true, abc: {\"drill\": A, \"bits\": B, \"gloves\": C})),\n    strategies: [\n",
        );
    let file = dir.join("per-sku.ron");
    std::fs::write(&file, text).unwrap();
    file
}

/// With per-SKU results the report shows every SKU metric per ABC class
/// (summary.json's `abc` figures) and, per strategy, the SKU-locations
/// with the most units short, ranked and figured from skus.csv; `echelon
/// report` rebuilds the same page from runs.jsonl. Without them the view
/// is absent.
#[test]
fn the_per_sku_view_ranks_skus_by_units_short_from_skus_csv_and_shows_abc_service_from_summary_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    run(per_sku_scenario(tmp.path()).to_str().unwrap(), &out_dir, "3");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("summary.json")).unwrap()).unwrap();
    let strategies = summary["points"][0]["strategies"].as_array().unwrap();
    // Per ABC class: every SKU metric, summary.json's mean ("—" when undefined).
    let abc = table(&html, "abc-p0");
    let keys = echelon::reports::html::ABC_SERVICE;
    let mut defined = 0;
    for class in ["A", "B", "C"] {
        for s in strategies {
            let name = s["name"].as_str().unwrap();
            let figures = &s["abc"][class];
            let cells: Vec<String> = keys
                .iter()
                .map(|k| {
                    figures[*k]["mean"].as_f64().map_or("—".to_string(), |v| {
                        defined += 1;
                        mean_text(v)
                    })
                })
                .collect();
            let row = format!("<tr><td>{class}</td><td class=\"name\">{name}</td><td>{}", cells[0]);
            let at = abc.find(&row).unwrap_or_else(|| panic!("{row} missing from {abc}"));
            let line = &abc[at..at + abc[at..].find("</tr>").unwrap()];
            let mut from = 0;
            for cell in &cells {
                let pos = line[from..].find(&format!("<td>{cell}")).unwrap_or_else(|| panic!("{cell} in {line}"));
                from += pos + 4;
            }
        }
    }
    assert_eq!(defined, 3 * strategies.len() * keys.len(), "every class holds a SKU");
    // The most units short: from skus.csv, per strategy, mean over
    // replications of demand_mean × (1 − fill_rate), largest first.
    let mut reader = csv::Reader::from_path(out_dir.join("skus.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |k: &str| header.iter().position(|h| h == k).unwrap();
    let (strategy, location, sku, fill, demand) =
        (col("strategy"), col("location"), col("sku"), col("fill_rate"), col("demand_mean"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let short = html.find("id=\"short-skus-p0\"").unwrap();
    let shorts = table(&html, "short-skus-p0");
    assert!(short > html.find("id=\"abc-p0\"").unwrap());
    let mut distinct = std::collections::BTreeSet::new();
    for s in strategies {
        let name = s["name"].as_str().unwrap();
        // (location, sku) → per-replication units short, in replication order.
        let mut per_sku: Vec<((String, String), Vec<f64>)> = Vec::new();
        for r in rows.iter().filter(|r| &r[strategy] == name) {
            let key = (r[location].to_string(), r[sku].to_string());
            let value = match r[fill].parse::<f64>() {
                Ok(f) => r[demand].parse::<f64>().unwrap() * (1.0 - f),
                Err(_) => 0.0,
            };
            match per_sku.iter_mut().find(|(k, _)| *k == key) {
                Some((_, values)) => values.push(value),
                None => per_sku.push((key, vec![value])),
            }
        }
        assert_eq!(per_sku.len(), 6, "every SKU-location of {name}");
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        per_sku.sort_by(|a, b| mean(&b.1).total_cmp(&mean(&a.1)));
        let expected: Vec<String> = per_sku
            .iter()
            .map(|((l, k), v)| {
                distinct.insert(mean_text(mean(v)));
                format!(
                    "<tr><td class=\"name\">{name}</td><td class=\"name\">{l}</td><td class=\"name\">{k}</td><td>{}",
                    mean_text(mean(v))
                )
            })
            .collect();
        let found: Vec<usize> =
            expected.iter().map(|e| shorts.find(e.as_str()).unwrap_or_else(|| panic!("{e} missing"))).collect();
        assert!(found.windows(2).all(|w| w[0] < w[1]), "{name}: rows in order of units short");
    }
    assert!(distinct.len() > 6, "the figures differ by SKU and strategy: {distinct:?}");
    // `echelon report` rebuilds it; without per-SKU results there is no view.
    std::fs::remove_file(out_dir.join("report.html")).unwrap();
    let out = echelon(&["report"], &out_dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(out_dir.join("report.html")).unwrap(), html);
    let plain = tmp.path().join("plain");
    run("scenarios/quickstart.ron", &plain, "2");
    let html = std::fs::read_to_string(plain.join("report.html")).unwrap();
    assert!(!html.contains("<h2>Per SKU") && !html.contains("short-skus"), "no per-SKU view without per-SKU results");
}

/// The per-lane table lists every lane metric per lane (`<from>-><to>`,
/// escaped) with each strategy's mean from summary.json, in strategy order.
#[test]
fn the_per_lane_table_shows_every_lanes_realised_lead_time_as_summary_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    run("scenarios/quickstart.ron", &out_dir, "3");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("summary.json")).unwrap()).unwrap();
    let strategies = summary["points"][0]["strategies"].as_array().unwrap();
    let lanes = table(&html, "lanes-p0");
    let ids: Vec<&String> = strategies[0]["lanes"].as_object().unwrap().keys().collect();
    assert_eq!(ids.len(), 2, "the quickstart's two lanes");
    for lane in ids {
        for metric in echelon::sim::metrics::LANE_METRICS {
            let head = format!(
                "<tr><td class=\"name\">{}</td><td class=\"name\">{}</td>",
                lane.replace('>', "&gt;"),
                metric.key.replace('_', " ")
            );
            let at = lanes.find(&head).unwrap_or_else(|| panic!("{head} missing from {lanes}"));
            let line = &lanes[at..at + lanes[at..].find("</tr>").unwrap()];
            let mut from = head.len();
            for s in strategies {
                let mean = s["lanes"][lane.as_str()][metric.key]["mean"].as_f64().expect("defined");
                let cell = format!("<td>{}", mean_text(mean));
                from += line[from..].find(&cell).unwrap_or_else(|| panic!("{cell} in {line}")) + cell.len();
            }
        }
    }
}
