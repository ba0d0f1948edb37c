//! `echelon._echelon`: the native half of the Python package `echelon`
//! (the pure-Python half, `python/echelon/`, is the public face and
//! documents the contract).
//!
//! One concept per file:
//!
//! * [`errors`] — `ScenarioError`, `RunError`, and how a [`Failure`] of
//!   the library becomes a Python exception;
//! * [`study`] — `load` and `Study.run` (a run plan executed on a worker
//!   thread with the GIL released; Ctrl-C raises the plan's stop flag);
//! * [`results`] — `Results` (summary, tables, `write`);
//! * [`arrow`] — the per-run tables as Arrow record batches behind
//!   `__arrow_c_stream__`;
//! * [`values`] — RON parameters as Python values;
//! * [`arrays`] — what a Python strategy returns, checked;
//! * [`policy`] — replenishment policies written in Python;
//! * [`allocation`] — allocation rules written in Python;
//! * [`thread_state`] — a Python thread state kept per engine worker
//!   thread, so a policy call only takes the GIL;
//! * [`distributed`] — one shard of a study, and the merge of shards
//!   (`echelon.distributed`);
//! * [`gym`] — the native core of the Gymnasium environments
//!   (`echelon.gym`);
//! * [`registry`] — the strategies registered from Python, added to the
//!   bundled registry for each `load`.
//!
//! [`Failure`]: echelon::plan::Failure

use pyo3::prelude::*;

pub mod allocation;
pub mod arrays;
pub mod arrow;
pub mod distributed;
pub mod errors;
pub mod gym;
pub mod policy;
pub mod registry;
pub mod results;
pub mod study;
pub mod thread_state;
pub mod values;

/// The native module.
#[pymodule]
fn _echelon(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // A strategy that fails (a Python policy that raised, a broken
    // contract) panics inside the run; the runner turns the panic into the
    // run's failure, so the default hook's stderr message is not wanted.
    std::panic::set_hook(Box::new(echelon::runner::note_panic_location));
    errors::register(m)?;
    study::register(m)?;
    results::register(m)?;
    arrow::register(m)?;
    gym::register(m)?;
    distributed::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
