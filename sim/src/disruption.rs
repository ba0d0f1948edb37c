//! Disruptions: events that change supply or demand over a window of days.
//!
//! # Contract
//!
//! A [`Disruption`] is active on days `start_day..end_day` (end exclusive),
//! that is from minute `1440·start_day` up to, not including, minute
//! `1440·end_day`. Its effect, by kind:
//!
//! * [`DisruptionKind::Outage`]: nothing departs on the lanes while they are
//!   out (a supplier outage is an outage of all its lanes). An order released
//!   on one of them during the outage departs when the outage ends (the
//!   lane's lead time starts then). Goods in
//!   transit when an outage begins (departed before its first minute, due
//!   after it) follow [`InTransit`]: they continue, are delayed by the
//!   outage's length, or are lost. All outages are known when a run starts,
//!   so a shipment's fate is settled when it departs ([`Timeline::fate`]); a
//!   lost shipment is written off at the minute it was due, which is when
//!   the receiving planner learns of the loss.
//! * [`DisruptionKind::LeadTimeInflation`]: a shipment departing on one of the
//!   lanes during the window has its sampled lead time multiplied.
//! * [`DisruptionKind::CapacityCut`]: the supplier's daily capacity is
//!   multiplied (rounded down to whole units).
//! * [`DisruptionKind::NodeClosure`]: the node serves no customer, orders
//!   nothing, ships nothing, and receives nothing (arrivals wait until it
//!   reopens).
//! * [`DisruptionKind::DemandShock`]: demand at one node, or everywhere, is
//!   multiplied on the days of the window (the rate of the demand model is
//!   scaled, see [`crate::distribution::DailyDemand::scaled`]). Promotions
//!   (an uplift, then a dip) and regime shifts (a change to the end of the
//!   horizon) are demand shocks.
//! * The model's [`DemandPattern`] (weekly and annual seasonality, trend)
//!   multiplies every node's demand every day.
//!
//! Random outages ([`RandomOutage`]) are two-state Markov processes: up for
//! an exponential time with mean `mean_up_days`, then down for an
//! exponential time with mean `mean_down_days` (each rounded to whole days,
//! at least one), and so on, starting up on day 0. Their windows are drawn
//! when a run starts from the run's own disruption stream (seed,
//! replication, outage index), so they are reproducible and shared by every
//! strategy of a replication.
//!
//! Overlapping disruptions compose: multipliers multiply, and an order held
//! by one outage that ends inside another waits for that one too.
//! [`Timeline`] answers the engine's questions in time proportional to the
//! number of disruptions touching the lane or node asked about, which is zero
//! in an undisrupted scenario.
//!
//! # Adding an event kind
//!
//! 1. The file: a variant of `EventKindFile` (the root crate's
//!    `scenario::file`, `#[serde(deny_unknown_fields)]` like its siblings)
//!    and its branch in the root crate's `scenario::events`, which checks
//!    its fields (ids resolved to indices, factors finite and in range,
//!    each failure a field path and what is valid) and builds the
//!    [`DisruptionKind`]. Reuse a kind where the effect is one (a
//!    promotion is two demand shocks).
//! 2. The effect: a [`DisruptionKind`] variant, indexed by
//!    [`Timeline::new`] under the lanes or nodes it touches, and answered
//!    by the `Timeline` query the engine already asks at that point of the
//!    daily cycle (`demand_factors` at the day start, `departure`, `fate`
//!    and `lead_time_factor` when a shipment leaves, `closed_until`,
//!    `capacity_factor`, `forecast_available`, `data_delay`), or by a new
//!    query called from the one place in `crate::engine` where the effect
//!    happens, costing nothing when no disruption touches the lane or
//!    node. Its window is `start_day..end_day` like every kind's, so the
//!    per-event resilience figures (units short, recovery, time to
//!    impact) and the report's shaded windows follow without more code.
//! 3. Tell users: its line in `echelon list events` (`EVENTS` in the root
//!    crate's `cli::list`) and in README's event table, with the contract
//!    above; a `tests/bad_input.rs` case for each refused field; and a
//!    test in `tests/disruptions.rs` that works a small scenario's figures
//!    out by hand with and without the event.

