//! The command line: parses loosely with clap, then builds a validated
//! configuration before anything runs. The gate commands (`baseline`,
//! `check`) live in the `gate` module.
//!
//! Exit codes: 0 ok; 1 regression found (`check`); 2 invalid input or
//! usage; 3 results could not be written; 130 interrupted by Ctrl-C (the
//! finished runs are kept; the message says how to resume). Errors go to
//! stderr as one line, never as panic text.

mod gate;
mod import;
mod tune;

use crate::budget;
use crate::output;
use crate::precision::{self, Next, Target};
use crate::progress;
use crate::runlog::{self, Header};
use crate::runner;
use crate::runner::Hooks;
use crate::scenario::{InputError, LoadOptions, Scenario, params, parse};
use crate::study::{Coordinate, Study};
use clap::{Parser, Subcommand, ValueEnum};
use echelon_reports::record::RunRecord;
use echelon_reports::representative::Representative;
use echelon_reports::table;
use echelon_sim::metrics::METRICS;
use echelon_strategies::registry::{ALLOCATIONS, CATALOGUE};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::Ordering;

/// Deterministic discrete-event simulator and benchmarking harness for
/// distribution networks.
#[derive(Debug, Parser)]
#[command(name = "echelon", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every strategy of a scenario and compare them.
    Run(RunArgs),
    /// Check a scenario file without running it (exit 2 when invalid).
    Validate {
        /// Scenario file (RON).
        file: PathBuf,
        /// Build the model even when it is estimated not to fit in memory.
        #[arg(long)]
        allow_large: bool,
        /// Let `history:` read a file outside the scenario's folder.
        #[arg(long)]
        allow_paths_outside: bool,
    },
    /// List strategies, distributions and metrics with their parameters.
    List,
    /// Record a baseline of a scenario's results for `check`.
    Baseline(gate::BaselineArgs),
    /// Run a scenario and compare it with a baseline: exit 0 pass, 1 regression.
    Check(gate::CheckArgs),
    /// Rebuild report.html and charts/ from a results directory.
    Report {
        /// Results directory (holding runs.jsonl).
        dir: PathBuf,
        /// Also draw charts/*.png.
        #[arg(long)]
        png: bool,
    },
    /// Tune the strategies of the scenario's `tune:` section, then compare
    /// them on fresh replications.
    Tune(tune::TuneArgs),
    /// Write a scenario from ERP tables: a folder of CSV files or an .xlsx
    /// workbook (items, locations, lanes, demand, policies, history).
    Import(import::ImportArgs),
    /// Join the results of shards (`run --shard i/n`) into what one machine
    /// would have written.
    Merge {
        /// Result directories of the shards.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Replace results of another study in the output directory.
        #[arg(long)]
        force: bool,
    },
}

/// Output format on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Comparison table and verdicts.
    Table,
    /// summary.json.
    Json,
    /// runs.csv.
    Csv,
}

/// What defines a study beside its file: shared by `run`, `baseline` and
/// `check`.
#[derive(Debug, Clone, clap::Args)]
struct StudyOptions {
    /// Scenario file (RON).
    file: PathBuf,
    /// Override the scenario's replications.
    #[arg(long)]
    replications: Option<u32>,
    /// Override the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Set any parameter by path, e.g. --set events[outage].days=14 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Worker threads [default: all cores; at most 4 × the cores].
    #[arg(long)]
    threads: Option<usize>,
    /// Run even when the study's estimated memory exceeds what this machine
    /// has available, or one run's work exceeds the per-run limit.
    #[arg(long)]
    allow_large: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Let `history:` read a file outside the scenario's folder.
    #[arg(long)]
    allow_paths_outside: bool,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    #[command(flatten)]
    study: StudyOptions,
    /// Output directory [default: results/<scenario name>/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Run only the deterministic slice i of n (0 ≤ i < n): runs whose index
    /// modulo n is i. Join slices with `echelon merge`.
    #[arg(long, value_name = "i/n")]
    shard: Option<String>,
    /// Skip the runs already recorded in the output directory's runs.jsonl.
    #[arg(long, conflicts_with = "force")]
    resume: bool,
    /// Start afresh in an output directory that already holds results (of
    /// this study, finished or not, or of another), replacing them.
    #[arg(long)]
    force: bool,
    /// Also draw charts/*.png (font embedded; no system fonts needed).
    #[arg(long)]
    png: bool,
    /// Also write runs-long.csv: runs.parquet's long table as CSV (one row
    /// per run, scope, scope id and metric: large).
    #[arg(long)]
    long_csv: bool,
    /// Add replications in deterministic batches until METRIC's 95%
    /// half-width is at most HALF_WIDTH for every strategy at every point
    /// (repeatable), e.g. --precision fill_rate=0.002.
    #[arg(long, value_name = "METRIC=HALF_WIDTH")]
    precision: Vec<String>,
    /// With --precision: stop adding replications at this many.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_replications: u32,
}

