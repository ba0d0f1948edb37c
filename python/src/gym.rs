//! The native core of `echelon.gym` (`python/echelon/gym.py` is the
//! public face and documents the environments).
//!
//! A [`GymCore`] holds `N` episodes — runs of one scenario strategy in
//! which the controlled locations' orders come from the actions
//! ([`echelon::sim::engine::Stepper`]) — and the NumPy arrays of the last
//! call's results: the observation arrays, the rewards, the truncation
//! flags and the day outcomes. [`GymCore::step`] and [`GymCore::reset`]
//! advance every environment asked for in one call, with the GIL
//! released and no Python code per environment: on rayon's threads when
//! more than one environment has work, else on the calling thread (a
//! single environment pays no hand-off between threads).
//!
//! Each call checks the actions first (finite, within `[0, high]`; rows of
//! environments being reset are ignored) and steps nothing when one is
//! not: it returns that action's (environment, SKU-location) for the
//! caller's message. With `fresh`, a call writes into new arrays (the
//! arrays of earlier calls stay as they were: no copy needed to keep
//! them); without it, into the same arrays each time. Every environment's
//! rows are written by every call, from the environment's own state (the
//! demand window is kept here, never read back from an array the
//! caller may have changed).
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
use numpy::{PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
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

/// The day-outcome fields, in the order of the rows of `GymCore.outcomes`
/// (and the keys of `info`).
pub const OUTCOME_FIELDS: [&str; 19] = [
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
    "overflow_cost",
    "scrap_cost",
    "substitution_cost",
    "total_cost",
];

/// The outcome's values, in [`OUTCOME_FIELDS`] order.
fn outcome_values(o: &DayOutcome) -> [f64; OUTCOME_FIELDS.len()] {
    [
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
        o.overflow_cost,
        o.scrap_cost,
        o.substitution_cost,
        o.total_cost,
    ]
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
/// failed run), its coordinates and what its rows show. (Kept in a
/// `Mutex` only so that the class is `Sync`: a run's strategies are
/// `Send`, not `Sync`; the core is only ever used through `&mut self`, so
/// the lock is never taken.)
struct Env {
    episode: Option<Episode>,
    seed: u64,
    replication: u32,
    /// The last `window` days' demand, laid out as a row of `demand`
    /// (`[k * window + j]`: SKU-location `k`, `j` days before the last).
    demand: Vec<i64>,
    /// The last step's outcome, reward and truncation (zero after a reset).
    outcome: DayOutcome,
    reward: f64,
    truncated: bool,
    /// This step's actions, rounded.
    actions: Vec<i64>,
}

impl Env {
    fn new(width: usize, window: usize) -> Self {
        Self {
            episode: None,
            seed: 0,
            replication: 0,
            demand: vec![0; width * window],
            outcome: DayOutcome::default(),
            reward: 0.0,
            truncated: false,
            actions: vec![0; width],
        }
    }

    /// Adds the stepper's last day to the demand window: every
    /// SKU-location's days move one place along (one move of the whole
    /// window; the place the last day of one SKU-location moves into is
    /// the next one's first), then each first place gets the new day.
    fn push_demand(&mut self, stepper: &Stepper<'_>, window: usize) {
        let today = &stepper.observation().demand;
        let len = self.demand.len();
        if len == 0 {
            return;
        }
        self.demand.copy_within(0..len - 1, 1);
        for (days, &units) in self.demand.chunks_exact_mut(window).zip(today) {
            days[0] = units;
        }
    }

    /// Writes this environment's observation rows.
    fn emit(&self, rows: &mut Rows<'_>) {
        let observed = self.episode.as_ref().map(|episode| {
            episode.with_dependent(|_, stepper| {
                let o = stepper.observation();
                rows.on_hand.copy_from_slice(&o.on_hand);
                rows.backorders.copy_from_slice(&o.backorders);
                rows.pipeline.copy_from_slice(&o.on_order);
                rows.position.copy_from_slice(&o.position);
                *rows.day_of_week = i64::from(o.day % 7);
            })
        });
        if observed.is_none() {
            for row in [&mut *rows.on_hand, &mut *rows.backorders, &mut *rows.pipeline, &mut *rows.position] {
                row.fill(0);
            }
            *rows.day_of_week = 0;
        }
        rows.demand.copy_from_slice(&self.demand);
    }
}

/// One environment's rows of the observation arrays.
struct Rows<'a> {
    on_hand: &'a mut [i64],
    backorders: &'a mut [i64],
    pipeline: &'a mut [i64],
    position: &'a mut [i64],
    /// `width × window`, SKU-location-major: `[k * window + j]` is the
    /// demand `j` days before the last day run.
    demand: &'a mut [i64],
    day_of_week: &'a mut i64,
}

/// What one environment is asked to do in a call.
enum Task<'a> {
    Skip,
    /// Start an episode of (seed, the owner's replication).
    Reset(Owner, u64),
    /// Step with these actions (checked within bounds, not yet rounded).
    Step(&'a [f64]),
}

/// The episodes of `echelon.gym`'s environments and the arrays of the
/// last call's results.
#[pyclass(module = "echelon._echelon")]
pub struct GymCore {
    scenario: Arc<Scenario>,
    allocation: Arc<dyn Allocation>,
    strategy: usize,
    control: Arc<Vec<usize>>,
    mode: ActionMode,
    width: usize,
    window: usize,
    /// Bound of each controlled SKU-location's action (`set_high`).
    high: Vec<f64>,
    /// The model of the last seed asked for.
    model: Option<(u64, Arc<Model>)>,
    envs: Vec<Mutex<Env>>,
    /// Observations: `(num_envs, width)` int64 arrays.
    #[pyo3(get)]
    on_hand: Py<PyArray2<i64>>,
    #[pyo3(get)]
    backorders: Py<PyArray2<i64>>,
    #[pyo3(get)]
    pipeline: Py<PyArray2<i64>>,
    #[pyo3(get)]
    position: Py<PyArray2<i64>>,
    /// `(num_envs, width, window)`.
    #[pyo3(get)]
    demand: Py<PyArray3<i64>>,
    /// The next day to simulate, modulo 7: `(num_envs,)`.
    #[pyo3(get)]
    day_of_week: Py<PyArray1<i64>>,
    /// `(num_envs,)`.
    #[pyo3(get)]
    rewards: Py<PyArray1<f64>>,
    #[pyo3(get)]
    truncated: Py<PyArray1<bool>>,
    /// `(len(OUTCOME_FIELDS), num_envs)`: one row per field.
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
    /// "order_quantity"; `window` days of demand are observed. Actions are
    /// bounded by 0 and `f64::MAX` until `set_high`.
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
        let mut core = Self {
            allocation,
            strategy,
            control: Arc::new(nodes),
            mode,
            width,
            window,
            high: vec![f64::MAX; width],
            model: None,
            envs: (0..num_envs).map(|_| Mutex::new(Env::new(width, window))).collect(),
            on_hand: PyArray2::zeros(py, [0, 0], false).unbind(),
            backorders: PyArray2::zeros(py, [0, 0], false).unbind(),
            pipeline: PyArray2::zeros(py, [0, 0], false).unbind(),
            position: PyArray2::zeros(py, [0, 0], false).unbind(),
            demand: PyArray3::zeros(py, [0, 0, 0], false).unbind(),
            day_of_week: PyArray1::zeros(py, [0], false).unbind(),
            rewards: PyArray1::zeros(py, [0], false).unbind(),
            truncated: PyArray1::from_vec(py, Vec::new()).unbind(),
            outcomes: PyArray2::zeros(py, [0, 0], false).unbind(),
            scenario,
        };
        core.allocate(py);
        Ok(core)
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

    /// The names of the rows of `outcomes`.
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

    /// Sets the bound of each controlled SKU-location's action (actions
    /// are checked within `[0, high]`).
    fn set_high(&mut self, high: PyReadonlyArray1<'_, f64>) -> PyResult<()> {
        let high = high.as_array();
        if high.len() != self.width || high.iter().any(|h| !h.is_finite()) {
            return Err(value_error(format!("set_high: {} finite bounds expected", self.width)));
        }
        self.high = high.to_vec();
        Ok(())
    }

    /// Starts a new episode in each environment `envs[i]`, of run
    /// (`seeds[i]`, `replications[i]`), runs its warm-up and writes its
    /// first observation (other environments' rows: as they were).
    #[pyo3(signature = (envs, seeds, replications, fresh = true))]
    fn reset(
        &mut self,
        py: Python<'_>,
        envs: Vec<usize>,
        seeds: Vec<u64>,
        replications: Vec<u32>,
        fresh: bool,
    ) -> PyResult<()> {
        if envs.len() != seeds.len() || envs.len() != replications.len() {
            return Err(value_error("reset: envs, seeds and replications differ in length".into()));
        }
        let mut tasks: Vec<Task> = (0..self.envs.len()).map(|_| Task::Skip).collect();
        for ((&env, &seed), &replication) in envs.iter().zip(&seeds).zip(&replications) {
            if env >= self.envs.len() {
                return Err(value_error(format!("reset: no environment {env} (of {})", self.envs.len())));
            }
            tasks[env] = Task::Reset(self.owner(seed, replication), seed);
        }
        self.run(py, tasks, fresh)
    }

    /// Steps every environment: `actions[i]` (one row of `width` values,
    /// rounded to the nearest unit) for environment `i`, except those with
    /// `autoreset[i]`, which start their next episode instead (of `seed`,
    /// `replications[i]`) and whose actions are ignored. Returns `None`, or
    /// the (environment, SKU-location) of the first action that is not a
    /// finite number within `[0, high]` — and then steps nothing.
    #[pyo3(signature = (actions, autoreset, seed, replications, fresh = true))]
    fn step(
        &mut self,
        py: Python<'_>,
        actions: PyReadonlyArray2<'_, f64>,
        autoreset: PyReadonlyArray1<'_, bool>,
        seed: u64,
        replications: PyReadonlyArray1<'_, i64>,
        fresh: bool,
    ) -> PyResult<Option<(usize, usize)>> {
        let n = self.envs.len();
        let shape = actions.shape();
        if shape != [n, self.width] {
            return Err(value_error(format!(
                "action: expected shape ({n}, {}) (environments × controlled SKU-locations), got {shape:?}",
                self.width
            )));
        }
        let (autoreset, replications) = (autoreset.as_array(), replications.as_array());
        if autoreset.len() != n || replications.len() != n {
            return Err(value_error("step: autoreset and replications need one entry per environment".into()));
        }
        let actions = actions.as_array();
        let copied;
        let actions = match actions.as_slice() {
            Some(contiguous) => contiguous,
            None => {
                copied = actions.iter().copied().collect::<Vec<f64>>();
                &copied
            }
        };
        let width = self.width;
        let row = |i: usize| &actions[i * width..(i + 1) * width];
        let bad = (0..n).filter(|&i| !autoreset[i]).find_map(|i| {
            row(i).iter().zip(&self.high).position(|(&a, &high)| !(0.0..=high).contains(&a)).map(|k| (i, k))
        });
        if bad.is_some() {
            return Ok(bad);
        }
        let mut tasks = Vec::with_capacity(n);
        for i in 0..n {
            tasks.push(if autoreset[i] {
                let replication = u32::try_from(replications[i])
                    .map_err(|_| value_error(format!("step: replication {} of environment {i}", replications[i])))?;
                Task::Reset(self.owner(seed, replication), seed)
            } else {
                Task::Step(row(i))
            });
        }
        self.run(py, tasks, fresh).map(|()| None)
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

    /// What an episode of (`seed`, `replication`) borrows.
    fn owner(&mut self, seed: u64, replication: u32) -> Owner {
        Owner {
            model: self.model_of(seed),
            scenario: Arc::clone(&self.scenario),
            allocation: Arc::clone(&self.allocation),
            strategy: self.strategy,
            control: Arc::clone(&self.control),
            mode: self.mode,
            replication,
        }
    }

    /// New result arrays (zeros).
    fn allocate(&mut self, py: Python<'_>) {
        let (n, width, window) = (self.envs.len(), self.width, self.window);
        self.on_hand = PyArray2::zeros(py, [n, width], false).unbind();
        self.backorders = PyArray2::zeros(py, [n, width], false).unbind();
        self.pipeline = PyArray2::zeros(py, [n, width], false).unbind();
        self.position = PyArray2::zeros(py, [n, width], false).unbind();
        self.demand = PyArray3::zeros(py, [n, width, window], false).unbind();
        self.day_of_week = PyArray1::zeros(py, [n], false).unbind();
        self.rewards = PyArray1::zeros(py, [n], false).unbind();
        self.truncated = PyArray1::from_vec(py, vec![false; n]).unbind();
        self.outcomes = PyArray2::zeros(py, [OUTCOME_FIELDS.len(), n], false).unbind();
    }

    /// Does `tasks` (one per environment) with the GIL released, then
    /// writes every environment's rows (into new arrays when `fresh`).
    fn run(&mut self, py: Python<'_>, tasks: Vec<Task<'_>>, fresh: bool) -> PyResult<()> {
        if fresh {
            self.allocate(py);
        }
        let (width, window) = (self.width, self.window);
        let on_hand = self.on_hand.bind(py).clone();
        let backorders = self.backorders.bind(py).clone();
        let pipeline = self.pipeline.bind(py).clone();
        let position = self.position.bind(py).clone();
        let demand = self.demand.bind(py).clone();
        let day_of_week = self.day_of_week.bind(py).clone();
        let mut on_hand = on_hand.try_readwrite()?;
        let mut backorders = backorders.try_readwrite()?;
        let mut pipeline = pipeline.try_readwrite()?;
        let mut position = position.try_readwrite()?;
        let mut demand = demand.try_readwrite()?;
        let mut day_of_week = day_of_week.try_readwrite()?;
        let contiguous = |_| PyRuntimeError::new_err("echelon.gym: a result array is not contiguous");
        let mut rows: Vec<Rows<'_>> = on_hand
            .as_slice_mut()
            .map_err(contiguous)?
            .chunks_mut(width.max(1))
            .zip(backorders.as_slice_mut().map_err(contiguous)?.chunks_mut(width.max(1)))
            .zip(pipeline.as_slice_mut().map_err(contiguous)?.chunks_mut(width.max(1)))
            .zip(position.as_slice_mut().map_err(contiguous)?.chunks_mut(width.max(1)))
            .zip(demand.as_slice_mut().map_err(contiguous)?.chunks_mut((width * window).max(1)))
            .zip(day_of_week.as_slice_mut().map_err(contiguous)?.iter_mut())
            .map(|(((((on_hand, backorders), pipeline), position), demand), day_of_week)| Rows {
                on_hand,
                backorders,
                pipeline,
                position,
                demand,
                day_of_week,
            })
            .collect();
        let busy = tasks.iter().filter(|t| !matches!(t, Task::Skip)).count();
        let envs = &mut self.envs;
        let work = |((env, rows), task): ((&mut Mutex<Env>, &mut Rows<'_>), Task)| {
            let env = env.get_mut().unwrap_or_else(PoisonError::into_inner);
            let done = do_task(env, task, window);
            env.emit(rows);
            done.err()
        };
        let failures: Vec<String> = py.detach(|| {
            if busy > 1 {
                envs.par_iter_mut().zip(rows.par_iter_mut()).zip(tasks.into_par_iter()).filter_map(work).collect()
            } else {
                envs.iter_mut().zip(rows.iter_mut()).zip(tasks).filter_map(work).collect()
            }
        });
        drop(rows);
        let rewards = self.rewards.bind(py).clone();
        let truncated = self.truncated.bind(py).clone();
        let outcomes = self.outcomes.bind(py).clone();
        let (mut rewards, mut truncated, mut outcomes) =
            (rewards.try_readwrite()?, truncated.try_readwrite()?, outcomes.try_readwrite()?);
        let (mut rewards, mut truncated, mut outcomes) =
            (rewards.as_array_mut(), truncated.as_array_mut(), outcomes.as_array_mut());
        for (i, env) in self.envs.iter_mut().enumerate() {
            let env = env.get_mut().unwrap_or_else(PoisonError::into_inner);
            rewards[i] = env.reward;
            truncated[i] = env.truncated;
            for (j, value) in outcome_values(&env.outcome).into_iter().enumerate() {
                outcomes[[j, i]] = value;
            }
        }
        match failures.into_iter().next() {
            None => Ok(()),
            Some(message) => Err(PyRuntimeError::new_err(message)),
        }
    }
}

/// Does one environment's task; an error message when its run failed or
/// it has no episode to step.
fn do_task(env: &mut Env, task: Task<'_>, window: usize) -> Result<(), String> {
    match task {
        Task::Skip => Ok(()),
        Task::Reset(owner, seed) => {
            let replication = owner.replication;
            env.episode = None;
            env.demand.fill(0);
            env.outcome = DayOutcome::default();
            env.reward = 0.0;
            env.truncated = false;
            env.seed = seed;
            env.replication = replication;
            let started = catch_unwind(AssertUnwindSafe(|| {
                Episode::new(owner, |o| {
                    let policies = o.scenario.policies(o.strategy, &*o.allocation);
                    Stepper::new(&o.model, o.replication, policies, &o.control, o.mode)
                })
            }));
            let mut episode = started.map_err(|panic| failed(&panic, seed, replication))?;
            let warmed = catch_unwind(AssertUnwindSafe(|| {
                episode.with_dependent_mut(|_, stepper| {
                    while stepper.day() < stepper.warmup_days() {
                        stepper.step_delegated();
                        env.push_demand(stepper, window);
                    }
                })
            }));
            warmed.map_err(|panic| failed(&panic, seed, replication))?;
            env.episode = Some(episode);
            Ok(())
        }
        Task::Step(actions) => {
            let (seed, replication) = (env.seed, env.replication);
            let Some(mut episode) = env.episode.take() else {
                return Err("echelon.gym: step() before reset() (or after a failed run): call reset() first".into());
            };
            if episode.with_dependent(|_, stepper| stepper.is_done()) {
                env.episode = Some(episode);
                return Err("echelon.gym: the episode is over (truncated at the horizon): call reset()".into());
            }
            let stepped = catch_unwind(AssertUnwindSafe(|| {
                episode.with_dependent_mut(|_, stepper| {
                    for (rounded, &a) in env.actions.iter_mut().zip(actions) {
                        *rounded = round(a);
                    }
                    env.outcome = *stepper.step(&env.actions);
                    env.reward = -env.outcome.total_cost;
                    env.truncated = stepper.is_done();
                    env.push_demand(stepper, window);
                })
            }));
            match stepped {
                Ok(()) => {
                    env.episode = Some(episode);
                    Ok(())
                }
                Err(panic) => Err(failed(&panic, seed, replication)),
            }
        }
    }
}

/// `a` (finite, ≥ 0) rounded to the nearest unit, halves away from zero
/// (`f64::round`, without its library call).
#[inline]
fn round(a: f64) -> i64 {
    let whole = a as i64;
    if a - whole as f64 >= 0.5 { whole.saturating_add(1) } else { whole }
}

/// The message of a run that panicked.
fn failed(panic: &Box<dyn std::any::Any + Send>, seed: u64, replication: u32) -> String {
    let why = echelon::runner::panic_message(&**panic);
    format!("echelon.gym: the run of seed {seed}, replication {replication} failed: {why}; reset() the environment")
}
