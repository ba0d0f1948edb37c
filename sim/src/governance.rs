//! Governance: which decisions wait for a planner's approval, and when
//! the planners release them.
//!
//! # Contract
//!
//! * **Decisions.** Three kinds are governed: purchase orders (a
//!   replenishment order, to a supplier or a source location), transfers
//!   and expedites. A decision's *value* is its units × the SKU's unit cost.
//!   A decision worth no more than [`Governance::approval_above`] is
//!   released at once; a dearer one joins the approval queue.
//! * **Planners.** They work every day from `work_start` to `work_end`
//!   (minutes after midnight). While they are at work and today's capacity
//!   is not used up they take waiting decisions at once, best first: at the
//!   start of the working day the decisions that waited overnight, during
//!   it each new one as it arrives.
//! * **Order.** An [`ApprovalOrdering`] compares waiting decisions (one
//!   dynamic call per comparison, when the planners take decisions — never
//!   per SKU-day). The bundled ones are [`ApprovalOrder`]:
//!   [`ApprovalOrder::Fifo`], oldest first; with
//!   [`ApprovalOrder::ExceptionPriority`], highest exception score first
//!   (projected shortage × margin × tier weight, computed by the engine when
//!   the decision is queued), oldest first among equal scores. An embedding
//!   program may plug in its own (`Registry::register_approval_order` in
//!   `echelon-strategies`; `queue: Custom(name: …, params: …)` in a
//!   scenario). Whatever the ordering, decisions it ranks equal are taken
//!   oldest first, then in arrival order, so the order is total.
//! * **Delay.** A decision taken at minute `m` needs `d` minutes of
//!   *working time*, `d` drawn from the approval-delay distribution (one
//!   draw per decision taken, in the order taken). Working time runs only
//!   during working hours: when `d` is longer than what is left of the
//!   working day, the rest carries over to the next working day(s), from
//!   `work_start` on. So a 16-hour approval taken at 8:00 with hours
//!   8:00–17:00 is released at 15:00 the next day; one that ends exactly at
//!   `work_end` is released then, not the next morning.
//! * **Capacity.** `approvals_per_day` counts, for each working day, the
//!   decisions the planners work on that day: those taken up that day and
//!   those taken earlier and still in approval (their approval carries
//!   into it). A decision whose approval spans days therefore uses a
//!   place on each of them — the planner who is still working on it
//!   takes one new decision fewer. Hence no day takes up more than
//!   `approvals_per_day` decisions, and no day releases more than
//!   `approvals_per_day`: every decision released on a day was worked on
//!   that day.
//! * **Latency.** Decision latency is trigger → release; for a queued
//!   decision that includes its wait and its approval delay. A decision
//!   not yet released when the run ends (still queued, or in approval) is
//!   counted by the engine as *censored at the horizon* (see
//!   `crate::engine`).

use crate::distribution::LeadTime;
use crate::time::{Day, MINUTES_PER_DAY, Minute, day_start};
use std::cmp::Ordering;
use std::sync::Arc;

/// What a governed decision is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionKind {
    /// A replenishment order.
    PurchaseOrder = 0,
    /// A lateral transfer.
    Transfer = 1,
    /// An expedite.
    Expedite = 2,
}

/// A waiting decision as an [`ApprovalOrdering`] sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Queued {
    /// What it is.
    pub kind: DecisionKind,
    /// When it joined the queue (minute).
    pub queued: Minute,
    /// Its exception score (projected shortage × margin × tier weight).
    pub score: f64,
    /// Its value: units × the SKU's unit cost.
    pub value: f64,
}

impl Queued {
    /// A waiting decision's figures (for tests and orderings of other
    /// crates).
    pub fn new(kind: DecisionKind, queued: Minute, score: f64, value: f64) -> Self {
        Self { kind, queued, score, value }
    }
}

/// The order in which planners take waiting decisions.
///
/// `compare(a, b)` is `Less` when `a` is to be taken before `b`. It must
/// be a consistent total preorder (as for `slice::sort_by`) and a pure
/// function of what it sees (no hidden randomness: common random numbers
/// and byte-identical results depend on it). Decisions it ranks `Equal`
/// are taken oldest first, then in arrival order.
pub trait ApprovalOrdering: Send + Sync + std::fmt::Debug {
    /// How `a` ranks against `b`.
    fn compare(&self, a: &Queued, b: &Queued) -> Ordering;
}

