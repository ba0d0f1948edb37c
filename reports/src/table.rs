//! The terminal view: a comparison table per sweep point and plain-English
//! verdicts ("B beats A on fill rate by 1.2 points [0.8, 1.6]").

use crate::summary::{Comparison, PointStats};
use echelon_sim::metrics::{CLASS_METRICS, METRICS, metric_index};
use std::fmt::Write;

/// Metrics shown in the terminal table, in column order.
pub const HEADLINE: &[&str] =
    &["fill_rate", "cycle_service", "on_hand_end_mean", "turns", "total_cost", "decision_latency_p95_min"];

/// `mean ± half-width`; `—` for what is undefined (the whole cell
/// without a mean, the half-width with fewer than two replications).
pub fn cell(mean: f64, ci: [f64; 2]) -> String {
    if mean.is_nan() {
        return "—".into();
    }
    let half = (ci[1] - ci[0]) / 2.0;
    let digits = if mean.abs() < 10.0 { 4 } else { 1 };
    if half.is_nan() {
        return format!("{mean:.digits$} ± —");
    }
    format!("{mean:.digits$} ± {half:.digits$}")
}

/// The table of `point` as text.
pub fn render(point: &PointStats) -> String {
    let columns: Vec<usize> = HEADLINE.iter().filter_map(|k| metric_index(k)).collect();
    let mut rows = vec![
        std::iter::once("strategy".to_string())
            .chain(columns.iter().map(|&m| METRICS[m].key.to_string()))
            .collect::<Vec<_>>(),
    ];
    for s in &point.strategies {
        let mut row = vec![s.name.clone()];
        row.extend(columns.iter().map(|&m| cell(s.metrics[m].mean, s.metrics[m].ci95)));
        rows.push(row);
    }
    let mut out = String::new();
    if !point.params.is_empty() {
        let params: Vec<String> = point.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        writeln!(out, "point: {}", params.join(", ")).expect("string");
    }
    out + &layout(&rows, 1)
}

/// Class metrics shown per customer class, in column order.
pub const CLASS_HEADLINE: &[&str] =
    &["fill_rate", "on_time_rate", "backorder_age_p95_days", "late_penalty_cost", "lost_sales_mean", "cancelled_mean"];

/// A row per (customer class, strategy) of `point` with the
/// [`CLASS_HEADLINE`] metrics; empty when the scenario has one class.
pub fn render_classes(point: &PointStats, classes: &[String]) -> String {
    if classes.len() < 2 {
        return String::new();
    }
    let columns: Vec<usize> =
        CLASS_HEADLINE.iter().filter_map(|k| CLASS_METRICS.iter().position(|m| m.key == *k)).collect();
    let mut header = vec!["class".to_string(), "strategy".to_string()];
    header.extend(columns.iter().map(|&m| CLASS_METRICS[m].key.to_string()));
    let mut rows = vec![header];
    for (c, class) in classes.iter().enumerate() {
        for s in &point.strategies {
            let mut row = vec![class.clone(), s.name.clone()];
            row.extend(columns.iter().map(|&m| cell(s.classes[c][m].mean, s.classes[c][m].ci95)));
            rows.push(row);
        }
    }
    layout(&rows, 2)
}

/// A sweep as one table: a row per (point, strategy) with the swept values
/// first; `*` marks the best strategy of the point on each metric.
pub fn render_sweep(points: &[PointStats]) -> String {
    let columns: Vec<usize> = HEADLINE.iter().filter_map(|k| metric_index(k)).collect();
    let names: Vec<String> =
        points.first().map(|p| p.params.iter().map(|(path, _)| path.clone()).collect()).unwrap_or_default();
    let mut header = names.clone();
    header.push("strategy".into());
    header.extend(columns.iter().map(|&m| METRICS[m].key.to_string()));
    let mut rows = vec![header];
    for point in points {
        let best: Vec<Option<usize>> = columns.iter().map(|&m| point.best(m)).collect();
        for (i, s) in point.strategies.iter().enumerate() {
            let mut row: Vec<String> = point.params.iter().map(|(_, v)| format!("{v}")).collect();
            row.push(s.name.clone());
            for (c, &m) in columns.iter().enumerate() {
                let mark = if best[c] == Some(i) && point.strategies.len() > 1 { " *" } else { "  " };
                row.push(cell(s.metrics[m].mean, s.metrics[m].ci95) + mark);
            }
            rows.push(row);
        }
    }
    let left = names.len() + 1;
    layout(&rows, left) + "(* best mean at the point)\n"
}

