//! What `echelon tune` writes, and the whole command as a library call.
//!
//! Into the output directory:
//! * `levels.csv` — `location,sku,strategy,parameter,value`, one row per
//!   tuned level per SKU-location (strategy = the tuned strategy's name);
//! * `tuned.ron` — the scenario with, after its own strategies, one
//!   strategy `"<name> tuned"` per tuned strategy whose levels are
//!   `Table(file: "levels.csv", …)` (number parameters written in place);
//!   runnable as it is (`echelon run tuned.ron`); its `tune:` section is
//!   dropped and relative paths are made absolute;
//! * `tune.json` — per tuned strategy and SKU-location: the chosen and the
//!   hand-set values, objective and constraint estimates over the search
//!   replications with 95% intervals, evaluations spent; the replications
//!   searched and those of the comparison; `short`; the frontier (per
//!   service target and tuned strategy, on fresh replications; the chart
//!   `tuned-frontier` is added to `comparison/report.html`);
//! * `comparison/` — `echelon run tuned.ron` on the scenario's own
//!   replications `0 … n − 1`, never seen by the search: summary, runs,
//!   report (whose verdicts compare every strategy with the first);
//! * `tune.json` `paired` — per tuned strategy, tuned vs its hand-set
//!   original paired by replication on those fresh replications ([`Paired`]).
//!
//! A constraint that no candidate within the bounds meets is an input
//! error (exit 2): `tune.json` is still written, and the message names the
//! SKU-location, the best infeasible candidate and the highest value of the
//! constrained metric it reached.

use super::probe::SkuTally;
use super::spec::{ParamKind, Plan};
use super::{SEARCH_REPLICATION_BASE, SkuLocation, Tuned, metric, sku_locations, tune_strategy};
use crate::output;
use crate::runlog::Header;
use crate::runner;
use crate::scenario::Scenario;
use crate::scenario::file::{ScenarioFile, StrategyFile};
use crate::study::Study;
use echelon_reports::charts::{Chart, Datum, Series};
use echelon_reports::record::RunRecord;
use echelon_reports::stats::Estimate;
use echelon_reports::summary::{Comparison, PointStats, compare_pair};
use echelon_reports::table::{self, HEADLINE};
use echelon_sim::metrics::metric_index;
use echelon_strategies::level::Level;
use echelon_strategies::registry::Registry;
use echelon_strategies::tunable;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Why tuning stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum TuneError {
    /// The scenario has no `tune:` section, or the search hit an invalid
    /// candidate (exit 2).
    Input(String),
    /// A constraint cannot be met within the bounds (exit 2).
    Infeasible(String),
    /// Files could not be written (exit 3).
    Io(String),
}

/// The name of the tuned copy of strategy `name`.
pub fn tuned_name(name: &str) -> String {
    format!("{name} tuned")
}

/// What `tune` produced.
#[non_exhaustive]
pub struct TuneOutcome {
    /// Per tuned strategy.
    pub tuned: Vec<Tuned>,
    /// `levels.csv` text.
    pub levels_csv: String,
    /// `tune.json` text.
    pub tune_json: String,
    /// `tuned.ron` text.
    pub tuned_ron: String,
    /// The comparison on fresh replications, when it ran.
    pub comparison: Option<output::Rendered>,
    /// Tuned against hand-set, per tuned strategy, on the fresh replications.
    pub paired: Vec<Paired>,
    /// SKU-locations short of a constraint at the joint tuned levels
    /// although their search met it (listed in `tune.json` `short`).
    pub short: usize,
}

fn estimate(values: impl IntoIterator<Item = f64>) -> Value {
    let e = Estimate::of(values);
    let num = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
    json!({ "mean": num(e.mean), "ci95": [num(e.ci95[0]), num(e.ci95[1])], "n": e.n })
}

/// `levels.csv` of the tuned strategies.
pub fn levels_csv(scenario: &Scenario, sls: &[SkuLocation], tuned: &[Tuned]) -> String {
    let mut out = String::from("location,sku,strategy,parameter,value\n");
    let field =
        |s: &str| if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() };
    for t in tuned {
        let name = tuned_name(&t.plan.name);
        for (i, sl) in sls.iter().enumerate() {
            for (p, param) in t.plan.params.iter().enumerate() {
                if param.kind == ParamKind::Level {
                    out += &format!(
                        "{},{},{},{},{}\n",
                        field(&scenario.model.nodes[sl.node].id),
                        field(&scenario.model.skus[sl.sku].id),
                        field(&name),
                        param.name,
                        t.values[i][p]
                    );
                }
            }
        }
    }
    out
}

