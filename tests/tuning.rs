//! `echelon tune` against inventory theory, and its bad input.
//!
//! Single locations, Poisson demand, backorders, holding h and backorder
//! penalty p per unit-day (unit cost 365 with holding rate h makes the
//! engine's holding cost exactly h per unit-day), constant lead time L.
//! Under Echelon's timing (an order at the end of day t serves day t+L+1)
//! the end-of-day net inventory of base stock S is S − X, X ~
//! Poisson((L+1)λ) (the convention of tests/data/golden_cases.json).
//! Several cases share one scenario: one location per lead time, one SKU
//! per case, all tuned in the same simulations.

mod common;

use echelon::scenario::Scenario;
use echelon::tune::output::{TuneError, tune};
use echelon::tune::{self, SkuLocation, spec};
use std::path::Path;

fn poisson_pmf(mean: f64, n: usize) -> Vec<f64> {
    let mut p = vec![(-mean).exp()];
    for k in 1..n {
        p.push(p[k - 1] * mean / k as f64);
    }
    p
}

/// E[(S − X)+] and E[(X − S)+] for X ~ Poisson(mean).
fn expected_parts(mean: f64, s: i64) -> (f64, f64) {
    let pmf = poisson_pmf(mean, (mean * 6.0 + 60.0) as usize);
    let mut over = 0.0;
    let mut under = 0.0;
    for (k, p) in pmf.iter().enumerate() {
        let k = k as i64;
        over += p * (s - k).max(0) as f64;
        under += p * (k - s).max(0) as f64;
    }
    (over, under)
}

/// Expected cost per day of base stock S: h·E[(S−X)+] + p·E[(X−S)+].
fn base_stock_cost(lambda: f64, lead: u32, h: f64, p: f64, s: i64) -> f64 {
    let (over, under) = expected_parts(lambda * f64::from(lead + 1), s);
    h * over + p * under
}

/// The golden-case fill rate of base stock S: 1 − (E[(X−S)+] − E[(Y−S)+])/λ,
/// X ~ Poisson((L+1)λ), Y ~ Poisson(Lλ).
fn base_stock_fill(lambda: f64, lead: u32, s: i64) -> f64 {
    let (_, x) = expected_parts(lambda * f64::from(lead + 1), s);
    let (_, y) = expected_parts(lambda * f64::from(lead), s);
    1.0 - (x - y) / lambda
}

struct Case {
    lambda: f64,
    lead: u32,
    h: f64,
    p: f64,
    k: f64,
}

/// A scenario with one SKU per case at the location of its lead time.
fn scenario(cases: &[Case], strategy: &str, tune: &str, horizon: u32) -> Scenario {
    scenario_with(cases, &format!("(name: \"policy\", replenishment: {strategy})"), tune, horizon)
}

/// As [`scenario`], with the strategies' RON given whole.
fn scenario_with(cases: &[Case], strategies: &str, tune: &str, horizon: u32) -> Scenario {
    let mut leads: Vec<u32> = cases.iter().map(|c| c.lead).collect();
    leads.sort_unstable();
    leads.dedup();
    let skus: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "(id: \"k{i}\", unit_cost: 365.0, holding_rate: {:?}, ordering_cost: {:?}, backorder_penalty_per_day: {:?})",
                c.h, c.k, c.p
            )
        })
        .collect();
    let locations: Vec<String> = leads.iter().map(|l| format!("(id: \"L{l}\")")).collect();
    let lanes: Vec<String> =
        leads.iter().map(|l| format!("(from: \"supplier\", to: \"L{l}\", lead_time: Constant(days: {l}.0))")).collect();
    let demand: Vec<String> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| format!("(location: \"L{}\", sku: \"k{i}\", model: Poisson(mean: {:?}))", c.lead, c.lambda))
        .collect();
    let text = format!(
        r#"Scenario(
    name: "tune-theory",
    experiment: (horizon_days: {horizon}, warmup_days: 100, replications: 4, seed: 11),
    skus: [{}],
    suppliers: [(id: "supplier")],
    locations: [{}],
    lanes: [{}],
    demand: [{}],
    strategies: [{strategies}],
    tune: {tune},
)"#,
        skus.join(", "),
        locations.join(", "),
        lanes.join(", "),
        demand.join(", ")
    );
    common::scenario_from_text("tune-theory.ron", &text)
}

/// Tunes the one strategy; returns per SKU-location its tuned values.
fn tuned_values(scenario: &Scenario) -> (Vec<SkuLocation>, Vec<Vec<i64>>) {
    let plan = spec::check(scenario.file.tune.as_ref().unwrap(), &scenario.file).unwrap();
    let sls = tune::sku_locations(scenario);
    let tuned = tune::tune_strategy(scenario, &plan, 0, &sls).unwrap();
    (sls, tuned.values)
}

/// The case of SKU-location `sl` (SKU k{i} is case i).
fn case_of<'a>(scenario: &Scenario, cases: &'a [Case], sl: &SkuLocation) -> &'a Case {
    let id = &scenario.model.skus[sl.sku].id;
    &cases[id[1..].parse::<usize>().unwrap()]
}

