//! Run orchestration: the runs of a [`Study`] in parallel, collected in
//! coordinate order.
//!
//! # Contract
//!
//! Runs are independent: each builds fresh strategy instances and derives
//! its random streams from (seed, replication) only. A raised stop flag
//! skips the runs not yet started and abandons those in flight at their
//! next simulated day (they are discarded, not reported). Rayon's indexed
//! `collect` keeps results in run-index order whatever thread finishes
//! first, and every reduction over runs happens afterwards, sequentially,
//! in that order. Hence results are byte-identical for any thread count.
//! Wall-clock figures are gathered into [`Timing`], apart from the results.
//!
//! A run that panics (a strategy's bug, or a plugged-in strategy that broke
//! its contract: the registry's checks panic naming it) is caught at the
//! run boundary: the runs not yet started are skipped, those in flight
//! finish and are reported, and [`Outcome::failure`] names the first failed
//! run (in run order), its strategy and the panic message.
//!
//! The representative replication of `trace.json` ([`representative`]) is
//! recorded during the study's own runs when the study runs it — replication
//! 0 of each strategy, when the scenario has no sweep (then its one point is
//! the scenario as given) — so it is not simulated a second time. Tracing
//! only records: a traced run's results are those of an untraced one. Runs
//! the study did not execute (a sweep, a shard, runs resumed from the log)
//! are simulated for the trace afterwards.

use crate::study::{Coordinate, Study};
use echelon_reports::record::RunRecord;
use echelon_reports::representative::{PointSeries, Representative, StrategyTrace, Window, merge_series};
use echelon_sim::disruption::{Disruption, Timeline};
use echelon_sim::engine::{self, NetworkBalance, RunOutput, Trace, UnitBalance};
use hdrhistogram::Histogram;
use rayon::prelude::*;
use serde::Serialize;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// A run's record, unit balances, size in SKU-location-days and, for a
/// representative run, its strategy's trace.
type RunOutputs = (RunRecord, (Vec<UnitBalance>, NetworkBalance), u64, Option<StrategyTrace>);

/// The point whose replication 0 is the representative run (`trace.json`):
/// the only point of a study without a sweep, whose scenario is the one
/// given. A swept study's points all differ from it (none is traced).
fn traced_point(study: &Study) -> Option<usize> {
    (study.base.file.sweep.is_empty() && study.points.len() == 1).then_some(0)
}

/// Simulates the run at `at` (traced when it is a representative run);
/// adds its decision compute times to `compute`. `None` when `stop` was
/// raised before the run ended (it is discarded).
fn run_one(
    study: &Study,
    at: Coordinate,
    compute: &Mutex<Histogram<u64>>,
    stop: Option<&AtomicBool>,
    series: &Mutex<Vec<PointSeries>>,
) -> Option<RunOutputs> {
    let scenario = &study.points[at.point].scenario;
    let allocation = scenario.allocation(at.strategy);
    let policies = scenario.policies(at.strategy, &*allocation);
    let representative = at.replication == 0 && traced_point(study) == Some(at.point);
    // Every run is traced (a few integers per day) for the report's
    // mean-and-band series; the trace is summed in and dropped here.
    let (out, trace) = engine::simulate_with(&scenario.model, at.replication, policies, stop, true)?;
    let trace = trace.expect("tracing was on");
    add_run(study, &mut series.lock().unwrap_or_else(|e| e.into_inner()), at, &trace);
    let trace = representative.then(|| strategy_trace(study, at.strategy, &out, trace));
    let record = RunRecord {
        point: at.point,
        strategy: at.strategy,
        replication: at.replication,
        network: out.network,
        nodes: out.nodes,
        events: out.events,
        random_events: out.random_events,
        classes: out.classes,
        lanes: out.lanes,
        skus: out.skus,
        abc: out.abc,
    };
    compute.lock().unwrap_or_else(|e| e.into_inner()).add(&out.decision_ns).expect("auto-resizing histogram");
    Some((record, (out.balances, out.network_balance), out.sku_location_days, trace))
}

/// Adds run `at`'s trace to the summed series (integer sums: the order
/// runs finish in does not matter).
fn add_run(study: &Study, series: &mut Vec<PointSeries>, at: Coordinate, trace: &Trace) {
    let i = match series.binary_search_by_key(&(at.point, at.strategy), |t| (t.point, t.strategy)) {
        Ok(i) => i,
        Err(i) => {
            // The point's timed windows, once per (point, strategy).
            let timeline = Timeline::new(&study.points[at.point].scenario.model, 0);
            let events = timeline
                .timed()
                .iter()
                .filter(|d| shown(d))
                .map(|d| Window { name: d.name.clone(), start_day: d.start_day, end_day: d.end_day })
                .collect();
            let new = PointSeries { point: at.point, strategy: at.strategy, events, ..PointSeries::default() };
            series.insert(i, new);
            i
        }
    };
    let s = &mut series[i];
    s.runs += 1;
    s.first_day = trace.first_day;
    s.on_hand.add(&trace.on_hand);
    s.backorders.add(&trace.backorders);
    s.ordered.add(&trace.ordered);
    s.add_latency(&trace.latency);
}