/// Parses `i/n` with 0 ≤ i < n.
fn parse_shard(text: &str) -> Result<(usize, usize), Failure> {
    let bad = || Failure::Usage(format!("--shard {text}: expected i/n with 0 ≤ i < n, e.g. --shard 0/4"));
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// A failure with its exit code.
#[derive(Debug)]
enum Failure {
    /// Invalid scenario: 2.
    Input(InputError),
    /// Invalid command line or results directory: 2.
    Usage(String),
    /// Results could not be written: 3.
    Io(String),
    /// Stopped by Ctrl-C: 130.
    Interrupted(String),
    /// `check` found a regression: 1.
    Regression(String),
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Self::Input(e)
    }
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::Validate { file, allow_large, allow_paths_outside } => {
            validate(&file, allow_large, LoadOptions { allow_paths_outside })
        }
        Command::List => emit(&list()),
        Command::Merge { dirs, out, force } => merge(&dirs, &out, force),
        Command::Report { dir, png } => report(&dir, png),
        Command::Baseline(args) => gate::baseline(&args),
        Command::Check(args) => gate::check(&args),
        Command::Tune(args) => tune::run(&args),
        Command::Import(args) => import::run(&args),
    };
    match result {
        Ok(()) => 0,
        Err(Failure::Input(e)) => {
            eprintln!("error: {e}");
            2
        }
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            2
        }
        Err(Failure::Io(message)) => {
            eprintln!("error: {message}");
            3
        }
        Err(Failure::Interrupted(message)) => {
            eprintln!("{message}");
            130
        }
        Err(Failure::Regression(message)) => {
            eprintln!("{message}");
            1
        }
    }
}

fn validate(file: &Path, allow_large: bool, options: LoadOptions) -> Result<(), Failure> {
    let (source, parsed) = parse::read(file)?;
    check_model_budget(&parsed, allow_large)?;
    let study = Study::new(Scenario::from_parts_with(file, source, parsed, options)?)?;
    let base = &study.base;
    let estimate = budget::estimate(&study, default_threads(), study.run_count());
    let available = budget::available_memory();
    let fits = match estimate.refusal(available) {
        Some(_) if available.is_some_and(|a| estimate.peak_bytes > a) => {
            "; does NOT fit this machine's available memory (`run` refuses it without --allow-large)".to_string()
        }
        Some(_) => format!(
            "; one run is over the work limit of {:.0e} (`run` refuses it without --allow-large)",
            budget::WORK_LIMIT_PER_RUN
        ),
        None => String::new(),
    };
    emit(&format!(
        "{}: valid — scenario \"{}\", {} SKU-locations at {} locations, {} strategies, {} sweep points, {} runs\n  \
         {} on {} threads{fits}\n",
        file.display(),
        base.model.name,
        base.model.sku_locations(),
        base.model.nodes.len(),
        base.file.strategies.len(),
        study.points.len(),
        study.run_count(),
        estimate.describe(),
        default_threads(),
    ))
}

/// Worker threads when `--threads` is not given: one per core.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Refuses to build a model estimated not to fit (see [`budget`]), unless
/// `--allow-large`.
fn check_model_budget(file: &crate::scenario::file::ScenarioFile, allow_large: bool) -> Result<(), Failure> {
    match budget::model_refusal(file, budget::available_memory()) {
        Some(why) if !allow_large => Err(Failure::Usage(why)),
        _ => Ok(()),
    }
}

