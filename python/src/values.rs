//! A plugged-in strategy's `params` (a RON value) as Python values: maps
//! become `dict`s, sequences `list`s, whole numbers `int`, other numbers
//! `float`, `Some(x)` is `x`, `None` and `()` are `None`, a RON struct
//! `(a: 1)` is a `dict` keyed by field name.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use ron::Value;
use ron::value::Number;

/// The Python value of `value`.
pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Char(c) => c.to_string().into_pyobject(py)?.into_any(),
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Bytes(b) => PyBytes::new(py, b).into_any(),
        Value::Unit | Value::Option(None) => py.None().into_bound(py),
        Value::Option(Some(v)) => to_python(py, v)?,
        Value::Seq(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Map(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map.iter() {
                dict.set_item(to_python(py, k)?, to_python(py, v)?)?;
            }
            dict.into_any()
        }
        Value::Number(n) => number(py, n)?,
    })
}

fn number<'py>(py: Python<'py>, n: &Number) -> PyResult<Bound<'py, PyAny>> {
    Ok(match *n {
        Number::I8(v) => v.into_pyobject(py)?.into_any(),
        Number::I16(v) => v.into_pyobject(py)?.into_any(),
        Number::I32(v) => v.into_pyobject(py)?.into_any(),
        Number::I64(v) => v.into_pyobject(py)?.into_any(),
        Number::U8(v) => v.into_pyobject(py)?.into_any(),
        Number::U16(v) => v.into_pyobject(py)?.into_any(),
        Number::U32(v) => v.into_pyobject(py)?.into_any(),
        Number::U64(v) => v.into_pyobject(py)?.into_any(),
        other => other.into_f64().into_pyobject(py)?.into_any(),
    })
}
