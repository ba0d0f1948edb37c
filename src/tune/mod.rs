//! `echelon tune`: each candidate policy tuned before it is compared.
//!
//! # Method
//!
//! **What is searched.** The `tune:` section ([`spec`]) names strategies,
//! parameters with bounds, an objective (total cost, or holding, ordering
//! and transport under service constraints), and a granularity. Levels
//! (reorder point, order-up-to, Q, base stock) are searched in whole units
//! — integer levels, never floats; number parameters (service target,
//! smoothing constants) on their grid, one value for the strategy.
//!
//! **Separability, vectorised.** SKUs never interact at a location: demand
//! streams are per (node, SKU, class) ([`echelon_sim::rng`]) and stock is
//! per SKU. So one simulation of the whole scenario evaluates a *different*
//! candidate for every SKU-location at once. Each searched group (a
//! SKU-location, or a SKU, ABC class or everything, per granularity) runs its
//! own [`search::Walker`]; every round, all walkers propose their next
//! candidate, one set of simulations evaluates them all, and each reads its
//! own SKU-locations' cost and service through a [`probe::Probe`] (the
//! engine itself reports per node only). A thousand SKUs cost the rounds of
//! the slowest walker, not a thousand searches.
//!
//! **Common random numbers.** Every candidate of every round is simulated on
//! the same replications — `10 000, 10 001, …, 10 000 + replications − 1`
//! of the scenario's seed — so candidates are compared on identical demand
//! and lead times and the search optimises a fixed sample-average function.
//! For base stock that function is convex in integer S (the net inventory
//! path of S + 1 is that of S shifted by one unit), and the walker's final
//! `±1` check proves the sample optimum; with enough replications that is
//! the true optimum (tests compare with the critical fractile).
//!
//! **The walk** ([`search`]): compass search with expansion over the integer
//! grid, directions `±e_i` and, for two levels such as (s, S), the diagonal
//! that shifts both. Candidates are ordered lexicographically: constraint
//! violation, then unserved units (so a fill-rate plateau still has a
//! slope), then cost. So the tuned level under a fill-rate constraint is
//! the cheapest feasible one — for base stock, the smallest meeting the
//! target. It starts from the hand-set levels.
//!
//! **Networks.** A DC's level changes the service of the same SKU at the
//! locations it feeds, not any other SKU. So a DC SKU-location is scored on
//! its own cost plus the cost and constraints of the same SKU at every
//! location downstream of it. Echelons are tuned in turn, downstream first
//! (with the DC at its current levels), then each echelon above with the
//! demand the tuned downstream induces, and the whole pass is repeated until
//! a pass changes nothing (at most three passes); a later pass starts each
//! walk at the last optimum with step 1 (expanding when it moved far).
//! Groups walk simultaneously, so where they interact (locations of a SKU
//! sharing the DC's stock, a supplier's capacity) a group feasible during
//! its walk can fall short at the joint final point: those groups walk
//! again from there, the rest fixed (at most [`MAX_REPAIRS`] times). A group
//! still short then, whose walk had reached a feasible point, is reported as
//! a shortfall (`tune.json` `short`), not as an infeasible constraint. Every evaluation is a full
//! network simulation, so the interaction is measured, not modelled.
//!
//! **Fresh replications.** The verdict must carry no optimisation bias: the
//! comparison of the tuned strategies (`tuned.ron`, run in-process into
//! `comparison/`) uses the scenario's own replications `0 … n − 1`, which
//! the search never saw.
//!
//! **Determinism.** Walkers are driven in group order, simulations run in
//! parallel but are collected in replication order and summed sequentially;
//! no hash-map order enters. Outputs are byte-identical for any thread
//! count.

pub mod output;
pub mod probe;
pub mod search;
pub mod spec;