/// Refuses `runs` runs of `loaded` that would not fit this machine (see
/// [`budget`]), unless `--allow-large`.
fn check_budget(loaded: &Loaded, runs: usize, allow_large: bool) -> Result<(), Failure> {
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

/// Writes `text` to stdout. A reader that went away (`… | head`) is not an
/// error: the results are already on disk.
fn emit(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Io(format!("cannot write to standard output: {e}"))),
    }
}

/// Locks a results directory for this command, refusing one another
/// process writes.
fn lock_dir(dir: &Path) -> Result<output::DirLock, Failure> {
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
fn take_dir(dir: &Path) -> Result<output::DirLock, Failure> {
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
fn clear_for_fresh_start(dir: &Path, header: &Header, force: bool) -> Result<(), Failure> {
    let present: Vec<&str> = output::RESULT_FILES.iter().copied().filter(|f| dir.join(f).exists()).collect();
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
    for file in present {
        std::fs::remove_file(dir.join(file))
            .map_err(|e| Failure::Io(format!("{}: cannot remove the old {file}: {e}", dir.display())))?;
    }
    eprintln!("note: --force: replacing the previous results in {}", dir.display());
    Ok(())
}

/// A study loaded with its command-line overrides, and the text that
/// identifies it (the file's text plus the overrides).
struct Loaded {
    study: Study,
    identity: String,
    threads: usize,
}

/// `--threads` is capped at this many threads per core: more only adds
/// memory (a run in flight per thread) and scheduling, never speed.
const MAX_THREADS_PER_CORE: usize = 4;

fn load(options: &StudyOptions) -> Result<Loaded, Failure> {
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
    let (source, mut file) = parse::read(&options.file)?;
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
    check_model_budget(&file, options.allow_large)?;
    let load_options = LoadOptions { allow_paths_outside: options.allow_paths_outside };
    let study = Study::new(Scenario::from_parts_with(&options.file, source, file, load_options)?)?;
    Ok(Loaded { study, identity, threads })
}

fn run(args: &RunArgs) -> Result<(), Failure> {
    // Ctrl-C handled from the start: never a half-made directory by signal.
    let stop = progress::interrupt_flag();
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let targets: Vec<Target> =
        args.precision.iter().map(|t| Target::parse(t)).collect::<Result<_, _>>().map_err(Failure::Usage)?;
    if !targets.is_empty() && shard.is_some() {
        return Err(Failure::Usage(
            "--precision needs every run of each batch to decide the next; it cannot be combined with --shard".into(),
        ));
    }
    let loaded = load(&args.study)?;
    // Refuse what cannot fit before touching the results directory.
    let total = match shard {
        Some((i, n)) => (loaded.study.run_count() + n - 1 - i) / n,
        None => loaded.study.run_count(),
    };
    check_budget(&loaded, total, args.study.allow_large)?;
    let Loaded { study, identity, threads } = loaded;
    let dir = args.out.clone().unwrap_or_else(|| output::default_dir(&study.base.model.name));
    let header = Header::new(&study.info(), &identity, args.shard.clone());
    let log_path = dir.join("runs.jsonl");
    let _lock = take_dir(&dir)?;
    let done = if args.resume {
        previous_runs(&log_path, &header)?
    } else {
        clear_for_fresh_start(&dir, &header, args.force)?;
        Vec::new()
    };
    let io = |e: std::io::Error| Failure::Io(format!("{}: cannot write results: {e}", dir.display()));
    let (mut study, mut header, mut records, mut options) = (study, header, done, args.study.clone());
    let mut resume = args.resume;
    let mut precision_note = None;
    let timing = loop {
        let batch = Batch { study: &study, header: &header, shard, done: &records, resume, log_path: &log_path };
        let outcome = batch.run(threads, args.study.quiet, stop, &io).map_err(|e| match e {
            Failure::Interrupted(count) => Failure::Interrupted(format!(
                "interrupted: {count} of {} runs are finished and saved in {}; resume with\n  {}",
                if shard.is_some() { total } else { study.run_count() },
                log_path.display(),
                resume_command(args, &options, &dir)
            )),
            other => other,
        })?;
        records.extend(outcome.records);
        let replications = study.base.model.experiment.replications;
        if targets.is_empty() {
            break outcome.timing;
        }
        let stats = echelon_reports::summary::compute(&study.info(), &records);
        match precision::next(&targets, &stats, replications, args.max_replications.max(1)) {
            Next::Reached => {
                precision_note = Some(format!("precision reached with {replications} replications"));
                break outcome.timing;
            }
            Next::Limit(metric, strategy, h, target) => {
                precision_note = Some(format!(
                    "precision NOT reached at the limit of {replications} replications: {metric} of \
                     \"{strategy}\" has half-width {h:.4} > {target} (raise --max-replications)"
                ));
                break outcome.timing;
            }
            Next::More(n) => {
                // The log is rewritten for the larger study, keeping every run.
                options.replications = Some(n);
                study = load(&options)?.study;
                header = Header::new(&study.info(), &identity, args.shard.clone());
                output::write_atomic(&log_path, runlog::finished_text(&header, &records).as_bytes()).map_err(io)?;
                resume = true;
            }
        }
    };
    let representative = runner::representative(&study);
    let rendered = output::render(&header, &records, Some(&timing), Some(&representative));
    output::write_all(&dir, &rendered).map_err(io)?;
    if args.png {
        output::write_pngs(&dir, &rendered).map_err(io)?;
    }
    if args.long_csv {
        let csv = crate::tidy::to_csv(&header.study, &records).map_err(|e| Failure::Io(e.to_string()))?;
        output::write_atomic(&dir.join("runs-long.csv"), &csv).map_err(io)?;
    }
    let mut text = results_text(args.format, &header, &rendered);
    if args.format == Format::Table {
        if let Some(note) = &precision_note {
            text += &format!("\n{note} ({})\n", args.precision.join(", "));
        }
        text += &format!(
            "\n{} runs ({} new), {:.2e} SKU-location-days/s on {} threads; results in {}\n",
            records.len(),
            timing.runs,
            timing.sku_location_days_per_sec,
            threads,
            dir.display()
        );
    } else if let Some(note) = &precision_note {
        eprintln!("{note}");
    }
    emit(&text)
}

/// One pass of `run` over the runs of `study` not in `done`, logged as
/// they finish.
struct Batch<'a> {
    study: &'a Study,
    header: &'a Header,
    shard: Option<(usize, usize)>,
    done: &'a [RunRecord],
    resume: bool,
    log_path: &'a Path,
}

impl Batch<'_> {
    /// Runs the batch; an interruption is `Failure::Interrupted` carrying
    /// the count of finished runs.
    fn run(
        &self,
        threads: usize,
        quiet: bool,
        stop: &std::sync::atomic::AtomicBool,
        io: &dyn Fn(std::io::Error) -> Failure,
    ) -> Result<runner::Outcome, Failure> {
        let finished: BTreeSet<(usize, usize, u32)> =
            self.done.iter().map(|r| (r.point, r.strategy, r.replication)).collect();
        let todo: Vec<Coordinate> = self
            .study
            .coordinates()
            .into_iter()
            .enumerate()
            .filter(|(index, _)| self.shard.is_none_or(|(i, n)| index % n == i))
            .map(|(_, c)| c)
            .filter(|c| !finished.contains(&(c.point, c.strategy, c.replication)))
            .collect();
        let appender = Mutex::new(runlog::Appender::open(self.log_path, self.header, self.resume).map_err(io)?);
        let log_error = Mutex::new(None);
        let on_finish = |record: &RunRecord| {
            if let Err(e) = appender.lock().expect("no writer panics").append(record) {
                log_error.lock().expect("no writer panics").get_or_insert(e);
                stop.store(true, Ordering::SeqCst);
            }
        };
        let outcome = execute(self.study, threads, todo, self.done.len(), quiet, &on_finish);
        if let Some(e) = log_error.into_inner().expect("no writer panics") {
            return Err(io(e));
        }
        if outcome.interrupted {
            return Err(Failure::Interrupted((self.done.len() + outcome.records.len()).to_string()));
        }
        Ok(outcome)
    }
}

