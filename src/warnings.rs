//! Warnings: valid input or results that are probably a mistake. They go
//! to stderr as `warning: …` lines; nothing is refused and the exit code
//! is unchanged.
//!
//! About the scenario ([`scenario`], located like input errors,
//! `file:line:col: path: message`):
//! - a SKU's or catalogue's `holding_rate` above 1 (an annual fraction of
//!   the unit cost: 25 where 0.25 was meant?);
//! - an event that lies entirely inside the warm-up (its days, and a
//!   promotion's dip, end before `warmup_days`): no metric sees it.
//!
//! About the results ([`results`]):
//! - a sweep with several points that leaves a table metric exactly
//!   unchanged at every point for every strategy (every metric: the swept
//!   path changed nothing);
//! - two strategies whose every run has exactly the same network metrics
//!   (the same configuration under two names?).

use crate::scenario::file::EventKindFile;
use crate::scenario::{InputError, Scenario};
use echelon_reports::record::RunRecord;
use echelon_reports::summary::PointStats;
use echelon_sim::metrics::METRICS;

/// Warnings about `scenario` as written (overrides applied, before the
/// sweep).
pub fn scenario(scenario: &Scenario) -> Vec<String> {
    let file = &scenario.file;
    let at =
        |path: String, message: String| InputError::at(&scenario.path, &scenario.source, path, message).to_string();
    let mut out = Vec::new();
    let percent = |rate: f64| {
        format!(
            "{rate} is above 1: the holding rate is an annual fraction of the unit cost (0.25 = 25% a year), not a \
             percentage; holding cost is {rate}× the unit cost a year"
        )
    };
    for (i, sku) in file.skus.iter().enumerate() {
        if sku.holding_rate > 1.0 {
            out.push(at(format!("skus[{i}].holding_rate"), percent(sku.holding_rate)));
        }
    }
    for (i, catalogue) in file.catalogue.iter().enumerate() {
        if catalogue.holding_rate > 1.0 {
            out.push(at(format!("catalogue[{i}].holding_rate"), percent(catalogue.holding_rate)));
        }
    }
    let warmup = u64::from(file.experiment.warmup_days);
    for (i, event) in file.events.iter().enumerate() {
        let Some(days) = event.days else { continue };
        let dip = match &event.kind {
            EventKindFile::Promotion { dip_days, .. } => u64::from(*dip_days),
            _ => 0,
        };
        let end = u64::from(event.start_day) + u64::from(days) + dip;
        if end <= warmup {
            out.push(at(
                format!("events[{i}]"),
                format!(
                    "the event (days {}–{}) lies entirely inside the warm-up (days 0–{}), which no metric measures; \
                     start it on day {warmup} or later, or shorten experiment.warmup_days",
                    event.start_day,
                    end.saturating_sub(1),
                    warmup - 1
                ),
            ));
        }
    }
    out
}

/// Warnings about a finished study: `points` its statistics (with their
/// swept parameters), `records` every run, `strategies` their names,
/// `columns` the table's metrics ([`METRICS`] indices).
pub fn results(points: &[PointStats], records: &[RunRecord], strategies: &[String], columns: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    if points.len() > 1 {
        let swept: Vec<&str> = points[0].params.iter().map(|(p, _)| p.as_str()).collect();
        let same = |m: usize| {
            (0..points[0].strategies.len()).all(|s| {
                let first = points[0].strategies[s].metrics[m].mean;
                points.iter().all(|p| p.strategies[s].metrics[m].mean.to_bits() == first.to_bits())
            })
        };
        if (0..METRICS.len()).all(same) {
            out.push(format!(
                "the sweep over {} changed no result: every metric is the same at every point for every strategy; \
                 does the path name the parameter you meant (an event inside the warm-up, a strategy's unused field)?",
                swept.join(", ")
            ));
        } else {
            let unchanged: Vec<&str> = columns.iter().filter(|&&m| same(m)).map(|&m| METRICS[m].key).collect();
            if !unchanged.is_empty() {
                out.push(format!(
                    "the sweep over {} leaves {} unchanged at every point for every strategy",
                    swept.join(", "),
                    unchanged.join(", ")
                ));
            }
        }
    }
    // Strategies with bit-identical network metrics in every run.
    let runs_of = |s: usize| {
        let mut runs: Vec<&RunRecord> = records.iter().filter(|r| r.strategy == s).collect();
        runs.sort_by_key(|r| (r.point, r.replication));
        runs
    };
    let per_strategy: Vec<Vec<&RunRecord>> = (0..strategies.len()).map(runs_of).collect();
    for a in 0..strategies.len() {
        for b in a + 1..strategies.len() {
            let (ra, rb) = (&per_strategy[a], &per_strategy[b]);
            let identical = !ra.is_empty()
                && ra.len() == rb.len()
                && ra.iter().zip(rb.iter()).all(|(x, y)| {
                    (x.point, x.replication) == (y.point, y.replication)
                        && x.network.iter().zip(y.network.iter()).all(|(u, v)| u.to_bits() == v.to_bits())
                });
            if identical {
                out.push(format!(
                    "strategies \"{}\" and \"{}\" produced identical results in every run: the same policy under \
                     two names, or a parameter that makes no difference?",
                    strategies[a], strategies[b]
                ));
            }
        }
    }
    out
}