/// The bundled approval orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalOrder {
    /// First in, first out.
    Fifo,
    /// Highest exception score first.
    ExceptionPriority,
}

impl ApprovalOrdering for ApprovalOrder {
    fn compare(&self, a: &Queued, b: &Queued) -> Ordering {
        match self {
            Self::Fifo => Ordering::Equal,
            Self::ExceptionPriority => b.score.total_cmp(&a.score),
        }
    }
}

/// The approval rules of a scenario.
#[derive(Debug, Clone)]
pub struct Governance {
    /// Decisions worth more than this (currency) wait for approval.
    pub approval_above: f64,
    /// Decisions the planners take per day (≥ 1).
    pub approvals_per_day: u32,
    /// Start of the working day, minutes after midnight.
    pub work_start: Minute,
    /// End of the working day, minutes after midnight (> `work_start`).
    pub work_end: Minute,
    /// Time a planner takes to approve a decision (samples in minutes).
    pub delay: LeadTime,
    /// Queue order.
    pub order: Arc<dyn ApprovalOrdering>,
}

impl Governance {
    /// Does a decision worth `value` wait for approval?
    #[inline]
    pub(crate) fn needs_approval(&self, value: f64) -> bool {
        value > self.approval_above
    }

    /// The start of day `day`'s working hours.
    pub(crate) fn round_minute(&self, day: Day) -> Minute {
        day_start(day) + self.work_start
    }
}

/// A decision waiting for approval.
#[derive(Debug, Clone)]
struct Waiting<T> {
    decision: T,
    seen: Queued,
    arrival: u64,
}

/// The approval queue and the planners' capacity.
#[derive(Debug, Clone)]
pub(crate) struct ApprovalQueue<T> {
    waiting: Vec<Waiting<T>>,
    arrivals: u64,
    /// The day whose capacity `taken` counts.
    day: Day,
    /// Places of `day`'s capacity used: decisions taken up that day and
    /// decisions carried into it.
    taken: u32,
    /// The release day of every decision whose approval carries past the
    /// day it was taken up, until that day is over (places they hold on
    /// the days after).
    carried: Vec<Day>,
}

impl<T> Default for ApprovalQueue<T> {
    fn default() -> Self {
        Self { waiting: Vec::new(), arrivals: 0, day: 0, taken: 0, carried: Vec::new() }
    }
}

impl Governance {
    /// The release minute of a decision taken at `taken` (during working
    /// hours) that needs `delay` minutes of working time, and the working
    /// day it is released on: the delay runs to the end of the working
    /// day, and what is left of it carries over to the next working days.
    pub(crate) fn release_after(&self, taken: Minute, delay: Minute) -> (Minute, Day) {
        let day = taken / MINUTES_PER_DAY;
        let closing = day * MINUTES_PER_DAY + self.work_end;
        let left_today = closing.saturating_sub(taken);
        if delay <= left_today {
            return (taken + delay, day_index(day));
        }
        let span = self.work_end - self.work_start;
        let rest = delay - left_today;
        // `rest` > 0 ends `offset` ∈ (0, span] into working day `day + 1 + full`.
        let full = (rest - 1) / span;
        let (release_day, offset) = (day + 1 + full, rest - full * span);
        (release_day.saturating_mul(MINUTES_PER_DAY).saturating_add(self.work_start + offset), day_index(release_day))
    }
}

/// A day count as a [`Day`], saturating (a release that far away is never
/// reached by a run).
fn day_index(day: u64) -> Day {
    Day::try_from(day).unwrap_or(Day::MAX)
}

impl<T> ApprovalQueue<T> {
    /// Queues `decision` at minute `queued` with exception score `score`
    /// (a purchase order of value 0, as far as the ordering sees; for the
    /// tests).
    #[cfg(test)]
    fn push(&mut self, decision: T, queued: Minute, score: f64) {
        self.push_queued(decision, Queued::new(DecisionKind::PurchaseOrder, queued, score, 0.0));
    }

