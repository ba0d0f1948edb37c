//! The engine: one run of one strategy on one replication.
//!
//! # Contract
//!
//! The run is a discrete-event simulation over the [`Calendar`]. Days are
//! driven by two events per day, `DayStart(t)` at minute `1440·t` and
//! `DayEnd(t)` at minute `1440·(t+1)`; each sweeps every SKU of every node in
//! a tight loop over contiguous arrays. Nodes are swept in model order.
//!
//! The daily cycle at a stocking node:
//! 1. **Start of day t.** Every shipment whose arrival minute is ≤ the start
//!    of day t has been received into on-hand; each receipt first clears
//!    outstanding backorders. `on_hand_start` is recorded. Daily-batch demand
//!    of day t is then drawn and served from on-hand; the unserved part is
//!    backordered or lost according to the customer class.
//! 2. **During day t** (event-driven demand): each customer order is served
//!    on arrival; a continuous-review strategy is asked at once whether to
//!    order. Shipments arrive as events at their minute.
//! 3. **End of day t.** Triggers are observed (inventory position at or below
//!    the reorder point); on review days the strategy decides; orders are
//!    released at minute `1440·(t+1)`; end-of-day statistics are recorded
//!    after ordering.
//! 4. A release at minute `m` with a sampled lead time of `L` minutes arrives
//!    at `m + L`. With daily-batch demand the shipment is received on the
//!    first day start at or after that minute, so a whole-day lead time `L`
//!    from the end of day t serves demand from day t+L+1 on. Lead times are
//!    sampled per shipment; orders may cross.
//!
//! Disruptions ([`crate::disruption`]) act at three places: demand of a day
//! is drawn from the model scaled by that day's demand factor; a release on
//! a lane whose supplier is out departs when the outage ends, with its lead
//! time multiplied by any inflation active at departure; and a shipment's
//! fate in transit (arrive, delayed, lost) is settled when it departs.
//!
//! Units are integers, on-hand never goes negative, and for every node at
//! every moment `initial on-hand + received = shipped + on-hand` and
//! `released = received + in transit + lost in transit` ([`UnitBalance`]).
//! Memory is O(SKU-locations + shipments in flight).

use crate::calendar::{Calendar, Event, ReceiptWheel, Shipment};
use crate::disruption::{Fate, Timeline};
use crate::distribution::DailyDemand;
use crate::metrics::{self, MetricValues, ScopeSeries, Tally};
use crate::model::{DemandProcess, Model, Shortage};
use crate::rng::{self, Stream, StreamKey};
use crate::strategy::{Allocation, Claim, NodeView, Replenishment, Review};
use crate::time::{Day, MINUTES_PER_DAY, Minute, day_start, receipt_day};
use hdrhistogram::Histogram;
use rand::RngExt;
use std::time::Instant;

const NO_TRIGGER: Minute = Minute::MAX;

/// Units in and out of one node over a whole run (warm-up included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitBalance {
    /// On-hand at time 0.
    pub initial_on_hand: i64,
    /// Units received from lanes.
    pub received: i64,
    /// Units shipped to customers.
    pub shipped: i64,
    /// On-hand at the end of the run.
    pub final_on_hand: i64,
    /// Units released to the node's lane.
    pub released: i64,
    /// Units still in transit at the end of the run.
    pub in_transit: i64,
    /// Units lost in transit (disrupted lanes).
    pub lost_in_transit: i64,
}

impl UnitBalance {
    /// Do the books balance? `initial + received = shipped + on-hand` and
    /// `released = received + in transit + lost in transit`.
    pub fn holds(&self) -> bool {
        self.initial_on_hand + self.received == self.shipped + self.final_on_hand
            && self.released == self.received + self.in_transit + self.lost_in_transit
    }
}

/// What one run produces.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Network-wide metrics.
    pub network: MetricValues,
    /// Metrics per stocking node, in model order.
    pub nodes: Vec<MetricValues>,
    /// Unit balance per node.
    pub balances: Vec<UnitBalance>,
    /// SKU-location-days simulated (warm-up included).
    pub sku_location_days: u64,
    /// Wall-clock nanoseconds per SKU decision (not deterministic).
    pub decision_ns: Histogram<u64>,
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
    /// Simulated decision latency in minutes: (value, orders), ascending.
    pub latency: Vec<(u64, u64)>,
}

