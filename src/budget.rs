//! Memory and work of a study, estimated before anything runs, so a study
//! that cannot fit is refused in a second instead of aborting an hour in.
//!
//! # Contract
//!
//! [`estimate`] is a model, not a measurement; it aims to be within a
//! factor of two of the peak resident memory (README "Guarantees" gives
//! the measured ratios). Peak memory is the sum of:
//!
//! * the process itself, [`BASE_BYTES`];
//! * the loaded models: [`MODEL_BYTES_PER_SKU_LOCATION`] per SKU-location of
//!   every sweep point (already allocated when the estimate is made);
//! * the runs in flight, one per worker thread, each
//!   [`RUN_BYTES_PER_SKU_LOCATION`] per SKU-location, plus its receipt
//!   wheel (a ring of one 24-byte bucket per day of the longest lead time,
//!   rounded up to a power of two), plus in-flight shipments
//!   ([`SHIPMENT_BYTES`] each, at most one per SKU-location per day of lead
//!   time), plus [`RUN_BYTES_PER_DAY`] per simulated day;
//! * the finished runs' records until the study is written:
//!   [`BYTES_PER_VALUE`] per reported value (metrics per node and network,
//!   event impacts, class metrics — held as numbers, then as the log and
//!   CSV texts).
//!
//! The longest lead time of a lane is exact for `Constant`, `Uniform` and
//! `Empirical`, and twice the mean for the unbounded distributions.
//!
//! Before a model is built, [`model_estimate`] counts its SKU-locations
//! from the file (a catalogue's count × its locations), so a catalogue of
//! millions of SKUs is refused before gigabytes are spent building it.
//!
//! Work per run is SKU-location-days plus expected customer order events
//! (`Orders` rate × horizon).
//!
//! A study is refused (exit 2, naming the estimate and `--allow-large`)
//! when its estimate exceeds the memory this machine has available, or
//! when one run's work exceeds [`WORK_LIMIT_PER_RUN`] (hours per run at the
//! engine's throughput of 10⁷–10⁸ units a second).

use crate::scenario::file::ScenarioFile;
use crate::study::Study;
use echelon_sim::distribution::LeadTime;
use echelon_sim::metrics::{CLASS_METRICS, LANE_METRICS, METRIC_COUNT, SKU_METRICS};
use echelon_sim::model::{DemandProcess, Model};
use echelon_sim::time::MINUTES_PER_DAY;

/// Bytes per SKU-location of a loaded model.
pub const MODEL_BYTES_PER_SKU_LOCATION: u64 = 850;
/// Bytes per SKU-location of a run's state.
pub const RUN_BYTES_PER_SKU_LOCATION: u64 = 1200;
/// Bytes of the process before any study (binary, allocator, threads,
/// the representative traces).
pub const BASE_BYTES: u64 = 16 << 20;
/// Bytes per in-flight shipment (the wheel entry and its growth slack).
pub const SHIPMENT_BYTES: u64 = 96;
/// Bytes per simulated day of a run (daily series).
pub const RUN_BYTES_PER_DAY: u64 = 256;
/// Bytes per reported value of a finished run.
pub const BYTES_PER_VALUE: u64 = 48;
/// Bytes per run beside its values (coordinates, vectors, balances).
pub const BYTES_PER_RUN: u64 = 512;
/// The most work one run may take without `--allow-large`.
pub const WORK_LIMIT_PER_RUN: f64 = 1e11;

/// What a study will take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Peak memory, bytes.
    pub peak_bytes: u64,
    /// Of which the runs in flight.
    pub in_flight_bytes: u64,
    /// Of which the finished runs' records.
    pub records_bytes: u64,
    /// Largest work of one run (SKU-location-days + order events).
    pub work_per_run: f64,
    /// Work of the whole study.
    pub total_work: f64,
    /// Runs.
    pub runs: u64,
}

/// The longest lead time of `lead`, days.
fn longest_days(lead: &LeadTime) -> f64 {
    let day = MINUTES_PER_DAY as f64;
    match lead {
        LeadTime::Constant(m) => *m as f64 / day,
        LeadTime::UniformDays { max, .. } => *max as f64,
        LeadTime::Empirical { minutes, .. } => minutes.iter().copied().max().unwrap_or(0) as f64 / day,
        other => 2.0 * other.mean_days(),
    }
}

/// Memory of one run of `model`, bytes.
fn run_bytes(model: &Model) -> u64 {
    let sku_locations = model.sku_locations() as u64;
    let horizon = u64::from(model.experiment.horizon_days);
    let longest = model.lanes.iter().map(|l| longest_days(&l.lead_time)).fold(0.0, f64::max);
    // The wheel's ring: a power of two ≥ the longest lead time + 1 days.
    let ring_days = (longest.min(1e15) as u64).saturating_add(2).checked_next_power_of_two().unwrap_or(u64::MAX);
    let wheel = ring_days.saturating_mul(24);
    let shipments = sku_locations.saturating_mul((longest.ceil() as u64).clamp(1, horizon.max(1))) * SHIPMENT_BYTES;
    (sku_locations * RUN_BYTES_PER_SKU_LOCATION)
        .saturating_add(wheel)
        .saturating_add(shipments)
        .saturating_add(horizon * RUN_BYTES_PER_DAY)
}