/// Lays out rows as aligned columns: the first `left` left-aligned, the
/// rest right-aligned, a rule under the header.
fn layout(rows: &[Vec<String>], left: usize) -> String {
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (text, w))| if c < left { format!("{text:<w$}") } else { format!("{text:>w$}") })
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end()).expect("string");
        if i == 0 {
            writeln!(out, "{}", widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  ")).expect("string");
        }
    }
    out
}

/// One sentence about a comparison.
pub fn verdict(c: &Comparison) -> String {
    let def = &METRICS[metric_index(c.metric).expect("catalogue metric")];
    let (scale, unit) = if def.unit == "ratio" { (100.0, " points") } else { (1.0, "") };
    let (d, lo, hi) = (c.diff_mean * scale, c.ci95[0] * scale, c.ci95[1] * scale);
    let name = c.metric.replace('_', " ");
    if lo.is_nan() || hi.is_nan() {
        return format!(
            "{} vs {} on {name}: {d:+.2}{unit}, no interval with fewer than 2 replications, so no verdict",
            c.b, c.a
        );
    }
    match &c.better {
        Some(winner) => {
            let loser = if *winner == c.b { &c.a } else { &c.b };
            // Express the improvement in the metric's good direction.
            let b_wins = *winner == c.b;
            let positive = b_wins == (def.better == echelon_sim::metrics::Better::Higher);
            let (d, lo, hi) = if positive { (d, lo, hi) } else { (-d, -hi, -lo) };
            format!("{winner} beats {loser} on {name} by {d:.2}{unit} [{lo:.2}, {hi:.2}]")
        }
        None if c.significant => {
            // Size and interval both as magnitudes in the stated direction.
            let (direction, d, lo, hi) = if d > 0.0 { ("higher", d, lo, hi) } else { ("lower", -d, -hi, -lo) };
            format!("{} is {direction} than {} on {name} by {d:.2}{unit} [{lo:.2}, {hi:.2}]", c.b, c.a)
        }
        None => format!("{} vs {}: no significant difference on {name} ({d:+.2}{unit} [{lo:.2}, {hi:.2}])", c.b, c.a),
    }
}

/// Verdicts on the headline metrics.
pub fn verdicts(point: &PointStats) -> Vec<String> {
    point.comparisons.iter().filter(|c| HEADLINE.contains(&c.metric)).map(verdict).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(diff: f64, ci: [f64; 2], better: Option<&str>, metric: &'static str) -> Comparison {
        Comparison {
            a: "A".into(),
            b: "B".into(),
            metric,
            diff_mean: diff,
            ci95: ci,
            significant: better.is_some(),
            better: better.map(String::from),
        }
    }

    #[test]
    fn verdicts_read_as_sentences_in_points_for_ratios() {
        let c = comparison(0.012, [0.008, 0.016], Some("B"), "fill_rate");
        assert_eq!(verdict(&c), "B beats A on fill rate by 1.20 points [0.80, 1.60]");
        let c = comparison(5.0, [2.0, 8.0], Some("A"), "total_cost");
        assert_eq!(verdict(&c), "A beats B on total cost by 5.00 [2.00, 8.00]");
        let c = comparison(0.001, [-0.002, 0.004], None, "fill_rate");
        assert!(verdict(&c).contains("no significant difference"));
    }

    #[test]
    fn verdict_size_and_interval_agree_in_sign() {
        let mut c = comparison(-3.0, [-4.0, -2.0], None, "on_hand_end_mean");
        c.significant = true;
        assert_eq!(verdict(&c), "B is lower than A on on hand end mean by 3.00 [2.00, 4.00]");
        let mut c = comparison(3.0, [2.0, 4.0], None, "on_hand_end_mean");
        c.significant = true;
        assert_eq!(verdict(&c), "B is higher than A on on hand end mean by 3.00 [2.00, 4.00]");
    }

    #[test]
    fn one_replication_gives_no_interval_and_no_verdict() {
        let c = comparison(0.04, [f64::NAN, f64::NAN], None, "fill_rate");
        assert_eq!(
            verdict(&c),
            "B vs A on fill rate: +4.00 points, no interval with fewer than 2 replications, so no verdict"
        );
        assert_eq!(cell(0.5, [f64::NAN, f64::NAN]), "0.5000 ± —");
    }
}
