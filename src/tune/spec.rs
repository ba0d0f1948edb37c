//! The `tune:` section of a scenario file, and its validation into a
//! [`Plan`].
//!
//! ```ron
//! tune: (
//!     strategies: ["min-max"],
//!     parameters: [
//!         (strategy: "min-max", parameter: "reorder_point", min: 0, max: 200),
//!         (strategy: "min-max", parameter: "order_up_to", min: 1, max: 400),
//!     ],
//!     objective: MinHoldingOrdering,            // or MinTotalCost (default)
//!     constraints: [(metric: "fill_rate", target: 0.95)],   // scope: PerSkuLocation (default), Network, AbcClass("A")
//!     granularity: PerSkuLocation,              // PerSku, PerAbcClass, Global
//!     replications: 20,                         // search replications (10 000, 10 001, …)
//!     max_evaluations: 200,                     // candidates per searched group (default 200)
//!     service_targets: [0.90, 0.95, 0.98],      // optional: the cost/service frontier
//! )
//! ```
//!
//! Everything here is checked when the scenario loads (exit 2, located):
//! unknown strategies and parameters (with the nearest valid names),
//! bounds, metrics that do not exist, have no direction or are not measured
//! per SKU-location, targets outside the metric's range, scopes the
//! granularity cannot honour, and budgets too small to evaluate a
//! candidate.

use crate::scenario::build::FieldError;
use crate::scenario::file::ScenarioFile;
use echelon_sim::metrics::{Better, METRICS, metric_index};
use echelon_strategies::level::MAX_LEVEL;
use echelon_strategies::tunable;
use serde::{Deserialize, Serialize};

/// The `tune:` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Tune")]
pub struct TuneFile {
    /// Names of the strategies to tune (from `strategies:`).
    pub strategies: Vec<String>,
    /// Their parameters and bounds.
    pub parameters: Vec<TuneParameterFile>,
    /// What to minimise (default MinTotalCost).
    #[serde(default)]
    pub objective: ObjectiveFile,
    /// Service constraints (default none).
    #[serde(default)]
    pub constraints: Vec<ConstraintFile>,
    /// How many values are searched (default PerSkuLocation).
    #[serde(default)]
    pub granularity: GranularityFile,
    /// Replications each candidate is evaluated on.
    pub replications: u32,
    /// Candidates evaluated per searched group at most (default 200).
    #[serde(default = "default_budget")]
    pub max_evaluations: u32,
    /// Service targets for the cost/service frontier (replacing the one
    /// constraint's target in turn).
    #[serde(default)]
    pub service_targets: Vec<f64>,
}

fn default_budget() -> u32 {
    200
}

/// One tuned parameter.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "TuneParameter")]
pub struct TuneParameterFile {
    /// Strategy name.
    pub strategy: String,
    /// Parameter name, as in the strategy (e.g. `reorder_point`,
    /// `fallback.order_up_to`, `service_target`).
    pub parameter: String,
    /// Lowest value searched.
    pub min: f64,
    /// Highest value searched.
    pub max: f64,
    /// Grid step of a number parameter (levels are searched in whole units).
    #[serde(default)]
    pub step: Option<f64>,
}

/// What the search minimises, per SKU-location, per day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Objective")]
pub enum ObjectiveFile {
    /// Holding + ordering + transport + shortage cost.
    #[default]
    MinTotalCost,
    /// Holding + ordering + transport cost (service comes from constraints).
    MinHoldingOrdering,
}

/// A service constraint.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Constraint")]
pub struct ConstraintFile {
    /// Metric key (`fill_rate`, `cycle_service`, `ready_rate`, `backorders_end_mean`).
    pub metric: String,
    /// At least this for a higher-is-better metric, at most this otherwise.
    pub target: f64,
    /// Where it must hold (default: every SKU-location).
    #[serde(default)]
    pub scope: ScopeFile,
}

/// Where a constraint holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Scope")]
pub enum ScopeFile {
    /// At every customer-facing SKU-location.
    #[default]
    PerSkuLocation,
    /// Over the customer-facing SKU-locations of one ABC class.
    AbcClass(String),
    /// Over all customer-facing SKU-locations.
    Network,
}

