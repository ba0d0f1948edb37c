//! Customer returns: a share of the units shipped to a customer class
//! comes back to the location that shipped them, after a delay, and is
//! restocked or scrapped as its SKU says.
//!
//! # Contract
//!
//! * **What can come back.** Every unit shipped to a customer of a class
//!   with [`Returns`](crate::model::Returns) — served from stock when
//!   demanded, from a backorder when stock arrives, or as a substitute
//!   (module `substitution`: the substitute's units come back as that SKU).
//! * **How many.** Each shipment of `n` units (one order line, or the part
//!   of a backordered line served at once) returns `k ~ Binomial(n, share)`
//!   units: each unit independently with probability `share`. A share of 1
//!   returns every unit and a share of 0 none, without drawing.
//! * **When.** The `k` units travel together: one delay `D` is drawn from
//!   the class's delay distribution (whole minutes, as a lane's lead time);
//!   a shipment at minute `m` of day `d` comes back at the start of day
//!   `max(⌈(m + D)/1440⌉, d + 1)` — the first day start at or after
//!   `m + D`, and never the day it left. Returns are received at the day
//!   start after the day's inbound shipments, before patience cancellations
//!   and the day's demand (module `super`, step 1).
//! * **Disposition.** A SKU with `Restock` puts the units back into
//!   on-hand, where they serve the SKU's backordered lines first as any
//!   receipt does; a SKU with `Scrap` writes them off at unit cost.
//! * **Random numbers** come from one stream per (node, SKU, class) of
//!   purpose [`Purpose::Returns`](crate::rng::Purpose::Returns): the
//!   binomial count, then the delay when `k > 0`. No other stream moves,
//!   so a scenario without returns has exactly the results it had before
//!   returns existed.
//! * **Books.** `UnitBalance`: `returns_drawn` when the count is drawn,
//!   then `returns_restocked` or `returns_scrapped` when the units arrive,
//!   and `returns_due` for those still on their way at the end; restocked
//!   units enter on-hand (`initial + received + restocked = shipped +
//!   shipped to nodes + final`). Metrics (on the day of arrival, measured
//!   days only): `returned_units`, `scrapped_units`, `scrap_cost`. Units
//!   shipped and later returned still count as shipped (turns) and served
//!   (fill rate): a return is a new flow, not an undone sale.

use super::Run;
use crate::model::{Model, ReturnDisposition, Returns};
use crate::rng::{self, Stream, StreamKey};
use crate::time::{Day, MINUTES_PER_DAY, Minute, day_start};
use rand_distr::{Binomial, Distribution};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Marks a class without returns in [`ReturnBooks::slot`].
const NO_SLOT: u32 = u32::MAX;

/// Units on their way back, ordered by arrival day, then by when they were
/// drawn (a total order: determinism).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Due {
    day: Day,
    seq: u64,
    node: u32,
    sku: u32,
    units: i64,
}

/// The returns of one run: each class's return rule, the streams, and the
/// units on their way back.
pub(super) struct ReturnBooks<'m> {
    /// Per class, its return rule (`None`: it returns nothing).
    rules: Vec<Option<&'m Returns>>,
    /// Per class, its slot among the returning classes (or [`NO_SLOT`]).
    slot: Vec<u32>,
    /// Returning classes.
    slots: usize,
    /// Per node, stream of (local SKU `k`, slot `s`) at `k · slots + s`
    /// (empty for a node without customers).
    streams: Vec<Vec<Stream>>,
    pending: BinaryHeap<Reverse<Due>>,
    seq: u64,
}

