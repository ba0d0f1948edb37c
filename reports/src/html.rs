//! `report.html`: one self-contained page a reader can forward.
//!
//! # Contract
//!
//! The page holds everything inline — styles, charts (SVG), a few lines of
//! script — and refers to nothing outside itself, so it opens offline and
//! survives being mailed. Sections, in order: the scenario in brief, the
//! strategy comparison (a table of means with 95% half-widths and the
//! paired verdicts; for sweeps the sweep table), the charts, the per-node
//! table. All text from the scenario is HTML-escaped.
//!
//! The inline script checks, once the page has loaded, that every chart has
//! a drawn, non-empty box and marks the result on `<body data-chart-check>`
//! (`ok N`, or `empty` and the charts' ids), which the headless-browser test
//! reads.

use crate::charts::Chart;
use crate::record::StudyInfo;
use crate::representative::Window;
use crate::summary::PointStats;
use crate::table::{self, HEADLINE};
use echelon_sim::metrics::{CLASS_METRICS, metric_index};
use std::fmt::Write;

/// What the page shows.
pub struct Page<'a> {
    /// The study.
    pub info: &'a StudyInfo,
    /// The scenario's description.
    pub description: &'a str,
    /// Disruption windows of the representative run.
    pub events: &'a [Window],
    /// Statistics per point.
    pub stats: &'a [PointStats],
    /// Charts with their SVG text.
    pub charts: &'a [(Chart, String)],
    /// A note shown above the charts (e.g. why some are absent).
    pub note: Option<&'a str>,
    /// Program version.
    pub version: &'a str,
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}\
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}\
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}th,td{padding:.3rem .6rem;border-bottom:1px solid #eee;text-align:right}\
td{white-space:nowrap}th:first-child,td:first-child,td.name{text-align:left}thead th{border-bottom:2px solid #999}\
.best{font-weight:bold}.muted{color:#666}ul.verdicts li{margin:.2rem 0}figure{margin:1.4rem 0}\
figcaption{color:#555;font-size:.9rem}svg{max-width:100%;height:auto}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{color:#555}";

const CHECK: &str = "addEventListener('load',()=>{const s=[...document.querySelectorAll('figure svg')];\
const e=s.filter(v=>{const b=v.getBBox();return!(b.width>0&&b.height>0)||v.querySelectorAll('polyline,circle,path,line,rect,text').length<5;});\
document.body.dataset.chartCheck=e.length===0?'ok '+s.length:'empty '+e.map(v=>v.closest('figure').id).join(',');});";

/// The whole page.
pub fn render(page: &Page<'_>) -> String {
    let mut out = String::new();
    let title = escape(&page.info.scenario);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} — Echelon report</title>\
         <style>{STYLE}</style></head>\n<body data-chart-check=\"pending\">\n<h1>{title}</h1>\n"
    );
    brief(&mut out, page);
    comparison(&mut out, page);
    classes(&mut out, page);
    disruptions(&mut out, page);
    let _ = writeln!(out, "<h2>Charts</h2>");
    if let Some(note) = page.note {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(note));
    }
    for (chart, svg) in page.charts {
        let _ = writeln!(
            out,
            "<figure id=\"{}\">{svg}<figcaption>charts/{}.svg</figcaption></figure>",
            escape(&chart.file),
            escape(&chart.file)
        );
    }
    nodes(&mut out, page);
    let _ = write!(
        out,
        "<p class=\"muted\">Written by Echelon {}. Means over replications ± half-width of the 95% Student-t \
         interval; comparisons are paired by replication (common random numbers).</p>\n<script>{CHECK}</script>\n</body></html>\n",
        escape(page.version)
    );
    out
}

fn brief(out: &mut String, page: &Page<'_>) {
    let info = page.info;
    if !page.description.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(page.description));
    }
    let _ = writeln!(out, "<dl>");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(out, "<dt>{k}</dt><dd>{v}</dd>");
    };
    let points = match info.points.len() {
        1 => String::new(),
        n => format!("{n} sweep points × "),
    };
    row(
        "runs",
        format!(
            "{points}{} strategies × {} replications; {} days each, the first {} warm-up; seed {}",
            info.strategies.len(),
            info.replications,
            info.horizon_days,
            info.warmup_days,
            info.seed
        ),
    );
    row("strategies", escape(&info.strategies.join(", ")));
    row("locations", escape(&info.nodes.join(", ")));
    if !page.events.is_empty() {
        let events: Vec<String> = page
            .events
            .iter()
            .map(|e| format!("{} (days {}–{})", e.name, e.start_day, e.end_day.saturating_sub(1)))
            .collect();
        row("events", escape(&events.join("; ")));
    }
    if info.points.len() > 1 {
        let swept: Vec<&str> = info.points[0].iter().map(|(p, _)| p.as_str()).collect();
        row("swept", escape(&swept.join(", ")));
    }
    let _ = writeln!(out, "</dl>");
}

fn header_row(first: &[&str]) -> String {
    let mut cells: Vec<String> = first.iter().map(|c| format!("<th>{}</th>", escape(c))).collect();
    cells.extend(HEADLINE.iter().map(|k| format!("<th>{}</th>", k.replace('_', " "))));
    format!("<thead><tr>{}</tr></thead>", cells.concat())
}

/// Headline cells; with `mark_best`, the point's best strategy in bold.
fn metric_cells(point: &PointStats, strategy: usize, estimates: &[crate::stats::Estimate], mark_best: bool) -> String {
    HEADLINE
        .iter()
        .map(|k| {
            let m = metric_index(k).expect("headline metrics are in the catalogue");
            let class = if mark_best && point.best(m) == Some(strategy) && point.strategies.len() > 1 {
                " class=\"best\""
            } else {
                ""
            };
            format!("<td{class}>{}</td>", table::cell(estimates[m].mean, estimates[m].ci95))
        })
        .collect()
}