/// The summed series of the runs at `coordinates`, simulated again (for
/// runs a resumed study took from its log).
pub fn trace_runs(study: &Study, coordinates: &[Coordinate], threads: usize) -> Vec<PointSeries> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let series = Mutex::new(Vec::new());
    pool.install(|| {
        coordinates.par_iter().for_each(|&at| {
            let scenario = &study.points[at.point].scenario;
            let allocation = scenario.allocation(at.strategy);
            let policies = scenario.policies(at.strategy, &*allocation);
            if let Ok(Some((_, Some(trace)))) =
                catch(|| engine::simulate_with(&scenario.model, at.replication, policies, None, true))
            {
                add_run(study, &mut series.lock().unwrap_or_else(|e| e.into_inner()), at, &trace);
            }
        })
    });
    series.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Adds `more` to `series` (per point and strategy).
pub fn keep_series(series: &mut Vec<PointSeries>, more: &[PointSeries]) {
    merge_series(series, more);
}

/// Wall-clock measurements of a study (not deterministic; `timing.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// Elapsed seconds for all runs.
    pub wall_seconds: f64,
    /// Worker threads.
    pub threads: usize,
    /// Runs executed.
    pub runs: usize,
    /// SKU-location-days simulated.
    pub sku_location_days: u64,
    /// Throughput.
    pub sku_location_days_per_sec: f64,
    /// Wall-clock nanoseconds per SKU decision of the strategies.
    pub decision_compute_ns: ComputeLatency,
}

impl Timing {
    /// This batch's timing with the `earlier` batches' runs, simulated
    /// days and seconds added (a precision target runs a study in
    /// batches); the decision compute times stay this batch's.
    pub fn after(self, earlier: Option<&Timing>) -> Timing {
        let Some(earlier) = earlier else { return self };
        let (wall_seconds, sku_location_days) =
            (self.wall_seconds + earlier.wall_seconds, self.sku_location_days + earlier.sku_location_days);
        Timing {
            wall_seconds,
            runs: self.runs + earlier.runs,
            sku_location_days,
            sku_location_days_per_sec: if wall_seconds > 0.0 { sku_location_days as f64 / wall_seconds } else { 0.0 },
            ..self
        }
    }
}

/// Percentiles of the decision compute time.
#[derive(Debug, Clone, Serialize)]
pub struct ComputeLatency {
    /// What is measured, and on which calls.
    pub description: String,
    /// Median, ns.
    pub p50: u64,
    /// 99th percentile, ns.
    pub p99: u64,
    /// Maximum, ns.
    pub max: u64,
    /// Decision calls measured.
    pub count: u64,
}

/// Everything a study produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// One record per run, in (point, strategy, replication) order.
    pub records: Vec<RunRecord>,
    /// Per run, the unit balance of each node.
    pub balances: Vec<Vec<UnitBalance>>,
    /// Per run, the balance of goods between nodes.
    pub network_balances: Vec<NetworkBalance>,
    /// Wall-clock figures.
    pub timing: Timing,
    /// Were runs skipped because the stop flag was raised?
    pub interrupted: bool,
    /// The first run (in run order) whose strategy failed, if any.
    pub failure: Option<RunFailure>,
    /// Per strategy, its representative run's trace when this execution
    /// ran it (see the module doc); [`representative`] simulates the rest.
    pub traces: Vec<Option<StrategyTrace>>,
    /// The network series of every run executed, summed per (point,
    /// strategy), sorted.
    pub series: Vec<PointSeries>,
}

/// A run that panicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFailure {
    /// Which run.
    pub at: Coordinate,
    /// The strategy's name in the scenario.
    pub strategy: String,
    /// The plugged-in strategies it uses (`Custom` names), if any.
    pub plugins: Vec<String>,
    /// The panic message (and where it was raised, when the panic hook
    /// [`note_panic_location`] recorded it).
    pub message: String,
}

impl std::fmt::Display for RunFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "strategy \"{}\"{} failed in the run of point {}, replication {}: {}",
            self.strategy,
            if self.plugins.is_empty() {
                String::new()
            } else {
                format!(
                    " (plugged-in {})",
                    self.plugins.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ")
                )
            },
            self.at.point,
            self.at.replication,
            self.message
        )
    }
}

