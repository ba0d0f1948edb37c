//! `runs.csv`: one row per run, for pandas/polars.
//!
//! Columns: `point`, one column per sweep parameter, `strategy`,
//! `replication`, then every network metric in catalogue order, then per
//! timed disruption `<name>:units_short`, `<name>:recovery_days` and
//! `<name>:time_to_impact_days`, then per random outage `<name>#*:windows`
//! (its down periods in the run) and the mean per window of
//! `<name>#*:units_short`, `<name>#*:recovery_days` and
//! `<name>#*:time_to_impact_days` (each window's figures are in
//! `runs.jsonl`). Rows are in (point, strategy, replication) order;
//! undefined values are empty cells.

use crate::record::{RunRecord, StudyInfo};
use echelon_sim::engine::EventImpact;
use echelon_sim::metrics::{METRICS, SKU_METRICS};

/// `skus.csv`, when the study keeps per-SKU results (else `None`): one row
/// per (run, SKU-location) — `point`, `strategy`, `replication`,
/// `location`, `sku`, then every metric of [`SKU_METRICS`] — in (point,
/// strategy, replication) order, then the study's SKU-location order
/// (locations in model order, their SKUs in scenario order); undefined
/// values are empty cells.
pub fn skus_to_csv(info: &StudyInfo, records: &[RunRecord]) -> Result<Option<Vec<u8>>, csv::Error> {
    if info.skus.is_empty() {
        return Ok(None);
    }
    let mut sorted: Vec<&RunRecord> = records.iter().collect();
    sorted.sort_by_key(|r| (r.point, r.strategy, r.replication));
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point", "strategy", "replication", "location", "sku"];
    header.extend(SKU_METRICS.iter().map(|m| m.key));
    w.write_record(&header)?;
    let cell = |v: &f64| if v.is_nan() { String::new() } else { v.to_string() };
    for r in sorted {
        for ((location, sku), values) in info.skus.iter().zip(&r.skus) {
            let mut row = vec![r.point.to_string(), info.strategies[r.strategy].clone(), r.replication.to_string()];
            row.extend([location.clone(), sku.clone()]);
            row.extend(values.iter().map(cell));
            w.write_record(&row)?;
        }
    }
    w.into_inner().map(Some).map_err(|e| e.into_error().into())
}

/// Writes the CSV text of `records`.
pub fn to_csv(info: &StudyInfo, records: &[RunRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut sorted: Vec<&RunRecord> = records.iter().collect();
    sorted.sort_by_key(|r| (r.point, r.strategy, r.replication));
    let param_names: Vec<&str> =
        info.points.first().map(|p| p.iter().map(|(k, _)| k.as_str()).collect()).unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point"];
    header.extend(&param_names);
    header.extend(["strategy", "replication"]);
    header.extend(METRICS.iter().map(|m| m.key));
    const FIGURES: [&str; 3] = ["units_short", "recovery_days", "time_to_impact_days"];
    let mut event_columns: Vec<String> = info.events.iter().flat_map(|e| FIGURES.map(|f| format!("{e}:{f}"))).collect();
    for name in &info.random_outages {
        event_columns.push(format!("{name}#*:windows"));
        event_columns.extend(FIGURES.map(|f| format!("{name}#*:{f}")));
    }
    header.extend(event_columns.iter().map(String::as_str));
    w.write_record(&header)?;
    for r in sorted {
        let mut row = vec![r.point.to_string()];
        row.extend(info.points[r.point].iter().map(|(_, v)| v.to_string()));
        row.push(info.strategies[r.strategy].clone());
        row.push(r.replication.to_string());
        let cell = |v: &f64| if v.is_nan() { String::new() } else { v.to_string() };
        row.extend(r.network.iter().map(cell));
        let figures = |e: &EventImpact| [e.units_short, e.recovery_days, e.time_to_impact_days];
        row.extend(r.events.iter().flat_map(|e| figures(e).map(|v| cell(&v))));
        for outage in 0..info.random_outages.len() {
            let windows: Vec<&EventImpact> =
                r.random_events.iter().filter(|w| w.outage == outage).map(|w| &w.impact).collect();
            row.push(windows.len().to_string());
            for k in 0..FIGURES.len() {
                row.push(cell(&crate::summary::mean_defined(windows.iter().map(|e| figures(e)[k]))));
            }
        }
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
