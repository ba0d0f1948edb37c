//! `runs.parquet`: every figure of every run in one long ("tidy") table,
//! self-describing, for polars, pandas, DuckDB or Spark.
//!
//! # Contract
//!
//! Columns: `point` (int64), `strategy` (string), `replication` (int64),
//! `scope` (string), `scope_id` (string), `metric` (string), `value`
//! (double, null when undefined). One row per (run, scope, scope id,
//! metric):
//!
//! * `network` — every metric of [`METRICS`], `scope_id` empty;
//! * `location` — every metric of [`METRICS`] per location (`scope_id` the
//!   location id), in model order;
//! * `class` — every metric of [`CLASS_METRICS`] per customer class;
//! * `event` — [`EVENT_METRICS`] per timed disruption (`scope_id` its name)
//!   and per window of a random outage (`<outage>#<window>`, in time order).
//!
//! * `sku` — when the scenario asks for per-SKU results
//!   (`scorecard: (per_sku: true)`), every metric of [`SKU_METRICS`] per
//!   SKU-location (`scope_id` `<location>/<sku>`), locations in model
//!   order, their SKUs in scenario order; without them no row has it;
//! * `lane` — every metric of [`LANE_METRICS`] per lane (`scope_id`
//!   `<from>-><to>`, lanes in scenario order).
//!
//! Rows are in (point, strategy, replication) order, then in
//! the order above, so the file is the same, byte for byte, for any thread
//! count, shard split or resume. The sweep parameters of each point are in
//! `summary.json` (`points`), as for `runs.csv`.
//!
//! Encoding: Parquet through the `parquet` crate's column writer (no Arrow
//! dependency), dictionary-encoded strings, Snappy pages, row groups of at
//! most [`ROW_GROUP`] rows, so memory stays bounded however large the
//! study.

use echelon_reports::record::{RunRecord, StudyInfo};
use echelon_sim::metrics::{CLASS_METRICS, LANE_METRICS, METRICS, SKU_METRICS};
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::borrow::Cow;
use std::sync::Arc;

/// The scopes of the long table, in row order.
pub const SCOPES: [&str; 6] = ["network", "location", "class", "event", "sku", "lane"];

/// Figures of a disruption (a timed event or a random outage's window).
pub const EVENT_METRICS: [&str; 3] = ["units_short", "recovery_days", "time_to_impact_days"];

/// The most rows in one row group.
pub const ROW_GROUP: usize = 1 << 20;

const SCHEMA: &str = "message runs {
    required int64 point;
    required binary strategy (UTF8);
    required int64 replication;
    required binary scope (UTF8);
    required binary scope_id (UTF8);
    required binary metric (UTF8);
    optional double value;
}";

/// One row of the long table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    /// Sweep point.
    pub point: usize,
    /// Strategy name.
    pub strategy: &'a str,
    /// Replication.
    pub replication: u32,
    /// One of [`SCOPES`].
    pub scope: &'static str,
    /// Location id, class name, event or window name, SKU-location or lane
    /// id; empty for the network.
    pub scope_id: Cow<'a, str>,
    /// Metric key.
    pub metric: &'static str,
    /// Value (NaN when undefined).
    pub value: f64,
}

/// Calls `f` with every row, in table order (`records` must be sorted by
/// (point, strategy, replication)).
pub fn for_each_row<'a>(info: &'a StudyInfo, records: &[&'a RunRecord], mut f: impl FnMut(Row<'a>)) {
    for &r in records {
        let strategy = info.strategies[r.strategy].as_str();
        let mut emit = |scope, scope_id: Cow<'a, str>, metric, value| {
            f(Row { point: r.point, strategy, replication: r.replication, scope, scope_id, metric, value })
        };
        for (m, v) in METRICS.iter().zip(&r.network) {
            emit("network", Cow::Borrowed(""), m.key, *v);
        }
        for (node, values) in info.nodes.iter().zip(&r.nodes) {
            for (m, v) in METRICS.iter().zip(values) {
                emit("location", Cow::Borrowed(node.as_str()), m.key, *v);
            }
        }
        for (class, values) in info.classes.iter().zip(&r.classes) {
            for (m, v) in CLASS_METRICS.iter().zip(values) {
                emit("class", Cow::Borrowed(class.as_str()), m.key, *v);
            }
        }
        let figures = |e: &echelon_sim::engine::EventImpact| [e.units_short, e.recovery_days, e.time_to_impact_days];
        for (name, impact) in info.events.iter().zip(&r.events) {
            for (key, v) in EVENT_METRICS.iter().zip(figures(impact)) {
                emit("event", Cow::Borrowed(name.as_str()), key, v);
            }
        }
        for w in &r.random_events {
            let name = format!("{}#{}", info.random_outages[w.outage], w.window);
            for (key, v) in EVENT_METRICS.iter().zip(figures(&w.impact)) {
                emit("event", Cow::Owned(name.clone()), key, v);
            }
        }
        for ((location, sku), values) in info.skus.iter().zip(&r.skus) {
            let id = format!("{location}/{sku}");
            for (m, v) in SKU_METRICS.iter().zip(values) {
                emit("sku", Cow::Owned(id.clone()), m.key, *v);
            }
        }
        for (lane, values) in info.lanes.iter().zip(&r.lanes) {
            for (m, v) in LANE_METRICS.iter().zip(values) {
                emit("lane", Cow::Borrowed(lane.as_str()), m.key, *v);
            }
        }
    }
}

