//! The regression gate: a recorded baseline, and the comparison `echelon
//! check` makes against it.
//!
//! # Contract
//!
//! A [`Baseline`] holds the study's description, the scenario digest, the
//! metric-set version and every run's network metrics. [`compare`] sets a
//! fresh study beside it, per (sweep point, strategy, metric):
//!
//! * the difference is `current − baseline`, paired by replication when
//!   both used the same seed and replications (then it is exact for a
//!   deterministic engine), otherwise Welch's unpaired interval;
//! * **statistical** mode (default): a metric with a better direction
//!   *regresses* when the whole interval of the difference lies beyond the
//!   tolerance on the bad side, *improves* when it lies beyond it on the
//!   good side, and *passes* only when the whole interval lies on the good
//!   side of the bad-side tolerance (it shows the metric did not get worse
//!   by more than the tolerance). An interval that straddles the bad-side
//!   tolerance — or none at all, with fewer than two replications — is
//!   **inconclusive**: the data cannot tell. Inconclusive checks are shown
//!   and counted apart, with the replications that would likely resolve
//!   them (`n · (half-width ÷ distance from the mean to the tolerance)²`,
//!   none when the mean sits on the tolerance); they pass unless the gate
//!   is strict (`--fail-on-inconclusive`). Descriptive metrics are never
//!   gated. The intervals are
//!   family-wise 95% over all gated checks (Bonferroni: each at confidence
//!   `1 − 0.05/m` for `m` checks), so a gate of a hundred checks raises a
//!   false alarm from noise alone at most 5% of the time, not nearly
//!   always. Default tolerance:
//!   0.005 absolute for ratios (half a point), 2% of the baseline mean
//!   otherwise;
//! * **exact** mode, for deterministic pipelines: tolerance 0 unless the
//!   scenario sets one; any metric of any run that moved by more than it —
//!   better, worse or descriptive — is a change, and changes fail.
//!
//! Tolerances set in the scenario (`gate: (tolerances: {"fill_rate":
//! Absolute(0.01), "total_cost": Relative(0.05)})`) apply in both modes.
//! A baseline that cannot be compared (another scenario, another metric
//! set, other sweep points, a strategy gone) is an error, not a verdict; so
//! is a damaged one ([`Baseline::damage`]): no runs, a run missing or
//! twice, a run outside the study, values missing, non-finite values, or
//! values whose statistics overflow.

use crate::record::{RunRecord, StudyInfo};
use crate::stats::Estimate;
use crate::summary::METRIC_SET_VERSION;
use echelon_sim::metrics::{Better, METRIC_COUNT, METRICS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the baseline file format.
pub const BASELINE_FORMAT: u32 = 1;

/// One run's network metrics in a baseline (`null` = undefined).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineRun {
    /// Sweep point.
    pub point: usize,
    /// Strategy index in the baseline's study.
    pub strategy: usize,
    /// Replication.
    pub replication: u32,
    /// Values in the order of [`Baseline::metrics`].
    pub values: Vec<Option<f64>>,
}

/// A recorded baseline (`echelon baseline`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// File format version.
    pub echelon_baseline: u32,
    /// Metric-set version of the build that recorded it.
    pub metric_set: u32,
    /// Digest of the scenario text and overrides.
    pub scenario_digest: String,
    /// The study.
    #[serde(flatten)]
    pub study: StudyInfo,
    /// Metric keys, in the order of each run's values.
    pub metrics: Vec<String>,
    /// Every run.
    pub runs: Vec<BaselineRun>,
}

impl Baseline {
    /// Records `records` of the study `study`.
    pub fn new(scenario_digest: String, study: StudyInfo, records: &[RunRecord]) -> Self {
        let mut runs: Vec<BaselineRun> = records
            .iter()
            .map(|r| BaselineRun {
                point: r.point,
                strategy: r.strategy,
                replication: r.replication,
                values: r.network.iter().map(|v| (!v.is_nan()).then_some(*v)).collect(),
            })
            .collect();
        runs.sort_by_key(|r| (r.point, r.strategy, r.replication));
        Self {
            echelon_baseline: BASELINE_FORMAT,
            metric_set: METRIC_SET_VERSION,
            scenario_digest,
            study,
            metrics: METRICS.iter().map(|m| m.key.to_string()).collect(),
            runs,
        }
    }

