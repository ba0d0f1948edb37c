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
//!   searched and those of the comparison; the frontier;
//! * `comparison/` — `echelon run tuned.ron` on the scenario's own
//!   replications `0 … n − 1`, never seen by the search: summary, runs,
//!   report with paired verdicts (hand-set vs tuned).
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
use echelon_reports::stats::Estimate;
use echelon_strategies::level::Level;
use echelon_strategies::tunable;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Why tuning stopped.
#[derive(Debug)]
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
        let retune = |spec: &mut echelon_strategies::registry::ReplenishmentSpec| {
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
                        if let (Some(number), Some(v)) = (tunable::number_mut(spec, &param.name), t.values.first()) {
                            *number = param.value(v[p]);
                        }
                    }
                }
            }
        };
        let mut strategy: StrategyFile = original.clone();
        strategy.name = name.clone();
        retune(&mut strategy.replenishment);
        for spec in strategy.at.values_mut() {
            retune(spec);
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

/// The first infeasible group of `t`, described.
fn infeasibility(scenario: &Scenario, plan: &Plan, sls: &[SkuLocation], t: &Tuned) -> Option<String> {
    let i = (0..sls.len()).find(|&i| t.scores[t.group[i]].violation > 0.0)?;
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

/// The frontier: per service target, each tuned strategy's network cost and
/// service on the fresh replications.
fn frontier(
    scenario: &Scenario,
    plan: &Plan,
    sls: &[SkuLocation],
    threads: usize,
    dir: &Path,
) -> Result<Value, TuneError> {
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
        let stats = compare(&file, threads, &scenario.registry)?;
        for (s, t) in tuned.iter().enumerate() {
            let name = tuned_name(&t.plan.name);
            let Some(st) = stats.strategies.iter().find(|x| x.name == name) else { continue };
            let m = |key: &str| echelon_sim::metrics::metric_index(key).map(|k| st.metrics[k]);
            let cost_key = "total_cost";
            points.push(json!({
                "target": target,
                "strategy": plan.strategies[s].name,
                "total_cost": m(cost_key).map(|e| json!({"mean": e.mean, "ci95": e.ci95})),
                "fill_rate": m("fill_rate").map(|e| json!({"mean": e.mean, "ci95": e.ci95})),
                "holding_cost": m("holding_cost").map(|e| json!({"mean": e.mean, "ci95": e.ci95})),
            }));
        }
        for s in &plan.strategies {
            if let Some(st) = stats.strategies.iter().find(|x| x.name == s.name) {
                let m = |key: &str| echelon_sim::metrics::metric_index(key).map(|k| st.metrics[k]);
                if points.iter().all(|p| p["strategy"] != json!(format!("{} (hand-set)", s.name))) {
                    points.push(json!({
                        "target": Value::Null,
                        "strategy": format!("{} (hand-set)", s.name),
                        "total_cost": m("total_cost").map(|e| json!({"mean": e.mean, "ci95": e.ci95})),
                        "fill_rate": m("fill_rate").map(|e| json!({"mean": e.mean, "ci95": e.ci95})),
                        "holding_cost": m("holding_cost").map(|e| json!({"mean": e.mean, "ci95": e.ci95})),
                    }));
                }
            }
        }
    }
    Ok(Value::Array(points))
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
fn compare(
    path: &Path,
    threads: usize,
    registry: &std::sync::Arc<echelon_strategies::registry::Registry>,
) -> Result<echelon_reports::summary::PointStats, TuneError> {
    let (_, rendered) = compare_rendered(path, threads, registry)?;
    rendered.stats.into_iter().next().ok_or_else(|| TuneError::Input("the comparison produced no results".into()))
}

fn compare_rendered(
    path: &Path,
    threads: usize,
    registry: &std::sync::Arc<echelon_strategies::registry::Registry>,
) -> Result<(Header, output::Rendered), TuneError> {
    let scenario = Scenario::load_in(path, Default::default(), registry)
        .map_err(|e| TuneError::Input(format!("the written tuned.ron does not load: {e}")))?;
    let source = scenario.source.clone();
    let study = Study::new(scenario).map_err(|e| TuneError::Input(e.to_string()))?;
    let outcome = runner::execute(&study, threads);
    let header = Header::new(&study.info(), &source, None);
    if let Some(failure) = &outcome.failure {
        return Err(TuneError::Input(failure.to_string()));
    }
    let representative =
        runner::representative(&study, &outcome.traces).map_err(|f| TuneError::Input(f.to_string()))?;
    let rendered = output::render(&header, &outcome.records, Some(&outcome.timing), Some(&representative));
    Ok((header, rendered))
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
    let ((levels_csv, tuned_ron), path) = write_tuned(scenario, &sls, &tuned, dir)?;
    let (_, rendered) = compare_rendered(&path, threads, &scenario.registry)?;
    output::write_all(&dir.join("comparison"), &rendered).map_err(io)?;
    if !plan.service_targets.is_empty() {
        report["frontier"] = frontier(scenario, plan, &sls, threads, &dir.join("frontier"))?;
    }
    let tune_json = serde_json::to_string_pretty(&report).expect("plain data") + "\n";
    output::write_atomic(&dir.join("tune.json"), tune_json.as_bytes()).map_err(io)?;
    Ok(TuneOutcome { tuned, levels_csv, tune_json, tuned_ron, comparison: Some(rendered) })
}
