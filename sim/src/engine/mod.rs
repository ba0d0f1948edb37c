//! The engine: one run of one strategy on one replication.
//!
//! # Contract
//!
//! The run is a discrete-event simulation over the [`Calendar`]. Days are
//! driven by two events per day, `DayStart(t)` at minute `1440·t` and
//! `DayEnd(t)` at minute `1440·(t+1)`; each sweeps every SKU of every node in
//! a tight loop over contiguous arrays.
//!
//! The daily cycle:
//! 1. **Start of day t.** Every shipment whose arrival minute is ≤ the start
//!    of day t has been received into on-hand; each receipt first serves
//!    the SKU's backordered customer lines (module `backorders`). Suppliers with
//!    a capacity ship what waits for it. Customer returns due by the day
//!    start arrive (module `returns`; restocked units serve backorders
//!    first). Backordered lines whose customers'
//!    patience has run out are cancelled. `on_hand_start` is recorded.
//!    Daily-batch demand of day t is then drawn and served from on-hand,
//!    one order line per class and SKU; lines left short are then offered
//!    their SKU's substitutes (module `substitution`); the unserved part is
//!    backordered or lost according to the customer class. Each node's stock figures
//!    are then kept for strategies that see stale data.
//! 2. **During day t** (event-driven demand): each customer order is served
//!    on arrival (then from substitutes); a continuous-review strategy is
//!    asked at once whether to order (for the substitutes that served too). Shipments arrive as events at their minute.
//! 3. **End of day t**, at minute `1440·(t+1)`: lateral transfers first (when
//!    the strategy has them); then node by node, from the nodes that feed
//!    none up to the suppliers' customers (by height, then model order):
//!    the node ships its backlog — the orders of the nodes it feeds, oldest
//!    and today's alike — from on-hand through the allocation rule (what it
//!    cannot ship stays owed); triggers are observed; on review days the
//!    strategy decides and the orders are released to the source its
//!    sourcing rule picks (each order first raised to its SKU's minimum
//!    order quantity, rounded up to case packs and capped at its maximum:
//!    module `constraints`), and a pending trigger whose position is above
//!    the reorder point now in force is withdrawn; expedites follow (when the strategy has them);
//!    the node's echelon position is updated; end-of-day statistics are
//!    recorded. An order on a source node joins that node's backlog and,
//!    because sources come later in the sweep, is shipped the same evening
//!    if stock allows. After the sweep, lanes with a capacity per day or
//!    trucks dispatch the shipments waiting at them (module `trucks`).
//!    A location's stock above its storage capacity after the start-of-day
//!    receipts is charged as overflow (module `constraints`).
//!    Every decision (purchase order, transfer, expedite) goes through
//!    governance (module `approvals`): released at once, or queued for the
//!    planners, who release it during their working hours
//!    ([`crate::governance`]).
//! 4. A departure at minute `m` with a sampled lead time of `L` minutes
//!    arrives at `a = m + L`. With event-driven demand it is received at
//!    `a`. With daily-batch demand it is received at a day start: at `a`
//!    itself when `a` is one, so a whole-day lead time `L` from the end of
//!    day t serves demand from day t+L+1 on; otherwise at the start of the
//!    day `a` falls in with probability `1 − f/1440` and of the next day
//!    with probability `f/1440`, `f` the minutes `a` is into its day (one
//!    draw from the lane's own receipt stream; never a day start already
//!    past at departure). The receipt moment is then `a` in expectation,
//!    so the mean time from release to availability is the lead-time
//!    distribution's mean (a day-end release; [`crate::time::rounded_receipt_day`]).
//!    A shipment held by a disruption past its arrival is received at the
//!    first day start after it is released. Lead times are sampled per
//!    shipment; orders may cross.
//!
//! Disruptions ([`crate::disruption`]) act where the contract of that module
//! says: demand factors, departures held by outages, inflated lead times,
//! in-transit fates, capacity cuts, closed nodes.
//!
//! Units are integers and on-hand never goes negative. Every node keeps a
//! [`UnitBalance`] that must hold at every moment, and the run keeps the
//! [`NetworkBalance`] of goods moving between nodes. Memory is
//! O(SKU-locations + shipments in flight + horizon days) — the last only
//! for the daily network series behind the resilience figures.

mod actions;
mod approvals;
mod backorders;
mod constraints;
mod daily;
mod flow;
mod resilience;
mod returns;
mod state;
pub mod stepper;
mod substitution;
mod trucks;

pub use resilience::{BASELINE_DAYS, EventImpact, IMPACT_HORIZON_DAYS};
pub use state::UnitBalance;
pub use stepper::{ActionMode, DayOutcome, Observation, Stepper};

use crate::calendar::{Calendar, Event, ReceiptWheel, Shipment};
use crate::disruption::Timeline;
use crate::metrics::{self, ClassValues, LaneValues, LeadTimes, MetricValues, ScopeSeries, SkuTally, SkuValues, Tally};
use crate::model::{DemandProcess, Model, Shortage};
use crate::rng::{self, Stream, StreamKey};
use crate::strategy::{Allocation, Capabilities, Claim, ExpediteRule, Replenishment, Review, TransferRule};
use crate::time::{Day, MINUTES_PER_DAY, Minute, day_start};
use backorders::ClassBooks;
use flow::SupplierState;
use hdrhistogram::Histogram;
use rand::RngExt;
use state::{DemandBooks, Line, NodeState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Goods moving between stocking nodes over a whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetworkBalance {
    /// Units nodes shipped to nodes.
    pub shipped: i64,
    /// Units nodes received from nodes.
    pub received: i64,
    /// Units between nodes at the end of the run.
    pub in_transit: i64,
    /// Units lost between nodes.
    pub lost: i64,
}

impl NetworkBalance {
    /// `shipped = received + in transit + lost`.
    pub fn holds(&self) -> bool {
        self.shipped == self.received + self.in_transit + self.lost
    }
}

/// What one run produces.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Network-wide metrics.
    pub network: MetricValues,
    /// Metrics per stocking node, in model order.
    pub nodes: Vec<MetricValues>,
    /// Per timed disruption of the model, its impact.
    pub events: Vec<EventImpact>,
    /// Per window of a random outage (by outage, then in time order), its
    /// impact.
    pub random_events: Vec<WindowImpact>,
    /// Per customer class, in model order.
    pub classes: Vec<ClassValues>,
    /// Per lane, in model order: realised lead times
    /// ([`LANE_METRICS`](crate::metrics::LANE_METRICS)).
    pub lanes: Vec<LaneValues>,
    /// Per-SKU results (when the scenario asks for them; else empty): per
    /// node in model order, per local SKU.
    pub skus: Vec<SkuValues>,
    /// Per ABC class (A, B, C), with per-SKU results; else empty.
    pub abc: Vec<SkuValues>,
    /// Unit balance per node.
    pub balances: Vec<UnitBalance>,
    /// Goods between nodes.
    pub network_balance: NetworkBalance,
    /// SKU-location-days simulated (warm-up included).
    pub sku_location_days: u64,
    /// Wall-clock nanoseconds per SKU decision (not deterministic),
    /// measured on every [`COMPUTE_SAMPLE_EVERY`]-th decision call of the
    /// run (node reviews and continuous-review order decisions, counted
    /// together, the first one included).
    pub decision_ns: Histogram<u64>,
}

