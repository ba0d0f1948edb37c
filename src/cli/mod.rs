//! The command line: parses loosely with clap, then builds a validated
//! configuration before anything runs. The gate commands (`baseline`,
//! `check`) live in the `gate` module.
//!
//! Exit codes: 0 ok; 1 regression found (`check`); 2 invalid input or
//! usage; 3 results could not be written; 130 interrupted by Ctrl-C (the
//! finished runs are kept; the message says how to resume). Errors go to
//! stderr as one line, never as panic text.

mod gate;

use crate::output;
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
use std::collections::BTreeSet;
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
    /// Join the results of shards (`run --shard i/n`) into what one machine
    /// would have written.
    Merge {
        /// Result directories of the shards.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
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
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
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
    #[arg(long)]
    resume: bool,
    /// Also draw charts/*.png (font embedded; no system fonts needed).
    #[arg(long)]
    png: bool,
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
        Command::Validate { file, allow_paths_outside } => validate(&file, LoadOptions { allow_paths_outside }),
        Command::List => {
            print!("{}", list());
            Ok(())
        }
        Command::Merge { dirs, out } => merge(&dirs, &out),
        Command::Report { dir, png } => report(&dir, png),
        Command::Baseline(args) => gate::baseline(&args),
        Command::Check(args) => gate::check(&args),
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

fn validate(file: &Path, options: LoadOptions) -> Result<(), Failure> {
    let study = Study::new(Scenario::load_with(file, options)?)?;
    let base = &study.base;
    println!(
        "{}: valid — scenario \"{}\", {} SKU-locations at {} locations, {} strategies, {} sweep points, {} runs",
        file.display(),
        base.model.name,
        base.model.sku_locations(),
        base.model.nodes.len(),
        base.file.strategies.len(),
        study.points.len(),
        study.run_count(),
    );
    Ok(())
}

/// A study loaded with its command-line overrides, and the text that
/// identifies it (the file's text plus the overrides).
struct Loaded {
    study: Study,
    identity: String,
    threads: usize,
}

fn load(options: &StudyOptions) -> Result<Loaded, Failure> {
    let threads = match options.threads {
        Some(0) => return Err(Failure::Usage("--threads must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
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
    let load_options = LoadOptions { allow_paths_outside: options.allow_paths_outside };
    let study = Study::new(Scenario::from_parts_with(&options.file, source, file, load_options)?)?;
    Ok(Loaded { study, identity, threads })
}

fn run(args: &RunArgs) -> Result<(), Failure> {
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let Loaded { study, identity, threads } = load(&args.study)?;
    let dir = args.out.clone().unwrap_or_else(|| output::default_dir(&study.base.model.name));
    let header = Header::new(&study.info(), &identity, args.shard.clone());
    let log_path = dir.join("runs.jsonl");
    let done = if args.resume { previous_runs(&log_path, &header)? } else { Vec::new() };
    let finished: BTreeSet<(usize, usize, u32)> = done.iter().map(|r| (r.point, r.strategy, r.replication)).collect();
    let mine: Vec<Coordinate> = study
        .coordinates()
        .into_iter()
        .enumerate()
        .filter(|(index, _)| shard.is_none_or(|(i, n)| index % n == i))
        .map(|(_, c)| c)
        .collect();
    let total = mine.len();
    let todo: Vec<Coordinate> =
        mine.into_iter().filter(|c| !finished.contains(&(c.point, c.strategy, c.replication))).collect();
    let io = |e: std::io::Error| Failure::Io(format!("{}: cannot write results: {e}", dir.display()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    let appender = Mutex::new(runlog::Appender::open(&log_path, &header, args.resume).map_err(io)?);
    let stop = progress::interrupt_flag();
    let log_error = Mutex::new(None);
    let on_finish = |record: &RunRecord| {
        if let Err(e) = appender.lock().expect("no writer panics").append(record) {
            log_error.lock().expect("no writer panics").get_or_insert(e);
            stop.store(true, Ordering::SeqCst);
        }
    };
    let outcome = execute(&study, threads, todo, done.len(), args.study.quiet, &on_finish);
    if let Some(e) = log_error.into_inner().expect("no writer panics") {
        return Err(io(e));
    }
    if outcome.interrupted {
        return Err(Failure::Interrupted(format!(
            "interrupted: {} of {total} runs are finished and saved in {}; resume with\n  {}",
            done.len() + outcome.records.len(),
            log_path.display(),
            resume_command(args, &dir)
        )));
    }
    let records: Vec<_> = done.into_iter().chain(outcome.records.iter().cloned()).collect();
    let representative = runner::representative(&study);
    let rendered = output::render(&header, &records, Some(&outcome.timing), Some(&representative));
    output::write_all(&dir, &rendered).map_err(io)?;
    if args.png {
        output::write_pngs(&dir, &rendered).map_err(io)?;
    }
    print_results(args.format, &header, &rendered);
    if args.format == Format::Table {
        println!(
            "\n{} runs ({} new), {:.2e} SKU-location-days/s on {} threads; results in {}",
            records.len(),
            outcome.timing.runs,
            outcome.timing.sku_location_days_per_sec,
            threads,
            dir.display()
        );
    }
    Ok(())
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

/// The command that resumes an interrupted `run`.
fn resume_command(args: &RunArgs, dir: &Path) -> String {
    let options = &args.study;
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
    command
}

/// The runs an interrupted study already finished, after checking that the
/// log belongs to the same study.
fn previous_runs(log_path: &Path, header: &Header) -> Result<Vec<RunRecord>, Failure> {
    if !log_path.exists() {
        return Ok(Vec::new());
    }
    let log = runlog::read(log_path).map_err(Failure::Usage)?;
    if !log.header.same_study(header) || log.header.shard != header.shard {
        return Err(Failure::Usage(format!(
            "--resume: {} holds runs of another study (scenario \"{}\", digest {}, seed {}, shard {:?}); \
             this one is scenario \"{}\", digest {}, seed {}, shard {:?}",
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

fn print_results(format: Format, header: &Header, rendered: &output::Rendered) {
    match format {
        Format::Json => print!("{}", rendered.summary_json),
        Format::Csv => print!("{}", String::from_utf8_lossy(&rendered.runs_csv)),
        Format::Table => {
            let points = match header.study.points.len() {
                1 => String::new(),
                n => format!("{n} points × "),
            };
            println!(
                "{} — {points}{} strategies × {} replications, {} measured days each (mean ± 95% CI half-width)\n",
                header.study.scenario,
                header.study.strategies.len(),
                header.study.replications,
                header.study.horizon_days - header.study.warmup_days
            );
            if let [point] = rendered.stats.as_slice() {
                print!("{}", table::render(point));
                for line in table::verdicts(point) {
                    println!("  {line}");
                }
                let classes = table::render_classes(point, &header.study.classes);
                if !classes.is_empty() {
                    print!("\nPer customer class:\n{classes}");
                }
            } else {
                print!("{}", table::render_sweep(&rendered.stats));
                println!("Paired comparisons at every point are in summary.json.");
            }
        }
    }
}

fn merge(dirs: &[PathBuf], out: &Path) -> Result<(), Failure> {
    let mut logs = Vec::new();
    for dir in dirs {
        logs.push((dir, runlog::read(&dir.join("runs.jsonl")).map_err(Failure::Usage)?));
    }
    let (first_dir, first) = &logs[0];
    let mut records = Vec::new();
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
        records.extend(log.records.iter().cloned());
    }
    records.sort_by_key(|r| (r.point, r.strategy, r.replication));
    let expected = first.header.study.strategies.len()
        * first.header.study.replications as usize
        * first.header.study.points.len();
    records.dedup_by_key(|r| (r.point, r.strategy, r.replication));
    if records.len() != expected {
        return Err(Failure::Usage(format!(
            "merge: the shards hold {} of the study's {expected} runs; are all shards finished and listed?",
            records.len()
        )));
    }
    let header = Header { shard: None, ..first.header.clone() };
    let representative = dirs.iter().find_map(|dir| read_trace(dir).ok().flatten());
    let rendered = output::render(&header, &records, None, representative.as_ref());
    output::write_all(out, &rendered)
        .map_err(|e| Failure::Io(format!("{}: cannot write results: {e}", out.display())))?;
    println!("merged {} runs from {} directories into {}", records.len(), dirs.len(), out.display());
    Ok(())
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
    if !log_path.exists() {
        return Err(Failure::Usage(format!(
            "{}: no results here (no runs.jsonl); give the directory `echelon run` wrote",
            dir.display()
        )));
    }
    let log = runlog::read(&log_path).map_err(Failure::Usage)?;
    let expected =
        log.header.study.points.len() * log.header.study.strategies.len() * log.header.study.replications as usize;
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
    println!(
        "wrote {} and {} charts in {}",
        dir.join("report.html").display(),
        rendered.charts.len(),
        dir.join("charts").display()
    );
    Ok(())
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