/// The optimum is the critical fractile p/(p+h) of lead-time-plus-one-day
/// demand; the cases were chosen so that S* ± 1 cost at least 2% more (checked
/// here), so the sample optimum on 8 × 3,900 days is the true one.
#[test]
fn tuned_base_stock_is_the_critical_fractile_optimum() {
    let cases = [
        Case { lambda: 4.0, lead: 2, h: 1.0, p: 19.0, k: 0.0 },
        Case { lambda: 5.0, lead: 1, h: 2.0, p: 6.0, k: 0.0 },
        Case { lambda: 2.0, lead: 0, h: 1.0, p: 9.0, k: 0.0 },
        Case { lambda: 7.0, lead: 0, h: 2.0, p: 4.0, k: 0.0 },
        Case { lambda: 2.0, lead: 5, h: 1.0, p: 19.0, k: 0.0 },
        Case { lambda: 10.0, lead: 1, h: 2.0, p: 9.0, k: 0.0 },
    ];
    let tune = "(strategies: [\"policy\"], parameters: [(strategy: \"policy\", parameter: \"order_up_to\", min: 0, max: 500)], replications: 8)";
    let scenario = scenario(&cases, "BaseStock(order_up_to: Units(3))", tune, 4000);
    let (sls, values) = tuned_values(&scenario);
    assert_eq!(sls.len(), cases.len());
    for (sl, v) in sls.iter().zip(&values) {
        let c = case_of(&scenario, &cases, sl);
        let cost = |s| base_stock_cost(c.lambda, c.lead, c.h, c.p, s);
        let best = (0..500).min_by(|&a, &b| cost(a).total_cmp(&cost(b))).unwrap();
        assert!(cost(best - 1) > cost(best) * 1.02 && cost(best + 1) > cost(best) * 1.02, "near-tie case");
        assert_eq!(v[0], best, "λ = {}, L = {}, p/h = {}", c.lambda, c.lead, c.p / c.h);
    }
}

/// The smallest S whose exact fill rate (golden-case formula) meets 95%;
/// cases chosen with the fill of S* − 1 and S* at least 0.4 points from
/// the target (checked here).
#[test]
fn a_fill_rate_target_tunes_the_smallest_level_meeting_it() {
    let cases = [
        Case { lambda: 4.0, lead: 2, h: 1.0, p: 0.0, k: 0.0 },
        Case { lambda: 9.0, lead: 2, h: 1.0, p: 0.0, k: 0.0 },
        Case { lambda: 2.5, lead: 4, h: 1.0, p: 0.0, k: 0.0 },
    ];
    let tune = "(strategies: [\"policy\"], parameters: [(strategy: \"policy\", parameter: \"order_up_to\", min: 0, max: 500)], \
                objective: MinHoldingOrdering, constraints: [(metric: \"fill_rate\", target: 0.95)], replications: 8)";
    let scenario = scenario(&cases, "BaseStock(order_up_to: Units(100))", tune, 4000);
    let (sls, values) = tuned_values(&scenario);
    for (sl, v) in sls.iter().zip(&values) {
        let c = case_of(&scenario, &cases, sl);
        let fill = |s| base_stock_fill(c.lambda, c.lead, s);
        let smallest = (0..500).find(|&s| fill(s) >= 0.95).unwrap();
        assert!(fill(smallest) >= 0.954 && fill(smallest - 1) <= 0.946, "near-tie case λ = {}", c.lambda);
        assert_eq!(v[0], smallest, "λ = {}, L = {}", c.lambda, c.lead);
    }
}

/// Exact long-run cost per day of (s,S) with daily review (Zheng &
/// Federgruen 1991): with demand pmf p_j per day, m(0) = 1/(1 − p_0),
/// m(j) = Σ_{l=1..j} p_l m(j − l) / (1 − p_0) (expected days the inventory
/// position after ordering spends at S − j per cycle), M(n) = Σ_{j<n} m(j),
/// c(s,S) = [K + Σ_{j<S−s} m(j) G(S − j)] / M(S − s), G(y) =
/// h·E[(y−X)+] + p·E[(X−y)+] with X ~ Poisson((L+1)λ) — the standard
/// reduction under Echelon's timing.
fn s_s_cost(c: &Case, s: i64, big_s: i64, m: &[f64], g: &dyn Fn(i64) -> f64) -> f64 {
    let n = (big_s - s) as usize;
    let (mut num, mut den) = (c.k, 0.0);
    for (j, mj) in m.iter().enumerate().take(n) {
        num += mj * g(big_s - j as i64);
        den += mj;
    }
    num / den
}

fn renewal(lambda: f64, n: usize) -> Vec<f64> {
    let p = poisson_pmf(lambda, n + 1);
    let mut m = vec![1.0 / (1.0 - p[0])];
    for j in 1..n {
        let sum: f64 = (1..=j).map(|l| p[l] * m[j - l]).sum();
        m.push(sum / (1.0 - p[0]));
    }
    m
}

