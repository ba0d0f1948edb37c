//! The command line: parses loosely with clap, then builds a validated
//! configuration before anything runs.
//!
//! Exit codes: 0 ok; 1 regression found (`check`); 2 invalid input or
//! usage. Errors go to stderr as one line, never as panic text.

use crate::output;
use crate::runner;
use crate::scenario::{InputError, Scenario, parse};
use clap::{Parser, Subcommand, ValueEnum};
use echelon_reports::{summary, table};
use echelon_sim::metrics::METRICS;
use echelon_strategies::registry::{ALLOCATIONS, CATALOGUE};
use std::path::{Path, PathBuf};

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
    },
    /// List strategies, distributions and metrics with their parameters.
    List,
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
    /// Scenario file (RON).
    file: PathBuf,
    /// Output directory [default: results/<scenario name>/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override the scenario's replications.
    #[arg(long)]
    replications: Option<u32>,
    /// Override the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// A failure with its exit code.
#[derive(Debug)]
enum Failure {
    Input(InputError),
    Usage(String),
    Io(String),
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
        Command::Validate { file } => validate(&file),
        Command::List => {
            print!("{}", list());
            Ok(())
        }
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
            1
        }
    }
}

fn validate(file: &Path) -> Result<(), Failure> {
    let scenario = Scenario::load(file)?;
    println!(
        "{}: valid — scenario \"{}\", {} SKU-locations at {} locations, {} strategies, {} runs",
        file.display(),
        scenario.model.name,
        scenario.model.sku_locations(),
        scenario.model.nodes.len(),
        scenario.file.strategies.len(),
        scenario.file.strategies.len() * scenario.model.experiment.replications as usize,
    );
    Ok(())
}

fn load_with_overrides(args: &RunArgs) -> Result<Scenario, Failure> {
    let (source, mut file) = parse::read(&args.file)?;
    if let Some(r) = args.replications {
        if r == 0 {
            return Err(Failure::Usage("--replications must be at least 1".into()));
        }
        file.experiment.replications = r;
    }
    if let Some(seed) = args.seed {
        file.experiment.seed = seed;
    }
    Ok(Scenario::from_parts(&args.file, source, file)?)
}

fn run(args: &RunArgs) -> Result<(), Failure> {
    let threads = match args.threads {
        Some(0) => return Err(Failure::Usage("--threads must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let scenario = load_with_overrides(args)?;
    let dir = args.out.clone().unwrap_or_else(|| output::default_dir(&scenario.model.name));
    let outcome = runner::execute(&scenario, threads);
    let info = runner::study_info(&scenario);
    let stats = summary::compute(&info, &outcome.records);
    let rendered = output::render(&info, &stats, &outcome);
    output::write_all(&dir, &rendered)
        .map_err(|e| Failure::Io(format!("{}: cannot write results: {e}", dir.display())))?;
    match args.format {
        Format::Json => print!("{}", rendered.summary_json),
        Format::Csv => print!("{}", String::from_utf8_lossy(&rendered.runs_csv)),
        Format::Table => {
            println!(
                "{} — {} strategies × {} replications, {} measured days each (mean ± 95% CI half-width)\n",
                info.scenario,
                info.strategies.len(),
                info.replications,
                info.horizon_days - info.warmup_days
            );
            for point in &stats {
                print!("{}", table::render(point));
                for line in table::verdicts(point) {
                    println!("  {line}");
                }
            }
            println!(
                "\n{} runs, {:.2e} SKU-location-days/s on {} threads; results in {}",
                outcome.timing.runs,
                outcome.timing.sku_location_days_per_sec,
                threads,
                dir.display()
            );
        }
    }
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
    out += "\nDEMAND MODELS (demand[i].model)\n  Poisson(mean)  Normal(mean, sd)  Gamma(mean, sd)  NegativeBinomial(mean, sd)  Constant(quantity)\n  Orders(rate_per_day, size: Fixed(units) | Geometric(mean))   event-driven customer orders\n";
    out += "\nLEAD TIMES (lanes[i].lead_time, days)\n  Constant(days)  Uniform(min_days, max_days)  Normal(mean_days, sd_days)  LogNormal(mean_days, sd_days)\n  Gamma(mean_days, sd_days)  Empirical(days: [..], weights: [..])\n";
    out += "\nMETRICS\n";
    for m in METRICS {
        out += &format!("  {:<28} {:<28} {}\n", m.key, m.unit, m.definition);
    }
    out
}