/// How many values are searched for each parameter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Granularity")]
pub enum GranularityFile {
    /// One per SKU-location.
    #[default]
    PerSkuLocation,
    /// One per SKU (per echelon level).
    PerSku,
    /// One per ABC class (per echelon level).
    PerAbcClass,
    /// One for all (per echelon level).
    Global,
}

/// A metric the tuner measures per SKU-location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlMetric {
    /// Units served from stock on the day demanded ÷ units demanded.
    FillRate,
    /// Share of days whose whole demand was served from stock.
    CycleService,
    /// Share of days ending without backorders.
    ReadyRate,
    /// Backordered units at day end.
    BackordersEndMean,
}

impl SlMetric {
    /// Every one, with its key.
    pub const ALL: [(Self, &'static str); 4] = [
        (Self::FillRate, "fill_rate"),
        (Self::CycleService, "cycle_service"),
        (Self::ReadyRate, "ready_rate"),
        (Self::BackordersEndMean, "backorders_end_mean"),
    ];

    /// Its key.
    pub fn key(self) -> &'static str {
        Self::ALL.iter().find(|(m, _)| *m == self).map_or("", |(_, k)| k)
    }
}

/// A validated constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// What is measured.
    pub metric: SlMetric,
    /// Must the metric be at least (true) or at most (false) the target?
    pub at_least: bool,
    /// The target.
    pub target: f64,
    /// Where.
    pub scope: ScopeFile,
}

/// Whether a parameter is a whole-unit level or a number on a grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Per SKU at a node, whole units: the searched index is the value.
    Level,
    /// One per strategy: value = `lo + index · step`.
    Number,
}

/// A validated parameter: searched over indices `min..=max`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamPlan {
    /// Name in the strategy.
    pub name: String,
    /// Its kind.
    pub kind: ParamKind,
    /// Lowest index.
    pub min: i64,
    /// Highest index.
    pub max: i64,
    /// Number parameters: the value of index 0.
    pub lo: f64,
    /// Number parameters: the grid step.
    pub step: f64,
}

impl ParamPlan {
    /// The parameter's value at `index`.
    pub fn value(&self, index: i64) -> f64 {
        match self.kind {
            ParamKind::Level => index as f64,
            ParamKind::Number => self.lo + index as f64 * self.step,
        }
    }
}

/// A strategy to tune.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyPlan {
    /// Index in the scenario's strategies.
    pub index: usize,
    /// Its name.
    pub name: String,
    /// Its tuned parameters, in file order.
    pub params: Vec<ParamPlan>,
}

/// A validated `tune:` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Strategies to tune, in `tune.strategies` order.
    pub strategies: Vec<StrategyPlan>,
    /// Minimise total cost (true) or holding + ordering (false)?
    pub total_cost: bool,
    /// Constraints.
    pub constraints: Vec<Constraint>,
    /// Granularity.
    pub granularity: GranularityFile,
    /// Search replications.
    pub replications: u32,
    /// Candidates per group at most.
    pub max_evaluations: u32,
    /// Frontier targets.
    pub service_targets: Vec<f64>,
}

fn fail<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, FieldError> {
    Err(FieldError { path: path.into(), message: message.into() })
}

fn nearest<'a>(name: &str, valid: impl IntoIterator<Item = &'a str>) -> String {
    let mut valid: Vec<&str> = valid.into_iter().collect();
    valid.sort_by_key(|v| (strsim::levenshtein(v, name), *v));
    match valid.first() {
        Some(best) => format!("did you mean \"{best}\"? valid: {}", valid.join(", ")),
        None => "this strategy has no tunable parameter".into(),
    }
}

fn check_target(path: &str, key: &str, metric: SlMetric, target: f64) -> Result<(), FieldError> {
    if !target.is_finite() {
        return fail(path, format!("must be a finite number, got {target}"));
    }
    let ratio = metric != SlMetric::BackordersEndMean;
    if ratio && !(target > 0.0 && target < 1.0) {
        return fail(
            path,
            format!("{key} is a ratio: a target must lie strictly between 0 and 1 (e.g. 0.95), got {target}"),
        );
    }
    if !ratio && target < 0.0 {
        return fail(path, format!("{key} counts units: a target must be ≥ 0, got {target}"));
    }
    Ok(())
}

