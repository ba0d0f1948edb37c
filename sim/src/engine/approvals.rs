//! Decisions on their way to release: at once, or through the approval
//! queue when the scenario has governance ([`crate::governance`] states
//! the rules).
//!
//! A decision's books are kept when it is made: a purchase order is on
//! order (and counted as ordered) from the decision on, so no strategy
//! orders twice while it waits; a transfer's or expedite's units have left
//! the donor's shelf and count as in transit between nodes. What waits for
//! approval is the release itself: the order reaching its source, the
//! shipment departing. Latency, trigger → release, is recorded per
//! decision kind on the day of release. A decision still unreleased when
//! the run ends — waiting in the queue or in approval — is recorded at the
//! end with latency horizon − trigger, *censored at the horizon* (its true
//! latency is at least that), and counted in `decisions_pending_end` (and,
//! when still waiting for a planner, in `approval_backlog_end`).

use super::Run;
use super::flow::Trip;
use crate::calendar::Event;
use crate::governance::{ApprovalQueue, DecisionKind, Governance, Queued};
use crate::model::Model;
use crate::rng::{self, Stream, StreamKey};
use crate::time::{Day, MINUTES_PER_DAY, Minute};

/// A decision to release.
#[derive(Debug, Clone, Copy)]
pub(super) struct Decision {
    pub kind: DecisionKind,
    pub node: usize,
    pub sku: usize,
    pub units: i64,
    /// When the need for it was first seen.
    pub trigger: Minute,
    /// The shipment of a transfer or expedite (`None`: a purchase order).
    pub shipment: Option<Trip>,
}

/// The approval queue of a run and what it needs.
pub(super) struct Approvals<'m> {
    rules: &'m Governance,
    queue: ApprovalQueue<Decision>,
    /// Approval delays, drawn in the order decisions are taken.
    delays: Stream,
    /// Decisions taken, waiting for their release minute, by ticket…
    taken: Vec<Option<Decision>>,
    /// …and the tickets free for reuse (memory follows the decisions in
    /// flight, not the run's length).
    free: Vec<u32>,
    /// Per node, the tier weight of its exception score: 1 ÷ the best tier
    /// of the classes demanding there (1 at a node without customers).
    tier_weight: Vec<f64>,
    /// Approved decisions released per day (absolute day index).
    pub released_per_day: Vec<u32>,
}

impl<'m> Approvals<'m> {
    /// The approvals of a run of `model`, if it has governance.
    pub fn new(model: &'m Model, seed: u64, replication: u64) -> Option<Self> {
        let rules = model.governance.as_ref()?;
        let tier_weight = (0..model.nodes.len())
            .map(|n| {
                let best = model.demand_of(n).map(|d| model.classes[d.class].tier).min();
                1.0 / f64::from(best.unwrap_or(1))
            })
            .collect();
        Some(Self {
            rules,
            queue: ApprovalQueue::default(),
            delays: rng::stream(seed, replication, StreamKey::approval()),
            taken: Vec::new(),
            free: Vec::new(),
            tier_weight,
            released_per_day: Vec::new(),
        })
    }

    /// The minute the planners start work on `day`.
    pub fn round_minute(&self, day: Day) -> Minute {
        self.rules.round_minute(day)
    }

    /// Every decision not yet released, with whether the planners have
    /// taken it up (it is in approval) or not (it waits in the queue).
    pub fn pending(&self) -> impl Iterator<Item = (&Decision, bool)> {
        let waiting = self.queue.waiting().map(|d| (d, false));
        waiting.chain(self.taken.iter().flatten().map(|d| (d, true)))
    }
}

