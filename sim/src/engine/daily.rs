//! A node's daily-batch demand streams, laid out for the demand sweep.
//!
//! # Contract
//!
//! Stream `i` of a node is one (local SKU, customer class) with daily-batch
//! demand; the streams of local SKU `k` are [`DailyStreams::of_sku`]`(k)`, in
//! class order. Day `d`'s draw of stream `i` with the node's demand factor
//! `f` (seasonality × events) is
//!
//! * for a constant `q`: `⌊c + q·f⌋` units, where `c ∈ [0, 1)` is the
//!   fraction the stream carries from earlier days (then `c` becomes what
//!   is left) — so a fractional constant is met exactly in the long run
//!   (2.5 → 2, 3, 2, 3, …) and a whole one is exactly itself every day;
//!   no random number is drawn;
//! * a Poisson variate of mean `λ·f` by Knuth's product method when the
//!   stream is Poisson with `0 < λ·f < 12` — the same variates, uniform for
//!   uniform, as `rand_distr`'s Poisson at `f = 1`;
//! * otherwise the model's own draw: [`DailyDemand::sample_on`] at `f = 1`,
//!   [`DailyDemand::sample_scaled`] at any other factor.
//!
//! Every draw comes from the stream's own generator, so one stream's
//! demand never depends on another's or on the strategy.
//!
//! # Layout
//!
//! The sweep touches every stream every day, so the state is a structure
//! of arrays: generators side by side, and for Poisson streams the Knuth
//! limits `e^{−λ·f}` for the last few distinct factors in slot-major
//! tables. All streams of a node see the same factor on a day, so the
//! factor → slot lookup is done once per node-day ([`DailyStreams::prepare`]);
//! a new factor fills one slot for all streams (one `exp` each), a factor
//! seen before (a weekday's seasonal factor) costs nothing.

use super::state::Line;
use crate::distribution::DailyDemand;
use crate::metrics::ClassTally;
use crate::model::{DemandProcess, Model, Shortage};
use crate::rng::{self, Stream, StreamKey};
use rand::RngExt;

/// Distinct demand factors whose Knuth limits are kept (a week's
/// seasonal factors and one more).
const SLOTS: usize = 8;

/// Below this scaled mean a Poisson draw uses Knuth's product method (the
/// threshold `rand_distr` uses too).
const KNUTH_LIMIT: f64 = 12.0;

/// Rounding slack of a constant stream's carried fraction.
const CARRY_SLACK: f64 = 1e-9;

/// Marks a stream for which Knuth's method does not apply at a slot's factor.
const NOT_KNUTH: f64 = -1.0;

/// Today's factor as prepared for the sweep.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prepared {
    factor: f64,
    /// Offset of the factor's slot in the limit table, when it has one.
    slot_base: Option<usize>,
}

/// One node's daily-batch demand streams.
pub(super) struct DailyStreams<'m> {
    /// Streams of local SKU `k` are `first[k]..first[k + 1]`.
    first: Vec<usize>,
    rng: Vec<Stream>,
    /// Each stream's model, borrowed from the model (not cloned per run).
    demand: Vec<&'m DailyDemand>,
    /// Customer class of each stream (index into `Model::classes`).
    class: Vec<usize>,
    shortage: Vec<Shortage>,
    /// λ of a Poisson stream with λ > 0, else NaN.
    poisson_mean: Vec<f64>,
    /// Per stream: the units per day of a constant stream, else NaN…
    constant: Vec<f64>,
    /// …and the fraction of a unit it carries to the next day.
    carry: Vec<f64>,
    /// Factor bits of each slot (`u64::MAX` when empty).
    slot_factor: [u64; SLOTS],
    next_slot: usize,
    /// `limits[slot · streams + i]`: `e^{−λ_i·f_slot}` or [`NOT_KNUTH`].
    limits: Vec<f64>,
    /// Units each stream demanded on the last day drawn.
    drawn: Vec<i64>,
    /// Per stream, over the measured days: units demanded…
    measured_demand: Vec<i64>,
    /// …and units not served from stock when demanded…
    measured_short: Vec<i64>,
    /// …and order lines (days with positive units)…
    measured_lines: Vec<u64>,
    /// …and of those, lines not served complete from stock.
    measured_short_lines: Vec<u64>,
    /// Lines with positive units on the last day drawn, all streams.
    day_lines: u64,
    /// Is the last day drawn measured?
    measuring: bool,
}

