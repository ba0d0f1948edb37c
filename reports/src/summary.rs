//! `summary.json`: replication statistics and paired comparisons.
//!
//! # Contract
//!
//! The schema is the one in DESIGN.md. Content is deterministic: it depends
//! only on the run records (sorted by point, strategy, replication) and
//! the study description; maps keep catalogue order (metrics) or model order
//! (nodes, events); undefined values are `null`. Each strategy's `events`
//! holds, per timed disruption, the replication statistics of its
//! `units_short`, `recovery_days` and `time_to_impact_days` (definitions in
//! `echelon_sim::engine`'s resilience module). Its `random_outages` holds,
//! per random outage, statistics over replications of per-replication
//! figures — replications differ in their windows, so windows are
//! aggregated within each replication first: `windows` (its number of
//! down periods), and the mean per window of `units_short`,
//! `recovery_days` and `time_to_impact_days` (each over the windows where
//! it is defined; undefined in a replication with none). Its `lanes` holds,
//! per lane (keyed `<from>-><to>`, model order), the statistics of the lane
//! metrics (`echelon_sim::metrics::LANE_METRICS`). Each strategy is compared, paired by
//! replication, with the first strategy of the file (the reference). Each
//! point names its `best` strategy per metric with a direction: the one
//! strictly best mean, absent on ties (the comparisons say whether the
//! difference is significant).

use crate::record::{RunRecord, StudyInfo};
use crate::stats::Estimate;
use echelon_sim::engine::EventImpact;
use echelon_sim::metrics::{Better, CLASS_METRICS, LANE_METRICS, METRICS, MetricDef, MetricValues, SKU_METRICS};
use echelon_sim::model::ABC_CLASSES;
use serde::Serialize;
use serde_json::{Map, Value};

/// Identifies the metric set; bumped whenever a metric key or definition
/// changes, so old baselines are recognised.
pub const METRIC_SET_VERSION: u32 = 9;

/// A paired comparison of strategy `b` against `a` on one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Reference strategy.
    pub a: String,
    /// Compared strategy.
    pub b: String,
    /// Metric key.
    pub metric: &'static str,
    /// Mean of `b − a` over replications.
    pub diff_mean: f64,
    /// 95% interval of the paired difference.
    pub ci95: [f64; 2],
    /// Does the interval exclude zero?
    pub significant: bool,
    /// Which strategy is significantly better, if the metric has a direction.
    pub better: Option<String>,
}

/// Statistics of one strategy at one point.
#[derive(Debug, Clone)]
pub struct StrategyStats {
    /// Strategy name.
    pub name: String,
    /// Network metrics in catalogue order.
    pub metrics: Vec<Estimate>,
    /// Per node, metrics in catalogue order.
    pub nodes: Vec<Vec<Estimate>>,
    /// Per timed disruption.
    pub events: Vec<EventStats>,
    /// Per random outage.
    pub random_outages: Vec<RandomOutageStats>,
    /// Per customer class, class metrics in [`CLASS_METRICS`] order.
    pub classes: Vec<Vec<Estimate>>,
    /// Per lane, lane metrics in [`LANE_METRICS`] order.
    pub lanes: Vec<Vec<Estimate>>,
    /// Per ABC class (A, B, C), SKU metrics in [`SKU_METRICS`] order;
    /// empty unless the study keeps per-SKU results.
    pub abc: Vec<Vec<Estimate>>,
}

/// Replication statistics of one timed disruption's impact.
#[derive(Debug, Clone, Serialize)]
pub struct EventStats {
    /// Shortfall against the pre-event level until recovery.
    pub units_short: Estimate,
    /// Days from the impact until service is back.
    pub recovery_days: Estimate,
    /// Days from the event's start until service fell.
    pub time_to_impact_days: Estimate,
}

/// Replication statistics of a random outage's windows, each replication
/// first reduced to its number of windows and their mean impact.
#[derive(Debug, Clone, Serialize)]
pub struct RandomOutageStats {
    /// Windows (down periods) per replication.
    pub windows: Estimate,
    /// Mean units short per window.
    pub units_short: Estimate,
    /// Mean recovery days per window (windows that recovered).
    pub recovery_days: Estimate,
    /// Mean days to impact per window (windows with an impact).
    pub time_to_impact_days: Estimate,
}

/// The mean of the defined values of `values` (NaN when there are none).
pub(crate) fn mean_defined(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.filter(|v| !v.is_nan()).fold((0.0, 0u32), |(s, c), v| (s + v, c + 1));
    if count == 0 { f64::NAN } else { sum / f64::from(count) }
}

