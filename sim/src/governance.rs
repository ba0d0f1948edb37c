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
//!   (minutes after midnight) and take at most `approvals_per_day`
//!   decisions a day. While they are at work and today's capacity is not
//!   used up they take waiting decisions at once, best first: at the start
//!   of the working day the decisions that waited overnight, during it each
//!   new one as it arrives.
//! * **Order.** [`ApprovalOrder::Fifo`]: oldest first. With
//!   [`ApprovalOrder::ExceptionPriority`]: highest exception score first
//!   (projected shortage × margin × tier weight, computed by the engine when
//!   the decision is queued), oldest first among equal scores. Equal queue
//!   minutes are broken by arrival order, so the order is total.
//! * **Delay.** A decision taken at minute `m` is released at
//!   `m + d`, `d` drawn from the approval-delay distribution (one draw per
//!   decision taken, in the order taken), but no later than the end of that
//!   working day: a planner finishes what they took before leaving. So no
//!   day releases more approved decisions than `approvals_per_day`.
//! * **Latency.** Decision latency is trigger → release; for a queued
//!   decision that includes its wait and its approval delay.

use crate::distribution::LeadTime;
use crate::time::{Day, MINUTES_PER_DAY, Minute, day_start};

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

/// How the approval queue is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalOrder {
    /// First in, first out.
    Fifo,
    /// Highest exception score first.
    ExceptionPriority,
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
    pub order: ApprovalOrder,
}

impl Governance {
    /// Does a decision worth `value` wait for approval?
    #[inline]
    pub fn needs_approval(&self, value: f64) -> bool {
        value > self.approval_above
    }

    /// The start of day `day`'s working hours.
    pub fn round_minute(&self, day: Day) -> Minute {
        day_start(day) + self.work_start
    }
}

/// A decision waiting for approval.
#[derive(Debug, Clone)]
struct Waiting<T> {
    decision: T,
    queued: Minute,
    score: f64,
    arrival: u64,
}

/// The approval queue and the planners' capacity.
#[derive(Debug, Clone)]
pub struct ApprovalQueue<T> {
    waiting: Vec<Waiting<T>>,
    arrivals: u64,
    /// The day whose capacity `taken` counts.
    day: Day,
    taken: u32,
}

impl<T> Default for ApprovalQueue<T> {
    fn default() -> Self {
        Self { waiting: Vec::new(), arrivals: 0, day: 0, taken: 0 }
    }
}

impl<T> ApprovalQueue<T> {
    /// Queues `decision` at minute `queued` with exception score `score`.
    pub fn push(&mut self, decision: T, queued: Minute, score: f64) {
        self.waiting.push(Waiting { decision, queued, score, arrival: self.arrivals });
        self.arrivals += 1;
    }

    /// Decisions waiting.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Is nothing waiting?
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// The planners at minute `now`: when they are at work, take waiting
    /// decisions best first while today's capacity lasts; each taken
    /// decision is handed to `release` with its release minute, its delay
    /// drawn from `delay`.
    pub fn take(
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
            self.taken = 0;
        }
        let free = (rules.approvals_per_day - self.taken) as usize;
        if free == 0 {
            return;
        }
        self.sort(rules.order);
        let closing = day_start(day) + rules.work_end;
        let count = free.min(self.waiting.len());
        for waiting in self.waiting.drain(..count) {
            release(waiting.decision, (now + delay()).min(closing));
        }
        self.taken += count as u32;
    }

    /// Best first: by score (exception priority only), then queue minute,
    /// then arrival.
    fn sort(&mut self, order: ApprovalOrder) {
        let by_score = order == ApprovalOrder::ExceptionPriority;
        self.waiting.sort_by(|a, b| {
            let score = if by_score { b.score.total_cmp(&a.score) } else { std::cmp::Ordering::Equal };
            score.then(a.queued.cmp(&b.queued)).then(a.arrival.cmp(&b.arrival))
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
            order,
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

    #[test]
    fn an_approval_ends_by_the_close_of_the_working_day() {
        let rules = rules(ApprovalOrder::Fifo);
        let mut queue = ApprovalQueue::default();
        queue.push("late", 0, 0.0);
        // Taken at 16:00 with 3 h to go: released at 17:00.
        assert_eq!(take(&mut queue, &rules, 16 * HOUR, 3 * HOUR), [("late", 17 * HOUR)]);
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
}