impl<'m> DailyStreams<'m> {
    /// The daily streams of node `n` in replication `replication`.
    pub fn new(model: &'m Model, n: usize, seed: u64, replication: u64) -> Self {
        let node = &model.nodes[n];
        let mut streams = Self::empty();
        let mut entries = model.demand_of(n).peekable();
        for local in 0..node.skus.len() {
            streams.first.push(streams.rng.len());
            while let Some(entry) = entries.next_if(|s| s.local_sku == local) {
                if let DemandProcess::Daily(demand) = &entry.process {
                    let shortage = model.classes[entry.class].shortage;
                    let key = StreamKey::demand(n, node.skus[local], entry.class);
                    streams.push(demand, rng::stream(seed, replication, key), entry.class, shortage);
                }
            }
        }
        streams.first.push(streams.rng.len());
        streams.sized();
        streams
    }

    /// No streams yet (and no SKUs).
    fn empty() -> Self {
        Self {
            first: Vec::new(),
            rng: Vec::new(),
            demand: Vec::new(),
            class: Vec::new(),
            shortage: Vec::new(),
            poisson_mean: Vec::new(),
            constant: Vec::new(),
            carry: Vec::new(),
            slot_factor: [u64::MAX; SLOTS],
            next_slot: 0,
            limits: Vec::new(),
            drawn: Vec::new(),
            measured_demand: Vec::new(),
            measured_short: Vec::new(),
            measured_lines: Vec::new(),
            measured_short_lines: Vec::new(),
            day_lines: 0,
            measuring: false,
        }
    }

    fn sized(&mut self) {
        self.limits = vec![NOT_KNUTH; SLOTS * self.rng.len()];
        self.drawn = vec![0; self.rng.len()];
        self.carry = vec![0.0; self.rng.len()];
        self.measured_demand = vec![0; self.rng.len()];
        self.measured_short = vec![0; self.rng.len()];
        self.measured_lines = vec![0; self.rng.len()];
        self.measured_short_lines = vec![0; self.rng.len()];
    }

    fn push(&mut self, demand: &'m DailyDemand, rng: Stream, class: usize, shortage: Shortage) {
        self.poisson_mean.push(match *demand {
            DailyDemand::Poisson { mean, .. } if mean > 0.0 => mean,
            _ => f64::NAN,
        });
        self.constant.push(match *demand {
            DailyDemand::Constant(q) => q,
            _ => f64::NAN,
        });
        self.demand.push(demand);
        self.rng.push(rng);
        self.class.push(class);
        self.shortage.push(shortage);
    }

    /// The streams of local SKU `sku`.
    #[inline]
    pub fn of_sku(&self, sku: usize) -> std::ops::Range<usize> {
        self.first[sku]..self.first[sku + 1]
    }

    /// Stream `i`'s customer class.
    #[inline]
    pub fn class(&self, i: usize) -> usize {
        self.class[i]
    }

    /// Stream `i`'s demand of the last day drawn, as an order line of
    /// local SKU `sku`.
    #[inline]
    pub fn line(&self, i: usize, sku: usize) -> Line {
        Line { sku, class: self.class[i], units: self.drawn[i], shortage: self.shortage[i] }
    }

    /// Draws every stream's demand for day `day`, whose demand factor is
    /// `factor`; read them with [`units`](Self::units). A `measured` day's
    /// demand counts towards the class results.
    pub fn draw_day(&mut self, factor: f64, day: u32, measured: bool) {
        self.measuring = measured;
        let today = self.prepare(factor);
        for i in 0..self.rng.len() {
            self.drawn[i] = self.draw(i, today, day);
        }
        self.day_lines = 0;
        if measured {
            // Lines are counted here, branch-free in one pass, and only the
            // short ones where they are served (`note_short`).
            let mut lines = 0;
            let totals = self.measured_demand.iter_mut().zip(&mut self.measured_lines);
            for ((total, count), &units) in totals.zip(&self.drawn) {
                *total += units;
                *count += u64::from(units > 0);
                lines += u64::from(units > 0);
            }
            self.day_lines = lines;
        }
    }

