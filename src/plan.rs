//! The library's front door: a validated run plan, and [`execute`], which
//! runs it and returns its results — what `echelon run` does, without a
//! terminal. The command line (module `cli`, feature `cli`) parses its
//! arguments into a [`RunPlan`] and prints what comes back; a program
//! embedding Echelon builds the plan itself:
//!
//! ```no_run
//! use echelon::plan::{self, NoProgress, RunPlan, StudyOptions};
//! use echelon::strategies::registry::Registry;
//! use std::sync::{Arc, atomic::AtomicBool};
//!
//! let registry = Arc::new(Registry::bundled());
//! let options = StudyOptions::new("scenarios/quickstart.ron");
//! let plan = RunPlan::new(&options, &registry, Some("results/quickstart".into()))?;
//! let results = plan::execute(&plan, &NoProgress, &AtomicBool::new(false))?;
//! println!("{} runs in {}", results.records.len(), results.dir.display());
//! # Ok::<(), plan::Failure>(())
//! ```
//!
//! # Contract
//!
//! Everything is validated before anything is written: the scenario and
//! its overrides, the shard, the thread count, the memory budget, and the
//! results directory (locked, and refused when it holds other results
//! unless `force`, or unfinished ones unless `resume`). Runs are appended
//! to `runs.jsonl` as they finish; raising `stop` keeps the finished runs
//! and returns [`Failure::Interrupted`] with the command that resumes. A
//! run whose strategy panics (a plugged-in strategy's bug, or one that
//! broke its contract) fails the study with [`Failure::Strategy`] naming
//! the strategy and the panic message; the runs finished before it stay in
//! the log and `--resume` continues after a fix.