/// The tuned (s,S) costs (exactly, by the formula above) within 0.5% of the
/// exact optimum over an exhaustive grid.
#[test]
fn tuned_s_s_is_within_half_a_percent_of_the_exact_optimum() {
    let cases = [
        Case { lambda: 5.0, lead: 1, h: 1.0, p: 9.0, k: 40.0 },
        Case { lambda: 2.0, lead: 1, h: 1.0, p: 19.0, k: 25.0 },
        Case { lambda: 10.0, lead: 3, h: 1.0, p: 4.0, k: 100.0 },
        Case { lambda: 3.0, lead: 3, h: 2.0, p: 10.0, k: 60.0 },
    ];
    let tune = "(strategies: [\"policy\"], parameters: [(strategy: \"policy\", parameter: \"reorder_point\", min: -20, max: 300), \
                (strategy: \"policy\", parameter: \"order_up_to\", min: 1, max: 400)], replications: 8)";
    let scenario =
        scenario(&cases, "MinMax(reorder_point: DaysOfCover(2.0), order_up_to: DaysOfCover(5.0))", tune, 3000);
    let (sls, values) = tuned_values(&scenario);
    for (sl, v) in sls.iter().zip(&values) {
        let c = case_of(&scenario, &cases, sl);
        let lead_mean = c.lambda * f64::from(c.lead + 1);
        let table: Vec<f64> = (-40..400)
            .map(|y| {
                let (over, under) = expected_parts(lead_mean, y);
                c.h * over + c.p * under
            })
            .collect();
        let g = |y: i64| table[(y + 40) as usize];
        let m = renewal(c.lambda, 300);
        let mut best = f64::INFINITY;
        for s in -20..(lead_mean as i64 * 2 + 20) {
            for q in 1..150 {
                best = best.min(s_s_cost(c, s, s + q, &m, &g));
            }
        }
        let tuned = s_s_cost(c, v[0], v[1], &m, &g);
        assert!(
            tuned <= best * 1.005,
            "λ = {}, K = {}: tuned ({}, {}) costs {tuned:.4}, optimum {best:.4}",
            c.lambda,
            c.k,
            v[0],
            v[1]
        );
    }
}

/// The probe's per-SKU read-out equals the engine's own metrics.
#[test]
fn per_sku_readout_matches_the_engine_metrics() {
    let cases =
        [Case { lambda: 4.0, lead: 2, h: 1.0, p: 3.0, k: 10.0 }, Case { lambda: 1.5, lead: 2, h: 2.0, p: 5.0, k: 7.0 }];
    let tune = "(strategies: [\"policy\"], parameters: [(strategy: \"policy\", parameter: \"reorder_point\", min: 0, max: 300)], replications: 2)";
    let scenario = scenario(&cases, "MinMax(reorder_point: Units(9), order_up_to: Units(20))", tune, 600);
    let plan = spec::check(scenario.file.tune.as_ref().unwrap(), &scenario.file).unwrap();
    let economics: Vec<_> =
        (0..scenario.model.nodes.len()).map(|n| tune::probe::NodeEconomics::of(&scenario.model, n)).collect();
    let values = vec![vec![9]; 2];
    let runs = tune::evaluate(&scenario, &plan.strategies[0], &values, 0..4, &economics).unwrap();
    let outcome = common::run(&scenario, 1);
    let key = |k: &str| echelon::sim::metrics::metric_index(k).unwrap();
    for (rep, record) in outcome.records.iter().enumerate() {
        let t = tune::pool(&[runs[rep].clone()]);
        let days = f64::from(t[0].days);
        let sum = |f: &dyn Fn(&tune::probe::SkuTally) -> f64| t.iter().map(f).sum::<f64>();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
        assert!(close(sum(&|x| x.holding) / days, record.network[key("holding_cost")]));
        assert!(close(sum(&|x| x.ordering) / days, record.network[key("ordering_cost")]));
        assert!(close(sum(&|x| x.shortage) / days, record.network[key("shortage_cost")]));
        let fill = sum(&|x| x.served as f64) / sum(&|x| x.demand as f64);
        assert!(close(fill, record.network[key("fill_rate")]), "{fill} vs {}", record.network[key("fill_rate")]);
    }
}

fn single(tune: &str) -> Result<Scenario, String> {
    let text = common::single_location(
        "Poisson(mean: 4.0)",
        "Constant(days: 2.0)",
        "Backorder",
        "(name: \"mm\", replenishment: MinMax(reorder_point: Units(9), order_up_to: Units(20)))",
        "(horizon_days: 300, warmup_days: 20, replications: 3, seed: 1)",
    );
    let text = format!(
        "{},\n    tune: {tune},\n)",
        text.trim_end().strip_suffix(')').unwrap().trim_end().trim_end_matches(',')
    );
    let path = Path::new("bad.ron");
    let file = echelon::scenario::parse::parse(path, &text).map_err(|e| e.to_string())?;
    Scenario::from_parts(path, text, file).map_err(|e| e.to_string())
}

const PARAMS: &str = "parameters: [(strategy: \"mm\", parameter: \"reorder_point\", min: 0, max: 40), (strategy: \"mm\", parameter: \"order_up_to\", min: 1, max: 60)]";

