//! The charts of a results set: which ones, from which numbers.
//!
//! # Contract
//!
//! [`charts`] turns the statistics, the run records and (when present) the
//! representative runs into [`Chart`]s, in report order:
//!
//! 1. `frontier` — fill rate against mean inventory value at point 0, a
//!    point per strategy with 95% interval whiskers on both axes;
//! 2. `fill-rate-by-replication`, `total-cost-by-replication` — every
//!    replication's value per strategy at point 0 (spread across the
//!    strategy's slot in run order) with the mean and its interval;
//! 3. `inventory-over-time`, `backorders-over-time`, `orders-over-time` —
//!    the representative replication (see [`crate::representative`]), a panel per strategy on shared
//!    axes, disruption windows shaded;
//! 4. `decision-latency` — share of the representative run's orders by
//!    simulated decision latency rounded up to whole days, bars grouped by
//!    day, one per strategy;
//! 5. for sweeps, `sweep-<k>-fill_rate` and `sweep-<k>-total_cost` — the
//!    metric against swept parameter `k` with the other parameters at their
//!    first value, a line per strategy with interval whiskers.
//!
//! A strategy has the same colour in every chart.

use crate::charts::{Band, Chart, Datum, Series};
use crate::record::{RunRecord, StudyInfo};
use crate::representative::{Representative, StrategyTrace};
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

/// Every chart of the report, in order.
pub fn charts(
    info: &StudyInfo,
    records: &[RunRecord],
    stats: &[PointStats],
    representative: Option<&Representative>,
) -> Vec<Chart> {
    let mut out = Vec::new();
    if let Some(first) = stats.first() {
        out.push(frontier(first));
        out.push(by_replication(info, records, "fill_rate", "fill-rate-by-replication"));
        out.push(by_replication(info, records, "total_cost", "total-cost-by-replication"));
    }
    if let Some(rep) = representative {
        out.extend(over_time(rep));
        out.push(latency(rep));
    }
    if stats.len() > 1 {
        for k in 0..info.points[0].len() {
            for key in ["fill_rate", "total_cost"] {
                out.push(sweep_line(info, stats, k, key));
            }
        }
    }
    out
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
    }
}

fn by_replication(info: &StudyInfo, records: &[RunRecord], key: &str, file: &str) -> Chart {
    let m = index(key);
    let mut series = Vec::new();
    for (s, name) in info.strategies.iter().enumerate() {
        let values: Vec<f64> =
            records.iter().filter(|r| r.point == 0 && r.strategy == s).map(|r| r.network[m]).collect();
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
            }
        })
        .collect()
}

fn latency(rep: &Representative) -> Chart {
    let n = rep.strategies.len().max(1) as f64;
    let width = 0.8 / n;
    let series = rep
        .strategies
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let total: u64 = t.latency.iter().map(|(_, n)| n).sum();
            let mut by_day: Vec<u64> = Vec::new();
            for &(minutes, orders) in &t.latency {
                let day = minutes.div_ceil(1440) as usize;
                if by_day.len() <= day {
                    by_day.resize(day + 1, 0);
                }
                by_day[day] += orders;
            }
            let offset = (i as f64 - (n - 1.0) / 2.0) * width;
            let data = by_day
                .iter()
                .enumerate()
                .filter(|(_, orders)| **orders > 0)
                .map(|(day, &orders)| Datum::at(day as f64 + offset, orders as f64 / total.max(1) as f64))
                .collect();
            Series { name: t.name.clone(), data, line: false, markers: false, bar_width: Some(width), colour: i }
        })
        .collect();
    Chart {
        file: "decision-latency".into(),
        title: format!("Replication {}: simulated decision latency, trigger to release", rep.replication),
        x_label: "latency, rounded up to whole days (days)".into(),
        y_label: "share of orders (ratio)".into(),
        series,
        bands: Vec::new(),
        categories: None,
        panels: false,
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
    }
}