use crate::budget;
use crate::output;
use crate::precision::{self, Next, Target};
use crate::runlog::{self, Header};
use crate::runner::{self, Hooks};
use crate::scenario::{InputError, LoadOptions, Scenario, params, parse};
use crate::study::{Coordinate, Study};
use echelon_reports::record::RunRecord;
use echelon_reports::representative::Representative;
use echelon_strategies::registry::Registry;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Why a command failed, with its exit code ([`Failure::exit_code`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Failure {
    /// Invalid scenario: 2.
    Input(InputError),
    /// Invalid command line or results directory: 2.
    Usage(String),
    /// Results could not be written: 3.
    Io(String),
    /// A strategy failed during a run (it panicked, or broke its contract):
    /// 4. The runs finished before it are kept.
    Strategy(String),
    /// Stopped (Ctrl-C): 130. The finished runs are kept.
    Interrupted(String),
    /// `check` found a regression: 1.
    Regression(String),
}

impl Failure {
    /// The process exit code of this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Regression(_) => 1,
            Self::Input(_) | Self::Usage(_) => 2,
            Self::Io(_) => 3,
            Self::Strategy(_) => 4,
            Self::Interrupted(_) => 130,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Input(e) => write!(f, "error: {e}"),
            Self::Usage(m) | Self::Io(m) | Self::Strategy(m) => write!(f, "error: {m}"),
            Self::Interrupted(m) | Self::Regression(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Failure {}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Self::Input(e)
    }
}

/// What defines a study beside its file: shared by `run`, `baseline` and
/// `check`.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[non_exhaustive]
pub struct StudyOptions {
    /// Scenario file (RON).
    pub file: PathBuf,
    /// Override the scenario's replications.
    #[cfg_attr(feature = "cli", arg(long))]
    pub replications: Option<u32>,
    /// Override the scenario's seed.
    #[cfg_attr(feature = "cli", arg(long))]
    pub seed: Option<u64>,
    /// Set any parameter by path, e.g. `--set events[outage].days=14` (repeatable).
    #[cfg_attr(feature = "cli", arg(long = "set", value_name = "PATH=VALUE"))]
    pub set: Vec<String>,
    /// Worker threads [default: all cores; at most 4 × the cores].
    #[cfg_attr(feature = "cli", arg(long))]
    pub threads: Option<usize>,
    /// Run even when the study's estimated memory exceeds what this machine
    /// has available, or one run's work exceeds the per-run limit.
    #[cfg_attr(feature = "cli", arg(long))]
    pub allow_large: bool,
    /// No progress bar.
    #[cfg_attr(feature = "cli", arg(long, short))]
    pub quiet: bool,
    /// Let `history:` read a file outside the scenario's folder.
    #[cfg_attr(feature = "cli", arg(long))]
    pub allow_paths_outside: bool,
    /// The scenario's text when it was already read: a loaded study (the
    /// Python `Study`) then runs what it loaded, whatever has happened to
    /// the file since.
    #[cfg_attr(feature = "cli", arg(skip))]
    pub source: Option<String>,
}

impl StudyOptions {
    /// The options of the scenario at `file`, nothing overridden.
    pub fn new(file: impl Into<PathBuf>) -> Self {
        Self { file: file.into(), ..Self::default() }
    }
}

/// A study loaded with its overrides, and the text that identifies it
/// (the file's text plus the overrides).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated study.
    pub study: Study,
    /// The file's text plus the overrides (digested into the run log).
    pub identity: String,
    /// Worker threads.
    pub threads: usize,
}

/// `--threads` is capped at this many threads per core: more only adds
/// memory (a run in flight per thread) and scheduling, never speed.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// Worker threads when none are asked for: one per core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Refuses to build a model estimated not to fit (see [`budget`]), unless
/// `allow_large`.
pub fn check_model_budget(file: &crate::scenario::file::ScenarioFile, allow_large: bool) -> Result<(), Failure> {
    match budget::model_refusal(file, budget::available_memory()) {
        Some(why) if !allow_large => Err(Failure::Usage(why)),
        _ => Ok(()),
    }
}

/// Refuses `runs` runs of `loaded` that would not fit this machine (see
/// [`budget`]), unless `allow_large`.
pub fn check_budget(loaded: &Loaded, runs: usize, allow_large: bool) -> Result<(), Failure> {
    let estimate = budget::estimate(&loaded.study, loaded.threads, runs);
    match estimate.refusal(budget::available_memory()) {
        Some(why) if !allow_large => Err(Failure::Usage(why)),
        Some(_) => {
            eprintln!("note: --allow-large: running anyway; {}", estimate.describe());
            Ok(())
        }
        None => Ok(()),
    }
}

/// Loads the study `options` describe, with the strategies of `registry`.
pub fn load(options: &StudyOptions, registry: &Arc<Registry>) -> Result<Loaded, Failure> {
    let cores = default_threads();
    let threads = match options.threads {
        Some(0) => return Err(Failure::Usage("--threads must be at least 1".into())),
        Some(n) if n > MAX_THREADS_PER_CORE * cores => {
            let cap = MAX_THREADS_PER_CORE * cores;
            eprintln!("note: --threads {n} capped at {cap} ({MAX_THREADS_PER_CORE} × {cores} cores)");
            cap
        }
        Some(n) => n,
        None => cores,
    };
    let (source, mut file) = match &options.source {
        Some(text) => (text.clone(), parse::parse(&options.file, text)?),
        None => parse::read(&options.file)?,
    };
    if let Some(r) = options.replications {
        if r == 0 {
            return Err(Failure::Usage("--replications must be at least 1".into()));
        }
        file.experiment.replications = r;
    }
    if let Some(seed) = options.seed {
        file.experiment.seed = seed;
    }
    let mut identity = source.clone();
    for setting in &options.set {
        let (path, value) = setting.split_once('=').ok_or_else(|| {
            Failure::Usage(format!("--set {setting}: expected PATH=VALUE, e.g. --set events[outage].days=14"))
        })?;
        file = params::set(&file, path.trim(), params::parse_value(value.trim()))
            .map_err(|e| Failure::Usage(format!("--set {}: {}", e.path, e.message)))?;
        identity += &format!("\n--set {}={}", path.trim(), value.trim());
    }
    refuse_conflicting_settings(options, &file)?;
    check_model_budget(&file, options.allow_large)?;
    let load_options = LoadOptions { allow_paths_outside: options.allow_paths_outside };
    let scenario = Scenario::from_parts_in(&options.file, source, file, load_options, registry)
        .map_err(|e| blame_setting(e, &options.set))?;
    let study = Study::new(scenario)?;
    Ok(Loaded { study, identity, threads })
}

/// A value given twice (`--replications` or `--seed` and a `--set` of the
/// same field), or a `--set` of a parameter the sweep varies (the sweep
/// would silently win), is refused rather than one of them ignored.
fn refuse_conflicting_settings(
    options: &StudyOptions,
    file: &crate::scenario::file::ScenarioFile,
) -> Result<(), Failure> {
    let set_paths = || options.set.iter().filter_map(|s| s.split_once('=')).map(|(path, _)| path.trim());
    for (flag, given, field) in [
        ("--replications (replications=)", options.replications.is_some(), "experiment.replications"),
        ("--seed (seed=)", options.seed.is_some(), "experiment.seed"),
    ] {
        if given && set_paths().any(|p| p == field) {
            return Err(Failure::Usage(format!(
                "{field} is given twice, by {flag} and by --set {field} (set=); give one"
            )));
        }
    }
    for path in set_paths() {
        if let Some(i) = file.sweep.iter().position(|e| e.path.trim() == path) {
            return Err(Failure::Usage(format!(
                "--set {path}: the sweep varies it (sweep[{i}]), which would override the value set; \
                 remove it from the sweep to fix its value"
            )));
        }
    }
    Ok(())
}

/// An invalid value that a `--set` put in is the setting's fault, not the
/// file's: the error keeps the file and the field path but drops the
/// file's line (which holds the value the setting replaced) and names the
/// setting.
fn blame_setting(e: InputError, settings: &[String]) -> Failure {
    let setting = e
        .path
        .as_deref()
        .and_then(|field| settings.iter().find(|s| s.split_once('=').is_some_and(|(path, _)| path.trim() == field)));
    match setting {
        Some(setting) => {
            let message = format!("{} (the value given by --set {setting})", e.message);
            InputError { position: None, message, ..e }.into()
        }
        None => e.into(),
    }
}

/// Parses a shard `i/n` with 0 ≤ i < n.
pub fn parse_shard(text: &str) -> Result<(usize, usize), Failure> {
    let bad = || Failure::Usage(format!("--shard {text}: expected i/n with 0 ≤ i < n, e.g. --shard 0/4"));
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// The job-array variables `--shard auto` reads, per scheduler: the
/// index variable, then the count variable(s).
pub const SHARD_AUTO_VARIABLES: &str = "Slurm job arrays: SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT \
     (and SLURM_ARRAY_TASK_MIN/MAX); Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX with ECHELON_SHARD_COUNT; \
     AWS Batch array jobs: AWS_BATCH_JOB_ARRAY_INDEX with ECHELON_SHARD_COUNT";

/// Parses `--shard`: `i/n`, or `auto` (see [`shard_from_env`]) with the
/// process environment.
pub fn resolve_shard(text: &str) -> Result<(usize, usize), Failure> {
    if text.trim() == "auto" { shard_from_env(&|name| std::env::var(name).ok()) } else { parse_shard(text) }
}

/// `--shard auto`: the shard `i/n` of a job-array task, from the variables
/// its scheduler sets (`var` reads one; the process environment in
/// [`resolve_shard`]):
///
/// * **Slurm job arrays**: i = `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`
///   (0 when unset), n = `SLURM_ARRAY_TASK_COUNT`. The array must be a
///   contiguous range (`--array=0-9`, or `1-10`): a step or a list
///   (`0-9:2`, `1,4,7`) leaves gaps no shard index can name, and is refused.
/// * **Kubernetes Indexed Jobs**: i = `JOB_COMPLETION_INDEX` (set by
///   Kubernetes); n = `ECHELON_SHARD_COUNT`, which the Job's container
///   `env` sets to its `completions` (Kubernetes exposes no count).
/// * **AWS Batch array jobs**: i = `AWS_BATCH_JOB_ARRAY_INDEX` (set by
///   Batch); n = `ECHELON_SHARD_COUNT`, set in the job definition's
///   environment to the array size (Batch exposes no count either).
///
/// Exactly one scheduler's index must be set; when `ECHELON_SHARD_COUNT` is
/// set beside Slurm's count, they must agree. Anything else is a usage
/// error (exit 2) naming the variables.
pub fn shard_from_env(var: &dyn Fn(&str) -> Option<String>) -> Result<(usize, usize), Failure> {
    let fail = |why: String| Failure::Usage(format!("--shard auto: {why}"));
    let number = |name: &str| -> Result<Option<usize>, Failure> {
        match var(name) {
            None => Ok(None),
            Some(text) => text
                .trim()
                .parse::<usize>()
                .map(Some)
                .map_err(|_| fail(format!("{name}={text:?} is not a whole number ≥ 0"))),
        }
    };
    let schedulers = [
        ("Slurm", "SLURM_ARRAY_TASK_ID"),
        ("Kubernetes", "JOB_COMPLETION_INDEX"),
        ("AWS Batch", "AWS_BATCH_JOB_ARRAY_INDEX"),
    ];
    let set: Vec<_> = schedulers.iter().filter(|(_, index)| var(index).is_some()).collect();
    let (scheduler, index_var) = match set.as_slice() {
        [] => {
            return Err(fail(format!(
                "no job-array index in the environment; it reads {SHARD_AUTO_VARIABLES}. \
                 Outside a job array, give the shard as --shard i/n"
            )));
        }
        [one] => **one,
        several => {
            let names: Vec<&str> = several.iter().map(|(_, v)| *v).collect();
            return Err(fail(format!(
                "job-array indexes of several schedulers are set ({}); unset the ones that do not apply, \
                 or give the shard as --shard i/n",
                names.join(", ")
            )));
        }
    };
    let index = number(index_var)?.expect("set");
    let count_var = "ECHELON_SHARD_COUNT";
    let ours = number(count_var)?;
    let (index, count) = if scheduler == "Slurm" {
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let count = number("SLURM_ARRAY_TASK_COUNT")?
            .or(ours)
            .ok_or_else(|| fail("SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT".into()))?;
        if let Some(max) = number("SLURM_ARRAY_TASK_MAX")?
            && max.checked_sub(min).map(|span| span + 1) != Some(count)
        {
            return Err(fail(format!(
                "the Slurm array {min}-{max} has {count} tasks, not one per index in between (a step or a list); \
                 use a contiguous range, e.g. --array=0-{}",
                count.saturating_sub(1)
            )));
        }
        if let Some(ours) = ours
            && ours != count
        {
            return Err(fail(format!("{count_var}={ours} disagrees with SLURM_ARRAY_TASK_COUNT={count}")));
        }
        let offset = index
            .checked_sub(min)
            .ok_or_else(|| fail(format!("SLURM_ARRAY_TASK_ID={index} is below SLURM_ARRAY_TASK_MIN={min}")))?;
        (offset, count)
    } else {
        let count = ours.ok_or_else(|| {
            fail(format!(
                "{index_var} is set ({scheduler}) but not {count_var}: set it to the number of tasks \
                 (the Job's completions / the array size) in the task's environment"
            ))
        })?;
        (index, count)
    };
    if count == 0 || index >= count {
        return Err(fail(format!("{index_var} gives shard {index} of {count}: expected 0 ≤ i < n")));
    }
    Ok((index, count))
}

/// A validated `run`: the study and where and how to run it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunPlan {
    /// The study, its identity and threads.
    pub loaded: Loaded,
    /// What it was loaded from (for the resume command).
    pub options: StudyOptions,
    /// Results directory.
    pub out: PathBuf,
    /// Only runs whose index modulo n is i: (i, n).
    pub shard: Option<(usize, usize)>,
    /// Skip the runs already recorded in the directory's run log.
    pub resume: bool,
    /// Replace results already in the directory.
    pub force: bool,
    /// Also draw charts/*.png.
    pub png: bool,
    /// Precision targets: replications are added in deterministic batches
    /// until each is met (none: the scenario's replications).
    pub precision: Vec<Target>,
    /// With precision targets: stop adding replications at this many.
    pub max_replications: u32,
    /// The targets as given (for the resume command).
    precision_text: Vec<String>,
    /// The registry the study was loaded with (a precision batch reloads
    /// it with more replications).
    registry: Arc<Registry>,
}

impl RunPlan {
    /// Loads the study of `options` with `registry`'s strategies, to run
    /// into `out` (default: `results/<scenario name>/`).
    pub fn new(options: &StudyOptions, registry: &Arc<Registry>, out: Option<PathBuf>) -> Result<Self, Failure> {
        let loaded = load(options, registry)?;
        let out = out.unwrap_or_else(|| output::default_dir(&loaded.study.base.model.name));
        Ok(Self {
            loaded,
            options: options.clone(),
            out,
            shard: None,
            resume: false,
            force: false,
            png: false,
            precision: Vec::new(),
            max_replications: 1000,
            precision_text: Vec::new(),
            registry: registry.clone(),
        })
    }

    /// Adds replications in deterministic batches until every target
    /// (`METRIC=HALF_WIDTH`) is met for every strategy at every point, up
    /// to `max_replications`. Not with a shard.
    pub fn with_precision(mut self, targets: &[String], max_replications: u32) -> Result<Self, Failure> {
        self.precision = targets.iter().map(|t| Target::parse(t)).collect::<Result<_, _>>().map_err(Failure::Usage)?;
        if !self.precision.is_empty() && self.shard.is_some() {
            return Err(Failure::Usage(
                "--precision needs every run of each batch to decide the next; it cannot be combined with --shard"
                    .into(),
            ));
        }
        if max_replications == 0 {
            return Err(Failure::Usage("--max-replications must be at least 1".into()));
        }
        self.precision_text = targets.to_vec();
        self.max_replications = max_replications;
        Ok(self)
    }

    /// Only the runs of shard `i/n` (0 ≤ i < n).
    pub fn with_shard(mut self, shard: Option<(usize, usize)>) -> Result<Self, Failure> {
        if let Some((i, n)) = shard
            && (n == 0 || i >= n)
        {
            return Err(Failure::Usage(format!("shard {i}/{n}: expected i/n with 0 ≤ i < n")));
        }
        self.shard = shard;
        Ok(self)
    }

    /// Resume (skip runs already logged) or force (replace what is there);
    /// not both.
    pub fn with_restart(mut self, resume: bool, force: bool) -> Result<Self, Failure> {
        if resume && force {
            return Err(Failure::Usage("--resume and --force exclude each other".into()));
        }
        (self.resume, self.force) = (resume, force);
        Ok(self)
    }

    /// Also draw charts/*.png.
    pub fn with_png(mut self, png: bool) -> Self {
        self.png = png;
        self
    }

    /// Runs in this plan (its shard's share of the study).
    pub fn run_count(&self) -> usize {
        let runs = self.loaded.study.run_count();
        match self.shard {
            Some((i, n)) => (runs + n - 1 - i) / n,
            None => runs,
        }
    }

    /// The command that resumes this plan.
    pub fn resume_command(&self) -> String {
        self.resume_command_with(&self.options)
    }

    /// The command that resumes this plan with `options` as they stood
    /// when it stopped (a precision target may have raised the
    /// replications).
    fn resume_command_with(&self, options: &StudyOptions) -> String {
        let mut command = format!("echelon run {} --out {} --resume", options.file.display(), self.out.display());
        if let Some(r) = options.replications {
            command += &format!(" --replications {r}");
        }
        if let Some(seed) = options.seed {
            command += &format!(" --seed {seed}");
        }
        for setting in &options.set {
            command += &format!(" --set '{setting}'");
        }
        if options.allow_paths_outside {
            command += " --allow-paths-outside";
        }
        if let Some((i, n)) = self.shard {
            command += &format!(" --shard {i}/{n}");
        }
        for target in &self.precision_text {
            command += &format!(" --precision {target}");
        }
        if !self.precision_text.is_empty() {
            command += &format!(" --max-replications {}", self.max_replications);
        }
        command
    }
}

/// What a caller sees while runs execute (a progress bar, a log line…).
/// Calls come from worker threads.
pub trait Progress: Sync {
    /// The runs are about to start: `total` in all, `done` already logged.
    fn start(&self, _total: u64, _done: u64) {}
    /// One more run finished.
    fn advance(&self) {}
    /// All runs are over (finished, stopped or failed).
    fn finish(&self) {}
}

/// No progress shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// What [`execute`] returns.
#[non_exhaustive]
pub struct RunResults {
    /// Where the results were written.
    pub dir: PathBuf,
    /// Every run of the plan (logged before and new), in run order.
    pub records: Vec<RunRecord>,
    /// The rendered outputs (summary, tables, report), as written.
    pub rendered: output::Rendered,
    /// The study header of the run log.
    pub header: Header,
    /// Wall-clock figures of the new runs (the last batch's, with
    /// precision targets).
    pub timing: runner::Timing,
    /// With precision targets: whether they were reached, and with how
    /// many replications.
    pub precision_note: Option<String>,
}

/// Runs `runs` of `loaded` on `progress`; raising `stop` skips the runs
/// not yet started. `on_finish` sees each record as it completes. A
/// strategy failure is returned as [`Failure::Strategy`] after the runs in
/// flight end.
pub fn execute_runs(
    loaded: &Loaded,
    runs: Vec<Coordinate>,
    done: usize,
    progress: &dyn Progress,
    stop: &AtomicBool,
    on_finish: &(dyn Fn(&RunRecord) + Sync),
) -> Result<runner::Outcome, Failure> {
    progress.start((done + runs.len()) as u64, done as u64);
    let advance = |record: &RunRecord| {
        on_finish(record);
        progress.advance();
    };
    let hooks = Hooks { on_finish: Some(&advance), stop: Some(stop) };
    let outcome = runner::execute_runs(&loaded.study, loaded.threads, runs, &hooks);
    progress.finish();
    match &outcome.failure {
        Some(failure) => Err(Failure::Strategy(failure.to_string())),
        None => Ok(outcome),
    }
}

/// Executes `plan`: locks and prepares its directory, runs what is left
/// to run (in batches of replications while precision targets are unmet),
/// appends each run to the log as it finishes, and writes the results
/// (module contract).
pub fn execute(plan: &RunPlan, progress: &dyn Progress, stop: &AtomicBool) -> Result<RunResults, Failure> {
    let total = plan.run_count();
    // Refuse what cannot fit before touching the results directory.
    check_budget(&plan.loaded, total, plan.options.allow_large)?;
    let dir = &plan.out;
    let shard_text = plan.shard.map(|(i, n)| format!("{i}/{n}"));
    let identity = &plan.loaded.identity;
    let log_path = dir.join("runs.jsonl");
    let _lock = take_dir(dir)?;
    let io = |e: std::io::Error| Failure::Io(format!("{}: cannot write results: {e}", dir.display()));
    let mut loaded = plan.loaded.clone();
    let mut header = Header::new(&loaded.study.info(), identity, shard_text.clone());
    let mut records = if plan.resume {
        previous_runs(&log_path, &header)?
    } else {
        clear_for_fresh_start(dir, &header, plan.force)?;
        Vec::new()
    };
    let (mut options, mut resume, mut precision_note) = (plan.options.clone(), plan.resume, None);
    let mut traces = Vec::new();
    // The runs a resumed study took from its log are simulated again for
    // the report's summed series (trace.json), so that a resumed study's
    // files equal an uninterrupted one's.
    let previous: Vec<crate::study::Coordinate> = records
        .iter()
        .map(|r| crate::study::Coordinate { point: r.point, strategy: r.strategy, replication: r.replication })
        .collect();
    let mut series = runner::trace_runs(&loaded.study, &previous, loaded.threads);
    let mut earlier: Option<runner::Timing> = None;
    let timing = loop {
        let batch = Batch { loaded: &loaded, header: &header, shard: plan.shard, done: &records, resume };
        let outcome = batch.run(&log_path, progress, stop, &io).map_err(|e| match e {
            Failure::Interrupted(count) => Failure::Interrupted(format!(
                "interrupted: {count} of {} runs are finished and saved in {}; resume with\n  {}",
                if plan.shard.is_some() { total } else { loaded.study.run_count() },
                log_path.display(),
                plan.resume_command_with(&options)
            )),
            Failure::Strategy(m) => Failure::Strategy(format!(
                "{m}\nthe runs finished before it are saved in {}; after fixing the strategy, resume with\n  {}",
                log_path.display(),
                plan.resume_command_with(&options)
            )),
            other => other,
        })?;
        records.extend(outcome.records);
        // Replication 0's traces come from the batch that ran it.
        runner::keep_traces(&mut traces, outcome.traces);
        runner::keep_series(&mut series, &outcome.series);
        let replications = loaded.study.base.model.experiment.replications;
        let timing = outcome.timing.after(earlier.as_ref());
        if plan.precision.is_empty() {
            break timing;
        }
        let stats = echelon_reports::summary::compute(&loaded.study.info(), &records);
        match precision::next(&plan.precision, &stats, replications, plan.max_replications.max(1)) {
            Next::Reached => {
                precision_note = Some(format!("precision reached with {replications} replications"));
                break timing;
            }
            Next::Limit(metric, strategy, h, target) => {
                precision_note = Some(format!(
                    "precision NOT reached at the limit of {replications} replications: {metric} of \
                     \"{strategy}\" has half-width {h:.digits$} > {target} (raise --max-replications)",
                    digits = precision::digits_beyond(target)
                ));
                break timing;
            }
            Next::More(n) => {
                earlier = Some(timing);
                // The log is rewritten for the larger study, keeping every run.
                options.replications = Some(n);
                let threads = loaded.threads;
                loaded = Loaded { threads, ..load(&options, &plan.registry)? };
                loaded.identity = identity.clone();
                header = Header::new(&loaded.study.info(), identity, shard_text.clone());
                output::write_atomic(&log_path, runlog::finished_text(&header, &records).as_bytes()).map_err(io)?;
                resume = true;
            }
        }
    };
    let mut representative =
        runner::representative(&loaded.study, &traces).map_err(|f| Failure::Strategy(f.to_string()))?;
    representative.series = series;
    let rendered = output::render(&header, &records, Some(&timing), Some(&representative));
    output::write_all(dir, &rendered).map_err(io)?;
    if plan.png {
        output::write_pngs(dir, &rendered).map_err(io)?;
    }
    Ok(RunResults { dir: dir.clone(), records, rendered, header, timing, precision_note })
}

/// One pass over the runs of a study not in `done`, logged as they finish.
struct Batch<'a> {
    loaded: &'a Loaded,
    header: &'a Header,
    shard: Option<(usize, usize)>,
    done: &'a [RunRecord],
    resume: bool,
}

