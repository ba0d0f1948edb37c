//! `Results`: what a run of a study produced, in memory — the exact
//! `summary.json` text (so a serialised summary equals the CLI's file byte
//! for byte), the per-run tables as Arrow, and `write(dir)` for the CLI's
//! files.

use crate::arrow::{self, ArrowTable};
use crate::errors;
use echelon::output;
use echelon::plan::RunResults;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::PathBuf;

/// Adds `Results`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Results>()
}

/// The results of a study.
#[pyclass(module = "echelon._echelon", frozen)]
pub struct Results {
    results: RunResults,
    out: Option<PathBuf>,
}

impl Results {
    /// Results of a plan, kept in `out` (None: written to a temporary
    /// directory since removed).
    pub fn new(results: RunResults, out: Option<PathBuf>) -> Self {
        Self { results, out }
    }

    /// The plan's results.
    pub fn inner(&self) -> &RunResults {
        &self.results
    }
}

#[pymethods]
impl Results {
    /// The text of `summary.json`, exactly as the CLI writes it.
    #[getter]
    fn summary_json(&self) -> &str {
        &self.results.rendered.summary_json
    }

    /// The bytes of `runs.csv`.
    #[getter]
    fn runs_csv<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.results.rendered.runs_csv)
    }

    /// The text of `runs.jsonl` (the run log).
    #[getter]
    fn runs_jsonl(&self) -> &str {
        &self.results.rendered.runs_jsonl
    }

    /// Where the results were written (None when no `out` was given).
    #[getter]
    fn out(&self) -> Option<PathBuf> {
        self.out.clone()
    }

    /// Number of runs.
    #[getter]
    fn run_count(&self) -> usize {
        self.results.records.len()
    }

    /// One row per run: point, sweep parameters, strategy, replication and
    /// every network metric (`runs.csv`'s columns without the event ones).
    fn wide_table(&self) -> PyResult<ArrowTable> {
        arrow::wide(&self.results.header.study, &self.results.records)
    }

    /// The long table of `runs.parquet` (`echelon::tidy`): one row per run,
    /// scope, scope id and metric.
    fn long_table(&self) -> PyResult<ArrowTable> {
        arrow::long(&self.results.header.study, &self.results.records)
    }

    /// Writes the CLI's result files into `dir` (created when missing).
    /// Results already there are replaced only with `force` (then every
    /// old result file and chart is removed first, as `run --force` does);
    /// otherwise `FileExistsError`, and nothing changes.
    #[pyo3(signature = (dir, force = false))]
    fn write(&self, py: Python<'_>, dir: PathBuf, force: bool) -> PyResult<()> {
        if dir.as_os_str().is_empty() {
            return Err(pyo3::exceptions::PyValueError::new_err("write: an empty path; give the directory to write"));
        }
        let present = output::results_present(&dir);
        if !present.is_empty() && !force {
            return Err(pyo3::exceptions::PyFileExistsError::new_err(format!(
                "{} already holds results ({}); nothing was changed. Write elsewhere, or pass force=True to replace them",
                dir.display(),
                present.join(", ")
            )));
        }
        let failed =
            |e: std::io::Error| errors::run_error(py, &format!("{}: cannot write results: {e}", dir.display()), None);
        if force {
            output::remove_results(&dir).map_err(failed)?;
        }
        output::write_all(&dir, &self.results.rendered).map_err(failed)
    }
}