fn sorted(records: &[RunRecord]) -> Vec<&RunRecord> {
    let mut sorted: Vec<&RunRecord> = records.iter().collect();
    sorted.sort_by_key(|r| (r.point, r.strategy, r.replication));
    sorted
}

/// Columns of one row group.
#[derive(Default)]
struct Group {
    point: Vec<i64>,
    strategy: Vec<ByteArray>,
    replication: Vec<i64>,
    scope: Vec<ByteArray>,
    scope_id: Vec<ByteArray>,
    metric: Vec<ByteArray>,
    value: Vec<f64>,
    defined: Vec<i16>,
}

impl Group {
    fn push(&mut self, row: &Row<'_>) {
        self.point.push(row.point as i64);
        self.strategy.push(ByteArray::from(row.strategy));
        self.replication.push(i64::from(row.replication));
        self.scope.push(ByteArray::from(row.scope));
        self.scope_id.push(ByteArray::from(row.scope_id.as_ref()));
        self.metric.push(ByteArray::from(row.metric));
        if row.value.is_nan() {
            self.defined.push(0);
        } else {
            self.defined.push(1);
            self.value.push(row.value);
        }
    }

    fn write(self, writer: &mut SerializedFileWriter<Vec<u8>>) -> parquet::errors::Result<()> {
        let mut group = writer.next_row_group()?;
        let mut index = 0;
        while let Some(mut column) = group.next_column()? {
            match index {
                0 => column.typed::<Int64Type>().write_batch(&self.point, None, None)?,
                1 => column.typed::<ByteArrayType>().write_batch(&self.strategy, None, None)?,
                2 => column.typed::<Int64Type>().write_batch(&self.replication, None, None)?,
                3 => column.typed::<ByteArrayType>().write_batch(&self.scope, None, None)?,
                4 => column.typed::<ByteArrayType>().write_batch(&self.scope_id, None, None)?,
                5 => column.typed::<ByteArrayType>().write_batch(&self.metric, None, None)?,
                _ => column.typed::<DoubleType>().write_batch(&self.value, Some(&self.defined), None)?,
            };
            column.close()?;
            index += 1;
        }
        group.close()?;
        Ok(())
    }
}

