//! The terminal view: a comparison table per sweep point and plain-English
//! verdicts ("B beats A on fill rate by 1.2 points [0.8, 1.6]").
//!
//! Contract: every line fits [`View::width`] columns (100 by default; the
//! terminal's width when the command line knows it). A table wider than
//! that first wraps its headers at `_`, then wraps long strategy names,
//! then splits its metric columns into blocks that each repeat the key
//! columns (strategy, swept values). Latencies (metrics in minutes) are shown
//! in days when they reach one day. Colour (ANSI) only when
//! [`View::colour`] is set — the command line sets it on a terminal, never
//! when piped, never under `NO_COLOR`. Verdicts are ranked: significant
//! ones first, larger relative differences first; at most
//! [`View::max_verdicts`] are printed unless [`View::verbose`].

use crate::summary::{Comparison, PointStats};
use echelon_sim::metrics::{Better, CLASS_METRICS, METRICS, MetricDef, metric_index};
use std::fmt::Write;

/// Metrics shown in the terminal table, in column order.
pub const HEADLINE: &[&str] =
    &["fill_rate", "cycle_service", "on_hand_end_mean", "turns", "total_cost", "decision_latency_p95_min"];

/// Width of the terminal view when the terminal's is unknown (piped).
pub const DEFAULT_WIDTH: usize = 100;

/// How the terminal view is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// Columns available; every line fits (at least 40 are assumed).
    pub width: usize,
    /// ANSI colour: bold headers, the best mean of each column in green,
    /// verdicts without a significant difference dimmed.
    pub colour: bool,
    /// Metric columns, as [`METRICS`] indices, in column order.
    pub metrics: Vec<usize>,
    /// Every verdict, not only the first [`View::max_verdicts`].
    pub verbose: bool,
    /// Verdicts printed unless `verbose` (a screenful).
    pub max_verdicts: usize,
}

impl Default for View {
    /// 100 columns, no colour, the [`HEADLINE`] metrics, 12 verdicts.
    fn default() -> Self {
        Self {
            width: DEFAULT_WIDTH,
            colour: false,
            metrics: HEADLINE.iter().filter_map(|k| metric_index(k)).collect(),
            verbose: false,
            max_verdicts: 12,
        }
    }
}

/// The default metric columns for `points`: the [`HEADLINE`] metrics, with
/// `expedite_cost` before `total_cost` when any strategy expedited at any
/// point.
pub fn default_metrics(points: &[PointStats]) -> Vec<usize> {
    let mut keys: Vec<&str> = HEADLINE.to_vec();
    let expedites = metric_index("expedite_count").zip(metric_index("expedite_cost")).is_some_and(|(count, cost)| {
        points.iter().flat_map(|p| &p.strategies).any(|s| s.metrics[count].mean > 0.0 || s.metrics[cost].mean > 0.0)
    });
    if expedites {
        let at = keys.iter().position(|k| *k == "total_cost").unwrap_or(keys.len());
        keys.insert(at, "expedite_cost");
    }
    keys.iter().filter_map(|k| metric_index(k)).collect()
}