#[test]
fn bad_tune_sections_are_located_input_errors() {
    let err = single(&format!(
        "(strategies: [\"mm\"], {PARAMS}, replications: 4, constraints: [(metric: \"fill_rte\", target: 0.9)])"
    ))
    .unwrap_err();
    assert!(err.contains("tune.constraints[0].metric") && err.contains("did you mean \"fill_rate\""), "{err}");
    assert!(err.starts_with("bad.ron:"), "{err}");
    let err = single(&format!(
        "(strategies: [\"mm\"], {PARAMS}, replications: 4, constraints: [(metric: \"on_hand_end_mean\", target: 3.0)])"
    ))
    .unwrap_err();
    assert!(err.contains("no better direction"), "{err}");
    let err = single("(strategies: [\"mm\"], parameters: [(strategy: \"mm\", parameter: \"reorder_pont\", min: 0, max: 9)], replications: 4)").unwrap_err();
    assert!(err.contains("tune.parameters[0].parameter") && err.contains("did you mean \"reorder_point\""), "{err}");
    let err = single(&format!("(strategies: [\"mm\"], {PARAMS}, replications: 4, max_evaluations: 1)")).unwrap_err();
    assert!(err.contains("tune.max_evaluations") && err.contains("leaves none for a candidate"), "{err}");
    let err = single(&format!(
        "(strategies: [\"mm\"], {PARAMS}, replications: 4, constraints: [(metric: \"fill_rate\", target: 1.0)])"
    ))
    .unwrap_err();
    assert!(err.contains("strictly between 0 and 1"), "{err}");
    let err = single("(strategies: [\"mm\"], parameters: [(strategy: \"mm\", parameter: \"order_up_to\", min: 9, max: 3)], replications: 4)").unwrap_err();
    assert!(err.contains("min ≤ max"), "{err}");
    let err = single(&format!("(strategies: [\"nope\"], {PARAMS}, replications: 4)")).unwrap_err();
    assert!(err.contains("unknown strategy \"nope\"") && err.contains("did you mean \"mm\""), "{err}");
    let err = single(&format!("(strategies: [\"mm\"], {PARAMS}, replications: 4, constraints: [(metric: \"fill_rate\", target: 0.9, scope: Network)])")).unwrap_err();
    assert!(err.contains("granularity: Global"), "{err}");
    assert!(single(&format!("(strategies: [\"mm\"], {PARAMS}, replications: 4)")).is_ok());
}

