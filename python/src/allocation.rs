//! Allocation rules written in Python.
//!
//! A class registered with `echelon.register_allocation(name, cls)` and
//! named in a scenario as `allocation: Custom(name: "…", params: { … })`
//! is constructed once per strategy when the scenario is loaded —
//! `cls(params)` — and that one instance serves every node and every run
//! of the strategy (the engine's [`Allocation`] contract: it must keep no
//! state between calls). Each time scarce stock is split, `allocate(view)`
//! is called once with the claims as NumPy arrays and returns the grants
//! (see `python/echelon/policy.py`); the registry then checks the grants
//! against the contract (each in `0..=claim`, `min(available, Σ claims)`
//! in all). A Python exception or a malformed return fails the run with
//! the rule's name and the traceback.

use crate::arrays;
use crate::values;
use echelon::runner::StrategyFailure;
use echelon::sim::strategy::{Allocation, Claim};
use echelon::sim::time::{MINUTES_PER_DAY, Minute};
use echelon::strategies::registry::{Params, SpecError};
use numpy::PyArray1;
use pyo3::prelude::*;

/// A Python allocation rule (module doc).
pub struct PythonAllocation {
    name: String,
    allocate: Py<PyAny>,
    view: Py<PyAny>,
}

impl PythonAllocation {
    /// Constructs `class(params)` and checks it has `allocate`.
    pub fn new(name: &str, class: &Py<PyAny>, params: &Params) -> Result<Self, SpecError> {
        Python::attach(|py| {
            let fail = |message: String| SpecError::new("", format!("Python allocation \"{name}\": {message}"));
            let params = values::to_python(py, &params.0).map_err(|e| fail(e.to_string()))?;
            let object = class
                .bind(py)
                .call1((params,))
                .map_err(|e| fail(format!("the constructor cls(params) raised:\n{}", arrays::traceback(py, &e))))?;
            let allocate = match object.getattr_opt("allocate") {
                Ok(Some(m)) if m.is_callable() => m,
                _ => return Err(fail("the class has no allocate(view) method".into())),
            };
            let view = py
                .import("echelon.policy")
                .and_then(|m| m.getattr("AllocationView"))
                .and_then(|v| v.call0())
                .map_err(|e| fail(e.to_string()))?;
            Ok(Self { name: name.to_string(), allocate: allocate.unbind(), view: view.unbind() })
        })
    }

    fn call(&self, py: Python<'_>, now: Minute, available: i64, claims: &[Claim]) -> Result<Vec<i64>, String> {
        let raised = |what: &str, e: PyErr| format!("{what} raised:\n{}", arrays::traceback(py, &e));
        // One view per call: several threads may allocate at once (each
        // takes the GIL), so the view is filled and read under it.
        let view = self.view.bind(py).call_method0("__copy__").map_err(|e| raised("copying the view", e))?;
        let ints = |f: &dyn Fn(&Claim) -> i64| PyArray1::from_iter(py, claims.iter().map(f));
        let floats = |f: &dyn Fn(&Claim) -> f64| PyArray1::from_iter(py, claims.iter().map(f));
        let set = || -> PyResult<()> {
            view.setattr("now", now)?;
            view.setattr("day", now / MINUTES_PER_DAY)?;
            view.setattr("available", available)?;
            view.setattr("units", ints(&|c| c.units))?;
            view.setattr("since", ints(&|c| c.since as i64))?;
            view.setattr("tier", ints(&|c| i64::from(c.tier)))?;
            view.setattr("margin", floats(&|c| c.margin))?;
            view.setattr("due", ints(&|c| c.due as i64))?;
            view.setattr("late_penalty", floats(&|c| c.late_penalty))?;
            Ok(())
        };
        set().map_err(|e| raised("setting the view", e))?;
        let result = self.allocate.bind(py).call1((&view,)).map_err(|e| raised("allocate(view)", e))?;
        arrays::units(&result, &|k| format!("claim {k}"), claims.len(), "allocate(view)")
    }
}

impl Allocation for PythonAllocation {
    fn allocate(&self, now: Minute, available: i64, claims: &[Claim], grants: &mut [i64]) {
        crate::thread_state::keep();
        match Python::attach(|py| self.call(py, now, available, claims)) {
            Ok(values) => grants.copy_from_slice(&values),
            Err(message) => std::panic::panic_any(StrategyFailure(format!(
                "Python allocation \"{}\", minute {now}: {message}",
                self.name
            ))),
        }
    }
}