/// Validates the `tune:` section of `file`.
pub fn check(tune: &TuneFile, file: &ScenarioFile) -> Result<Plan, FieldError> {
    if !file.sweep.is_empty() {
        return fail("tune", "a scenario with a sweep cannot be tuned: tune each point as a scenario of its own");
    }
    if tune.strategies.is_empty() {
        return fail("tune.strategies", "name at least one strategy to tune");
    }
    let names: Vec<&str> = file.strategies.iter().map(|s| s.name.as_str()).collect();
    let mut strategies = Vec::new();
    for (i, name) in tune.strategies.iter().enumerate() {
        let Some(index) = names.iter().position(|n| n == name) else {
            return fail(
                format!("tune.strategies[{i}]"),
                format!("unknown strategy \"{name}\"; {}", nearest(name, names.iter().copied())),
            );
        };
        if strategies.iter().any(|s: &StrategyPlan| s.index == index) {
            return fail(format!("tune.strategies[{i}]"), format!("\"{name}\" is listed twice"));
        }
        strategies.push(StrategyPlan { index, name: name.clone(), params: Vec::new() });
    }
    for (i, p) in tune.parameters.iter().enumerate() {
        let path = format!("tune.parameters[{i}]");
        let Some(plan) = strategies.iter_mut().find(|s| s.name == p.strategy) else {
            return fail(
                format!("{path}.strategy"),
                format!("\"{}\" is not among tune.strategies ({})", p.strategy, tune.strategies.join(", ")),
            );
        };
        let spec = &file.strategies[plan.index].replenishment;
        let levels = tunable::level_names(spec);
        let numbers: Vec<String> = tunable::numbers(spec).into_iter().map(|(n, _)| n).collect();
        let kind = if levels.contains(&p.parameter) {
            ParamKind::Level
        } else if numbers.contains(&p.parameter) {
            ParamKind::Number
        } else {
            let all = levels.iter().chain(&numbers).map(String::as_str);
            return fail(
                format!("{path}.parameter"),
                format!(
                    "strategy \"{}\" has no parameter \"{}\"; {}",
                    p.strategy,
                    p.parameter,
                    nearest(&p.parameter, all)
                ),
            );
        };
        if let Some((_, at)) = file.strategies[plan.index].at.iter().next() {
            let has = tunable::level_names(at).contains(&p.parameter)
                || tunable::numbers(at).iter().any(|(n, _)| *n == p.parameter);
            if !has {
                return fail(
                    format!("{path}.parameter"),
                    format!("the strategy's `at` overrides use another policy without \"{}\"", p.parameter),
                );
            }
        }
        if plan.params.iter().any(|q| q.name == p.parameter) {
            return fail(format!("{path}.parameter"), format!("\"{}\" is listed twice", p.parameter));
        }
        if !(p.min.is_finite() && p.max.is_finite()) || p.min > p.max {
            return fail(
                format!("{path}.max"),
                format!("bounds need finite min ≤ max, got min = {}, max = {}", p.min, p.max),
            );
        }
        let param = match kind {
            ParamKind::Level => {
                let whole = |v: f64| v.fract() == 0.0 && v.abs() <= MAX_LEVEL as f64;
                if !whole(p.min) || !whole(p.max) {
                    return fail(
                        format!("{path}.min"),
                        format!(
                            "{} is searched in whole units: bounds must be whole numbers, got {}..{}",
                            p.parameter, p.min, p.max
                        ),
                    );
                }
                if p.step.is_some() {
                    return fail(format!("{path}.step"), "levels are searched unit by unit: drop `step`");
                }
                ParamPlan { name: p.parameter.clone(), kind, min: p.min as i64, max: p.max as i64, lo: 0.0, step: 1.0 }
            }
            ParamKind::Number => {
                let Some(step) = p.step.filter(|s| s.is_finite() && *s > 0.0) else {
                    return fail(
                        format!("{path}.step"),
                        format!("{} is a number: give the grid step > 0, e.g. step: 0.01", p.parameter),
                    );
                };
                let count = ((p.max - p.min) / step + 1e-9).floor();
                if count > 100_000.0 {
                    return fail(format!("{path}.step"), format!("{count} grid values; at most 100000"));
                }
                if tune.granularity != GranularityFile::Global {
                    return fail(
                        format!("{path}.parameter"),
                        format!("{} is one value per strategy: tune it with granularity: Global", p.parameter),
                    );
                }
                ParamPlan { name: p.parameter.clone(), kind, min: 0, max: count as i64, lo: p.min, step }
            }
        };
        plan.params.push(param);
    }
    if let Some(s) = strategies.iter().find(|s| s.params.is_empty()) {
        return fail(
            "tune.parameters",
            format!(
                "no parameter of \"{}\" is listed; add e.g. (strategy: \"{}\", parameter: …, min: …, max: …)",
                s.name, s.name
            ),
        );
    }
    let mut constraints = Vec::new();
    for (i, c) in tune.constraints.iter().enumerate() {
        let path = format!("tune.constraints[{i}]");
        let Some(m) = metric_index(&c.metric) else {
            let nearest_metric =
                METRICS.iter().min_by_key(|m| strsim::levenshtein(m.key, &c.metric)).map_or("", |m| m.key);
            return fail(
                format!("{path}.metric"),
                format!("unknown metric \"{}\"; did you mean \"{nearest_metric}\"?", c.metric),
            );
        };
        if METRICS[m].better == Better::Neither {
            return fail(
                format!("{path}.metric"),
                format!(
                    "{} has no better direction (it describes, it does not judge), so it cannot be a constraint",
                    c.metric
                ),
            );
        }
        let Some(&(metric, key)) = SlMetric::ALL.iter().find(|(_, k)| *k == c.metric) else {
            let valid: Vec<&str> = SlMetric::ALL.iter().map(|(_, k)| *k).collect();
            return fail(
                format!("{path}.metric"),
                format!(
                    "{} is not measured per SKU-location while tuning; constrain one of: {}",
                    c.metric,
                    valid.join(", ")
                ),
            );
        };
        check_target(&format!("{path}.target"), key, metric, c.target)?;
        match (&c.scope, tune.granularity) {
            (ScopeFile::Network, g) if g != GranularityFile::Global => {
                return fail(
                    format!("{path}.scope"),
                    "a network-wide constraint couples every SKU-location: tune with granularity: Global, or constrain PerSkuLocation",
                );
            }
            (ScopeFile::AbcClass(class), g) => {
                if !["A", "B", "C"].contains(&class.as_str()) {
                    return fail(format!("{path}.scope"), format!("unknown ABC class \"{class}\"; valid: A, B, C"));
                }
                if !matches!(g, GranularityFile::Global | GranularityFile::PerAbcClass) {
                    return fail(
                        format!("{path}.scope"),
                        "a constraint over an ABC class couples its SKU-locations: tune with granularity: PerAbcClass or Global",
                    );
                }
            }
            _ => {}
        }
        constraints.push(Constraint {
            metric,
            at_least: METRICS[m].better == Better::Higher,
            target: c.target,
            scope: c.scope.clone(),
        });
    }
    if tune.replications == 0 {
        return fail(
            "tune.replications",
            "evaluate each candidate on at least 1 replication (10 or more for intervals that mean something)",
        );
    }
    if tune.replications > 10_000 {
        return fail("tune.replications", format!("at most 10000, got {}", tune.replications));
    }
    if tune.max_evaluations < 2 {
        return fail(
            "tune.max_evaluations",
            format!(
                "a budget of {} evaluation(s) is spent on the starting levels and leaves none for a candidate; give at least 2 (default 200)",
                tune.max_evaluations
            ),
        );
    }
    if !tune.service_targets.is_empty() {
        if constraints.len() != 1 {
            return fail(
                "tune.service_targets",
                "a frontier replaces the target of the one service constraint in turn: give exactly one constraint",
            );
        }
        for (i, &t) in tune.service_targets.iter().enumerate() {
            check_target(&format!("tune.service_targets[{i}]"), constraints[0].metric.key(), constraints[0].metric, t)?;
        }
    }
    Ok(Plan {
        strategies,
        total_cost: tune.objective == ObjectiveFile::MinTotalCost,
        constraints,
        granularity: tune.granularity,
        replications: tune.replications,
        max_evaluations: tune.max_evaluations,
        service_targets: tune.service_targets.clone(),
    })
}