thread_local! {
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A strategy's deliberate failure — its contract broken, or user code it
/// wraps (a Python policy) raised: `std::panic::panic_any(StrategyFailure(
/// message))` fails the run with the message alone, without the source
/// location that a bug's panic carries.
#[derive(Debug, Clone)]
pub struct StrategyFailure(pub String);

/// For a panic hook: remembers where the current thread panicked, so a
/// [`RunFailure`] can say it (not for a [`StrategyFailure`]). (The command
/// line installs a hook that calls this instead of printing the panic.)
pub fn note_panic_location(info: &panic::PanicHookInfo<'_>) {
    let deliberate = info.payload().downcast_ref::<StrategyFailure>().is_some();
    let at = info.location().filter(|_| !deliberate).map(|l| format!("{}:{}", l.file(), l.line()));
    PANIC_LOCATION.with(|cell| *cell.borrow_mut() = at);
}

/// The message a panic carries: a [`StrategyFailure`]'s, or its text.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<StrategyFailure>()
        .map(|f| f.0.clone())
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".into())
}

/// Runs `f`; a panic becomes its message (with its location when noted).
fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    PANIC_LOCATION.with(|cell| cell.borrow_mut().take());
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = panic_message(&*payload);
        match PANIC_LOCATION.with(|cell| cell.borrow_mut().take()) {
            Some(at) => format!("{message} (at {at})"),
            None => message,
        }
    })
}

/// The `Custom` names strategy `index` of `study` uses.
fn plugins_of(study: &Study, index: usize) -> Vec<String> {
    use echelon_strategies::registry::{AllocationSpec, ExpeditesSpec, ReplenishmentSpec, TransfersSpec};
    fn of(spec: &ReplenishmentSpec, out: &mut Vec<String>) {
        match spec {
            ReplenishmentSpec::Custom { name, .. } => out.push(name.clone()),
            ReplenishmentSpec::Fallback { primary, fallback, .. } => {
                of(primary, out);
                of(fallback, out);
            }
            _ => {}
        }
    }
    let strategy = &study.base.file.strategies[index];
    let mut out = Vec::new();
    of(&strategy.replenishment, &mut out);
    strategy.at.values().for_each(|spec| of(spec, &mut out));
    if let AllocationSpec::Custom { name, .. } = &strategy.allocation {
        out.push(name.clone());
    }
    if let Some(TransfersSpec::Custom(c)) = &strategy.transfers {
        out.push(c.name.clone());
    }
    if let Some(ExpeditesSpec::Custom(c)) = &strategy.expedites {
        out.push(c.name.clone());
    }
    out.sort();
    out.dedup();
    out
}

fn failure(study: &Study, at: Coordinate, message: String) -> RunFailure {
    RunFailure {
        at,
        strategy: study.base.file.strategies[at.strategy].name.clone(),
        plugins: plugins_of(study, at.strategy),
        message,
    }
}

/// Runs every run of `study` on `threads` worker threads.
pub fn execute(study: &Study, threads: usize) -> Outcome {
    execute_runs(study, threads, study.coordinates(), &Hooks::default())
}

/// What the caller sees while runs execute.
#[derive(Default)]
pub struct Hooks<'a> {
    /// Called with each record as soon as its run completes (in completion
    /// order, from worker threads).
    pub on_finish: Option<&'a (dyn Fn(&RunRecord) + Sync)>,
    /// When raised, runs not yet started are skipped and runs in flight
    /// stop at their next simulated day and are discarded (never reported
    /// half-done).
    pub stop: Option<&'a AtomicBool>,
}

