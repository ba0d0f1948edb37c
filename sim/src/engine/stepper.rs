//! One run advanced a day at a time, with chosen locations' orders given
//! from outside (what a reinforcement-learning environment drives).
//!
//! # Contract
//!
//! A [`Stepper`] is the run [`simulate`](super::simulate) would make of the
//! same model, replication and policies, with the replenishment strategy
//! of each *controlled* location wrapped in an external one, and the
//! calendar paused after every day end.
//!
//! * **A step is one simulated day.** [`Stepper::step`] runs day `t`
//!   ([`Stepper::day`]) whole: the events from its start (receipts,
//!   demand) to its end (the end-of-day sweep of the engine's daily cycle),
//!   then pauses. Pausing changes nothing: the calendar resumes where it
//!   stopped, and every random number still comes from the run's streams
//!   ([`crate::rng`]), derived from (model seed, replication) exactly as
//!   the command line's run of that replication.
//! * **When an action applies.** The action given to the step of day `t`
//!   is the controlled locations' decision at their end-of-day review of
//!   day `t` — the moment a scenario strategy would decide, after the
//!   day's demand and after the location has shipped what it owes the
//!   locations it feeds; the orders pass governance and are released as
//!   any strategy's. The location reviews every day while the agent
//!   decides. Per controlled SKU-location, the action is (see
//!   [`ActionMode`]):
//!   * `OrderUpTo`: a level `S`; the order is `max(0, S − IP)` with `IP`
//!     the location's inventory position as its strategy would see it at
//!     that review (on-hand − backorders − owed + on-order; stale by the
//!     scenario's visibility delay, if any). The reorder point while the
//!     agent decides is `S − 1`, so decision latencies are timed as for a
//!     base-stock strategy with that level.
//!   * `OrderQuantity`: the units to order, `max(0, q)`. There is no
//!     reorder point (no trigger is ever observed), so an order's simulated
//!     latency is its wait for approval only.
//!
//!   The engine then applies the SKU's order rules (minimum order, case
//!   pack, maximum: [`crate::model::OrderRules`]) as it does to every
//!   policy's orders, so a SKU without rules is ordered as given. Other
//!   locations keep their scenario strategies.
//! * **Delegated days.** [`Stepper::step_delegated`] runs a day with the
//!   controlled locations deciding by their scenario strategies (their
//!   review schedule, reorder points and fallbacks), and
//!   [`Stepper::warm_up`] runs the warm-up days that way: the agent takes
//!   over a network in the state its scenario strategies bring it to. The
//!   scenario strategy also sets a controlled location's starting stock,
//!   and keeps observing demand while the agent decides (a forecaster
//!   stays current).
//! * **The observation** ([`Observation`]) is read after the day end, per
//!   controlled SKU-location in control order then local SKU order, from
//!   the location's current figures (never stale): on-hand, backorders
//!   (customers' plus units owed to the locations it feeds), on order,
//!   inventory position, the units demanded that day (its customers' and
//!   the orders of the locations it feeds), and the next day to simulate.
//! * **The day's outcome** ([`DayOutcome`]) is the network's sums of the
//!   day just run, counted as the run's metrics count them
//!   ([`crate::metrics`]): zero on warm-up days, and summing over the
//!   measured days to the run's totals (network `total_cost` × measured
//!   days, up to late penalties of backorders still open at the horizon,
//!   booked when the run finishes).
//! * **Parity.** Stepping the whole horizon with, at every location, the
//!   actions its scenario strategy would have taken gives the same run as
//!   [`simulate`](super::simulate): the same [`RunOutput`] (the wall-clock
//!   `decision_ns` apart). Tests: `tests/stepper.rs`.
//!
//! Ordinary runs pay nothing for this: the only change to the engine is
//! that its event loop can stop after a given day end (one comparison per
//! day).

use super::{Policies, Run, RunOutput};
use crate::metrics::Tally;
use crate::model::Model;
use crate::strategy::{Capabilities, NodeView, Replenishment, Review};
use crate::time::Day;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// What an action means, per controlled SKU-location (module contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionMode {
    /// The action is an order-up-to level `S`: order `max(0, S − IP)`.
    OrderUpTo,
    /// The action is the order quantity itself (negative: none).
    OrderQuantity,
}

/// The controlled SKU-locations after a day end, one entry per
/// SKU-location in control order, then local SKU order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observation {
    /// The next day to simulate: the day whose review the next action
    /// decides (the horizon once the run is over).
    pub day: Day,
    /// On-hand units.
    pub on_hand: Vec<i64>,
    /// Units owed: customer backorders plus units owed to the locations fed.
    pub backorders: Vec<i64>,
    /// Units ordered and not yet received (in transit, at a supplier, or
    /// owed by the source location).
    pub on_order: Vec<i64>,
    /// Inventory position: on-hand − backorders + on order.
    pub position: Vec<i64>,
    /// Units demanded on the day just run (customers and fed locations'
    /// orders); 0 before the first day.
    pub demand: Vec<i64>,
}