fn random_outage_stats(runs: &[&RunRecord], outage: usize) -> RandomOutageStats {
    let per_run = |pick: fn(&EventImpact) -> f64| {
        Estimate::of(
            runs.iter()
                .map(|r| mean_defined(r.random_events.iter().filter(|w| w.outage == outage).map(|w| pick(&w.impact)))),
        )
    };
    RandomOutageStats {
        windows: Estimate::of(
            runs.iter().map(|r| r.random_events.iter().filter(|w| w.outage == outage).count() as f64),
        ),
        units_short: per_run(|i| i.units_short),
        recovery_days: per_run(|i| i.recovery_days),
        time_to_impact_days: per_run(|i| i.time_to_impact_days),
    }
}

/// Statistics of one sweep point.
#[derive(Debug, Clone)]
pub struct PointStats {
    /// Parameter values of the point.
    pub params: Vec<(String, f64)>,
    /// Per strategy.
    pub strategies: Vec<StrategyStats>,
    /// Paired comparisons with the reference strategy.
    pub comparisons: Vec<Comparison>,
}

impl PointStats {
    /// Index of the strategy with the strictly best mean on metric `m`, or
    /// `None` when the metric has no direction, no value, or the best mean
    /// is shared.
    pub fn best(&self, m: usize) -> Option<usize> {
        let sign = match METRICS[m].better {
            Better::Higher => 1.0,
            Better::Lower => -1.0,
            Better::Neither => return None,
        };
        let scores: Vec<f64> = self.strategies.iter().map(|s| sign * s.metrics[m].mean).collect();
        let top = scores.iter().copied().filter(|s| !s.is_nan()).fold(f64::NEG_INFINITY, f64::max);
        let mut at_top = scores.iter().enumerate().filter(|(_, s)| **s == top).map(|(i, _)| i);
        match (at_top.next(), at_top.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    }
}

fn column(records: &[&RunRecord], pick: impl Fn(&RunRecord) -> &MetricValues, metric: usize) -> Vec<f64> {
    records.iter().map(|r| pick(r)[metric]).collect()
}

fn estimates(records: &[&RunRecord], pick: impl Fn(&RunRecord) -> &MetricValues + Copy) -> Vec<Estimate> {
    (0..METRICS.len()).map(|m| Estimate::of(column(records, pick, m))).collect()
}

/// Per scope (`scopes` of them: classes, lanes, ABC classes), the
/// statistics of each of its `metrics` metrics over `runs`; `of` picks a
/// run's values of a scope (a run without it counts as undefined).
fn scope_estimates(
    runs: &[&RunRecord],
    scopes: usize,
    metrics: &[MetricDef],
    of: impl Fn(&RunRecord, usize) -> Option<&[f64]>,
) -> Vec<Vec<Estimate>> {
    (0..scopes)
        .map(|k| {
            (0..metrics.len()).map(|m| Estimate::of(runs.iter().map(|r| of(r, k).map_or(f64::NAN, |v| v[m])))).collect()
        })
        .collect()
}

/// Computes the statistics of every point from `records` (any order).
pub fn compute(info: &StudyInfo, records: &[RunRecord]) -> Vec<PointStats> {
    let mut sorted: Vec<&RunRecord> = records.iter().collect();
    sorted.sort_by_key(|r| (r.point, r.strategy, r.replication));
    (0..info.points.len())
        .map(|point| {
            let runs_of = |strategy: usize| -> Vec<&RunRecord> {
                sorted.iter().copied().filter(|r| r.point == point && r.strategy == strategy).collect()
            };
            let per_strategy: Vec<Vec<&RunRecord>> = (0..info.strategies.len()).map(runs_of).collect();
            let strategies = per_strategy
                .iter()
                .zip(&info.strategies)
                .map(|(runs, name)| StrategyStats {
                    name: name.clone(),
                    metrics: estimates(runs, |r| &r.network),
                    nodes: (0..info.nodes.len()).map(|n| estimates(runs, move |r| &r.nodes[n])).collect(),
                    events: (0..info.events.len())
                        .map(|e| {
                            let pick = |f: fn(&EventImpact) -> f64| {
                                Estimate::of(runs.iter().map(|r| r.events.get(e).map_or(f64::NAN, f)))
                            };
                            EventStats {
                                units_short: pick(|i| i.units_short),
                                recovery_days: pick(|i| i.recovery_days),
                                time_to_impact_days: pick(|i| i.time_to_impact_days),
                            }
                        })
                        .collect(),
                    random_outages: (0..info.random_outages.len()).map(|o| random_outage_stats(runs, o)).collect(),
                    classes: scope_estimates(runs, info.classes.len(), CLASS_METRICS, |r, c| {
                        r.classes.get(c).map(|v| &v[..])
                    }),
                    lanes: scope_estimates(runs, info.lanes.len(), LANE_METRICS, |r, l| r.lanes.get(l).map(|v| &v[..])),
                    abc: scope_estimates(
                        runs,
                        if info.skus.is_empty() { 0 } else { ABC_CLASSES.len() },
                        SKU_METRICS,
                        |r, c| r.abc.get(c).map(|v| &v[..]),
                    ),
                })
                .collect();
            PointStats { params: info.points[point].clone(), strategies, comparisons: compare(info, &per_strategy) }
        })
        .collect()
}

fn compare(info: &StudyInfo, per_strategy: &[Vec<&RunRecord>]) -> Vec<Comparison> {
    let Some(reference) = per_strategy.first() else { return Vec::new() };
    let mut out = Vec::new();
    for (b, runs) in per_strategy.iter().enumerate().skip(1) {
        out.extend(compare_pair(&info.strategies[0], reference, &info.strategies[b], runs));
    }
    out
}

/// Paired comparisons, one per catalogue metric, of strategy `b` against
/// `a` on their network metrics; `a_runs` and `b_runs` hold the same
/// replications in the same order (the pairing).
pub fn compare_pair(a: &str, a_runs: &[&RunRecord], b: &str, b_runs: &[&RunRecord]) -> Vec<Comparison> {
    METRICS
        .iter()
        .enumerate()
        .map(|(m, def)| {
            let a_values = column(a_runs, |r| &r.network, m);
            let b_values = column(b_runs, |r| &r.network, m);
            let diff = Estimate::paired(&a_values, &b_values);
            let significant = diff.excludes_zero();
            let b_higher = diff.mean > 0.0;
            let better = match def.better {
                Better::Neither => None,
                _ if !significant => None,
                Better::Higher => Some(if b_higher { b } else { a }),
                Better::Lower => Some(if b_higher { a } else { b }),
            };
            Comparison {
                a: a.to_string(),
                b: b.to_string(),
                metric: def.key,
                diff_mean: diff.mean,
                ci95: diff.ci95,
                significant,
                better: better.map(String::from),
            }
        })
        .collect()
}

fn metric_map(estimates: &[Estimate]) -> Value {
    keyed(METRICS, estimates)
}

/// `{key: estimate}` of `metrics`, in their order.
fn keyed(metrics: &[MetricDef], estimates: &[Estimate]) -> Value {
    let map: Map<String, Value> = metrics
        .iter()
        .zip(estimates)
        .map(|(def, e)| (def.key.to_string(), serde_json::to_value(e).expect("plain data")))
        .collect();
    Value::Object(map)
}

/// The `summary.json` document.
pub fn to_json(info: &StudyInfo, points: &[PointStats]) -> Value {
    let points: Vec<Value> = points
        .iter()
        .map(|p| {
            let params: Map<String, Value> = p.params.iter().map(|(k, v)| (k.clone(), Value::from(*v))).collect();
            let strategies: Vec<Value> = p
                .strategies
                .iter()
                .map(|s| {
                    let nodes: Map<String, Value> =
                        info.nodes.iter().zip(&s.nodes).map(|(id, e)| (id.clone(), metric_map(e))).collect();
                    let events: Map<String, Value> = info
                        .events
                        .iter()
                        .zip(&s.events)
                        .map(|(name, e)| (name.clone(), serde_json::to_value(e).expect("plain data")))
                        .collect();
                    let random_outages: Map<String, Value> = info
                        .random_outages
                        .iter()
                        .zip(&s.random_outages)
                        .map(|(name, r)| (name.clone(), serde_json::to_value(r).expect("plain data")))
                        .collect();
                    let classes: Map<String, Value> = info
                        .classes
                        .iter()
                        .zip(&s.classes)
                        .map(|(name, estimates)| (name.clone(), keyed(CLASS_METRICS, estimates)))
                        .collect();
                    let lanes: Map<String, Value> = info
                        .lanes
                        .iter()
                        .zip(&s.lanes)
                        .map(|(id, estimates)| (id.clone(), keyed(LANE_METRICS, estimates)))
                        .collect();
                    let mut strategy = serde_json::json!({
                        "name": s.name,
                        "metrics": metric_map(&s.metrics),
                        "nodes": nodes,
                        "events": events,
                        "random_outages": random_outages,
                        "classes": classes,
                        "lanes": lanes,
                    });
                    if !s.abc.is_empty() {
                        let abc: Map<String, Value> = ABC_CLASSES
                            .iter()
                            .zip(&s.abc)
                            .map(|(name, estimates)| (name.to_string(), keyed(SKU_METRICS, estimates)))
                            .collect();
                        strategy["abc"] = Value::Object(abc);
                    }
                    strategy
                })
                .collect();
            let best: Map<String, Value> = (0..METRICS.len())
                .filter_map(|m| p.best(m).map(|b| (METRICS[m].key.to_string(), Value::from(p.strategies[b].name.clone()))))
                .collect();
            serde_json::json!({ "params": params, "strategies": strategies, "best": best, "comparisons": p.comparisons })
        })
        .collect();
    serde_json::json!({
        "scenario": info.scenario,
        "seed": info.seed,
        "horizon_days": info.horizon_days,
        "warmup_days": info.warmup_days,
        "replications": info.replications,
        "metric_set": METRIC_SET_VERSION,
        "points": points,
    })
}