/// Runs the given runs of `study`.
pub fn execute_runs(study: &Study, threads: usize, coordinates: Vec<Coordinate>, hooks: &Hooks<'_>) -> Outcome {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
    let started = Instant::now();
    let stopped = || hooks.stop.is_some_and(|s| s.load(Ordering::SeqCst));
    // Runs keep only their metrics: compute times merge as runs finish.
    let compute = Mutex::new(Histogram::<u64>::new(3).expect("valid precision"));
    let failures: Mutex<Vec<RunFailure>> = Mutex::new(Vec::new());
    let failed = AtomicBool::new(false);
    let series = Mutex::new(Vec::new());
    let outputs: Vec<Option<RunOutputs>> = pool.install(|| {
        coordinates
            .par_iter()
            .with_max_len(1)
            .map(|&at| {
                if stopped() || failed.load(Ordering::SeqCst) {
                    return None;
                }
                let outputs = match catch(|| run_one(study, at, &compute, hooks.stop, &series)) {
                    Ok(outputs) => outputs?,
                    Err(message) => {
                        failed.store(true, Ordering::SeqCst);
                        failures.lock().unwrap_or_else(|e| e.into_inner()).push(failure(study, at, message));
                        return None;
                    }
                };
                if let Some(on_finish) = hooks.on_finish {
                    on_finish(&outputs.0);
                }
                Some(outputs)
            })
            .collect()
    });
    let wall_seconds = started.elapsed().as_secs_f64();
    let outputs: Vec<RunOutputs> = outputs.into_iter().flatten().collect();
    let compute = compute.into_inner().unwrap_or_else(|e| e.into_inner());
    let failure = failures.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().min_by_key(|f| f.at);
    let mut sku_location_days = 0;
    let mut records = Vec::with_capacity(outputs.len());
    let mut balances = Vec::with_capacity(outputs.len());
    let mut network_balances = Vec::with_capacity(outputs.len());
    let mut traces = vec![None; study.base.file.strategies.len()];
    for (record, (balance, network_balance), days, trace) in outputs {
        if let Some(trace) = trace {
            traces[record.strategy] = Some(trace);
        }
        network_balances.push(network_balance);
        sku_location_days += days;
        records.push(record);
        balances.push(balance);
    }
    let timing = Timing {
        wall_seconds,
        threads,
        runs: records.len(),
        sku_location_days,
        sku_location_days_per_sec: sku_location_days as f64 / wall_seconds.max(1e-9),
        decision_compute_ns: ComputeLatency {
            description: format!(
                "wall-clock nanoseconds per SKU decision, measured on every {}th decision call of each run \
                 (a node's periodic review: decide time / its SKUs; a continuous-review order decision), \
                 the first included; count = calls measured",
                engine::COMPUTE_SAMPLE_EVERY
            ),
            p50: compute.value_at_quantile(0.5),
            p99: compute.value_at_quantile(0.99),
            max: compute.max(),
            count: compute.len(),
        },
    };
    let interrupted = stopped();
    let series = series.into_inner().unwrap_or_else(|e| e.into_inner());
    Outcome { records, balances, network_balances, timing, interrupted, failure, traces, series }
}

/// Replication 0 of every strategy in the scenario as given (overrides
/// applied, sweep not), traced day by day, with the scenario's description
/// and disruption windows — random outages' included — with each
/// strategy's impact in them (`trace.json`). The `traces` an execution
/// recorded ([`Outcome::traces`]) are used as they are; the other
/// strategies' replication 0 is simulated here. A strategy that panics is
/// reported as in [`execute_runs`].
pub fn representative(study: &Study, traces: &[Option<StrategyTrace>]) -> Result<Representative, RunFailure> {
    let scenario = &study.base;
    let strategies = (0..scenario.file.strategies.len())
        .map(|s| match traces.get(s) {
            Some(Some(trace)) => Ok(trace.clone()),
            _ => {
                let allocation = scenario.allocation(s);
                let traced = catch(|| engine::simulate_traced(&scenario.model, 0, scenario.policies(s, &*allocation)));
                let at = Coordinate { point: 0, strategy: s, replication: 0 };
                let (out, trace) = traced.map_err(|message| failure(study, at, message))?;
                Ok(strategy_trace(study, s, &out, trace))
            }
        })
        .collect::<Result<_, RunFailure>>()?;
    let timeline = Timeline::new(&scenario.model, 0);
    let events = timeline
        .disruptions()
        .iter()
        .filter(|d| shown(d))
        .map(|d| Window { name: d.name.clone(), start_day: d.start_day, end_day: d.end_day })
        .collect();
    Ok(Representative {
        description: scenario.file.description.clone(),
        replication: 0,
        events,
        strategies,
        series: Vec::new(),
    })
}

/// Adds the traces `more` holds to `traces` (per strategy).
pub fn keep_traces(traces: &mut Vec<Option<StrategyTrace>>, more: Vec<Option<StrategyTrace>>) {
    traces.resize(traces.len().max(more.len()), None);
    for (kept, new) in traces.iter_mut().zip(more) {
        if new.is_some() {
            *kept = new;
        }
    }
}

/// Is a disruption window shown in `trace.json`?
fn shown(d: &Disruption) -> bool {
    d.end_day > d.start_day
}

/// Strategy `s`'s trace of its representative run `out` (replication 0 of
/// the scenario as given).
fn strategy_trace(study: &Study, s: usize, out: &RunOutput, trace: Trace) -> StrategyTrace {
    let scenario = &study.base;
    // Timed events, then random outages' windows: the order of a run's
    // impacts (`events`, then `random_events`).
    let timeline = Timeline::new(&scenario.model, 0);
    let impacts = out.events.iter().chain(out.random_events.iter().map(|w| &w.impact));
    let events = timeline.disruptions().iter().zip(impacts).filter(|(d, _)| shown(d)).map(|(_, i)| i.into());
    StrategyTrace {
        name: scenario.file.strategies[s].name.clone(),
        first_day: trace.first_day,
        on_hand: trace.on_hand,
        backorders: trace.backorders,
        ordered: trace.ordered,
        demand: trace.demand,
        latency: trace.latency,
        events: events.collect(),
    }
}