use crate::model::Model;
use crate::rng::{self, StreamKey};
use crate::time::{Day, Minute, day_start};
use rand::RngExt;

/// What happens to goods in transit on a lane whose supplier goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InTransit {
    /// They arrive as planned.
    Continue,
    /// Their arrival is pushed back by the outage's length.
    Delay,
    /// They never arrive.
    Lose,
}

/// What a disruption does.
#[derive(Debug, Clone, PartialEq)]
pub enum DisruptionKind {
    /// Nothing departs on these lanes.
    Outage {
        /// Indices into [`Model::lanes`].
        lanes: Vec<usize>,
        /// Fate of goods in transit on them when the outage begins.
        in_transit: InTransit,
    },
    /// A supplier's daily capacity is multiplied.
    CapacityCut {
        /// Index into [`Model::suppliers`].
        supplier: usize,
        /// Factor ≥ 0.
        multiplier: f64,
    },
    /// A node stops.
    NodeClosure {
        /// Index into [`Model::nodes`].
        node: usize,
    },
    /// Lead times of shipments departing on these lanes are multiplied.
    LeadTimeInflation {
        /// Indices into [`Model::lanes`].
        lanes: Vec<usize>,
        /// Factor > 0.
        multiplier: f64,
    },
    /// Demand is multiplied.
    DemandShock {
        /// Index into [`Model::nodes`], or every node.
        node: Option<usize>,
        /// Factor ≥ 0.
        multiplier: f64,
    },
    /// The forecast service is down: strategies that need a forecast see
    /// none (their forecasts neither update nor refresh their levels).
    ForecastOutage {
        /// Index into [`Model::nodes`], or every node.
        node: Option<usize>,
    },
    /// Strategies see the node's stock as it was `delay` minutes ago (or
    /// the model's visibility delay, when that is longer): see
    /// [`crate::strategy::NodeView::data_delay`].
    StaleData {
        /// Index into [`Model::nodes`], or every node.
        node: Option<usize>,
        /// Minutes > 0.
        delay: Minute,
    },
}

/// A disruption over a window of days.
#[derive(Debug, Clone, PartialEq)]
pub struct Disruption {
    /// Name as written in the scenario (or generated from kind and day).
    pub name: String,
    /// First day affected.
    pub start_day: Day,
    /// First day no longer affected (≤ horizon).
    pub end_day: Day,
    /// The effect.
    pub kind: DisruptionKind,
}

impl Disruption {
    fn start_minute(&self) -> Minute {
        day_start(self.start_day)
    }

    fn end_minute(&self) -> Minute {
        day_start(self.end_day)
    }

    fn covers(&self, minute: Minute) -> bool {
        (self.start_minute()..self.end_minute()).contains(&minute)
    }
}

/// Weekly and annual seasonality and a trend, multiplying all demand.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandPattern {
    /// Factor per day of the week, day 0 first (`day % 7`).
    pub weekly: [f64; 7],
    /// Relative amplitude of the annual cycle (0.2 = ±20%).
    pub annual_amplitude: f64,
    /// Day of the year (0..365) of the annual peak.
    pub annual_peak_day: f64,
    /// Growth per year: the factor is `1 + trend_per_year × day / 365`.
    pub trend_per_year: f64,
}

impl DemandPattern {
    /// The factor on `day`: weekly × (1 + A·cos(2π(day − peak)/365)) × (1 +
    /// trend·day/365), never below 0.
    pub fn factor(&self, day: Day) -> f64 {
        let d = f64::from(day);
        let annual = 1.0 + self.annual_amplitude * (std::f64::consts::TAU * (d - self.annual_peak_day) / 365.0).cos();
        let trend = 1.0 + self.trend_per_year * d / 365.0;
        (self.weekly[(day % 7) as usize] * annual * trend).max(0.0)
    }
}

