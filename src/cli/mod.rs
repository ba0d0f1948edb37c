//! The command line: parses loosely with clap, then builds a validated
//! configuration before anything runs. The gate commands (`baseline`,
//! `check`) live in the `gate` module.
//!
//! The work itself is the library's ([`crate::plan`]): this module parses
//! arguments, shows progress, handles Ctrl-C and prints. A program that
//! plugs in its own strategies gets every subcommand with them through
//! [`main_with`].
//!
//! Exit codes: 0 ok; 1 regression found (`check`); 2 invalid input or
//! usage; 3 results could not be written; 4 a strategy failed during a run
//! (it panicked or broke its contract; the message names it, the finished
//! runs are kept and `--resume` continues); 130 interrupted by Ctrl-C (the
//! finished runs are kept; the message says how to resume). Errors go to
//! stderr as one line, never as panic text.

mod gate;
mod import;
mod tune;

use crate::budget;
use crate::output;
pub use crate::plan::Failure;
use crate::plan::lock_dir;
use crate::plan::{self, Loaded, RunPlan, StudyOptions, check_model_budget, default_threads};
use crate::progress;
use crate::runlog::{self, Header};
use crate::scenario::{LoadOptions, Scenario, parse};
use crate::study::{Coordinate, Study};
use clap::{Parser, Subcommand, ValueEnum};
use echelon_reports::record::RunRecord;
use echelon_reports::table;
use echelon_sim::metrics::METRICS;
use echelon_strategies::registry::{ALLOCATIONS, CATALOGUE, Registry};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    /// modulo n is i. Join slices with `echelon merge`. `auto`: i and n from
    /// the job array's variables (Slurm, Kubernetes Indexed Jobs with
    /// ECHELON_SHARD_COUNT, AWS Batch with ECHELON_SHARD_COUNT).
    #[arg(long, value_name = "i/n|auto")]
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

/// Runs the command line with the bundled strategies; returns the process
/// exit code.
pub fn main() -> i32 {
    main_with(Registry::bundled())
}

/// Runs the command line — every subcommand — with the strategies of
/// `registry` (the bundled ones and those plugged in); returns the process
/// exit code. The body of a downstream binary's `main`:
///
/// ```no_run
/// let registry = echelon::strategies::registry::Registry::bundled();
/// // registry.register_replenishment("my-policy", "what it does", my_factory);
/// std::process::exit(echelon::cli::main_with(registry));
/// ```
pub fn main_with(registry: Registry) -> i32 {
    let registry = Arc::new(registry);
    // A panicking strategy is reported as one line naming it (exit 4): the
    // hook only notes where it panicked.
    std::panic::set_hook(Box::new(crate::runner::note_panic_location));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Run(args) => run(&args, &registry),
        Command::Validate { file, allow_large, allow_paths_outside } => {
            validate(&file, allow_large, LoadOptions { allow_paths_outside }, &registry)
        }
        Command::List => emit(&list_with(&registry)),
        Command::Merge { dirs, out, force } => merge(&dirs, &out, force),
        Command::Report { dir, png } => report(&dir, png),
        Command::Baseline(args) => gate::baseline(&args, &registry),
        Command::Check(args) => gate::check(&args, &registry),
        Command::Tune(args) => tune::run(&args, &registry),
        Command::Import(args) => import::run(&args),
    };
    match result {
        Ok(()) => 0,
        Err(failure) => {
            eprintln!("{failure}");
            failure.exit_code()
        }
    }
}

fn validate(file: &Path, allow_large: bool, options: LoadOptions, registry: &Arc<Registry>) -> Result<(), Failure> {
    let (source, parsed) = parse::read(file)?;
    check_model_budget(&parsed, allow_large)?;
    let study = Study::new(Scenario::from_parts_in(file, source, parsed, options, registry)?)?;
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

/// The progress bar of a run, made when the runs (of each batch) start.
struct Bar {
    quiet: bool,
    bar: Mutex<Option<progress::Bar>>,
}

impl Bar {
    fn new(quiet: bool) -> Self {
        Self { quiet, bar: Mutex::new(None) }
    }
}

impl plan::Progress for Bar {
    fn start(&self, total: u64, done: u64) {
        *self.bar.lock().unwrap_or_else(|e| e.into_inner()) = Some(progress::Bar::new(total, done, self.quiet));
    }
    fn advance(&self) {
        if let Some(bar) = &*self.bar.lock().unwrap_or_else(|e| e.into_inner()) {
            bar.advance();
        }
    }
    fn finish(&self) {
        if let Some(bar) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            bar.finish();
        }
    }
}