/// The decision compute time is measured on one decision call in this many
/// (two clock reads per measured call; none on the others).
pub const COMPUTE_SAMPLE_EVERY: u64 = 64;

/// The impact of one down period of a random outage in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowImpact {
    /// Index of the outage in [`Model::random_outages`].
    pub outage: usize,
    /// Which of its windows in the run (1 for the first): the window is
    /// named `<outage name>#<window>`.
    pub window: u32,
    /// First day down.
    pub start_day: Day,
    /// First day up again.
    pub end_day: Day,
    /// Its impact ([`resilience`](self) rules).
    pub impact: EventImpact,
}

/// Network totals of one run, day by day over the measured days: what a
/// report plots for a representative replication.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// The first measured day (the warm-up length).
    pub first_day: Day,
    /// On-hand at day end, all SKU-locations.
    pub on_hand: Vec<i64>,
    /// Backorders at day end.
    pub backorders: Vec<i64>,
    /// Units released that day.
    pub ordered: Vec<i64>,
    /// Units demanded that day.
    pub demand: Vec<i64>,
    /// Simulated decision latency in minutes: (value, decisions), ascending.
    pub latency: Vec<(u64, u64)>,
    /// Approved decisions released each measured day (governance; empty
    /// without it).
    pub approvals: Vec<u32>,
}

/// The decision rules of one run.
pub struct Policies<'m> {
    /// One replenishment strategy instance per node, in model order.
    pub replenishment: Vec<Box<dyn Replenishment + 'm>>,
    /// How scarce stock is split among claims.
    pub allocation: &'m dyn Allocation,
    /// Lateral transfers, if any.
    pub transfers: Option<&'m dyn TransferRule>,
    /// Expedites, if any.
    pub expedites: Option<&'m dyn ExpediteRule>,
}

/// An event-driven demand stream's state.
struct OrderStream {
    node: usize,
    local_sku: usize,
    class: usize,
    shortage: Shortage,
    rate_per_minute: f64,
    size: crate::distribution::OrderSize,
    rng: Stream,
    /// Exact (fractional) minute of the next order.
    next_minute: f64,
}

/// A single run in progress.
struct Run<'m> {
    model: &'m Model,
    nodes: Vec<NodeState<'m>>,
    /// Node indices in day-end order: by height, then model order.
    sweep_order: Vec<usize>,
    /// Per node, the nodes it feeds through their primary lanes.
    children: Vec<Vec<usize>>,
    /// Lateral lanes and their shared SKUs (built at the first transfer).
    lateral: Vec<actions::LateralLane>,
    /// Per node, does any replenishment lane start there?
    feeds_others: Vec<bool>,
    /// Does any strategy act on echelon positions?
    needs_echelon: bool,
    /// Per node, its strategy's capabilities, read once when the run is
    /// built.
    capabilities: Vec<Capabilities>,
    /// Per customer class, over the measured days: backorders and
    /// event-driven demand (daily streams keep their own demand and are
    /// added at the end).
    class_books: ClassBooks,
    strategies: Vec<Box<dyn Replenishment + 'm>>,
    allocation: &'m dyn Allocation,
    transfers: Option<&'m dyn TransferRule>,
    expedites: Option<&'m dyn ExpediteRule>,
    /// Scratch: the units a transfer or expedite rule decides.
    action_units: Vec<i64>,
    suppliers: Vec<SupplierState>,
    lane_rngs: Vec<Stream>,
    /// Per lane, the receipt-day draws of mid-day arrivals.
    receipt_rngs: Vec<Stream>,
    order_streams: Vec<OrderStream>,
    calendar: Calendar,
    wheel: ReceiptWheel,
    /// Shipments held by a closed node, rescheduled after a sweep.
    deferred: Vec<Shipment>,
    timeline: Timeline,
    /// Today's demand factor per node.
    demand_factor: Vec<f64>,
    event_driven: bool,
    network_series: ScopeSeries,
    decision_ns: Histogram<u64>,
    /// Decision calls so far (which ones are timed: [`COMPUTE_SAMPLE_EVERY`]).
    decision_calls: u64,
    claims: Vec<Claim>,
    grants: Vec<i64>,
    /// Orders same-minute claims (see [`ArrivalOrder`]).
    arrival: ArrivalOrder,
    /// Scratch: (arrival key, daily stream) of one SKU's contended lines.
    arrival_order: Vec<(u64, usize)>,
    internal_in_transit: i64,
    internal_received: i64,
    internal_lost: i64,
    /// Shipments waiting at lanes with a capacity per day or trucks.
    lane_queues: trucks::LaneQueues,
    /// Per lane, the realised lead times of the shipments it delivered on
    /// measured days (the lane scope).
    lane_lead_times: Vec<LeadTimes>,
    /// The approval queue, when the model has governance.
    approvals: Option<approvals::Approvals<'m>>,
    /// Customer returns, when any class returns units (module `returns`).
    returns: Option<returns::ReturnBooks<'m>>,
    /// Substitutes, when any SKU has one (module `substitution`).
    substitutions: Option<substitution::Substitutions>,
    /// Does the model have disruptions (timed or random) to report impacts of?
    tracks_events: bool,
    /// Customer demand and units served from stock, network-wide, per day
    /// (kept only when `tracks_events`).
    daily_customer: Vec<(i64, i64)>,
    trace: Option<Trace>,
    /// Raised to abandon the run (checked once per simulated day and per
    /// customer order event).
    stop: Option<&'m AtomicBool>,
    /// Days-of-cover dispersion across locations (`inventory_imbalance`),
    /// when some SKU is stocked at two or more customer-facing locations.
    imbalance: Option<Imbalance>,
}