#[test]
fn bounds_excluding_every_feasible_value_name_the_best_infeasible_candidate() {
    let scenario = single(
        "(strategies: [\"mm\"], parameters: [(strategy: \"mm\", parameter: \"reorder_point\", min: 0, max: 6), \
         (strategy: \"mm\", parameter: \"order_up_to\", min: 1, max: 10)], objective: MinHoldingOrdering, \
         constraints: [(metric: \"fill_rate\", target: 0.95)], replications: 3)",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let Err(TuneError::Infeasible(message)) = tune(&scenario, dir.path(), 1) else { panic!("expected infeasible") };
    assert!(message.contains("fill_rate ≥ 0.95 (reached 0."), "{message}");
    assert!(message.contains("Best infeasible candidate: reorder_point = 6, order_up_to = 10"), "{message}");
    assert!(message.contains("highest reachable"), "{message}");
    assert!(dir.path().join("tune.json").is_file());
    assert!(!dir.path().join("levels.csv").exists());
}

/// Same file and seed: byte-identical outputs on 1 and 2 threads; the
/// written tuned.ron loads and runs (the comparison ran from it).
#[test]
fn tuning_outputs_are_byte_identical_for_any_thread_count() {
    let cases = [
        Case { lambda: 4.0, lead: 1, h: 1.0, p: 5.0, k: 20.0 },
        Case { lambda: 1.0, lead: 1, h: 1.0, p: 5.0, k: 20.0 },
    ];
    let tune_section = "(strategies: [\"policy\"], parameters: [(strategy: \"policy\", parameter: \"reorder_point\", min: -5, max: 100), \
                (strategy: \"policy\", parameter: \"order_up_to\", min: 1, max: 200)], replications: 3)";
    let scenario = scenario(&cases, "MinMax(reorder_point: Units(5), order_up_to: Units(15))", tune_section, 500);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let one = tune(&scenario, a.path(), 1).unwrap_or_else(|_| panic!("tune"));
    let two = tune(&scenario, b.path(), 2).unwrap_or_else(|_| panic!("tune"));
    for file in ["levels.csv", "tune.json", "tuned.ron", "comparison/summary.json", "comparison/runs.csv"] {
        assert_eq!(std::fs::read(a.path().join(file)).unwrap(), std::fs::read(b.path().join(file)).unwrap(), "{file}");
    }
    assert_eq!(one.levels_csv, two.levels_csv);
    let summary = &one.comparison.as_ref().unwrap().summary_json;
    assert!(summary.contains("\"policy tuned\""));
    let tuned = Scenario::load(&a.path().join("tuned.ron")).unwrap();
    assert_eq!(tuned.strategy_names(), ["policy", "policy tuned"]);
}

/// Each tuned strategy is compared with its own hand-set original, paired by
/// replication on the fresh replications 0 … n − 1 of the comparison, not
/// with the first strategy of the file. Hand-worked: base stock S = 3 for
/// λ = 4, L = 2 (mean lead-time-plus-one-day demand 12) backorders most
/// demand, so the cost-optimal S (about 17) both costs less and serves more.
#[test]
fn tuned_vs_hand_set_verdicts_pair_each_strategy_with_its_own_original() {
    let cases = [Case { lambda: 4.0, lead: 2, h: 1.0, p: 19.0, k: 0.0 }];
    let strategies = "(name: \"first\", replenishment: BaseStock(order_up_to: Units(16))), \
                      (name: \"low\", replenishment: BaseStock(order_up_to: Units(3)))";
    let tune_section = "(strategies: [\"low\"], parameters: [(strategy: \"low\", parameter: \"order_up_to\", min: 0, max: 100)], replications: 3)";
    let scenario = scenario_with(&cases, strategies, tune_section, 500);
    let dir = tempfile::tempdir().unwrap();
    let outcome = tune(&scenario, dir.path(), 1).unwrap_or_else(|_| panic!("tune"));
    assert_eq!(outcome.paired.len(), 1);
    let pair = &outcome.paired[0];
    assert_eq!((pair.hand_set.as_str(), pair.tuned.as_str()), ("low", "low tuned"));
    assert_eq!(pair.replications, 4);
    // Recompute from the fresh run of tuned.ron: replications 0..4.
    let tuned = Scenario::load(&dir.path().join("tuned.ron")).unwrap();
    assert_eq!(tuned.strategy_names(), ["first", "low", "low tuned"]);
    let run = common::run(&tuned, 1);
    let cost = echelon::sim::metrics::metric_index("total_cost").unwrap();
    let of = |s: usize| -> Vec<(u32, f64)> {
        let mut v: Vec<(u32, f64)> =
            run.records.iter().filter(|r| r.strategy == s).map(|r| (r.replication, r.network[cost])).collect();
        v.sort_by_key(|x| x.0);
        v
    };
    let (hand, tuned_runs) = (of(1), of(2));
    assert_eq!(hand.iter().map(|x| x.0).collect::<Vec<_>>(), [0, 1, 2, 3], "fresh replications 0 … n − 1");
    let diff: f64 = hand.iter().zip(&tuned_runs).map(|(a, b)| b.1 - a.1).sum::<f64>() / 4.0;
    assert!((pair.objective[2].mean - diff).abs() <= 1e-9 * diff.abs(), "{} vs {diff}", pair.objective[2].mean);
    assert!(pair.objective[2].mean < 0.0 && pair.objective[2].excludes_zero());
    assert_eq!(pair.dominance, echelon::tune::output::Dominance::Tuned);
    assert!(pair.dominance_significant);
    let lines = pair.verdicts();
    assert!(lines[0].starts_with("low tuned beats low on the objective (total cost per day)"), "{lines:?}");
    assert!(lines.iter().any(|l| l.starts_with("low tuned beats low on fill rate")), "{lines:?}");
    assert!(lines.iter().all(|l| !l.contains("first")), "{lines:?}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("tune.json")).unwrap()).unwrap();
    let entry = &json["paired"][0];
    assert_eq!(entry["hand_set"], "low");
    assert_eq!(entry["dominates"], "tuned");
    assert_eq!(entry["metrics"]["total_cost"]["better"], "low tuned");
}

/// The S minimising the summed exact cost of the cases `lambdas` (same L,
/// h, p), checked to beat S ± 1 by at least 2% (no near-tie).
fn joint_optimum(lambdas: &[f64], lead: u32, h: f64, p: f64) -> i64 {
    let cost = |s: i64| lambdas.iter().map(|&l| base_stock_cost(l, lead, h, p, s)).sum::<f64>();
    let best = (0..500).min_by(|&a, &b| cost(a).total_cmp(&cost(b))).unwrap();
    assert!(cost(best + 1) > cost(best) * 1.02, "near-tie above {best} for {lambdas:?}");
    assert!(best == 0 || cost(best - 1) > cost(best) * 1.02, "near-tie below {best} for {lambdas:?}");
    best
}

const BASE_STOCK_TUNE: &str = "(strategies: [\"policy\"], parameters: [(strategy: \"policy\", parameter: \"order_up_to\", min: 0, max: 500)], replications: 8, granularity: ";

/// Two identical SKUs (λ = 10, L = 0, p/h = 9) tuned as one group: one
/// value, the per-SKU critical-fractile optimum (14).
#[test]
fn global_granularity_on_identical_skus_gives_one_value_equal_to_the_per_sku_optimum() {
    let case = || Case { lambda: 10.0, lead: 0, h: 1.0, p: 9.0, k: 0.0 };
    let cases = [case(), case()];
    let scenario = scenario(&cases, "BaseStock(order_up_to: Units(3))", &format!("{BASE_STOCK_TUNE}Global)"), 4000);
    let plan = spec::check(scenario.file.tune.as_ref().unwrap(), &scenario.file).unwrap();
    let sls = tune::sku_locations(&scenario);
    let tuned = tune::tune_strategy(&scenario, &plan, 0, &sls).unwrap();
    assert_eq!(tuned.scores.len(), 1, "one group");
    assert_eq!(tuned.group, [0, 0]);
    let optimum = joint_optimum(&[10.0], 0, 1.0, 9.0);
    assert_eq!(optimum, 14);
    assert_eq!(tuned.values, [vec![optimum], vec![optimum]]);
}

/// Five SKUs at one location, equal unit costs, λ = 10, 10 (class A: 0 and
/// 37% of the demand value before them), 2.5, 1.5 (B: 82% and 92%), 0.4
/// (C: 98%); L = 0, p/h = 9. One value per class, each the minimiser of
/// the class's summed exact cost: A 14, B 4 (between the B SKUs' own
/// optima 5 and 3), C 1.
#[test]
fn per_abc_class_granularity_gives_one_value_per_class() {
    let cases: Vec<Case> =
        [10.0, 10.0, 2.5, 1.5, 0.4].iter().map(|&lambda| Case { lambda, lead: 0, h: 1.0, p: 9.0, k: 0.0 }).collect();
    let scenario =
        scenario(&cases, "BaseStock(order_up_to: Units(3))", &format!("{BASE_STOCK_TUNE}PerAbcClass)"), 4000);
    let plan = spec::check(scenario.file.tune.as_ref().unwrap(), &scenario.file).unwrap();
    let sls = tune::sku_locations(&scenario);
    let classes: String = sls.iter().map(|sl| sl.abc).collect();
    assert_eq!(classes, "AABBC");
    let tuned = tune::tune_strategy(&scenario, &plan, 0, &sls).unwrap();
    assert_eq!(tuned.scores.len(), 3, "one group per class");
    let a = joint_optimum(&[10.0, 10.0], 0, 1.0, 9.0);
    let b = joint_optimum(&[2.5, 1.5], 0, 1.0, 9.0);
    let c = joint_optimum(&[0.4], 0, 1.0, 9.0);
    assert_eq!((a, b, c), (14, 4, 1));
    let own: Vec<i64> = [2.5, 1.5].iter().map(|&l| joint_optimum(&[l], 0, 1.0, 9.0)).collect();
    assert_eq!(own, [5, 3], "the class value is a compromise, not either SKU's own optimum");
    let values: Vec<i64> = tuned.values.iter().map(|v| v[0]).collect();
    assert_eq!(values, [a, a, b, b, c]);
}

/// The same two SKUs at two locations with equal lead times (L = 0, p/h =
/// 9): one value per SKU shared by both locations, its optimum (λ = 4: 7,
/// λ = 10: 14).
#[test]
fn per_sku_granularity_shares_one_value_per_sku_across_locations() {
    let text = format!(
        r#"Scenario(
    name: "tune-per-sku",
    experiment: (horizon_days: 4000, warmup_days: 100, replications: 2, seed: 11),
    skus: [(id: "k0", unit_cost: 365.0, holding_rate: 1.0, backorder_penalty_per_day: 9.0),
           (id: "k1", unit_cost: 365.0, holding_rate: 1.0, backorder_penalty_per_day: 9.0)],
    suppliers: [(id: "supplier")],
    locations: [(id: "west"), (id: "east")],
    lanes: [(from: "supplier", to: "west", lead_time: Constant(days: 0.0)),
            (from: "supplier", to: "east", lead_time: Constant(days: 0.0))],
    demand: [(location: "west", sku: "k0", model: Poisson(mean: 4.0)), (location: "west", sku: "k1", model: Poisson(mean: 10.0)),
             (location: "east", sku: "k0", model: Poisson(mean: 4.0)), (location: "east", sku: "k1", model: Poisson(mean: 10.0))],
    strategies: [(name: "policy", replenishment: BaseStock(order_up_to: Units(3)))],
    tune: {BASE_STOCK_TUNE}PerSku),
)"#
    );
    let scenario = common::scenario_from_text("tune-per-sku.ron", &text);
    let plan = spec::check(scenario.file.tune.as_ref().unwrap(), &scenario.file).unwrap();
    let sls = tune::sku_locations(&scenario);
    let tuned = tune::tune_strategy(&scenario, &plan, 0, &sls).unwrap();
    assert_eq!(tuned.scores.len(), 2, "one group per SKU");
    let expected: Vec<i64> = sls
        .iter()
        .map(|sl| {
            let lambda = if scenario.model.skus[sl.sku].id == "k0" { 4.0 } else { 10.0 };
            joint_optimum(&[lambda, lambda], 0, 1.0, 9.0)
        })
        .collect();
    assert_eq!(expected.iter().filter(|&&v| v == 7).count(), 2);
    assert_eq!(expected.iter().filter(|&&v| v == 14).count(), 2);
    let values: Vec<i64> = tuned.values.iter().map(|v| v[0]).collect();
    assert_eq!(values, expected);
}