    /// What is wrong with a baseline whose shape a file could have damaged:
    /// `None` when every (point, strategy, replication) of its study has
    /// exactly one run holding one finite value (or `null`) per metric of
    /// this build's metric set, and every statistic of them is finite.
    pub fn damage(&self) -> Option<String> {
        let keys: Vec<&str> = METRICS.iter().map(|m| m.key).collect();
        if self.metrics != keys {
            let missing = keys.iter().find(|k| !self.metrics.iter().any(|m| m == *k));
            return Some(match missing {
                Some(key) => format!("it lacks metric \"{key}\" of this build's metric set"),
                None => "its metric keys are not this build's metric set".to_string(),
            });
        }
        let (points, strategies) = (self.study.points.len(), self.study.strategies.len());
        let replications = self.study.replications as usize;
        let expected = points * strategies * replications;
        if self.runs.is_empty() || expected == 0 {
            return Some("it holds no runs".to_string());
        }
        let mut seen = vec![false; expected];
        for r in &self.runs {
            let at = format!("run (point {}, strategy {}, replication {})", r.point, r.strategy, r.replication);
            if r.point >= points || r.strategy >= strategies || r.replication as usize >= replications {
                return Some(format!(
                    "{at} lies outside its study of {points} point(s), {strategies} strategies, {replications} replications"
                ));
            }
            let index = (r.point * strategies + r.strategy) * replications + r.replication as usize;
            if std::mem::replace(&mut seen[index], true) {
                return Some(format!("{at} appears twice"));
            }
            if r.values.len() != self.metrics.len() {
                return Some(format!("{at} has {} values for {} metrics", r.values.len(), self.metrics.len()));
            }
            if let Some((m, v)) =
                r.values.iter().enumerate().find_map(|(m, v)| v.filter(|v| !v.is_finite()).map(|v| (m, v)))
            {
                return Some(format!("{at} has a non-finite {}: {v}", self.metrics[m]));
            }
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
            let (point, rest) = (missing / (strategies * replications), missing % (strategies * replications));
            return Some(format!(
                "run (point {point}, strategy {}, replication {}) is missing: {} of {expected} runs present",
                rest / replications,
                rest % replications,
                self.runs.len()
            ));
        }
        for point in 0..points {
            for strategy in 0..strategies {
                for (m, key) in self.metrics.iter().enumerate() {
                    let e = Estimate::of(self.values(point, strategy, m));
                    if e.n > 0 && (!e.mean.is_finite() || (e.n > 1 && !e.sd.is_finite())) {
                        return Some(format!(
                            "the values of {key} for strategy \"{}\" at point {point} overflow its statistics \
                             (mean {}, sd {})",
                            self.study.strategies[strategy], e.mean, e.sd
                        ));
                    }
                }
            }
        }
        None
    }

    /// Values of metric `m` for (point, strategy), in replication order.
    fn values(&self, point: usize, strategy: usize, m: usize) -> Vec<f64> {
        self.runs
            .iter()
            .filter(|r| r.point == point && r.strategy == strategy)
            .map(|r| r.values.get(m).copied().flatten().unwrap_or(f64::NAN))
            .collect()
    }
}

/// How `check` judges a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Interval beyond tolerance on the bad side.
    Statistical,
    /// Any change beyond tolerance (default 0).
    Exact,
}

/// A tolerance on one metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Tolerance {
    /// In the metric's unit.
    Absolute(f64),
    /// A fraction of the baseline mean's magnitude.
    Relative(f64),
}

impl Tolerance {
    /// The tolerance in the metric's unit for a baseline mean.
    pub fn resolve(self, baseline_mean: f64) -> f64 {
        match self {
            Self::Absolute(t) => t,
            Self::Relative(f) => f * baseline_mean.abs(),
        }
    }