/// Random outages of some lanes: a two-state Markov process.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomOutage {
    /// Name (windows are named `name#1`, `name#2`, …).
    pub name: String,
    /// The lanes that go down together.
    pub lanes: Vec<usize>,
    /// Mean days up between outages.
    pub mean_up_days: f64,
    /// Mean days down.
    pub mean_down_days: f64,
    /// Fate of goods in transit when an outage begins.
    pub in_transit: InTransit,
}

impl RandomOutage {
    /// The outage windows of replication `replication` over `horizon` days.
    pub fn windows(&self, index: usize, seed: u64, replication: u64, horizon: Day) -> Vec<Disruption> {
        let mut stream = rng::stream(seed, replication, StreamKey::disruption(index));
        let mut draw = |mean: f64| -> Day {
            let days = -(1.0 - stream.random::<f64>()).ln() * mean;
            days.round().clamp(1.0, f64::from(horizon)) as Day
        };
        let (mut out, mut day) = (Vec::new(), 0);
        loop {
            day += draw(self.mean_up_days);
            if day >= horizon {
                return out;
            }
            let end = (day + draw(self.mean_down_days)).min(horizon);
            out.push(Disruption {
                name: format!("{}#{}", self.name, out.len() + 1),
                start_day: day,
                end_day: end,
                kind: DisruptionKind::Outage { lanes: self.lanes.clone(), in_transit: self.in_transit },
            });
            day = end;
        }
    }
}

/// The fate of one shipment when it reaches its destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Received now.
    Arrives,
    /// Arrives later, at this minute.
    DelayedUntil(Minute),
    /// Never arrives.
    Lost,
}

/// The disruptions of one run, indexed by the lane, supplier and node they
/// touch.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Per lane, indices of outages and inflations touching it.
    by_lane: Vec<Vec<usize>>,
    /// Per supplier, indices of capacity cuts.
    by_supplier: Vec<Vec<usize>>,
    /// Per node, indices of closures.
    by_node: Vec<Vec<usize>>,
    /// Demand shocks: (node or everywhere, disruption index).
    shocks: Vec<(Option<usize>, usize)>,
    /// Forecast outages: (node or everywhere, disruption index).
    forecast_outages: Vec<(Option<usize>, usize)>,
    /// Stale-data windows: (node or everywhere, disruption index).
    stale_data: Vec<(Option<usize>, usize)>,
    /// The model's visibility delay, minutes.
    visibility_delay: Minute,
    pattern: Option<DemandPattern>,
    disruptions: Vec<Disruption>,
    /// The timed disruptions: the first entries of `disruptions`.
    timed: usize,
    /// Per random-outage window (the entries after the timed ones), the
    /// index of its outage in [`Model::random_outages`].
    random_outage_of: Vec<usize>,
}

impl Timeline {
    /// Indexes the timed disruptions of `model` and draws its random
    /// outages for `replication`.
    pub fn new(model: &Model, replication: u64) -> Self {
        let mut disruptions = model.disruptions.clone();
        let mut random_outage_of = Vec::new();
        for (index, random) in model.random_outages.iter().enumerate() {
            let windows = random.windows(index, model.experiment.seed, replication, model.experiment.horizon_days);
            random_outage_of.extend(std::iter::repeat_n(index, windows.len()));
            disruptions.extend(windows);
        }
        let mut t = Self {
            by_lane: vec![Vec::new(); model.lanes.len()],
            by_supplier: vec![Vec::new(); model.suppliers.len()],
            by_node: vec![Vec::new(); model.nodes.len()],
            shocks: Vec::new(),
            forecast_outages: Vec::new(),
            stale_data: Vec::new(),
            visibility_delay: model.visibility_delay,
            pattern: model.demand_pattern.clone(),
            disruptions: Vec::new(),
            timed: model.disruptions.len(),
            random_outage_of,
        };
        for (index, disruption) in disruptions.iter().enumerate() {
            match &disruption.kind {
                DisruptionKind::Outage { lanes, .. } | DisruptionKind::LeadTimeInflation { lanes, .. } => {
                    lanes.iter().for_each(|&l| t.by_lane[l].push(index))
                }
                DisruptionKind::CapacityCut { supplier, .. } => t.by_supplier[*supplier].push(index),
                DisruptionKind::NodeClosure { node } => t.by_node[*node].push(index),
                DisruptionKind::DemandShock { node, .. } => t.shocks.push((*node, index)),
                DisruptionKind::ForecastOutage { node } => t.forecast_outages.push((*node, index)),
                DisruptionKind::StaleData { node, .. } => t.stale_data.push((*node, index)),
            }
        }
        t.disruptions = disruptions;
        t
    }