impl Batch<'_> {
    /// Runs the batch; an interruption is `Failure::Interrupted` carrying
    /// the count of finished runs.
    fn run(
        &self,
        log_path: &Path,
        progress: &dyn Progress,
        stop: &AtomicBool,
        io: &dyn Fn(std::io::Error) -> Failure,
    ) -> Result<runner::Outcome, Failure> {
        let finished: BTreeSet<(usize, usize, u32)> =
            self.done.iter().map(|r| (r.point, r.strategy, r.replication)).collect();
        let todo: Vec<Coordinate> = self
            .loaded
            .study
            .coordinates()
            .into_iter()
            .enumerate()
            .filter(|(index, _)| self.shard.is_none_or(|(i, n)| index % n == i))
            .map(|(_, c)| c)
            .filter(|c| !finished.contains(&(c.point, c.strategy, c.replication)))
            .collect();
        let appender = Mutex::new(runlog::Appender::open(log_path, self.header, self.resume).map_err(io)?);
        let log_error = Mutex::new(None);
        let on_finish = |record: &RunRecord| {
            if let Err(e) = appender.lock().expect("no writer panics").append(record) {
                log_error.lock().expect("no writer panics").get_or_insert(e);
                stop.store(true, Ordering::SeqCst);
            }
        };
        let outcome = execute_runs(self.loaded, todo, self.done.len(), progress, stop, &on_finish);
        if let Some(e) = log_error.into_inner().expect("no writer panics") {
            return Err(io(e));
        }
        let outcome = outcome?;
        if outcome.interrupted {
            return Err(Failure::Interrupted((self.done.len() + outcome.records.len()).to_string()));
        }
        Ok(outcome)
    }
}

