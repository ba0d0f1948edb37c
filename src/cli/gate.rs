//! `echelon baseline` and `echelon check`: the regression gate for CI.
//!
//! Both run a whole study in memory (the same options as `run`: `--seed`,
//! `--replications`, `--set`, `--threads`) and write nothing but their
//! named outputs. `check` reads and validates the baseline before running
//! anything, prints the diff table on stdout, optionally writes JUnit XML
//! and a markdown summary (atomically), and exits 0 on pass, 1 on a
//! regression, 2 when the baseline or the scenario is invalid.

use super::{Failure, emit, execute};
use crate::output::write_atomic;
use crate::plan::{Loaded, StudyOptions, check_budget, load};
use crate::runlog;
use clap::ValueEnum;
use echelon_reports::gate::{self, Baseline, Mode};
use echelon_reports::gate_view;
use echelon_strategies::registry::Registry;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub(super) struct BaselineArgs {
    #[command(flatten)]
    study: StudyOptions,
    /// Where to write the baseline (JSON).
    #[arg(long)]
    out: PathBuf,
}

/// How differences are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ModeArg {
    /// A regression when the difference's 95% interval lies beyond the tolerance on the bad side.
    Statistical,
    /// Any change beyond the tolerance (0 unless the scenario sets one) fails.
    Exact,
}

#[derive(Debug, clap::Args)]
pub(super) struct CheckArgs {
    #[command(flatten)]
    study: StudyOptions,
    /// The baseline written by `echelon baseline`.
    #[arg(long)]
    baseline: PathBuf,
    /// How differences are judged.
    #[arg(long, value_enum, default_value_t = ModeArg::Statistical)]
    mode: ModeArg,
    /// Also write JUnit XML here (one test case per strategy × metric).
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// Also write a markdown summary here (for a pull-request comment).
    #[arg(long, value_name = "PATH")]
    markdown: Option<PathBuf>,
    /// Fail (exit 1) when a check is inconclusive: its interval straddles
    /// the tolerance, so the data cannot tell whether it regressed.
    #[arg(long)]
    fail_on_inconclusive: bool,
}

/// Runs every run of the loaded study; Ctrl-C abandons it.
fn run_all(loaded: &Loaded, options: &StudyOptions) -> Result<Vec<echelon_reports::record::RunRecord>, Failure> {
    let quiet = options.quiet;
    check_budget(loaded, loaded.study.run_count(), options.allow_large)?;
    let outcome = execute(loaded, loaded.study.coordinates(), quiet, &|_| {})?;
    if outcome.interrupted {
        return Err(Failure::Interrupted("interrupted: nothing was written".into()));
    }
    Ok(outcome.records)
}

pub(super) fn baseline(args: &BaselineArgs, registry: &Arc<Registry>) -> Result<(), Failure> {
    let loaded = load(&args.study, registry)?;
    let records = run_all(&loaded, &args.study)?;
    let recorded = Baseline::new(runlog::digest(&loaded.identity), loaded.study.info(), &records);
    let text = serde_json::to_string_pretty(&recorded).expect("plain data") + "\n";
    write_atomic(&args.out, text.as_bytes())
        .map_err(|e| Failure::Io(format!("{}: cannot write the baseline: {e}", args.out.display())))?;
    emit(&format!(
        "baseline of \"{}\": {} runs ({} strategies × {} replications × {} sweep point(s), seed {}) written to {}\n",
        recorded.study.scenario,
        records.len(),
        recorded.study.strategies.len(),
        recorded.study.replications,
        recorded.study.points.len(),
        recorded.study.seed,
        args.out.display()
    ))
}

fn read_baseline(path: &Path) -> Result<Baseline, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Failure::Usage(format!(
            "{}: no such baseline; record one with `echelon baseline FILE --out {}`",
            path.display(),
            path.display()
        )),
        _ => Failure::Usage(format!("{}: cannot read the baseline: {e}", path.display())),
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::Usage(format!(
            "{}:{}:{}: not a baseline Echelon wrote ({e}); re-record it with `echelon baseline`",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

pub(super) fn check(args: &CheckArgs, registry: &Arc<Registry>) -> Result<(), Failure> {
    let recorded = read_baseline(&args.baseline)?;
    let loaded = load(&args.study, registry)?;
    let info = loaded.study.info();
    let mode = match args.mode {
        ModeArg::Statistical => Mode::Statistical,
        ModeArg::Exact => Mode::Exact,
    };
    // Refuse an incomparable baseline before spending the runs.
    gate::compare(&recorded, &info, &[], mode, &Default::default())
        .map_err(|why| Failure::Usage(format!("{}: {why}", args.baseline.display())))?;
    let records = run_all(&loaded, &args.study)?;
    let tolerances = &loaded.study.base.file.gate.tolerances;
    let mut verdict = gate::compare(&recorded, &info, &records, mode, tolerances)
        .map_err(|why| Failure::Usage(format!("{}: {why}", args.baseline.display())))?;
    verdict.strict = args.fail_on_inconclusive;
    if recorded.scenario_digest != runlog::digest(&loaded.identity) {
        verdict.notes.push("the scenario file or its overrides changed since the baseline was recorded".into());
    }
    emit(&gate_view::table(&verdict))?;
    let scenario = &info.scenario;
    let write = |path: &Path, text: String| {
        write_atomic(path, text.as_bytes()).map_err(|e| Failure::Io(format!("{}: cannot write: {e}", path.display())))
    };
    if let Some(path) = &args.junit {
        write(path, gate_view::junit(&verdict, scenario))?;
    }
    if let Some(path) = &args.markdown {
        write(path, gate_view::markdown(&verdict, scenario))?;
    }
    match verdict.failures().count() {
        0 => Ok(()),
        n => Err(Failure::Regression(format!(
            "check failed: {n} of {} checks against {}{}",
            verdict.checks.len(),
            args.baseline.display(),
            if verdict.strict { " (inconclusive checks count: --fail-on-inconclusive)" } else { "" }
        ))),
    }
}