fn comparison(out: &mut String, page: &Page<'_>) {
    let _ = writeln!(out, "<h2>Strategy comparison</h2>");
    let sweep = page.stats.len() > 1;
    let params: Vec<&str> = page.info.points[0].iter().map(|(p, _)| p.as_str()).collect();
    let mut first: Vec<&str> = if sweep { params.clone() } else { Vec::new() };
    first.push("strategy");
    let _ = writeln!(out, "<table>{}<tbody>", header_row(&first));
    for point in page.stats {
        for (i, s) in point.strategies.iter().enumerate() {
            let values: String = point.params.iter().map(|(_, v)| format!("<td>{v}</td>")).collect();
            let _ = writeln!(
                out,
                "<tr>{}<td class=\"name\">{}</td>{}</tr>",
                if sweep { values } else { String::new() },
                escape(&s.name),
                metric_cells(point, i, &s.metrics, true)
            );
        }
    }
    let _ = writeln!(out, "</tbody></table><p class=\"muted\">Bold: the best mean of its point.</p>");
    if let [point] = page.stats {
        let _ = writeln!(out, "<ul class=\"verdicts\">");
        for line in table::verdicts(point) {
            let _ = writeln!(out, "<li>{}</li>", escape(&line));
        }
        let _ = writeln!(out, "</ul>");
    } else {
        let _ = writeln!(out, "<p class=\"muted\">Paired comparisons at every point are in summary.json.</p>");
    }
}

/// Every class metric per customer class and strategy (with two classes or
/// more).
fn classes(out: &mut String, page: &Page<'_>) {
    let Some(point) = page.stats.first().filter(|_| page.info.classes.len() > 1) else { return };
    let _ =
        writeln!(out, "<h2>Per customer class{}</h2>", if page.stats.len() > 1 { " (first sweep point)" } else { "" });
    let heads: String = CLASS_METRICS.iter().map(|m| format!("<th>{}</th>", m.key.replace('_', " "))).collect();
    let _ = writeln!(out, "<table><thead><tr><th>class</th><th>strategy</th>{heads}</tr></thead><tbody>");
    for (c, class) in page.info.classes.iter().enumerate() {
        for s in &point.strategies {
            let cells: String =
                s.classes[c].iter().map(|e| format!("<td>{}</td>", table::cell(e.mean, e.ci95))).collect();
            let _ = writeln!(
                out,
                "<tr><td class=\"name\">{}</td><td class=\"name\">{}</td>{cells}</tr>",
                escape(class),
                escape(&s.name)
            );
        }
    }
    let _ = writeln!(out, "</tbody></table>");
}

/// Units short, days to impact and days to recover per disruption and
/// strategy: timed events, then random outages (per window, averaged).
fn disruptions(out: &mut String, page: &Page<'_>) {
    let info = page.info;
    let any = !(info.events.is_empty() && info.random_outages.is_empty());
    let Some(point) = page.stats.first().filter(|_| any) else { return };
    let _ = writeln!(out, "<h2>Disruptions{}</h2>", if page.stats.len() > 1 { " (first sweep point)" } else { "" });
    let _ = writeln!(
        out,
        "<p class=\"muted\">Impact: from the event's start until service recovers, however late the shortage \
         reaches customers. Units short: shortfall against the fill rate of the 28 days before the event. Time to \
         impact: days from its start until the 7-day fill rate first fell more than 1 point below that level \
         (empty when it never did). Recovery: days from the impact until that rate is back within 1 point and \
         the event is over. Random outages: per replication, the number of down periods and the mean per \
         window.</p>"
    );
    let _ = writeln!(
        out,
        "<table><thead><tr><th>event</th><th>strategy</th><th>windows</th><th>units short</th>\
         <th>time to impact (days)</th><th>recovery (days)</th></tr></thead><tbody>"
    );
    let cell = |e: &crate::stats::Estimate| table::cell(e.mean, e.ci95);
    for (e, name) in info.events.iter().enumerate() {
        for s in &point.strategies {
            let stats = &s.events[e];
            let _ = writeln!(
                out,
                "<tr><td class=\"name\">{}</td><td class=\"name\">{}</td><td>1</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                escape(&s.name),
                cell(&stats.units_short),
                cell(&stats.time_to_impact_days),
                cell(&stats.recovery_days)
            );
        }
    }
    for (o, name) in info.random_outages.iter().enumerate() {
        for s in &point.strategies {
            let stats = &s.random_outages[o];
            let _ = writeln!(
                out,
                "<tr><td class=\"name\">{} (random)</td><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                escape(&s.name),
                cell(&stats.windows),
                cell(&stats.units_short),
                cell(&stats.time_to_impact_days),
                cell(&stats.recovery_days)
            );
        }
    }
    let _ = writeln!(out, "</tbody></table>");
}

fn nodes(out: &mut String, page: &Page<'_>) {
    let Some(point) = page.stats.first() else { return };
    let _ = writeln!(out, "<h2>Per location{}</h2>", if page.stats.len() > 1 { " (first sweep point)" } else { "" });
    let _ = writeln!(out, "<table>{}<tbody>", header_row(&["location", "strategy"]));
    for (n, node) in page.info.nodes.iter().enumerate() {
        for (i, s) in point.strategies.iter().enumerate() {
            let _ = writeln!(
                out,
                "<tr><td class=\"name\">{}</td><td class=\"name\">{}</td>{}</tr>",
                escape(node),
                escape(&s.name),
                metric_cells(point, i, &s.nodes[n], false)
            );
        }
    }
    let _ = writeln!(out, "</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_characters() {
        assert_eq!(escape("<a & \"b\" 'c'>"), "&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;");
    }
}