/// A number parameter searched on its grid: the service target of a
/// forecast-driven order-up-to policy, minimum holding + ordering under
/// fill rate ≥ 0.9. Checked against every grid value evaluated on the same
/// search replications: the tuned target is feasible and as cheap as the
/// cheapest feasible one; tuned.ron carries the value in place.
#[test]
fn a_number_parameter_is_tuned_on_its_grid_to_the_cheapest_feasible_value() {
    let cases = [Case { lambda: 4.0, lead: 2, h: 1.0, p: 0.0, k: 5.0 }];
    let tune_section = "(strategies: [\"policy\"], parameters: [(strategy: \"policy\", parameter: \"service_target\", min: 0.5, max: 0.98, step: 0.04)], \
                        objective: MinHoldingOrdering, constraints: [(metric: \"fill_rate\", target: 0.9)], granularity: Global, replications: 4)";
    let scenario =
        scenario(&cases, "ForecastOrderUpTo(forecast: Ses(alpha: 0.2), service_target: 0.54)", tune_section, 1500);
    let plan = spec::check(scenario.file.tune.as_ref().unwrap(), &scenario.file).unwrap();
    let param = &plan.strategies[0].params[0];
    assert_eq!((param.kind, param.min, param.max), (spec::ParamKind::Number, 0, 12));
    let economics: Vec<_> =
        (0..scenario.model.nodes.len()).map(|n| tune::probe::NodeEconomics::of(&scenario.model, n)).collect();
    let reps = tune::SEARCH_REPLICATION_BASE..tune::SEARCH_REPLICATION_BASE + 4;
    let grid: Vec<(f64, f64)> = (0..=12)
        .map(|i| {
            let runs = tune::evaluate(&scenario, &plan.strategies[0], &[vec![i]], reps.clone(), &economics).unwrap();
            let t = tune::pool(&runs);
            (tune::metric(spec::SlMetric::FillRate, &[&t[0]]), t[0].operating_cost())
        })
        .collect();
    assert!(grid[0].0 < 0.9 && grid[12].0 >= 0.9, "the grid straddles the target: {grid:?}");
    let cheapest = grid.iter().filter(|g| g.0 >= 0.9).map(|g| g.1).fold(f64::INFINITY, f64::min);
    let dir = tempfile::tempdir().unwrap();
    let outcome = tune(&scenario, dir.path(), 1).unwrap_or_else(|_| panic!("tune"));
    let index = outcome.tuned[0].values[0][0];
    assert_eq!(outcome.tuned[0].start, [vec![1]], "the hand-set 0.54 is grid index 1");
    assert!(grid[index as usize].0 >= 0.9, "tuned index {index} infeasible: {grid:?}");
    assert_eq!(grid[index as usize].1, cheapest, "tuned index {index}: {grid:?}");
    let tuned = Scenario::load(&dir.path().join("tuned.ron")).unwrap();
    let written = &tuned.file.strategies[1].replenishment;
    let target = echelon::strategies::tunable::numbers(written)[0].1;
    assert!((target - param.value(index)).abs() < 1e-12, "{target} vs {}", param.value(index));
}

