//! Replenishment policies written in Python.
//!
//! A class registered with `echelon.register_replenishment(name, cls)` and
//! named in a scenario as `Custom(name: "…", params: { … })` serves one
//! location per instance: the registry's factory (called once per location
//! when the scenario is loaded) validates it by constructing it —
//! `cls(params, location)` — and reading its review and levels; every run
//! then constructs its own instance per location (the prototype's clone).
//!
//! At each review the engine calls [`Replenishment::decide`] once per
//! location; it takes the GIL, copies the location's figures into NumPy
//! arrays owned by the instance (made once, reused: no allocation per
//! call), calls `decide(view)` once, and checks what comes back (see
//! [`crate::arrays`]). After the call it reads `view.reorder_points` back,
//! so a policy that moves its levels moves its triggers too. A Python
//! exception, or a return that breaks the contract, panics with the
//! policy's name, the location, the day and the traceback; the runner
//! turns that into the run's failure (`RunError`, the CLI's exit 4), and
//! the runs finished before it stay in the run log.
//!
//! The protocol, from Python, is documented in `python/echelon/policy.py`.

use crate::arrays;
use crate::values;
use echelon::runner::StrategyFailure;
use echelon::sim::strategy::{Capabilities, NodeView, Replenishment, Review};
use echelon::strategies::level::NodeContext;
use echelon::strategies::registry::{Params, SpecError};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use std::sync::Arc;

/// What every instance at one location shares.
struct Shape {
    /// Registered name.
    name: Arc<str>,
    class: Py<PyAny>,
    params: Py<PyAny>,
    /// The `echelon.policy.Location` handed to the constructor.
    location: Py<PyAny>,
    location_id: String,
    sku_ids: Vec<String>,
    review: Review,
    capabilities: Capabilities,
}

/// One Python instance and its view, reused across calls.
struct Instance {
    decide: Py<PyAny>,
    observe: Option<Py<PyAny>>,
    view: Py<PyAny>,
    on_hand: Py<PyArray1<i64>>,
    backorders: Py<PyArray1<i64>>,
    owed: Py<PyArray1<i64>>,
    on_order: Py<PyArray1<i64>>,
    inventory_position: Py<PyArray1<i64>>,
    echelon_position: Py<PyArray1<i64>>,
    demand: Py<PyArray1<i64>>,
    reorder_points: Py<PyArray1<i64>>,
}

/// A Python replenishment policy at one location (module doc).
pub struct PythonReplenishment {
    shape: Arc<Shape>,
    instance: Instance,
    reorder_points: Vec<i64>,
    initial: Vec<i64>,
}

/// `reorder_points` when a policy gives none: no inventory position is
/// at or below it, so no need is ever timed (decision latency is not
/// measured for the policy).
pub const NO_REORDER_POINT: i64 = i64::MIN;

impl Shape {
    fn sku(&self, i: usize) -> String {
        format!("SKU \"{}\"", self.sku_ids.get(i).map_or("?", |s| s.as_str()))
    }

    fn who(&self) -> String {
        format!("Python policy \"{}\" at location \"{}\"", self.name, self.location_id)
    }

    /// A new instance and its view (the constructor's exception as text).
    fn instantiate(&self, py: Python<'_>) -> Result<(Instance, Vec<i64>, Vec<i64>), String> {
        let n = self.sku_ids.len();
        let raised = |what: &str, e: PyErr| format!("{what} raised:\n{}", arrays::traceback(py, &e));
        let object = self
            .class
            .bind(py)
            .call1((self.params.bind(py), self.location.bind(py)))
            .map_err(|e| raised("the constructor cls(params, location)", e))?;
        let method = |name: &str| -> Result<Option<Bound<'_, PyAny>>, String> {
            match object.getattr_opt(name) {
                Ok(Some(m)) if m.is_callable() => Ok(Some(m)),
                Ok(Some(_)) => Err(format!("its `{name}` is not a method")),
                Ok(None) => Ok(None),
                Err(e) => Err(raised(name, e)),
            }
        };
        let decide = method("decide")?.ok_or("the class has no decide(view) method")?;
        let observe = method("observe")?;
        let levels = |name: &str, default: i64| -> Result<Vec<i64>, String> {
            match method(name)? {
                None => Ok(vec![default; n]),
                Some(m) => {
                    let value = m.call0().map_err(|e| raised(&format!("{name}()"), e))?;
                    arrays::units_signed(&value, &|i| self.sku(i), n, &format!("{name}()"), name == "reorder_points")
                }
            }
        };
        let reorder_points = levels("reorder_points", NO_REORDER_POINT)?;
        let initial = levels("initial_on_hand", 0)?;
        let zeros = || PyArray1::<i64>::zeros(py, n, false).unbind();
        let instance = Instance {
            decide: decide.unbind(),
            observe: observe.map(Bound::unbind),
            view: py
                .import("echelon.policy")
                .and_then(|m| m.getattr("View"))
                .and_then(|v| v.call1((self.location.bind(py),)))
                .map_err(|e| raised("echelon.policy.View", e))?
                .unbind(),
            on_hand: zeros(),
            backorders: zeros(),
            owed: zeros(),
            on_order: zeros(),
            inventory_position: zeros(),
            echelon_position: zeros(),
            demand: zeros(),
            reorder_points: PyArray1::from_slice(py, &reorder_points).unbind(),
        };
        let view = instance.view.bind(py);
        let set = || -> PyResult<()> {
            view.setattr("on_hand", instance.on_hand.bind(py))?;
            view.setattr("backorders", instance.backorders.bind(py))?;
            view.setattr("owed", instance.owed.bind(py))?;
            view.setattr("on_order", instance.on_order.bind(py))?;
            view.setattr("inventory_position", instance.inventory_position.bind(py))?;
            view.setattr("echelon_position", instance.echelon_position.bind(py))?;
            view.setattr("demand", instance.demand.bind(py))?;
            view.setattr("reorder_points", instance.reorder_points.bind(py))?;
            Ok(())
        };
        set().map_err(|e| raised("setting up the view", e))?;
        Ok((instance, reorder_points, initial))
    }
}