fn absolute(scenario: &Path, relative: &str) -> String {
    let dir = scenario.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let joined = dir.join(relative);
    std::fs::canonicalize(&joined).unwrap_or(joined).display().to_string()
}

/// `tuned.ron`: the scenario plus one tuned strategy per tuned strategy.
pub fn tuned_file(scenario: &Scenario, tuned: &[Tuned]) -> ScenarioFile {
    let mut file: ScenarioFile = scenario.file.clone();
    file.tune = None;
    if let Some(history) = &mut file.history {
        history.file = absolute(&scenario.path, &history.file);
    }
    for strategy in &mut file.strategies {
        let mut specs = vec![&mut strategy.replenishment];
        specs.extend(strategy.at.values_mut());
        for spec in specs {
            for (_, level) in tunable::levels_mut(spec) {
                if let Level::Table { file: csv, .. } = level {
                    *csv = absolute(&scenario.path, csv);
                }
            }
        }
    }
    for t in tuned {
        let original = &scenario.file.strategies[t.plan.index];
        let name = tuned_name(&t.plan.name);
        // Number parameters are one value per group, and `Global` groups are
        // per echelon level: a DC and its stores may hold different values.
        // Each node's values are those of its SKU-locations (one group per
        // node); the base spec takes the first stocked node's, and every
        // node whose values differ gets its own `at` entry.
        let numbers = |v: &[i64]| -> Vec<i64> {
            t.plan.params.iter().enumerate().filter(|(_, q)| q.kind == ParamKind::Number).map(|(p, _)| v[p]).collect()
        };
        let mut node_values: Vec<Option<&[i64]>> = Vec::with_capacity(scenario.model.nodes.len());
        let mut first = 0;
        for node in &scenario.model.nodes {
            node_values.push(t.values.get(first).filter(|_| !node.skus.is_empty()).map(Vec::as_slice));
            first += node.skus.len();
        }
        let base = t.values.first().map(Vec::as_slice);
        let retune = |spec: &mut echelon_strategies::registry::ReplenishmentSpec, values: Option<&[i64]>| {
            for (p, param) in t.plan.params.iter().enumerate() {
                match param.kind {
                    ParamKind::Level => {
                        if let Some(level) = tunable::level_mut(spec, &param.name) {
                            *level = Level::Table {
                                file: "levels.csv".into(),
                                parameter: param.name.clone(),
                                strategy: Some(name.clone()),
                                values: None,
                            };
                        }
                    }
                    ParamKind::Number => {
                        if let (Some(number), Some(v)) = (tunable::number_mut(spec, &param.name), values) {
                            *number = param.value(v[p]);
                        }
                    }
                }
            }
        };
        let mut strategy: StrategyFile = original.clone();
        strategy.name = name.clone();
        retune(&mut strategy.replenishment, base);
        for (n, node) in scenario.model.nodes.iter().enumerate() {
            let own = node_values[n].or(base);
            if let Some(spec) = strategy.at.get_mut(&node.id) {
                retune(spec, own);
            } else if let (Some(own), Some(base)) = (own, base)
                && numbers(own) != numbers(base)
            {
                let mut spec = original.replenishment.clone();
                retune(&mut spec, Some(own));
                strategy.at.insert(node.id.clone(), spec);
            }
        }
        // Keep Table paths of untuned parameters absolute, as above.
        let mut specs = vec![&mut strategy.replenishment];
        specs.extend(strategy.at.values_mut());
        for spec in specs {
            for (_, level) in tunable::levels_mut(spec) {
                if let Level::Table { file: csv, .. } = level
                    && csv != "levels.csv"
                {
                    *csv = absolute(&scenario.path, csv);
                }
            }
        }
        file.strategies.push(strategy);
    }
    file
}

fn per_rep(runs: &[Vec<SkuTally>], i: usize, f: impl Fn(&SkuTally) -> f64) -> Vec<f64> {
    runs.iter().map(|run| f(&run[i])).collect()
}

