//! `report.html`: one self-contained page a reader can forward.
//!
//! # Contract
//!
//! The page holds everything inline — styles, charts (SVG), a few lines of
//! script — and refers to nothing outside itself, so it opens offline and
//! survives being mailed. All text from the scenario is HTML-escaped.
//!
//! Sections, in order: the scenario in brief; for a sweep, a point
//! selector; then one section per sweep point (`<section class="point"
//! data-point="k">`, its heading naming the point's parameter values),
//! each holding, for that point: the executive summary (a verdict per
//! headline metric, the service–cost Pareto set, strategies with
//! identical runs — see [`crate::decide`]), the strategy comparison (means
//! with 95% half-widths, paired verdicts), the cost breakdown, the
//! per-class table, the per-lane table (realised lead times), with per-SKU results (`scorecard: (per_sku: true)`)
//! the per-SKU view (the [`ABC_SERVICE`] metrics per ABC class and
//! strategy, as `summary.json`'s `abc`, and per strategy the [`TOP_SHORT`] SKU-locations
//! with the most units short, ranked as [`crate::skus`] says), the
//! disruption table, the point's charts and the
//! per-location table. For a sweep, then: the sweep table (every point),
//! a heatmap per headline metric over the first two swept parameters
//! (others at their first value; a small grid per strategy, the cells'
//! `data-value` the exact mean), the charts across points, and extra
//! charts (e.g. the tuner's frontier).
//!
//! The point selector is a `<select>`; its script shows one point's
//! section at a time. Without script every section shows, one after
//! another (small multiples).
//!
//! The inline check script, once the page has loaded, shows every section,
//! checks that every chart has a drawn, non-empty box and that no table is
//! wider than the page's column, restores the selection, and marks the
//! results on `<body data-chart-check>` (`ok N`, or `empty` and the charts'
//! ids) and `<body data-layout-check>` (`ok N` tables, or `overflow` and
//! the tables' ids), which the headless-browser test reads.