    /// The default for metric `m` in `mode`.
    pub fn default_for(mode: Mode, m: usize) -> Self {
        match mode {
            Mode::Exact => Self::Absolute(0.0),
            Mode::Statistical if METRICS[m].unit == "ratio" => Self::Absolute(0.005),
            Mode::Statistical => Self::Relative(0.02),
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Within tolerance.
    Pass,
    /// Worse beyond tolerance (statistical mode).
    Regression,
    /// Better beyond tolerance (statistical mode; passes).
    Improvement,
    /// Moved beyond tolerance (exact mode; fails).
    Changed,
    /// The interval straddles the bad-side tolerance, or there is none
    /// (statistical mode): the data cannot tell. Fails only a strict gate.
    Inconclusive,
}

impl Outcome {
    /// Does this outcome fail the gate? Inconclusive checks fail only a
    /// strict one.
    pub fn fails(self, strict: bool) -> bool {
        matches!(self, Self::Regression | Self::Changed) || (strict && self == Self::Inconclusive)
    }

    /// Word shown in tables and reports.
    pub fn word(self) -> &'static str {
        match self {
            Self::Pass => "ok",
            Self::Regression => "REGRESSION",
            Self::Improvement => "improved",
            Self::Changed => "CHANGED",
            Self::Inconclusive => "inconclusive",
        }
    }
}

/// One (point, strategy, metric) compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Sweep point parameters.
    pub params: Vec<(String, f64)>,
    /// Strategy name.
    pub strategy: String,
    /// Metric index.
    pub metric: usize,
    /// Baseline mean.
    pub baseline: f64,
    /// Current mean.
    pub current: f64,
    /// Difference current − baseline, with its 95% interval.
    pub difference: Estimate,
    /// The interval the verdict used (family-wise in statistical mode).
    pub interval: [f64; 2],
    /// Was the difference paired by replication?
    pub paired: bool,
    /// Tolerance in the metric's unit.
    pub tolerance: f64,
    /// Verdict.
    pub outcome: Outcome,
    /// For an inconclusive check, the replications that would likely
    /// resolve it (`None` when no number of them would: the mean sits on
    /// the tolerance, or there is no interval to scale).
    pub resolve_at: Option<u64>,
}

impl Check {
    /// `strategy / metric`, with the point when there is a sweep.
    pub fn name(&self) -> String {
        let point: Vec<String> = self.params.iter().map(|(p, v)| format!("{p}={v}")).collect();
        let at = if point.is_empty() { String::new() } else { format!(" @ {}", point.join(", ")) };
        format!("{} / {}{at}", self.strategy, METRICS[self.metric].key)
    }
}

/// Everything `check` found.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Mode used.
    pub mode: Mode,
    /// Every check, in (point, strategy, metric) order.
    pub checks: Vec<Check>,
    /// Remarks (e.g. the scenario changed since the baseline).
    pub notes: Vec<String>,
    /// Do inconclusive checks fail the gate (`--fail-on-inconclusive`)?
    pub strict: bool,
}

impl Verdict {
    /// Checks that fail the gate.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome.fails(self.strict))
    }

    /// Checks the data cannot decide.
    pub fn inconclusive(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Inconclusive)
    }

    /// Does the gate pass?
    pub fn passes(&self) -> bool {
        self.failures().next().is_none()
    }
}

fn incompatible(baseline: &Baseline, current: &StudyInfo) -> Option<String> {
    if let Some(damage) = baseline.damage() {
        return Some(format!("damaged baseline: {damage}; re-record it with `echelon baseline`"));
    }
    if baseline.echelon_baseline != BASELINE_FORMAT {
        return Some(format!(
            "baseline file format {} is not this build's {BASELINE_FORMAT}; re-record it with `echelon baseline`",
            baseline.echelon_baseline
        ));
    }
    if baseline.metric_set != METRIC_SET_VERSION || baseline.metrics.len() != METRIC_COUNT {
        return Some(format!(
            "the baseline was recorded with metric set {} ({} metrics), this build has metric set \
             {METRIC_SET_VERSION} ({METRIC_COUNT} metrics); re-record it with `echelon baseline`",
            baseline.metric_set,
            baseline.metrics.len()
        ));
    }
    if baseline.study.scenario != current.scenario {
        return Some(format!(
            "the baseline is of scenario \"{}\", this is scenario \"{}\"",
            baseline.study.scenario, current.scenario
        ));
    }
    if baseline.study.points != current.points {
        return Some(format!(
            "the sweep points differ: the baseline has {} point(s) ({:?}…), this study {} ({:?}…)",
            baseline.study.points.len(),
            baseline.study.points.first(),
            current.points.len(),
            current.points.first()
        ));
    }
    baseline.study.strategies.iter().find(|s| !current.strategies.contains(s)).map(|gone| {
        format!(
            "strategy \"{gone}\" is in the baseline but not in the scenario (it has: {})",
            current.strategies.join(", ")
        )
    })
}