/// The `tune.json` entry of one tuned strategy.
fn strategy_json(scenario: &Scenario, plan: &Plan, sls: &[SkuLocation], t: &Tuned) -> Value {
    let rows: Vec<Value> = sls
        .iter()
        .enumerate()
        .map(|(i, sl)| {
            let named = |v: &[i64]| -> Value {
                t.plan
                    .params
                    .iter()
                    .enumerate()
                    .map(|(p, param)| (param.name.clone(), json!(param.value(v[p]))))
                    .collect()
            };
            let cost = if plan.total_cost {
                per_rep(&t.runs, i, SkuTally::total_cost)
            } else {
                per_rep(&t.runs, i, SkuTally::operating_cost)
            };
            let constraints: Value = plan
                .constraints
                .iter()
                .map(|c| (c.metric.key().to_string(), estimate(per_rep(&t.runs, i, |r| metric(c.metric, &[r])))))
                .collect();
            json!({
                "location": scenario.model.nodes[sl.node].id,
                "sku": scenario.model.skus[sl.sku].id,
                "abc": sl.abc.to_string(),
                "values": named(&t.values[i]),
                "hand_set": named(&t.start[i]),
                "objective": estimate(cost),
                "constraints": constraints,
                "feasible": t.scores[t.group[i]].violation <= 0.0,
                "evaluations": t.evaluations[i],
            })
        })
        .collect();
    json!({
        "name": t.plan.name,
        "tuned_name": tuned_name(&t.plan.name),
        "simulation_rounds": t.rounds,
        "groups": t.scores.len(),
        "sku_locations": rows,
    })
}

/// The customer-facing SKU-locations of `t` short of a constraint at the
/// joint final point although their group's walk had met it (see
/// [`super`]'s "Networks"): location, SKU, values and what was reached.
fn shortfalls(scenario: &Scenario, plan: &Plan, sls: &[SkuLocation], t: &Tuned) -> Vec<Value> {
    let pooled = super::pool(&t.runs);
    (0..sls.len())
        .filter(|&i| {
            let g = t.group[i];
            t.scores[g].violation > 0.0 && t.found_feasible[g] && sls[i].customer
        })
        .filter_map(|i| {
            let reached: serde_json::Map<String, Value> = plan
                .constraints
                .iter()
                .filter(|c| {
                    let v = metric(c.metric, &[&pooled[i]]);
                    !v.is_nan() && if c.at_least { v < c.target } else { v > c.target }
                })
                .map(|c| (c.metric.key().to_string(), json!(metric(c.metric, &[&pooled[i]]))))
                .collect();
            (!reached.is_empty()).then(|| {
                json!({
                    "strategy": t.plan.name,
                    "location": scenario.model.nodes[sls[i].node].id,
                    "sku": scenario.model.skus[sls[i].sku].id,
                    "reached": reached,
                })
            })
        })
        .collect()
}

/// The first infeasible group of `t` (one whose walk never met the
/// constraints), described.
fn infeasibility(scenario: &Scenario, plan: &Plan, sls: &[SkuLocation], t: &Tuned) -> Option<String> {
    let i = (0..sls.len()).find(|&i| t.scores[t.group[i]].violation > 0.0 && !t.found_feasible[t.group[i]])?;
    let sl = &sls[i];
    let pooled = super::pool(&t.runs);
    let values: Vec<String> = t
        .plan
        .params
        .iter()
        .enumerate()
        .map(|(p, param)| format!("{} = {}", param.name, param.value(t.values[i][p])))
        .collect();
    let at_upper = t.plan.params.iter().enumerate().all(|(p, param)| t.values[i][p] == param.max);
    let reached: Vec<String> = plan
        .constraints
        .iter()
        .map(|c| {
            let scope: Vec<&SkuTally> = sl.scope.iter().filter(|&&j| sls[j].customer).map(|&j| &pooled[j]).collect();
            format!(
                "{} {} {} (reached {:.4})",
                c.metric.key(),
                if c.at_least { "≥" } else { "≤" },
                c.target,
                metric(c.metric, &scope)
            )
        })
        .collect();
    let what = if at_upper {
        "is not reachable: the highest reachable value within the bounds is the one reached at the upper bounds; lower the target or raise max"
    } else {
        "is not met by any value within the bounds; widen min/max"
    };
    Some(format!(
        "strategy \"{}\", SKU \"{}\" at \"{}\": {} {what}. Best infeasible candidate: {}",
        t.plan.name,
        scenario.model.skus[sl.sku].id,
        scenario.model.nodes[sl.node].id,
        reached.join(", "),
        values.join(", ")
    ))
}

