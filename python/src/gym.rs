//! The native core of `echelon.gym` (`python/echelon/gym.py` is the
//! public face and documents the environments).
//!
//! A [`GymCore`] holds `N` episodes — runs of one scenario strategy in
//! which the controlled locations' orders come from the actions
//! ([`echelon::sim::engine::Stepper`]) — and NumPy buffers it fills in
//! place: the observation arrays, the rewards, the truncation flags and
//! the day outcomes. [`GymCore::step`] and [`GymCore::reset`] advance every
//! episode asked for in one call, in parallel on rayon's threads with the
//! GIL released, with no Python code per episode.
//!
//! An episode owns what its run borrows (the model for its seed, the
//! scenario's strategies and allocation rule) through `self_cell`: a reset
//! drops the old episode whole, nothing is leaked. The model of a seed is
//! the scenario's with `experiment.seed` replaced — what `--seed` does on
//! the command line (the catalogue has its own seed), so episode
//! (seed, replication) draws the command line's common random numbers.
//!
//! A run that panics (a Python policy at an uncontrolled location raised)
//! drops its episode and raises `RuntimeError`; the environment must then
//! be reset.

use crate::study::Study;
use echelon::scenario::Scenario;
use echelon::sim::engine::{ActionMode, DayOutcome, Stepper};
use echelon::sim::model::Model;
use echelon::sim::strategy::Allocation;
use numpy::{PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use rayon::prelude::*;
use self_cell::self_cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};

/// Adds `GymCore`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<GymCore>()
}

/// The day-outcome fields, in the order of a row of `GymCore.outcomes`
/// (and the keys of `info`).
pub const OUTCOME_FIELDS: [&str; 16] = [
    "day",
    "demand",
    "served_from_stock",
    "lost",
    "on_hand_end",
    "backorders_end",
    "orders",
    "ordered_units",
    "holding_cost",
    "ordering_cost",
    "transport_cost",
    "shortage_cost",
    "expedite_cost",
    "transfer_cost",
    "lost_in_transit_cost",
    "total_cost",
];

fn outcome_row(o: &DayOutcome, row: &mut [f64]) {
    let values = [
        f64::from(o.day),
        o.demand as f64,
        o.served_from_stock as f64,
        o.lost as f64,
        o.on_hand_end as f64,
        o.backorders_end as f64,
        o.orders as f64,
        o.ordered_units as f64,
        o.holding_cost,
        o.ordering_cost,
        o.transport_cost,
        o.shortage_cost,
        o.expedite_cost,
        o.transfer_cost,
        o.lost_in_transit_cost,
        o.total_cost,
    ];
    row.copy_from_slice(&values);
}

/// What an episode's run borrows.
struct Owner {
    model: Arc<Model>,
    scenario: Arc<Scenario>,
    allocation: Arc<dyn Allocation>,
    strategy: usize,
    control: Arc<Vec<usize>>,
    mode: ActionMode,
    replication: u32,
}

type Run<'a> = Stepper<'a>;

self_cell!(
    /// One episode: a run and what it borrows.
    struct Episode {
        owner: Owner,
        #[not_covariant]
        dependent: Run,
    }
);

/// One environment: its episode (none before the first reset, or after a
/// failed run) and its coordinates. (Kept in a `Mutex` only so that the
/// class is `Sync`: a run's strategies are `Send`, not `Sync`; the core is
/// only ever used through `&mut self`, so the lock is never taken.)
struct Env {
    episode: Option<Episode>,
    seed: u64,
    replication: u32,
}

/// One environment's rows of the buffers.
struct Rows<'a> {
    on_hand: &'a mut [i64],
    backorders: &'a mut [i64],
    pipeline: &'a mut [i64],
    position: &'a mut [i64],
    /// `width × window`, SKU-location-major: `[k * window + j]` is the
    /// demand `j` days before the last day run.
    demand: &'a mut [i64],
    day: &'a mut i64,
    reward: &'a mut f64,
    truncated: &'a mut bool,
    outcome: &'a mut [f64],
}