/// Compares a fresh study with its baseline.
pub fn compare(
    baseline: &Baseline,
    current: &StudyInfo,
    records: &[RunRecord],
    mode: Mode,
    tolerances: &BTreeMap<String, Tolerance>,
) -> Result<Verdict, String> {
    if let Some(why) = incompatible(baseline, current) {
        return Err(why);
    }
    let paired = baseline.study.seed == current.seed && baseline.study.replications == current.replications;
    let mut notes = Vec::new();
    if !paired {
        notes.push(format!(
            "seed or replications differ from the baseline (seed {} vs {}, {} vs {} replications): differences are unpaired (Welch)",
            baseline.study.seed, current.seed, baseline.study.replications, current.replications
        ));
    }
    for name in current.strategies.iter().filter(|s| !baseline.study.strategies.contains(s)) {
        notes.push(format!("strategy \"{name}\" is new: no baseline to compare with"));
    }
    let gated = METRICS.iter().filter(|m| m.better != Better::Neither).count()
        * baseline.study.strategies.len()
        * current.points.len();
    let alpha = 0.05 / gated.max(1) as f64;
    let mut checks = Vec::new();
    for (point, params) in current.points.iter().enumerate() {
        for (b_index, name) in baseline.study.strategies.iter().enumerate() {
            let c_index = current.strategies.iter().position(|s| s == name).expect("checked compatible");
            for (m, def) in METRICS.iter().enumerate() {
                let before = baseline.values(point, b_index, m);
                let after: Vec<f64> = records
                    .iter()
                    .filter(|r| r.point == point && r.strategy == c_index)
                    .map(|r| r.network[m])
                    .collect();
                let tolerance = tolerances.get(def.key).copied().unwrap_or(Tolerance::default_for(mode, m));
                checks.push(judge(params, name, m, (&before, &after), paired, tolerance, mode, alpha));
            }
        }
    }
    Ok(Verdict { mode, checks, notes, strict: false })
}

#[allow(clippy::too_many_arguments)]
fn judge(
    params: &[(String, f64)],
    strategy: &str,
    m: usize,
    (before, after): (&[f64], &[f64]),
    paired: bool,
    tolerance: Tolerance,
    mode: Mode,
    alpha: f64,
) -> Check {
    let (base, cur) = (Estimate::of(before.iter().copied()), Estimate::of(after.iter().copied()));
    let difference = if paired { Estimate::paired(before, after) } else { Estimate::welch(before, after) };
    let tolerance = tolerance.resolve(base.mean);
    let interval = difference.interval_at(alpha);
    let outcome = match mode {
        Mode::Exact => exact(before, after, paired, base.mean, cur.mean, tolerance),
        Mode::Statistical => statistical(m, difference.mean, interval, tolerance),
    };
    let resolve_at = (outcome == Outcome::Inconclusive)
        .then(|| replications_to_resolve(m, difference.mean, interval, tolerance, difference.n))
        .flatten();
    Check {
        params: params.to_vec(),
        strategy: strategy.to_string(),
        metric: m,
        baseline: base.mean,
        current: cur.mean,
        difference,
        interval,
        paired,
        tolerance,
        outcome,
        resolve_at,
    }
}

fn exact(before: &[f64], after: &[f64], paired: bool, base: f64, cur: f64, tolerance: f64) -> Outcome {
    let moved = |a: f64, b: f64| a.is_nan() != b.is_nan() || (a - b).abs() > tolerance;
    let changed = if paired { before.iter().zip(after).any(|(a, b)| moved(*a, *b)) } else { moved(base, cur) };
    if changed { Outcome::Changed } else { Outcome::Pass }
}

/// The bad-side tolerance of metric `m` in the difference's unit, as a
/// signed threshold, and the sign that points to the bad side (`None` for
/// descriptive metrics, never gated).
fn bad_side(m: usize, tolerance: f64) -> Option<(f64, f64)> {
    match METRICS[m].better {
        Better::Higher => Some((-tolerance, -1.0)),
        Better::Lower => Some((tolerance, 1.0)),
        Better::Neither => None,
    }
}

fn statistical(m: usize, mean: f64, [lo, hi]: [f64; 2], tolerance: f64) -> Outcome {
    let Some((threshold, bad)) = bad_side(m, tolerance) else { return Outcome::Pass };
    if mean.is_nan() {
        // Undefined on both sides (e.g. no expedites either way): nothing moved.
        return Outcome::Pass;
    }
    if lo.is_nan() || hi.is_nan() {
        return Outcome::Inconclusive;
    }
    // Oriented so that larger is worse.
    let (worst, best) = if bad > 0.0 { (hi, lo) } else { (-lo, -hi) };
    let threshold = bad * threshold;
    if best > threshold {
        Outcome::Regression
    } else if worst < -tolerance {
        Outcome::Improvement
    } else if worst <= threshold {
        Outcome::Pass
    } else {
        Outcome::Inconclusive
    }
}