/// One point of the frontier: a policy family tuned at one service target
/// (or hand-set), measured on the fresh replications.
struct FrontierPoint {
    target: Option<f64>,
    family: usize,
    feasible: bool,
    objective: Estimate,
    fill: Estimate,
    total_cost: Estimate,
    holding: Estimate,
}

/// The estimate of `f` over the fresh runs of strategy `name`.
fn over_runs(fresh: &Fresh, name: &str, f: impl Fn(&RunRecord) -> f64) -> Option<Estimate> {
    let s = fresh.header.study.strategies.iter().position(|n| n == name)?;
    Some(Estimate::of(fresh.records.iter().filter(|r| r.point == 0 && r.strategy == s).map(f)))
}

fn network(key: &str) -> impl Fn(&RunRecord) -> f64 + '_ {
    move |r: &RunRecord| metric_index(key).map_or(f64::NAN, |k| r.network[k])
}

/// The frontier: per service target (in the order given), every strategy
/// re-tuned with the constraint's target replaced, written to
/// `dir/frontier-<target>/` and run on the fresh replications; then the
/// hand-set strategies once (from the comparison `base`). Returns the
/// `tune.json` entry and the chart for `report.html`.
fn frontier(
    scenario: &Scenario,
    plan: &Plan,
    sls: &[SkuLocation],
    threads: usize,
    dir: &Path,
    base: &Fresh,
) -> Result<(Value, Chart), TuneError> {
    let mut points = Vec::new();
    for &target in &plan.service_targets {
        let mut at_target = plan.clone();
        at_target.constraints[0].target = target;
        let mut tuned = Vec::new();
        for which in 0..plan.strategies.len() {
            tuned.push(tune_strategy(scenario, &at_target, which, sls).map_err(TuneError::Input)?);
        }
        let sub = dir.join(format!("frontier-{target}"));
        let (_, file) = write_tuned(scenario, sls, &tuned, &sub)?;
        let fresh = compare(&file, threads, &scenario.registry)?;
        for (family, t) in tuned.iter().enumerate() {
            let name = tuned_name(&t.plan.name);
            let est = |f: &dyn Fn(&RunRecord) -> f64| over_runs(&fresh, &name, f);
            let (Some(objective), Some(fill), Some(total_cost), Some(holding)) = (
                est(&|r| objective_of(plan, r)),
                est(&network("fill_rate")),
                est(&network("total_cost")),
                est(&network("holding_cost")),
            ) else {
                continue;
            };
            let feasible = t.scores.iter().zip(&t.found_feasible).all(|(s, f)| s.violation <= 0.0 || *f);
            points.push(FrontierPoint { target: Some(target), family, feasible, objective, fill, total_cost, holding });
        }
    }
    for (family, sp) in plan.strategies.iter().enumerate() {
        let est = |f: &dyn Fn(&RunRecord) -> f64| over_runs(base, &sp.name, f);
        if let (Some(objective), Some(fill), Some(total_cost), Some(holding)) = (
            est(&|r| objective_of(plan, r)),
            est(&network("fill_rate")),
            est(&network("total_cost")),
            est(&network("holding_cost")),
        ) {
            points.push(FrontierPoint { target: None, family, feasible: true, objective, fill, total_cost, holding });
        }
    }
    let e = |e: &Estimate| {
        let num = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
        json!({ "mean": num(e.mean), "ci95": [num(e.ci95[0]), num(e.ci95[1])] })
    };
    let json = points
        .iter()
        .map(|p| {
            let name = &plan.strategies[p.family].name;
            json!({
                "target": p.target,
                "strategy": match p.target { Some(_) => tuned_name(name), None => name.clone() },
                "family": name,
                "tuned": p.target.is_some(),
                "search_feasible": p.feasible,
                "objective": e(&p.objective),
                "fill_rate": e(&p.fill),
                "total_cost": e(&p.total_cost),
                "holding_cost": e(&p.holding),
            })
        })
        .collect();
    Ok((Value::Array(json), frontier_chart(plan, scenario.file.strategies.len(), &points)))
}

