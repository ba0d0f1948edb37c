//! Customer backorders: the backordered order lines of every class, per
//! SKU-location, and how each of them ends.
//!
//! # Contract
//!
//! * **Lines.** The unserved units of a backorder class's order line wait
//!   as one backordered line (for a class without partial shipment, the
//!   whole line). Lines of a SKU-location are kept oldest first; their
//!   units add up to `NodeState::backorders`.
//! * **Serving.** Each receipt serves the SKU's lines from on-hand: all of
//!   them when the stock covers them, else the strategy's allocation rule
//!   splits the stock among the lines as claims (the class's tier, margin,
//!   SLA and late penalty; `since` = the minute the line was demanded), a
//!   line without partial shipment getting all its units or none
//!   ([`super::grant_lines`]). Lines demanded in the same minute are
//!   listed in their arrival order within it ([`super::ArrivalOrder`]). With one class that may ship in parts this
//!   is first come, first served, and every unit received clears a unit
//!   backordered, oldest first.
//! * **Patience.** At every day start, after the receipts, a line whose
//!   class has `patience_days = P` and which has waited `P` days or more is
//!   cancelled: its units leave the backorders unserved.
//! * **Books.** When units of a line end — served, cancelled, or still
//!   open when the run ends — they are booked to their class if the line
//!   was demanded on a measured day: their age (minutes since demand) into
//!   the class's backorder-age histogram; on time when served no later than
//!   the SLA; a late penalty of units × days beyond the SLA × the class's
//!   `late_penalty_per_day`. Cancelled units also cost the SKU's lost-sale
//!   penalty. Both costs join the location's shortage cost.

use super::Run;
use super::state::NodeState;
use crate::metrics::ClassTally;
use crate::model::CustomerClass;
use crate::time::{MINUTES_PER_DAY, Minute, days_to_minutes};
use hdrhistogram::Histogram;

/// Backordered units of one order line.
#[derive(Debug, Clone, Copy)]
pub(super) struct BackorderLine {
    /// Index into `Model::classes`.
    pub class: u32,
    /// Units still owed.
    pub units: i64,
    /// Minute the line was demanded.
    pub since: Minute,
}

/// How backordered units ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Served,
    Cancelled,
    OpenAtEnd,
}

/// Per customer class, the books of its backorders (measured demand only)
/// and of its event-driven demand.
pub(super) struct ClassBooks {
    pub tally: Vec<ClassTally>,
    /// Ages in minutes, one count per backordered unit.
    pub ages: Vec<Histogram<u64>>,
    /// Lines demanded before this minute (the warm-up) are not booked.
    first_measured: Minute,
    /// Per class, minutes a backordered line waits before it is cancelled.
    patience: Vec<Minute>,
    /// Does any class cancel?
    pub any_patience: bool,
}

impl ClassBooks {
    pub fn new(classes: &[CustomerClass], first_measured: Minute) -> Self {
        Self {
            tally: vec![ClassTally::default(); classes.len()],
            ages: classes.iter().map(|_| Histogram::new(3).expect("valid precision")).collect(),
            first_measured,
            patience: classes.iter().map(|c| c.patience_days.map_or(Minute::MAX, days_to_minutes)).collect(),
            any_patience: classes.iter().any(|c| c.patience_days.is_some()),
        }
    }

    /// Books the units of `ended` (a line of local `sku` at `state`, with
    /// the units that end) at `now`.
    fn book(
        &mut self,
        classes: &[CustomerClass],
        state: &mut NodeState,
        sku: usize,
        ended: BackorderLine,
        now: Minute,
        ending: Ending,
    ) {
        let units = ended.units;
        if ended.since < self.first_measured || units == 0 {
            return;
        }
        let c = ended.class as usize;
        let class = &classes[c];
        let age = now - ended.since;
        self.ages[c].record_n(age, units as u64).expect("histogram auto-resizes");
        let sla = days_to_minutes(class.sla_days);
        let tally = &mut self.tally[c];
        if ending == Ending::Served && age <= sla {
            tally.backorders_on_time += units;
            state.tally.backorders_on_time += units;
        }
        let late_days = age.saturating_sub(sla) as f64 / MINUTES_PER_DAY as f64;
        let penalty = units as f64 * late_days * class.late_penalty_per_day;
        tally.late_penalty += penalty;
        state.tally.shortage_cost += penalty;
        if ending == Ending::Cancelled {
            tally.cancelled += units;
            state.tally.shortage_cost += units as f64 * state.lost_penalty[sku];
        }
    }
}