use crate::scenario::{Scenario, build};
use echelon_sim::engine::{self, Policies};
use echelon_sim::strategy::Replenishment;
use echelon_strategies::level::Level;
use echelon_strategies::registry::ReplenishmentSpec;
use echelon_strategies::tunable;
use probe::{NodeEconomics, Probe, SkuTally};
use rayon::prelude::*;
use search::{Groups, Score, Walked, walk_groups};
use spec::{Constraint, GranularityFile, ParamKind, Plan, ScopeFile, SlMetric, StrategyPlan};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The first replication index the search uses.
pub const SEARCH_REPLICATION_BASE: u32 = 10_000;

/// The most passes over the echelons.
pub const MAX_PASSES: usize = 3;

/// The most repair walks of groups short of a constraint at the joint
/// final point.
pub const MAX_REPAIRS: usize = 2;

/// A SKU-location of the model.
#[derive(Debug, Clone)]
pub struct SkuLocation {
    /// Node index.
    pub node: usize,
    /// Local SKU index.
    pub local: usize,
    /// Global SKU index.
    pub sku: usize,
    /// The node's height (0: feeds none).
    pub height: u32,
    /// ABC class at the node ('A', 'B' or 'C').
    pub abc: char,
    /// Does it serve customers?
    pub customer: bool,
    /// Itself and the same SKU at every location below it (indices).
    pub scope: Vec<usize>,
}

/// Every SKU-location of `scenario`, in (node, local SKU) order.
pub fn sku_locations(scenario: &Scenario) -> Vec<SkuLocation> {
    let model = &scenario.model;
    let mut all = Vec::new();
    let mut index = BTreeMap::new();
    for (n, node) in model.nodes.iter().enumerate() {
        let means = model.mean_daily_demand(n);
        let mut order: Vec<usize> = (0..node.skus.len()).collect();
        let value = |k: usize| means[k] * model.skus[node.skus[k]].unit_cost;
        order.sort_by(|&a, &b| value(b).total_cmp(&value(a)).then(a.cmp(&b)));
        let total: f64 = (0..node.skus.len()).map(value).sum();
        let mut abc = vec!['C'; node.skus.len()];
        let mut before = 0.0;
        for &k in &order {
            let share = if total > 0.0 { before / total } else { 1.0 };
            abc[k] = if share < 0.8 {
                'A'
            } else if share < 0.95 {
                'B'
            } else {
                'C'
            };
            before += value(k);
        }
        let own = model.own_mean_daily_demand(n);
        for (k, &sku) in node.skus.iter().enumerate() {
            index.insert((n, sku), all.len());
            all.push(SkuLocation {
                node: n,
                local: k,
                sku,
                height: node.height,
                abc: abc[k],
                customer: own[k] > 0.0 || model.demand.iter().any(|d| d.node == n && d.local_sku == k),
                scope: Vec::new(),
            });
        }
    }
    for (i, sl) in all.iter_mut().enumerate() {
        let mut scope = vec![i];
        let mut frontier = vec![sl.node];
        while let Some(n) = frontier.pop() {
            for child in model.children(n) {
                if let Some(&j) = index.get(&(child, sl.sku)) {
                    scope.push(j);
                    frontier.push(child);
                }
            }
        }
        sl.scope = scope;
    }
    all
}

/// The spec strategy `index` uses at `node`.
fn spec_at(scenario: &Scenario, index: usize, node: usize) -> &ReplenishmentSpec {
    let strategy = &scenario.file.strategies[index];
    strategy.at.get(&scenario.model.nodes[node].id).unwrap_or(&strategy.replenishment)
}

/// The spec of strategy `plan` at `node` with the parameter values `values`
/// (per SKU-location of the node, one index per parameter).
fn spec_with(scenario: &Scenario, plan: &StrategyPlan, node: usize, values: &[&[i64]]) -> ReplenishmentSpec {
    let mut spec = spec_at(scenario, plan.index, node).clone();
    let ids = &scenario.model.nodes[node].skus;
    for (p, param) in plan.params.iter().enumerate() {
        match param.kind {
            ParamKind::Level => {
                let map = ids.iter().zip(values).map(|(&g, v)| (scenario.model.skus[g].id.clone(), v[p])).collect();
                if let Some(level) = tunable::level_mut(&mut spec, &param.name) {
                    *level = Level::PerSku(map);
                }
            }
            ParamKind::Number => {
                if let (Some(number), Some(v)) = (tunable::number_mut(&mut spec, &param.name), values.first()) {
                    *number = param.value(v[p]);
                }
            }
        }
    }
    spec
}