/// A daily-batch demand stream's state.
struct DailyStream {
    demand: DailyDemand,
    rng: Stream,
    tier: u32,
    shortage: Shortage,
}

impl DailyStream {
    /// Draws one day's demand with the rate multiplied by `factor`.
    #[inline]
    fn draw(&mut self, factor: f64) -> i64 {
        if factor == 1.0 { self.demand.sample(&mut self.rng) } else { self.demand.scaled(factor).sample(&mut self.rng) }
    }
}

/// An event-driven demand stream's state.
struct OrderStream {
    node: usize,
    local_sku: usize,
    shortage: Shortage,
    rate_per_minute: f64,
    size: crate::distribution::OrderSize,
    rng: Stream,
    /// Exact (fractional) minute of the next order.
    next_minute: f64,
}

/// One stocking node's state, structure-of-arrays over its local SKUs.
struct NodeState {
    on_hand: Vec<i64>,
    backorders: Vec<i64>,
    on_order: Vec<i64>,
    trigger_since: Vec<Minute>,
    orders: Vec<i64>,
    /// Units of today's demand not served from stock, per SKU.
    day_shortfall: Vec<i64>,
    unit_cost: Vec<f64>,
    holding_per_day: Vec<f64>,
    ordering_cost: Vec<f64>,
    backorder_penalty: Vec<f64>,
    lost_penalty: Vec<f64>,
    /// Daily streams of local SKU `i` are `daily[first_daily[i]..first_daily[i+1]]`.
    first_daily: Vec<usize>,
    daily: Vec<DailyStream>,
    lane: usize,
    lane_cost: f64,
    day_demand: i64,
    day_ordered: i64,
    tally: Tally,
    series: ScopeSeries,
    balance: UnitBalance,
}

/// A single run in progress.
struct Run<'m> {
    model: &'m Model,
    nodes: Vec<NodeState>,
    strategies: Vec<Box<dyn Replenishment + 'm>>,
    allocation: &'m dyn Allocation,
    lane_rngs: Vec<Stream>,
    order_streams: Vec<OrderStream>,
    calendar: Calendar,
    wheel: ReceiptWheel,
    timeline: Timeline,
    /// Today's demand factor per node.
    demand_factor: Vec<f64>,
    event_driven: bool,
    network_series: ScopeSeries,
    decision_ns: Histogram<u64>,
    claims: Vec<Claim>,
    grants: Vec<i64>,
    trace: Option<Trace>,
}

/// Simulates one replication of `model` with one replenishment strategy
/// instance per node (in model order) and an allocation rule.
pub fn simulate<'m>(
    model: &'m Model,
    replication: u32,
    strategies: Vec<Box<dyn Replenishment + 'm>>,
    allocation: &'m dyn Allocation,
) -> RunOutput {
    assert_eq!(strategies.len(), model.nodes.len(), "one strategy per stocking node");
    let mut run = Run::new(model, replication, strategies, allocation);
    run.execute();
    run.finish().0
}

/// As [`simulate`], also recording the run's [`Trace`] (memory O(days)).
pub fn simulate_traced<'m>(
    model: &'m Model,
    replication: u32,
    strategies: Vec<Box<dyn Replenishment + 'm>>,
    allocation: &'m dyn Allocation,
) -> (RunOutput, Trace) {
    assert_eq!(strategies.len(), model.nodes.len(), "one strategy per stocking node");
    let mut run = Run::new(model, replication, strategies, allocation);
    run.trace = Some(Trace { first_day: model.experiment.warmup_days, ..Trace::default() });
    run.execute();
    let (output, trace) = run.finish();
    (output, trace.expect("tracing was on"))
}