/// Runs `runs` of `loaded` on a progress bar; Ctrl-C skips the runs not
/// yet started. `on_finish` sees each record as it completes.
fn execute(
    loaded: &Loaded,
    runs: Vec<Coordinate>,
    quiet: bool,
    on_finish: &(dyn Fn(&RunRecord) + Sync),
) -> Result<crate::runner::Outcome, Failure> {
    plan::execute_runs(loaded, runs, 0, &Bar::new(quiet), progress::interrupt_flag(), on_finish)
}

fn run(args: &RunArgs, registry: &Arc<Registry>) -> Result<(), Failure> {
    // Ctrl-C handled from the start: never a half-made directory by signal.
    let stop = progress::interrupt_flag();
    let shard = args.shard.as_deref().map(plan::resolve_shard).transpose()?;
    if !args.precision.is_empty() && shard.is_some() {
        return Err(Failure::Usage(
            "--precision needs every run of each batch to decide the next; it cannot be combined with --shard".into(),
        ));
    }
    let plan = RunPlan::new(&args.study, registry, args.out.clone())?
        .with_shard(shard)?
        .with_restart(args.resume, args.force)?
        .with_precision(&args.precision, args.max_replications)?
        .with_png(args.png);
    let results = plan::execute(&plan, &Bar::new(args.study.quiet), stop)?;
    if args.long_csv {
        let io = |e: std::io::Error| Failure::Io(format!("{}: cannot write results: {e}", results.dir.display()));
        let csv =
            crate::tidy::to_csv(&results.header.study, &results.records).map_err(|e| Failure::Io(e.to_string()))?;
        output::write_atomic(&results.dir.join("runs-long.csv"), &csv).map_err(io)?;
    }
    let mut text = results_text(args.format, &results.header, &results.rendered);
    if args.format == Format::Table {
        if let Some(note) = &results.precision_note {
            text += &format!("\n{note} ({})\n", args.precision.join(", "));
        }
        text += &format!(
            "\n{} runs ({} new), {:.2e} SKU-location-days/s on {} threads; results in {}\n",
            results.records.len(),
            results.timing.runs,
            results.timing.sku_location_days_per_sec,
            plan.loaded.threads,
            results.dir.display()
        );
    } else if let Some(note) = &results.precision_note {
        eprintln!("{note}");
    }
    emit(&text)
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
    let results = plan::merge(dirs, out, force)?;
    emit(&format!("merged {} runs from {} directories into {}\n", results.records.len(), dirs.len(), out.display()))
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
    let representative = plan::read_trace(dir)?;
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

/// The text of `echelon list` with the bundled strategies only.
pub fn list() -> String {
    list_with(&Registry::bundled())
}

/// The text of `echelon list`, with the strategies plugged into `registry`.
pub fn list_with(registry: &Registry) -> String {
    let mut out = String::from("STRATEGIES (a strategy's `replenishment:` and `allocation:` fields)\n");
    for info in CATALOGUE.iter().chain(ALLOCATIONS) {
        out += &format!(
            "  {:<22} {:<13} {}\n  {:<22} {:<13} e.g. {}\n",
            info.name, info.kind, info.summary, "", "", info.example
        );
    }
    let plugins = registry.plugins();
    if !plugins.is_empty() {
        out += "\nPLUGGED-IN STRATEGIES (Custom(name: \"…\", params: { … }) in `replenishment:`, `allocation:`, `transfers:` or `expedites:`)\n";
        for p in plugins {
            let mut lines = p.help.lines();
            out += &format!("  {:<22} {:<13} {}\n", p.name, p.kind, lines.next().unwrap_or(""));
            for line in lines {
                out += &format!("  {:<22} {:<13} {}\n", "", "", line);
            }
        }
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