/// The network's sums of one day (zero on a warm-up day), as the run's
/// metrics count them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DayOutcome {
    /// The day.
    pub day: Day,
    /// Is it a measured day (past the warm-up)?
    pub measured: bool,
    /// Units customers demanded.
    pub demand: i64,
    /// Of those, units served from stock when demanded.
    pub served_from_stock: i64,
    /// Units lost (lost-sales classes).
    pub lost: i64,
    /// On-hand at day end, all SKU-locations.
    pub on_hand_end: i64,
    /// Customer backorders at day end.
    pub backorders_end: i64,
    /// Orders with a positive quantity placed, all locations.
    pub orders: u64,
    /// Units ordered, all locations.
    pub ordered_units: i64,
    /// Holding cost of the day.
    pub holding_cost: f64,
    /// Ordering cost.
    pub ordering_cost: f64,
    /// Transport cost.
    pub transport_cost: f64,
    /// Shortage cost (backorder and lost-sale penalties, late penalties).
    pub shortage_cost: f64,
    /// Expedite premiums.
    pub expedite_cost: f64,
    /// Transfer cost.
    pub transfer_cost: f64,
    /// Cost of units lost in transit.
    pub lost_in_transit_cost: f64,
    /// Storage beyond capacity (the scorecard's overflow cost).
    pub overflow_cost: f64,
    /// Returned units scrapped.
    pub scrap_cost: f64,
    /// Margin given up on substituted units.
    pub substitution_cost: f64,
    /// The sum of the ten costs above (the metric `total_cost`'s day).
    pub total_cost: f64,
}

impl DayOutcome {
    /// The day's sums: `now` − `before` (network tallies).
    fn between(day: Day, measured: bool, before: &Tally, now: &Tally) -> Self {
        let mut outcome = Self {
            day,
            measured,
            demand: now.demand - before.demand,
            served_from_stock: now.served_from_stock - before.served_from_stock,
            lost: now.lost - before.lost,
            on_hand_end: now.on_hand_end - before.on_hand_end,
            backorders_end: now.backorders_end - before.backorders_end,
            orders: now.orders - before.orders,
            ordered_units: now.ordered_units - before.ordered_units,
            holding_cost: now.holding_cost - before.holding_cost,
            ordering_cost: now.ordering_cost - before.ordering_cost,
            transport_cost: now.transport_cost - before.transport_cost,
            shortage_cost: now.shortage_cost - before.shortage_cost,
            expedite_cost: now.expedite_cost - before.expedite_cost,
            transfer_cost: now.transfer_cost - before.transfer_cost,
            lost_in_transit_cost: now.lost_in_transit_cost - before.lost_in_transit_cost,
            overflow_cost: now.overflow_cost - before.overflow_cost,
            scrap_cost: now.scrap_cost - before.scrap_cost,
            substitution_cost: now.substitution_cost - before.substitution_cost,
            total_cost: 0.0,
        };
        outcome.total_cost = outcome.holding_cost
            + outcome.ordering_cost
            + outcome.transport_cost
            + outcome.shortage_cost
            + outcome.expedite_cost
            + outcome.transfer_cost
            + outcome.lost_in_transit_cost
            + outcome.overflow_cost
            + outcome.scrap_cost
            + outcome.substitution_cost;
        outcome
    }
}

/// Where the stepper leaves a controlled location's actions for its
/// strategy to take up at the day end.
#[derive(Debug, Default)]
struct Desk {
    /// Do the location's scenario strategies decide (no action)?
    delegate: AtomicBool,
    /// The actions of the next step, per local SKU.
    actions: Mutex<Vec<i64>>,
}

/// A controlled location's strategy: the agent's actions, or its scenario
/// strategy on delegated days.
struct External<'m> {
    inner: Box<dyn Replenishment + 'm>,
    inner_observes: bool,
    mode: ActionMode,
    desk: Arc<Desk>,
    /// The actions in force (taken from the desk at the day end).
    actions: Vec<i64>,
    /// Reorder points while the agent decides.
    reorder_points: Vec<i64>,
}

impl External<'_> {
    #[inline]
    fn delegating(&self) -> bool {
        self.desk.delegate.load(Ordering::Relaxed)
    }

    #[inline]
    fn agent_order(&self, sku: usize, inventory_position: i64) -> i64 {
        match self.mode {
            ActionMode::OrderUpTo => (self.actions[sku] - inventory_position).max(0),
            ActionMode::OrderQuantity => self.actions[sku].max(0),
        }
    }
}