/// Locks a results directory for this process, refusing one another
/// process writes.
pub fn lock_dir(dir: &Path) -> Result<output::DirLock, Failure> {
    match output::DirLock::acquire(dir) {
        Ok((lock, stale)) => {
            if let Some(pid) = stale {
                eprintln!(
                    "note: {} was locked by process {pid}, which is gone (killed?); taking it over",
                    dir.display()
                );
            }
            Ok(lock)
        }
        Err(output::LockError::Held(pid)) => Err(Failure::Io(format!(
            "{}: another echelon{} is writing results here; wait for it to finish or choose another --out",
            dir.display(),
            pid.map_or(String::new(), |p| format!(" (PID {p})"))
        ))),
        Err(output::LockError::Io(e)) => {
            Err(Failure::Io(format!("{}: cannot lock {}: {e}", dir.display(), output::LOCK_FILE)))
        }
    }
}

/// Takes a results directory for writing: creates and locks it, refuses
/// symbolic links among its result files and removes the temporary files a
/// killed writer left.
pub fn take_dir(dir: &Path) -> Result<output::DirLock, Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Io(format!("{}: cannot create the results directory: {e}", dir.display())))?;
    let lock = lock_dir(dir)?;
    output::refuse_links(dir).map_err(Failure::Usage)?;
    let removed = output::remove_stale_temporaries(dir)
        .map_err(|e| Failure::Io(format!("{}: cannot remove old temporary files: {e}", dir.display())))?;
    if removed > 0 {
        eprintln!("note: removed {removed} temporary file(s) an interrupted writer left in {}", dir.display());
    }
    Ok(lock)
}