    /// Every disruption of the run, timed ones first in model order.
    pub fn disruptions(&self) -> &[Disruption] {
        &self.disruptions
    }

    /// The timed disruptions, in model order.
    pub fn timed(&self) -> &[Disruption] {
        &self.disruptions[..self.timed]
    }

    /// The random outages' windows of the run, each with the index of its
    /// outage in [`Model::random_outages`]: by outage, then in time order
    /// (the window named `name#k` is its outage's k-th).
    pub fn random_windows(&self) -> impl Iterator<Item = (usize, &Disruption)> {
        self.random_outage_of.iter().copied().zip(&self.disruptions[self.timed..])
    }

    /// Is `node` closed at `minute`? Returns the minute it reopens.
    pub(crate) fn closed_until(&self, node: usize, minute: Minute) -> Option<Minute> {
        let mut reopen = None;
        let mut at = minute;
        while let Some(closure) = self.by_node[node].iter().map(|&i| &self.disruptions[i]).find(|d| d.covers(at)) {
            at = closure.end_minute();
            reopen = Some(at);
        }
        reopen
    }

    /// The capacity factor of `supplier` on `day`.
    pub(crate) fn capacity_factor(&self, supplier: usize, day: Day) -> f64 {
        self.by_supplier[supplier]
            .iter()
            .map(|&i| &self.disruptions[i])
            .filter(|d| (d.start_day..d.end_day).contains(&day))
            .map(|d| match d.kind {
                DisruptionKind::CapacityCut { multiplier, .. } => multiplier,
                _ => 1.0,
            })
            .product()
    }

    /// Is `lane` out at `minute`?
    pub(crate) fn lane_out(&self, lane: usize, minute: Minute) -> bool {
        self.on_lane(lane).any(|d| matches!(d.kind, DisruptionKind::Outage { .. }) && d.covers(minute))
    }

    fn on_lane(&self, lane: usize) -> impl Iterator<Item = &Disruption> {
        self.by_lane[lane].iter().map(|&i| &self.disruptions[i])
    }

    /// The first minute at or after `release` at which `lane`'s supplier
    /// can ship.
    pub(crate) fn departure(&self, lane: usize, release: Minute) -> Minute {
        let mut departure = release;
        while let Some(outage) =
            self.on_lane(lane).find(|d| matches!(d.kind, DisruptionKind::Outage { .. }) && d.covers(departure))
        {
            departure = outage.end_minute();
        }
        departure
    }

    /// The factor on the lead time of a shipment departing on `lane` at
    /// minute `departure`.
    pub(crate) fn lead_time_factor(&self, lane: usize, departure: Minute) -> f64 {
        self.on_lane(lane)
            .filter(|d| d.covers(departure))
            .map(|d| match d.kind {
                DisruptionKind::LeadTimeInflation { multiplier, .. } => multiplier,
                _ => 1.0,
            })
            .product()
    }

