//! Lane capacity per day and truck consolidation.
//!
//! # Contract
//!
//! A lane with a capacity per day or trucks ([`crate::model::Trucks`]) does
//! not send a shipment the moment it is released: the shipment waits at the
//! lane, first in first out, and the lane dispatches once a day, at the day
//! end after every location's replenishment (so the evening's orders and
//! the backlog a source ships that evening travel together):
//!
//! 1. the day's load is the units waiting, at most the capacity per day;
//! 2. without trucks, the load departs (the oldest units first);
//! 3. with trucks, the load fills as many full trucks as it can, oldest
//!    units first; the remainder leaves in one more, partial truck when it
//!    is at least the truck's `min_load`, or when the oldest of its units
//!    has waited at least `max_wait_days` days (release to this day end);
//!    otherwise it waits for the next day end;
//! 4. each truck's units share one lead-time draw (they travel together)
//!    and one receipt day; each truck costs `cost_per_truck`, booked as
//!    transport cost of the receiving location with the lane's cost per
//!    unit. A shipment may be split across trucks and days.
//!
//! A lane that is out (a disruption) dispatches nothing; its queue waits.
//! Expedites bypass the queue, the capacity and the trucks. Units waiting
//! at a lane are on order at the receiving location and, between two
//! locations, count as in transit in the [`super::NetworkBalance`]: both
//! balances hold. Nothing here runs for a lane without limits: `depart`
//! pays one indexed branch per shipment.

use super::Run;
use super::flow::Trip;
use crate::time::{MINUTES_PER_DAY, Minute};
use std::collections::VecDeque;

/// A shipment waiting at a lane since `since`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Waiting {
    pub trip: Trip,
    pub since: Minute,
}

/// The lanes with limits and what waits at each.
#[derive(Debug, Default)]
pub(super) struct LaneQueues {
    /// Per lane, does it have a capacity per day or trucks?
    pub limited: Vec<bool>,
    /// Lanes with limits, in model order.
    lanes: Vec<usize>,
    /// Per lane, its queue (empty for lanes without limits).
    queues: Vec<VecDeque<Waiting>>,
    /// Scratch: one truck's pieces.
    load: Vec<Trip>,
}

impl LaneQueues {
    pub fn new(model: &crate::model::Model) -> Self {
        let limited: Vec<bool> =
            model.lanes.iter().map(|l| l.capacity_per_day.is_some() || l.trucks.is_some()).collect();
        let lanes = (0..limited.len()).filter(|&l| limited[l]).collect();
        Self { queues: vec![VecDeque::new(); limited.len()], limited, lanes, load: Vec::new() }
    }

    pub fn push(&mut self, trip: Trip, now: Minute) {
        self.queues[trip.lane].push_back(Waiting { trip, since: now });
    }
}

impl Run<'_> {
    /// Dispatches every lane with limits at the day end `now` (module doc).
    pub(super) fn dispatch_lanes(&mut self, now: Minute, measured: bool) {
        for k in 0..self.lane_queues.lanes.len() {
            let lane = self.lane_queues.lanes[k];
            if !self.lane_queues.queues[lane].is_empty() && !self.timeline.lane_out(lane, now) {
                self.dispatch_lane(lane, now, measured);
            }
            if measured {
                let waiting: i64 = self.lane_queues.queues[lane].iter().map(|w| w.trip.units).sum();
                self.nodes[self.model.lanes[lane].to_node].tally.lane_waiting_end += waiting;
            }
        }
    }

    fn dispatch_lane(&mut self, lane: usize, now: Minute, measured: bool) {
        let model = self.model;
        let spec = &model.lanes[lane];
        let queue = &self.lane_queues.queues[lane];
        let waiting: i64 = queue.iter().map(|w| w.trip.units).sum();
        let load = waiting.min(spec.capacity_per_day.unwrap_or(i64::MAX));
        let (sent, truck_units) = match spec.trucks {
            None => (load, load.max(1)),
            Some(trucks) => {
                let full = load / trucks.units * trucks.units;
                let rest = load - full;
                let partial_leaves = rest > 0
                    && (rest >= trucks.min_load
                        || trucks.max_wait_days.is_some_and(|days| {
                            now.saturating_sub(oldest_after(queue, full)) >= Minute::from(days) * MINUTES_PER_DAY
                        }));
                (if partial_leaves { load } else { full }, trucks.units)
            }
        };
        let mut left = sent;
        while left > 0 {
            // One truck (or, without trucks, the whole load) at a time.
            let mut room = left.min(truck_units);
            left -= room;
            let mut load = std::mem::take(&mut self.lane_queues.load);
            load.clear();
            while room > 0 {
                let front = self.lane_queues.queues[lane].front_mut().expect("units counted above wait");
                let units = front.trip.units.min(room);
                load.push(Trip { units, ..front.trip });
                front.trip.units -= units;
                room -= units;
                if front.trip.units == 0 {
                    self.lane_queues.queues[lane].pop_front();
                }
            }
            let carried: i64 = load.iter().map(|t| t.units).sum();
            if let Some(trucks) = spec.trucks
                && measured
            {
                let tally = &mut self.nodes[spec.to_node].tally;
                tally.trucks += 1;
                tally.truck_units += carried;
                tally.truck_capacity += trucks.units;
                tally.transport_cost += trucks.cost_per_truck;
            }
            if spec.trucks.is_some() {
                // The truck's units travel together: one lead-time draw.
                let sample = spec.lead_time.sample(&mut self.lane_rngs[lane]);
                self.launch(&load, now, sample, measured);
            } else {
                // Without trucks each shipment travels on its own.
                for t in 0..load.len() {
                    let sample = spec.lead_time.sample(&mut self.lane_rngs[lane]);
                    self.launch(&load[t..=t], now, sample, measured);
                }
            }
            self.lane_queues.load = load;
        }
    }
}

/// The release minute of the unit at position `skip` (0-based, first in
/// first out) of `queue`: the oldest unit left after `skip` units load.
fn oldest_after(queue: &VecDeque<Waiting>, skip: i64) -> Minute {
    let mut passed = 0;
    for w in queue {
        passed += w.trip.units;
        if passed > skip {
            return w.since;
        }
    }
    queue.back().map_or(Minute::MAX, |w| w.since)
}