use crate::charts::Chart;
use crate::decide;
use crate::record::{RunRecord, StudyInfo};
use crate::report::{cost_components, point_label, point_of};
use crate::representative::Window;
use crate::skus;
use crate::stats::Estimate;
use crate::summary::{PointStats, StrategyStats};
use crate::table::{self, HEADLINE};
use echelon_sim::metrics::{Better, CLASS_METRICS, LANE_METRICS, METRICS, MetricDef, SKU_METRICS, metric_index};
use echelon_sim::model::ABC_CLASSES;
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
    /// The run records (for paired verdicts and identical runs).
    pub records: &'a [RunRecord],
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
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}h3{margin-top:1.6rem}\
table{border-collapse:collapse;margin:.8rem 0;font-size:.85rem}th,td{padding:.25rem .45rem;border-bottom:1px solid #eee;text-align:right;vertical-align:top}\
th{font-weight:600;max-width:7.5rem;overflow-wrap:anywhere}td{white-space:nowrap}th:first-child,td:first-child,td.name{text-align:left}thead th{border-bottom:2px solid #999}\
td.name{white-space:normal;max-width:12rem;overflow-wrap:break-word}th.name{text-align:left}.hw{display:block;font-size:.78em;color:#666}\
.best{font-weight:bold}.muted{color:#666}ul.verdicts li{margin:.2rem 0}figure{margin:1.4rem 0}\
figcaption{color:#555;font-size:.9rem}svg{max-width:100%;height:auto}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{color:#555}\
.selector{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #ddd;z-index:1}\
section.point>h2:first-child{background:#f4f6f8;padding:.4rem .6rem;border:none}.summary{background:#fafbfc;border-left:4px solid #0072b2;padding:.2rem 1rem}\
.heatmaps{display:flex;flex-wrap:wrap;gap:1rem}.heatmap td{color:#000;text-align:center}.heatmap td.dark{color:#fff}";

const SELECT: &str = "document.addEventListener('DOMContentLoaded',()=>{const s=document.getElementById('point-select');if(!s)return;\
const show=()=>document.querySelectorAll('section.point').forEach(p=>{p.hidden=p.dataset.point!==s.value;});\
s.addEventListener('change',show);show();});";

const CHECK: &str = "addEventListener('load',()=>{const ps=[...document.querySelectorAll('section.point')];const was=ps.map(p=>p.hidden);\
ps.forEach(p=>{p.hidden=false;});const s=[...document.querySelectorAll('figure svg')];\
const e=s.filter(v=>{const b=v.getBBox();return!(b.width>0&&b.height>0)||v.querySelectorAll('polyline,circle,path,line,rect,text').length<5;});\
const w=document.body.clientWidth-parseFloat(getComputedStyle(document.body).paddingLeft)-parseFloat(getComputedStyle(document.body).paddingRight);\
const t=[...document.querySelectorAll('table')];const o=t.filter(x=>x.getBoundingClientRect().width>w+1);\
ps.forEach((p,i)=>{p.hidden=was[i];});\
document.body.dataset.chartCheck=e.length===0?'ok '+s.length:'empty '+e.map(v=>v.closest('figure').id).join(',');\
document.body.dataset.layoutCheck=o.length===0?'ok '+t.length:'overflow '+o.map(x=>x.id).join(',');});";

/// The whole page.
pub fn render(page: &Page<'_>) -> String {
    let mut out = String::new();
    let title = escape(&page.info.scenario);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} — Echelon report</title>\
         <style>{STYLE}</style></head>\n<body data-chart-check=\"pending\" data-layout-check=\"pending\">\n<h1>{title}</h1>\n"
    );
    brief(&mut out, page);
    let sweep = page.stats.len() > 1;
    if sweep {
        selector(&mut out, page);
    }
    for (k, point) in page.stats.iter().enumerate() {
        let label = point_label(&point.params);
        let _ = writeln!(out, "<section class=\"point\" data-point=\"{k}\">");
        if sweep {
            let _ = writeln!(out, "<h2>Point {}: {}</h2>", k + 1, escape(&label));
        }
        let at = if sweep { format!(" — at {label}") } else { String::new() };
        let ctx = Ctx { page, point, k, at: escape(&at) };
        executive(&mut out, &ctx);
        comparison(&mut out, &ctx);
        costs(&mut out, &ctx);
        classes(&mut out, &ctx);
        lanes(&mut out, &ctx);
        per_sku(&mut out, &ctx);
        disruptions(&mut out, &ctx);
        let mine: Vec<&(Chart, String)> =
            page.charts.iter().filter(|(c, _)| point_of(&c.file, page.stats.len()) == Some(k)).collect();
        if !mine.is_empty() || page.note.is_some() {
            let _ = writeln!(out, "<h2>Charts{}</h2>", ctx.at);
            if let Some(note) = page.note {
                let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(note));
            }
            figures(&mut out, &mine);
        }
        nodes(&mut out, &ctx);
        let _ = writeln!(out, "</section>");
    }
    let across: Vec<&(Chart, String)> =
        page.charts.iter().filter(|(c, _)| point_of(&c.file, page.stats.len()).is_none()).collect();
    if sweep {
        sweep_section(&mut out, page);
    }
    if !across.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>", if sweep { "Charts across points" } else { "More charts" });
        figures(&mut out, &across);
    }
    let _ = write!(
        out,
        "<p class=\"muted\">Written by Echelon {}. Means over replications ± half-width of the 95% Student-t \
         interval; comparisons are paired by replication (common random numbers).</p>\n<script>{SELECT}{CHECK}</script>\n</body></html>\n",
        escape(page.version)
    );
    out
}

fn figures(out: &mut String, charts: &[&(Chart, String)]) {
    for (chart, svg) in charts {
        let _ = writeln!(
            out,
            "<figure id=\"{}\">{svg}<figcaption>charts/{}.svg</figcaption></figure>",
            escape(&chart.file),
            escape(&chart.file)
        );
    }
}

/// One point's section being written.
struct Ctx<'p, 'a> {
    page: &'p Page<'a>,
    point: &'p PointStats,
    k: usize,
    /// " — at <params>" for a sweep (escaped), "" without.
    at: String,
}

impl Ctx<'_, '_> {
    /// A table id unique in the page.
    fn id(&self, what: &str) -> String {
        format!("{what}-p{}", self.k)
    }
}

fn selector(out: &mut String, page: &Page<'_>) {
    let _ = write!(
        out,
        "<div class=\"selector\"><label for=\"point-select\"><b>Sweep point shown:</b></label> <select id=\"point-select\">"
    );
    for (k, point) in page.stats.iter().enumerate() {
        let _ = write!(out, "<option value=\"{k}\">{}: {}</option>", k + 1, escape(&point_label(&point.params)));
    }
    let _ = writeln!(
        out,
        "</select> <span class=\"muted\">(the sections below show this point; the sweep table, heatmaps and \
         charts across points are at the end)</span></div>"
    );
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
        let note = if info.points.len() > 1 { " (as written; each point's own windows are in its charts)" } else { "" };
        row("events", escape(&events.join("; ")) + note);
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

/// A table cell's content: the mean, its 95% half-width beneath.
fn cell_html(e: &Estimate) -> String {
    let text = table::cell(e.mean, e.ci95);
    match text.split_once(" ± ") {
        Some((mean, half)) => format!("{mean}<span class=\"hw\">± {half}</span>"),
        None => text,
    }
}

/// Headline cells; with `mark_best`, the point's best strategy in bold.
fn metric_cells(point: &PointStats, strategy: usize, estimates: &[Estimate], mark_best: bool) -> String {
    HEADLINE
        .iter()
        .map(|k| {
            let m = metric_index(k).expect("headline metrics are in the catalogue");
            let class = if mark_best && point.best(m) == Some(strategy) && point.strategies.len() > 1 {
                " class=\"best\""
            } else {
                ""
            };
            format!("<td{class}>{}</td>", cell_html(&estimates[m]))
        })
        .collect()
}

/// The executive summary of a point: verdicts, Pareto set, identical runs.
fn executive(out: &mut String, ctx: &Ctx<'_, '_>) {
    let (page, point) = (ctx.page, ctx.point);
    let _ = writeln!(out, "<h2>Executive summary{}</h2>\n<div class=\"summary\" id=\"{}\">", ctx.at, ctx.id("summary"));
    let _ = writeln!(out, "<ul class=\"verdicts\">");
    for line in decide::headline(point, page.records, ctx.k) {
        let _ = writeln!(out, "<li>{}</li>", escape(&line));
    }
    let _ = writeln!(out, "</ul>");
    if point.strategies.len() > 1 {
        let front = decide::pareto(point);
        let names = |set: &[usize]| set.iter().map(|&i| escape(&point.strategies[i].name)).collect::<Vec<_>>();
        let dominated: Vec<usize> = (0..point.strategies.len()).filter(|i| !front.contains(i)).collect();
        let _ = write!(
            out,
            "<p><b>Service–cost Pareto set</b> (fill rate against total cost; none of them is beaten on both by \
             another): {}.",
            if front.is_empty() { "none (undefined means)".into() } else { names(&front).join(", ") }
        );
        if !dominated.is_empty() {
            let _ = write!(out, " Dominated: {}.", names(&dominated).join(", "));
        }
        let _ = writeln!(out, "</p>");
        for group in decide::identical(page.records, point.strategies.len(), ctx.k) {
            let _ = writeln!(
                out,
                "<p class=\"identical\"><b>Identical runs:</b> {} produced identical results in every replication \
                 — the same rule under several names, or a setting that does not act in this scenario.</p>",
                names(&group).join(" and ")
            );
        }
    }
    let _ = writeln!(out, "</div>");
}

fn comparison(out: &mut String, ctx: &Ctx<'_, '_>) {
    let point = ctx.point;
    let _ = writeln!(out, "<h2>Strategy comparison{}</h2>", ctx.at);
    let _ = writeln!(out, "<table id=\"{}\">{}<tbody>", ctx.id("comparison"), header_row(&["strategy"]));
    for (i, s) in point.strategies.iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr><td class=\"name\">{}</td>{}</tr>",
            escape(&s.name),
            metric_cells(point, i, &s.metrics, true)
        );
    }
    let _ = writeln!(out, "</tbody></table><p class=\"muted\">Bold: the best mean.</p>");
    let _ = writeln!(out, "<ul class=\"verdicts\">");
    for line in table::verdicts(point) {
        let _ = writeln!(out, "<li>{}</li>", escape(&line));
    }
    let _ = writeln!(out, "</ul>");
}

/// Cost per day by component (rows) and strategy (columns): one row per
/// part of `total_cost`, so the table stays narrow however many parts the
/// catalogue has.
fn costs(out: &mut String, ctx: &Ctx<'_, '_>) {
    let point = ctx.point;
    let total = metric_index("total_cost").expect("catalogue metric");
    let _ = writeln!(out, "<h2>Cost breakdown{}</h2>", ctx.at);
    let heads: String =
        point.strategies.iter().map(|s| format!("<th class=\"name\">{}</th>", escape(&s.name))).collect();
    let _ = writeln!(out, "<table id=\"{}\"><thead><tr><th>cost</th>{heads}</tr></thead><tbody>", ctx.id("costs"));
    let row = |out: &mut String, label: &str, m: usize| {
        let cells: String = point.strategies.iter().map(|s| format!("<td>{}</td>", cell_html(&s.metrics[m]))).collect();
        let _ = writeln!(out, "<tr><td class=\"name\">{label}</td>{cells}</tr>");
    };
    for m in cost_components() {
        row(out, &METRICS[m].key.trim_end_matches("_cost").replace('_', " "), m);
    }
    row(out, "total", total);
    let _ = writeln!(
        out,
        "</tbody></table><p class=\"muted\">Currency per day, mean ± 95% half-width; the components add up to the total.</p>"
    );
}

/// Every class metric per customer class (with two classes or more).
fn classes(out: &mut String, ctx: &Ctx<'_, '_>) {
    if ctx.page.info.classes.len() >= 2 {
        let titles = ("Per customer class", "classes", "class");
        scope_table(out, ctx, titles, &ctx.page.info.classes, CLASS_METRICS, |s, c| &s.classes[c]);
    }
}

/// Every lane metric (realised lead time: mean and variance, shipments)
/// per lane, `<from>-><to>`.
fn lanes(out: &mut String, ctx: &Ctx<'_, '_>) {
    if !ctx.page.info.lanes.is_empty() {
        scope_table(out, ctx, ("Per lane", "lanes", "lane"), &ctx.page.info.lanes, LANE_METRICS, |s, l| &s.lanes[l]);
    }
}

/// A scope's metrics per member (rows: member, metric) and strategy
/// (columns), so the table stays narrow however many metrics the scope
/// has. `titles` are the heading, the table id and the member column's
/// name; `values(strategy, member)` the member's estimates in `defs` order.
fn scope_table(
    out: &mut String,
    ctx: &Ctx<'_, '_>,
    (heading, id, member): (&str, &str, &str),
    names: &[String],
    defs: &[MetricDef],
    values: fn(&StrategyStats, usize) -> &[Estimate],
) {
    let point = ctx.point;
    let _ = writeln!(out, "<h2>{heading}{}</h2>", ctx.at);
    let heads: String =
        point.strategies.iter().map(|s| format!("<th class=\"name\">{}</th>", escape(&s.name))).collect();
    let _ = writeln!(
        out,
        "<table id=\"{}\"><thead><tr><th>{member}</th><th>metric</th>{heads}</tr></thead><tbody>",
        ctx.id(id)
    );
    for (i, name) in names.iter().enumerate() {
        for (m, def) in defs.iter().enumerate() {
            let cells: String =
                point.strategies.iter().map(|s| format!("<td>{}</td>", cell_html(&values(s, i)[m]))).collect();
            let _ = writeln!(
                out,
                "<tr><td class=\"name\">{}</td><td class=\"name\">{}</td>{cells}</tr>",
                escape(name),
                def.key.replace('_', " ")
            );
        }
    }
    let _ = writeln!(out, "</tbody></table>");
}

/// How many SKU-locations the per-SKU view lists per strategy.
pub const TOP_SHORT: usize = 10;

/// The SKU metrics the per-ABC-class table shows: service and the demand
/// it is measured on (every SKU metric is in `summary.json`'s `abc`).
pub const ABC_SERVICE: [&str; 4] = ["fill_rate", "stockout_frequency", "demand_mean", "backorders_end_mean"];

/// Service per ABC class and the SKU-locations with the most units short,
/// per strategy (with per-SKU results).
fn per_sku(out: &mut String, ctx: &Ctx<'_, '_>) {
    let (page, point) = (ctx.page, ctx.point);
    if page.info.skus.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2>Per SKU{}</h2>\n<h3>Per ABC class</h3>", ctx.at);
    let columns: Vec<usize> =
        ABC_SERVICE.iter().map(|k| SKU_METRICS.iter().position(|m| m.key == *k).expect("SKU metrics")).collect();
    let heads: String = ABC_SERVICE.iter().map(|k| format!("<th>{}</th>", k.replace('_', " "))).collect();
    let _ = writeln!(
        out,
        "<table id=\"{}\"><thead><tr><th>class</th><th class=\"name\">strategy</th>{heads}</tr></thead><tbody>",
        ctx.id("abc")
    );
    for (c, class) in ABC_CLASSES.iter().enumerate() {
        for s in &point.strategies {
            let cells: String = columns.iter().map(|&m| format!("<td>{}</td>", cell_html(&s.abc[c][m]))).collect();
            let _ = writeln!(out, "<tr><td>{class}</td><td class=\"name\">{}</td>{cells}</tr>", escape(&s.name));
        }
    }
    let _ = writeln!(
        out,
        "</tbody></table><p class=\"muted\">A class's figures are sums over its SKU-locations (service over the \
         customer-facing ones); — for a class without SKUs; every SKU metric per class is in summary.json.</p>"
    );
    let _ = writeln!(out, "<h3>SKU-locations with the most units short</h3>");
    let _ = writeln!(
        out,
        "<table id=\"{}\"><thead><tr><th class=\"name\">strategy</th><th>location</th><th>SKU</th>\
         <th>units short per day</th><th>fill rate</th><th>demand mean</th></tr></thead><tbody>",
        ctx.id("short-skus")
    );
    for (i, s) in point.strategies.iter().enumerate() {
        for row in skus::most_short(page.info, page.records, ctx.k, i, TOP_SHORT) {
            let (location, sku) = &page.info.skus[row.sku];
            let _ = writeln!(
                out,
                "<tr><td class=\"name\">{}</td><td class=\"name\">{}</td><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&s.name),
                escape(location),
                escape(sku),
                cell_html(&row.units_short),
                cell_html(&row.fill_rate),
                cell_html(&row.demand)
            );
        }
    }
    let _ = writeln!(
        out,
        "</tbody></table><p class=\"muted\">Per strategy, the {TOP_SHORT} SKU-locations with the most units short \
         per day (demand mean × (1 − fill rate), mean over replications; every SKU-location in skus.csv).</p>"
    );
}

/// Units short, days to impact and days to recover per disruption and
/// strategy: timed events, then random outages (per window, averaged).
fn disruptions(out: &mut String, ctx: &Ctx<'_, '_>) {
    let (info, point) = (ctx.page.info, ctx.point);
    if info.events.is_empty() && info.random_outages.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2>Disruptions{}</h2>", ctx.at);
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
        "<table id=\"{}\"><thead><tr><th>event</th><th>strategy</th><th>windows</th><th>units short</th>\
         <th>time to impact (days)</th><th>recovery (days)</th></tr></thead><tbody>",
        ctx.id("disruptions")
    );
    for (e, name) in info.events.iter().enumerate() {
        for s in &point.strategies {
            let stats = &s.events[e];
            let _ = writeln!(
                out,
                "<tr><td class=\"name\">{}</td><td class=\"name\">{}</td><td>1</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                escape(&s.name),
                cell_html(&stats.units_short),
                cell_html(&stats.time_to_impact_days),
                cell_html(&stats.recovery_days)
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
                cell_html(&stats.windows),
                cell_html(&stats.units_short),
                cell_html(&stats.time_to_impact_days),
                cell_html(&stats.recovery_days)
            );
        }
    }
    let _ = writeln!(out, "</tbody></table>");
}

fn nodes(out: &mut String, ctx: &Ctx<'_, '_>) {
    let (page, point) = (ctx.page, ctx.point);
    let _ = writeln!(out, "<h2>Per location{}</h2>", ctx.at);
    let _ = writeln!(out, "<table id=\"{}\">{}<tbody>", ctx.id("locations"), header_row(&["location", "strategy"]));
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

/// The sweep table (every point) and the heatmaps.
fn sweep_section(out: &mut String, page: &Page<'_>) {
    let _ = writeln!(out, "<h2>Sweep: every point</h2>");
    let params: Vec<&str> = page.info.points[0].iter().map(|(p, _)| p.as_str()).collect();
    let mut first = params.clone();
    first.push("strategy");
    let _ = writeln!(out, "<table id=\"sweep\">{}<tbody>", header_row(&first));
    for point in page.stats {
        for (i, s) in point.strategies.iter().enumerate() {
            let values: String = point.params.iter().map(|(_, v)| format!("<td>{v}</td>")).collect();
            let _ = writeln!(
                out,
                "<tr>{values}<td class=\"name\">{}</td>{}</tr>",
                escape(&s.name),
                metric_cells(point, i, &s.metrics, true)
            );
        }
    }
    let _ = writeln!(
        out,
        "</tbody></table><p class=\"muted\">Bold: the best mean of its point. Paired comparisons at every point \
         are in each point's section and in summary.json.</p>"
    );
    heatmaps(out, page);
}

/// The distinct values of parameter `j` over the points, in first-seen
/// order.
fn values_of(stats: &[PointStats], j: usize) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for p in stats {
        let v = p.params[j].1;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// A heatmap per headline metric over the first two swept parameters.
fn heatmaps(out: &mut String, page: &Page<'_>) {
    let params = &page.info.points[0];
    if params.len() < 2 {
        return;
    }
    let (xs, ys) = (values_of(page.stats, 0), values_of(page.stats, 1));
    let base: Vec<f64> = params.iter().map(|(_, v)| *v).collect();
    let at = |x: f64, y: f64| {
        page.stats.iter().find(|p| {
            p.params.iter().enumerate().all(|(j, (_, v))| match j {
                0 => *v == x,
                1 => *v == y,
                _ => *v == base[j],
            })
        })
    };
    let others: Vec<String> = params.iter().skip(2).map(|(p, v)| format!("{p} = {v}")).collect();
    let _ = writeln!(
        out,
        "<h2>Heatmaps</h2><p class=\"muted\">Each headline metric's mean over {} (columns) × {} (rows){}, a grid \
         per strategy on one colour scale per metric: darker is better (for a metric with no better direction, \
         higher).</p>",
        escape(&params[0].0),
        escape(&params[1].0),
        if others.is_empty() { String::new() } else { format!(", {}", escape(&others.join(", "))) }
    );
    for key in HEADLINE {
        let m = metric_index(key).expect("catalogue metric");
        let cells: Vec<f64> = page
            .stats
            .iter()
            .flat_map(|p| p.strategies.iter().map(move |s| s.metrics[m].mean))
            .filter(|v| v.is_finite())
            .collect();
        let (lo, hi) = cells.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        let shade = |v: f64| -> f64 {
            if !v.is_finite() || hi <= lo {
                return 0.5;
            }
            let t = (v - lo) / (hi - lo);
            if METRICS[m].better == Better::Lower { 1.0 - t } else { t }
        };
        let _ = writeln!(out, "<h3>{} ({})</h3><div class=\"heatmaps\">", key.replace('_', " "), METRICS[m].unit);
        for (s, name) in page.info.strategies.iter().enumerate() {
            let _ = write!(
                out,
                "<table class=\"heatmap\" id=\"heatmap-{key}-{s}\"><caption>{}</caption><thead><tr><th></th>",
                escape(name)
            );
            for x in &xs {
                let _ = write!(out, "<th>{x}</th>");
            }
            let _ = write!(out, "</tr></thead><tbody>");
            for y in &ys {
                let _ = write!(out, "<tr><th>{y}</th>");
                for x in &xs {
                    match at(*x, *y) {
                        Some(p) => {
                            let v = p.strategies[s].metrics[m].mean;
                            let t = shade(v);
                            // White to Okabe–Ito blue.
                            let (r, g, b) =
                                ((255.0 - t * 255.0).round(), (255.0 - t * 141.0).round(), (255.0 - t * 77.0).round());
                            let dark = if t > 0.55 { " class=\"dark\"" } else { "" };
                            let _ = write!(
                                out,
                                "<td{dark} style=\"background:rgb({r},{g},{b})\" data-value=\"{v}\">{}</td>",
                                crate::charts::short_number(v)
                            );
                        }
                        None => {
                            let _ = write!(out, "<td></td>");
                        }
                    }
                }
                let _ = write!(out, "</tr>");
            }
            let _ = writeln!(out, "</tbody></table>");
        }
        let _ = writeln!(out, "</div>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_characters() {
        assert_eq!(escape("<a & \"b\" 'c'>"), "&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;");
    }
}