    /// Writes the demand factor of every node on `day` into `factors`.
    pub(crate) fn demand_factors(&self, day: Day, factors: &mut [f64]) {
        factors.fill(self.pattern.as_ref().map_or(1.0, |p| p.factor(day)));
        for &(node, index) in &self.shocks {
            let shock = &self.disruptions[index];
            let DisruptionKind::DemandShock { multiplier, .. } = shock.kind else { continue };
            if (shock.start_day..shock.end_day).contains(&day) {
                match node {
                    Some(n) => factors[n] *= multiplier,
                    None => factors.iter_mut().for_each(|f| *f *= multiplier),
                }
            }
        }
    }

    /// Is the forecast service up for `node` on `day`?
    pub fn forecast_available(&self, node: usize, day: Day) -> bool {
        !self.forecast_outages.iter().any(|&(at, index)| {
            let outage = &self.disruptions[index];
            at.is_none_or(|n| n == node) && (outage.start_day..outage.end_day).contains(&day)
        })
    }

    /// How old the stock figures strategies see at `node` on `day` are:
    /// the longest of the model's visibility delay and the stale-data
    /// windows covering that day (minutes).
    pub fn data_delay(&self, node: usize, day: Day) -> Minute {
        let windows = self.stale_data.iter().filter_map(|&(at, index)| {
            let window = &self.disruptions[index];
            let covers = at.is_none_or(|n| n == node) && (window.start_day..window.end_day).contains(&day);
            match window.kind {
                DisruptionKind::StaleData { delay, .. } if covers => Some(delay),
                _ => None,
            }
        });
        windows.fold(self.visibility_delay, Minute::max)
    }

    /// The longest data delay any node can see in a run of `model`.
    pub(crate) fn longest_data_delay(model: &Model) -> Minute {
        let windows = model.disruptions.iter().filter_map(|d| match d.kind {
            DisruptionKind::StaleData { delay, .. } => Some(delay),
            _ => None,
        });
        windows.fold(model.visibility_delay, Minute::max)
    }

    /// What happens to a shipment on `lane` that departs at `departed` and
    /// is due at `arrival`, given the outages that begin while it travels
    /// as planned: each `Delay` outage adds its length, any `Lose` outage
    /// loses it.
    pub fn fate(&self, lane: usize, departed: Minute, arrival: Minute) -> Fate {
        let mut due = arrival;
        for outage in self.on_lane(lane) {
            let DisruptionKind::Outage { in_transit, .. } = outage.kind else { continue };
            let start = outage.start_minute();
            if departed < start && start < arrival {
                match in_transit {
                    InTransit::Continue => {}
                    InTransit::Delay => due += outage.end_minute() - start,
                    InTransit::Lose => return Fate::Lost,
                }
            }
        }
        if due == arrival { Fate::Arrives } else { Fate::DelayedUntil(due) }
    }