/// Before a fresh (not resumed) study writes into `dir`: refuses results
/// already there unless `force`, and with `force` removes them, so no old
/// file sits beside the new log.
pub fn clear_for_fresh_start(dir: &Path, header: &Header, force: bool) -> Result<(), Failure> {
    let present = output::results_present(dir);
    if present.is_empty() {
        return Ok(());
    }
    if !force {
        let log_path = dir.join("runs.jsonl");
        let what = match log_path.exists().then(|| runlog::read(&log_path)) {
            None => format!("results ({})", present.join(", ")),
            Some(Err(e)) => format!("a run log this Echelon cannot use ({e})"),
            Some(Ok(log)) if log.header.same_study(header) && log.header.shard == header.shard => {
                let expected = match header.shard_slice() {
                    Some((i, n)) => (0..header.study_runs()).filter(|k| k % n == i).count(),
                    None => header.study_runs(),
                };
                if log.records.len() == expected {
                    "the finished results of this study".to_string()
                } else {
                    return Err(Failure::Usage(format!(
                        "{} holds an unfinished run of this study ({} of {expected} runs); \
                         finish it with --resume, or start over with --force",
                        dir.display(),
                        log.records.len()
                    )));
                }
            }
            Some(Ok(log)) => format!("results of another study (scenario \"{}\")", log.header.study.scenario),
        };
        return Err(Failure::Usage(format!(
            "{} already holds {what}; nothing was changed. Choose another --out, or pass --force to replace them",
            dir.display()
        )));
    }
    output::remove_results(dir)
        .map_err(|e| Failure::Io(format!("{}: cannot remove the old results: {e}", dir.display())))?;
    eprintln!("note: --force: replacing the previous results in {}", dir.display());
    Ok(())
}