/// Parses a `--metrics` list (`fill_rate,total_cost,…`, in column order)
/// into [`METRICS`] indices; an unknown or repeated key is an error that
/// lists the valid keys.
pub fn parse_metrics(list: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for key in list.split(',').map(str::trim) {
        if key.is_empty() {
            return Err(format!("--metrics: an empty name in \"{list}\"; give metric keys separated by commas"));
        }
        match metric_index(key) {
            Some(m) if out.contains(&m) => return Err(format!("--metrics: \"{key}\" is listed twice")),
            Some(m) => out.push(m),
            None => {
                let valid: Vec<&str> = METRICS.iter().map(|m| m.key).collect();
                return Err(format!(
                    "--metrics: unknown metric \"{key}\"; valid metrics (see `echelon list metrics`): {}",
                    valid.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

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

/// Minutes in a day.
const DAY_MINUTES: f64 = 1440.0;

/// A cell of metric `def`: as [`cell`], except that a latency (a metric in
/// minutes) reads `… min` below one day and `… d` (days) from one day on.
pub fn metric_cell(def: &MetricDef, mean: f64, ci: [f64; 2]) -> String {
    if def.unit != "minutes" || mean.is_nan() {
        return cell(mean, ci);
    }
    let half = (ci[1] - ci[0]) / 2.0;
    let (scale, unit, digits) = if mean.abs() >= DAY_MINUTES { (DAY_MINUTES, "d", 2) } else { (1.0, "min", 1) };
    let mean = mean / scale;
    if half.is_nan() {
        return format!("{mean:.digits$} {unit} ± —");
    }
    format!("{mean:.digits$} {unit} ± {:.digits$}", half / scale)
}

/// A table before it is fitted to a width: `keys` leading left-aligned
/// columns (repeated in every block when the table is split), then
/// right-aligned metric columns; `best[r][c]` marks cells shown in green.
struct Grid {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    best: Vec<Vec<bool>>,
    keys: usize,
}

const BOLD: &str = "\x1b[1m";
const GREEN: &str = "\x1b[32m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

fn paint(text: String, code: &str, colour: bool) -> String {
    if colour && !text.trim().is_empty() { format!("{code}{text}{RESET}") } else { text }
}

fn width_of(text: &str) -> usize {
    text.chars().count()
}

/// Splits `text` into pieces that each end after one of `breaks` (the last
/// piece ends with the text).
fn pieces<'a>(text: &'a str, breaks: &[char]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, ch) in text.char_indices() {
        if breaks.contains(&ch) {
            let end = i + ch.len_utf8();
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Wraps `text` to lines of at most `width` columns, breaking after any of
/// `breaks` (spaces dropped at a break) and, for a piece longer than a
/// line, anywhere.
fn wrap_at(text: &str, width: usize, breaks: &[char]) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces(text, breaks) {
        let fits = width_of(&line) + width_of(piece.trim_end()) <= width;
        if !line.is_empty() && !fits {
            lines.push(line.trim_end().to_string());
            line = String::new();
        }
        let piece = if line.is_empty() { piece.trim_start() } else { piece };
        for ch in piece.chars() {
            if width_of(&line) >= width && !ch.is_whitespace() {
                lines.push(std::mem::take(&mut line));
            }
            line.push(ch);
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Wraps prose to `width` columns: the first line starts with `first`, the
/// rest with `rest` (indents).
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let inner = width.saturating_sub(width_of(first).max(width_of(rest))).max(10);
    let mut out = String::new();
    for (i, line) in wrap_at(text, inner, &[' ']).iter().enumerate() {
        let indent = if i == 0 { first } else { rest };
        writeln!(out, "{indent}{line}").expect("string");
    }
    out
}

impl Grid {
    /// The grid as text fitted to `view.width`.
    fn fit(&self, view: &View) -> String {
        let width = view.width.max(40);
        let columns = self.header.len();
        let sep = 2;
        let cells_width = |c: usize| {
            self.rows.iter().map(|r| width_of(&r[c])).max().unwrap_or(0).max(if c < self.keys { 1 } else { 0 })
        };
        // Key columns: names longer than a quarter of the width wrap.
        let key_cap = (width / 4).max(12);
        let mut widths: Vec<usize> = (0..columns)
            .map(|c| {
                if c < self.keys {
                    cells_width(c).max(width_of(&self.header[c])).min(key_cap.max(width_of(&self.header[c])))
                } else {
                    cells_width(c).max(width_of(&self.header[c]))
                }
            })
            .collect();
        let total = |widths: &[usize]| widths.iter().sum::<usize>() + sep * widths.len().saturating_sub(1);
        let mut wrap_headers = false;
        if total(&widths) > width {
            // Wrap headers at `_`: a column is as wide as its widest cell
            // or its longest word.
            wrap_headers = true;
            for (c, w) in widths.iter_mut().enumerate().skip(self.keys) {
                let word = pieces(&self.header[c], &['_']).iter().map(|p| width_of(p)).max().unwrap_or(0);
                *w = cells_width(c).max(word);
            }
        }
        // Blocks of metric columns that fit beside the key columns.
        let key_width: usize = widths[..self.keys].iter().sum::<usize>() + sep * self.keys;
        let mut blocks: Vec<Vec<usize>> = vec![];
        let mut used = key_width;
        for (c, &w) in widths.iter().enumerate().skip(self.keys) {
            match blocks.last_mut() {
                Some(block) if used + w <= width => block.push(c),
                _ => {
                    blocks.push(vec![c]);
                    used = key_width;
                }
            }
            used += w + sep;
        }
        if blocks.is_empty() {
            blocks.push(vec![]);
        }
        let mut out = String::new();
        for (b, block) in blocks.iter().enumerate() {
            if b > 0 {
                out.push('\n');
            }
            let shown: Vec<usize> = (0..self.keys).chain(block.iter().copied()).collect();
            // Header lines.
            let heads: Vec<Vec<String>> = shown
                .iter()
                .map(|&c| {
                    if wrap_headers && c >= self.keys {
                        wrap_at(&self.header[c], widths[c], &['_'])
                    } else {
                        vec![self.header[c].clone()]
                    }
                })
                .collect();
            let height = heads.iter().map(Vec::len).max().unwrap_or(1);
            for line in 0..height {
                // Bottom-aligned header text.
                let parts: Vec<String> = shown
                    .iter()
                    .zip(&heads)
                    .map(|(&c, h)| {
                        let text = (line + h.len()).checked_sub(height).and_then(|i| h.get(i)).map_or("", |t| t);
                        let w = widths[c];
                        paint(
                            if c < self.keys { format!("{text:<w$}") } else { format!("{text:>w$}") },
                            BOLD,
                            view.colour,
                        )
                    })
                    .collect();
                writeln!(out, "{}", parts.join("  ").trim_end()).expect("string");
            }
            let rule: Vec<String> = shown.iter().map(|&c| "─".repeat(widths[c])).collect();
            writeln!(out, "{}", paint(rule.join("  "), DIM, view.colour)).expect("string");
            for (r, row) in self.rows.iter().enumerate() {
                let cells: Vec<Vec<String>> = shown
                    .iter()
                    .map(|&c| {
                        if width_of(&row[c]) <= widths[c] {
                            vec![row[c].clone()]
                        } else {
                            wrap_at(&row[c], widths[c], &[' ', '-', '_', '/', '.'])
                        }
                    })
                    .collect();
                let height = cells.iter().map(Vec::len).max().unwrap_or(1);
                for line in 0..height {
                    let parts: Vec<String> = shown
                        .iter()
                        .zip(&cells)
                        .map(|(&c, lines)| {
                            let text = lines.get(line).map_or("", String::as_str);
                            let w = widths[c];
                            if c < self.keys {
                                format!("{text:<w$}")
                            } else {
                                paint(format!("{text:>w$}"), GREEN, view.colour && self.best[r][c])
                            }
                        })
                        .collect();
                    let text = parts.join("  ");
                    writeln!(out, "{}", if view.colour { text } else { text.trim_end().to_string() }).expect("string");
                }
            }
        }
        out
    }
}

/// The table of `point` as text, with the [`HEADLINE`] metrics in 100
/// columns and no colour.
pub fn render(point: &PointStats) -> String {
    render_with(point, &View::default())
}

/// The table of `point` as text, drawn as `view` says.
pub fn render_with(point: &PointStats, view: &View) -> String {
    let columns = &view.metrics;
    let mut header = vec!["strategy".to_string()];
    header.extend(columns.iter().map(|&m| METRICS[m].key.to_string()));
    let best: Vec<Option<usize>> = columns.iter().map(|&m| point.best(m)).collect();
    let mut grid = Grid { header, rows: vec![], best: vec![], keys: 1 };
    for (i, s) in point.strategies.iter().enumerate() {
        let mut row = vec![s.name.clone()];
        row.extend(columns.iter().map(|&m| metric_cell(&METRICS[m], s.metrics[m].mean, s.metrics[m].ci95)));
        grid.rows.push(row);
        let mut marks = vec![false];
        marks.extend(best.iter().map(|b| *b == Some(i) && point.strategies.len() > 1));
        grid.best.push(marks);
    }
    let mut out = String::new();
    if !point.params.is_empty() {
        let params: Vec<String> = point.params.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        out += &wrap(&format!("point: {}", params.join(", ")), view.width, "", "  ");
    }
    out + &grid.fit(view)
}

/// Class metrics shown per customer class, in column order.
pub const CLASS_HEADLINE: &[&str] =
    &["fill_rate", "on_time_rate", "backorder_age_p95_days", "late_penalty_cost", "lost_sales_mean", "cancelled_mean"];

/// A row per (customer class, strategy) of `point` with the
/// [`CLASS_HEADLINE`] metrics, drawn as `view` says (its width and colour);
/// empty when the scenario has one class.
pub fn render_classes_with(point: &PointStats, classes: &[String], view: &View) -> String {
    if classes.len() < 2 {
        return String::new();
    }
    let columns: Vec<usize> =
        CLASS_HEADLINE.iter().filter_map(|k| CLASS_METRICS.iter().position(|m| m.key == *k)).collect();
    let mut header = vec!["class".to_string(), "strategy".to_string()];
    header.extend(columns.iter().map(|&m| CLASS_METRICS[m].key.to_string()));
    let mut grid = Grid { header, rows: vec![], best: vec![], keys: 2 };
    for (c, class) in classes.iter().enumerate() {
        for s in &point.strategies {
            let mut row = vec![class.clone(), s.name.clone()];
            row.extend(
                columns.iter().map(|&m| metric_cell(&CLASS_METRICS[m], s.classes[c][m].mean, s.classes[c][m].ci95)),
            );
            grid.best.push(vec![false; row.len()]);
            grid.rows.push(row);
        }
    }
    grid.fit(view)
}

/// A sweep as one table, drawn as `view` says: a row per (point,
/// strategy) with the swept values first; `*` marks the best strategy of
/// the point on each metric.
pub fn render_sweep_with(points: &[PointStats], view: &View) -> String {
    let columns = &view.metrics;
    let names: Vec<String> =
        points.first().map(|p| p.params.iter().map(|(path, _)| path.clone()).collect()).unwrap_or_default();
    let mut header = names.clone();
    header.push("strategy".into());
    header.extend(columns.iter().map(|&m| METRICS[m].key.to_string()));
    let keys = names.len() + 1;
    let mut grid = Grid { header, rows: vec![], best: vec![], keys };
    for point in points {
        let best: Vec<Option<usize>> = columns.iter().map(|&m| point.best(m)).collect();
        for (i, s) in point.strategies.iter().enumerate() {
            let mut row: Vec<String> = point.params.iter().map(|(_, v)| format!("{v}")).collect();
            row.push(s.name.clone());
            let mut marks = vec![false; keys];
            for (c, &m) in columns.iter().enumerate() {
                let is_best = best[c] == Some(i) && point.strategies.len() > 1;
                let mark = if is_best { " *" } else { "  " };
                row.push(metric_cell(&METRICS[m], s.metrics[m].mean, s.metrics[m].ci95) + mark);
                marks.push(is_best);
            }
            grid.rows.push(row);
            grid.best.push(marks);
        }
    }
    grid.fit(view) + "(* best mean at the point)\n"
}

/// One sentence about a comparison.
pub fn verdict(c: &Comparison) -> String {
    let def = &METRICS[metric_index(c.metric).expect("catalogue metric")];
    let (scale, unit) = match def.unit {
        "ratio" => (100.0, " points"),
        "minutes" if c.diff_mean.abs() >= DAY_MINUTES => (1.0 / DAY_MINUTES, " days"),
        "minutes" => (1.0, " minutes"),
        _ => (1.0, ""),
    };
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

/// The size of a comparison for ranking: the difference relative to the
/// larger of the two means — for a ratio where higher is better (a fill
/// rate), relative to the larger shortfall from 1, so 0.96 → 0.98 counts
/// as halving the shortfall — and 0 when that is 0 or undefined.
fn relative_size(point: &PointStats, c: &Comparison, m: usize) -> f64 {
    let mean = |name: &str| point.strategies.iter().find(|s| s.name == name).map_or(f64::NAN, |s| s.metrics[m].mean);
    let def = &METRICS[m];
    let gap = |v: f64| if def.unit == "ratio" && def.better == Better::Higher { 1.0 - v } else { v };
    let scale = gap(mean(&c.a)).abs().max(gap(mean(&c.b)).abs());
    let size = c.diff_mean.abs() / scale;
    if size.is_finite() { size } else { 0.0 }
}

/// The comparisons of `point` on `view.metrics`, ranked: significant ones
/// first, then by relative size (the difference over the larger mean, or
/// for a fill-rate-like ratio over the larger shortfall from 1), largest
/// first; ties keep the order of `point.comparisons`.
pub fn ranked(point: &PointStats, view: &View) -> Vec<Comparison> {
    let mut ranked: Vec<(bool, f64, &Comparison)> = point
        .comparisons
        .iter()
        .filter_map(|c| {
            let m = metric_index(c.metric)?;
            view.metrics.contains(&m).then(|| (c.significant || c.better.is_some(), relative_size(point, c, m), c))
        })
        .collect();
    ranked.sort_by(|x, y| y.0.cmp(&x.0).then(y.1.total_cmp(&x.1)));
    ranked.into_iter().map(|(_, _, c)| c.clone()).collect()
}

/// The verdict lines of `point` as printed under its table: [`ranked`],
/// wrapped to `view.width` (two spaces in, continuation four), at most
/// `view.max_verdicts` unless `view.verbose`, then a line saying how many
/// were left out.
pub fn verdict_lines(point: &PointStats, view: &View) -> String {
    let ranked = ranked(point, view);
    let shown = if view.verbose { ranked.len() } else { ranked.len().min(view.max_verdicts) };
    let mut out = String::new();
    for c in &ranked[..shown] {
        let text = wrap(&verdict(c), view.width, "  ", "    ");
        let quiet = !(c.significant || c.better.is_some());
        out += &if view.colour && quiet {
            text.lines().map(|l| format!("{DIM}{l}{RESET}\n")).collect::<String>()
        } else {
            text
        };
    }
    if shown < ranked.len() {
        out += &wrap(
            &format!(
                "… {} more (smaller or not significant): --verbose shows them; every comparison is in summary.json",
                ranked.len() - shown
            ),
            view.width,
            "  ",
            "    ",
        );
    }
    out
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
    fn wrapping_breaks_between_words_and_never_overflows() {
        let text = "Fallback(primary: ForecastOrderUpTo(forecast: Sba(alpha: 0.1)), fallback: MinMax(x: 1))";
        for width in [33, 40, 61] {
            let wrapped = wrap(text, width, "  ", "    ");
            assert!(wrapped.lines().all(|l| l.chars().count() <= width), "{width}:\n{wrapped}");
            assert_eq!(wrapped.split_whitespace().collect::<Vec<_>>().join(" "), text, "{width}");
        }
        assert_eq!(wrap_at("decision_latency_p95_min", 13, &['_']), ["decision_", "latency_p95_", "min"]);
    }

    #[test]
    fn latency_cells_read_in_days_from_one_day() {
        let def = &METRICS[metric_index("decision_latency_p95_min").unwrap()];
        assert_eq!(metric_cell(def, 8640.0, [8640.0, 8640.0]), "6.00 d ± 0.00");
        assert_eq!(metric_cell(def, 90.0, [80.0, 100.0]), "90.0 min ± 10.0");
        let c = comparison(-8640.0, [-8640.0, -8640.0], Some("B"), "decision_latency_p95_min");
        assert_eq!(verdict(&c), "B beats A on decision latency p95 min by 6.00 days [6.00, 6.00]");
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