/// The sums behind `inventory_imbalance`: per global SKU, scratch sums of
/// the day's days of cover over the customer-facing locations stocking
/// it with positive mean demand.
struct Imbalance {
    /// Per global SKU: Σ cover, Σ cover² of the day.
    cover: Vec<(f64, f64)>,
    /// Global SKUs with two or more such locations, and that number.
    shared: Vec<(usize, f64)>,
    /// Per customer-facing node with such a location of a shared SKU: the
    /// node and those locations as (local SKU, global SKU, 1 ÷ its mean
    /// daily demand), in model order. A location whose SKU is stocked
    /// nowhere else, or has no demand, is left out once here instead of
    /// tested every day.
    entries: Vec<(usize, Vec<CoverLocation>)>,
    /// Σ standard deviation over (SKU, day) observations…
    sum: f64,
    /// …and their number.
    count: u64,
}

/// A location in [`Imbalance`]: (local SKU, global SKU, 1 ÷ its mean daily
/// demand).
type CoverLocation = (u32, u32, f64);

impl Imbalance {
    fn new(model: &Model) -> Option<Self> {
        let nodes: Vec<usize> = (0..model.nodes.len()).filter(|&n| model.serves_customers(n)).collect();
        let mut locations = vec![0u32; model.skus.len()];
        for &n in &nodes {
            for (&g, &mean) in model.nodes[n].skus.iter().zip(model.mean_daily_demand_of(n)) {
                locations[g] += u32::from(mean > 0.0);
            }
        }
        let shared: Vec<(usize, f64)> =
            (0..model.skus.len()).filter(|&g| locations[g] >= 2).map(|g| (g, f64::from(locations[g]))).collect();
        let entries = nodes
            .iter()
            .map(|&n| {
                let skus = model.nodes[n].skus.iter().zip(model.mean_daily_demand_of(n)).enumerate();
                let shared_here = skus.filter(|&(_, (&g, &mean))| mean > 0.0 && locations[g] >= 2);
                (n, shared_here.map(|(k, (&g, &mean))| (k as u32, g as u32, 1.0 / mean)).collect::<Vec<_>>())
            })
            .filter(|(_, locations)| !locations.is_empty())
            .collect();
        (!shared.is_empty()).then(|| Self {
            cover: vec![(0.0, 0.0); model.skus.len()],
            shared,
            entries,
            sum: 0.0,
            count: 0,
        })
    }

    /// Adds one measured day end: per shared SKU, the population standard
    /// deviation of its locations' days of cover.
    fn record_day(&mut self, states: &[NodeState]) {
        for (n, locations) in &self.entries {
            let on_hand = &states[*n].on_hand;
            for &(k, g, inverse) in locations {
                let cover = on_hand[k as usize] as f64 * inverse;
                let entry = &mut self.cover[g as usize];
                entry.0 += cover;
                entry.1 += cover * cover;
            }
        }
        for &(g, n) in &self.shared {
            let (sum, squares) = std::mem::take(&mut self.cover[g]);
            let mean = sum / n;
            self.sum += (squares / n - mean * mean).max(0.0).sqrt();
        }
        self.count += self.shared.len() as u64;
    }
}

/// Where a node's daily-batch lines go in its demand sweep: served (with
/// their returns drawn), or deferred to substitution.
struct DailyLines<'a, 'm> {
    node: usize,
    now: Minute,
    /// The substitutes and the lines deferred to them, when the node is
    /// open and has substitutes.
    deferred: Option<(&'a mut substitution::Substitutions, DeferredLines)>,
    returns: &'a mut Option<returns::ReturnBooks<'m>>,
}

/// Daily lines deferred to substitution: (stream, local SKU, units served
/// from the SKU's own stock).
type DeferredLines = Vec<(usize, usize, i64)>;

impl DailyLines<'_, '_> {
    /// Serves `served` units of stream `i`'s line, or defers the line when
    /// it is short and its SKU has substitutes here. Inlined into the
    /// sweep: one call per order line otherwise.
    #[inline(always)]
    fn serve(&mut self, state: &mut NodeState, books: &mut DemandBooks, i: usize, sku: usize, served: i64) {
        if let Some((subs, lines)) = &mut self.deferred
            && served < state.daily.units(i)
            && subs.has(self.node, sku)
        {
            state.on_hand[sku] -= served;
            lines.push((i, sku, served));
            return;
        }
        state.serve_daily_line(books, i, sku, served, self.now);
        if let Some(returns) = self.returns.as_mut() {
            state.balance.returns_drawn += returns.shipped(self.node, sku, state.daily.class(i), served, self.now);
        }
    }
}

/// Simulates one replication of `model` under `policies`.
pub fn simulate<'m>(model: &'m Model, replication: u32, policies: Policies<'m>) -> RunOutput {
    let mut run = Run::new(model, replication, policies);
    run.execute();
    run.finish().0
}

/// As [`simulate`], abandoning the run (`None`) soon after `stop` is
/// raised: the flag is read at the start of every simulated day and at
/// every customer order event, never per SKU.
pub fn simulate_until<'m>(
    model: &'m Model,
    replication: u32,
    policies: Policies<'m>,
    stop: &'m AtomicBool,
) -> Option<RunOutput> {
    let mut run = Run::new(model, replication, policies);
    run.stop = Some(stop);
    run.execute().then(|| run.finish().0)
}