impl Replenishment for External<'_> {
    fn review(&self) -> Review {
        if self.delegating() { self.inner.review() } else { Review::Periodic { period_days: 1, offset_days: 0 } }
    }

    fn reorder_points(&self) -> &[i64] {
        if self.delegating() { self.inner.reorder_points() } else { &self.reorder_points }
    }

    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.inner.initial_on_hand(sku)
    }

    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64 {
        if self.delegating() {
            self.inner.order_quantity(sku, inventory_position)
        } else {
            self.agent_order(sku, inventory_position)
        }
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities().with_observes_demand()
    }

    /// Called at every day end before the review: the inner strategy
    /// learns the day's demand; the day's actions are taken up.
    fn observe(&mut self, view: &NodeView<'_>) {
        if self.inner_observes {
            self.inner.observe(view);
        }
        if !self.delegating() {
            let actions = self.desk.actions.lock().unwrap_or_else(PoisonError::into_inner);
            self.actions.copy_from_slice(&actions);
            for (point, &action) in self.reorder_points.iter_mut().zip(actions.iter()) {
                *point = match self.mode {
                    ActionMode::OrderUpTo => action.saturating_sub(1),
                    ActionMode::OrderQuantity => i64::MIN,
                };
            }
        }
    }

    fn on_fallback(&self) -> bool {
        self.delegating() && self.inner.on_fallback()
    }

    /// The inner strategy's forecasts while it decides (a delegated day,
    /// or an uncontrolled location), so a stepped run scores forecasts as
    /// `simulate` does; none on the agent's days (the agent does not
    /// forecast).
    fn forecasts(&self) -> Option<&[f64]> {
        if self.delegating() { self.inner.forecasts() } else { None }
    }

    fn decide(&mut self, view: &NodeView<'_>, orders: &mut [i64]) {
        if self.delegating() {
            self.inner.decide(view, orders);
        } else {
            for (sku, order) in orders.iter_mut().enumerate() {
                *order = self.agent_order(sku, view.inventory_position(sku));
            }
        }
    }
}

/// One run, advanced a day at a time (module contract).
pub struct Stepper<'m> {
    run: Run<'m>,
    mode: ActionMode,
    /// The controlled nodes, in control order.
    controlled: Vec<usize>,
    /// Controlled node `k`'s SKU-locations are `offsets[k]..offsets[k + 1]`
    /// of an action or observation.
    offsets: Vec<usize>,
    desks: Vec<Arc<Desk>>,
    next_day: Day,
    observation: Observation,
    outcome: DayOutcome,
    /// The network's tally after the last day run.
    totals: Tally,
}

impl<'m> Stepper<'m> {
    /// A run of replication `replication` of `model` under `policies`,
    /// before its first day, with the nodes `controlled` (model indices, in
    /// the order of actions and observations) decided by actions of `mode`.
    ///
    /// # Panics
    ///
    /// When a controlled index is not a node of `model` or is listed twice,
    /// or `policies` has not one strategy per node (the caller validates
    /// names first).
    pub fn new(
        model: &'m Model,
        replication: u32,
        mut policies: Policies<'m>,
        controlled: &[usize],
        mode: ActionMode,
    ) -> Self {
        assert_eq!(policies.replenishment.len(), model.nodes.len(), "one strategy per stocking node");
        let mut offsets = vec![0];
        let mut desks = Vec::with_capacity(controlled.len());
        let mut strategies: Vec<Option<Box<dyn Replenishment + 'm>>> =
            policies.replenishment.drain(..).map(Some).collect();
        for &node in controlled {
            assert!(node < model.nodes.len(), "controlled node {node} is not a node of the model");
            let inner = strategies[node].take().unwrap_or_else(|| panic!("node {node} is controlled twice"));
            let skus = model.nodes[node].skus.len();
            offsets.push(offsets.last().copied().unwrap_or(0) + skus);
            let desk = Arc::new(Desk { delegate: AtomicBool::new(true), actions: Mutex::new(vec![0; skus]) });
            desks.push(desk.clone());
            let external = External {
                inner_observes: inner.capabilities().observes_demand,
                inner,
                mode,
                desk,
                actions: vec![0; skus],
                reorder_points: vec![i64::MIN; skus],
            };
            strategies[node] = Some(Box::new(external));
        }
        policies.replenishment = strategies.into_iter().map(|s| s.expect("every node has its strategy")).collect();
        let mut run = Run::new(model, replication, policies);
        run.begin();
        let total = offsets.last().copied().unwrap_or(0);
        let mut stepper = Self {
            run,
            mode,
            controlled: controlled.to_vec(),
            offsets,
            desks,
            next_day: 0,
            observation: Observation {
                day: 0,
                on_hand: vec![0; total],
                backorders: vec![0; total],
                on_order: vec![0; total],
                position: vec![0; total],
                demand: vec![0; total],
            },
            outcome: DayOutcome::default(),
            totals: Tally::default(),
        };
        stepper.observe();
        stepper.observation.demand.fill(0);
        stepper
    }