/// The starting indices of every SKU-location: the hand-set levels.
fn start_values(scenario: &Scenario, plan: &StrategyPlan, sls: &[SkuLocation]) -> Result<Vec<Vec<i64>>, String> {
    let mut resolved: BTreeMap<(usize, String), Vec<i64>> = BTreeMap::new();
    let mut out = Vec::with_capacity(sls.len());
    for sl in sls {
        let mut values = Vec::new();
        for param in &plan.params {
            let mut spec = spec_at(scenario, plan.index, sl.node).clone();
            let value = match param.kind {
                ParamKind::Level => {
                    let key = (sl.node, param.name.clone());
                    if !resolved.contains_key(&key) {
                        let level = tunable::level_mut(&mut spec, &param.name).ok_or("parameter vanished")?;
                        let ctx = build::node_context(&scenario.model, sl.node);
                        resolved.insert(key.clone(), level.resolve(&ctx)?);
                    }
                    resolved[&key][sl.local]
                }
                ParamKind::Number => {
                    let v = tunable::number_mut(&mut spec, &param.name).map_or(param.lo, |v| *v);
                    ((v - param.lo) / param.step).round() as i64
                }
            };
            values.push(value);
        }
        out.push(values);
    }
    Ok(out)
}

/// Simulates strategy `plan` with `values` (per SKU-location) on
/// replications `reps`; returns per replication the tallies per
/// SKU-location.
pub fn evaluate(
    scenario: &Scenario,
    plan: &StrategyPlan,
    values: &[Vec<i64>],
    reps: std::ops::Range<u32>,
    economics: &[NodeEconomics],
) -> Result<Vec<Vec<SkuTally>>, String> {
    let model = &scenario.model;
    let mut specs = Vec::with_capacity(model.nodes.len());
    let mut first = 0;
    for node in 0..model.nodes.len() {
        let count = model.nodes[node].skus.len();
        let node_values: Vec<&[i64]> = values[first..first + count].iter().map(Vec::as_slice).collect();
        specs.push(spec_with(scenario, plan, node, &node_values));
        first += count;
    }
    // Check every node builds before fanning out.
    for (node, spec) in specs.iter().enumerate() {
        scenario
            .registry
            .replenishment(spec, &build::node_context(model, node))
            .map_err(|e| format!("at \"{}\": {}: {}", model.nodes[node].id, e.field, e.message))?;
    }
    let contexts: Vec<_> = (0..model.nodes.len()).map(|n| build::node_context(model, n)).collect();
    let runs: Vec<Vec<SkuTally>> = reps
        .collect::<Vec<u32>>()
        .par_iter()
        .map(|&rep| {
            let sinks: Vec<Mutex<Vec<SkuTally>>> = (0..model.nodes.len()).map(|_| Mutex::new(Vec::new())).collect();
            let allocation = scenario.allocation(plan.index);
            {
                let replenishment: Vec<Box<dyn Replenishment + '_>> = specs
                    .iter()
                    .enumerate()
                    .map(|(n, spec)| {
                        let inner = scenario.registry.replenishment(spec, &contexts[n]).expect("checked above")();
                        Box::new(Probe::new(inner, &economics[n], &sinks[n])) as Box<dyn Replenishment + '_>
                    })
                    .collect();
                let policies = Policies {
                    replenishment,
                    allocation: &*allocation,
                    transfers: scenario.prepared[plan.index].transfers.as_deref(),
                    expedites: scenario.prepared[plan.index].expedites.as_deref(),
                };
                engine::simulate(model, rep, policies);
            }
            sinks.into_iter().flat_map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner())).collect()
        })
        .collect();
    Ok(runs)
}