/// Cost (the objective) against fill rate: a line per tuned family through
/// its service targets in increasing order, the hand-set policies as
/// markers, 95% intervals on both axes; each in its colour in the
/// comparison's other charts (strategies of `tuned.ron` in order: the
/// scenario's `strategies` ones, then the tuned ones).
fn frontier_chart(plan: &Plan, strategies: usize, points: &[FrontierPoint]) -> Chart {
    let interval = |e: &Estimate| (e.n > 1 && e.ci95[0].is_finite()).then_some((e.ci95[0], e.ci95[1]));
    let datum = |p: &FrontierPoint| Datum {
        x: p.fill.mean,
        y: p.objective.mean,
        x_interval: interval(&p.fill),
        y_interval: interval(&p.objective),
    };
    let mut series = Vec::new();
    for (family, sp) in plan.strategies.iter().enumerate() {
        let mut tuned: Vec<&FrontierPoint> =
            points.iter().filter(|p| p.family == family && p.target.is_some()).collect();
        tuned.sort_by(|a, b| a.target.unwrap_or(0.0).total_cmp(&b.target.unwrap_or(0.0)));
        series.push(Series {
            name: tuned_name(&sp.name),
            data: tuned.iter().map(|p| datum(p)).collect(),
            line: true,
            markers: true,
            bar_width: None,
            colour: strategies + family,
            area: false,
        });
        if let Some(hand) = points.iter().find(|p| p.family == family && p.target.is_none()) {
            series.push(Series {
                name: format!("{} (hand-set)", sp.name),
                data: vec![datum(hand)],
                line: false,
                markers: true,
                bar_width: None,
                colour: sp.index,
                area: false,
            });
        }
    }
    let targets: Vec<String> = plan.service_targets.iter().map(|t| t.to_string()).collect();
    Chart {
        file: "tuned-frontier".into(),
        title: format!(
            "Cost against fill rate, tuned at each {} target {} (fresh replications, mean, 95% CI)",
            plan.constraints.first().map_or("", |c| c.metric.key()),
            targets.join(", ")
        ),
        x_label: "fill rate (ratio)".into(),
        y_label: if plan.total_cost {
            "total cost (currency/day)".into()
        } else {
            "holding + ordering + transport (currency/day)".into()
        },
        series,
        bands: Vec::new(),
        categories: None,
        panels: false,
        log_x: false,
    }
}

/// Writes `levels.csv` and `tuned.ron` into `dir`; returns their text and
/// the path of `tuned.ron`.
fn write_tuned(
    scenario: &Scenario,
    sls: &[SkuLocation],
    tuned: &[Tuned],
    dir: &Path,
) -> Result<((String, String), PathBuf), TuneError> {
    let io = |e: std::io::Error| TuneError::Io(format!("{}: cannot write results: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let csv = levels_csv(scenario, sls, tuned);
    let file = tuned_file(scenario, tuned);
    let ron = ron::ser::to_string_pretty(&file, ron::ser::PrettyConfig::default())
        .map_err(|e| TuneError::Io(format!("cannot write tuned.ron: {e}")))?;
    let ron = format!(
        "// Written by `echelon tune {}`: the scenario's strategies plus the tuned ones, whose levels\n// are read from levels.csv. Run it as it is: echelon run tuned.ron\n{ron}\n",
        scenario.path.display()
    );
    output::write_atomic(&dir.join("levels.csv"), csv.as_bytes()).map_err(io)?;
    let path = dir.join("tuned.ron");
    output::write_atomic(&path, ron.as_bytes()).map_err(io)?;
    Ok(((csv, ron), path))
}

/// Loads `tuned.ron` and runs it (fresh replications 0 … n − 1); returns
/// the statistics of its one point.
fn compare(path: &Path, threads: usize, registry: &std::sync::Arc<Registry>) -> Result<Fresh, TuneError> {
    let fresh = compare_rendered(path, threads, registry)?;
    if fresh.rendered.stats.is_empty() {
        return Err(TuneError::Input("the comparison produced no results".into()));
    }
    Ok(fresh)
}

/// The comparison of `tuned.ron` on fresh replications.
struct Fresh {
    rendered: output::Rendered,
    header: Header,
    timing: crate::runner::Timing,
    representative: echelon_reports::representative::Representative,
    records: Vec<RunRecord>,
}

impl Fresh {
    fn point(&self) -> &PointStats {
        &self.rendered.stats[0]
    }
}

fn compare_rendered(path: &Path, threads: usize, registry: &std::sync::Arc<Registry>) -> Result<Fresh, TuneError> {
    let scenario = Scenario::load_in(path, Default::default(), registry)
        .map_err(|e| TuneError::Input(format!("the written tuned.ron does not load: {e}")))?;
    let source = scenario.source.clone();
    let study = Study::new(scenario).map_err(|e| TuneError::Input(e.to_string()))?;
    let outcome = runner::execute(&study, threads);
    let header = Header::new(&study.info(), &source, None);
    if let Some(failure) = &outcome.failure {
        return Err(TuneError::Input(failure.to_string()));
    }
    let mut representative =
        runner::representative(&study, &outcome.traces).map_err(|f| TuneError::Input(f.to_string()))?;
    representative.series = outcome.series.clone();
    let rendered = output::render(&header, &outcome.records, Some(&outcome.timing), Some(&representative));
    let mut records = outcome.records;
    records.sort_by_key(|r| (r.point, r.strategy, r.replication));
    Ok(Fresh { rendered, header, timing: outcome.timing, representative, records })
}

/// The metrics a tuned-vs-hand-set comparison reports, beside the objective.
pub const PAIRED_METRICS: &[&str] = &[
    "fill_rate",
    "cycle_service",
    "ready_rate",
    "lost_sales_mean",
    "backorders_end_mean",
    "holding_cost",
    "ordering_cost",
    "transport_cost",
    "shortage_cost",
    "total_cost",
    "inventory_value_end_mean",
    "turns",
];

/// Which of a pair is no worse on both cost (the objective) and fill rate,
/// and strictly better on one (means over the fresh replications).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dominance {
    /// The tuned strategy dominates.
    Tuned,
    /// The hand-set strategy dominates.
    HandSet,
    /// Each is better on one of the two.
    Neither,
}

impl Dominance {
    fn key(self) -> &'static str {
        match self {
            Self::Tuned => "tuned",
            Self::HandSet => "hand-set",
            Self::Neither => "neither",
        }
    }
}