/// As [`simulate`], also recording the run's [`Trace`] (memory O(days)).
pub fn simulate_traced<'m>(model: &'m Model, replication: u32, policies: Policies<'m>) -> (RunOutput, Trace) {
    let (output, trace) = simulate_with(model, replication, policies, None, true).expect("no stop flag");
    (output, trace.expect("tracing was on"))
}

/// The general form of [`simulate`]: abandoned (`None`) soon after `stop`
/// is raised, as [`simulate_until`]; with the run's [`Trace`] when `traced`.
/// Tracing only records: the run's results are the same either way.
pub fn simulate_with<'m>(
    model: &'m Model,
    replication: u32,
    policies: Policies<'m>,
    stop: Option<&'m AtomicBool>,
    traced: bool,
) -> Option<(RunOutput, Option<Trace>)> {
    let mut run = Run::new(model, replication, policies);
    run.stop = stop;
    if traced {
        run.trace = Some(Trace { first_day: model.experiment.warmup_days, ..Trace::default() });
    }
    run.execute().then(|| run.finish())
}

impl<'m> Run<'m> {
    fn new(model: &'m Model, replication: u32, policies: Policies<'m>) -> Self {
        assert_eq!(policies.replenishment.len(), model.nodes.len(), "one strategy per stocking node");
        let seed = model.experiment.seed;
        let replication = u64::from(replication);
        let strategies = policies.replenishment;
        let capabilities: Vec<Capabilities> = strategies.iter().map(|s| s.capabilities()).collect();
        let mut nodes: Vec<NodeState<'m>> = (0..model.nodes.len())
            .map(|n| NodeState::new(model, n, seed, replication, &*strategies[n], capabilities[n]))
            .collect();
        if policies.expedites.is_some() {
            for node in &mut nodes {
                node.arrivals = vec![Vec::new(); node.on_hand.len()];
            }
        }
        let mut sweep_order: Vec<usize> = (0..model.nodes.len()).collect();
        sweep_order.sort_by_key(|&n| (model.nodes[n].height, n));
        let lane_rngs =
            (0..model.lanes.len()).map(|l| rng::stream(seed, replication, StreamKey::lead_time(l))).collect();
        let order_streams = order_streams(model, seed, replication);
        Self {
            model,
            nodes,
            sweep_order,
            children: (0..model.nodes.len()).map(|n| model.children(n).collect()).collect(),
            lateral: Vec::new(),
            feeds_others: (0..model.nodes.len()).map(|n| model.feeds_others(n)).collect(),
            needs_echelon: capabilities.iter().any(|c| c.echelon_position),
            capabilities,
            class_books: ClassBooks::new(&model.classes, day_start(model.experiment.warmup_days)),
            strategies,
            allocation: policies.allocation,
            transfers: policies.transfers,
            expedites: policies.expedites,
            action_units: Vec::new(),
            suppliers: (0..model.suppliers.len()).map(|_| SupplierState::default()).collect(),
            lane_rngs,
            receipt_rngs: (0..model.lanes.len())
                .map(|l| rng::stream(seed, replication, StreamKey::receipt(l)))
                .collect(),
            event_driven: !order_streams.is_empty(),
            order_streams,
            calendar: Calendar::default(),
            wheel: ReceiptWheel::default(),
            deferred: Vec::new(),
            timeline: Timeline::new(model, replication),
            demand_factor: vec![1.0; model.nodes.len()],
            network_series: ScopeSeries::default(),
            decision_ns: Histogram::new(3).expect("valid precision"),
            decision_calls: 0,
            claims: Vec::new(),
            grants: Vec::new(),
            arrival: ArrivalOrder { seed, replication },
            arrival_order: Vec::new(),
            internal_in_transit: 0,
            internal_received: 0,
            internal_lost: 0,
            lane_queues: trucks::LaneQueues::new(model),
            lane_lead_times: vec![LeadTimes::default(); model.lanes.len()],
            approvals: approvals::Approvals::new(model, seed, replication),
            returns: returns::ReturnBooks::new(model, seed, replication),
            substitutions: substitution::Substitutions::new(model),
            tracks_events: !(model.disruptions.is_empty() && model.random_outages.is_empty()),
            daily_customer: Vec::new(),
            trace: None,
            stop: None,
            imbalance: Imbalance::new(model),
        }
    }

