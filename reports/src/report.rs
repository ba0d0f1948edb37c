//! The charts of a results set: which ones, from which numbers.
//!
//! # Contract
//!
//! [`charts`] turns the statistics, the run records and (when present) the
//! traces (`trace.json`, see [`crate::representative`]) into [`Chart`]s, in
//! report order. First, for each sweep point (file names end in `-p<k>`
//! for point k of a sweep, see [`point_of`]; no suffix without a sweep),
//! titles naming the point:
//!
//! 1. `frontier` — fill rate against mean inventory value, a point per
//!    strategy with 95% interval whiskers on both axes;
//! 2. `fill-rate-by-replication`, `total-cost-by-replication` — every
//!    replication's value per strategy (spread across the strategy's slot
//!    in run order) with the mean and its interval;
//! 3. `cost-breakdown` — per strategy, a bar per cost component (the
//!    parts of `total_cost`, see [`cost_components`]) that is non-zero for
//!    some strategy;
//! 4. `inventory-over-time`, `backorders-over-time`, `orders-over-time` —
//!    network totals day by day, a panel per strategy on shared axes, the
//!    point's timed disruption windows shaded: the mean over every
//!    replication with a band of ± one standard deviation across
//!    replications (from the summed series); from a `trace.json` without
//!    them, replication 0 of the scenario as written (then only point 0);
//! 5. `decision-latency` — the share of decisions released within x days
//!    of their trigger (cumulative), a line per strategy, over every
//!    replication (replication 0 from an older `trace.json`); x in days,
//!    on a logarithmic axis when the positive latencies span more than two
//!    decades (latencies of 0 then drawn at the axis' left end).
//!
//! Then, for sweeps, `sweep-<k>-fill_rate` and `sweep-<k>-total_cost` — the
//! metric against swept parameter `k` with the other parameters at their
//! first value, a line per strategy with interval whiskers.
//!
//! A strategy has the same colour in every chart.

use crate::charts::{Band, Chart, Datum, Series};
use crate::record::{RunRecord, StudyInfo};
use crate::representative::{PointSeries, Representative, StrategyTrace, Window};
use crate::stats::Estimate;
use crate::summary::PointStats;
use echelon_sim::metrics::{METRICS, metric_index};

fn index(key: &str) -> usize {
    metric_index(key).unwrap_or_else(|| panic!("{key} is a catalogue metric"))
}

/// Axis title of a metric: key in words and unit.
fn axis(key: &str) -> String {
    format!("{} ({})", key.replace('_', " "), METRICS[index(key)].unit)
}

fn with_interval(e: &Estimate) -> Option<(f64, f64)> {
    (e.n > 1 && e.ci95[0].is_finite()).then_some((e.ci95[0], e.ci95[1]))
}

/// The cost components of `total_cost`, in report order: the engine's
/// [`TOTAL_COST_PARTS`](echelon_sim::metrics::TOTAL_COST_PARTS), so the
/// breakdown adds up to the total by construction.
pub fn cost_components() -> Vec<usize> {
    echelon_sim::metrics::TOTAL_COST_PARTS.iter().map(|&m| m as usize).collect()
}

/// The point a chart shows: `Some(k)` for a chart of sweep point k
/// (file ending in `-p<k>`), `Some(0)` for a per-point chart of a study
/// without a sweep, `None` for a chart across points (or an extra chart).
pub fn point_of(file: &str, points: usize) -> Option<usize> {
    const PER_POINT: [&str; 8] = [
        "frontier",
        "fill-rate-by-replication",
        "total-cost-by-replication",
        "cost-breakdown",
        "inventory-over-time",
        "backorders-over-time",
        "orders-over-time",
        "decision-latency",
    ];
    if points <= 1 {
        return PER_POINT.contains(&file).then_some(0);
    }
    let (stem, k) = file.rsplit_once("-p")?;
    PER_POINT.contains(&stem).then(|| k.parse().ok()).flatten().filter(|&k| k < points)
}

/// The words naming sweep point `params` in a title ("" without a sweep).
pub(crate) fn point_label(params: &[(String, f64)]) -> String {
    params.iter().map(|(p, v)| format!("{p} = {v}")).collect::<Vec<_>>().join(", ")
}

