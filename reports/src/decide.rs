//! The executive summary: what a reader deciding between strategies needs
//! first.
//!
//! # Contract
//!
//! For one sweep point:
//! * [`headline`] — one sentence per headline metric
//!   ([`crate::table::HEADLINE`]). For a metric with a better direction it
//!   names the strategy with the best mean and compares it, paired by
//!   replication, with the runner-up (the second-best mean): "best" when
//!   the 95% interval of the paired difference excludes 0, otherwise
//!   "inconclusive" with the interval. A metric without a direction gets
//!   its range over the strategies. Undefined means are said so.
//! * [`pareto`] — the strategies no other strategy dominates on service
//!   (`fill_rate`, higher is better) and cost (`total_cost`, lower is
//!   better): a strategy is dominated when another is at least as good on
//!   both means and strictly better on one. Strategies with an undefined
//!   mean on either are left out.
//! * [`identical`] — groups of strategies whose runs at the point are
//!   identical: every replication's network metrics equal bit for bit
//!   (usually two names for the same rule, or a parameter that does not
//!   act in this scenario).

use crate::record::RunRecord;
use crate::stats::Estimate;
use crate::summary::PointStats;
use crate::table::HEADLINE;
use echelon_sim::metrics::{Better, METRICS, metric_index};

/// The metric keys of the Pareto set: service (higher is better), cost
/// (lower is better).
pub const PARETO_AXES: (&str, &str) = ("fill_rate", "total_cost");