    /// Was the run asked to stop?
    #[inline]
    fn stopped(&self) -> bool {
        self.stop.is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// Runs the calendar to the horizon; `false` when stopped first.
    fn execute(&mut self) -> bool {
        self.begin();
        self.advance_through(self.model.experiment.horizon_days.saturating_sub(1))
    }

    /// Schedules the first day start and the first customer orders.
    fn begin(&mut self) {
        self.calendar.schedule(0, Event::DayStart(0));
        for stream in 0..self.order_streams.len() {
            self.schedule_next_order(stream);
        }
    }

    /// Processes the calendar's events up to and including the end of day
    /// `last` (the run's last day at most: the run ends there); `false`
    /// when stopped first. Pausing between days changes nothing: the
    /// calendar resumes where it stopped ([`stepper`]).
    fn advance_through(&mut self, last: Day) -> bool {
        let horizon = self.model.experiment.horizon_days;
        while let Some((now, event)) = self.calendar.pop() {
            match event {
                Event::DayStart(day) => {
                    if self.stopped() {
                        return false;
                    }
                    if let Some(approvals) = &self.approvals {
                        self.calendar.schedule(approvals.round_minute(day), Event::ApprovalRound);
                    }
                    self.start_of_day(day);
                    self.calendar.schedule(day_start(day + 1), Event::DayEnd(day));
                }
                Event::DayEnd(day) => {
                    self.end_of_day(day, now);
                    if day + 1 == horizon {
                        break;
                    }
                    self.calendar.schedule(now, Event::DayStart(day + 1));
                    if day == last {
                        break;
                    }
                }
                Event::Arrival(shipment) => {
                    self.receive(&shipment, now);
                    self.reschedule_deferred();
                }
                Event::CustomerOrder { stream } => {
                    if self.stopped() {
                        return false;
                    }
                    self.customer_order(stream as usize, now);
                }
                Event::ApprovalRound => self.take_approvals(now),
                Event::Approved { ticket } => self.release_approved(ticket, now),
            }
        }
        true
    }

    fn is_measured(&self, day: Day) -> bool {
        day >= self.model.experiment.warmup_days
    }

    fn reschedule_deferred(&mut self) {
        for shipment in std::mem::take(&mut self.deferred) {
            self.schedule_arrival(shipment);
        }
    }

    fn start_of_day(&mut self, day: Day) {
        let now = day_start(day);
        if !self.event_driven {
            let mut wheel = std::mem::take(&mut self.wheel);
            wheel.receive(u64::from(day), |s| self.receive(s, now));
            self.wheel = wheel;
            self.reschedule_deferred();
        }
        for s in 0..self.suppliers.len() {
            if !self.suppliers[s].queue.is_empty() {
                self.dispatch_supplier(s, now);
            }
        }
        let measured = self.is_measured(day);
        if self.returns.is_some() {
            self.receive_returns(day, measured);
        }
        if self.class_books.any_patience {
            self.cancel_impatient(now);
        }
        self.timeline.demand_factors(day, &mut self.demand_factor);
        for node in 0..self.nodes.len() {
            let state = &mut self.nodes[node];
            state.day_shortfall.fill(0);
            state.sku_demand.fill(0);
            state.day_demand = 0;
            state.day_ordered = 0;
            if measured {
                let on_hand = state.on_hand.iter().sum::<i64>();
                state.tally.on_hand_start += on_hand;
                state.record_overflow(on_hand);
            }
            let open = self.timeline.closed_until(node, now).is_none();
            self.serve_daily_demand(node, day, open, measured);
            self.nodes[node].take_snapshot(day);
        }
    }

    /// Draws the node's daily demand and serves it from stock, class by
    /// class: in full when there is enough for every class, else split by
    /// the allocation strategy (each class's day of demand for a SKU is one
    /// order line: a class without partial shipment gets all of it or none).
    /// Lines left short whose SKU has substitutes at the node are settled
    /// after every line has been served from its own SKU (module
    /// `substitution`).
    fn serve_daily_demand(&mut self, node: usize, day: Day, open: bool, measured: bool) {
        let state = &mut self.nodes[node];
        state.daily.draw_day(self.demand_factor[node], day, measured);
        let now = day_start(day);
        let classes = &self.model.classes;
        let mut books = DemandBooks::of_lines(state.daily.day_lines());
        let deferred = match &mut self.substitutions {
            Some(subs) if open && subs.any_at(node) => {
                let lines = std::mem::take(&mut subs.deferred);
                Some((subs, lines))
            }
            _ => None,
        };
        let mut sink = DailyLines { node, now, deferred, returns: &mut self.returns };
        for sku in 0..state.on_hand.len() {
            let streams = state.daily.of_sku(sku);
            let available = if open { state.on_hand[sku] } else { 0 };
            if state.daily.total_units(streams.clone()) <= available {
                for i in streams {
                    sink.serve(state, &mut books, i, sku, state.daily.units(i));
                }
                continue;
            }
            if streams.len() == 1 {
                let line = state.daily.line(streams.start, sku);
                let served = if classes[line.class].partial_shipment { available } else { 0 };
                sink.serve(state, &mut books, streams.start, sku, served);
                continue;
            }
            // The classes' lines all arose at the day start: they are
            // claimed in their arrival order within it (module doc).
            let (claims, grants, order) = (&mut self.claims, &mut self.grants, &mut self.arrival_order);
            let global_sku = self.model.nodes[node].skus[sku];
            order.clear();
            order.extend(streams.map(|i| {
                let class = state.daily.class(i);
                (self.arrival.key(node, global_sku, class, now), i)
            }));
            order.sort_unstable();
            claims.clear();
            claims.extend(order.iter().map(|&(_, i)| {
                let line = state.daily.line(i, sku);
                classes[line.class].claim(line.units, now)
            }));
            let whole = |k: usize| !classes[state.daily.class(order[k].1)].partial_shipment;
            grant_lines(self.allocation, now, available, claims, whole, grants);
            for (k, &(_, i)) in order.iter().enumerate() {
                sink.serve(state, &mut books, i, sku, grants[k]);
            }
        }
        if let Some((_, lines)) = sink.deferred {
            for &(i, sku, own) in &lines {
                let line = self.nodes[node].daily.line(i, sku);
                let (substituted, value) = self.substitute(node, sku, line.class, line.units - own, now, measured);
                let state = &mut self.nodes[node];
                let cost = own as f64 * state.unit_cost[sku] + value;
                state.settle_parts(&mut books, line, own + substituted, cost, now);
                state.daily.note_short(i, line.units - own - substituted);
                if let Some(returns) = &mut self.returns {
                    state.balance.returns_drawn += returns.shipped(node, sku, line.class, own, now);
                }
            }
            if let Some(subs) = &mut self.substitutions {
                subs.deferred = lines;
                subs.deferred.clear();
            }
        }
        self.nodes[node].post(&books, measured);
    }

    fn customer_order(&mut self, stream: usize, now: Minute) {
        let day = (now / MINUTES_PER_DAY) as Day;
        let measured = self.is_measured(day);
        let s = &mut self.order_streams[stream];
        let (node, sku, shortage, class) = (s.node, s.local_sku, s.shortage, s.class);
        let line = Line { sku, class, units: s.size.sample(&mut s.rng), shortage };
        let open = self.timeline.closed_until(node, now).is_none();
        let state = &mut self.nodes[node];
        state.accrue(sku, now);
        let available = if open { state.on_hand[sku] } else { 0 };
        let whole_line_short = line.units > available && !self.model.classes[class].partial_shipment;
        let own = if whole_line_short { 0 } else { line.units.min(available) };
        let units = line.units;
        state.on_hand[sku] -= own;
        let mut cost = own as f64 * state.unit_cost[sku];
        let mut served = own;
        if open && own < units && self.substitutions.is_some() {
            let (substituted, value) = self.substitute(node, sku, class, units - own, now, measured);
            served += substituted;
            cost += value;
        }
        self.nodes[node].settle_demand(line, served, cost, now, measured);
        self.note_shipped(node, sku, class, own, now);
        if measured {
            let tally = &mut self.class_books.tally[class];
            tally.add(units, served, shortage == Shortage::LostSales);
            if units > 0 {
                tally.lines += 1;
                tally.lines_full += u64::from(served == units);
            }
        }
        self.check_continuous(node, sku, now, day, open, measured);
        if served > own {
            // The substitutes' positions fell too.
            let count = self.substitutions.as_ref().map_or(0, |s| s.of(node, sku).len());
            for k in 0..count {
                let substitute = self.substitutions.as_ref().map_or(0, |s| s.of(node, sku)[k].0 as usize);
                self.check_continuous(node, substitute, now, day, open, measured);
            }
        }
        self.schedule_next_order(stream);
    }

    /// After `sku`'s on-hand at `node` fell at `now` (an order of day
    /// `day`): notes its trigger, and asks a continuous-review strategy at
    /// once whether to order.
    fn check_continuous(&mut self, node: usize, sku: usize, now: Minute, day: Day, open: bool, measured: bool) {
        self.observe_trigger(node, sku, now);
        if open && self.strategies[node].review() == Review::Continuous {
            let started = self.start_compute_timer();
            let data_delay = self.timeline.data_delay(node, day);
            let position = self.nodes[node].visible_position(sku, now, data_delay);
            let quantity = self.strategies[node].order_quantity(sku, position);
            if let Some(started) = started {
                record_ns(&mut self.decision_ns, started.elapsed().as_nanos() as u64);
            }
            if quantity > 0 {
                self.release(node, sku, quantity, now, measured);
            }
        }
    }

    /// Draws the next order time at the rate in force on the day of the
    /// previous order (demand factor included).
    fn schedule_next_order(&mut self, stream: usize) {
        let s = &mut self.order_streams[stream];
        let factor = self.demand_factor[s.node];
        let gap = -(1.0 - s.rng.random::<f64>()).ln() / (s.rate_per_minute * factor);
        s.next_minute += gap;
        if s.next_minute.is_finite() && s.next_minute < day_start(self.model.experiment.horizon_days) as f64 {
            self.calendar.schedule(s.next_minute as Minute, Event::CustomerOrder { stream: stream as u32 });
        }
    }

    /// Counts a decision call; the clock when it is one of those timed.
    #[inline]
    fn start_compute_timer(&mut self) -> Option<Instant> {
        let timed = self.decision_calls.is_multiple_of(COMPUTE_SAMPLE_EVERY);
        self.decision_calls += 1;
        timed.then(Instant::now)
    }

    fn observe_trigger(&mut self, node: usize, sku: usize, now: Minute) {
        let reorder_point = self.strategies[node].reorder_points()[sku];
        self.nodes[node].note_trigger(sku, reorder_point, now);
    }

    fn end_of_day(&mut self, day: Day, now: Minute) {
        let measured = self.is_measured(day);
        if self.event_driven {
            self.nodes.iter_mut().for_each(|state| state.close_timed_day(now));
        }
        if let Some(rule) = self.transfers {
            self.transfer(rule, now, measured);
        }
        let (mut network_demand, mut network_ordered, mut on_hand, mut backorders) = (0, 0, 0, 0);
        let (mut customer_demand, mut customer_served, mut customer_facing_ordered) = (0, 0, 0);
        for k in 0..self.sweep_order.len() {
            let node = self.sweep_order[k];
            let open = self.timeline.closed_until(node, now).is_none();
            if self.capabilities[node].observes_demand {
                if measured && let Some(forecasts) = self.strategies[node].forecasts() {
                    self.nodes[node].record_forecast_errors(forecasts);
                }
                let forecast_available = self.timeline.forecast_available(node, day);
                let data_delay = self.timeline.data_delay(node, day);
                self.strategies[node].observe(&self.nodes[node].view(day, forecast_available, data_delay));
            }
            if open {
                if self.feeds_others[node] {
                    self.fill_backlog(node, now, measured);
                }
                self.observe_all_triggers(node, now);
                if self.strategies[node].review().is_review_day(day) {
                    self.review_node(node, day, now, measured);
                }
                if let Some(rule) = self.expedites.filter(|_| self.nodes[node].serves_customers) {
                    self.expedite(rule, node, now, measured);
                }
            }
            if self.needs_echelon {
                self.update_echelon(node);
            }
            if self.capabilities[node].falls_back {
                let on_fallback = self.strategies[node].on_fallback();
                self.nodes[node].record_fallback(on_fallback, measured);
            }
            let state = &mut self.nodes[node];
            if state.serves_customers && self.tracks_events {
                customer_demand += state.day_demand;
                customer_served += state.day_demand - state.day_shortfall.iter().sum::<i64>();
            }
            if measured {
                let (node_on_hand, node_backorders) = state.record_end_of_day();
                on_hand += node_on_hand;
                backorders += node_backorders;
                if state.serves_customers {
                    network_demand += state.day_demand;
                    customer_facing_ordered += state.day_ordered;
                }
                network_ordered += state.day_ordered;
            }
        }
        self.dispatch_lanes(now, measured);
        if self.tracks_events {
            self.daily_customer.push((customer_demand, customer_served));
        }
        if measured && let Some(imbalance) = &mut self.imbalance {
            imbalance.record_day(&self.nodes);
        }
        if measured {
            self.network_series.daily_demand.push(network_demand as f64);
            // The network's bullwhip is the customer-facing echelon's.
            self.network_series.daily_orders.push(customer_facing_ordered as f64);
            if let Some(trace) = &mut self.trace {
                trace.on_hand.push(on_hand);
                trace.backorders.push(backorders);
                trace.ordered.push(network_ordered);
                trace.demand.push(network_demand);
            }
        }
    }

    fn observe_all_triggers(&mut self, node: usize, now: Minute) {
        let reorder_points = self.strategies[node].reorder_points();
        let state = &mut self.nodes[node];
        for (sku, &reorder_point) in reorder_points.iter().enumerate() {
            state.note_trigger(sku, reorder_point, now);
        }
    }

    /// Echelon position: local inventory position plus that of the nodes
    /// fed through their primary lanes (already updated: they come earlier
    /// in the sweep).
    fn update_echelon(&mut self, node: usize) {
        let state = &mut self.nodes[node];
        for sku in 0..state.on_hand.len() {
            state.echelon[sku] = state.inventory_position(sku);
        }
        for c in 0..self.children[node].len() {
            let child = self.children[node][c];
            for k in 0..self.nodes[child].echelon.len() {
                let parent_sku = self.nodes[child].source_sku[0][k] as usize;
                let value = self.nodes[child].echelon[k];
                self.nodes[node].echelon[parent_sku] += value;
            }
        }
    }

    fn review_node(&mut self, node: usize, day: Day, now: Minute, measured: bool) {
        if self.capabilities[node].echelon_position {
            // The nodes fed are current (earlier in the sweep); refresh this one.
            self.update_echelon(node);
        }
        let mut orders = std::mem::take(&mut self.nodes[node].orders);
        let (forecast_available, data_delay) =
            (self.timeline.forecast_available(node, day), self.timeline.data_delay(node, day));
        let started = self.start_compute_timer();
        let view = self.nodes[node].view(day, forecast_available, data_delay);
        self.strategies[node].decide(&view, &mut orders);
        if let Some(started) = started {
            let elapsed = started.elapsed().as_nanos() as u64;
            record_ns(&mut self.decision_ns, elapsed / orders.len().max(1) as u64);
        }
        for (sku, &quantity) in orders.iter().enumerate() {
            if quantity > 0 {
                self.release(node, sku, quantity, now, measured);
            }
        }
        self.nodes[node].orders = orders;
        // A trigger is measured against the level in force when the order
        // is decided: a need seen against an earlier level that this
        // review's level no longer has is withdrawn.
        let reorder_points = self.strategies[node].reorder_points();
        self.nodes[node].withdraw_stale_triggers(reorder_points);
    }

    /// The class metrics: event-driven demand's tallies plus every node's
    /// daily streams'.
    fn class_results(&self, days: u32) -> Vec<ClassValues> {
        let mut tallies = self.class_books.tally.clone();
        for state in &self.nodes {
            state.daily.add_to_classes(&mut tallies);
        }
        tallies.iter().zip(&self.class_books.ages).map(|(c, ages)| c.finish(days, ages)).collect()
    }

    /// Per-SKU results and their ABC classes' (both empty without them).
    fn sku_results(&self, days: u32) -> (Vec<SkuValues>, Vec<SkuValues>) {
        if !self.model.scorecard.per_sku {
            return (Vec::new(), Vec::new());
        }
        let classes = self.model.abc_classes();
        let mut abc = [SkuTally::default(); 3];
        let mut skus = Vec::with_capacity(self.model.sku_locations());
        for (n, state) in self.nodes.iter().enumerate() {
            for (k, t) in state.sku_tally.iter().enumerate() {
                skus.push(t.finish(days));
                abc[classes[self.model.nodes[n].skus[k]] as usize].absorb(t, state.serves_customers);
            }
        }
        (skus, abc.iter().map(|t| t.finish(days)).collect())
    }

    /// Decisions not released by the end of the run count in the latency
    /// figures censored at the horizon (latency = end − trigger) and in
    /// the pending counts of their node.
    fn censor_pending_decisions(&mut self, end: Minute) {
        let Some(approvals) = &self.approvals else { return };
        for (decision, in_approval) in approvals.pending() {
            let state = &mut self.nodes[decision.node];
            let latency = end - decision.trigger.min(end);
            state.series.latency[decision.kind as usize].record(latency);
            state.tally.decisions_pending_end += 1;
            state.tally.approval_backlog_end += u64::from(!in_approval);
        }
    }

    fn finish(mut self) -> (RunOutput, Option<Trace>) {
        let days = self.model.experiment.measured_days();
        self.close_open_backorders(day_start(self.model.experiment.horizon_days));
        self.censor_pending_decisions(day_start(self.model.experiment.horizon_days));
        let mut network = Tally::default();
        if let Some(imbalance) = &self.imbalance {
            (network.imbalance_sum, network.imbalance_count) = (imbalance.sum, imbalance.count);
        }
        let mut nodes = Vec::with_capacity(self.nodes.len());
        let mut balances = Vec::with_capacity(self.nodes.len());
        for (node, state) in self.nodes.iter_mut().enumerate() {
            state.close_stockout_runs();
            network.absorb(&state.tally, state.serves_customers);
            if state.serves_customers {
                self.network_series.stockout_runs.add(&state.series.stockout_runs);
            }
            // Latencies are recorded per node and merged here, in node order.
            for (network, node) in self.network_series.latency.iter_mut().zip(&state.series.latency) {
                network.add(node);
            }
            nodes.push(metrics::finish(&state.tally, &state.series, days));
            state.balance.final_on_hand = state.on_hand.iter().sum();
            state.balance.returns_due = self.returns.as_ref().map_or(0, |r| r.due_at(node));
            state.balance.on_order = state.on_order.iter().sum();
            balances.push(state.balance);
        }
        let (skus, abc) = self.sku_results(days);
        let network_balance = NetworkBalance {
            shipped: self.nodes.iter().map(|n| n.balance.shipped_to_nodes).sum(),
            received: self.internal_received,
            in_transit: self.internal_in_transit,
            lost: self.internal_lost,
        };
        let daily = &self.daily_customer;
        let of =
            |d: &crate::disruption::Disruption| resilience::impact(daily, d.start_day as usize, d.end_day as usize);
        let events = self.timeline.timed().iter().map(of).collect();
        let mut random_events: Vec<WindowImpact> = Vec::new();
        for (outage, d) in self.timeline.random_windows() {
            let window = match random_events.last() {
                Some(previous) if previous.outage == outage => previous.window + 1,
                _ => 1,
            };
            let (start_day, end_day) = (d.start_day, d.end_day);
            random_events.push(WindowImpact { outage, window, start_day, end_day, impact: of(d) });
        }
        let horizon = u64::from(self.model.experiment.horizon_days);
        let latency = &self.network_series.all_latencies().histogram();
        let approved = self.approvals.as_ref().map(|a| {
            let mut per_day = a.released_per_day.clone();
            per_day.resize(horizon as usize, 0);
            per_day.split_off(self.model.experiment.warmup_days as usize)
        });
        let trace = self.trace.take().map(|trace| Trace {
            approvals: approved.unwrap_or_default(),
            latency: latency
                .iter_recorded()
                .map(|v| (latency.lowest_equivalent(v.value_iterated_to()), v.count_at_value()))
                .collect(),
            ..trace
        });
        let output = RunOutput {
            network: metrics::finish(&network, &self.network_series, days),
            nodes,
            events,
            random_events,
            classes: self.class_results(days),
            lanes: self.lane_lead_times.iter().map(|l| l.finish(days)).collect(),
            skus,
            abc,
            balances,
            network_balance,
            sku_location_days: self.model.sku_locations() as u64 * horizon,
            decision_ns: self.decision_ns,
        };
        (output, trace)
    }
}

fn order_streams(model: &Model, seed: u64, replication: u64) -> Vec<OrderStream> {
    model
        .demand
        .iter()
        .filter_map(|s| match &s.process {
            DemandProcess::Orders { rate_per_day, size } => Some(OrderStream {
                node: s.node,
                local_sku: s.local_sku,
                class: s.class,
                shortage: model.classes[s.class].shortage,
                rate_per_minute: rate_per_day / MINUTES_PER_DAY as f64,
                size: *size,
                rng: rng::stream(
                    seed,
                    replication,
                    StreamKey::demand(s.node, model.nodes[s.node].skus[s.local_sku], s.class),
                ),
                next_minute: 0.0,
            }),
            DemandProcess::Daily(_) => None,
        })
        .collect()
}

/// The arrival order of claims that arose in the same minute.
///
/// Daily-batch demand arrives as one line per class and SKU at the day
/// start, and the nodes a source feeds all order at the same day end, so
/// their claims share a minute. Such claims are not simultaneous in the
/// world; their order within the minute is drawn: each claimant (a
/// customer class, or a node ordering from its source) gets an arrival key
/// for each (node, SKU, minute), a [`rng::keyed_draw`] of purpose
/// `ArrivalOrder`, and the engine lists same-minute claims by ascending
/// key. Every claimant is first equally often in expectation, whatever
/// the list order of classes or nodes, and a line keeps its key for its
/// life (its backorder is ordered as it was). Keys are computed only when
/// stock is short and a rule must choose.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArrivalOrder {
    seed: u64,
    replication: u64,
}

