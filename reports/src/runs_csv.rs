//! `runs.csv`: one row per run, for pandas/polars.
//!
//! Columns: `point`, one column per sweep parameter, `strategy`,
//! `replication`, then every network metric in catalogue order, then per
//! timed disruption `<name>:units_short` and `<name>:recovery_days`. Rows are in
//! (point, strategy, replication) order; undefined values are empty cells.

use crate::record::{RunRecord, StudyInfo};
use echelon_sim::metrics::METRICS;

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
    let event_columns: Vec<String> =
        info.events.iter().flat_map(|e| [format!("{e}:units_short"), format!("{e}:recovery_days")]).collect();
    header.extend(event_columns.iter().map(String::as_str));
    w.write_record(&header)?;
    for r in sorted {
        let mut row = vec![r.point.to_string()];
        row.extend(info.points[r.point].iter().map(|(_, v)| v.to_string()));
        row.push(info.strategies[r.strategy].clone());
        row.push(r.replication.to_string());
        let cell = |v: &f64| if v.is_nan() { String::new() } else { v.to_string() };
        row.extend(r.network.iter().map(cell));
        row.extend(r.events.iter().flat_map(|e| [cell(&e.units_short), cell(&e.recovery_days)]));
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