/// Runs `todo` (of `total` = `done` + todo) on a progress bar; Ctrl-C skips
/// the runs not yet started. `on_finish` sees each record as it completes.
fn execute(
    study: &Study,
    threads: usize,
    todo: Vec<Coordinate>,
    done: usize,
    quiet: bool,
    on_finish: &(dyn Fn(&RunRecord) + Sync),
) -> runner::Outcome {
    let progress = progress::Bar::new((done + todo.len()) as u64, done as u64, quiet);
    let advance = |record: &RunRecord| {
        on_finish(record);
        progress.advance();
    };
    let hooks = Hooks { on_finish: Some(&advance), stop: Some(progress::interrupt_flag()) };
    let outcome = runner::execute_runs(study, threads, todo, &hooks);
    progress.finish();
    outcome
}

/// The command that resumes an interrupted `run` (with `options` as they
/// stood when it stopped: a precision target may have raised the
/// replications).
fn resume_command(args: &RunArgs, options: &StudyOptions, dir: &Path) -> String {
    let mut command = format!("echelon run {} --out {} --resume", options.file.display(), dir.display());
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
    if let Some(shard) = &args.shard {
        command += &format!(" --shard {shard}");
    }
    for target in &args.precision {
        command += &format!(" --precision {target}");
    }
    if !args.precision.is_empty() {
        command += &format!(" --max-replications {}", args.max_replications);
    }
    command
}