impl ClassBooks {
    /// Books the completion of backordered `line` at `now` (its last units
    /// served): on time in full (`otif`) when no later than its class's
    /// SLA after demand, if it was demanded on a measured day.
    fn complete(&mut self, classes: &[CustomerClass], state: &mut NodeState, line: BackorderLine, now: Minute) {
        let c = line.class as usize;
        if line.since >= self.first_measured && now - line.since <= days_to_minutes(classes[c].sla_days) {
            self.tally[c].lines_late_on_time += 1;
            state.tally.lines_late_on_time += 1;
        }
    }
}

impl Run<'_> {
    /// Serves `sku`'s backordered lines at `node` from on-hand at `now`.
    pub(super) fn serve_backorders(&mut self, node: usize, sku: usize, now: Minute, measured: bool) {
        let state = &mut self.nodes[node];
        let available = state.on_hand[sku];
        if available == 0 || state.backorders[sku] == 0 {
            return;
        }
        let mut lines = std::mem::take(&mut state.backorder_lines[sku]);
        let classes = &self.model.classes;
        let mut shipped = 0;
        if state.backorders[sku] <= available {
            for &line in &lines {
                self.class_books.book(classes, state, sku, line, now, Ending::Served);
                self.class_books.complete(classes, state, line, now);
                shipped += line.units;
                if let Some(returns) = &mut self.returns {
                    state.balance.returns_drawn += returns.shipped(node, sku, line.class as usize, line.units, now);
                }
            }
            lines.clear();
        } else {
            // Oldest first; lines demanded in the same minute in their
            // arrival order within it (`super::ArrivalOrder`).
            let (arrival, global_sku) = (self.arrival, self.model.nodes[node].skus[sku]);
            // Keys hashed once per line, not once per comparison.
            lines.sort_by_cached_key(|l| (l.since, arrival.key(node, global_sku, l.class as usize, l.since)));
            self.claims.clear();
            self.claims.extend(lines.iter().map(|l| classes[l.class as usize].claim(l.units, l.since)));
            let whole = |k: usize| !classes[lines[k].class as usize].partial_shipment;
            super::grant_lines(self.allocation, now, available, &mut self.claims, whole, &mut self.grants);
            for (line, &granted) in lines.iter_mut().zip(&self.grants) {
                let served = BackorderLine { units: granted, ..*line };
                self.class_books.book(classes, state, sku, served, now, Ending::Served);
                if let Some(returns) = &mut self.returns {
                    state.balance.returns_drawn += returns.shipped(node, sku, line.class as usize, granted, now);
                }
                line.units -= granted;
                shipped += granted;
                if granted > 0 && line.units == 0 {
                    self.class_books.complete(classes, state, *line, now);
                }
            }
        }
        lines.retain(|l| l.units > 0);
        state.backorder_lines[sku] = lines;
        state.on_hand[sku] -= shipped;
        state.backorders[sku] -= shipped;
        state.record_shipped(sku, shipped, measured);
    }

    /// Cancels, at the day start `now`, every backordered line whose
    /// customer's patience has run out.
    pub(super) fn cancel_impatient(&mut self, now: Minute) {
        let classes = &self.model.classes;
        let books = &mut self.class_books;
        for state in &mut self.nodes {
            for sku in 0..state.backorders.len() {
                if state.backorders[sku] == 0 {
                    continue;
                }
                let mut lines = std::mem::take(&mut state.backorder_lines[sku]);
                lines.retain(|line| {
                    let waited_out = now - line.since >= books.patience[line.class as usize];
                    if waited_out {
                        state.backorders[sku] -= line.units;
                        books.book(classes, state, sku, *line, now, Ending::Cancelled);
                    }
                    !waited_out
                });
                state.backorder_lines[sku] = lines;
            }
        }
    }

    /// Books every line still open at `end` (the run's last minute).
    pub(super) fn close_open_backorders(&mut self, end: Minute) {
        let classes = &self.model.classes;
        for state in &mut self.nodes {
            for sku in 0..state.backorder_lines.len() {
                let lines = std::mem::take(&mut state.backorder_lines[sku]);
                for &line in &lines {
                    self.class_books.book(classes, state, sku, line, end, Ending::OpenAtEnd);
                }
                state.backorder_lines[sku] = lines;
            }
        }
    }
}