/// A tuned strategy against its hand-set original, paired by replication
/// on the fresh replications of the comparison (never seen by the search).
#[derive(Debug, Clone)]
pub struct Paired {
    /// The hand-set strategy's name.
    pub hand_set: String,
    /// The tuned strategy's name.
    pub tuned: String,
    /// Fresh replications compared.
    pub replications: usize,
    /// What the objective is, in words.
    pub objective_name: &'static str,
    /// The objective per day: hand-set, tuned, and the paired difference
    /// tuned − hand-set.
    pub objective: [Estimate; 3],
    /// Per metric of [`PAIRED_METRICS`]: hand-set, tuned, and the paired
    /// comparison (a = hand-set, b = tuned, difference b − a).
    pub metrics: Vec<(Estimate, Estimate, Comparison)>,
    /// On cost (objective) and fill rate.
    pub dominance: Dominance,
    /// Is one side of the dominance significant (its interval excludes 0)?
    pub dominance_significant: bool,
}

impl Paired {
    /// The verdict sentences, for the terminal and `tune.json`.
    pub fn verdicts(&self) -> Vec<String> {
        let mut out = Vec::new();
        let d = &self.objective[2];
        let (lo, hi) = (d.ci95[0], d.ci95[1]);
        out.push(if !d.excludes_zero() {
            format!(
                "{} vs {}: no significant difference on the objective ({}) ({:+.2} [{lo:.2}, {hi:.2}])",
                self.tuned, self.hand_set, self.objective_name, d.mean
            )
        } else if d.mean < 0.0 {
            format!(
                "{} beats {} on the objective ({}) by {:.2} [{:.2}, {:.2}]",
                self.tuned, self.hand_set, self.objective_name, -d.mean, -hi, -lo
            )
        } else {
            format!(
                "{} beats {} on the objective ({}) by {:.2} [{lo:.2}, {hi:.2}]",
                self.hand_set, self.tuned, self.objective_name, d.mean
            )
        });
        for (_, _, c) in &self.metrics {
            if HEADLINE.contains(&c.metric) {
                out.push(table::verdict(c));
            }
        }
        out.push(match self.dominance {
            Dominance::Neither => {
                format!("neither dominates on cost ({}) and fill rate: each is better on one", self.objective_name)
            }
            winner => format!(
                "{} dominates {} on cost ({}) and fill rate{}",
                if winner == Dominance::Tuned { &self.tuned } else { &self.hand_set },
                if winner == Dominance::Tuned { &self.hand_set } else { &self.tuned },
                self.objective_name,
                if self.dominance_significant { "" } else { " (means only: neither difference is significant)" }
            ),
        });
        out
    }