impl PythonReplenishment {
    /// Validates `class` for the location of `ctx` with `params`: builds
    /// one instance (module doc). Errors are at `params` (the constructor
    /// raised) or name what the class lacks.
    pub fn prototype(name: &str, class: &Py<PyAny>, ctx: &NodeContext<'_>, params: &Params) -> Result<Self, SpecError> {
        Python::attach(|py| {
            let fail = |message: String| {
                SpecError::new("", format!("Python policy \"{name}\" at location \"{}\": {message}", ctx.node))
            };
            let params = values::to_python(py, &params.0).map_err(|e| fail(e.to_string()))?.unbind();
            let np = |v: &[f64]| PyArray1::from_slice(py, v);
            let location = py
                .import("echelon.policy")
                .and_then(|m| m.getattr("Location"))
                .and_then(|l| {
                    l.call1((
                        ctx.node,
                        ctx.sku_ids.clone(),
                        np(&ctx.mean_daily_demand),
                        np(&ctx.own_mean_daily_demand),
                        ctx.lead_time_days,
                    ))
                })
                .map_err(|e| fail(arrays::traceback(py, &e)))?
                .unbind();
            let object_class = class.bind(py);
            let attr = |key: &str, default: i64| -> Result<i64, SpecError> {
                match object_class.getattr_opt(key) {
                    Ok(Some(v)) => v.extract::<i64>().map_err(|_| fail(format!("`{key}` must be an int, got {v}"))),
                    _ => Ok(default),
                }
            };
            let flag = |key: &str| -> Result<bool, SpecError> {
                match object_class.getattr_opt(key) {
                    Ok(Some(v)) => v.is_truthy().map_err(|e| fail(e.to_string())),
                    _ => Ok(false),
                }
            };
            let (period, offset) = (attr("review_period_days", 1)?, attr("review_offset_days", 0)?);
            if period < 1 || period > i64::from(u32::MAX) || offset < 0 || offset >= period {
                return Err(fail(format!(
                    "review_period_days = {period} and review_offset_days = {offset}: the period is ≥ 1 and the offset lies in 0..period"
                )));
            }
            let mut capabilities = Capabilities::NONE;
            if flag("observes_demand")? || object_class.hasattr("observe").unwrap_or(false) {
                capabilities = capabilities.with_observes_demand();
            }
            if flag("echelon_position")? {
                capabilities = capabilities.with_echelon_position();
            }
            let shape = Shape {
                name: name.into(),
                class: class.clone_ref(py),
                params,
                location,
                location_id: ctx.node.to_string(),
                sku_ids: ctx.sku_ids.iter().map(|s| s.to_string()).collect(),
                review: Review::Periodic { period_days: period as u32, offset_days: offset as u32 },
                capabilities,
            };
            let (instance, reorder_points, initial) = shape.instantiate(py).map_err(fail)?;
            Ok(Self { shape: Arc::new(shape), instance, reorder_points, initial })
        })
    }