/// The bytes of `runs.parquet` for `records` (any order).
pub fn to_parquet(info: &StudyInfo, records: &[RunRecord]) -> parquet::errors::Result<Vec<u8>> {
    let schema = Arc::new(parse_message_type(SCHEMA)?);
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("echelon {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = SerializedFileWriter::new(Vec::new(), schema, Arc::new(properties))?;
    let records = sorted(records);
    let mut group = Group::default();
    let mut failed = None;
    for_each_row(info, &records, |row| {
        group.push(&row);
        if group.point.len() == ROW_GROUP && failed.is_none() {
            failed = std::mem::take(&mut group).write(&mut writer).err();
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    if !group.point.is_empty() || records.is_empty() {
        group.write(&mut writer)?;
    }
    writer.into_inner()
}

/// The same table as CSV (`value` empty when undefined).
pub fn to_csv(info: &StudyInfo, records: &[RunRecord]) -> Result<Vec<u8>, csv::Error> {
    let records = sorted(records);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["point", "strategy", "replication", "scope", "scope_id", "metric", "value"])?;
    let mut result = Ok(());
    for_each_row(info, &records, |row| {
        if result.is_ok() {
            let value = if row.value.is_nan() { String::new() } else { row.value.to_string() };
            result = w.write_record([
                row.point.to_string().as_str(),
                row.strategy,
                &row.replication.to_string(),
                row.scope,
                &row.scope_id,
                row.metric,
                &value,
            ]);
        }
    });
    result?;
    w.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use echelon_sim::engine::{EventImpact, WindowImpact};
    use echelon_sim::metrics::METRIC_COUNT;

    fn info() -> StudyInfo {
        StudyInfo {
            replications: 2,
            strategies: vec!["first".into(), "second".into()],
            nodes: vec!["dc".into(), "store".into()],
            points: vec![vec![]],
            events: vec!["strike".into()],
            random_outages: vec!["storms".into()],
            classes: vec!["retail".into()],
            lanes: vec!["maker->dc".into()],
            ..StudyInfo::default()
        }
    }

    fn record(strategy: usize, replication: u32) -> RunRecord {
        let base = (strategy * 10 + replication as usize) as f64;
        RunRecord {
            point: 0,
            strategy,
            replication,
            network: [base; METRIC_COUNT],
            nodes: vec![[base + 0.25; METRIC_COUNT], [base + 0.5; METRIC_COUNT]],
            events: vec![EventImpact { units_short: 4.0, recovery_days: 5.0, time_to_impact_days: f64::NAN }],
            random_events: vec![WindowImpact {
                outage: 0,
                window: 2,
                start_day: 3,
                end_day: 5,
                impact: EventImpact { units_short: 1.0, recovery_days: 2.0, time_to_impact_days: 0.5 },
            }],
            classes: vec![[base + 0.75; 10]],
            lanes: vec![[2.5, f64::NAN, base]],
            skus: Vec::new(),
            abc: Vec::new(),
        }
    }

    #[test]
    fn the_long_table_has_one_row_per_run_scope_id_and_metric_in_coordinate_order() {
        let info = info();
        // Given out of order: the table sorts them.
        let records = vec![record(1, 0), record(0, 1), record(0, 0)];
        let csv = String::from_utf8(to_csv(&info, &records).unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        let per_run = METRICS.len() * 3 + CLASS_METRICS.len() + 2 * EVENT_METRICS.len() + LANE_METRICS.len();
        assert_eq!(lines.len(), 1 + 3 * per_run);
        assert_eq!(lines[0], "point,strategy,replication,scope,scope_id,metric,value");
        assert_eq!(lines[1], format!("0,first,0,network,,{},0", METRICS[0].key));
        assert_eq!(lines[1 + METRICS.len()], format!("0,first,0,location,dc,{},0.25", METRICS[0].key));
        assert_eq!(lines[1 + 2 * METRICS.len()], format!("0,first,0,location,store,{},0.5", METRICS[0].key));
        assert_eq!(lines[1 + 3 * METRICS.len()], format!("0,first,0,class,retail,{},0.75", CLASS_METRICS[0].key));
        let events = 1 + 3 * METRICS.len() + CLASS_METRICS.len();
        assert_eq!(
            lines[events..events + 6],
            [
                "0,first,0,event,strike,units_short,4",
                "0,first,0,event,strike,recovery_days,5",
                "0,first,0,event,strike,time_to_impact_days,",
                "0,first,0,event,storms#2,units_short,1",
                "0,first,0,event,storms#2,recovery_days,2",
                "0,first,0,event,storms#2,time_to_impact_days,0.5",
            ]
        );
        assert_eq!(
            lines[events + 6..events + 9],
            [
                "0,first,0,lane,maker->dc,lead_time_mean_days,2.5",
                "0,first,0,lane,maker->dc,lead_time_var_days2,",
                "0,first,0,lane,maker->dc,shipments_per_day,0",
            ]
        );
        assert!(lines[1 + per_run].starts_with("0,first,1,network,"));
        assert!(lines[1 + 2 * per_run].starts_with("0,second,0,network,,fill_rate,10"));
    }

    #[test]
    fn runs_parquet_does_not_depend_on_the_order_runs_finished_in() {
        let info = info();
        let a = to_parquet(&info, &[record(0, 0), record(0, 1), record(1, 0)]).unwrap();
        let b = to_parquet(&info, &[record(1, 0), record(0, 1), record(0, 0)]).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..4], b"PAR1");
        // An empty study is still a valid file with the schema.
        assert_eq!(&to_parquet(&info, &[]).unwrap()[..4], b"PAR1");
    }
}
