//! What a Python strategy returns, checked: a one-dimensional NumPy
//! array of whole units, one per SKU (or claim), none negative. Every
//! problem is a message naming what is wrong and what is valid; the caller
//! adds the policy and location.

use echelon::strategies::level::MAX_LEVEL;
use numpy::{PyArray1, PyArrayDescrMethods, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// The values of `value` as whole units, one per item of `ids` (SKU ids,
/// or claim numbers), checked as the module doc says. `what` names the
/// method in messages (`decide(view)`).
pub fn units(
    value: &Bound<'_, PyAny>,
    ids: &dyn Fn(usize) -> String,
    n: usize,
    what: &str,
) -> Result<Vec<i64>, String> {
    units_signed(value, ids, n, what, false)
}

/// As [`units`]; negative values allowed when `signed` (reorder points).
pub fn units_signed(
    value: &Bound<'_, PyAny>,
    ids: &dyn Fn(usize) -> String,
    n: usize,
    what: &str,
    signed: bool,
) -> Result<Vec<i64>, String> {
    if let Ok(array) = value.cast::<PyArray1<i64>>() {
        let array = array.try_readonly().map_err(|e| format!("{what} returned an array that cannot be read: {e}"))?;
        let values = match array.as_slice() {
            Ok(slice) => slice.to_vec(),
            Err(_) => array.as_array().to_vec(),
        };
        return checked(values, ids, n, what, signed);
    }
    let Ok(array) = value.cast::<PyUntypedArray>() else {
        let kind = value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        return Err(format!(
            "{what} returned a {kind}, not a NumPy array; return np.ndarray of {n} integers (dtype int64), one per SKU"
        ));
    };
    let shape = array.shape().to_vec();
    if shape != [n] {
        let shape = shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
        return Err(format!(
            "{what} returned an array of shape ({shape}); expected ({n},): one quantity per SKU, in sku_ids order"
        ));
    }
    let dt = array.dtype();
    let kind = dt.kind();
    if kind == b'f' {
        let floats: Vec<f64> = value
            .call_method1("astype", ("float64",))
            .and_then(|a| a.extract::<Vec<f64>>())
            .map_err(|e| format!("{what}: {e}"))?;
        if let Some(i) = floats.iter().position(|v| v.is_nan()) {
            return Err(format!("{what} returned NaN for {}; return whole units (integers ≥ 0)", ids(i)));
        }
        return Err(format!(
            "{what} returned an array of dtype {dt}; return integer units (dtype int64, e.g. np.rint(x).astype(np.int64))"
        ));
    }
    if kind == b'i' || kind == b'u' {
        let values: Vec<i64> = value
            .call_method1("astype", ("int64",))
            .and_then(|a| a.extract::<Vec<i64>>())
            .map_err(|e| format!("{what}: {e}"))?;
        return checked(values, ids, n, what, signed);
    }
    Err(format!("{what} returned an array of dtype {dt}; return integer units (dtype int64)"))
}

fn checked(
    values: Vec<i64>,
    ids: &dyn Fn(usize) -> String,
    n: usize,
    what: &str,
    signed: bool,
) -> Result<Vec<i64>, String> {
    if values.len() != n {
        return Err(format!(
            "{what} returned an array of shape ({},); expected ({n},): one quantity per SKU, in sku_ids order",
            values.len()
        ));
    }
    if let Some(i) = values.iter().position(|&v| v < 0).filter(|_| !signed) {
        return Err(format!("{what} returned {} for {}; quantities are whole units ≥ 0", values[i], ids(i)));
    }
    // The engine's largest level: beyond it, unit sums could overflow
    // (reorder points are only compared with).
    if let Some(i) = values.iter().position(|&v| v > MAX_LEVEL).filter(|_| !signed) {
        return Err(format!(
            "{what} returned {} for {}; at most {MAX_LEVEL} units (the engine's largest level)",
            values[i],
            ids(i)
        ));
    }
    Ok(values)
}

/// A Python exception with its traceback, as text.
pub fn traceback(py: Python<'_>, e: &PyErr) -> String {
    let formatted = py.import("traceback").and_then(|tb| {
        tb.call_method1("format_exception", (e.get_type(py), e.value(py), e.traceback(py)))?.extract::<Vec<String>>()
    });
    match formatted {
        Ok(lines) => lines.concat().trim_end().to_string(),
        Err(_) => e.to_string(),
    }
}