/// The runs an interrupted study already finished, after checking that the
/// log belongs to the same study.
pub fn previous_runs(log_path: &Path, header: &Header) -> Result<Vec<RunRecord>, Failure> {
    if !log_path.exists() {
        return Ok(Vec::new());
    }
    let log = runlog::read(log_path)
        .map_err(|e| Failure::Usage(format!("--resume: {e}; start over with --force instead of --resume")))?;
    let difference = match log.header.difference(header) {
        Some(difference) => Some(difference),
        None if log.header.shard != header.shard => {
            Some(format!("{} vs {}", log.header.shard_text(), header.shard_text()))
        }
        None => None,
    };
    if let Some(difference) = difference {
        return Err(Failure::Usage(format!(
            "--resume: {} holds runs of another study: {difference} (the log's, then this command's); \
             resume with the options the study was started with, or start over with --force",
            log_path.display(),
        )));
    }
    Ok(log.records)
}

/// Joins the result directories of shards (`run --shard i/n`) into `out`:
/// what one machine running the whole study would have written
/// (`summary.json`, `runs.csv`, `runs.jsonl` byte for byte). Refuses logs of
/// different studies, incomplete sets (naming the first missing run) and
/// folders that disagree on a run they both hold; a run held twice with the
/// same values counts once. The representative runs come from the first
/// shard directory holding a `trace.json`. `echelon merge` and the Python
/// package's distributed runs both call this. The timing of the result is
/// zero (nothing was run).
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<RunResults, Failure> {
    if dirs.is_empty() {
        return Err(Failure::Usage("merge: no shard directories given".into()));
    }
    let mut logs = Vec::new();
    for dir in dirs {
        logs.push((dir, runlog::read(&dir.join("runs.jsonl")).map_err(Failure::Usage)?));
    }
    let (first_dir, first) = &logs[0];
    // Each run once: the same run in two folders must agree bit for bit.
    let mut by_run: BTreeMap<(usize, usize, u32), (&PathBuf, &RunRecord)> = BTreeMap::new();
    for (dir, log) in &logs {
        if let Some(what) = first.header.difference(&log.header) {
            return Err(Failure::Usage(format!(
                "merge: {} and {} come from different studies: {what}",
                first_dir.display(),
                dir.display()
            )));
        }
        for record in &log.records {
            let key = (record.point, record.strategy, record.replication);
            match by_run.get(&key) {
                Some((other, kept)) if !runlog::same_values(kept, record) => {
                    return Err(Failure::Usage(format!(
                        "merge: {} and {} both hold point {}, strategy {}, replication {} with different values; \
                         one of them was edited or mixed up, so neither is trusted",
                        other.display(),
                        dir.display(),
                        key.0,
                        key.1,
                        key.2
                    )));
                }
                Some(_) => {}
                None => {
                    by_run.insert(key, (dir, record));
                }
            }
        }
    }
    let expected = first.header.study_runs();
    if by_run.len() != expected {
        // Every logged run is in range (runlog::read checks), so runs are missing.
        let missing = Study::coordinates_of(&first.header.study)
            .into_iter()
            .find(|c| !by_run.contains_key(&(c.point, c.strategy, c.replication)))
            .map_or(String::new(), |c| {
                format!(
                    " (the first missing is point {}, strategy {}, replication {})",
                    c.point, c.strategy, c.replication
                )
            });
        return Err(Failure::Usage(format!(
            "merge: the shards hold {} of the study's {expected} runs{missing}; are all shards finished and listed?",
            by_run.len()
        )));
    }
    let records: Vec<RunRecord> = by_run.into_values().map(|(_, r)| r.clone()).collect();
    let header = Header { shard: None, ..first.header.clone() };
    let mut representative = dirs.iter().find_map(|dir| read_trace(dir).ok().flatten());
    // Each shard summed its own runs' series; together they are the study's.
    if let Some(rep) = representative.as_mut() {
        rep.series.clear();
        for dir in dirs {
            if let Ok(Some(shard)) = read_trace(dir) {
                echelon_reports::representative::merge_series(&mut rep.series, &shard.series);
            }
        }
    }
    let rendered = output::render(&header, &records, None, representative.as_ref());
    let _lock = take_dir(out)?;
    if out.join("runs.jsonl").exists() {
        let same = runlog::read(&out.join("runs.jsonl")).is_ok_and(|log| log.header.same_study(&header));
        if !same {
            clear_for_fresh_start(out, &header, force)?;
        }
    }
    output::write_all(out, &rendered)
        .map_err(|e| Failure::Io(format!("{}: cannot write results: {e}", out.display())))?;
    let timing = runner::Timing {
        wall_seconds: 0.0,
        threads: 0,
        runs: 0,
        sku_location_days: 0,
        sku_location_days_per_sec: 0.0,
        decision_compute_ns: runner::ComputeLatency {
            description: "merged from shards: nothing was run".into(),
            p50: 0,
            p99: 0,
            max: 0,
            count: 0,
        },
    };
    Ok(RunResults { dir: out.to_path_buf(), records, rendered, header, timing, precision_note: None })
}

/// The representative runs saved beside a study's results (`trace.json`),
/// if any.
pub fn read_trace(dir: &Path) -> Result<Option<Representative>, Failure> {
    let path = dir.join("trace.json");
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Failure::Usage(format!("{}: not a trace file Echelon wrote: {e}", path.display())))
}