impl<'m> ReturnBooks<'m> {
    /// The returns of `model` in one replication; `None` when no class
    /// returns anything.
    pub fn new(model: &'m Model, seed: u64, replication: u64) -> Option<Self> {
        let rules: Vec<Option<&Returns>> =
            model.classes.iter().map(|c| c.returns.as_ref().filter(|r| r.share > 0.0)).collect();
        if rules.iter().all(Option::is_none) {
            return None;
        }
        let mut slot = vec![NO_SLOT; rules.len()];
        let mut returning = Vec::new();
        for (c, rule) in rules.iter().enumerate() {
            if rule.is_some() {
                slot[c] = returning.len() as u32;
                returning.push(c);
            }
        }
        let streams = (0..model.nodes.len())
            .map(|n| {
                if !model.serves_customers(n) {
                    return Vec::new();
                }
                let node = &model.nodes[n];
                node.skus
                    .iter()
                    .flat_map(|&g| returning.iter().map(move |&c| (g, c)))
                    .map(|(g, c)| rng::stream(seed, replication, StreamKey::returns(n, g, c)))
                    .collect()
            })
            .collect();
        Some(Self { rules, slot, slots: returning.len(), streams, pending: BinaryHeap::new(), seq: 0 })
    }

    /// Books `units` of local `sku` shipped at `now` from `node` to a
    /// customer of `class`: draws how many come back and when. Returns the
    /// units drawn to come back.
    #[inline]
    pub fn shipped(&mut self, node: usize, sku: usize, class: usize, units: i64, now: Minute) -> i64 {
        let slot = self.slot[class];
        if slot == NO_SLOT || units <= 0 {
            return 0;
        }
        let rule = self.rules[class].expect("a slot has a rule");
        let at = sku * self.slots + slot as usize;
        let rng = &mut self.streams[node][at];
        let back = if rule.share >= 1.0 {
            units
        } else {
            Binomial::new(units as u64, rule.share).expect("share validated in [0, 1]").sample(rng) as i64
        };
        if back == 0 {
            return 0;
        }
        let shipped_day = now / MINUTES_PER_DAY;
        let arrival = now.saturating_add(rule.delay.sample(rng));
        let day = arrival.div_ceil(MINUTES_PER_DAY).max(shipped_day + 1);
        let day = Day::try_from(day).unwrap_or(Day::MAX);
        self.seq += 1;
        self.pending.push(Reverse(Due { day, seq: self.seq, node: node as u32, sku: sku as u32, units: back }));
        back
    }

    /// The next return due by day `day`, if any.
    #[inline]
    fn pop_due(&mut self, day: Day) -> Option<Due> {
        match self.pending.peek() {
            Some(Reverse(due)) if due.day <= day => self.pending.pop().map(|Reverse(due)| due),
            _ => None,
        }
    }

    /// Units still on their way back to `node`.
    pub fn due_at(&self, node: usize) -> i64 {
        self.pending.iter().filter(|Reverse(d)| d.node as usize == node).map(|Reverse(d)| d.units).sum()
    }
}

impl Run<'_> {
    /// Books a shipment to customers for returns (nothing when the model
    /// has none).
    #[inline]
    pub(super) fn note_shipped(&mut self, node: usize, sku: usize, class: usize, units: i64, now: Minute) {
        if let Some(books) = &mut self.returns {
            let back = books.shipped(node, sku, class, units, now);
            self.nodes[node].balance.returns_drawn += back;
        }
    }

    /// Receives, at the start of `day`, every return due by then.
    pub(super) fn receive_returns(&mut self, day: Day, measured: bool) {
        let now = day_start(day);
        while let Some(due) = self.returns.as_mut().and_then(|r| r.pop_due(day)) {
            let (node, sku) = (due.node as usize, due.sku as usize);
            let global = self.model.nodes[node].skus[sku];
            let state = &mut self.nodes[node];
            if measured {
                state.tally.returned_units += due.units;
            }
            match self.model.skus[global].returns {
                ReturnDisposition::Restock => {
                    state.on_hand[sku] += due.units;
                    state.balance.returns_restocked += due.units;
                    if state.backorders[sku] > 0 {
                        self.serve_backorders(node, sku, now, measured);
                    }
                }
                ReturnDisposition::Scrap => {
                    state.balance.returns_scrapped += due.units;
                    if measured {
                        state.tally.scrapped_units += due.units;
                        state.tally.scrap_cost += due.units as f64 * state.unit_cost[sku];
                    }
                }
            }
        }
    }
}