    fn to_json(&self) -> Value {
        let est = |e: &Estimate| {
            let num = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
            json!({ "mean": num(e.mean), "ci95": [num(e.ci95[0]), num(e.ci95[1])] })
        };
        let diff = |e: &Estimate| {
            let mut v = est(e);
            v["significant"] = json!(e.excludes_zero());
            v
        };
        let metrics: serde_json::Map<String, Value> = self
            .metrics
            .iter()
            .map(|(a, b, c)| {
                let num = |v: f64| if v.is_finite() { json!(v) } else { Value::Null };
                (
                    c.metric.to_string(),
                    json!({
                        "hand_set": est(a),
                        "tuned": est(b),
                        "difference": {
                            "mean": num(c.diff_mean),
                            "ci95": [num(c.ci95[0]), num(c.ci95[1])],
                            "significant": c.significant,
                        },
                        "better": c.better,
                    }),
                )
            })
            .collect();
        json!({
            "hand_set": self.hand_set,
            "tuned": self.tuned,
            "replications": self.replications,
            "objective": {
                "name": self.objective_name,
                "hand_set": est(&self.objective[0]),
                "tuned": est(&self.objective[1]),
                "difference": diff(&self.objective[2]),
            },
            "metrics": metrics,
            "dominates": self.dominance.key(),
            "dominance_significant": self.dominance_significant,
            "verdicts": self.verdicts(),
        })
    }
}

/// The objective per day of one run's network metrics.
fn objective_of(plan: &Plan, r: &RunRecord) -> f64 {
    let m = |key: &str| metric_index(key).map_or(f64::NAN, |k| r.network[k]);
    if plan.total_cost { m("total_cost") } else { m("holding_cost") + m("ordering_cost") + m("transport_cost") }
}

/// Tuned against hand-set for every tuned strategy, paired by replication
/// on the fresh replications of `fresh` (point 0).
fn paired(plan: &Plan, fresh: &Fresh) -> Vec<Paired> {
    let names = &fresh.header.study.strategies;
    let runs = |name: &str| -> Vec<&RunRecord> {
        let Some(s) = names.iter().position(|n| n == name) else { return Vec::new() };
        fresh.records.iter().filter(|r| r.point == 0 && r.strategy == s).collect()
    };
    let point = fresh.point();
    let stats = |name: &str| point.strategies.iter().find(|s| s.name == name);
    plan.strategies
        .iter()
        .filter_map(|sp| {
            let tuned = tuned_name(&sp.name);
            let (a, b) = (runs(&sp.name), runs(&tuned));
            let (sa, sb) = (stats(&sp.name)?, stats(&tuned)?);
            let comparisons = compare_pair(&sp.name, &a, &tuned, &b);
            let metrics: Vec<(Estimate, Estimate, Comparison)> = PAIRED_METRICS
                .iter()
                .filter_map(|key| {
                    let m = metric_index(key)?;
                    Some((sa.metrics[m], sb.metrics[m], comparisons[m].clone()))
                })
                .collect();
            let oa: Vec<f64> = a.iter().map(|r| objective_of(plan, r)).collect();
            let ob: Vec<f64> = b.iter().map(|r| objective_of(plan, r)).collect();
            let objective =
                [Estimate::of(oa.iter().copied()), Estimate::of(ob.iter().copied()), Estimate::paired(&oa, &ob)];
            let fill = metric_index("fill_rate").map(|m| &comparisons[m]);
            let (dc, df) =
                (objective[2].mean, fill.map_or(0.0, |c| if c.diff_mean.is_nan() { 0.0 } else { c.diff_mean }));
            let dominance = if dc <= 0.0 && df >= 0.0 && (dc < 0.0 || df > 0.0) {
                Dominance::Tuned
            } else if dc >= 0.0 && df <= 0.0 && (dc > 0.0 || df < 0.0) {
                Dominance::HandSet
            } else {
                Dominance::Neither
            };
            let dominance_significant = dominance != Dominance::Neither
                && (objective[2].excludes_zero() || fill.is_some_and(|c| c.significant));
            Some(Paired {
                hand_set: sp.name.clone(),
                tuned,
                replications: a.len().min(b.len()),
                objective_name: if plan.total_cost {
                    "total cost per day"
                } else {
                    "holding + ordering + transport per day"
                },
                objective,
                metrics,
                dominance,
                dominance_significant,
            })
        })
        .collect()
}