/// With two service targets, each is tuned in turn and measured on the
/// fresh replications: tune.json's frontier holds both tuned points and the
/// hand-set one; the higher target buys more fill with more stock at every
/// SKU (base stock levels are monotone in the fill target); the target the
/// constraint names reproduces the main levels; report.html draws it.
#[test]
fn the_frontier_retunes_per_service_target_and_is_drawn_in_the_report_which_echelon_report_keeps() {
    let cases =
        [Case { lambda: 4.0, lead: 2, h: 1.0, p: 0.0, k: 0.0 }, Case { lambda: 9.0, lead: 2, h: 1.0, p: 0.0, k: 0.0 }];
    let tune_section = "(strategies: [\"policy\"], parameters: [(strategy: \"policy\", parameter: \"order_up_to\", min: 0, max: 500)], \
                        objective: MinHoldingOrdering, constraints: [(metric: \"fill_rate\", target: 0.95)], replications: 4, \
                        service_targets: [0.8, 0.95])";
    let scenario = scenario(&cases, "BaseStock(order_up_to: Units(20))", tune_section, 1500);
    let dir = tempfile::tempdir().unwrap();
    tune(&scenario, dir.path(), 2).unwrap_or_else(|_| panic!("tune"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("tune.json")).unwrap()).unwrap();
    let points = json["frontier"].as_array().unwrap();
    assert_eq!(points.len(), 3, "{points:?}");
    assert_eq!((points[0]["target"].as_f64(), points[1]["target"].as_f64()), (Some(0.8), Some(0.95)));
    assert_eq!(points[2]["strategy"], "policy");
    assert_eq!(points[2]["tuned"], false);
    let mean = |p: &serde_json::Value, key: &str| p[key]["mean"].as_f64().unwrap();
    assert!(mean(&points[1], "fill_rate") > mean(&points[0], "fill_rate"));
    assert!(mean(&points[1], "objective") > mean(&points[0], "objective"));
    let levels = |path: &Path| -> Vec<i64> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
            .collect()
    };
    let low = levels(&dir.path().join("frontier/frontier-0.8/levels.csv"));
    let high = levels(&dir.path().join("frontier/frontier-0.95/levels.csv"));
    assert_eq!(high, levels(&dir.path().join("levels.csv")), "the constraint's own target reproduces the main levels");
    assert!(low.iter().zip(&high).all(|(l, h)| l < h), "{low:?} vs {high:?}");
    let html = std::fs::read_to_string(dir.path().join("comparison/report.html")).unwrap();
    assert!(html.contains("id=\"tuned-frontier\""));
    let svg = std::fs::read_to_string(dir.path().join("comparison/charts/tuned-frontier.svg")).unwrap();
    assert!(svg.contains("policy tuned") && svg.contains("policy (hand-set)"));
    // `echelon report` on the comparison rebuilds the same page, the
    // tuner's frontier included (it used to drop it).
    std::fs::remove_file(dir.path().join("comparison/report.html")).unwrap();
    std::fs::remove_dir_all(dir.path().join("comparison/charts")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_echelon"))
        .arg("report")
        .arg(dir.path().join("comparison"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("comparison/report.html")).unwrap(), html);
    assert_eq!(std::fs::read_to_string(dir.path().join("comparison/charts/tuned-frontier.svg")).unwrap(), svg);
}