/// The runs an interrupted study already finished, after checking that the
/// log belongs to the same study.
fn previous_runs(log_path: &Path, header: &Header) -> Result<Vec<RunRecord>, Failure> {
    if !log_path.exists() {
        return Ok(Vec::new());
    }
    let log = runlog::read(log_path)
        .map_err(|e| Failure::Usage(format!("--resume: {e}; start over with --force instead of --resume")))?;
    if !log.header.same_study(header) || log.header.shard != header.shard {
        return Err(Failure::Usage(format!(
            "--resume: {} holds runs of another study (scenario \"{}\", digest {}, seed {}, shard {:?}); \
             this one is scenario \"{}\", digest {}, seed {}, shard {:?}; start over with --force",
            log_path.display(),
            log.header.study.scenario,
            log.header.scenario_digest,
            log.header.study.seed,
            log.header.shard,
            header.study.scenario,
            header.scenario_digest,
            header.study.seed,
            header.shard
        )));
    }
    Ok(log.records)
}

fn results_text(format: Format, header: &Header, rendered: &output::Rendered) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    match format {
        Format::Json => out += &rendered.summary_json,
        Format::Csv => out += &String::from_utf8_lossy(&rendered.runs_csv),
        Format::Table => {
            let points = match header.study.points.len() {
                1 => String::new(),
                n => format!("{n} points × "),
            };
            let _ = writeln!(
                out,
                "{} — {points}{} strategies × {} replications, {} measured days each (mean ± 95% CI half-width)\n",
                header.study.scenario,
                header.study.strategies.len(),
                header.study.replications,
                header.study.horizon_days - header.study.warmup_days
            );
            if header.study.replications < 2 {
                println!(
                    "One replication: no confidence intervals (shown as —) and no significant differences; \
                     run at least 2 (--replications N) to compare strategies.\n"
                );
            }
            if let [point] = rendered.stats.as_slice() {
                out += &table::render(point);
                for line in table::verdicts(point) {
                    let _ = writeln!(out, "  {line}");
                }
                let classes = table::render_classes(point, &header.study.classes);
                if !classes.is_empty() {
                    let _ = write!(out, "\nPer customer class:\n{classes}");
                }
            } else {
                out += &table::render_sweep(&rendered.stats);
                out += "Paired comparisons at every point are in summary.json.\n";
            }
        }
    }
    out
}