impl<'m> Run<'m> {
    fn new(
        model: &'m Model,
        replication: u32,
        strategies: Vec<Box<dyn Replenishment + 'm>>,
        allocation: &'m dyn Allocation,
    ) -> Self {
        let seed = model.experiment.seed;
        let replication = u64::from(replication);
        let nodes = (0..model.nodes.len()).map(|n| node_state(model, n, seed, replication, &*strategies[n])).collect();
        let lane_rngs =
            (0..model.lanes.len()).map(|l| rng::stream(seed, replication, StreamKey::lead_time(l))).collect();
        let order_streams: Vec<OrderStream> = model
            .demand
            .iter()
            .filter_map(|s| match &s.process {
                DemandProcess::Orders { rate_per_day, size } => Some(OrderStream {
                    node: s.node,
                    local_sku: s.local_sku,
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
            .collect();
        Self {
            model,
            nodes,
            strategies,
            allocation,
            lane_rngs,
            event_driven: !order_streams.is_empty(),
            order_streams,
            calendar: Calendar::default(),
            wheel: ReceiptWheel::default(),
            timeline: Timeline::new(model),
            demand_factor: vec![1.0; model.nodes.len()],
            network_series: ScopeSeries::default(),
            decision_ns: Histogram::new(3).expect("valid precision"),
            claims: Vec::new(),
            grants: Vec::new(),
            trace: None,
        }
    }

    fn execute(&mut self) {
        let horizon = self.model.experiment.horizon_days;
        self.calendar.schedule(0, Event::DayStart(0));
        for stream in 0..self.order_streams.len() {
            self.schedule_next_order(stream);
        }
        while let Some((now, event)) = self.calendar.pop() {
            match event {
                Event::DayStart(day) => {
                    self.start_of_day(day);
                    self.calendar.schedule(day_start(day + 1), Event::DayEnd(day));
                }
                Event::DayEnd(day) => {
                    self.end_of_day(day, now);
                    if day + 1 == horizon {
                        break;
                    }
                    self.calendar.schedule(now, Event::DayStart(day + 1));
                }
                Event::Arrival(shipment) => self.receive(&shipment, self.current_day(now)),
                Event::CustomerOrder { stream } => self.customer_order(stream as usize, now),
            }
        }
    }

    fn current_day(&self, now: Minute) -> Day {
        (now / MINUTES_PER_DAY) as Day
    }

    fn is_measured(&self, day: Day) -> bool {
        day >= self.model.experiment.warmup_days
    }

    fn start_of_day(&mut self, day: Day) {
        if !self.event_driven {
            let mut wheel = std::mem::take(&mut self.wheel);
            wheel.receive(u64::from(day), |s| self.receive(s, day));
            self.wheel = wheel;
        }
        let measured = self.is_measured(day);
        self.timeline.demand_factors(day, &mut self.demand_factor);
        for node in 0..self.nodes.len() {
            let state = &mut self.nodes[node];
            state.day_shortfall.fill(0);
            state.day_demand = 0;
            state.day_ordered = 0;
            if measured {
                state.tally.on_hand_start += state.on_hand.iter().sum::<i64>();
            }
            self.serve_daily_demand(node, measured);
        }
    }

    /// Receives one shipment into on-hand and clears backorders with it (or
    /// writes it off when it was lost on the way).
    fn receive(&mut self, shipment: &Shipment, day: Day) {
        let measured = self.is_measured(day);
        let state = &mut self.nodes[shipment.node as usize];
        let sku = shipment.local_sku as usize;
        state.on_order[sku] -= shipment.units;
        if shipment.lost {
            state.balance.lost_in_transit += shipment.units;
            return;
        }
        state.on_hand[sku] += shipment.units;
        state.balance.received += shipment.units;
        let filled = state.on_hand[sku].min(state.backorders[sku]);
        if filled > 0 {
            state.on_hand[sku] -= filled;
            state.backorders[sku] -= filled;
            state.record_shipped(sku, filled, measured);
        }
    }

    fn serve_daily_demand(&mut self, node: usize, measured: bool) {
        let factor = self.demand_factor[node];
        let state = &mut self.nodes[node];
        for sku in 0..state.on_hand.len() {
            let streams = state.first_daily[sku]..state.first_daily[sku + 1];
            match streams.len() {
                0 => {}
                1 => {
                    let stream = &mut state.daily[streams.start];
                    let demand = stream.draw(factor);
                    let shortage = stream.shortage;
                    let served = demand.min(state.on_hand[sku]);
                    state.on_hand[sku] -= served;
                    state.settle_demand(sku, demand, served, shortage, measured);
                }
                _ => {
                    let (claims, grants) = (&mut self.claims, &mut self.grants);
                    claims.clear();
                    for stream in &mut state.daily[streams.clone()] {
                        let units = stream.draw(factor);
                        claims.push(Claim { units, since: 0, tier: stream.tier });
                    }
                    grants.clear();
                    grants.resize(claims.len(), 0);
                    self.allocation.allocate(state.on_hand[sku], claims, grants);
                    for (k, stream_index) in streams.enumerate() {
                        let shortage = state.daily[stream_index].shortage;
                        state.on_hand[sku] -= grants[k];
                        state.settle_demand(sku, claims[k].units, grants[k], shortage, measured);
                    }
                }
            }
        }
    }

    fn customer_order(&mut self, stream: usize, now: Minute) {
        let day = self.current_day(now);
        let measured = self.is_measured(day);
        let s = &mut self.order_streams[stream];
        let (node, sku, shortage) = (s.node, s.local_sku, s.shortage);
        let units = s.size.sample(&mut s.rng);
        let state = &mut self.nodes[node];
        let served = units.min(state.on_hand[sku]);
        state.on_hand[sku] -= served;
        state.settle_demand(sku, units, served, shortage, measured);
        self.observe_trigger(node, sku, now);
        if self.strategies[node].review() == Review::Continuous {
            let started = Instant::now();
            let position = self.nodes[node].inventory_position(sku);
            let quantity = self.strategies[node].order_quantity(sku, position);
            record_ns(&mut self.decision_ns, started.elapsed().as_nanos() as u64);
            if quantity > 0 {
                self.release(node, sku, quantity, now, measured);
            }
        }
        self.schedule_next_order(stream);
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

    fn observe_trigger(&mut self, node: usize, sku: usize, now: Minute) {
        let reorder_point = self.strategies[node].reorder_points()[sku];
        let state = &mut self.nodes[node];
        if state.trigger_since[sku] == NO_TRIGGER && state.inventory_position(sku) <= reorder_point {
            state.trigger_since[sku] = now;
        }
    }

    fn end_of_day(&mut self, day: Day, now: Minute) {
        let measured = self.is_measured(day);
        let (mut network_demand, mut network_ordered, mut on_hand, mut backorders) = (0, 0, 0, 0);
        for node in 0..self.nodes.len() {
            self.observe_all_triggers(node, now);
            if self.strategies[node].review().is_review_day(day) {
                self.review_node(node, day, now, measured);
            }
            let state = &mut self.nodes[node];
            if measured {
                let (node_on_hand, node_backorders) = state.record_end_of_day();
                on_hand += node_on_hand;
                backorders += node_backorders;
                network_demand += state.day_demand;
                network_ordered += state.day_ordered;
            }
        }
        if measured {
            self.network_series.daily_demand.push(network_demand as f64);
            self.network_series.daily_orders.push(network_ordered as f64);
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
            let position = state.on_hand[sku] - state.backorders[sku] + state.on_order[sku];
            if state.trigger_since[sku] == NO_TRIGGER && position <= reorder_point {
                state.trigger_since[sku] = now;
            }
        }
    }

    fn review_node(&mut self, node: usize, day: Day, now: Minute, measured: bool) {
        let mut orders = std::mem::take(&mut self.nodes[node].orders);
        let state = &self.nodes[node];
        let view = NodeView { day, on_hand: &state.on_hand, backorders: &state.backorders, on_order: &state.on_order };
        let started = Instant::now();
        self.strategies[node].decide(&view, &mut orders);
        let elapsed = started.elapsed().as_nanos() as u64;
        record_ns(&mut self.decision_ns, elapsed / orders.len().max(1) as u64);
        for (sku, &quantity) in orders.iter().enumerate() {
            if quantity > 0 {
                self.release(node, sku, quantity, now, measured);
            }
        }
        self.nodes[node].orders = orders;
    }

    /// Releases an order of `units` for local `sku` at `node` at minute `now`.
    fn release(&mut self, node: usize, sku: usize, units: i64, now: Minute, measured: bool) {
        let state = &mut self.nodes[node];
        let lane = state.lane;
        let lead_time = self.model.lanes[lane].lead_time.sample(&mut self.lane_rngs[lane]);
        let (arrival, lost) = if self.timeline.touches_lane(lane) {
            let departure = self.timeline.departure(lane, now);
            let factor = self.timeline.lead_time_factor(lane, departure);
            let arrival = departure + (lead_time as f64 * factor).round() as Minute;
            match self.timeline.fate(lane, departure, arrival) {
                Fate::Arrives => (arrival, false),
                Fate::DelayedUntil(later) => (later, false),
                Fate::Lost => (arrival, true),
            }
        } else {
            (now + lead_time, false)
        };
        state.on_order[sku] += units;
        state.balance.released += units;
        state.day_ordered += units;
        let trigger = std::mem::replace(&mut state.trigger_since[sku], NO_TRIGGER);
        if measured {
            let latency = if trigger == NO_TRIGGER { 0 } else { now - trigger };
            state.series.latency.record(latency).expect("histogram auto-resizes");
            self.network_series.latency.record(latency).expect("histogram auto-resizes");
            state.tally.orders += 1;
            state.tally.ordered_units += units;
            state.tally.ordering_cost += state.ordering_cost[sku];
            state.tally.transport_cost += state.lane_cost * units as f64;
        }
        let shipment = Shipment { arrival, node: node as u32, local_sku: sku as u32, units, lost };
        if self.event_driven {
            self.calendar.schedule(shipment.arrival, Event::Arrival(shipment));
        } else {
            self.wheel.schedule(receipt_day(shipment.arrival), shipment);
        }
    }

    fn finish(mut self) -> (RunOutput, Option<Trace>) {
        let days = self.model.experiment.measured_days();
        let mut network = Tally::default();
        let mut nodes = Vec::with_capacity(self.nodes.len());
        let mut balances = Vec::with_capacity(self.nodes.len());
        for state in &mut self.nodes {
            network.absorb(&state.tally);
            nodes.push(metrics::finish(&state.tally, &state.series, days));
            state.balance.final_on_hand = state.on_hand.iter().sum();
            state.balance.in_transit = state.on_order.iter().sum();
            balances.push(state.balance);
        }
        let horizon = u64::from(self.model.experiment.horizon_days);
        let latency = &self.network_series.latency;
        let trace = self.trace.take().map(|trace| Trace {
            latency: latency
                .iter_recorded()
                .map(|v| (latency.lowest_equivalent(v.value_iterated_to()), v.count_at_value()))
                .collect(),
            ..trace
        });
        let output = RunOutput {
            network: metrics::finish(&network, &self.network_series, days),
            nodes,
            balances,
            sku_location_days: self.model.sku_locations() as u64 * horizon,
            decision_ns: self.decision_ns,
        };
        (output, trace)
    }
}

fn record_ns(histogram: &mut Histogram<u64>, ns: u64) {
    histogram.record(ns).expect("histogram auto-resizes");
}

impl NodeState {
    #[inline]
    fn inventory_position(&self, sku: usize) -> i64 {
        self.on_hand[sku] - self.backorders[sku] + self.on_order[sku]
    }

    #[inline]
    fn record_shipped(&mut self, sku: usize, units: i64, measured: bool) {
        self.balance.shipped += units;
        if measured {
            self.tally.shipped += units;
            self.tally.shipped_cost += units as f64 * self.unit_cost[sku];
        }
    }

    /// Books `demand` units of which `served` came from stock; the rest is
    /// backordered or lost.
    #[inline]
    fn settle_demand(&mut self, sku: usize, demand: i64, served: i64, shortage: Shortage, measured: bool) {
        let short = demand - served;
        self.day_shortfall[sku] += short;
        self.day_demand += demand;
        self.record_shipped(sku, served, measured);
        match shortage {
            Shortage::Backorder => self.backorders[sku] += short,
            Shortage::LostSales => {
                if measured {
                    self.tally.lost += short;
                    self.tally.shortage_cost += short as f64 * self.lost_penalty[sku];
                }
            }
        }
        if measured {
            self.tally.demand += demand;
            self.tally.served_from_stock += served;
        }
    }

    /// End-of-day statistics, after ordering; returns the node's on-hand and
    /// backorders.
    fn record_end_of_day(&mut self) -> (i64, i64) {
        let tally = &mut self.tally;
        let (on_hand_before, backorders_before) = (tally.on_hand_end, tally.backorders_end);
        for sku in 0..self.on_hand.len() {
            let (on_hand, backorders) = (self.on_hand[sku], self.backorders[sku]);
            tally.on_hand_end += on_hand;
            tally.backorders_end += backorders;
            tally.on_order_end += self.on_order[sku];
            tally.on_hand_end_value += on_hand as f64 * self.unit_cost[sku];
            tally.holding_cost += on_hand as f64 * self.holding_per_day[sku];
            tally.shortage_cost += backorders as f64 * self.backorder_penalty[sku];
            tally.ready_days += u64::from(backorders == 0);
            tally.no_stockout_days += u64::from(self.day_shortfall[sku] == 0);
        }
        tally.sku_days += self.on_hand.len() as u64;
        self.series.daily_demand.push(self.day_demand as f64);
        self.series.daily_orders.push(self.day_ordered as f64);
        (tally.on_hand_end - on_hand_before, tally.backorders_end - backorders_before)
    }
}

/// Builds the initial state of node `n`.
fn node_state(model: &Model, n: usize, seed: u64, replication: u64, strategy: &dyn Replenishment) -> NodeState {
    let node = &model.nodes[n];
    let count = node.skus.len();
    let sku_field = |f: fn(&crate::model::Sku) -> f64| node.skus.iter().map(|&g| f(&model.skus[g])).collect::<Vec<_>>();
    let mut first_daily = Vec::with_capacity(count + 1);
    let mut daily = Vec::new();
    let mut streams = model.demand.iter().filter(|s| s.node == n).peekable();
    for local in 0..count {
        first_daily.push(daily.len());
        while let Some(stream) = streams.next_if(|s| s.local_sku == local) {
            if let DemandProcess::Daily(demand) = &stream.process {
                let class = &model.classes[stream.class];
                daily.push(DailyStream {
                    demand: demand.clone(),
                    rng: rng::stream(seed, replication, StreamKey::demand(n, node.skus[local], stream.class)),
                    tier: class.tier,
                    shortage: class.shortage,
                });
            }
        }
    }
    first_daily.push(daily.len());
    let on_hand: Vec<i64> = (0..count).map(|sku| strategy.initial_on_hand(sku).max(0)).collect();
    let balance = UnitBalance { initial_on_hand: on_hand.iter().sum(), ..UnitBalance::default() };
    NodeState {
        on_hand,
        backorders: vec![0; count],
        on_order: vec![0; count],
        trigger_since: vec![NO_TRIGGER; count],
        orders: vec![0; count],
        day_shortfall: vec![0; count],
        unit_cost: sku_field(|s| s.unit_cost),
        holding_per_day: sku_field(|s| s.holding_cost_per_day()),
        ordering_cost: sku_field(|s| s.ordering_cost),
        backorder_penalty: sku_field(|s| s.backorder_penalty_per_day),
        lost_penalty: sku_field(|s| s.lost_sale_penalty),
        first_daily,
        daily,
        lane: node.source_lane,
        lane_cost: model.lanes[node.source_lane].cost_per_unit,
        day_demand: 0,
        day_ordered: 0,
        tally: Tally::default(),
        series: ScopeSeries::default(),
        balance,
    }
}
