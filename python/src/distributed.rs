//! The native half of `echelon.distributed`: one shard of a study run
//! in-process (what a Ray task executes), and the merge of shard
//! directories into the `Results` one `Study.run` would have returned
//! (the library's `echelon::plan::merge`, which `echelon merge` calls).

use crate::results::Results;
use crate::study::{self, Study};
use echelon::plan::{self, RunPlan};
use pyo3::prelude::*;
use std::path::PathBuf;

/// Adds `run_shard`, `merge` and `study_source`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_shard, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(study_source, m)?)?;
    Ok(())
}

/// Runs shard `index/count` of `study` (the runs whose index modulo
/// `count` is `index`, as `echelon run --shard index/count`) into `out`:
/// its `runs.jsonl` (header naming the shard) and `trace.json` when the
/// shard ran a replication 0. `resume` goes on from a log already in `out`.
/// The GIL is released while it runs; a failed run raises `RunError`.
#[pyfunction]
#[pyo3(signature = (study, index, count, out, replications = None, seed = None, threads = None, resume = false))]
#[allow(clippy::too_many_arguments)]
pub fn run_shard(
    py: Python<'_>,
    study: &Study,
    index: usize,
    count: usize,
    out: PathBuf,
    replications: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    resume: bool,
) -> PyResult<()> {
    let options = study.options(replications, seed, threads);
    let kept = Some(out.as_path());
    let plan = RunPlan::new(&options, study.registry(), Some(out.clone()))
        .and_then(|p| p.with_shard(Some((index, count))))
        .and_then(|p| p.with_restart(resume, !resume))
        .map_err(|f| crate::errors::failure(py, f, kept))?;
    study::execute(py, &plan, None, kept)?;
    Ok(())
}

/// Merges the shard directories `dirs` into `out` (`echelon merge`): the
/// results of the whole study, byte for byte as one `Study.run` writes
/// them. A missing shard, or shards of different studies, raise
/// `ValueError` (the CLI's exit 2 message). `keep`: whether `out` stays
/// (false: the caller removes it; `Results.out` is then None).
#[pyfunction]
#[pyo3(signature = (dirs, out, force = true, keep = true))]
pub fn merge(py: Python<'_>, dirs: Vec<PathBuf>, out: PathBuf, force: bool, keep: bool) -> PyResult<Results> {
    let results = py
        .detach(|| plan::merge(&dirs, &out, force))
        .map_err(|f| crate::errors::failure(py, f, Some(out.as_path())))?;
    Ok(Results::new(results, keep.then_some(out)))
}

/// What a worker needs to load the same study: the scenario file and the
/// `--set` overrides as (path, value text) pairs.
#[pyfunction]
pub fn study_source(study: &Study) -> (PathBuf, Vec<(String, String)>) {
    let options = study.options(None, None, None);
    let set = options
        .set
        .iter()
        .map(|pair| {
            let (at, value) = pair.split_once('=').unwrap_or((pair.as_str(), ""));
            (at.to_string(), value.to_string())
        })
        .collect();
    (options.file, set)
}
