//! Disruptions: events that change supply or demand over a window of days.
//!
//! # Contract
//!
//! A [`Disruption`] is active on days `start_day..end_day` (end exclusive),
//! that is from minute `1440·start_day` up to, not including, minute
//! `1440·end_day`. Its effect, by kind:
//!
//! * [`DisruptionKind::SupplierOutage`]: the supplier ships nothing while it
//!   is out. An order released on one of its lanes during the outage departs
//!   when the outage ends (the lane's lead time starts then). Goods in
//!   transit when an outage begins (departed before its first minute, due
//!   after it) follow [`InTransit`]: they continue, are delayed by the
//!   outage's length, or are lost. All outages are known when a run starts,
//!   so a shipment's fate is settled when it departs ([`Timeline::fate`]); a
//!   lost shipment is written off at the minute it was due, which is when
//!   the receiving planner learns of the loss.
//! * [`DisruptionKind::LeadTimeInflation`]: a shipment departing on one of the
//!   lanes during the window has its sampled lead time multiplied.
//! * [`DisruptionKind::DemandShock`]: demand at one node, or everywhere, is
//!   multiplied on the days of the window (the rate of the demand model is
//!   scaled, see [`crate::distribution::DailyDemand::scaled`]).
//!
//! Overlapping disruptions compose: multipliers multiply, and an order held
//! by one outage that ends inside another waits for that one too.
//! [`Timeline`] answers the engine's questions in time proportional to the
//! number of disruptions touching the lane or node asked about, which is zero
//! in an undisrupted scenario.

use crate::model::Model;
use crate::time::{Day, Minute, day_start};

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
    /// The supplier ships nothing.
    SupplierOutage {
        /// Index into [`Model::suppliers`].
        supplier: usize,
        /// Fate of goods in transit on its lanes when the outage begins.
        in_transit: InTransit,
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

/// The disruptions of a model, indexed by the lane and node they touch.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Per lane, indices of disruptions touching it (outages, inflations).
    by_lane: Vec<Vec<usize>>,
    /// Demand shocks: (node or everywhere, disruption index).
    shocks: Vec<(Option<usize>, usize)>,
    disruptions: Vec<Disruption>,
}

impl Timeline {
    /// Indexes the disruptions of `model`.
    pub fn new(model: &Model) -> Self {
        let mut by_lane = vec![Vec::new(); model.lanes.len()];
        let mut shocks = Vec::new();
        for (index, disruption) in model.disruptions.iter().enumerate() {
            match &disruption.kind {
                DisruptionKind::SupplierOutage { supplier, .. } => {
                    for (lane, l) in model.lanes.iter().enumerate() {
                        if l.from_supplier == *supplier {
                            by_lane[lane].push(index);
                        }
                    }
                }
                DisruptionKind::LeadTimeInflation { lanes, .. } => lanes.iter().for_each(|&l| by_lane[l].push(index)),
                DisruptionKind::DemandShock { node, .. } => shocks.push((*node, index)),
            }
        }
        Self { by_lane, shocks, disruptions: model.disruptions.clone() }
    }

    fn on_lane(&self, lane: usize) -> impl Iterator<Item = &Disruption> {
        self.by_lane[lane].iter().map(|&i| &self.disruptions[i])
    }

    /// The first minute at or after `release` at which `lane`'s supplier
    /// can ship.
    pub fn departure(&self, lane: usize, release: Minute) -> Minute {
        let mut departure = release;
        while let Some(outage) =
            self.on_lane(lane).find(|d| matches!(d.kind, DisruptionKind::SupplierOutage { .. }) && d.covers(departure))
        {
            departure = outage.end_minute();
        }
        departure
    }

    /// The factor on the lead time of a shipment departing on `lane` at
    /// minute `departure`.
    pub fn lead_time_factor(&self, lane: usize, departure: Minute) -> f64 {
        self.on_lane(lane)
            .filter(|d| d.covers(departure))
            .map(|d| match d.kind {
                DisruptionKind::LeadTimeInflation { multiplier, .. } => multiplier,
                _ => 1.0,
            })
            .product()
    }

    /// Writes the demand factor of every node on `day` into `factors`.
    pub fn demand_factors(&self, day: Day, factors: &mut [f64]) {
        factors.fill(1.0);
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

    /// What happens to a shipment on `lane` that departs at `departed` and
    /// is due at `arrival`, given the outages that begin while it travels
    /// as planned: each `Delay` outage adds its length, any `Lose` outage
    /// loses it.
    pub fn fate(&self, lane: usize, departed: Minute, arrival: Minute) -> Fate {
        let mut due = arrival;
        for outage in self.on_lane(lane) {
            let DisruptionKind::SupplierOutage { in_transit, .. } = outage.kind else { continue };
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
    pub fn touches_lane(&self, lane: usize) -> bool {
        !self.by_lane[lane].is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::LeadTime;
    use crate::model::{Experiment, Lane};

    fn outage(start_day: Day, end_day: Day, in_transit: InTransit) -> Disruption {
        let kind = DisruptionKind::SupplierOutage { supplier: 0, in_transit };
        Disruption { name: format!("out{start_day}"), start_day, end_day, kind }
    }

    fn timeline(disruptions: Vec<Disruption>) -> Timeline {
        let lane =
            Lane { from_supplier: 0, to_node: 0, lead_time: LeadTime::constant(1.0).unwrap(), cost_per_unit: 0.0 };
        let model = Model {
            name: "t".into(),
            skus: vec![],
            classes: vec![],
            suppliers: vec![],
            nodes: vec![],
            lanes: vec![lane],
            demand: vec![],
            disruptions,
            experiment: Experiment { horizon_days: 100, warmup_days: 0, replications: 1, seed: 0 },
        };
        Timeline::new(&model)
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
        let t = timeline(vec![shock(None, 2.0, 5, 10), shock(Some(1), 1.5, 8, 9)]);
        let mut factors = [0.0; 2];
        t.demand_factors(8, &mut factors);
        assert_eq!(factors, [2.0, 3.0]);
        t.demand_factors(10, &mut factors);
        assert_eq!(factors, [1.0, 1.0]);
    }
}
