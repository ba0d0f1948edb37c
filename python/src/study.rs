//! `load` and `Study.run`: a scenario loaded as the CLI loads it (same
//! `--set` paths and errors), run through the library's run plan
//! (`echelon::plan`) — the same directory handling, run log, resume and
//! outputs as `echelon run`.
//!
//! `run` builds the plan with the GIL held (building a scenario constructs
//! its Python policies), then executes it on a worker thread and waits
//! with the GIL released, taking it back every [`POLL`] to check for
//! signals (Ctrl-C raises the plan's stop flag: the runs in flight finish,
//! the finished ones stay logged, `KeyboardInterrupt` is raised) and to
//! report progress. Python policies take the GIL inside the run for each
//! call.

use crate::errors;
use crate::registry;
use crate::results::Results;
use echelon::plan::{self, Progress, RunPlan, StudyOptions};
use echelon::scenario::{params, parse};
use echelon::strategies::registry::Registry;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How often the waiting thread takes the GIL to check for Ctrl-C.
pub const POLL: Duration = Duration::from_millis(50);

/// Adds `load` and `Study`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_class::<Study>()?;
    Ok(())
}

/// A validated scenario with its overrides, ready to run.
#[pyclass(module = "echelon._echelon", frozen)]
pub struct Study {
    path: PathBuf,
    /// The scenario's text as loaded: every run runs it, whatever happens
    /// to the file later.
    source: String,
    set: Vec<String>,
    registry: Arc<Registry>,
    loaded: plan::Loaded,
}

impl Study {
    /// The options of a run of this study.
    pub fn options(&self, replications: Option<u32>, seed: Option<u64>, threads: Option<usize>) -> StudyOptions {
        let mut options = StudyOptions::new(&self.path);
        options.source = Some(self.source.clone());
        options.set = self.set.clone();
        options.replications = replications;
        options.seed = seed;
        options.threads = threads;
        options.quiet = true;
        options
    }

    /// The registry the study was loaded with.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The study as loaded (scenario, identity, threads).
    pub fn loaded(&self) -> &plan::Loaded {
        &self.loaded
    }
}

/// Loads the scenario at `path` with the `set` overrides (pairs of path and
/// value text, as `--set PATH=VALUE`) and the Python strategies of
/// `replenishment` and `allocation` (dicts name → (class, help)).
#[pyfunction]
#[pyo3(signature = (path, set = Vec::new(), replenishment = None, allocation = None))]
pub fn load(
    py: Python<'_>,
    path: PathBuf,
    set: Vec<(String, String)>,
    replenishment: Option<&Bound<'_, PyDict>>,
    allocation: Option<&Bound<'_, PyDict>>,
) -> PyResult<Study> {
    // Each override is checked on the parsed file first, so a wrong path
    // or type is a ScenarioError carrying the path (the CLI's `--set`
    // message, exit 2).
    // Absolute: a later change of the working directory does not change
    // which file (or which tables beside it) the study means.
    let path = std::path::absolute(&path).unwrap_or(path);
    let (source, file) = parse::read(&path).map_err(|e| errors::input_error(py, &e))?;
    for (at, value) in &set {
        params::set(&file, at.trim(), params::parse_value(value.trim())).map_err(|e| {
            let text = format!("{}: set {}: {}", path.display(), e.path, e.message);
            errors::scenario_error(py, &path, None, Some(&e.path), &e.message, text)
        })?;
    }
    let registry = registry::build(replenishment, allocation)?;
    let set: Vec<String> = set.iter().map(|(at, value)| format!("{}={}", at.trim(), value.trim())).collect();
    let mut options = StudyOptions::new(&path);
    options.set = set.clone();
    options.quiet = true;
    options.source = Some(source.clone());
    let loaded = plan::load(&options, &registry).map_err(|f| errors::failure(py, f, None))?;
    Ok(Study { path, source, set, registry, loaded })
}

#[pymethods]
impl Study {
    /// The scenario file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The scenario's name.
    #[getter]
    fn name(&self) -> String {
        self.loaded.study.base.model.name.clone()
    }

    /// The strategies' names, in scenario order.
    #[getter]
    fn strategies(&self) -> Vec<String> {
        self.loaded.study.info().strategies
    }

    /// Runs in the study (points × strategies × replications).
    #[getter]
    fn run_count(&self) -> usize {
        self.loaded.study.run_count()
    }