impl Run<'_> {
    /// Releases `decision` at `now` (in a measured day or not), or queues
    /// it for approval when it is worth more than the governance threshold.
    pub(super) fn decide(&mut self, decision: Decision, now: Minute, measured: bool) {
        let state = &self.nodes[decision.node];
        let value = decision.units as f64 * state.unit_cost[decision.sku];
        let exception = self.approvals.as_ref().is_some_and(|a| a.rules.needs_approval(value));
        if measured {
            let tally = &mut self.nodes[decision.node].tally;
            tally.decisions += 1;
            tally.exceptions += u64::from(exception);
        }
        let state = &self.nodes[decision.node];
        let Some(approvals) = self.approvals.as_mut().filter(|_| exception) else {
            self.send_decision(decision, now, measured);
            return;
        };
        let score = exception_score(self.model, state, decision, approvals.tier_weight[decision.node]);
        if let Some(trip) = decision.shipment.filter(|t| t.internal) {
            self.internal_in_transit += trip.units;
        }
        approvals.queue.push_queued(decision, Queued::new(decision.kind, now, score, value));
        self.take_approvals(now);
    }

    /// The planners take what they can at `now`; each decision taken is
    /// released by an [`Event::Approved`] at its release minute.
    pub(super) fn take_approvals(&mut self, now: Minute) {
        let Some(approvals) = self.approvals.as_mut() else { return };
        let Approvals { rules, queue, delays, taken, free, .. } = approvals;
        let calendar = &mut self.calendar;
        queue.take(
            rules,
            now,
            || rules.delay.sample(delays),
            |decision, at| {
                let ticket = free.pop().unwrap_or_else(|| {
                    taken.push(None);
                    taken.len() as u32 - 1
                });
                taken[ticket as usize] = Some(decision);
                calendar.schedule(at, Event::Approved { ticket });
            },
        );
    }

    /// Releases the approved decision `ticket` at `now`.
    pub(super) fn release_approved(&mut self, ticket: u32, now: Minute) {
        let approvals = self.approvals.as_mut().expect("approvals exist when a decision was approved");
        let decision = approvals.taken[ticket as usize].take().expect("each ticket is released once");
        approvals.free.push(ticket);
        let day = (now / MINUTES_PER_DAY) as usize;
        if approvals.released_per_day.len() <= day {
            approvals.released_per_day.resize(day + 1, 0);
        }
        approvals.released_per_day[day] += 1;
        if let Some(trip) = decision.shipment.filter(|t| t.internal) {
            self.internal_in_transit -= trip.units;
        }
        self.send_decision(decision, now, self.is_measured(day as Day));
    }

    /// Releases `decision` at `now`: records its latency and sends it.
    fn send_decision(&mut self, decision: Decision, now: Minute, measured: bool) {
        if measured {
            self.nodes[decision.node].record_latency(decision.kind, now - decision.trigger.min(now));
        }
        match decision.shipment {
            None => self.send_order(decision.node, decision.sku, decision.units, now, measured),
            Some(trip) => {
                let model = self.model;
                let lane = &model.lanes[trip.lane];
                let lead_time = match (&lane.expedite, trip.expedited) {
                    (Some(mode), true) => &mode.lead_time,
                    _ => &lane.lead_time,
                };
                self.depart(trip, now, lead_time, measured);
            }
        }
    }
}

/// Projected shortage × margin × tier weight of a decision at `state`:
/// the units by which the SKU's mean demand over the node's primary lead
/// time exceeds its net stock (on-hand − backorders − owed), at least 0;
/// the SKU's margin (price − unit cost, at least 0); the node's tier
/// weight.
fn exception_score(model: &Model, state: &super::state::NodeState, decision: Decision, tier_weight: f64) -> f64 {
    let sku = decision.sku;
    let node = &model.nodes[decision.node];
    let lead_time = model.lanes[node.primary_lane()].lead_time.mean_days();
    let net = (state.on_hand[sku] - state.backorders[sku] - state.owed[sku]) as f64;
    let shortage = (state.mean_demand[sku] * lead_time - net).max(0.0);
    let economics = &model.skus[node.skus[sku]];
    shortage * (economics.price - economics.unit_cost).max(0.0) * tier_weight
}