    /// Queues `decision` with what the ordering sees of it.
    pub(crate) fn push_queued(&mut self, decision: T, seen: Queued) {
        self.waiting.push(Waiting { decision, seen, arrival: self.arrivals });
        self.arrivals += 1;
    }

    /// Decisions waiting (for the tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Is nothing waiting? (For the tests.)
    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// The planners at minute `now`: when they are at work, take waiting
    /// decisions best first while today's capacity lasts; each taken
    /// decision is handed to `release` with its release minute, its delay
    /// drawn from `delay`.
    pub(crate) fn take(
        &mut self,
        rules: &Governance,
        now: Minute,
        mut delay: impl FnMut() -> Minute,
        mut release: impl FnMut(T, Minute),
    ) {
        let day = (now / MINUTES_PER_DAY) as Day;
        let clock = now % MINUTES_PER_DAY;
        if clock < rules.work_start || clock >= rules.work_end || self.waiting.is_empty() {
            return;
        }
        if self.day != day {
            self.day = day;
            self.carried.retain(|&last| last >= day);
            self.taken = self.carried.len() as u32;
        }
        let free = rules.approvals_per_day.saturating_sub(self.taken) as usize;
        if free == 0 {
            return;
        }
        self.sort(&*rules.order);
        let count = free.min(self.waiting.len());
        for waiting in self.waiting.drain(..count) {
            let (at, last) = rules.release_after(now, delay());
            if last > day {
                self.carried.push(last);
            }
            release(waiting.decision, at);
        }
        self.taken += count as u32;
    }

    /// The decisions still waiting to be taken up, in no particular order.
    pub fn waiting(&self) -> impl Iterator<Item = &T> {
        self.waiting.iter().map(|w| &w.decision)
    }