impl Rows<'_> {
    fn observe(&mut self, stepper: &Stepper<'_>, window: usize) {
        let o = stepper.observation();
        self.on_hand.copy_from_slice(&o.on_hand);
        self.backorders.copy_from_slice(&o.backorders);
        self.pipeline.copy_from_slice(&o.on_order);
        self.position.copy_from_slice(&o.position);
        *self.day = i64::from(o.day);
        for (k, &today) in o.demand.iter().enumerate() {
            let days = &mut self.demand[k * window..(k + 1) * window];
            days.copy_within(0..window - 1, 1);
            days[0] = today;
        }
    }
}

/// What one environment is asked to do in a call.
#[derive(Clone, Copy)]
enum Task<'a> {
    Skip,
    Reset { seed: u64, replication: u32 },
    Step(&'a [i64]),
}

/// The episodes and buffers of `echelon.gym`'s environments.
#[pyclass(module = "echelon._echelon")]
pub struct GymCore {
    scenario: Arc<Scenario>,
    allocation: Arc<dyn Allocation>,
    strategy: usize,
    control: Arc<Vec<usize>>,
    mode: ActionMode,
    width: usize,
    window: usize,
    /// The model of the last seed asked for.
    model: Option<(u64, Arc<Model>)>,
    envs: Vec<Mutex<Env>>,
    /// Buffers, one row per environment.
    #[pyo3(get)]
    on_hand: Py<PyArray2<i64>>,
    #[pyo3(get)]
    backorders: Py<PyArray2<i64>>,
    #[pyo3(get)]
    pipeline: Py<PyArray2<i64>>,
    #[pyo3(get)]
    position: Py<PyArray2<i64>>,
    #[pyo3(get)]
    demand: Py<PyArray3<i64>>,
    #[pyo3(get)]
    day: Py<PyArray1<i64>>,
    #[pyo3(get)]
    rewards: Py<PyArray1<f64>>,
    #[pyo3(get)]
    truncated: Py<PyArray1<bool>>,
    #[pyo3(get)]
    outcomes: Py<PyArray2<f64>>,
}

fn value_error(message: String) -> PyErr {
    PyValueError::new_err(message)
}

#[pymethods]
impl GymCore {
    /// `num_envs` environments on `study`'s scenario; strategy `strategy`
    /// decides at the locations not in `control` (and at the controlled
    /// ones during the warm-up); `mode` is "order_up_to" or
    /// "order_quantity"; `window` days of demand are observed.
    #[new]
    #[pyo3(signature = (study, strategy, control, mode, num_envs, window))]
    fn new(
        py: Python<'_>,
        study: &Bound<'_, Study>,
        strategy: usize,
        control: Vec<String>,
        mode: &str,
        num_envs: usize,
        window: usize,
    ) -> PyResult<Self> {
        let loaded = study.get().loaded();
        if loaded.study.points.len() > 1 {
            return Err(value_error(format!(
                "the scenario sweeps {} points; an environment runs one: fix the swept parameters with set=",
                loaded.study.points.len()
            )));
        }
        let scenario = Arc::clone(&loaded.study.points[0].scenario);
        let names = scenario.strategy_names();
        if strategy >= names.len() {
            return Err(value_error(format!("strategy {strategy}: the scenario has {} strategies", names.len())));
        }
        let mode = match mode {
            "order_up_to" => ActionMode::OrderUpTo,
            "order_quantity" => ActionMode::OrderQuantity,
            other => {
                return Err(value_error(format!("action={other:?}: expected \"order_up_to\" or \"order_quantity\"")));
            }
        };
        if num_envs == 0 || window == 0 {
            return Err(value_error("num_envs and demand_window must be at least 1".into()));
        }
        let model = &scenario.model;
        let locations: Vec<&str> = model.nodes.iter().map(|n| n.id.as_str()).collect();
        if control.is_empty() {
            return Err(value_error(format!(
                "control: name at least one location to control; the scenario's locations are {}",
                locations.join(", ")
            )));
        }
        let mut nodes = Vec::with_capacity(control.len());
        for name in &control {
            let Some(node) = locations.iter().position(|l| l == name) else {
                return Err(value_error(format!(
                    "control: unknown location {name:?}; the scenario's locations are {}",
                    locations.join(", ")
                )));
            };
            if nodes.contains(&node) {
                return Err(value_error(format!("control: location {name:?} is listed twice")));
            }
            nodes.push(node);
        }
        let width: usize = nodes.iter().map(|&n| model.nodes[n].skus.len()).sum();
        let allocation = scenario.allocation(strategy);
        Ok(Self {
            allocation,
            strategy,
            control: Arc::new(nodes),
            mode,
            width,
            window,
            model: None,
            envs: (0..num_envs).map(|_| Mutex::new(Env { episode: None, seed: 0, replication: 0 })).collect(),
            on_hand: PyArray2::zeros(py, [num_envs, width], false).unbind(),
            backorders: PyArray2::zeros(py, [num_envs, width], false).unbind(),
            pipeline: PyArray2::zeros(py, [num_envs, width], false).unbind(),
            position: PyArray2::zeros(py, [num_envs, width], false).unbind(),
            demand: PyArray3::zeros(py, [num_envs, width, window], false).unbind(),
            day: PyArray1::zeros(py, [num_envs], false).unbind(),
            rewards: PyArray1::zeros(py, [num_envs], false).unbind(),
            truncated: PyArray1::from_vec(py, vec![false; num_envs]).unbind(),
            outcomes: PyArray2::zeros(py, [num_envs, OUTCOME_FIELDS.len()], false).unbind(),
            scenario,
        })
    }