    /// Does any disruption touch `lane` at all?
    #[inline]
    pub(crate) fn touches_lane(&self, lane: usize) -> bool {
        !self.by_lane[lane].is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::LeadTime;
    use crate::model::{Experiment, Lane, Source};

    fn outage(start_day: Day, end_day: Day, in_transit: InTransit) -> Disruption {
        let kind = DisruptionKind::Outage { lanes: vec![0], in_transit };
        Disruption { name: format!("out{start_day}"), start_day, end_day, kind }
    }

    fn timeline(disruptions: Vec<Disruption>) -> Timeline {
        let lane = Lane {
            from: Source::Supplier(0),
            to_node: 0,
            lead_time: LeadTime::constant(1.0).unwrap(),
            cost_per_unit: 0.0,
            lateral: false,
            expedite: None,
            ownership_at_dispatch: false,
            capacity_per_day: None,
            trucks: None,
        };
        let model = Model {
            name: "t".into(),
            skus: vec![],
            classes: vec![],
            suppliers: vec![],
            nodes: vec![],
            lanes: vec![lane],
            demand: vec![],
            disruptions,
            random_outages: vec![],
            demand_pattern: None,
            governance: None,
            visibility_delay: 0,
            experiment: Experiment { horizon_days: 100, warmup_days: 0, replications: 1, seed: 0 },
            scorecard: Default::default(),
            index: Default::default(),
        };
        Timeline::new(&model, 0)
    }

    #[test]
    fn an_order_held_by_one_outage_waits_for_an_overlapping_one() {
        let t = timeline(vec![outage(10, 12, InTransit::Continue), outage(11, 15, InTransit::Continue)]);
        assert_eq!(t.departure(0, day_start(9)), day_start(9));
        assert_eq!(t.departure(0, day_start(10) + 5), day_start(15));
        assert_eq!(t.departure(0, day_start(15)), day_start(15));
    }

    #[test]
    fn fate_depends_on_being_in_transit_when_the_outage_begins() {
        let t = timeline(vec![outage(10, 12, InTransit::Delay), outage(20, 21, InTransit::Lose)]);
        assert_eq!(t.fate(0, day_start(9), day_start(10)), Fate::Arrives);
        assert_eq!(t.fate(0, day_start(9), day_start(11)), Fate::DelayedUntil(day_start(13)));
        assert_eq!(t.fate(0, day_start(12), day_start(14)), Fate::Arrives);
        assert_eq!(t.fate(0, day_start(19), day_start(22)), Fate::Lost);
    }

    #[test]
    fn demand_factors_multiply_where_shocks_overlap() {
        let shock = |node, multiplier, start_day, end_day| Disruption {
            name: format!("s{start_day}"),
            start_day,
            end_day,
            kind: DisruptionKind::DemandShock { node, multiplier },
        };
        let mut t = timeline(vec![shock(None, 2.0, 5, 10), shock(Some(1), 1.5, 8, 9)]);
        t.by_node = vec![Vec::new(); 2];
        let mut factors = [0.0; 2];
        t.demand_factors(8, &mut factors);
        assert_eq!(factors, [2.0, 3.0]);
        t.demand_factors(10, &mut factors);
        assert_eq!(factors, [1.0, 1.0]);
    }
}

#[cfg(test)]
mod random_tests {
    use super::*;

    #[test]
    fn random_outages_alternate_up_and_down_reproducibly() {
        let random = RandomOutage {
            name: "flaky".into(),
            lanes: vec![0],
            mean_up_days: 30.0,
            mean_down_days: 4.0,
            in_transit: InTransit::Continue,
        };
        let a = random.windows(0, 7, 3, 3650);
        assert_eq!(a, random.windows(0, 7, 3, 3650), "same seed and replication, same windows");
        assert_ne!(a, random.windows(0, 7, 4, 3650), "another replication, other windows");
        assert!(a.windows(2).all(|w| w[0].end_day < w[1].start_day), "separated by up time");
        assert!(a.iter().all(|w| w.end_day > w.start_day && w.end_day <= 3650));
        // About 3650 / 34 cycles; mean down time near 4 days.
        assert!((80..135).contains(&a.len()), "{} outages", a.len());
        let down: f64 = a.iter().map(|w| f64::from(w.end_day - w.start_day)).sum::<f64>() / a.len() as f64;
        assert!((3.0..5.5).contains(&down), "mean down {down}");
    }

    #[test]
    fn the_demand_pattern_multiplies_weekday_season_and_trend() {
        let p = DemandPattern {
            weekly: [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0],
            annual_amplitude: 0.2,
            annual_peak_day: 0.0,
            trend_per_year: 0.1,
        };
        assert!((p.factor(0) - 1.2).abs() < 1e-12);
        assert_eq!(p.factor(6), 0.0);
        let day = 369; // 369 % 7 = 5: weekday factor 0.5; near the annual peak; a year of trend
        let expected = 0.5 * (1.0 + 0.2 * (std::f64::consts::TAU * 369.0 / 365.0).cos()) * (1.0 + 0.1 * 369.0 / 365.0);
        assert!((p.factor(day) - expected).abs() < 1e-12);
    }
}