fn merge(dirs: &[PathBuf], out: &Path, force: bool) -> Result<(), Failure> {
    let mut logs = Vec::new();
    for dir in dirs {
        logs.push((dir, runlog::read(&dir.join("runs.jsonl")).map_err(Failure::Usage)?));
    }
    let (first_dir, first) = &logs[0];
    // Each run once: the same run in two folders must agree bit for bit.
    let mut by_run: BTreeMap<(usize, usize, u32), (&PathBuf, &RunRecord)> = BTreeMap::new();
    for (dir, log) in &logs {
        if !log.header.same_study(&first.header) {
            let (a, b) = (&first.header, &log.header);
            let what = if a.scenario_digest != b.scenario_digest || a.study.scenario != b.study.scenario {
                format!(
                    "scenario \"{}\" (digest {}) vs \"{}\" (digest {})",
                    a.study.scenario, a.scenario_digest, b.study.scenario, b.scenario_digest
                )
            } else if a.study.seed != b.study.seed {
                format!("seed {} vs {}", a.study.seed, b.study.seed)
            } else {
                "run settings (replications, horizon or strategies)".to_string()
            };
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
    let representative = dirs.iter().find_map(|dir| read_trace(dir).ok().flatten());
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
    emit(&format!("merged {} runs from {} directories into {}\n", records.len(), dirs.len(), out.display()))
}

/// The representative runs saved beside a study's results, if any.
fn read_trace(dir: &Path) -> Result<Option<Representative>, Failure> {
    let path = dir.join("trace.json");
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Failure::Usage(format!("{}: not a trace file Echelon wrote: {e}", path.display())))
}

fn report(dir: &Path, png: bool) -> Result<(), Failure> {
    let log_path = dir.join("runs.jsonl");
    let _lock = if dir.is_dir() { Some(lock_dir(dir)?) } else { None };
    if !log_path.exists() {
        return Err(Failure::Usage(format!(
            "{}: no results here (no runs.jsonl); give the directory `echelon run` wrote",
            dir.display()
        )));
    }
    output::refuse_links(dir).map_err(Failure::Usage)?;
    let log = runlog::read(&log_path).map_err(Failure::Usage)?;
    let expected = log.header.study_runs();
    if log.header.shard.is_none() && log.records.len() != expected {
        return Err(Failure::Usage(format!(
            "{}: the study is unfinished ({} of {expected} runs); finish it with `echelon run … --resume` first",
            dir.display(),
            log.records.len()
        )));
    }
    let representative = read_trace(dir)?;
    let rendered = output::render(&log.header, &log.records, None, representative.as_ref());
    let io = |e: std::io::Error| Failure::Io(format!("{}: cannot write the report: {e}", dir.display()));
    output::write_report(dir, &rendered).map_err(io)?;
    if png {
        output::write_pngs(dir, &rendered).map_err(io)?;
    }
    emit(&format!(
        "wrote {} and {} charts in {}\n",
        dir.join("report.html").display(),
        rendered.charts.len(),
        dir.join("charts").display()
    ))
}

/// The text of `echelon list`.
pub fn list() -> String {
    let mut out = String::from("STRATEGIES (a strategy's `replenishment:` and `allocation:` fields)\n");
    for info in CATALOGUE.iter().chain(ALLOCATIONS) {
        out += &format!(
            "  {:<22} {:<13} {}\n  {:<22} {:<13} e.g. {}\n",
            info.name, info.kind, info.summary, "", "", info.example
        );
    }
    out += "\nLEVELS (any stock level parameter)\n  Units(n)  DaysOfCover(days)  PerSku({\"sku\": n, …})\n";
    out += "\nDEMAND MODELS (demand[i].model)\n  Poisson(mean)  Normal(mean, sd)  Gamma(mean, sd)  NegativeBinomial(mean, sd)  Constant(quantity)\n  Intermittent(probability, mean_size, sd_size)\n  Orders(rate_per_day, size: Fixed(units) | Geometric(mean))   event-driven customer orders\n  history: (file: \"sales.csv\", mode: Replay | Bootstrap)     recorded demand (columns day|date, location, sku, quantity)\n";
    out += "\nEVENTS (events[i].kind; start_day, days)\n  SupplierOutage(supplier, in_transit: Continue | Delay | Lose)  LaneOutage(from, to, in_transit)\n  CapacityCut(supplier, multiplier)  LeadTimeInflation(supplier, location, multiplier)  NodeClosure(location)\n  DemandShock(location, multiplier)  Promotion(location, uplift, dip, dip_days)  RegimeShift(location, multiplier)\n  random_outages: [(name, from, to, mean_up_days, mean_down_days, in_transit)]\n";
    out += "\nSTRATEGY ADD-ONS (strategies[i])\n  transfers: (below_days, above_days)   expedites: (cover_days)   at: {\"location\": <replenishment>}\n";
    out += "\nLEAD TIMES (lanes[i].lead_time, days)\n  Constant(days)  Uniform(min_days, max_days)  Normal(mean_days, sd_days)  LogNormal(mean_days, sd_days)\n  Gamma(mean_days, sd_days)  Empirical(days: [..], weights: [..])\n";
    out += "\nMETRICS\n";
    for m in METRICS {
        out += &format!("  {:<28} {:<28} {}\n", m.key, m.unit, m.definition);
    }
    out
}