    /// Books `units` of stream `i`'s demand of the last day drawn as not
    /// served from stock (counted when that day is measured).
    #[inline]
    pub fn note_short(&mut self, i: usize, units: i64) {
        if self.measuring {
            self.measured_short[i] += units;
            self.measured_short_lines[i] += u64::from(units > 0);
        }
    }

    /// Order lines with positive units on the last day drawn, when it is
    /// measured (all streams of the node).
    #[inline]
    pub fn day_lines(&self) -> u64 {
        self.day_lines
    }

    /// Adds each stream's measured demand, service and losses to its class.
    pub fn add_to_classes(&self, classes: &mut [ClassTally]) {
        for i in 0..self.rng.len() {
            let (demand, short) = (self.measured_demand[i], self.measured_short[i]);
            let class = &mut classes[self.class[i]];
            class.add(demand, demand - short, self.shortage[i] == Shortage::LostSales);
            class.lines += self.measured_lines[i];
            class.lines_full += self.measured_lines[i] - self.measured_short_lines[i];
        }
    }

    /// Units stream `i` demanded on the last day drawn.
    #[inline]
    pub fn units(&self, i: usize) -> i64 {
        self.drawn[i]
    }

    /// Units all streams of `streams` demanded on the last day drawn.
    #[inline]
    pub fn total_units(&self, streams: std::ops::Range<usize>) -> i64 {
        self.drawn[streams].iter().sum()
    }

    /// Readies the streams for a day whose demand factor is `factor`.
    fn prepare(&mut self, factor: f64) -> Prepared {
        if !(factor.is_finite() && factor > 0.0) || self.rng.is_empty() {
            return Prepared { factor, slot_base: None };
        }
        let key = factor.to_bits();
        let slot = match self.slot_factor.iter().position(|&k| k == key) {
            Some(slot) => slot,
            None => self.fill_slot(key, factor),
        };
        Prepared { factor, slot_base: Some(slot * self.rng.len()) }
    }

    fn fill_slot(&mut self, key: u64, factor: f64) -> usize {
        let slot = self.next_slot;
        self.next_slot = (slot + 1) % SLOTS;
        self.slot_factor[slot] = key;
        let count = self.rng.len();
        let limits = &mut self.limits[slot * count..(slot + 1) * count];
        for (limit, &mean) in limits.iter_mut().zip(&self.poisson_mean) {
            let scaled = mean * factor;
            // NaN (not Poisson) fails the test and is marked too.
            *limit = if scaled < KNUTH_LIMIT { (-scaled).exp() } else { NOT_KNUTH };
        }
        slot
    }

    /// Draws stream `i`'s demand on day `day`.
    #[inline]
    fn draw(&mut self, i: usize, today: Prepared, day: u32) -> i64 {
        if let Some(base) = today.slot_base {
            let limit = self.limits[base + i];
            if limit >= 0.0 {
                return knuth_poisson(limit, &mut self.rng[i]);
            }
        }
        let constant = self.constant[i];
        if !constant.is_nan() {
            let factor = if today.factor.is_finite() { today.factor.max(0.0) } else { 0.0 };
            let due = self.carry[i] + constant * factor;
            // A hair of slack so that sums like 0.1 + 0.2 + … reach the
            // whole unit they are in exact arithmetic.
            let units = (due + CARRY_SLACK).floor().max(0.0);
            self.carry[i] = due - units;
            return units as i64;
        }
        if today.factor == 1.0 {
            self.demand[i].sample_on(day, &mut self.rng[i])
        } else {
            self.demand[i].sample_scaled(day, today.factor, &mut self.rng[i])
        }
    }
}