/// `Global` groups are per echelon level, so a number parameter tuned in a
/// network holds one value at the DC and another at the stores; tuned.ron
/// must carry each location's own value (it used to write the first
/// SKU-location's value for every location). Tuned values are set by hand
/// here: DC service target 0.58 (grid index 2), stores 0.78 (index 7).
#[test]
fn number_parameters_tuned_per_echelon_are_written_per_location() {
    let text = r#"Scenario(
    name: "tune-number-per-echelon",
    experiment: (horizon_days: 200, warmup_days: 20, replications: 2, seed: 11),
    skus: [(id: "k0", unit_cost: 365.0, holding_rate: 1.0, ordering_cost: 5.0)],
    suppliers: [(id: "supplier")],
    locations: [(id: "dc"), (id: "west"), (id: "east")],
    lanes: [(from: "supplier", to: "dc", lead_time: Constant(days: 3.0)),
            (from: "dc", to: "west", lead_time: Constant(days: 1.0)),
            (from: "dc", to: "east", lead_time: Constant(days: 1.0))],
    demand: [(location: "west", sku: "k0", model: Poisson(mean: 4.0)),
             (location: "east", sku: "k0", model: Poisson(mean: 6.0))],
    strategies: [(name: "policy", replenishment: ForecastOrderUpTo(forecast: Ses(alpha: 0.2), service_target: 0.54))],
    tune: (strategies: ["policy"], parameters: [(strategy: "policy", parameter: "service_target", min: 0.5, max: 0.98, step: 0.04)],
           objective: MinHoldingOrdering, constraints: [(metric: "fill_rate", target: 0.9)], granularity: Global, replications: 2),
)"#;
    let scenario = common::scenario_from_text("tune-number-per-echelon.ron", text);
    let plan = spec::check(scenario.file.tune.as_ref().unwrap(), &scenario.file).unwrap();
    let sls = tune::sku_locations(&scenario);
    let id = |sl: &SkuLocation| scenario.model.nodes[sl.node].id.clone();
    let index = |sl: &SkuLocation| if id(sl) == "dc" { 2 } else { 7 };
    let heights: Vec<u32> = sls.iter().map(|sl| sl.height).collect();
    assert!(heights.contains(&0) && heights.contains(&1), "two echelons: {heights:?}");
    let tuned = tune::Tuned {
        plan: plan.strategies[0].clone(),
        values: sls.iter().map(|sl| vec![index(sl)]).collect(),
        start: sls.iter().map(|_| vec![1]).collect(),
        evaluations: vec![0; sls.len()],
        group: sls.iter().map(|sl| sl.height as usize).collect(),
        scores: vec![tune::search::Score::default(); 2],
        found_feasible: vec![true; 2],
        runs: Vec::new(),
        rounds: 0,
    };
    let file = tune::output::tuned_file(&scenario, std::slice::from_ref(&tuned));
    let ron = ron::ser::to_string_pretty(&file, ron::ser::PrettyConfig::default()).unwrap();
    let reloaded = common::scenario_from_text("tuned.ron", &ron);
    let strategy = &reloaded.file.strategies[1];
    assert_eq!(strategy.name, "policy tuned");
    for location in ["dc", "west", "east"] {
        let spec = strategy.at.get(location).unwrap_or(&strategy.replenishment);
        let written = echelon::strategies::tunable::numbers(spec)
            .into_iter()
            .find(|(n, _)| n == "service_target")
            .map(|(_, v)| v)
            .unwrap();
        let expected = if location == "dc" { 0.58 } else { 0.78 };
        assert!((written - expected).abs() < 1e-12, "{location}: {written} written, {expected} tuned");
    }
    // The hand-set strategy is untouched.
    assert!(reloaded.file.strategies[0].at.is_empty());
}

/// `echelon tune` into a directory that holds anything — an earlier
/// tune, a study's results, the user's own files — is refused before the
/// search unless `--force`, and nothing there changes.
#[test]
fn tune_writes_into_a_non_empty_directory_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("levels.csv");
    std::fs::write(&mine, "mine\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_echelon"))
        .args(["tune", "scenarios/tune-single-location.ron", "--out"])
        .arg(dir.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not empty; nothing was changed") && stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "mine\n");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "nothing written");
}
