//! Sweeps: the grid of parameter values a study runs.
//!
//! # Contract
//!
//! Each `sweep:` entry names a parameter path ([`super::params`]) and its
//! values, listed (`values: [7, 14, 21]`) or as an inclusive range
//! (`range: (from: 1.0, to: 2.0, step: 0.25)`). The points are the cartesian
//! product in file order, the last entry varying fastest; a file without a
//! sweep has one point with no parameters. Every point is validated as a
//! whole scenario before anything runs. Random streams do not depend on the
//! point, so all points and strategies of a replication share their random
//! numbers (common random numbers across the grid).

use super::file::{RangeFile, ScenarioFile, SweepFile};
use super::{InputError, Scenario, params};

/// The most points one sweep may have.
pub const MAX_POINTS: usize = 100_000;

/// One point of the grid: its parameter values and the scenario there.
#[derive(Debug, Clone)]
pub struct Point {
    /// (path, value) per swept parameter, in sweep order.
    pub params: Vec<(String, f64)>,
    /// The scenario with those values applied and validated (shared with
    /// the study's base when the study has no sweep).
    pub scenario: std::sync::Arc<Scenario>,
}

fn range_values(range: &RangeFile) -> Result<Vec<f64>, String> {
    let RangeFile { from, to, step } = *range;
    if !(from.is_finite() && to.is_finite() && step.is_finite()) {
        return Err(format!("from, to and step must be finite numbers, got ({from}, {to}, {step})"));
    }
    if step <= 0.0 {
        return Err(format!("step must be above 0, got {step}"));
    }
    if to < from {
        return Err(format!("the range is empty: to = {to} is below from = {from}"));
    }
    let count = ((to - from) / step + 1e-9).floor() + 1.0;
    if count > MAX_POINTS as f64 {
        return Err(format!("{count} values; at most {MAX_POINTS}"));
    }
    // Computed from the index, not accumulated, so values are exact where
    // the step is (0.1 + 0.1 + 0.1 drifts; 3 × 0.1 rounds once).
    Ok((0..count as usize).map(|i| from + i as f64 * step).collect())
}

/// Whether `path` names a field of `experiment` (the study's shape, not a
/// parameter of the network).
fn is_experiment(path: &str) -> bool {
    let path = path.trim();
    path == "experiment" || path.starts_with("experiment.")
}

fn entry_values(entry: &SweepFile) -> Result<Vec<f64>, (&'static str, String)> {
    match (&entry.values, &entry.range) {
        (Some(_), Some(_)) => Err(("values", "give values or range, not both".into())),
        (None, None) => Err(("path", "give the values to sweep: values: [..] or range: (from:, to:, step:)".into())),
        (Some(values), None) if values.is_empty() => {
            Err(("values", "the list is empty; give at least one value".into()))
        }
        (Some(values), None) => match values.iter().find(|v| !v.is_finite()) {
            Some(v) => Err(("values", format!("{v} is not a finite number"))),
            None => Ok(values.clone()),
        },
        (None, Some(range)) => range_values(range).map_err(|m| ("range", m)),
    }
}

/// Expands the sweep of `scenario` into validated points.
pub fn points(scenario: &Scenario) -> Result<Vec<Point>, InputError> {
    let file = &scenario.file;
    let at = |field: String, message: String| InputError::at(&scenario.path, &scenario.source, field, message);
    let mut axes = Vec::with_capacity(file.sweep.len());
    for (i, entry) in file.sweep.iter().enumerate() {
        if file.sweep[..i].iter().any(|e| e.path.trim() == entry.path.trim()) {
            return Err(at(format!("sweep[{i}].path"), format!("\"{}\" is swept twice", entry.path)));
        }
        if is_experiment(&entry.path) {
            return Err(at(
                format!("sweep[{i}].path"),
                format!(
                    "\"{}\" cannot be swept: every point of a study shares its experiment (horizon, warm-up, \
                     replications, seed), which its tables and intervals assume; set it with --set or run \
                     one study per value",
                    entry.path.trim()
                ),
            ));
        }
        let values = entry_values(entry).map_err(|(field, m)| at(format!("sweep[{i}].{field}"), m))?;
        params::set(file, &entry.path, params::number(values[0]))
            .map_err(|e| at(format!("sweep[{i}].path"), format!("\"{}\" {}", e.path, e.message)))?;
        axes.push(values);
    }
    let total = axes.iter().try_fold(1usize, |n, a| n.checked_mul(a.len()).filter(|&n| n <= MAX_POINTS));
    let Some(total) = total else {
        return Err(at("sweep".into(), format!("the grid has more than {MAX_POINTS} points")));
    };
    (0..total).map(|index| point(scenario, &axes, index)).collect()
}

/// Point `index` of the grid (last axis fastest).
fn point(scenario: &Scenario, axes: &[Vec<f64>], index: usize) -> Result<Point, InputError> {
    let file = &scenario.file;
    let mut remainder = index;
    let mut choice = vec![0; axes.len()];
    for (axis, values) in axes.iter().enumerate().rev() {
        choice[axis] = remainder % values.len();
        remainder /= values.len();
    }
    let mut changed: ScenarioFile = file.clone();
    let mut params = Vec::with_capacity(axes.len());
    for (axis, entry) in file.sweep.iter().enumerate() {
        let value = axes[axis][choice[axis]];
        changed = params::set(&changed, &entry.path, params::number(value)).map_err(|e| {
            InputError::at(
                &scenario.path,
                &scenario.source,
                format!("sweep[{axis}]"),
                format!("{} = {value}: {}", e.path, e.message),
            )
        })?;
        params.push((entry.path.clone(), value));
    }
    let described: Vec<String> = params.iter().map(|(p, v)| format!("{p} = {v}")).collect();
    let scenario =
        Scenario::from_parts_in(&scenario.path, scenario.source.clone(), changed, scenario.options, &scenario.registry)
            .map_err(|e| InputError {
                message: format!("at the sweep point {}: {}", described.join(", "), e.message),
                ..e
            })?;
    Ok(Point { params, scenario: scenario.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_their_end_and_are_exact_multiples() {
        let r = |from, to, step| range_values(&RangeFile { from, to, step });
        assert_eq!(r(0.0, 28.0, 7.0).unwrap(), vec![0.0, 7.0, 14.0, 21.0, 28.0]);
        assert_eq!(r(1.0, 2.0, 0.25).unwrap(), vec![1.0, 1.25, 1.5, 1.75, 2.0]);
        assert_eq!(r(0.0, 0.3, 0.1).unwrap().len(), 4);
        assert!(r(2.0, 1.0, 0.5).unwrap_err().contains("empty"));
        assert!(r(1.0, 2.0, 0.0).unwrap_err().contains("step"));
    }
}
