//! Goods moving: orders released to suppliers or source nodes, suppliers'
//! capacity queues, source nodes filling their backlog, shipments departing
//! and being received.

use super::Run;
use super::approvals::Decision;
use super::state::{NO_TRIGGER, PendingOrder};
use crate::calendar::{Event, Shipment};
use crate::disruption::Fate;
use crate::governance::DecisionKind;
use crate::model::{Source, Sourcing};
use crate::strategy::Claim;
use crate::time::{Day, MINUTES_PER_DAY, Minute, day_start, needs_receipt_draw, receipt_day, rounded_receipt_day};
use rand::RngExt;
use std::collections::VecDeque;

/// An order waiting for a supplier's capacity.
#[derive(Debug, Clone, Copy)]
pub(super) struct Held {
    pub node: usize,
    pub sku: usize,
    pub lane: usize,
    pub units: i64,
}

/// A supplier with a capacity: what is left today and what waits.
#[derive(Debug, Default)]
pub(super) struct SupplierState {
    pub day: Option<Day>,
    pub left: i64,
    pub queue: VecDeque<Held>,
}

/// How a shipment travels.
#[derive(Debug, Clone, Copy)]
pub(super) struct Trip {
    pub lane: usize,
    pub node: usize,
    pub sku: usize,
    pub units: i64,
    pub internal: bool,
    pub expedited: bool,
}