/// Every chart of the report, in order.
pub fn charts(
    info: &StudyInfo,
    records: &[RunRecord],
    stats: &[PointStats],
    representative: Option<&Representative>,
) -> Vec<Chart> {
    let mut out = Vec::new();
    let sweep = stats.len() > 1;
    for (k, point) in stats.iter().enumerate() {
        let at = if sweep { format!(" — at {}", point_label(&point.params)) } else { String::new() };
        let mut of_point = vec![
            frontier(point),
            by_replication(info, records, k, "fill_rate", "fill-rate-by-replication"),
            by_replication(info, records, k, "total_cost", "total-cost-by-replication"),
            cost_breakdown(point),
        ];
        if let Some(rep) = representative {
            let series: Vec<&PointSeries> = rep.series.iter().filter(|s| s.point == k).collect();
            if !series.is_empty() {
                of_point.extend(mean_over_time(info, &series));
                of_point.push(latency(info, series.iter().map(|s| (s.strategy, s.latency.as_slice())), None));
            } else if k == 0 && !sweep {
                of_point.extend(over_time(rep));
                let pooled = rep.strategies.iter().enumerate().map(|(i, t)| (i, t.latency.as_slice()));
                of_point.push(latency(info, pooled, Some(rep.replication)));
            }
        }
        for mut chart in of_point {
            chart.title += &at;
            if sweep {
                chart.file = format!("{}-p{k}", chart.file);
            }
            out.push(chart);
        }
    }
    if sweep {
        for k in 0..info.points[0].len() {
            for key in ["fill_rate", "total_cost"] {
                out.push(sweep_line(info, stats, k, key));
            }
        }
    }
    out
}

fn cost_breakdown(point: &PointStats) -> Chart {
    let components: Vec<usize> = cost_components()
        .into_iter()
        .filter(|&m| point.strategies.iter().any(|s| s.metrics[m].mean.abs() > 0.0))
        .collect();
    let n = components.len().max(1) as f64;
    let width = 0.8 / n;
    let series = components
        .iter()
        .enumerate()
        .map(|(c, &m)| Series {
            name: METRICS[m].key.trim_end_matches("_cost").replace('_', " "),
            data: point
                .strategies
                .iter()
                .enumerate()
                .map(|(s, st)| {
                    let e = &st.metrics[m];
                    let x = s as f64 + (c as f64 - (n - 1.0) / 2.0) * width;
                    Datum { y_interval: with_interval(e), ..Datum::at(x, e.mean) }
                })
                .collect(),
            bar_width: Some(width),
            colour: c,
            ..Series::default()
        })
        .collect();
    Chart {
        file: "cost-breakdown".into(),
        title: "Cost per day by component (mean, 95% CI)".into(),
        x_label: "strategy".into(),
        y_label: "cost (currency/day)".into(),
        series,
        categories: Some(point.strategies.iter().map(|s| s.name.clone()).collect()),
        ..Chart::default()
    }
}

fn windows(events: &[Window]) -> Vec<Band> {
    events
        .iter()
        .map(|e| Band { from: f64::from(e.start_day), to: f64::from(e.end_day), label: e.name.clone() })
        .collect()
}

fn mean_over_time(info: &StudyInfo, series: &[&PointSeries]) -> Vec<Chart> {
    let bands = series.first().map_or(Vec::new(), |s| windows(&s.events));
    let runs = series.iter().map(|s| s.runs).min().unwrap_or(0);
    type Pick = fn(&PointSeries) -> &crate::representative::DaySums;
    let kinds: [(&str, &str, Pick); 3] = [
        ("inventory-over-time", "on-hand at day end (units)", |s| &s.on_hand),
        ("backorders-over-time", "backorders at day end (units)", |s| &s.backorders),
        ("orders-over-time", "units ordered per day (units)", |s| &s.ordered),
    ];
    kinds
        .iter()
        .map(|(file, y_label, pick)| {
            let mut out = Vec::new();
            for s in series {
                let name = info.strategies.get(s.strategy).cloned().unwrap_or_default();
                let days = pick(s).mean_sd(s.runs);
                let at = |d: usize| f64::from(s.first_day) + d as f64;
                out.push(Series {
                    name: format!("{name} ± 1 sd"),
                    data: days
                        .iter()
                        .enumerate()
                        .map(|(d, &(m, sd))| Datum { y_interval: Some((m - sd, m + sd)), ..Datum::at(at(d), m) })
                        .collect(),
                    colour: s.strategy,
                    area: true,
                    ..Series::default()
                });
                out.push(Series {
                    name,
                    data: days.iter().enumerate().map(|(d, &(m, _))| Datum::at(at(d), m)).collect(),
                    line: true,
                    colour: s.strategy,
                    ..Series::default()
                });
            }
            Chart {
                file: (*file).into(),
                title: format!("Mean of {runs} replications (band ± 1 sd): {y_label}, network total"),
                x_label: "day".into(),
                y_label: (*y_label).into(),
                series: out,
                bands: bands.clone(),
                panels: true,
                ..Chart::default()
            }
        })
        .collect()
}

