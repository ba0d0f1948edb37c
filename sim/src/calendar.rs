//! The event calendar and the receipt wheel.
//!
//! # Contract
//!
//! * [`Calendar`] is a priority queue of sparse events ordered by
//!   `(time, phase, sequence)`. The sequence number is assigned at insertion
//!   and strictly increases, so events at the same minute and phase leave in
//!   the order they were scheduled, the same way every run.
//! * Phases order what happens at one minute. At a day boundary the previous
//!   day's end comes first, then shipment arrivals, then the new day's start:
//!   a release at the end of day `t` with lead time 0 is received on the
//!   morning of day `t+1`. Approvals (governance) come last: a working day
//!   starting at midnight sees the decisions of the day end just past.
//! * [`ReceiptWheel`] is a calendar queue for shipments under daily-batch
//!   demand, where a shipment only matters at the first day start at or after
//!   its arrival. It holds one bucket per receipt day in a ring that grows to
//!   the longest lead time seen, so memory is O(shipments in flight + longest
//!   lead time in days), and scheduling or receiving costs O(1) per
//!   shipment instead of a heap operation. The ring grows to at most
//!   [`MAX_WHEEL_DAYS`]: a shipment received further ahead than that lies
//!   past the longest horizon, so it is held aside and never handed out (a
//!   file's lead time of 1e9 days cannot make the ring allocate gigabytes). Within a day, receipts are handed
//!   out in the order they were scheduled — deterministic, and the day's end
//!   state does not depend on it: receipts at a day start only add to
//!   on-hand and clear backorders, which commutes.

use crate::time::{Day, Minute};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What happens first at a given minute: lower phases first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// End of the previous day: statistics, review, release.
    DayEnd = 0,
    /// A shipment arrives (event-driven demand mode).
    Arrival = 1,
    /// Start of a day: receipts, then daily-batch demand.
    DayStart = 2,
    /// A customer order arrives (event-driven demand mode).
    CustomerOrder = 3,
    /// Planners take waiting decisions, or an approved decision is released
    /// (governance).
    Approval = 4,
}

/// A sparse event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Event {
    /// The start of a day.
    DayStart(Day),
    /// The end of a day.
    DayEnd(Day),
    /// A shipment arrives at its node.
    Arrival(Shipment),
    /// The next customer order of a demand stream.
    CustomerOrder {
        /// Index into the model's demand streams.
        stream: u32,
    },
    /// The planners' working day starts.
    ApprovalRound,
    /// An approved decision is released.
    Approved {
        /// The decision's ticket (engine-internal).
        ticket: u32,
    },
}

impl Event {
    /// The phase of this event.
    pub fn phase(&self) -> Phase {
        match self {
            Self::DayStart(_) => Phase::DayStart,
            Self::DayEnd(_) => Phase::DayEnd,
            Self::Arrival(_) => Phase::Arrival,
            Self::CustomerOrder { .. } => Phase::CustomerOrder,
            Self::ApprovalRound | Self::Approved { .. } => Phase::Approval,
        }
    }
}

/// Goods in transit to a stocking node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shipment {
    /// Arrival minute.
    pub arrival: Minute,
    /// Destination node.
    pub node: u32,
    /// Local SKU index at the destination.
    pub local_sku: u32,
    /// Units.
    pub units: i64,
    /// Lost on the way (written off when due instead of received).
    pub lost: bool,
    /// From another stocking node (not from a supplier).
    pub internal: bool,
    /// Sent by an expedite.
    pub expedited: bool,
    /// A transfer over a lateral lane.
    pub lateral: bool,
    /// Owned by the network in transit (from a stocking node, or on a lane
    /// with ownership at dispatch): counted in working capital.
    pub owned: bool,
    /// On a lane with ownership at dispatch: holding cost in transit.
    pub held: bool,
    /// Minute it was handed to the lane (realised lead time = receipt − this).
    pub departed: Minute,
    /// The lane it travels on (index into the model's lanes).
    pub lane: u32,
}

/// Priority queue of sparse events.
#[derive(Debug, Default)]
pub struct Calendar {
    heap: BinaryHeap<Reverse<(Minute, Phase, u64, Event)>>,
    next_sequence: u64,
}