impl Run<'_> {
    /// The source slot an order of `node` uses at `now` under its sourcing
    /// rule: the best-ranked lane that is not disrupted, else the best.
    /// Ranks: list order (primary first), or by cost per unit or mean lead
    /// time with list order breaking ties.
    fn choose_source(&self, node: usize, now: Minute) -> usize {
        let sources = &self.model.nodes[node].sources;
        if sources.len() == 1 {
            return 0;
        }
        let lanes = &self.model.lanes;
        let rank = |slot: usize| match self.model.nodes[node].sourcing {
            Sourcing::PrimaryFirst => 0.0,
            Sourcing::Cheapest => lanes[sources[slot]].cost_per_unit,
            Sourcing::Fastest => lanes[sources[slot]].lead_time.mean_days(),
        };
        let usable = |slot: &usize| {
            let lane = sources[*slot];
            !(self.timeline.lane_out(lane, now)
                || match lanes[lane].from {
                    Source::Node(p) => self.timeline.closed_until(p, now).is_some(),
                    Source::Supplier(_) => false,
                })
        };
        // `min_by` keeps the first of equals: list order breaks ties.
        let best = |slots: &mut dyn Iterator<Item = usize>| slots.min_by(|&a, &b| rank(a).total_cmp(&rank(b)));
        best(&mut (0..sources.len()).filter(usable)).or_else(|| best(&mut (0..sources.len()))).unwrap_or(0)
    }

    /// Decides a purchase order of `units` (> 0, as the policy asked) for
    /// local `sku` at `node` at minute `now`: applies the SKU's order rules,
    /// books it as ordered and hands it to governance
    /// ([`super::approvals`]), which releases it now or once approved.
    pub(super) fn release(&mut self, node: usize, sku: usize, units: i64, now: Minute, measured: bool) {
        let state = &mut self.nodes[node];
        // The SKU's MOQ, case pack and maximum, after the policy's rule
        // (module `constraints`).
        let units = state.constrain_order(sku, units);
        state.on_order[sku] += units;
        state.balance.ordered += units;
        state.day_ordered += units;
        let trigger = std::mem::replace(&mut state.trigger_since[sku], NO_TRIGGER);
        if measured {
            state.tally.orders += 1;
            state.tally.ordered_units += units;
            state.tally.ordering_cost += state.ordering_cost[sku];
            if let Some(t) = state.sku_tally.get_mut(sku) {
                t.ordered += units;
            }
        }
        let trigger = if trigger == NO_TRIGGER { now } else { trigger };
        if self.approvals.is_some() {
            let decision = Decision { kind: DecisionKind::PurchaseOrder, node, sku, units, trigger, shipment: None };
            self.decide(decision, now, measured);
            return;
        }
        if measured {
            state.tally.decisions += 1;
            state.record_latency(DecisionKind::PurchaseOrder, now - trigger);
        }
        self.send_order(node, sku, units, now, measured);
    }

    /// Sends a released purchase order to the source its sourcing rule
    /// picks at `now`.
    pub(super) fn send_order(&mut self, node: usize, sku: usize, units: i64, now: Minute, measured: bool) {
        let slot = self.choose_source(node, now);
        let lane = self.model.nodes[node].sources[slot];
        match self.model.lanes[lane].from {
            Source::Node(parent) => {
                let parent_sku = self.nodes[node].source_sku[slot][sku] as usize;
                let p = &mut self.nodes[parent];
                p.backlog[parent_sku].push(PendingOrder {
                    child: node as u32,
                    child_sku: sku as u32,
                    lane: lane as u32,
                    units,
                    since: now,
                });
                p.owed[parent_sku] += units;
                if let Some(demand) = p.sku_demand.get_mut(parent_sku) {
                    *demand += units;
                }
                p.day_demand += units;
                if measured {
                    p.tally.demand += units;
                }
            }
            Source::Supplier(s) if self.model.suppliers[s].capacity_per_day.is_some() => {
                self.nodes[node].book_purchase(sku, units, measured);
                self.suppliers[s].queue.push_back(Held { node, sku, lane, units });
                self.dispatch_supplier(s, now);
            }
            Source::Supplier(_) => {
                self.nodes[node].book_purchase(sku, units, measured);
                let trip = Trip { lane, node, sku, units, internal: false, expedited: false };
                let model = self.model;
                self.depart(trip, now, &model.lanes[lane].lead_time, measured);
            }
        }
    }

    /// Ships what supplier `s`'s capacity allows at `now`, first in first
    /// out (an order whose lane is out waits without blocking the others).
    pub(super) fn dispatch_supplier(&mut self, s: usize, now: Minute) {
        let day = (now / MINUTES_PER_DAY) as Day;
        let capacity = self.model.suppliers[s].capacity_per_day.expect("a capacity supplier");
        let state = &mut self.suppliers[s];
        if state.day != Some(day) {
            state.day = Some(day);
            state.left = (capacity as f64 * self.timeline.capacity_factor(s, day)).floor() as i64;
        }
        let mut queue = std::mem::take(&mut self.suppliers[s].queue);
        let measured = self.is_measured(day);
        let mut kept = VecDeque::with_capacity(queue.len());
        while let Some(mut held) = queue.pop_front() {
            let left = self.suppliers[s].left;
            if left == 0 || self.timeline.lane_out(held.lane, now) {
                kept.push_back(held);
                continue;
            }
            let units = held.units.min(left);
            self.suppliers[s].left -= units;
            let trip =
                Trip { lane: held.lane, node: held.node, sku: held.sku, units, internal: false, expedited: false };
            let model = self.model;
            self.depart(trip, now, &model.lanes[held.lane].lead_time, measured);
            held.units -= units;
            if held.units > 0 {
                kept.push_back(held);
            }
        }
        self.suppliers[s].queue = kept;
    }

    /// Sends `trip` at `now` (or when its lane's outage ends), with a lead
    /// time drawn from `lead_time` and stretched by any inflation; settles
    /// its fate and schedules its arrival. Books transport cost. On a lane
    /// with a capacity per day or trucks, a shipment that is not an
    /// expedite waits at the lane instead, for the day end's dispatch
    /// (module `trucks`).
    #[inline]
    pub(super) fn depart(
        &mut self,
        trip: Trip,
        now: Minute,
        lead_time: &crate::distribution::LeadTime,
        measured: bool,
    ) {
        if trip.internal {
            self.internal_in_transit += trip.units;
        }
        if !trip.expedited && self.lane_queues.limited[trip.lane] {
            self.lane_queues.push(trip, now);
            return;
        }
        let sample = lead_time.sample(&mut self.lane_rngs[trip.lane]);
        self.launch(std::slice::from_ref(&trip), now, sample, measured);
    }

    /// Sends `pieces` (shipments on one lane travelling together) at `now`
    /// with the lead time `sample` (minutes) drawn for them. Inlined: a
    /// single shipment ([`depart`](Self::depart), every order) then pays
    /// no call and no loop (`benches/scale/instructions.sh`).
    #[inline(always)]
    pub(super) fn launch(&mut self, pieces: &[Trip], now: Minute, sample: Minute, measured: bool) {
        let lane = pieces[0].lane;
        let (departure, arrival, lost, in_transit) = if self.timeline.touches_lane(lane) {
            let departure = self.timeline.departure(lane, now);
            let factor = self.timeline.lead_time_factor(lane, departure);
            let arrival = departure + (sample as f64 * factor).round() as Minute;
            match self.timeline.fate(lane, departure, arrival) {
                Fate::Arrives => (departure, arrival, false, true),
                Fate::DelayedUntil(later) => (departure, later, false, false),
                Fate::Lost => (departure, arrival, true, true),
            }
        } else {
            (now, now + sample, false, true)
        };
        // Daily-batch demand: a mid-day arrival is received at the day start
        // before or after it, unbiased, but not before a day start still to
        // come (`time::rounded_receipt_day`); one held by a disruption waits
        // for the next day start.
        let arrival = if !self.event_driven && in_transit {
            let earliest = receipt_day(departure).max(self.wheel.next_day());
            let draw = if needs_receipt_draw(arrival, earliest) {
                self.receipt_rngs[lane].random_range(0..MINUTES_PER_DAY)
            } else {
                0
            };
            day_start(rounded_receipt_day(arrival, earliest, draw) as Day)
        } else {
            arrival
        };
        let lane_index = lane as u32;
        let lane = &self.model.lanes[lane];
        let (lateral, ownership_at_dispatch) = (lane.lateral, lane.ownership_at_dispatch);
        let cost_per_unit = lane.cost_per_unit;
        for trip in pieces {
            let cost = cost_per_unit * trip.units as f64;
            let (owned, held) = (trip.internal || ownership_at_dispatch, ownership_at_dispatch);
            let state = &mut self.nodes[trip.node];
            state.start_transit(trip.sku, trip.units, owned, held);
            if measured {
                if lateral {
                    state.tally.transfer_cost += cost;
                } else {
                    state.tally.transport_cost += cost;
                }
            }
            if !state.arrivals.is_empty() {
                state.arrivals[trip.sku].push(arrival);
            }
            let shipment = Shipment {
                arrival,
                node: trip.node as u32,
                local_sku: trip.sku as u32,
                units: trip.units,
                lost,
                internal: trip.internal,
                expedited: trip.expedited,
                lateral,
                owned,
                held,
                departed: now,
                lane: lane_index,
            };
            self.schedule_arrival(shipment);
        }
    }

    #[inline]
    pub(super) fn schedule_arrival(&mut self, shipment: Shipment) {
        if self.event_driven {
            self.calendar.schedule(shipment.arrival, Event::Arrival(shipment));
        } else {
            self.wheel.schedule(receipt_day(shipment.arrival), shipment);
        }
    }

    /// Receives one shipment at `now` into on-hand and clears customer
    /// backorders with it; writes it off when it was lost; holds it when the
    /// node is closed.
    #[inline]
    pub(super) fn receive(&mut self, shipment: &Shipment, now: Minute) {
        let node = shipment.node as usize;
        if let Some(reopen) = self.timeline.closed_until(node, now) {
            self.nodes[node].forget_arrival(shipment.local_sku as usize, shipment.arrival);
            if !self.nodes[node].arrivals.is_empty() {
                self.nodes[node].arrivals[shipment.local_sku as usize].push(reopen);
            }
            self.deferred.push(Shipment { arrival: reopen, ..*shipment });
            return;
        }
        let measured = self.is_measured((now / MINUTES_PER_DAY) as Day);
        let sku = shipment.local_sku as usize;
        if shipment.internal {
            self.internal_in_transit -= shipment.units;
        }
        let state = &mut self.nodes[node];
        state.accrue(sku, now);
        state.forget_arrival(sku, shipment.arrival);
        if shipment.expedited {
            state.expediting[sku] -= 1;
        }
        state.on_order[sku] -= shipment.units;
        state.end_transit(sku, shipment);
        if shipment.lost {
            state.balance.lost_in_transit += shipment.units;
            if measured {
                state.tally.lost_in_transit += shipment.units;
                state.tally.lost_in_transit_cost += shipment.units as f64 * state.unit_cost[sku];
            }
            if shipment.internal {
                self.internal_lost += shipment.units;
            }
            return;
        }
        state.on_hand[sku] += shipment.units;
        state.balance.received += shipment.units;
        if measured {
            let lead_time = now.saturating_sub(shipment.departed);
            state.record_receipt(shipment.lateral, lead_time);
            self.lane_lead_times[shipment.lane as usize].record(lead_time);
        }
        if shipment.internal {
            self.internal_received += shipment.units;
        }
        if state.backorders[sku] > 0 {
            self.serve_backorders(node, sku, now, measured);
        }
    }

    /// Ships `node`'s backlog (orders of the nodes it feeds) from on-hand
    /// through the allocation rule, SKU by SKU: the orders listed oldest
    /// first, those placed in the same minute in their arrival order
    /// ([`super::ArrivalOrder`]). Orders placed at `now` that
    /// ship at once count as served from stock.
    pub(super) fn fill_backlog(&mut self, node: usize, now: Minute, measured: bool) {
        for sku in 0..self.nodes[node].backlog.len() {
            let state = &mut self.nodes[node];
            if state.backlog[sku].is_empty() || state.on_hand[sku] == 0 {
                let unmet: i64 = state.backlog[sku].iter().filter(|o| placed_today(o, now)).map(|o| o.units).sum();
                state.day_shortfall[sku] += unmet;
                continue;
            }
            let mut backlog = std::mem::take(&mut state.backlog[sku]);
            if backlog.iter().map(|o| o.units).sum::<i64>() > state.on_hand[sku] {
                // Oldest first; orders placed in the same minute (the nodes
                // fed order the same evening) in their arrival order within
                // it (`super::ArrivalOrder`).
                let (arrival, global_sku) = (self.arrival, self.model.nodes[node].skus[sku]);
                let key = |o: &PendingOrder| {
                    (o.since, arrival.key(node, global_sku, super::NODE_CLAIMANT + o.child as usize, o.since))
                };
                // Keys hashed once per order, not once per comparison.
                backlog.sort_by_cached_key(key);
            }
            self.claims.clear();
            // A node's order carries no margin, SLA or penalty of its own.
            let order_claim = |o: &PendingOrder| Claim {
                units: o.units,
                since: o.since,
                tier: 1,
                margin: 0.0,
                due: o.since,
                late_penalty: 0.0,
            };
            self.claims.extend(backlog.iter().map(order_claim));
            super::grant(self.allocation, now, state.on_hand[sku], &self.claims, &mut self.grants);
            let grants = std::mem::take(&mut self.grants);
            for (order, &granted) in backlog.iter_mut().zip(grants.iter()) {
                let state = &mut self.nodes[node];
                if placed_today(order, now) {
                    state.day_shortfall[sku] += order.units - granted;
                    if measured {
                        state.tally.served_from_stock += granted;
                    }
                }
                if granted == 0 {
                    continue;
                }
                state.ship_to_node(sku, granted);
                state.owed[sku] -= granted;
                if measured {
                    state.tally.shipped += granted;
                    state.tally.shipped_cost += granted as f64 * state.unit_cost[sku];
                }
                order.units -= granted;
                let trip = Trip {
                    lane: order.lane as usize,
                    node: order.child as usize,
                    sku: order.child_sku as usize,
                    units: granted,
                    internal: true,
                    expedited: false,
                };
                let model = self.model;
                self.depart(trip, now, &model.lanes[trip.lane].lead_time, measured);
            }
            self.grants = grants;
            backlog.retain(|o| o.units > 0);
            self.nodes[node].backlog[sku] = backlog;
        }
    }
}

/// Was `order` placed during the day ending at `day_end` (its end
/// included)? Its units count for the source's fill rate that evening.
fn placed_today(order: &PendingOrder, day_end: Minute) -> bool {
    order.since + MINUTES_PER_DAY > day_end
}