/// Replications (per side) that would likely make an inconclusive interval
/// clear the bad-side tolerance: the half-width shrinks as `1/√n`, so it
/// must shrink by the ratio of the mean's distance to the tolerance.
fn replications_to_resolve(m: usize, mean: f64, [lo, hi]: [f64; 2], tolerance: f64, n: usize) -> Option<u64> {
    let (threshold, _) = bad_side(m, tolerance)?;
    let (half, distance) = ((hi - lo) / 2.0, (mean - threshold).abs());
    if n < 2 || !half.is_finite() || distance.is_nan() || distance == 0.0 {
        return None;
    }
    let needed = (n as f64 * (half / distance).powi(2)).ceil();
    (needed < 1e9).then_some((needed as u64).max(n as u64 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use echelon_sim::metrics::metric_index;

    #[test]
    fn statistical_mode_needs_the_whole_interval_beyond_the_tolerance() {
        let fill = metric_index("fill_rate").unwrap();
        let cost = metric_index("total_cost").unwrap();
        let level = metric_index("on_hand_end_mean").unwrap();
        assert_eq!(statistical(fill, -0.02, [-0.03, -0.01], 0.005), Outcome::Regression);
        assert_eq!(statistical(fill, 0.0, [-0.004, 0.004], 0.005), Outcome::Pass);
        assert_eq!(statistical(fill, 0.015, [0.01, 0.02], 0.005), Outcome::Improvement);
        assert_eq!(statistical(cost, 4.0, [3.0, 5.0], 2.0), Outcome::Regression);
        assert_eq!(statistical(cost, -4.0, [-5.0, -3.0], 2.0), Outcome::Improvement);
        assert_eq!(statistical(cost, 1.0, [0.5, 1.5], 2.0), Outcome::Pass);
        assert_eq!(statistical(level, 55.0, [50.0, 60.0], 0.0), Outcome::Pass);
        // The family-wise interval is wider than the 95% one.
        let e = Estimate { mean: 1.0, sd: 1.0, ci95: [0.5, 1.5], n: 10, df: 9.0 };
        let wide = e.interval_at(0.05 / 50.0);
        assert!(wide[0] < 0.5 && wide[1] > 1.5 && (wide[0] + wide[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn an_interval_straddling_the_tolerance_is_inconclusive_not_ok() {
        let cost = metric_index("total_cost").unwrap();
        let fill = metric_index("fill_rate").unwrap();
        // The case: total cost +17% with [-70, 590] against ±31.
        assert_eq!(statistical(cost, 260.0, [-70.0, 590.0], 31.0), Outcome::Inconclusive);
        assert_eq!(statistical(fill, -0.002, [-0.03, 0.026], 0.005), Outcome::Inconclusive);
        // No interval (one replication) is inconclusive, not ok.
        assert_eq!(statistical(fill, -0.002, [f64::NAN; 2], 0.005), Outcome::Inconclusive);
        // Undefined on both sides: nothing to judge.
        assert_eq!(statistical(fill, f64::NAN, [f64::NAN; 2], 0.005), Outcome::Pass);
        assert!(!Outcome::Inconclusive.fails(false) && Outcome::Inconclusive.fails(true));
        // Half-width 330 at distance 229 from +31: 12 · (330/229)² = 24.9 → 25.
        assert_eq!(replications_to_resolve(cost, 260.0, [-70.0, 590.0], 31.0, 12), Some(25));
        assert_eq!(replications_to_resolve(cost, 31.0, [-70.0, 132.0], 31.0, 12), None);
    }

    #[test]
    fn exact_mode_reports_any_move_beyond_the_tolerance() {
        assert_eq!(exact(&[1.0, 2.0], &[1.0, 2.0], true, 1.5, 1.5, 0.0), Outcome::Pass);
        assert_eq!(exact(&[1.0, 2.0], &[1.0, 2.0 + 1e-12], true, 1.5, 1.5, 0.0), Outcome::Changed);
        assert_eq!(exact(&[1.0, 2.0], &[1.0, 2.0 + 1e-12], true, 1.5, 1.5, 1e-9), Outcome::Pass);
        assert_eq!(exact(&[f64::NAN], &[f64::NAN], true, f64::NAN, f64::NAN, 0.0), Outcome::Pass);
        assert_eq!(exact(&[f64::NAN], &[1.0], true, f64::NAN, 1.0, 0.0), Outcome::Changed);
    }

    #[test]
    fn tolerances_resolve_against_the_baseline_mean() {
        assert_eq!(Tolerance::Relative(0.02).resolve(-50.0), 1.0);
        assert_eq!(Tolerance::Absolute(0.5).resolve(1e9), 0.5);
        let fill = metric_index("fill_rate").unwrap();
        assert_eq!(Tolerance::default_for(Mode::Statistical, fill), Tolerance::Absolute(0.005));
        assert_eq!(Tolerance::default_for(Mode::Exact, fill), Tolerance::Absolute(0.0));
    }
}
