//! `echelon import DIR_OR_XLSX --out scenario.ron`: a scenario from ERP
//! tables (see [`crate::import`]).

use super::Failure;
use crate::import::{ImportError, Options, import};
use crate::scenario::file::ExperimentFile;
use std::path::PathBuf;

/// Arguments of `echelon import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A folder of CSV files (items.csv, locations.csv, lanes.csv,
    /// demand.csv, policies.csv, history.csv) or an .xlsx workbook with
    /// sheets of those names.
    input: PathBuf,
    /// Scenario file to write (RON); its levels table is written beside it.
    #[arg(long)]
    out: PathBuf,
    /// Scenario name [default: the output file's stem].
    #[arg(long)]
    name: Option<String>,
    /// Days simulated per run.
    #[arg(long, default_value_t = 365)]
    horizon_days: u32,
    /// Leading days excluded from metrics.
    #[arg(long, default_value_t = 0)]
    warmup_days: u32,
    /// Replications per strategy.
    #[arg(long, default_value_t = 10)]
    replications: u32,
    /// Scenario seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Replace an existing scenario file.
    #[arg(long)]
    force: bool,
}

/// Runs `echelon import`.
pub fn run(args: &ImportArgs) -> Result<(), Failure> {
    let options = Options {
        input: args.input.clone(),
        out: args.out.clone(),
        name: args.name.clone(),
        experiment: ExperimentFile {
            horizon_days: args.horizon_days,
            warmup_days: args.warmup_days,
            replications: args.replications,
            seed: args.seed,
        },
        force: args.force,
    };
    match import(&options) {
        Ok(imported) => {
            for warning in &imported.warnings {
                eprintln!("warning: {warning}");
            }
            let files: Vec<String> = imported.written.iter().map(|p| p.display().to_string()).collect();
            println!(
                "imported {} policies in force; wrote {} (check it with: echelon validate {})",
                imported.policies,
                files.join(", "),
                args.out.display()
            );
            Ok(())
        }
        Err(ImportError::Input(errors)) => Err(Failure::Usage(errors.join("\nerror: "))),
        Err(ImportError::Io(message)) => Err(Failure::Io(message)),
    }
}