/// Sums per-replication tallies per SKU-location, in replication order.
pub fn pool(runs: &[Vec<SkuTally>]) -> Vec<SkuTally> {
    let mut total = vec![SkuTally::default(); runs.first().map_or(0, Vec::len)];
    for run in runs {
        for (t, r) in total.iter_mut().zip(run) {
            t.days += r.days;
            t.holding += r.holding;
            t.ordering += r.ordering;
            t.transport += r.transport;
            t.shortage += r.shortage;
            t.demand += r.demand;
            t.served += r.served;
            t.no_stockout_days += r.no_stockout_days;
            t.ready_days += r.ready_days;
            t.backorders += r.backorders;
        }
    }
    total
}

/// A metric over a set of tallies (ratio of sums).
pub fn metric(metric: SlMetric, tallies: &[&SkuTally]) -> f64 {
    let sum = |f: fn(&SkuTally) -> f64| tallies.iter().map(|t| f(t)).sum::<f64>();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    match metric {
        SlMetric::FillRate => ratio(sum(|t| t.served as f64), sum(|t| t.demand as f64)),
        SlMetric::CycleService => ratio(sum(|t| f64::from(t.no_stockout_days)), sum(|t| f64::from(t.days))),
        SlMetric::ReadyRate => ratio(sum(|t| f64::from(t.ready_days)), sum(|t| f64::from(t.days))),
        SlMetric::BackordersEndMean => {
            let days = tallies.iter().map(|t| f64::from(t.days)).fold(0.0, f64::max);
            ratio(sum(|t| t.backorders as f64), days)
        }
    }
}

fn gap(c: &Constraint, value: f64) -> f64 {
    if value.is_nan() {
        return 0.0; // no demand: nothing to serve
    }
    if c.at_least { (c.target - value).max(0.0) } else { (value - c.target).max(0.0) }
}

/// The score of a group: the cost and constraints of every SKU-location in
/// `scope` (its members and the same SKUs downstream).
fn score(plan: &Plan, sls: &[SkuLocation], scope: &[usize], pooled: &[SkuTally]) -> Score {
    let mut s = Score::default();
    for &i in scope {
        let t = &pooled[i];
        s.cost += if plan.total_cost { t.total_cost() } else { t.operating_cost() };
        if sls[i].customer {
            s.shortfall += (t.demand - t.served) as f64 / f64::from(t.days.max(1));
        }
    }
    for c in &plan.constraints {
        match &c.scope {
            ScopeFile::PerSkuLocation => {
                for &i in scope.iter().filter(|&&i| sls[i].customer) {
                    s.violation += gap(c, metric(c.metric, &[&pooled[i]]));
                }
            }
            ScopeFile::Network | ScopeFile::AbcClass(_) => {
                let class = match &c.scope {
                    ScopeFile::AbcClass(name) => name.chars().next(),
                    _ => None,
                };
                let members: Vec<&SkuTally> = scope
                    .iter()
                    .filter(|&&i| sls[i].customer && class.is_none_or(|k| sls[i].abc == k))
                    .map(|&i| &pooled[i])
                    .collect();
                if !members.is_empty() {
                    s.violation += gap(c, metric(c.metric, &members));
                }
            }
        }
    }
    s
}

/// The tuned result of one strategy.
#[derive(Debug, Clone)]
pub struct Tuned {
    /// Which strategy.
    pub plan: StrategyPlan,
    /// Tuned indices per SKU-location (one per parameter).
    pub values: Vec<Vec<i64>>,
    /// The hand-set indices per SKU-location.
    pub start: Vec<Vec<i64>>,
    /// Evaluations spent per SKU-location (its group's).
    pub evaluations: Vec<u32>,
    /// Group index per SKU-location.
    pub group: Vec<usize>,
    /// Final score per group.
    pub scores: Vec<Score>,
    /// Per group: did its walk ever reach a feasible point (so a final
    /// shortfall comes from interactions, not from the bounds)?
    pub found_feasible: Vec<bool>,
    /// Per search replication, the tallies at the tuned values.
    pub runs: Vec<Vec<SkuTally>>,
    /// Simulation rounds run.
    pub rounds: u32,
}