/// Claimant numbers of nodes ordering from their source start here
/// (customer classes are `0..`).
pub(crate) const NODE_CLAIMANT: usize = 1 << 32;

impl ArrivalOrder {
    /// The arrival key of `claimant`'s claim on global `sku` at `node`
    /// that arose at `since`.
    #[inline]
    pub(crate) fn key(self, node: usize, sku: usize, claimant: usize, since: Minute) -> u64 {
        rng::keyed_draw(self.seed, self.replication, StreamKey::arrival_order(node, sku, claimant), since)
    }
}

/// Splits `available` units among `claims` into `grants`: every claim in
/// full when `available` covers them all (what any [`Allocation`] must do),
/// else as `allocation` rules.
fn grant(allocation: &dyn Allocation, now: Minute, available: i64, claims: &[Claim], grants: &mut Vec<i64>) {
    grants.clear();
    if claims.iter().map(|c| c.units).sum::<i64>() <= available {
        grants.extend(claims.iter().map(|c| c.units));
    } else {
        grants.resize(claims.len(), 0);
        allocation.allocate(now, available, claims, grants);
    }
}

/// As [`grant`], for order lines of which those with `whole(k)` ship
/// whole or not at all: a whole line granted in part is withdrawn (its
/// claim set to 0 units) and the stock split again, until no whole line is
/// granted in part. Each round withdraws a line, so this ends.
fn grant_lines(
    allocation: &dyn Allocation,
    now: Minute,
    available: i64,
    claims: &mut [Claim],
    whole: impl Fn(usize) -> bool,
    grants: &mut Vec<i64>,
) {
    loop {
        grant(allocation, now, available, claims, grants);
        let mut withdrawn = false;
        for k in 0..claims.len() {
            if grants[k] > 0 && grants[k] < claims[k].units && whole(k) {
                claims[k].units = 0;
                withdrawn = true;
            }
        }
        if !withdrawn {
            return;
        }
    }
}