/// A value in a metric's own words: ratios as percentages.
pub(crate) fn amount(key: &str, v: f64) -> String {
    let unit = metric_index(key).map_or("", |m| METRICS[m].unit);
    if unit == "ratio" {
        format!("{:.2}%", v * 100.0)
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// A difference in a metric's own words: ratios in points.
fn difference(key: &str, v: f64) -> String {
    let unit = metric_index(key).map_or("", |m| METRICS[m].unit);
    // (+ 0.0 turns −0 into 0.)
    if unit == "ratio" { format!("{:.2} points", v * 100.0 + 0.0) } else { format!("{:.3}", v + 0.0) }
}

/// The per-replication network values of `strategy` at `point` on metric
/// `m`, in replication order.
fn values(records: &[RunRecord], point: usize, strategy: usize, m: usize) -> Vec<(u32, f64)> {
    let mut v: Vec<(u32, f64)> = records
        .iter()
        .filter(|r| r.point == point && r.strategy == strategy)
        .map(|r| (r.replication, r.network[m]))
        .collect();
    v.sort_by_key(|(r, _)| *r);
    v
}

/// One sentence per headline metric at point `point` (see the module doc).
pub fn headline(stats: &PointStats, records: &[RunRecord], point: usize) -> Vec<String> {
    HEADLINE.iter().filter_map(|key| metric_index(key).map(|m| sentence(stats, records, point, key, m))).collect()
}

fn sentence(stats: &PointStats, records: &[RunRecord], point: usize, key: &str, m: usize) -> String {
    let name = key.replace('_', " ");
    let defined: Vec<(usize, f64)> =
        stats.strategies.iter().enumerate().map(|(i, s)| (i, s.metrics[m].mean)).filter(|(_, v)| !v.is_nan()).collect();
    let strategy = |i: usize| stats.strategies[i].name.as_str();
    if defined.is_empty() {
        return format!("{name}: undefined for every strategy (nothing of the kind happened).");
    }
    if stats.strategies.len() == 1 {
        return format!("{name}: {} for {}.", amount(key, defined[0].1), strategy(defined[0].0));
    }
    let sign = match METRICS[m].better {
        Better::Higher => 1.0,
        Better::Lower => -1.0,
        Better::Neither => {
            let lo = defined.iter().copied().fold(defined[0], |a, b| if b.1 < a.1 { b } else { a });
            let hi = defined.iter().copied().fold(defined[0], |a, b| if b.1 > a.1 { b } else { a });
            return format!(
                "{name}: from {} ({}) to {} ({}); neither direction is better.",
                amount(key, lo.1),
                strategy(lo.0),
                amount(key, hi.1),
                strategy(hi.0)
            );
        }
    };
    let mut ranked = defined.clone();
    // Best first; ties keep scenario order.
    ranked.sort_by(|a, b| (sign * b.1).total_cmp(&(sign * a.1)).then(a.0.cmp(&b.0)));
    let (best, best_mean) = ranked[0];
    let Some(&(second, _)) = ranked.get(1) else {
        return format!("{name}: only {} has a value, {}.", strategy(best), amount(key, best_mean));
    };
    let a = values(records, point, second, m);
    let b = values(records, point, best, m);
    let (a, b): (Vec<f64>, Vec<f64>) = a.iter().zip(&b).filter(|(x, y)| x.0 == y.0).map(|(x, y)| (x.1, y.1)).unzip();
    let diff = Estimate::paired(&a, &b);
    if diff.n >= 2 && diff.mean == 0.0 && diff.sd == 0.0 {
        let tied: Vec<&str> = ranked.iter().filter(|(_, v)| *v == best_mean).map(|(i, _)| strategy(*i)).collect();
        return format!("{name}: {} tie at {} in every replication.", tied.join(", "), amount(key, best_mean));
    }
    // In the metric's good direction: positive means the best is better.
    let (lo, hi) = if sign > 0.0 { (diff.ci95[0], diff.ci95[1]) } else { (-diff.ci95[1], -diff.ci95[0]) };
    let size = difference(key, sign * diff.mean);
    if diff.n < 2 || lo.is_nan() {
        format!(
            "{name}: inconclusive — {} leads {} by {size}, but fewer than 2 paired replications give no interval.",
            strategy(best),
            strategy(second),
        )
    } else if diff.excludes_zero() {
        format!(
            "{name}: {} is best ({}), ahead of {} by {size} [95% CI {}, {}].",
            strategy(best),
            amount(key, best_mean),
            strategy(second),
            difference(key, lo),
            difference(key, hi)
        )
    } else {
        format!(
            "{name}: inconclusive — {} leads {} by {size}, but the 95% interval of the paired difference \
             [{}, {}] includes 0.",
            strategy(best),
            strategy(second),
            difference(key, lo),
            difference(key, hi)
        )
    }
}

/// The strategies on the service–cost Pareto front, in scenario order.
pub fn pareto(stats: &PointStats) -> Vec<usize> {
    let (Some(s), Some(c)) = (metric_index(PARETO_AXES.0), metric_index(PARETO_AXES.1)) else { return Vec::new() };
    let at: Vec<(usize, f64, f64)> = stats
        .strategies
        .iter()
        .enumerate()
        .map(|(i, st)| (i, st.metrics[s].mean, st.metrics[c].mean))
        .filter(|(_, a, b)| !a.is_nan() && !b.is_nan())
        .collect();
    at.iter()
        .filter(|(i, fill, cost)| {
            !at.iter().any(|(j, f2, c2)| j != i && f2 >= fill && c2 <= cost && (f2 > fill || c2 < cost))
        })
        .map(|(i, _, _)| *i)
        .collect()
}

/// Groups (two or more, in scenario order) of strategies whose runs at
/// `point` are identical.
pub fn identical(records: &[RunRecord], strategies: usize, point: usize) -> Vec<Vec<usize>> {
    let fingerprint = |s: usize| -> Vec<(u32, Vec<u64>)> {
        let mut runs: Vec<(u32, Vec<u64>)> = records
            .iter()
            .filter(|r| r.point == point && r.strategy == s)
            .map(|r| (r.replication, r.network.iter().map(|v| v.to_bits()).collect()))
            .collect();
        runs.sort();
        runs
    };
    let prints: Vec<_> = (0..strategies).map(fingerprint).collect();
    let mut grouped = vec![false; strategies];
    let mut out = Vec::new();
    for i in 0..strategies {
        if grouped[i] || prints[i].is_empty() {
            continue;
        }
        let group: Vec<usize> = (i..strategies).filter(|&j| !grouped[j] && prints[j] == prints[i]).collect();
        if group.len() > 1 {
            group.iter().for_each(|&j| grouped[j] = true);
            out.push(group);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::StrategyStats;

    fn stats(points: &[(f64, f64)]) -> PointStats {
        let (s, c) = (metric_index("fill_rate").unwrap(), metric_index("total_cost").unwrap());
        PointStats {
            params: Vec::new(),
            strategies: points
                .iter()
                .enumerate()
                .map(|(i, &(fill, cost))| {
                    let mut metrics = vec![Estimate::of([]); METRICS.len()];
                    metrics[s] = Estimate::of([fill]);
                    metrics[c] = Estimate::of([cost]);
                    StrategyStats {
                        name: format!("s{i}"),
                        metrics,
                        nodes: Vec::new(),
                        events: Vec::new(),
                        random_outages: Vec::new(),
                        classes: Vec::new(),
                        lanes: Vec::new(),
                        abc: Vec::new(),
                    }
                })
                .collect(),
            comparisons: Vec::new(),
        }
    }

    #[test]
    fn pareto_set_drops_exactly_the_dominated_strategies() {
        // s1 is dominated by s0 (lower fill, higher cost); s3 ties s0 on
        // fill but costs more; s2 is cheaper with less service.
        let p = stats(&[(0.95, 100.0), (0.94, 110.0), (0.90, 80.0), (0.95, 120.0), (0.97, 150.0)]);
        assert_eq!(pareto(&p), vec![0, 2, 4]);
    }

    fn record(strategy: usize, replication: u32, fill: f64) -> RunRecord {
        let mut network = [0.0; METRICS.len()];
        network[metric_index("fill_rate").unwrap()] = fill;
        RunRecord {
            point: 0,
            strategy,
            replication,
            network,
            nodes: Vec::new(),
            events: Vec::new(),
            random_events: Vec::new(),
            classes: Vec::new(),
            lanes: Vec::new(),
            skus: Vec::new(),
            abc: Vec::new(),
        }
    }

    #[test]
    fn strategies_with_bit_identical_runs_are_grouped() {
        let records: Vec<RunRecord> = (0..3)
            .flat_map(|r| {
                let f = 0.9 + f64::from(r) / 100.0;
                [record(0, r, f), record(1, r, f + 0.001), record(2, r, f)]
            })
            .collect();
        assert_eq!(identical(&records, 3, 0), vec![vec![0, 2]]);
        assert!(identical(&records, 2, 0).is_empty());
    }

    #[test]
    fn a_headline_verdict_is_inconclusive_when_the_paired_interval_includes_zero() {
        let m = metric_index("fill_rate").unwrap();
        // Paired differences 0.01, -0.01, 0.02: interval includes 0.
        let records: Vec<RunRecord> = [(0.90, 0.91), (0.92, 0.91), (0.90, 0.92)]
            .iter()
            .enumerate()
            .flat_map(|(r, &(a, b))| [record(0, r as u32, a), record(1, r as u32, b)])
            .collect();
        let stats = crate::summary::compute(
            &crate::record::StudyInfo {
                replications: 3,
                strategies: vec!["a".into(), "b".into()],
                points: vec![Vec::new()],
                ..Default::default()
            },
            &records,
        );
        let s = sentence(&stats[0], &records, 0, "fill_rate", m);
        assert!(s.starts_with("fill rate: inconclusive — b leads a by 0.67 points"), "{s}");
        // Paired differences all +0.01 ± a little: b is best.
        let records: Vec<RunRecord> = [(0.90, 0.91), (0.92, 0.935), (0.90, 0.912)]
            .iter()
            .enumerate()
            .flat_map(|(r, &(a, b))| [record(0, r as u32, a), record(1, r as u32, b)])
            .collect();
        let s = sentence(&stats[0], &records, 0, "fill_rate", m);
        assert!(s.contains("ahead of a by"), "{s}");
    }
}