impl Calendar {
    /// Schedules `event` at `time`.
    pub fn schedule(&mut self, time: Minute, event: Event) {
        let key = (time, event.phase(), self.next_sequence, event);
        self.next_sequence += 1;
        self.heap.push(Reverse(key));
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<(Minute, Event)> {
        self.heap.pop().map(|Reverse((time, _, _, event))| (time, event))
    }
}

/// One held shipment: its receipt day, then its order key.
#[derive(Debug, Clone, Copy)]
struct WheelEntry {
    receipt_day: u64,
    shipment: Shipment,
}

/// The most days ahead the receipt wheel keeps buckets for: more than the
/// longest horizon (100,000 days), so a shipment beyond it is never
/// received within a run.
pub const MAX_WHEEL_DAYS: u64 = 1 << 18;

/// Shipments bucketed by the day on which they will be received.
#[derive(Debug)]
pub struct ReceiptWheel {
    buckets: Vec<Vec<WheelEntry>>,
    /// Shipments received more than [`MAX_WHEEL_DAYS`] ahead: past any horizon.
    beyond: Vec<WheelEntry>,
    /// The earliest receipt day still held (buckets before it are drained).
    current_day: u64,
}

impl Default for ReceiptWheel {
    fn default() -> Self {
        Self { buckets: (0..8).map(|_| Vec::new()).collect(), beyond: Vec::new(), current_day: 0 }
    }
}

impl ReceiptWheel {
    /// Holds `shipment` until the morning of `receipt_day` (≥ the current day).
    #[inline]
    pub fn schedule(&mut self, receipt_day: u64, shipment: Shipment) {
        debug_assert!(receipt_day >= self.current_day);
        if receipt_day - self.current_day >= MAX_WHEEL_DAYS {
            self.beyond.push(WheelEntry { receipt_day, shipment });
            return;
        }
        while receipt_day - self.current_day >= self.buckets.len() as u64 {
            self.grow();
        }
        let slot = self.slot(receipt_day);
        self.buckets[slot].push(WheelEntry { receipt_day, shipment });
    }

    /// The bucket of `day`: the ring's length is a power of two, so a mask
    /// replaces a division.
    #[inline]
    fn slot(&self, day: u64) -> usize {
        debug_assert!(self.buckets.len().is_power_of_two());
        (day as usize) & (self.buckets.len() - 1)
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.buckets);
        let new_len = old.len() * 2;
        self.buckets = (0..new_len).map(|_| Vec::new()).collect();
        for entry in old.into_iter().flatten() {
            let slot = self.slot(entry.receipt_day);
            self.buckets[slot].push(entry);
        }
    }

    /// The first day whose morning receipts have not been handed out yet:
    /// the earliest a shipment can still be scheduled for.
    #[inline]
    pub fn next_day(&self) -> u64 {
        self.current_day
    }

    /// Hands every shipment received on the morning of `day` to `receive`, in
    /// the order they were scheduled, and advances the wheel past `day`.
    pub fn receive(&mut self, day: u64, mut receive: impl FnMut(&Shipment)) {
        debug_assert_eq!(day, self.current_day);
        let slot = self.slot(day);
        let bucket = &mut self.buckets[slot];
        for entry in bucket.drain(..) {
            receive(&entry.shipment);
        }
        self.current_day = day + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipment(arrival: Minute, units: i64) -> Shipment {
        Shipment {
            arrival,
            node: 0,
            local_sku: 0,
            units,
            lost: false,
            internal: false,
            expedited: false,
            lateral: false,
            owned: false,
            held: false,
            departed: 0,
            lane: 0,
        }
    }

    #[test]
    fn calendar_orders_by_time_then_phase_then_insertion() {
        let mut c = Calendar::default();
        c.schedule(1440, Event::DayStart(1));
        c.schedule(1440, Event::Arrival(shipment(1440, 1)));
        c.schedule(1440, Event::DayEnd(0));
        c.schedule(100, Event::CustomerOrder { stream: 7 });
        c.schedule(1440, Event::Arrival(shipment(1440, 2)));
        let order: Vec<Event> = std::iter::from_fn(|| c.pop().map(|(_, e)| e)).collect();
        assert_eq!(
            order,
            vec![
                Event::CustomerOrder { stream: 7 },
                Event::DayEnd(0),
                Event::Arrival(shipment(1440, 1)),
                Event::Arrival(shipment(1440, 2)),
                Event::DayStart(1),
            ]
        );
    }

    #[test]
    fn wheel_grows_past_its_ring_and_keeps_scheduling_order() {
        let mut w = ReceiptWheel::default();
        w.schedule(20, shipment(20 * 1440, 5));
        w.schedule(3, shipment(3 * 1440 - 10, 2));
        w.schedule(3, shipment(3 * 1440 - 500, 1));
        let mut got = Vec::new();
        for day in 0..=20 {
            w.receive(day, |s| got.push((day, s.units)));
        }
        assert_eq!(got, vec![(3, 2), (3, 1), (20, 5)]);
    }

    #[test]
    fn wheel_does_not_grow_for_a_shipment_past_any_horizon() {
        let mut w = ReceiptWheel::default();
        w.schedule(1_000_000_000, shipment(1_000_000_000 * 1440, 7));
        w.schedule(2, shipment(2 * 1440, 1));
        assert!(w.buckets.len() <= 8, "the ring grew to {} buckets", w.buckets.len());
        let mut got = Vec::new();
        for day in 0..=3 {
            w.receive(day, |s| got.push((day, s.units)));
        }
        assert_eq!(got, vec![(2, 1)]);
    }
}
