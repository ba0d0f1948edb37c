//! The strategies registered from Python (`echelon.register_replenishment`,
//! `echelon.register_allocation`), added to the bundled registry each time
//! a scenario is loaded: the Python package keeps them in two dicts
//! (name → (class, help)) and hands them to `load`, so a class registered
//! again under the same name replaces the old one for later loads.

use crate::allocation::PythonAllocation;
use crate::policy::PythonReplenishment;
use echelon::strategies::registry::Registry;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Arc;

/// The bundled strategies plus those of `replenishment` and `allocation`
/// (dicts name → (class, help)).
pub fn build(
    replenishment: Option<&Bound<'_, PyDict>>,
    allocation: Option<&Bound<'_, PyDict>>,
) -> PyResult<Arc<Registry>> {
    let mut registry = Registry::bundled();
    for (name, entry) in replenishment.into_iter().flat_map(|d| d.iter()) {
        let name: String = name.extract()?;
        let (class, help): (Py<PyAny>, String) = entry.extract()?;
        let label = name.clone();
        registry.register_replenishment(&name, &help, move |ctx, params| {
            PythonReplenishment::prototype(&label, &class, ctx, params)
        });
    }
    for (name, entry) in allocation.into_iter().flat_map(|d| d.iter()) {
        let name: String = name.extract()?;
        let (class, help): (Py<PyAny>, String) = entry.extract()?;
        let label = name.clone();
        registry.register_allocation(&name, &help, move |params| PythonAllocation::new(&label, &class, params));
    }
    Ok(Arc::new(registry))
}