    /// Best first: by `order`, then queue minute, then arrival.
    fn sort(&mut self, order: &dyn ApprovalOrdering) {
        self.waiting.sort_by(|a, b| {
            order.compare(&a.seen, &b.seen).then(a.seen.queued.cmp(&b.seen.queued)).then(a.arrival.cmp(&b.arrival))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Minute = 60;

    fn rules(order: ApprovalOrder) -> Governance {
        Governance {
            approval_above: 100.0,
            approvals_per_day: 2,
            work_start: 8 * HOUR,
            work_end: 17 * HOUR,
            delay: LeadTime::Constant(2 * HOUR),
            order: Arc::new(order),
        }
    }

    fn take(
        queue: &mut ApprovalQueue<&'static str>,
        rules: &Governance,
        now: Minute,
        delay: Minute,
    ) -> Vec<(&'static str, Minute)> {
        let mut released = Vec::new();
        queue.take(rules, now, || delay, |d, at| released.push((d, at)));
        released
    }

    /// By hand, planners 8:00–17:00, 2 a day, 2 h each:
    /// * a, b, c queued at the end of day 0 (minute 1440); day 1 at 8:00
    ///   (1920) takes a and b, released at 10:00 (2040); c waits;
    /// * day 2 at 8:00 (3360) takes c (3480); d queued at 12:00 (3600) is
    ///   taken at once (3720); e at 13:00 finds the day's capacity used and
    ///   waits for day 3 (4800 + 120);
    /// * outside working hours nothing is taken.
    #[test]
    fn the_hand_worked_approval_timeline() {
        let rules = rules(ApprovalOrder::Fifo);
        let mut queue = ApprovalQueue::default();
        for name in ["a", "b", "c"] {
            queue.push(name, 1440, 0.0);
        }
        assert!(take(&mut queue, &rules, 1440, 120).is_empty(), "midnight: nobody at work");
        assert_eq!(take(&mut queue, &rules, 1920, 120), [("a", 2040), ("b", 2040)]);
        assert!(take(&mut queue, &rules, 2000, 120).is_empty(), "day 1's capacity is used");
        assert_eq!(take(&mut queue, &rules, 3360, 120), [("c", 3480)]);
        queue.push("d", 3600, 0.0);
        assert_eq!(take(&mut queue, &rules, 3600, 120), [("d", 3720)]);
        queue.push("e", 3660, 0.0);
        assert!(take(&mut queue, &rules, 3660, 120).is_empty());
        assert_eq!(take(&mut queue, &rules, 4800, 120), [("e", 4920)]);
        assert!(queue.is_empty());
    }

    /// By hand, planners 8:00–17:00 (9 working hours a day), a decision
    /// taken at 8:00 of day 0 (minute 480):
    /// * 9 h fill the day: 17:00 (1020), not the next morning;
    /// * 16 h: 9 on day 0, 7 on day 1 → 15:00 of day 1 (1440 + 900 = 2340);
    /// * 18 h: ends exactly at 17:00 of day 1 (2460);
    /// * 40 h: 9 × 4 on days 0–3, 4 on day 4 → 12:00 of day 4 (6480);
    /// * 100 h: 9 × 11 on days 0–10, 1 on day 11 → 9:00 of day 11 (16380).
    ///
    /// (Cut at 17:00, all of them gave 1020.) Taken at 16:00 with 3 h to
    /// go: 1 h today, 2 h from 8:00 of day 1 → 10:00 of day 1 (2040).
    #[test]
    fn an_approval_longer_than_the_working_day_carries_over() {
        let rules = rules(ApprovalOrder::Fifo);
        let from_eight = |hours: Minute| rules.release_after(8 * HOUR, hours * HOUR);
        assert_eq!(from_eight(9), (1020, 0));
        assert_eq!(from_eight(16), (2340, 1));
        assert_eq!(from_eight(18), (2460, 1));
        assert_eq!(from_eight(40), (6480, 4));
        assert_eq!(from_eight(100), (16380, 11));
        assert_eq!(rules.release_after(16 * HOUR, 3 * HOUR), (2040, 1));
        // Through the queue: taken at 16:00, released at 10:00 the next day.
        let mut queue = ApprovalQueue::default();
        queue.push("late", 0, 0.0);
        assert_eq!(take(&mut queue, &rules, 16 * HOUR, 3 * HOUR), [("late", 2040)]);
    }

    /// By hand, capacity 2 a day, 8:00–17:00: a, b, c, d waiting on day 0.
    /// At 8:00 of day 0 the planners take a (12 h: released at 11:00 of
    /// day one) and b (1 h: 9:00 of day 0). Day 1 at 8:00: a still holds
    /// one of day 1's two places, so only c is taken (1 h: 9:00 of day 1).
    /// Day 2 takes d. Day 1 releases a and c: two, the capacity.
    #[test]
    fn an_approval_carried_over_holds_a_place_on_each_day_it_spans() {
        let rules = rules(ApprovalOrder::Fifo);
        let mut queue = ApprovalQueue::default();
        for name in ["a", "b", "c", "d"] {
            queue.push(name, 0, 0.0);
        }
        let mut delays = [12 * HOUR, HOUR].into_iter();
        let mut released = Vec::new();
        queue.take(&rules, 8 * HOUR, || delays.next().unwrap(), |d, at| released.push((d, at)));
        assert_eq!(released, [("a", 1440 + 11 * HOUR), ("b", 9 * HOUR)]);
        assert_eq!(take(&mut queue, &rules, 1440 + 8 * HOUR, HOUR), [("c", 1440 + 9 * HOUR)]);
        assert!(take(&mut queue, &rules, 1440 + 12 * HOUR, HOUR).is_empty(), "day 1 is full");
        assert_eq!(take(&mut queue, &rules, 2880 + 8 * HOUR, HOUR), [("d", 2880 + 9 * HOUR)]);
    }

    #[test]
    fn exception_priority_takes_the_highest_score_first_then_the_oldest() {
        let rules = rules(ApprovalOrder::ExceptionPriority);
        let mut queue = ApprovalQueue::default();
        queue.push("old-low", 10, 1.0);
        queue.push("new-high", 30, 9.0);
        queue.push("old-high", 20, 9.0);
        let order: Vec<_> = take(&mut queue, &rules, 8 * HOUR, 0).into_iter().map(|(d, _)| d).collect();
        assert_eq!(order, ["old-high", "new-high"]);
        let fifo = self::rules(ApprovalOrder::Fifo);
        let mut queue = ApprovalQueue::default();
        queue.push("old-low", 10, 1.0);
        queue.push("new-high", 30, 9.0);
        let order: Vec<_> = take(&mut queue, &fifo, 8 * HOUR, 0).into_iter().map(|(d, _)| d).collect();
        assert_eq!(order, ["old-low", "new-high"]);
    }

    /// A plugged-in ordering: dearest decision first, expedites before
    /// anything else. Equal ranks fall back to the oldest, then arrival.
    #[derive(Debug)]
    struct ExpeditesThenDearest;

    impl ApprovalOrdering for ExpeditesThenDearest {
        fn compare(&self, a: &Queued, b: &Queued) -> Ordering {
            let expedite = |q: &Queued| q.kind != DecisionKind::Expedite;
            expedite(a).cmp(&expedite(b)).then(b.value.total_cmp(&a.value))
        }
    }

    #[test]
    fn a_plugged_in_ordering_ranks_the_queue_and_ties_stay_oldest_first() {
        let mut rules = rules(ApprovalOrder::Fifo);
        rules.order = Arc::new(ExpeditesThenDearest);
        rules.approvals_per_day = 5;
        let mut queue = ApprovalQueue::default();
        queue.push_queued("cheap-po", Queued::new(DecisionKind::PurchaseOrder, 10, 0.0, 100.0));
        queue.push_queued("dear-po", Queued::new(DecisionKind::PurchaseOrder, 20, 0.0, 900.0));
        queue.push_queued("cheap-expedite", Queued::new(DecisionKind::Expedite, 30, 0.0, 50.0));
        queue.push_queued("late-tie", Queued::new(DecisionKind::PurchaseOrder, 40, 0.0, 100.0));
        queue.push_queued("transfer", Queued::new(DecisionKind::Transfer, 5, 0.0, 500.0));
        let order: Vec<_> = take(&mut queue, &rules, 8 * HOUR, 0).into_iter().map(|(d, _)| d).collect();
        assert_eq!(order, ["cheap-expedite", "dear-po", "transfer", "cheap-po", "late-tie"]);
    }

    #[test]
    fn no_day_takes_more_than_the_capacity() {
        let rules = rules(ApprovalOrder::Fifo);
        let mut queue = ApprovalQueue::default();
        let mut per_day = [0u32; 40];
        for day in 0..40u32 {
            for k in 0..5 {
                queue.push(k, day_start(day) + k, 0.0);
            }
            for hour in 0..24 {
                queue.take(
                    &rules,
                    day_start(day) + hour * HOUR,
                    || 30,
                    |_, at| per_day[(at / MINUTES_PER_DAY) as usize] += 1,
                );
            }
        }
        assert!(per_day.iter().all(|&n| n == rules.approvals_per_day), "{per_day:?}");
        assert_eq!(queue.len(), 40 * 3);
    }

    /// Delays of 1 to 30 working hours, a queue that never empties: every
    /// day's places are all held (taken up that day or carried into it),
    /// never more; so no day takes up more than the capacity and no day
    /// releases more.
    #[test]
    fn no_day_releases_more_than_the_capacity_when_approvals_span_days() {
        let rules = rules(ApprovalOrder::Fifo);
        let mut queue = ApprovalQueue::default();
        let (mut taken, mut released, mut held) = ([0u32; 200], [0u32; 200], [0u32; 200]);
        let mut draw = 0u64;
        for day in 0..150u32 {
            for k in 0..3 {
                queue.push(k, day_start(day) + k, 0.0);
            }
            for hour in 0..24 {
                let now = day_start(day) + hour * HOUR;
                queue.take(
                    &rules,
                    now,
                    || {
                        draw += 1;
                        (draw * 7 % 30 + 1) * HOUR
                    },
                    |_, at| {
                        let last = (at / MINUTES_PER_DAY) as usize;
                        taken[day as usize] += 1;
                        released[last] += 1;
                        held[day as usize..=last].iter_mut().for_each(|n| *n += 1);
                    },
                );
            }
        }
        assert!(taken.iter().all(|&n| n <= rules.approvals_per_day), "{taken:?}");
        assert!(released.iter().all(|&n| n <= rules.approvals_per_day), "{released:?}");
        assert!(held[..150].iter().all(|&n| n == rules.approvals_per_day), "{held:?}");
    }
}
