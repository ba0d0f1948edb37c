//! The per-run tables as Arrow record batches, handed to Python through
//! the Arrow PyCapsule interface (`__arrow_c_stream__`: a capsule named
//! `arrow_array_stream` holding arrow's C stream), which `pyarrow.table`,
//! `polars.DataFrame` and others import without copying. No pyarrow is
//! needed on the Rust side, and the capsule API is in the stable ABI.
//!
//! Undefined values (NaN in a run record) are nulls.

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, RecordBatchIterator, StringArray};
use arrow_schema::{DataType, Field, Schema};
use echelon::reports::record::{RunRecord, StudyInfo};
use echelon::sim::metrics::METRICS;
use echelon::tidy;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::sync::Arc;

/// Adds `ArrowTable`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ArrowTable>()
}

/// An Arrow table (one record batch) exported by `__arrow_c_stream__`.
#[pyclass(module = "echelon._echelon", frozen)]
pub struct ArrowTable {
    batch: RecordBatch,
}

#[pymethods]
impl ArrowTable {
    /// The Arrow PyCapsule stream interface.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        // The requested schema is a hint a producer may ignore; the
        // consumer casts if it wants another one.
        let _ = requested_schema;
        let reader = RecordBatchIterator::new(vec![Ok(self.batch.clone())], self.batch.schema());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// Number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// Column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.batch.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    fn __repr__(&self) -> String {
        format!("ArrowTable({} rows × {} columns)", self.batch.num_rows(), self.batch.num_columns())
    }
}

fn sorted(records: &[RunRecord]) -> Vec<&RunRecord> {
    let mut sorted: Vec<&RunRecord> = records.iter().collect();
    sorted.sort_by_key(|r| (r.point, r.strategy, r.replication));
    sorted
}

fn defined(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

fn batch(columns: Vec<(String, DataType, bool, ArrayRef)>) -> PyResult<ArrowTable> {
    let fields: Vec<Field> = columns.iter().map(|(n, t, null, _)| Field::new(n, t.clone(), *null)).collect();
    let arrays: Vec<ArrayRef> = columns.into_iter().map(|c| c.3).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map(|batch| ArrowTable { batch })
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The wide table: `point`, one float column per sweep parameter,
/// `strategy`, `replication`, then every metric of [`METRICS`] (network
/// figures), rows in (point, strategy, replication) order.
pub fn wide(info: &StudyInfo, records: &[RunRecord]) -> PyResult<ArrowTable> {
    let records = sorted(records);
    let mut columns: Vec<(String, DataType, bool, ArrayRef)> = Vec::new();
    let ints = |f: &dyn Fn(&RunRecord) -> i64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(records.iter().map(|r| f(r))))
    };
    columns.push(("point".into(), DataType::Int64, false, ints(&|r| r.point as i64)));
    let params: Vec<&str> =
        info.points.first().map(|p| p.iter().map(|(k, _)| k.as_str()).collect()).unwrap_or_default();
    for (k, name) in params.iter().enumerate() {
        let values = Float64Array::from_iter_values(records.iter().map(|r| info.points[r.point][k].1));
        columns.push((name.to_string(), DataType::Float64, false, Arc::new(values)));
    }
    let strategies = StringArray::from_iter_values(records.iter().map(|r| info.strategies[r.strategy].as_str()));
    columns.push(("strategy".into(), DataType::Utf8, false, Arc::new(strategies)));
    columns.push(("replication".into(), DataType::Int64, false, ints(&|r| i64::from(r.replication))));
    for (m, metric) in METRICS.iter().enumerate() {
        let values: Float64Array = records.iter().map(|r| defined(r.network[m])).collect();
        columns.push((metric.key.to_string(), DataType::Float64, true, Arc::new(values)));
    }
    batch(columns)
}

/// The long table of [`tidy`] (`runs.parquet`'s rows and columns).
pub fn long(info: &StudyInfo, records: &[RunRecord]) -> PyResult<ArrowTable> {
    let records = sorted(records);
    let (mut point, mut strategy, mut replication) = (Vec::new(), Vec::new(), Vec::new());
    let (mut scope, mut scope_id, mut metric, mut value) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    tidy::for_each_row(info, &records, |row| {
        point.push(row.point as i64);
        strategy.push(row.strategy);
        replication.push(i64::from(row.replication));
        scope.push(row.scope);
        scope_id.push(row.scope_id.into_owned());
        metric.push(row.metric);
        value.push(defined(row.value));
    });
    batch(vec![
        ("point".into(), DataType::Int64, false, Arc::new(Int64Array::from(point))),
        ("strategy".into(), DataType::Utf8, false, Arc::new(StringArray::from(strategy))),
        ("replication".into(), DataType::Int64, false, Arc::new(Int64Array::from(replication))),
        ("scope".into(), DataType::Utf8, false, Arc::new(StringArray::from(scope))),
        ("scope_id".into(), DataType::Utf8, false, Arc::new(StringArray::from(scope_id))),
        ("metric".into(), DataType::Utf8, false, Arc::new(StringArray::from(metric))),
        ("value".into(), DataType::Float64, true, Arc::new(Float64Array::from(value))),
    ])
}