    /// Copies the view into the instance's arrays and calls `decide` (or
    /// `observe`); the error as text.
    fn call(&mut self, py: Python<'_>, view: &NodeView<'_>, decide: bool, orders: &mut [i64]) -> Result<(), String> {
        let i = &self.instance;
        let shape = &self.shape;
        let skus = view.sku_count();
        let copy = |array: &Py<PyArray1<i64>>, values: &mut dyn FnMut(&mut [i64])| -> Result<(), String> {
            let mut array = array.bind(py).try_readwrite().map_err(|e| format!("a view array is in use: {e}"))?;
            let slice = array.as_slice_mut().map_err(|e| format!("a view array was changed: {e}"))?;
            if slice.len() != skus {
                return Err(format!(
                    "a view array was resized to {} values (the location has {skus} SKUs); a policy may change \
                     the values of the view's arrays, not their size",
                    slice.len()
                ));
            }
            values(slice);
            Ok(())
        };
        copy(&i.on_hand, &mut |s| s.copy_from_slice(view.on_hand))?;
        copy(&i.backorders, &mut |s| s.copy_from_slice(view.backorders))?;
        copy(&i.owed, &mut |s| s.copy_from_slice(view.owed))?;
        copy(&i.on_order, &mut |s| s.copy_from_slice(view.on_order))?;
        copy(&i.inventory_position, &mut |s| {
            for (sku, ip) in s.iter_mut().enumerate() {
                *ip = view.inventory_position(sku);
            }
        })?;
        if shape.capabilities.echelon_position {
            copy(&i.echelon_position, &mut |s| s.copy_from_slice(view.echelon_position))?;
        }
        if shape.capabilities.observes_demand && view.demand.len() == view.sku_count() {
            copy(&i.demand, &mut |s| s.copy_from_slice(view.demand))?;
        }
        let v = i.view.bind(py);
        let raised = |what: &str, e: PyErr| format!("{what} raised:\n{}", arrays::traceback(py, &e));
        let set = || -> PyResult<()> {
            v.setattr("day", view.day)?;
            v.setattr("forecast_available", view.forecast_available)?;
            v.setattr("data_delay_minutes", view.data_delay)?;
            Ok(())
        };
        set().map_err(|e| raised("setting the view", e))?;
        if !decide {
            if let Some(observe) = &i.observe {
                observe.bind(py).call1((v,)).map_err(|e| raised("observe(view)", e))?;
            }
            return Ok(());
        }
        let result = i.decide.bind(py).call1((v,)).map_err(|e| raised("decide(view)", e))?;
        let values = arrays::units(&result, &|k| shape.sku(k), orders.len(), "decide(view)")?;
        orders.copy_from_slice(&values);
        let levels = i.reorder_points.bind(py).try_readonly().map_err(|e| format!("view.reorder_points: {e}"))?;
        let levels = levels.as_slice().map_err(|e| format!("view.reorder_points: {e}"))?;
        if levels.len() == self.reorder_points.len() {
            self.reorder_points.copy_from_slice(levels);
        }
        Ok(())
    }

    #[cold]
    fn fail(&self, day: u32, message: &str) -> ! {
        std::panic::panic_any(StrategyFailure(format!("{}, day {day}: {message}", self.shape.who())))
    }
}

impl Clone for PythonReplenishment {
    /// A fresh instance for a new run (module doc). A constructor that
    /// raises now (it did not when the scenario was loaded) fails the run.
    fn clone(&self) -> Self {
        let made = Python::attach(|py| self.shape.instantiate(py));
        match made {
            Ok((instance, reorder_points, initial)) => {
                Self { shape: self.shape.clone(), instance, reorder_points, initial }
            }
            Err(message) => std::panic::panic_any(StrategyFailure(format!("{}: {message}", self.shape.who()))),
        }
    }
}

impl Replenishment for PythonReplenishment {
    fn review(&self) -> Review {
        self.shape.review
    }

    fn reorder_points(&self) -> &[i64] {
        &self.reorder_points
    }

    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.initial[sku]
    }

    fn order_quantity(&self, _sku: usize, _inventory_position: i64) -> i64 {
        // Never called: `decide` is overridden and the review is periodic.
        0
    }

    fn capabilities(&self) -> Capabilities {
        self.shape.capabilities
    }

    fn observe(&mut self, view: &NodeView<'_>) {
        if self.instance.observe.is_none() {
            return;
        }
        crate::thread_state::keep();
        let outcome = Python::attach(|py| self.call(py, view, false, &mut []));
        if let Err(message) = outcome {
            self.fail(view.day, &message);
        }
    }

    fn decide(&mut self, view: &NodeView<'_>, orders: &mut [i64]) {
        crate::thread_state::keep();
        let outcome = Python::attach(|py| self.call(py, view, true, orders));
        if let Err(message) = outcome {
            self.fail(view.day, &message);
        }
    }
}
