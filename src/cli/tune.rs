//! `echelon tune FILE [--out DIR] [--threads N] [--force]`: tunes the strategies named
//! in the scenario's `tune:` section, writes `levels.csv`, `tuned.ron`,
//! `tune.json` and the comparison on fresh replications (see
//! [`crate::tune`]).

use super::Failure;
use crate::output;
use crate::scenario::Scenario;
use crate::tune::output::{TuneError, tune};
use echelon_reports::table;
use std::path::PathBuf;

/// Arguments of `echelon tune`.
#[derive(Debug, clap::Args)]
pub struct TuneArgs {
    /// Scenario file (RON) with a `tune:` section.
    file: PathBuf,
    /// Output directory [default: results/<scenario name>-tuned/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads [default: all cores]; results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Replace what the output directory holds (tune never writes into a
    /// non-empty directory otherwise).
    #[arg(long)]
    force: bool,
}

/// Checked before the search (minutes of work): a directory holding
/// anything — an earlier tune, a study's results, a user's own files — is
/// written into only with `--force`.
fn refuse_to_overwrite(dir: &std::path::Path, force: bool) -> Result<(), Failure> {
    let held = std::fs::read_dir(dir).map(|mut entries| entries.next().is_some()).unwrap_or(false);
    if held && !force {
        return Err(Failure::Usage(format!(
            "{} is not empty; nothing was changed. Choose another --out, or pass --force to write the tune's \
             files (levels.csv, tuned.ron, tune.json, comparison/, frontier/) over what is there",
            dir.display()
        )));
    }
    if held {
        eprintln!("note: --force: writing the tune's files over what {} holds", dir.display());
    }
    Ok(())
}

/// Runs `echelon tune`.
pub fn run(args: &TuneArgs, registry: &std::sync::Arc<echelon_strategies::registry::Registry>) -> Result<(), Failure> {
    let threads = match args.threads {
        Some(0) => return Err(Failure::Usage("--threads must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let scenario = Scenario::load_in(&args.file, Default::default(), registry)?;
    let dir = args.out.clone().unwrap_or_else(|| output::default_dir(&format!("{}-tuned", scenario.model.name)));
    refuse_to_overwrite(&dir, args.force)?;
    let outcome = tune(&scenario, &dir, threads).map_err(|e| match e {
        TuneError::Input(m) => Failure::Usage(m),
        TuneError::Infeasible(m) => {
            Failure::Usage(format!("{}: {m} (details in {})", args.file.display(), dir.join("tune.json").display()))
        }
        TuneError::Io(m) => Failure::Io(m),
    })?;
    for t in &outcome.tuned {
        let changed = t.values.iter().zip(&t.start).filter(|(a, b)| a != b).count();
        println!(
            "{}: {} SKU-locations, {} changed from the hand-set levels, {} simulation rounds",
            t.plan.name,
            t.values.len(),
            changed,
            t.rounds
        );
    }
    if outcome.short > 0 {
        println!(
            "{} SKU-locations fall short of a constraint at the joint tuned levels (over the search replications) \
             although their search met it: they interact with others through shared stock or capacity; listed in tune.json `short`",
            outcome.short
        );
    }
    if let Some(rendered) = &outcome.comparison
        && let [point] = rendered.stats.as_slice()
    {
        println!("\nOn fresh replications (not used by the search), mean ± 95% CI half-width:\n");
        print!("{}", table::render(point));
    }
    for pair in &outcome.paired {
        println!(
            "\n{} vs {} (hand-set), paired on {} fresh replications:",
            pair.tuned, pair.hand_set, pair.replications
        );
        for line in pair.verdicts() {
            println!("  {line}");
        }
    }
    println!("\nlevels.csv, tuned.ron, tune.json and comparison/ in {}", dir.display());
    Ok(())
}
