//! `runs.parquet`: one row per (run, scope, scope id, metric), every scope,
//! figures equal to those behind `summary.json`, undefined values null, the
//! same bytes for any thread count; the run log's header names every
//! metric key of every scope.

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

fn run(dir: &Path, threads: &str) {
    run_with(dir, threads, &[]);
}

fn run_with(dir: &Path, threads: &str, extra: &[&str]) {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/regional-network.ron");
    let out = Command::new(env!("CARGO_BIN_EXE_echelon"))
        .args(["run", scenario.to_str().unwrap(), "--out", dir.to_str().unwrap(), "-q", "--replications", "2"])
        .args(["--threads", threads, "--set", "experiment.horizon_days=280"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// (point, strategy, replication, scope, scope_id, metric, value).
type Row = (i64, String, i64, String, String, String, Option<f64>);

fn rows(path: &Path) -> Vec<Row> {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let names: Vec<String> =
        reader.metadata().file_metadata().schema_descr().columns().iter().map(|c| c.name().to_string()).collect();
    assert_eq!(names, ["point", "strategy", "replication", "scope", "scope_id", "metric", "value"]);
    reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            let row = row.unwrap();
            let fields: Vec<&Field> = row.get_column_iter().map(|(_, f)| f).collect();
            let text = |f: &Field| match f {
                Field::Str(s) => s.clone(),
                other => panic!("not a string: {other:?}"),
            };
            let long = |f: &Field| match f {
                Field::Long(v) => *v,
                other => panic!("not an int64: {other:?}"),
            };
            let value = match fields[6] {
                Field::Double(v) => Some(*v),
                Field::Null => None,
                other => panic!("not a double: {other:?}"),
            };
            (
                long(fields[0]),
                text(fields[1]),
                long(fields[2]),
                text(fields[3]),
                text(fields[4]),
                text(fields[5]),
                value,
            )
        })
        .collect()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[test]
fn runs_parquet_figures_equal_the_inputs_of_summary_json_in_every_scope() {
    let tmp = tempfile::tempdir().unwrap();
    run(tmp.path(), "2");
    let rows = rows(&tmp.path().join("runs.parquet"));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("summary.json")).unwrap()).unwrap();
    let strategies = summary["points"][0]["strategies"].as_array().unwrap();
    // Per (strategy, scope, scope_id, metric): the values of the runs.
    let mut groups: BTreeMap<(String, String, String, String), Vec<Option<f64>>> = BTreeMap::new();
    for (point, strategy, _, scope, id, metric, value) in &rows {
        assert_eq!(*point, 0);
        groups.entry((strategy.clone(), scope.clone(), id.clone(), metric.clone())).or_default().push(*value);
    }
    let mut checked = BTreeMap::<&str, usize>::new();
    for s in strategies {
        let name = s["name"].as_str().unwrap();
        let compare = |scope: &str, id: &str, metric: &str, stat: &Value| {
            let Some(expected) = stat["mean"].as_f64() else { return false };
            let values = &groups[&(name.to_string(), scope.to_string(), id.to_string(), metric.to_string())];
            assert_eq!(values.len(), 2, "{name} {scope} {id} {metric}: one row per replication");
            let defined: Vec<f64> = values.iter().flatten().copied().collect();
            let got = mean(&defined);
            assert!(
                (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
                "{name} {scope} {id} {metric}: parquet mean {got}, summary.json {expected}"
            );
            true
        };
        for (metric, stat) in s["metrics"].as_object().unwrap() {
            if compare("network", "", metric, stat) {
                *checked.entry("network").or_default() += 1;
            }
        }
        for (node, metrics) in s["nodes"].as_object().unwrap() {
            for (metric, stat) in metrics.as_object().unwrap() {
                if compare("location", node, metric, stat) {
                    *checked.entry("location").or_default() += 1;
                }
            }
        }
        for (class, metrics) in s["classes"].as_object().unwrap() {
            for (metric, stat) in metrics.as_object().unwrap() {
                if compare("class", class, metric, stat) {
                    *checked.entry("class").or_default() += 1;
                }
            }
        }
        for (lane, metrics) in s["lanes"].as_object().unwrap() {
            for (metric, stat) in metrics.as_object().unwrap() {
                if compare("lane", lane, metric, stat) {
                    *checked.entry("lane").or_default() += 1;
                }
            }
        }
        for (event, figures) in s["events"].as_object().unwrap() {
            for (metric, stat) in figures.as_object().unwrap() {
                if stat.get("mean").is_some() && compare("event", event, metric, stat) {
                    *checked.entry("event").or_default() += 1;
                }
            }
        }
    }
    for scope in ["network", "location", "class", "event", "lane"] {
        assert!(checked.get(scope).copied().unwrap_or(0) > 0, "no {scope} figure compared: {checked:?}");
    }
    // Undefined figures are null, never NaN.
    assert!(rows.iter().any(|r| r.6.is_none()));
    assert!(rows.iter().all(|r| r.6.is_none_or(|v| !v.is_nan())));
}

#[test]
fn runs_parquet_rows_are_in_coordinate_order_and_match_the_run_log_header() {
    let tmp = tempfile::tempdir().unwrap();
    run(tmp.path(), "2");
    let rows = rows(&tmp.path().join("runs.parquet"));
    let coordinates: Vec<(i64, String, i64)> = rows.iter().map(|r| (r.0, r.1.clone(), r.2)).collect();
    let header_line = std::fs::read_to_string(tmp.path().join("runs.jsonl")).unwrap();
    let header: Value = serde_json::from_str(header_line.lines().next().unwrap()).unwrap();
    let strategies: Vec<&str> = header["strategies"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let mut order: Vec<(i64, usize, i64)> =
        coordinates.iter().map(|(p, s, r)| (*p, strategies.iter().position(|n| n == s).unwrap(), *r)).collect();
    let unsorted = order.clone();
    order.sort();
    assert_eq!(order, unsorted, "rows in (point, strategy, replication) order");
    // The header names every metric key of every scope the table holds.
    let keys = |field: &str| -> BTreeSet<String> {
        header[field]
            .as_array()
            .unwrap_or_else(|| panic!("header has no {field}"))
            .iter()
            .map(|k| k.as_str().unwrap().to_string())
            .collect()
    };
    let (metrics, class_metrics, event_metrics) = (keys("metrics"), keys("class_metrics"), keys("event_metrics"));
    let lane_metrics = keys("lane_metrics");
    assert_eq!(
        event_metrics,
        BTreeSet::from(["units_short", "recovery_days", "time_to_impact_days"].map(String::from))
    );
    for (scope, named) in [
        ("network", &metrics),
        ("location", &metrics),
        ("class", &class_metrics),
        ("event", &event_metrics),
        ("lane", &lane_metrics),
    ] {
        let present: BTreeSet<String> = rows.iter().filter(|r| r.3 == scope).map(|r| r.5.clone()).collect();
        assert_eq!(&present, named, "{scope}: the table's metrics are the header's");
    }
    assert!(rows.iter().all(|r| ["network", "location", "class", "event", "lane"].contains(&r.3.as_str())));
    assert!(rows.iter().filter(|r| r.3 == "network").all(|r| r.4.is_empty()), "network rows have no scope_id");
}

#[test]
fn runs_parquet_is_the_same_bytes_for_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    run(&one, "1");
    run(&two, "2");
    assert_eq!(std::fs::read(one.join("runs.parquet")).unwrap(), std::fs::read(two.join("runs.parquet")).unwrap());
}

#[test]
fn long_csv_is_runs_parquet_as_csv() {
    let tmp = tempfile::tempdir().unwrap();
    run_with(tmp.path(), "2", &["--long-csv"]);
    let parquet = rows(&tmp.path().join("runs.parquet"));
    let mut reader = csv::Reader::from_path(tmp.path().join("runs-long.csv")).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["point", "strategy", "replication", "scope", "scope_id", "metric", "value"]
    );
    let csv: Vec<Row> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let value = (!r[6].is_empty()).then(|| r[6].parse::<f64>().unwrap());
            (r[0].parse().unwrap(), r[1].into(), r[2].parse().unwrap(), r[3].into(), r[4].into(), r[5].into(), value)
        })
        .collect();
    assert_eq!(csv, parquet);
    // Without the flag there is none.
    let plain = tmp.path().join("plain");
    run(&plain, "2");
    assert!(!plain.join("runs-long.csv").exists());
}