    /// Controlled SKU-locations: the length of one environment's action.
    #[getter]
    fn width(&self) -> usize {
        self.width
    }

    /// Number of environments.
    #[getter]
    fn num_envs(&self) -> usize {
        self.envs.len()
    }

    /// The scenario's seed.
    #[getter]
    fn scenario_seed(&self) -> u64 {
        self.scenario.model.experiment.seed
    }

    /// Days simulated per episode (warm-up included).
    #[getter]
    fn horizon_days(&self) -> u32 {
        self.scenario.model.experiment.horizon_days
    }

    /// Warm-up days (run at reset under the scenario strategy).
    #[getter]
    fn warmup_days(&self) -> u32 {
        self.scenario.model.experiment.warmup_days
    }

    /// The names of the fields of an `outcomes` row.
    #[getter]
    fn outcome_fields(&self) -> Vec<&'static str> {
        OUTCOME_FIELDS.to_vec()
    }

    /// (location, SKU) of each controlled SKU-location, in action order.
    fn labels(&self) -> Vec<(String, String)> {
        let model = &self.scenario.model;
        self.control
            .iter()
            .flat_map(|&n| {
                model.nodes[n].skus.iter().map(move |&g| (model.nodes[n].id.clone(), model.skus[g].id.clone()))
            })
            .collect()
    }

    /// Mean daily demand of each controlled SKU-location (its customers'
    /// and the locations it feeds), in action order.
    fn mean_demand(&self) -> Vec<f64> {
        let model = &self.scenario.model;
        self.control.iter().flat_map(|&n| model.mean_daily_demand_of(n).iter().copied()).collect()
    }

    /// Starts a new episode in each environment `envs[i]`, of run
    /// (`seeds[i]`, `replications[i]`), runs its warm-up and writes its
    /// first observation.
    fn reset(&mut self, py: Python<'_>, envs: Vec<usize>, seeds: Vec<u64>, replications: Vec<u32>) -> PyResult<()> {
        if envs.len() != seeds.len() || envs.len() != replications.len() {
            return Err(value_error("reset: envs, seeds and replications differ in length".into()));
        }
        let mut tasks = vec![Task::Skip; self.envs.len()];
        for ((&env, &seed), &replication) in envs.iter().zip(&seeds).zip(&replications) {
            if env >= self.envs.len() {
                return Err(value_error(format!("reset: no environment {env} (of {})", self.envs.len())));
            }
            tasks[env] = Task::Reset { seed, replication };
        }
        self.run(py, &tasks)
    }

    /// Steps every environment: `actions[i]` (one row of `width` values,
    /// already checked finite and within bounds, rounded here to the
    /// nearest unit) for environment `i`, except those with
    /// `autoreset[i]`, which start their next episode instead (of
    /// `seeds[i]`, `replications[i]`).
    fn step(
        &mut self,
        py: Python<'_>,
        actions: PyReadonlyArray2<'_, f64>,
        autoreset: Vec<bool>,
        seeds: Vec<u64>,
        replications: Vec<u32>,
    ) -> PyResult<()> {
        let n = self.envs.len();
        let shape = actions.shape();
        if shape != [n, self.width] {
            return Err(value_error(format!(
                "action: expected shape ({n}, {}) (environments × controlled SKU-locations), got {shape:?}",
                self.width
            )));
        }
        if autoreset.len() != n || seeds.len() != n || replications.len() != n {
            return Err(value_error("step: autoreset, seeds and replications need one entry per environment".into()));
        }
        let rounded: Vec<i64> = actions.as_array().iter().map(|&a| a.round() as i64).collect();
        let tasks: Vec<Task<'_>> = (0..n)
            .map(|i| {
                if autoreset[i] {
                    Task::Reset { seed: seeds[i], replication: replications[i] }
                } else {
                    Task::Step(&rounded[i * self.width..(i + 1) * self.width])
                }
            })
            .collect();
        self.run(py, &tasks)
    }
}