    /// Runs the study (see the module doc); `out` keeps the results (the
    /// run log of finished runs survives a failure), otherwise a temporary
    /// directory is used and removed. `progress`: false, true (a line on
    /// stderr) or a callable `progress(done, total)`.
    #[pyo3(signature = (replications = None, seed = None, threads = None, out = None, progress = None, resume = false, force = false))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        replications: Option<u32>,
        seed: Option<u64>,
        threads: Option<usize>,
        out: Option<PathBuf>,
        progress: Option<Bound<'_, PyAny>>,
        resume: bool,
        force: bool,
    ) -> PyResult<Results> {
        if out.as_ref().is_some_and(|o| o.as_os_str().is_empty()) {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "out: an empty path; give the directory for the results (or leave out out= for a temporary one)",
            ));
        }
        let options = self.options(replications, seed, threads);
        let temporary = match &out {
            Some(_) => None,
            None => Some(tempfile::tempdir().map_err(|e| errors::run_error(py, &e.to_string(), None))?),
        };
        let dir = out.clone().unwrap_or_else(|| temporary.as_ref().expect("made above").path().join("results"));
        let kept = out.as_deref();
        let plan = RunPlan::new(&options, &self.registry, Some(dir.clone()))
            .and_then(|p| p.with_restart(resume, force))
            .map_err(|f| errors::failure(py, f, kept))?;
        let results = execute(py, &plan, progress.as_ref(), kept)?;
        Ok(Results::new(results, out))
    }
}

/// Runs `plan` on a worker thread (module doc).
pub fn execute(
    py: Python<'_>,
    plan: &RunPlan,
    progress: Option<&Bound<'_, PyAny>>,
    out: Option<&Path>,
) -> PyResult<plan::RunResults> {
    let stop = AtomicBool::new(false);
    let counter = Counter::default();
    let done = (Mutex::new(false), Condvar::new());
    let report = Report::new(py, progress)?;
    let mut interrupt: Option<PyErr> = None;
    let outcome = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let outcome = plan::execute(plan, &counter, &stop);
            *done.0.lock().expect("no panic while held") = true;
            done.1.notify_all();
            outcome
        });
        loop {
            let finished = py.detach(|| {
                let guard = done.0.lock().expect("no panic while held");
                let (guard, _) = done.1.wait_timeout_while(guard, POLL, |finished| !*finished).expect("no panic");
                *guard
            });
            if finished {
                break;
            }
            if interrupt.is_none()
                && let Err(e) = py.check_signals()
            {
                stop.store(true, Ordering::SeqCst);
                interrupt = Some(e);
            }
            if let Err(e) = report.show(py, &counter, false) {
                stop.store(true, Ordering::SeqCst);
                interrupt.get_or_insert(e);
            }
        }
        // Joined without the GIL: the worker thread's exit may release a
        // Python thread state (crate::thread_state), which takes the GIL.
        py.detach(|| worker.join())
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(_) => return Err(errors::run_error(py, "the run plan panicked", out)),
    };
    report.show(py, &counter, true)?;
    match (outcome, interrupt) {
        (Ok(results), None) => Ok(results),
        // Ctrl-C (or a progress callback that raised) stopped the runs:
        // the plan's message says what is saved and how to resume.
        (Err(plan::Failure::Interrupted(message)), Some(e)) => {
            if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
                Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(message))
            } else {
                Err(e)
            }
        }
        (Ok(results), Some(e)) => {
            // Stopped too late to matter: every run had finished.
            drop(results);
            Err(e)
        }
        (Err(f), _) => Err(errors::failure(py, f, out)),
    }
}

/// Runs started and finished, as the plan reports them.
#[derive(Default)]
struct Counter {
    total: AtomicU64,
    done: AtomicU64,
}

impl Progress for Counter {
    fn start(&self, total: u64, done: u64) {
        self.total.store(total, Ordering::SeqCst);
        self.done.store(done, Ordering::SeqCst);
    }

    fn advance(&self) {
        self.done.fetch_add(1, Ordering::SeqCst);
    }
}

/// How progress is shown: not at all, a line on stderr, or a callable.
enum Report<'py> {
    None,
    Line(Bound<'py, PyAny>, std::cell::Cell<u64>),
    Callback(Bound<'py, PyAny>, std::cell::Cell<u64>),
}

impl<'py> Report<'py> {
    fn new(py: Python<'py>, progress: Option<&Bound<'py, PyAny>>) -> PyResult<Self> {
        let Some(progress) = progress else { return Ok(Self::None) };
        if progress.is_callable() {
            return Ok(Self::Callback(progress.clone(), std::cell::Cell::new(u64::MAX)));
        }
        if progress.is_truthy()? {
            let stderr = py.import("sys")?.getattr("stderr")?;
            Ok(Self::Line(stderr, std::cell::Cell::new(u64::MAX)))
        } else {
            Ok(Self::None)
        }
    }

    fn show(&self, _py: Python<'py>, counter: &Counter, last: bool) -> PyResult<()> {
        let (done, total) = (counter.done.load(Ordering::SeqCst), counter.total.load(Ordering::SeqCst));
        match self {
            Self::None => Ok(()),
            Self::Line(stderr, shown) => {
                if shown.get() != done || last {
                    shown.set(done);
                    let end = if last { "\n" } else { "" };
                    stderr.call_method1("write", (format!("\r{done}/{total} runs{end}"),))?;
                    stderr.call_method0("flush")?;
                }
                Ok(())
            }
            Self::Callback(f, shown) => {
                if shown.get() != done {
                    shown.set(done);
                    f.call1((done, total))?;
                }
                Ok(())
            }
        }
    }
}
