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
mod list;
mod terminal;
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
use echelon_strategies::registry::Registry;
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
    /// List what a scenario can say — strategies, levels, demand, events,
    /// classes, governance, catalogue, lead times, sweeps — and the
    /// metrics; `echelon list TOPIC` shows one topic.
    List {
        /// One topic (strategies, levels, demand, events, classes,
        /// governance, catalogue, lead-times, add-ons, sweeps, metrics).
        topic: Option<String>,
    },
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
    /// The table's metric columns, in order, e.g. --metrics
    /// fill_rate,total_cost [default: the headline metrics, with
    /// expedite_cost when a strategy expedites].
    #[arg(long, value_name = "KEY,KEY,…")]
    metrics: Option<String>,
    /// Print every verdict, not only a screenful.
    #[arg(long, short)]
    verbose: bool,
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
        Command::List { topic } => list::run(topic.as_deref(), &registry),
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
    warn(crate::warnings::scenario(base));
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

/// Prints warnings on stderr, one `warning: …` line each.
fn warn(warnings: Vec<String>) {
    for w in warnings {
        eprintln!("warning: {w}");
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
    let metrics = args.metrics.as_deref().map(table::parse_metrics).transpose().map_err(Failure::Usage)?;
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
    warn(crate::warnings::scenario(&plan.loaded.study.base));
    let results = plan::execute(&plan, &Bar::new(args.study.quiet), stop)?;
    if args.long_csv {
        let io = |e: std::io::Error| Failure::Io(format!("{}: cannot write results: {e}", results.dir.display()));
        let csv =
            crate::tidy::to_csv(&results.header.study, &results.records).map_err(|e| Failure::Io(e.to_string()))?;
        output::write_atomic(&results.dir.join("runs-long.csv"), &csv).map_err(io)?;
    }
    let terminal = terminal::Terminal::detect();
    let view = table::View {
        width: terminal.width,
        colour: terminal.colour,
        metrics: metrics.unwrap_or_else(|| table::default_metrics(&results.rendered.stats)),
        verbose: args.verbose,
        max_verdicts: 0,
    };
    warn(crate::warnings::results(
        &results.rendered.stats,
        &results.records,
        &results.header.study.strategies,
        &view.metrics,
    ));
    let mut text = results_text(args.format, &results.header, &results.rendered, view, terminal.height);
    if args.format == Format::Table {
        if let Some(note) = &results.precision_note {
            text += "\n";
            text += &table::wrap(&format!("{note} ({})", args.precision.join(", ")), terminal.width, "", "");
        }
        text += "\n";
        text += &table::wrap(
            &format!(
                "{} runs ({} new), {:.2e} SKU-location-days/s on {} threads; results in {}",
                results.records.len(),
                results.timing.runs,
                results.timing.sku_location_days_per_sec,
                plan.loaded.threads,
                results.dir.display()
            ),
            terminal.width,
            "",
            "",
        );
    } else if let Some(note) = &results.precision_note {
        eprintln!("{note}");
    }
    emit(&text)
}

/// What `run` prints on stdout. For the table: the title, the table (or
/// the sweep table), the verdicts that fit on a screen of `height` rows
/// (at least 5; all with `view.verbose`) and the per-class table, every
/// line within `view.width`.
fn results_text(
    format: Format,
    header: &Header,
    rendered: &output::Rendered,
    mut view: table::View,
    height: usize,
) -> String {
    let mut out = String::new();
    match format {
        Format::Json => out += &rendered.summary_json,
        Format::Csv => out += &String::from_utf8_lossy(&rendered.runs_csv),
        Format::Table => {
            let points = match header.study.points.len() {
                1 => String::new(),
                n => format!("{n} points × "),
            };
            out += &table::wrap(
                &format!(
                    "{} — {points}{} strategies × {} replications, {} measured days each (mean ± 95% CI half-width)",
                    header.study.scenario,
                    header.study.strategies.len(),
                    header.study.replications,
                    header.study.horizon_days - header.study.warmup_days
                ),
                view.width,
                "",
                "",
            );
            out += "\n";
            if header.study.replications < 2 {
                out += &table::wrap(
                    "One replication: no confidence intervals (shown as —) and no significant differences; \
                     run at least 2 (--replications N) to compare strategies.",
                    view.width,
                    "",
                    "",
                );
                out += "\n";
            }
            if let [point] = rendered.stats.as_slice() {
                out += &table::render_with(point, &view);
                // A screenful: what is left of it after the table and the
                // lines that follow the verdicts.
                view.max_verdicts = height.saturating_sub(out.lines().count() + 4).max(5);
                out += &table::verdict_lines(point, &view);
                let classes = table::render_classes_with(point, &header.study.classes, &view);
                if !classes.is_empty() {
                    out += &format!("\nPer customer class:\n{classes}");
                }
            } else {
                out += &table::render_sweep_with(&rendered.stats, &view);
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
    // Charts the directory's writer added (the tuner's frontier) are kept.
    let extra = output::read_extra_charts(dir).map_err(Failure::Usage)?;
    let rendered = output::render_with(&log.header, &log.records, None, representative.as_ref(), extra);
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

pub use list::{list, list_with};