impl GymCore {
    /// The model of `seed` (cached for the last seed asked for).
    fn model_of(&mut self, seed: u64) -> Arc<Model> {
        match &self.model {
            Some((s, model)) if *s == seed => Arc::clone(model),
            _ => {
                let model = if seed == self.scenario.model.experiment.seed {
                    Arc::new(self.scenario.model.clone())
                } else {
                    let mut model = self.scenario.model.clone();
                    model.experiment.seed = seed;
                    Arc::new(model)
                };
                self.model = Some((seed, Arc::clone(&model)));
                model
            }
        }
    }

    /// Does `tasks` (one per environment) in parallel with the GIL
    /// released, writing each environment's rows.
    fn run(&mut self, py: Python<'_>, tasks: &[Task<'_>]) -> PyResult<()> {
        let mut owners: Vec<Option<Owner>> = Vec::with_capacity(tasks.len());
        for task in tasks {
            owners.push(match *task {
                Task::Reset { seed, replication } => Some(Owner {
                    model: self.model_of(seed),
                    scenario: Arc::clone(&self.scenario),
                    allocation: Arc::clone(&self.allocation),
                    strategy: self.strategy,
                    control: Arc::clone(&self.control),
                    mode: self.mode,
                    replication,
                }),
                _ => None,
            });
        }
        let (width, window) = (self.width, self.window);
        let on_hand = self.on_hand.bind(py).clone();
        let backorders = self.backorders.bind(py).clone();
        let pipeline = self.pipeline.bind(py).clone();
        let position = self.position.bind(py).clone();
        let demand = self.demand.bind(py).clone();
        let day = self.day.bind(py).clone();
        let rewards = self.rewards.bind(py).clone();
        let truncated = self.truncated.bind(py).clone();
        let outcomes = self.outcomes.bind(py).clone();
        let mut on_hand = on_hand.try_readwrite()?;
        let mut backorders = backorders.try_readwrite()?;
        let mut pipeline = pipeline.try_readwrite()?;
        let mut position = position.try_readwrite()?;
        let mut demand = demand.try_readwrite()?;
        let mut day = day.try_readwrite()?;
        let mut rewards = rewards.try_readwrite()?;
        let mut truncated = truncated.try_readwrite()?;
        let mut outcomes = outcomes.try_readwrite()?;
        let contiguous = |_| PyRuntimeError::new_err("echelon.gym: a buffer is not contiguous");
        let mut rows: Vec<Rows<'_>> = on_hand
            .as_slice_mut()
            .map_err(contiguous)?
            .chunks_mut(width.max(1))
            .zip(backorders.as_slice_mut().map_err(contiguous)?.chunks_mut(width.max(1)))
            .zip(pipeline.as_slice_mut().map_err(contiguous)?.chunks_mut(width.max(1)))
            .zip(position.as_slice_mut().map_err(contiguous)?.chunks_mut(width.max(1)))
            .zip(demand.as_slice_mut().map_err(contiguous)?.chunks_mut((width * window).max(1)))
            .zip(day.as_slice_mut().map_err(contiguous)?.iter_mut())
            .zip(rewards.as_slice_mut().map_err(contiguous)?.iter_mut())
            .zip(truncated.as_slice_mut().map_err(contiguous)?.iter_mut())
            .zip(outcomes.as_slice_mut().map_err(contiguous)?.chunks_mut(OUTCOME_FIELDS.len()))
            .map(|((((((((on_hand, backorders), pipeline), position), demand), day), reward), truncated), outcome)| {
                Rows { on_hand, backorders, pipeline, position, demand, day, reward, truncated, outcome }
            })
            .collect();
        let envs = &mut self.envs;
        let failures: Vec<String> = py.detach(|| {
            envs.par_iter_mut()
                .zip(rows.par_iter_mut())
                .zip(owners.into_par_iter())
                .zip(tasks.par_iter())
                .filter_map(|(((env, rows), owner), task)| {
                    let env = env.get_mut().unwrap_or_else(PoisonError::into_inner);
                    do_task(env, rows, owner, *task, window).err()
                })
                .collect()
        });
        match failures.into_iter().next() {
            None => Ok(()),
            Some(message) => Err(PyRuntimeError::new_err(message)),
        }
    }
}

