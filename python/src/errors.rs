//! The package's exceptions, and how a library [`Failure`] becomes one.
//!
//! * `ScenarioError(ValueError)` — an invalid scenario file or `set=`
//!   entry; attributes `file`, `line`, `column` (1-based, `None` when
//!   unknown), `path` (the field path, also as `field`; `None` for the file
//!   as a whole) and `message` — the parts of the CLI's
//!   `file:line:col: field.path: message` line (exit 2).
//! * `RunError(RuntimeError)` — a run failed: a strategy raised or broke
//!   its contract (exit 4 on the CLI), or the results could not be written
//!   (exit 3). Attributes `message` and `out` (the results directory, whose
//!   run log keeps the runs finished before the failure).
//! * Ctrl-C raises `KeyboardInterrupt` after the runs in flight end; the
//!   finished runs stay in `out`'s run log (`run(..., resume=True)` goes
//!   on).
//! * Invalid arguments (threads 0, a results directory holding other
//!   results) raise `ValueError` with the CLI's message.

use echelon::plan::Failure;
use echelon::scenario::InputError;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::path::Path;

pyo3::create_exception!(
    echelon,
    ScenarioError,
    PyValueError,
    "An invalid scenario: attributes file, line, column, path (alias field) and message."
);
pyo3::create_exception!(
    echelon,
    RunError,
    PyRuntimeError,
    "A run failed (a strategy raised or broke its contract, or results could not be written): attributes message and out."
);

/// Adds the exceptions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("RunError", py.get_type::<RunError>())?;
    Ok(())
}

/// A `ScenarioError` with its attributes set.
pub fn scenario_error(
    py: Python<'_>,
    file: &Path,
    position: Option<(usize, usize)>,
    path: Option<&str>,
    message: &str,
    text: String,
) -> PyErr {
    let err = ScenarioError::new_err(text);
    let value = err.value(py);
    let set = || -> PyResult<()> {
        value.setattr("file", file.to_string_lossy().into_owned())?;
        value.setattr("line", position.map(|p| p.0))?;
        value.setattr("column", position.map(|p| p.1))?;
        value.setattr("path", path)?;
        value.setattr("field", path)?;
        value.setattr("message", message)?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// `ScenarioError` of an [`InputError`] (its text is the CLI's line).
pub fn input_error(py: Python<'_>, e: &InputError) -> PyErr {
    // The CLI's one line, except that a message spanning lines (a Python
    // policy's traceback) keeps them: the CLI escapes every control
    // character for the terminal's sake, which would fold the traceback.
    let mut one_line = e.clone();
    one_line.message.clear();
    let one_line = one_line.to_string();
    let lines: Vec<String> = e.message.split('\n').map(echelon::scenario::error::printable).collect();
    let text = format!("{one_line}{}", lines.join("\n"));
    scenario_error(py, &e.file, e.position, e.path.as_deref(), &e.message, text)
}

/// A `RunError` with its attributes set.
pub fn run_error(py: Python<'_>, message: &str, out: Option<&Path>) -> PyErr {
    let err = RunError::new_err(message.to_string());
    let value = err.value(py);
    let set = || -> PyResult<()> {
        value.setattr("message", message)?;
        value.setattr("out", out.map(|o| o.to_string_lossy().into_owned()))?;
        Ok(())
    };
    match set() {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// The Python exception of a library failure (module doc).
pub fn failure(py: Python<'_>, f: Failure, out: Option<&Path>) -> PyErr {
    match f {
        Failure::Input(e) => input_error(py, &e),
        Failure::Usage(m) => PyValueError::new_err(m),
        Failure::Interrupted(m) => PyKeyboardInterrupt::new_err(python_resume(&m, "; resume with", out)),
        Failure::Strategy(m) => run_error(py, &python_resume(&m, "\nthe runs finished before it", out), out),
        Failure::Io(m) | Failure::Regression(m) => run_error(py, &m, out),
        other => run_error(py, &other.to_string(), out),
    }
}

/// The plan's message with its CLI resume hint (from `cut` on) replaced
/// by the Python one: `Study.run(..., out=…, resume=True)` when the runs
/// were kept in `out`, else a note that nothing was kept.
fn python_resume(message: &str, cut: &str, out: Option<&Path>) -> String {
    let head = message.find(cut).map_or(message, |i| &message[..i]);
    match out {
        Some(out) => format!(
            "{head}\nthe finished runs are saved in {}; resume with Study.run(..., out={:?}, resume=True)",
            out.join("runs.jsonl").display(),
            out.display().to_string()
        ),
        None => format!("{head}\n(no out= was given, so the finished runs were not kept)"),
    }
}