/// Work of one run of `model`: SKU-location-days plus expected order events.
fn run_work(model: &Model) -> f64 {
    let horizon = f64::from(model.experiment.horizon_days);
    let orders: f64 = model
        .demand
        .iter()
        .map(|d| match d.process {
            DemandProcess::Orders { rate_per_day, .. } => rate_per_day,
            DemandProcess::Daily(_) => 0.0,
        })
        .sum();
    (model.sku_locations() as f64 + orders) * horizon
}

/// Estimates `runs` runs of `study` (all of them, or a shard's) on
/// `threads` worker threads.
pub fn estimate(study: &Study, threads: usize, runs: usize) -> Estimate {
    let models: Vec<&Model> = study.points.iter().map(|p| &p.scenario.model).collect();
    let runs = runs as u64;
    let per_point_runs = runs / models.len().max(1) as u64;
    let loaded: u64 = models.iter().map(|m| m.sku_locations() as u64 * MODEL_BYTES_PER_SKU_LOCATION).sum();
    let largest_run = models.iter().map(|m| run_bytes(m)).max().unwrap_or(0);
    let in_flight = largest_run.saturating_mul(threads.min(runs.max(1) as usize) as u64);
    let base = &study.base.model;
    let values = (METRIC_COUNT * (1 + base.nodes.len())
        + 2 * base.disruptions.len()
        + CLASS_METRICS.len() * base.classes.len()
        + LANE_METRICS.len() * base.lanes.len()
        + if base.scorecard.per_sku { SKU_METRICS.len() * (base.sku_locations() + 3) } else { 0 })
        as u64;
    let records = runs.saturating_mul(values * BYTES_PER_VALUE + BYTES_PER_RUN);
    let works: Vec<f64> = models.iter().map(|m| run_work(m)).collect();
    Estimate {
        peak_bytes: BASE_BYTES.saturating_add(loaded).saturating_add(in_flight).saturating_add(records),
        in_flight_bytes: in_flight,
        records_bytes: records,
        work_per_run: works.iter().copied().fold(0.0, f64::max),
        total_work: works.iter().map(|w| w * per_point_runs as f64).sum(),
        runs,
    }
}

/// Before a scenario file's model is built: its SKU-locations (explicit
/// demand streams plus every catalogue's count times its locations) and the
/// memory building the model takes, bytes. A catalogue of millions of SKUs
/// is a few lines of text but gigabytes of model.
pub fn model_estimate(file: &ScenarioFile) -> (u64, u64) {
    let all = file.locations.len() as u64;
    let generated: u64 = file
        .catalogue
        .iter()
        .map(|c| u64::from(c.count).saturating_mul(c.locations.as_ref().map_or(all, |l| l.len() as u64)))
        .fold(0, u64::saturating_add);
    let sku_locations = generated.saturating_add(file.demand.len() as u64);
    (sku_locations, BASE_BYTES.saturating_add(sku_locations.saturating_mul(MODEL_BYTES_PER_SKU_LOCATION)))
}

/// Why building the model of `file` should not start with `available`
/// bytes of memory, if it should not.
pub fn model_refusal(file: &ScenarioFile, available: Option<u64>) -> Option<String> {
    let (sku_locations, bytes) = model_estimate(file);
    let available = available.filter(|&a| bytes > a)?;
    Some(format!(
        "building this scenario's model ({sku_locations} SKU-locations) needs about {} of memory but {} is \
         available; use a smaller catalogue or fewer locations, or pass --allow-large to try anyway",
        human_bytes(bytes),
        human_bytes(available)
    ))
}

/// The memory this machine has available now, bytes (`MemAvailable` of
/// `/proc/meminfo`); `None` where that cannot be read.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `bytes` for people: "1.4 GiB".
pub fn human_bytes(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", units[unit]) }
}

impl Estimate {
    /// One line for `validate` and for refusals.
    pub fn describe(&self) -> String {
        format!(
            "estimated peak memory {} ({} for the runs in flight, {} for {} run records); \
             work {:.2e} SKU-location-days and order events ({:.2e} per run)",
            human_bytes(self.peak_bytes),
            human_bytes(self.in_flight_bytes),
            human_bytes(self.records_bytes),
            self.runs,
            self.total_work,
            self.work_per_run
        )
    }

    /// Why the study should not start on a machine with `available` bytes
    /// of memory, if it should not.
    pub fn refusal(&self, available: Option<u64>) -> Option<String> {
        if let Some(available) = available.filter(|&a| self.peak_bytes > a) {
            return Some(format!(
                "this study needs about {} of memory but {} is available: {}. \
                 Use fewer replications, sweep points or threads, or pass --allow-large to run it anyway",
                human_bytes(self.peak_bytes),
                human_bytes(available),
                self.describe()
            ));
        }
        if self.work_per_run > WORK_LIMIT_PER_RUN {
            return Some(format!(
                "one run of this study is {:.2e} SKU-location-days and order events, over the limit of {:.0e} \
                 (hours per run): {}. Check the horizon, catalogue and order rates, or pass --allow-large",
                self.work_per_run,
                WORK_LIMIT_PER_RUN,
                self.describe()
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_as_people_write_them() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }
}