/// `echelon tune`: tunes, writes every file into `dir`, compares on fresh
/// replications.
pub fn tune(scenario: &Scenario, dir: &Path, threads: usize) -> Result<TuneOutcome, TuneError> {
    let Some(section) = &scenario.file.tune else {
        return Err(TuneError::Input(format!(
            "{}: no `tune:` section; add one naming the strategies, parameters and bounds to tune (see README, \"Tuning\")",
            scenario.path.display()
        )));
    };
    let plan = super::spec::check(section, &scenario.file)
        .map_err(|e| TuneError::Input(format!("{}: {}", e.path, e.message)))?;
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| TuneError::Io(e.to_string()))?;
    pool.install(|| tune_in_pool(scenario, &plan, dir, threads))
}

fn tune_in_pool(scenario: &Scenario, plan: &Plan, dir: &Path, threads: usize) -> Result<TuneOutcome, TuneError> {
    let io = |e: std::io::Error| TuneError::Io(format!("{}: cannot write results: {e}", dir.display()));
    let sls = sku_locations(scenario);
    let mut tuned = Vec::new();
    for which in 0..plan.strategies.len() {
        tuned.push(tune_strategy(scenario, plan, which, &sls).map_err(TuneError::Input)?);
    }
    let e = scenario.model.experiment;
    let mut report = json!({
        "scenario": scenario.model.name,
        "seed": e.seed,
        "search": {
            "replications": [SEARCH_REPLICATION_BASE, SEARCH_REPLICATION_BASE + plan.replications - 1],
            "note": "every candidate was evaluated on these replications (common random numbers); the estimates below are over them and carry optimisation bias",
        },
        "comparison": {
            "replications": [0, e.replications.saturating_sub(1)],
            "note": "the comparison in comparison/ runs tuned.ron on the scenario's own replications, never seen by the search: its verdicts carry no optimisation bias",
        },
        "objective": if plan.total_cost { "holding + ordering + transport + shortage cost per day" } else { "holding + ordering + transport cost per day" },
        "constraints": plan.constraints.iter().map(|c| json!({
            "metric": c.metric.key(), "at_least": c.at_least, "target": c.target, "scope": format!("{:?}", c.scope),
        })).collect::<Vec<_>>(),
        "granularity": format!("{:?}", plan.granularity),
        "strategies": tuned.iter().map(|t| strategy_json(scenario, plan, &sls, t)).collect::<Vec<_>>(),
    });
    std::fs::create_dir_all(dir).map_err(io)?;
    let infeasible: Vec<String> = tuned.iter().filter_map(|t| infeasibility(scenario, plan, &sls, t)).collect();
    if let Some(first) = infeasible.first() {
        report["infeasible"] = json!(infeasible);
        let text = serde_json::to_string_pretty(&report).expect("plain data") + "\n";
        output::write_atomic(&dir.join("tune.json"), text.as_bytes()).map_err(io)?;
        return Err(TuneError::Infeasible(first.clone()));
    }
    let short: Vec<Value> = tuned.iter().flat_map(|t| shortfalls(scenario, plan, &sls, t)).collect();
    report["short"] = json!({
        "note": "customer-facing SKU-locations short of a constraint over the search replications at the joint tuned levels, although their search had met it: the levels of other SKU-locations they interact with (the same SKU elsewhere, through the DC's stock; a supplier's capacity) moved after their own walk",
        "sku_locations": short,
    });
    let ((levels_csv, tuned_ron), path) = write_tuned(scenario, &sls, &tuned, dir)?;
    let mut fresh = compare_rendered(&path, threads, &scenario.registry)?;
    let paired = if fresh.rendered.stats.is_empty() { Vec::new() } else { paired(plan, &fresh) };
    report["paired"] = json!(paired.iter().map(Paired::to_json).collect::<Vec<_>>());
    if !plan.service_targets.is_empty() {
        let (points, chart) = frontier(scenario, plan, &sls, threads, &dir.join("frontier"), &fresh)?;
        report["frontier"] = points;
        // The comparison's report gains the frontier chart.
        fresh.rendered = output::render_with(
            &fresh.header,
            &fresh.records,
            Some(&fresh.timing),
            Some(&fresh.representative),
            vec![chart],
        );
    }
    output::write_all(&dir.join("comparison"), &fresh.rendered).map_err(io)?;
    let tune_json = serde_json::to_string_pretty(&report).expect("plain data") + "\n";
    output::write_atomic(&dir.join("tune.json"), tune_json.as_bytes()).map_err(io)?;
    Ok(TuneOutcome {
        tuned,
        levels_csv,
        tune_json,
        tuned_ron,
        comparison: Some(fresh.rendered),
        paired,
        short: short.len(),
    })
}