/// Does one environment's task; an error message when its run failed or
/// it has no episode to step.
fn do_task(
    env: &mut Env,
    rows: &mut Rows<'_>,
    owner: Option<Owner>,
    task: Task<'_>,
    window: usize,
) -> Result<(), String> {
    match task {
        Task::Skip => Ok(()),
        Task::Reset { seed, replication } => {
            env.episode = None;
            let owner = owner.expect("an owner for each reset");
            rows.demand.fill(0);
            let started = catch_unwind(AssertUnwindSafe(|| {
                Episode::new(owner, |o| {
                    let policies = o.scenario.policies(o.strategy, &*o.allocation);
                    Stepper::new(&o.model, o.replication, policies, &o.control, o.mode)
                })
            }));
            let mut episode = started.map_err(|panic| failed(&panic, seed, replication))?;
            let warmed = catch_unwind(AssertUnwindSafe(|| {
                episode.with_dependent_mut(|_, stepper| {
                    rows.observe(stepper, window);
                    while stepper.day() < stepper.warmup_days() {
                        stepper.step_delegated();
                        rows.observe(stepper, window);
                    }
                })
            }));
            warmed.map_err(|panic| failed(&panic, seed, replication))?;
            *rows.reward = 0.0;
            *rows.truncated = false;
            rows.outcome.fill(0.0);
            env.episode = Some(episode);
            env.seed = seed;
            env.replication = replication;
            Ok(())
        }
        Task::Step(actions) => {
            let (seed, replication) = (env.seed, env.replication);
            let Some(episode) = env.episode.as_mut() else {
                return Err("echelon.gym: step() before reset() (or after a failed run): call reset() first".into());
            };
            if episode.with_dependent(|_, stepper| stepper.is_done()) {
                return Err("echelon.gym: the episode is over (truncated at the horizon): call reset()".into());
            }
            let stepped = catch_unwind(AssertUnwindSafe(|| {
                episode.with_dependent_mut(|_, stepper| {
                    let outcome = *stepper.step(actions);
                    rows.observe(stepper, window);
                    *rows.reward = -outcome.total_cost;
                    *rows.truncated = stepper.is_done();
                    outcome_row(&outcome, rows.outcome);
                })
            }));
            stepped.map_err(|panic| {
                env.episode = None;
                failed(&panic, seed, replication)
            })
        }
    }
}

/// The message of a run that panicked.
fn failed(panic: &Box<dyn std::any::Any + Send>, seed: u64, replication: u32) -> String {
    let why = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a strategy failed");
    format!("echelon.gym: the run of seed {seed}, replication {replication} failed: {why}; reset() the environment")
}