fn record_ns(histogram: &mut Histogram<u64>, ns: u64) {
    histogram.record(ns).expect("histogram auto-resizes");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// First come, first served in claim order (the claims are in age order).
    struct InOrder;

    impl Allocation for InOrder {
        fn allocate(&self, _now: Minute, available: i64, claims: &[Claim], grants: &mut [i64]) {
            let mut left = available;
            for (claim, grant) in claims.iter().zip(grants) {
                *grant = claim.units.min(left);
                left -= *grant;
            }
        }
    }

    fn claim(units: i64) -> Claim {
        Claim { units, since: 0, tier: 1, margin: 0.0, due: 0, late_penalty: 0.0 }
    }

    /// By hand: 5 units for whole A = 6, partial B = 3, whole C = 2. In
    /// order A would get 5 of its 6: it is withdrawn; then B gets 3 and C 2.
    #[test]
    fn a_whole_line_granted_in_part_is_withdrawn_and_the_stock_split_again() {
        let mut claims = vec![claim(6), claim(3), claim(2)];
        let mut grants = Vec::new();
        grant_lines(&InOrder, 0, 5, &mut claims, |k| k != 1, &mut grants);
        assert_eq!(grants, [0, 3, 2]);
        // A partial line keeps its part: 4 units for partial 6, whole 2.
        let mut claims = vec![claim(6), claim(2)];
        grant_lines(&InOrder, 0, 4, &mut claims, |k| k == 1, &mut grants);
        assert_eq!(grants, [4, 0]);
    }
}