fn frontier(point: &PointStats) -> Chart {
    let (x, y) = (index("inventory_value_end_mean"), index("fill_rate"));
    let series = point
        .strategies
        .iter()
        .enumerate()
        .map(|(i, s)| Series {
            name: s.name.clone(),
            data: vec![Datum {
                x: s.metrics[x].mean,
                y: s.metrics[y].mean,
                x_interval: with_interval(&s.metrics[x]),
                y_interval: with_interval(&s.metrics[y]),
            }],
            line: false,
            markers: true,
            bar_width: None,
            colour: i,
            area: false,
        })
        .collect();
    Chart {
        file: "frontier".into(),
        title: "Service against inventory: the frontier (mean, 95% CI)".into(),
        x_label: axis("inventory_value_end_mean"),
        y_label: axis("fill_rate"),
        series,
        bands: Vec::new(),
        categories: None,
        panels: false,
        log_x: false,
    }
}

fn by_replication(info: &StudyInfo, records: &[RunRecord], point: usize, key: &str, file: &str) -> Chart {
    let m = index(key);
    let mut series = Vec::new();
    for (s, name) in info.strategies.iter().enumerate() {
        let values: Vec<f64> =
            records.iter().filter(|r| r.point == point && r.strategy == s).map(|r| r.network[m]).collect();
        let n = values.len().max(2) as f64;
        let spread = values
            .iter()
            .enumerate()
            .map(|(k, &v)| Datum::at(s as f64 - 0.3 + 0.6 * k as f64 / (n - 1.0), v))
            .collect();
        series.push(Series {
            name: name.clone(),
            data: spread,
            line: false,
            markers: true,
            bar_width: None,
            colour: s,
            area: false,
        });
        let estimate = Estimate::of(values);
        let mean = Datum {
            x_interval: Some((s as f64 - 0.38, s as f64 + 0.38)),
            y_interval: with_interval(&estimate),
            ..Datum::at(s as f64, estimate.mean)
        };
        series.push(Series {
            name: format!("{name} mean"),
            data: vec![mean],
            line: false,
            markers: false,
            bar_width: None,
            colour: 7,
            area: false,
        });
    }
    Chart {
        file: file.into(),
        title: format!("{} in each replication (black: mean and 95% CI)", key.replace('_', " ")),
        x_label: "strategy".into(),
        y_label: axis(key),
        series,
        bands: Vec::new(),
        categories: Some(info.strategies.clone()),
        panels: false,
        log_x: false,
    }
}

fn over_time(rep: &Representative) -> Vec<Chart> {
    let bands: Vec<Band> = rep
        .events
        .iter()
        .map(|e| Band { from: f64::from(e.start_day), to: f64::from(e.end_day), label: e.name.clone() })
        .collect();
    type Pick = fn(&StrategyTrace) -> &[i64];
    let kinds: [(&str, &str, Pick); 3] = [
        ("inventory-over-time", "on-hand at day end (units)", |t| &t.on_hand),
        ("backorders-over-time", "backorders at day end (units)", |t| &t.backorders),
        ("orders-over-time", "units ordered per day (units)", |t| &t.ordered),
    ];
    kinds
        .iter()
        .map(|(file, y_label, pick)| {
            let series = rep
                .strategies
                .iter()
                .enumerate()
                .map(|(i, t)| Series {
                    name: t.name.clone(),
                    data: pick(t)
                        .iter()
                        .enumerate()
                        .map(|(d, &v)| Datum::at(f64::from(t.first_day) + d as f64, v as f64))
                        .collect(),
                    line: true,
                    markers: false,
                    bar_width: None,
                    colour: i,
                    area: false,
                })
                .collect();
            Chart {
                file: (*file).into(),
                title: format!("Replication {}: {y_label}, network total", rep.replication),
                x_label: "day".into(),
                y_label: (*y_label).into(),
                series,
                bands: bands.clone(),
                categories: None,
                panels: true,
                log_x: false,
            }
        })
        .collect()
}