    /// The action mode.
    pub fn mode(&self) -> ActionMode {
        self.mode
    }

    /// The controlled nodes, in control order.
    pub fn controlled(&self) -> &[usize] {
        &self.controlled
    }

    /// Controlled node `k` (in control order) has the SKU-locations
    /// `range(k)` of an action or observation.
    pub fn range(&self, k: usize) -> std::ops::Range<usize> {
        self.offsets[k]..self.offsets[k + 1]
    }

    /// Controlled SKU-locations: the length of an action.
    pub fn action_len(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// The next day to simulate (the horizon when done).
    pub fn day(&self) -> Day {
        self.next_day
    }

    /// The model's warm-up days ([`warm_up`](Self::warm_up) runs them).
    pub fn warmup_days(&self) -> Day {
        self.run.model.experiment.warmup_days
    }

    /// Has the last day of the horizon been run?
    pub fn is_done(&self) -> bool {
        self.next_day >= self.run.model.experiment.horizon_days
    }

    /// The controlled SKU-locations after the last day run (before day 0:
    /// the starting stock).
    pub fn observation(&self) -> &Observation {
        &self.observation
    }

    /// The network's sums of the last day run.
    pub fn outcome(&self) -> &DayOutcome {
        &self.outcome
    }

    /// Runs the next day with `actions` (one per controlled SKU-location,
    /// meaning per [`ActionMode`]) as the controlled locations' decisions at
    /// its end; returns the day's outcome.
    ///
    /// # Panics
    ///
    /// When the run is done or `actions` has not [`action_len`](Self::action_len) entries.
    pub fn step(&mut self, actions: &[i64]) -> &DayOutcome {
        assert_eq!(actions.len(), self.action_len(), "one action per controlled SKU-location");
        for (k, desk) in self.desks.iter().enumerate() {
            let range = self.offsets[k]..self.offsets[k + 1];
            desk.actions.lock().unwrap_or_else(PoisonError::into_inner).copy_from_slice(&actions[range]);
            desk.delegate.store(false, Ordering::Relaxed);
        }
        self.advance()
    }

    /// Runs the next day with the controlled locations deciding by their
    /// scenario strategies; returns the day's outcome.
    ///
    /// # Panics
    ///
    /// When the run is done.
    pub fn step_delegated(&mut self) -> &DayOutcome {
        for desk in &self.desks {
            desk.delegate.store(true, Ordering::Relaxed);
        }
        self.advance()
    }

    /// Runs the warm-up days (those not yet run) with the scenario
    /// strategies deciding.
    pub fn warm_up(&mut self) {
        while self.next_day < self.run.model.experiment.warmup_days {
            self.step_delegated();
        }
    }

    /// The run's output, once every day has been run ([`is_done`](Self::is_done));
    /// `None` before.
    pub fn finish(self) -> Option<RunOutput> {
        self.is_done().then(|| self.run.finish().0)
    }

    fn advance(&mut self) -> &DayOutcome {
        assert!(!self.is_done(), "the run is over: its horizon has been simulated");
        let day = self.next_day;
        self.run.advance_through(day);
        self.next_day = day + 1;
        let mut totals = Tally::default();
        for state in &self.run.nodes {
            totals.absorb(&state.tally, state.serves_customers);
        }
        self.outcome = DayOutcome::between(day, self.run.is_measured(day), &self.totals, &totals);
        self.totals = totals;
        self.observe();
        &self.outcome
    }

    /// Reads the controlled locations' figures into the observation.
    fn observe(&mut self) {
        let o = &mut self.observation;
        o.day = self.next_day;
        for (k, &node) in self.controlled.iter().enumerate() {
            let state = &self.run.nodes[node];
            let range = self.offsets[k]..self.offsets[k + 1];
            o.on_hand[range.clone()].copy_from_slice(&state.on_hand);
            o.on_order[range.clone()].copy_from_slice(&state.on_order);
            let owing = o.backorders[range.clone()].iter_mut().zip(&state.backorders).zip(&state.owed);
            for ((owed, &backorders), &to_nodes) in owing {
                *owed = backorders + to_nodes;
            }
            for (sku, position) in o.position[range.clone()].iter_mut().enumerate() {
                *position = state.inventory_position(sku);
            }
            // The day's demand per SKU (none recorded: zero).
            let demand = &mut o.demand[range];
            let recorded = state.sku_demand.len().min(demand.len());
            demand[..recorded].copy_from_slice(&state.sku_demand[..recorded]);
            demand[recorded..].fill(0);
        }
    }
}