/// A Poisson variate with `e^{−λ}` = `limit` (Knuth: multiply uniforms
/// until the product falls to `limit`; the count is the variate).
#[inline]
fn knuth_poisson(limit: f64, rng: &mut Stream) -> i64 {
    let (mut count, mut product) = (0i64, rng.random::<f64>());
    while product > limit {
        count += 1;
        product *= rng.random::<f64>();
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{StreamKey, stream};
    use rand_distr::Distribution;

    fn one_stream(demand: DailyDemand) -> DailyStreams<'static> {
        let mut streams = DailyStreams { first: vec![0, 1], ..DailyStreams::empty() };
        streams.push(Box::leak(Box::new(demand)), stream(3, 0, StreamKey::demand(0, 0, 0)), 0, Shortage::Backorder);
        streams.sized();
        streams
    }

    #[test]
    fn scaled_poisson_draws_have_the_scaled_mean_and_variance() {
        let mut s = one_stream(DailyDemand::poisson(4.0).unwrap());
        let n = 200_000;
        let draws: Vec<f64> = (0..n)
            .map(|d| {
                s.draw_day(if d % 2 == 0 { 1.5 } else { 0.5 }, d, false);
                s.units(0) as f64
            })
            .collect();
        for (parity, lambda) in [(0, 6.0), (1, 2.0)] {
            let xs: Vec<f64> = draws.iter().skip(parity).step_by(2).copied().collect();
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
            assert!((mean - lambda).abs() < 0.03 && (var - lambda).abs() < 0.1, "λ {lambda}: mean {mean}, var {var}");
        }
    }

    #[test]
    fn unscaled_poisson_draws_are_rand_distrs_variates() {
        let mut s = one_stream(DailyDemand::poisson(3.5).unwrap());
        let mut reference = stream(3, 0, StreamKey::demand(0, 0, 0));
        let poisson = rand_distr::Poisson::new(3.5).unwrap();
        for day in 0..1000 {
            s.draw_day(1.0, day, false);
            assert_eq!(s.units(0), poisson.sample(&mut reference) as i64, "day {day}");
        }
    }

    /// Hand-worked: 2.5 a day is 2, 3, 2, 3, … — 25 units every 10 days,
    /// exactly; at a factor of 1.2 (3 a day) exactly 3; a whole constant
    /// is itself every day.
    #[test]
    fn a_fractional_constant_demand_keeps_its_mean_exactly() {
        let mut s = one_stream(DailyDemand::constant(2.5).unwrap());
        let days: Vec<i64> = (0..6)
            .map(|d| {
                s.draw_day(1.0, d, false);
                s.units(0)
            })
            .collect();
        assert_eq!(days, [2, 3, 2, 3, 2, 3]);
        let total: i64 = (6..100_006)
            .map(|d| {
                s.draw_day(1.0, d, false);
                s.units(0)
            })
            .sum();
        assert_eq!(total, 250_000, "long-run mean exactly 2.5");
        let mut s = one_stream(DailyDemand::constant(0.3).unwrap());
        let total: i64 = (0..1000)
            .map(|d| {
                s.draw_day(1.0, d, false);
                s.units(0)
            })
            .sum();
        assert_eq!(total, 300);
        let mut s = one_stream(DailyDemand::constant(7.0).unwrap());
        for d in 0..100 {
            s.draw_day(if d % 2 == 0 { 1.0 } else { 2.0 }, d, false);
            assert_eq!(s.units(0), if d % 2 == 0 { 7 } else { 14 });
        }
    }

    #[test]
    fn more_factors_than_slots_still_draw_at_each_factor() {
        let mut s = one_stream(DailyDemand::poisson(2.0).unwrap());
        let factors: Vec<f64> = (1..=3 * SLOTS).map(|k| k as f64 / 4.0).collect();
        let mut sums = vec![0i64; factors.len()];
        for round in 0..20_000 {
            for (k, &factor) in factors.iter().enumerate() {
                s.draw_day(factor, round, false);
                sums[k] += s.units(0);
            }
        }
        for (k, &factor) in factors.iter().enumerate() {
            let mean = sums[k] as f64 / 20_000.0;
            assert!((mean - 2.0 * factor).abs() < 0.05 * (2.0 * factor).max(1.0), "factor {factor}: mean {mean}");
        }
    }
}