fn group_key(granularity: GranularityFile, sl: &SkuLocation, index: usize) -> (u32, usize, char) {
    match granularity {
        GranularityFile::PerSkuLocation => (sl.height, index, ' '),
        GranularityFile::PerSku => (sl.height, sl.sku, ' '),
        GranularityFile::PerAbcClass => (sl.height, 0, sl.abc),
        GranularityFile::Global => (sl.height, 0, ' '),
    }
}

/// Tunes strategy `which` of `plan`.
pub fn tune_strategy(scenario: &Scenario, plan: &Plan, which: usize, sls: &[SkuLocation]) -> Result<Tuned, String> {
    let splan = &plan.strategies[which];
    let economics: Vec<NodeEconomics> =
        (0..scenario.model.nodes.len()).map(|n| NodeEconomics::of(&scenario.model, n)).collect();
    let reps = SEARCH_REPLICATION_BASE..SEARCH_REPLICATION_BASE + plan.replications;
    let start = start_values(scenario, splan, sls)?;
    // Groups, in key order.
    let mut keys: BTreeMap<(u32, usize, char), usize> = BTreeMap::new();
    let group: Vec<usize> = sls
        .iter()
        .enumerate()
        .map(|(i, sl)| {
            let next = keys.len();
            *keys.entry(group_key(plan.granularity, sl, i)).or_insert(next)
        })
        .collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); keys.len()];
    for (i, &g) in group.iter().enumerate() {
        members[g].push(i);
    }
    let scopes: Vec<Vec<usize>> = members
        .iter()
        .map(|m| {
            let mut s: Vec<usize> = m.iter().flat_map(|&i| sls[i].scope.iter().copied()).collect();
            s.sort_unstable();
            s.dedup();
            s
        })
        .collect();
    let height: Vec<u32> = members.iter().map(|m| sls[m[0]].height).collect();
    let spec = &scenario.file.strategies[splan.index].replenishment;
    let groups = Groups {
        members: &members,
        height: &height,
        lo: splan.params.iter().map(|p| p.min).collect(),
        hi: splan.params.iter().map(|p| p.max).collect(),
        level_dims: splan.params.iter().filter(|p| p.kind == ParamKind::Level).count(),
        valid: structure(spec, splan),
        budget: plan.max_evaluations,
    };
    let walked = walk_groups(&groups, start.clone(), MAX_PASSES, MAX_REPAIRS, |values| {
        let pooled = pool(&evaluate(scenario, splan, values, reps.clone(), &economics)?);
        Ok(scopes.iter().map(|s| score(plan, sls, s, &pooled)).collect())
    })?;
    let Walked { values, evaluations, found_feasible, rounds } = walked;
    let runs = evaluate(scenario, splan, &values, reps, &economics)?;
    let pooled = pool(&runs);
    let scores = scopes.iter().map(|s| score(plan, sls, s, &pooled)).collect();
    Ok(Tuned {
        plan: splan.clone(),
        evaluations: group.iter().map(|&g| evaluations[g]).collect(),
        values,
        start,
        group,
        scores,
        found_feasible,
        runs,
        rounds,
    })
}

/// The structural rule of a strategy's tuned levels, as a check on a
/// candidate: (s,S) needs s < S when both are tuned.
fn structure(spec: &ReplenishmentSpec, plan: &StrategyPlan) -> fn(&[i64]) -> bool {
    let names: Vec<&str> = plan.params.iter().map(|p| p.name.as_str()).collect();
    let min_max = matches!(spec, ReplenishmentSpec::MinMax { .. });
    match (min_max, names.as_slice()) {
        (true, ["reorder_point", "order_up_to", ..]) => |x| x[0] < x[1],
        (true, ["order_up_to", "reorder_point", ..]) => |x| x[1] < x[0],
        _ => |_| true,
    }
}