/// The cumulative share of decisions released within x days, a line per
/// strategy, from (minutes, decisions) counts; `replication` names the one
/// replication drawn (from an older trace), `None` for all of them.
fn latency<'a>(
    info: &StudyInfo,
    per_strategy: impl Iterator<Item = (usize, &'a [(u64, u64)])>,
    replication: Option<u32>,
) -> Chart {
    let per_strategy: Vec<(usize, &[(u64, u64)])> = per_strategy.collect();
    let positive = per_strategy.iter().flat_map(|(_, l)| l.iter()).filter(|(m, n)| *m > 0 && *n > 0);
    let (lo, hi) = positive.fold((u64::MAX, 0), |(lo, hi), &(m, _)| (lo.min(m), hi.max(m)));
    let log = hi > 0 && hi / lo.max(1) > 100;
    // On a log axis, latencies of 0 sit at the left end: half the smallest
    // positive latency.
    let floor = lo as f64 / 1440.0 / 2.0;
    let x = |minutes: u64| {
        let days = minutes as f64 / 1440.0;
        if log { days.max(floor).log10() } else { days }
    };
    let series = per_strategy
        .iter()
        .map(|&(s, counts)| {
            let total: u64 = counts.iter().map(|(_, n)| n).sum();
            let mut cumulative = 0;
            let mut data = Vec::with_capacity(counts.len() + 1);
            for &(minutes, n) in counts {
                // A step: the share before this latency, then after it.
                data.push(Datum::at(x(minutes), cumulative as f64 / total.max(1) as f64));
                cumulative += n;
                data.push(Datum::at(x(minutes), cumulative as f64 / total.max(1) as f64));
            }
            Series {
                name: info.strategies.get(s).cloned().unwrap_or_default(),
                data,
                line: true,
                colour: s,
                ..Series::default()
            }
        })
        .collect();
    let whose = match replication {
        Some(r) => format!("replication {r}"),
        None => "every replication".into(),
    };
    Chart {
        file: "decision-latency".into(),
        title: format!("Simulated decision latency, trigger to release ({whose})"),
        x_label: if log {
            "latency (days, log scale; 0 drawn at the left end)".into()
        } else {
            "latency (days)".into()
        },
        y_label: "share of decisions released within (ratio)".into(),
        series,
        log_x: log,
        ..Chart::default()
    }
}

/// Axis title of a swept parameter, with the unit its name implies.
fn parameter_axis(path: &str) -> String {
    let last = path.rsplit(['.', ']']).next().unwrap_or(path);
    let unit = if last.contains("days") {
        " (days)"
    } else if last.contains("multiplier") {
        " (factor)"
    } else if last.contains("cost") || last.contains("price") {
        " (currency)"
    } else {
        ""
    };
    format!("{path}{unit}")
}

fn sweep_line(info: &StudyInfo, stats: &[PointStats], k: usize, key: &str) -> Chart {
    let m = index(key);
    let base: Vec<f64> = info.points[0].iter().map(|(_, v)| *v).collect();
    let on_axis: Vec<&PointStats> =
        stats.iter().filter(|p| p.params.iter().enumerate().all(|(j, (_, v))| j == k || *v == base[j])).collect();
    let series = info
        .strategies
        .iter()
        .enumerate()
        .map(|(s, name)| Series {
            name: name.clone(),
            data: on_axis
                .iter()
                .map(|p| {
                    let e = &p.strategies[s].metrics[m];
                    Datum { y_interval: with_interval(e), ..Datum::at(p.params[k].1, e.mean) }
                })
                .collect(),
            line: true,
            markers: true,
            bar_width: None,
            colour: s,
            area: false,
        })
        .collect();
    let others: Vec<String> =
        info.points[0].iter().enumerate().filter(|(j, _)| *j != k).map(|(_, (p, v))| format!("{p} = {v}")).collect();
    let fixed = if others.is_empty() { String::new() } else { format!(" ({})", others.join(", ")) };
    Chart {
        file: format!("sweep-{k}-{key}"),
        title: format!("{} against {}{fixed}", key.replace('_', " "), info.points[0][k].0),
        x_label: parameter_axis(&info.points[0][k].0),
        y_label: axis(key),
        series,
        bands: Vec::new(),
        categories: None,
        panels: false,
        log_x: false,
    }
}
