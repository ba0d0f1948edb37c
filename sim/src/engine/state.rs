//! Per-node state: structure-of-arrays over a node's local SKUs, and the
//! books each node keeps (tally, series, unit balance).

use super::backorders::BackorderLine;
use super::daily::DailyStreams;
use crate::disruption::Timeline;
use crate::governance::DecisionKind;
use crate::metrics::{ScopeSeries, SkuTally, Tally};
use crate::model::{Model, Shortage, Source};
use crate::strategy::{Capabilities, NodeView, Replenishment};
use crate::time::{Day, MINUTES_PER_DAY, Minute, day_start};

/// Marks "no trigger observed yet".
pub(super) const NO_TRIGGER: Minute = Minute::MAX;

/// Units in and out of one node over a whole run (warm-up included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitBalance {
    /// On-hand at time 0.
    pub initial_on_hand: i64,
    /// Units received (from suppliers and other nodes).
    pub received: i64,
    /// Units shipped to customers.
    pub shipped: i64,
    /// Units shipped to other nodes (orders they placed, transfers, expedites).
    pub shipped_to_nodes: i64,
    /// On-hand at the end of the run.
    pub final_on_hand: i64,
    /// Units this node ordered (replenishment and expedites).
    pub ordered: i64,
    /// Units other nodes transferred to it.
    pub transferred_in: i64,
    /// Units ordered or transferred and not received at the end: in transit,
    /// waiting at a supplier, or owed by the source node.
    pub on_order: i64,
    /// Units lost in transit (disrupted lanes).
    pub lost_in_transit: i64,
    /// Units customers were drawn to return (of those shipped; module
    /// `returns`)…
    pub returns_drawn: i64,
    /// …of which put back into on-hand…
    pub returns_restocked: i64,
    /// …scrapped…
    pub returns_scrapped: i64,
    /// …and still on their way back at the end of the run.
    pub returns_due: i64,
}

impl UnitBalance {
    /// Do the books balance? `initial + received + returns restocked =
    /// shipped + shipped to nodes + on-hand`, `ordered + transferred in =
    /// received + on order + lost in transit`, and `returns drawn =
    /// restocked + scrapped + due ≤ shipped`.
    pub fn holds(&self) -> bool {
        self.initial_on_hand + self.received + self.returns_restocked
            == self.shipped + self.shipped_to_nodes + self.final_on_hand
            && self.ordered + self.transferred_in == self.received + self.on_order + self.lost_in_transit
            && self.returns_drawn == self.returns_restocked + self.returns_scrapped + self.returns_due
            && self.returns_drawn <= self.shipped
    }
}

/// Customer-demand sums of one node over one demand sweep.
#[derive(Debug, Default)]
pub(super) struct DemandBooks {
    demand: i64,
    served: i64,
    shipped_cost: f64,
    lost: i64,
    lost_cost: f64,
    /// Order lines with positive units (set when the books are opened:
    /// [`DemandBooks::of_lines`])…
    lines: u64,
    /// …and of those, lines not served complete from stock.
    short_lines: u64,
}

impl DemandBooks {
    /// Empty books for a sweep of `lines` order lines with positive units
    /// (a daily sweep's count: [`DailyStreams::day_lines`]).
    #[inline]
    pub fn of_lines(lines: u64) -> Self {
        Self { lines, ..Self::default() }
    }
}

/// A node's stock figures at one day start (after its receipts and
/// daily-batch demand), kept for strategies that see stale data.
#[derive(Debug, Clone)]
pub(super) struct StockSnapshot {
    on_hand: Vec<i64>,
    backorders: Vec<i64>,
    owed: Vec<i64>,
}

/// One order line of customer demand for a local SKU.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    pub sku: usize,
    /// Index into `Model::classes`.
    pub class: usize,
    pub units: i64,
    pub shortage: Shortage,
}

/// An order a node placed on another node, not yet shipped in full.
#[derive(Debug, Clone, Copy)]
pub(super) struct PendingOrder {
    pub child: u32,
    pub child_sku: u32,
    pub lane: u32,
    pub units: i64,
    pub since: Minute,
}

/// One stocking node's state.
pub(super) struct NodeState<'m> {
    pub on_hand: Vec<i64>,
    /// Customer backorders: units per SKU…
    pub backorders: Vec<i64>,
    /// …and the backordered lines they are, per SKU, oldest first.
    pub backorder_lines: Vec<Vec<BackorderLine>>,
    /// Units owed to nodes fed by this one (Σ of `backlog`).
    pub owed: Vec<i64>,
    pub on_order: Vec<i64>,
    pub echelon: Vec<i64>,
    pub trigger_since: Vec<Minute>,
    pub orders: Vec<i64>,
    /// Units of today's demand not served from stock, per SKU.
    pub day_shortfall: Vec<i64>,
    /// Units demanded today per SKU (customers and fed nodes' orders);
    /// empty unless the node's strategy observes demand.
    pub sku_demand: Vec<i64>,
    /// Orders released today at their trigger minute (latency 0), added to
    /// the latency histogram at day end in one step.
    pub immediate_releases: u64,
    /// Orders of fed nodes waiting for stock, per local SKU.
    pub backlog: Vec<Vec<PendingOrder>>,
    /// Per source slot, per local SKU: the SKU's index at that source node
    /// (unused for supplier sources).
    pub source_sku: Vec<Vec<u32>>,
    /// Due arrival minutes of shipments in transit, per SKU (kept only when
    /// expedites are on).
    pub arrivals: Vec<Vec<Minute>>,
    /// Expedites in flight, per SKU.
    pub expediting: Vec<u32>,
    pub mean_demand: Vec<f64>,
    pub unit_cost: Vec<f64>,
    pub holding_per_day: Vec<f64>,
    pub ordering_cost: Vec<f64>,
    pub backorder_penalty: Vec<f64>,
    pub lost_penalty: Vec<f64>,
    /// Per SKU, on-hand above this is excess: ⌈excess_cover_days × mean
    /// daily demand⌉.
    excess_level: Vec<i64>,
    /// Per SKU, its runs of measured stock-out days.
    stockout_runs: StockoutRuns,
    /// Measured day ends recorded so far (the index of the next one).
    measured_days: u32,
    /// Per SKU, its measured sums (per-SKU results; empty without them).
    pub sku_tally: Vec<SkuTally>,
    /// Per SKU, units in transit to this node that the network owns
    /// (empty when no lane into the node carries any)…
    in_transit_owned: Vec<i64>,
    /// …and of those, units on lanes with ownership at dispatch (empty
    /// when no lane into the node has it).
    in_transit_held: Vec<i64>,
    /// Per local SKU, its order rules (empty when none changes an order:
    /// module `constraints`).
    pub order_rules: Vec<crate::model::OrderRules>,
    /// The node's storage capacity, if limited.
    pub storage: Option<crate::model::Storage>,
    /// Its storage capacity by volume, if limited…
    pub volume_storage: Option<crate::model::VolumeStorage>,
    /// …and then the volume of one unit, per local SKU (else empty).
    pub volumes: Vec<f64>,
    /// Under event-driven demand, per SKU: the minute up to which on-hand
    /// and backorders are integrated (empty under daily demand)…
    stock_since: Vec<Minute>,
    /// …on-hand unit-minutes of the day so far…
    held_minutes: Vec<i64>,
    /// …and backordered unit-minutes.
    backordered_minutes: Vec<i64>,
    /// The last closed day's integrated holding cost and backorder penalty.
    timed_costs: (f64, f64),
    pub daily: DailyStreams<'m>,
    /// Day-start snapshots, day `d` in slot `d % len` (empty when no
    /// strategy ever sees stale data).
    snapshots: Vec<StockSnapshot>,
    pub serves_customers: bool,
    /// Was a fallback deciding at the last day end?
    pub on_fallback: bool,
    pub day_demand: i64,
    pub day_ordered: i64,
    pub tally: Tally,
    pub series: ScopeSeries,
    pub balance: UnitBalance,
}

impl<'m> NodeState<'m> {
    /// Builds the initial state of node `n`.
    pub fn new(
        model: &'m Model,
        n: usize,
        seed: u64,
        replication: u64,
        strategy: &dyn Replenishment,
        capabilities: Capabilities,
    ) -> Self {
        let node = &model.nodes[n];
        let count = node.skus.len();
        let sku_field =
            |f: fn(&crate::model::Sku) -> f64| node.skus.iter().map(|&g| f(&model.skus[g])).collect::<Vec<_>>();
        let source_sku = node
            .sources
            .iter()
            .map(|&lane| match model.lanes[lane].from {
                Source::Node(p) => node
                    .skus
                    .iter()
                    .map(|g| model.nodes[p].skus.binary_search(g).expect("a source stocks what it feeds") as u32)
                    .collect(),
                Source::Supplier(_) => Vec::new(),
            })
            .collect();
        let on_hand: Vec<i64> = (0..count).map(|sku| strategy.initial_on_hand(sku).max(0)).collect();
        let balance = UnitBalance { initial_on_hand: on_hand.iter().sum(), ..UnitBalance::default() };
        let timed = model.has_order_demand();
        let inbound = || model.lanes.iter().filter(|l| l.to_node == n);
        let owns_in_transit = inbound().any(|l| l.ownership_at_dispatch || l.supplier().is_none());
        let holds_in_transit = inbound().any(|l| l.ownership_at_dispatch);
        let per_sku_if = |on: bool| if on { vec![0; count] } else { Vec::new() };
        let cover = model.scorecard.excess_cover_days;
        let excess_level = model
            .mean_daily_demand_of(n)
            .iter()
            .map(|&mean| (cover * mean).ceil().min(i64::MAX as f64) as i64)
            .collect();
        let per_sku_if_timed = || if timed { vec![0; count] } else { Vec::new() };
        Self {
            on_hand,
            backorders: vec![0; count],
            backorder_lines: vec![Vec::new(); count],
            owed: vec![0; count],
            on_order: vec![0; count],
            echelon: vec![0; count],
            trigger_since: vec![NO_TRIGGER; count],
            orders: vec![0; count],
            day_shortfall: vec![0; count],
            sku_demand: if capabilities.observes_demand || model.scorecard.per_sku {
                vec![0; count]
            } else {
                Vec::new()
            },
            immediate_releases: 0,
            backlog: vec![Vec::new(); count],
            source_sku,
            arrivals: Vec::new(),
            expediting: vec![0; count],
            mean_demand: model.mean_daily_demand_of(n).to_vec(),
            unit_cost: sku_field(|s| s.unit_cost),
            holding_per_day: sku_field(|s| s.holding_cost_per_day()),
            ordering_cost: sku_field(|s| s.ordering_cost),
            backorder_penalty: sku_field(|s| s.backorder_penalty_per_day),
            lost_penalty: sku_field(|s| s.lost_sale_penalty),
            excess_level,
            stockout_runs: StockoutRuns::new(count),
            measured_days: 0,
            sku_tally: if model.scorecard.per_sku { vec![SkuTally::default(); count] } else { Vec::new() },
            in_transit_owned: per_sku_if(owns_in_transit),
            in_transit_held: per_sku_if(holds_in_transit),
            order_rules: super::constraints::node_rules(model, n),
            storage: node.storage,
            volume_storage: node.volume_storage,
            volumes: match node.volume_storage {
                Some(_) => node.skus.iter().map(|&g| model.skus[g].volume.expect("checked at load")).collect(),
                None => Vec::new(),
            },
            stock_since: if timed { vec![0; count] } else { Vec::new() },
            held_minutes: per_sku_if_timed(),
            backordered_minutes: per_sku_if_timed(),
            timed_costs: (0.0, 0.0),
            daily: DailyStreams::new(model, n, seed, replication),
            snapshots: vec![
                StockSnapshot { on_hand: vec![0; count], backorders: vec![0; count], owed: vec![0; count] };
                snapshot_slots(model)
            ],
            serves_customers: model.serves_customers(n),
            on_fallback: false,
            day_demand: 0,
            day_ordered: 0,
            tally: Tally::default(),
            series: ScopeSeries::default(),
            balance,
        }
    }

    /// What a strategy sees of this node at the end of `day`, its stock
    /// figures `data_delay` minutes old.
    pub fn view(&self, day: Day, forecast_available: bool, data_delay: Minute) -> NodeView<'_> {
        let (on_hand, backorders, owed) = match data_delay {
            0 => (&self.on_hand, &self.backorders, &self.owed),
            _ => {
                let seen = self.snapshot_at(day_start(day + 1), data_delay);
                (&seen.on_hand, &seen.backorders, &seen.owed)
            }
        };
        NodeView {
            day,
            on_hand,
            backorders,
            owed,
            on_order: &self.on_order,
            echelon_position: &self.echelon,
            demand: &self.sku_demand,
            forecast_available,
            data_delay,
        }
    }

    /// Keeps day `day`'s start-of-day stock figures (when any strategy may
    /// see stale data).
    pub fn take_snapshot(&mut self, day: Day) {
        let slots = self.snapshots.len();
        if slots > 0 {
            let snapshot = &mut self.snapshots[day as usize % slots];
            snapshot.on_hand.copy_from_slice(&self.on_hand);
            snapshot.backorders.copy_from_slice(&self.backorders);
            snapshot.owed.copy_from_slice(&self.owed);
        }
    }

    /// The snapshot of the latest day start at least `delay` (> 0) before
    /// `now`, day 0's at the earliest.
    fn snapshot_at(&self, now: Minute, delay: Minute) -> &StockSnapshot {
        let day = now.saturating_sub(delay) / MINUTES_PER_DAY;
        &self.snapshots[day as usize % self.snapshots.len()]
    }

    /// `sku`'s inventory position as a strategy sees it at `now` with
    /// stock figures `delay` minutes old.
    pub fn visible_position(&self, sku: usize, now: Minute, delay: Minute) -> i64 {
        if delay == 0 {
            return self.inventory_position(sku);
        }
        let seen = self.snapshot_at(now, delay);
        seen.on_hand[sku] - seen.backorders[sku] - seen.owed[sku] + self.on_order[sku]
    }

    #[inline]
    pub fn inventory_position(&self, sku: usize) -> i64 {
        self.on_hand[sku] - self.backorders[sku] - self.owed[sku] + self.on_order[sku]
    }

    /// Books the simulated latency of a decision of `kind` released on a
    /// measured day (latency-0 purchase orders are batched into the
    /// histogram at day end).
    #[inline]
    pub fn record_latency(&mut self, kind: DecisionKind, latency: Minute) {
        if latency == 0 && kind == DecisionKind::PurchaseOrder {
            self.immediate_releases += 1;
        } else {
            self.series.latency[kind as usize].record(latency);
        }
    }

    /// Takes `units` of `sku` off the shelf for another node.
    #[inline]
    pub fn ship_to_node(&mut self, sku: usize, units: i64) {
        self.on_hand[sku] -= units;
        self.balance.shipped_to_nodes += units;
    }

    /// Starts `sku`'s trigger clock at `now` if its inventory position has
    /// reached `reorder_point` and no trigger is pending.
    #[inline]
    pub fn note_trigger(&mut self, sku: usize, reorder_point: i64, now: Minute) {
        if self.trigger_since[sku] == NO_TRIGGER && self.inventory_position(sku) <= reorder_point {
            self.trigger_since[sku] = now;
        }
    }

    /// Withdraws every pending trigger whose SKU's inventory position is
    /// now above its reorder point in `reorder_points` (the levels just
    /// decided on): the need it timed no longer exists.
    #[inline]
    pub fn withdraw_stale_triggers(&mut self, reorder_points: &[i64]) {
        for (sku, &reorder_point) in reorder_points.iter().enumerate() {
            if self.trigger_since[sku] != NO_TRIGGER && self.inventory_position(sku) > reorder_point {
                self.trigger_since[sku] = NO_TRIGGER;
            }
        }
    }

    #[inline]
    pub fn record_shipped(&mut self, sku: usize, units: i64, measured: bool) {
        self.balance.shipped += units;
        if measured {
            self.tally.shipped += units;
            self.tally.shipped_cost += units as f64 * self.unit_cost[sku];
        }
    }

    /// Books `line`, of which `served` units came from stock at `now`; the
    /// rest is backordered (as one line) or lost, as its class says.
    #[inline]
    pub fn settle_demand(&mut self, line: Line, served: i64, served_cost: f64, now: Minute, measured: bool) {
        let mut books = DemandBooks::of_lines(u64::from(line.units > 0));
        self.settle_parts(&mut books, line, served, served_cost, now);
        self.post(&books, measured);
    }

    /// As [`settle_demand`](Self::settle_demand), summing into `books`
    /// instead of the tally: a day's demand sweep keeps its sums in
    /// registers and posts them once ([`post`](Self::post)).
    #[inline(always)]
    pub fn settle_into(&mut self, books: &mut DemandBooks, line: Line, served: i64, now: Minute) {
        let cost = served as f64 * self.unit_cost[line.sku];
        self.settle_parts(books, line, served, cost, now);
    }

    /// As [`settle_into`](Self::settle_into), with `served` units (some
    /// perhaps substitutes, module `substitution`) worth `served_cost` at
    /// unit cost.
    #[inline(always)]
    pub fn settle_parts(&mut self, books: &mut DemandBooks, line: Line, served: i64, served_cost: f64, now: Minute) {
        let (sku, short) = (line.sku, line.units - served);
        self.day_shortfall[sku] += short;
        if let Some(units) = self.sku_demand.get_mut(sku) {
            *units += line.units;
        }
        self.day_demand += line.units;
        books.demand += line.units;
        books.served += served;
        books.shipped_cost += served_cost;
        if short == 0 {
            return;
        }
        books.short_lines += 1;
        match line.shortage {
            Shortage::Backorder => {
                self.backorders[sku] += short;
                self.backorder_lines[sku].push(BackorderLine { class: line.class as u32, units: short, since: now });
            }
            Shortage::LostSales => {
                books.lost += short;
                books.lost_cost += short as f64 * self.lost_penalty[sku];
            }
        }
    }

    /// Serves `served` units of daily stream `i`'s line for local `sku` at
    /// `now` and books the line.
    #[inline(always)]
    pub fn serve_daily_line(&mut self, books: &mut DemandBooks, i: usize, sku: usize, served: i64, now: Minute) {
        let line = self.daily.line(i, sku);
        self.on_hand[sku] -= served;
        self.settle_into(books, line, served, now);
        self.daily.note_short(i, line.units - served);
    }

    /// Adds a sweep's demand sums to the books.
    pub fn post(&mut self, books: &DemandBooks, measured: bool) {
        self.balance.shipped += books.served;
        if measured {
            let t = &mut self.tally;
            t.demand += books.demand;
            t.served_from_stock += books.served;
            t.shipped += books.served;
            t.shipped_cost += books.shipped_cost;
            t.lost += books.lost;
            t.shortage_cost += books.lost_cost;
            t.lines += books.lines;
            t.lines_full += books.lines - books.short_lines;
        }
    }

    /// Books `units` of `sku` bought from a supplier (`purchase_cost`).
    #[inline]
    pub fn book_purchase(&mut self, sku: usize, units: i64, measured: bool) {
        if measured {
            self.tally.purchase_cost += units as f64 * self.unit_cost[sku];
        }
    }

    /// Counts `units` of `sku` departing towards this node as in transit
    /// (`owned`: in working capital; `held`: with holding cost).
    #[inline]
    pub fn start_transit(&mut self, sku: usize, units: i64, owned: bool, held: bool) {
        if owned {
            self.in_transit_owned[sku] += units;
        }
        if held {
            self.in_transit_held[sku] += units;
        }
    }

    /// Ends `shipment`'s transit (received, or written off when lost).
    #[inline]
    pub fn end_transit(&mut self, sku: usize, shipment: &crate::calendar::Shipment) {
        if shipment.owned {
            self.in_transit_owned[sku] -= shipment.units;
        }
        if shipment.held {
            self.in_transit_held[sku] -= shipment.units;
        }
    }

    /// Books the realised lead time (or, `lateral`, the transfer cycle
    /// time) of a shipment received on a measured day `minutes` after it
    /// departed.
    #[inline]
    pub fn record_receipt(&mut self, lateral: bool, minutes: Minute) {
        let tally = &mut self.tally;
        if lateral {
            tally.transfers_received += 1;
            tally.transfer_minutes += minutes;
        } else {
            tally.lead_times.record(minutes);
        }
    }

    /// Books the one-step-ahead errors of `forecasts` (per SKU, the
    /// strategy's forecast of today's demand) against today's demand.
    pub fn record_forecast_errors(&mut self, forecasts: &[f64]) {
        let (mut absolute, mut signed, mut demand) = (0.0, 0.0, 0.0);
        for (&forecast, &units) in forecasts.iter().zip(&self.sku_demand) {
            let error = forecast - units as f64;
            absolute += error.abs();
            signed += error;
            demand += units as f64;
        }
        let tally = &mut self.tally;
        tally.forecast_abs_error += absolute;
        tally.forecast_error += signed;
        tally.forecast_demand += demand;
    }

    /// Books every stock-out run not booked yet, at the end of the run.
    pub fn close_stockout_runs(&mut self) {
        let (tally, series) = (&mut self.tally, &mut self.series);
        self.stockout_runs.close(|length| book_stockout_run(tally, series, length));
    }

    /// Under event-driven demand, integrates `sku`'s on-hand and
    /// backorders up to `now`; call it before they change during a day
    /// (changes at a day's start or end minute need no call: they weigh
    /// nothing in the day they end and are accrued from then on).
    #[inline]
    pub fn accrue(&mut self, sku: usize, now: Minute) {
        if let Some(since) = self.stock_since.get_mut(sku) {
            let minutes = now.saturating_sub(*since) as i64;
            self.held_minutes[sku] += self.on_hand[sku] * minutes;
            self.backordered_minutes[sku] += self.backorders[sku] * minutes;
            *since = now;
        }
    }

    /// Under event-driven demand, closes the day ending at `end`: its
    /// holding cost and backorder penalty from the unit-minutes of on-hand
    /// and backorders over the day, for
    /// [`record_end_of_day`](Self::record_end_of_day). Called at the day
    /// end's minute before anything moves.
    pub fn close_timed_day(&mut self, end: Minute) {
        if self.stock_since.is_empty() {
            return;
        }
        let (mut holding, mut penalty) = (0.0, 0.0);
        for sku in 0..self.on_hand.len() {
            self.accrue(sku, end);
            holding += self.held_minutes[sku] as f64 * self.holding_per_day[sku];
            penalty += self.backordered_minutes[sku] as f64 * self.backorder_penalty[sku];
            self.held_minutes[sku] = 0;
            self.backordered_minutes[sku] = 0;
        }
        let day = MINUTES_PER_DAY as f64;
        self.timed_costs = (holding / day, penalty / day);
    }

    /// End-of-day statistics, after ordering; returns the node's on-hand and
    /// backorders. Holding cost and backorder penalty are the day end's
    /// stock × a day's rate under daily demand, the day's integral
    /// ([`close_timed_day`](Self::close_timed_day)) under event-driven demand.
    pub fn record_end_of_day(&mut self) -> (i64, i64) {
        // Day sums in locals (registers), added to the tally once.
        let (mut on_hand_sum, mut backorders_sum, mut on_order_sum) = (0i64, 0i64, 0i64);
        let (mut value, mut holding, mut penalty) = (0f64, 0f64, 0f64);
        let (mut ready, mut no_stockout) = (0u64, 0u64);
        let mut excess = 0f64;
        // Every per-SKU array cut to the SKU count: the loop indexes them
        // without bounds checks.
        let count = self.on_hand.len();
        let (on_hand, backorders, owed) = (&self.on_hand[..count], &self.backorders[..count], &self.owed[..count]);
        let (on_order, shortfall, excess_level) =
            (&self.on_order[..count], &self.day_shortfall[..count], &self.excess_level[..count]);
        let (unit_cost, holding_per_day, backorder_penalty) =
            (&self.unit_cost[..count], &self.holding_per_day[..count], &self.backorder_penalty[..count]);
        for sku in 0..count {
            let (on_hand, all_backorders) = (on_hand[sku], backorders[sku] + owed[sku]);
            on_hand_sum += on_hand;
            backorders_sum += all_backorders;
            on_order_sum += on_order[sku];
            value += on_hand as f64 * unit_cost[sku];
            holding += on_hand as f64 * holding_per_day[sku];
            penalty += backorders[sku] as f64 * backorder_penalty[sku];
            ready += u64::from(all_backorders == 0);
            if on_hand > excess_level[sku] {
                excess += (on_hand - excess_level[sku]) as f64 * unit_cost[sku];
            }
            if shortfall[sku] == 0 {
                no_stockout += 1;
            } else {
                let (tally, series) = (&mut self.tally, &mut self.series);
                let book = |length| book_stockout_run(tally, series, length);
                self.stockout_runs.stock_out(sku, self.measured_days, book);
            }
        }
        let in_transit_value = value_of(&self.in_transit_owned, unit_cost);
        let in_transit_holding = value_of(&self.in_transit_held, holding_per_day);
        self.measured_days += 1;
        if !self.sku_tally.is_empty() {
            self.record_sku_day();
        }
        if !self.stock_since.is_empty() {
            (holding, penalty) = self.timed_costs;
        }
        let tally = &mut self.tally;
        tally.on_hand_end += on_hand_sum;
        tally.backorders_end += backorders_sum;
        tally.on_order_end += on_order_sum;
        tally.on_hand_end_value += value;
        tally.holding_cost += holding + in_transit_holding;
        tally.shortage_cost += penalty;
        tally.ready_days += ready;
        tally.excess_value += excess;
        tally.in_transit_value += in_transit_value;
        tally.in_transit_holding_cost += in_transit_holding;
        tally.no_stockout_days += no_stockout;
        tally.sku_days += self.on_hand.len() as u64;
        let immediate = std::mem::take(&mut self.immediate_releases);
        self.series.latency[DecisionKind::PurchaseOrder as usize].record_zeros(immediate);
        tally.service_sku_days += self.on_hand.len() as u64;
        self.series.daily_demand.push(self.day_demand as f64);
        self.series.daily_orders.push(self.day_ordered as f64);
        (on_hand_sum, backorders_sum)
    }

    /// Per-SKU results: adds the day end's figures of every SKU.
    fn record_sku_day(&mut self) {
        for (sku, t) in self.sku_tally.iter_mut().enumerate() {
            let (on_hand, short) = (self.on_hand[sku], self.day_shortfall[sku]);
            t.days += 1;
            t.demand += self.sku_demand[sku];
            t.short += short;
            t.stockout_days += u64::from(short > 0);
            t.on_hand_end += on_hand;
            t.backorders_end += self.backorders[sku] + self.owed[sku];
            t.value_end += on_hand as f64 * self.unit_cost[sku];
            if on_hand > self.excess_level[sku] {
                t.excess_value += (on_hand - self.excess_level[sku]) as f64 * self.unit_cost[sku];
            }
        }
    }

    /// Books the day's fallback state: a switch when a fallback takes over,
    /// and the day's demand and service while one decides.
    pub fn record_fallback(&mut self, on_fallback: bool, measured: bool) {
        if measured && on_fallback {
            let tally = &mut self.tally;
            tally.fallback_switches += u64::from(!self.on_fallback);
            tally.fallback_days += 1;
            tally.fallback_demand += self.day_demand;
            tally.fallback_served += self.day_demand - self.day_shortfall.iter().sum::<i64>();
        }
        self.on_fallback = on_fallback;
    }

    /// Forgets one due arrival of `sku` (expedite tracking).
    pub fn forget_arrival(&mut self, sku: usize, arrival: Minute) {
        if let Some(list) = self.arrivals.get_mut(sku)
            && let Some(i) = list.iter().position(|&a| a == arrival)
        {
            list.swap_remove(i);
        }
    }
}

/// Σ units × rate over the SKUs, in SKU order (0 when `units` is empty:
/// nothing of the kind is tracked).
#[inline]
fn value_of(units: &[i64], rates: &[f64]) -> f64 {
    let rates = &rates[..units.len()];
    let mut value = 0f64;
    for (&units, &rate) in units.iter().zip(rates) {
        value += units as f64 * rate;
    }
    value
}

/// Books a stock-out run of `length` (> 0) days.
#[inline]
fn book_stockout_run(tally: &mut Tally, series: &mut ScopeSeries, length: u32) {
    tally.stockout_runs += 1;
    tally.stockout_run_days += u64::from(length);
    series.stockout_runs.record(u64::from(length));
}

/// Runs of consecutive stock-out days per SKU, booked late: a run is
/// handed to the booking when the SKU's next run starts or at
/// [`close`](Self::close), so a day without a stock-out costs nothing.
/// Every run is booked exactly once, with its full length (the order of
/// bookings differs from day-by-day booking, not what is booked).
#[derive(Debug)]
struct StockoutRuns {
    /// Per SKU, its latest run not booked yet: (index of its last day + 1,
    /// its length in days; 0 when none).
    latest: Vec<(u32, u32)>,
}

impl StockoutRuns {
    fn new(skus: usize) -> Self {
        Self { latest: vec![(0, 0); skus] }
    }

    /// `sku` is out of stock on day `day` (indices ascending, each day at
    /// most once per SKU): extends its run if day − 1 was one, else books
    /// the last run and starts a new one.
    #[inline]
    fn stock_out(&mut self, sku: usize, day: u32, book: impl FnOnce(u32)) {
        let (last, length) = &mut self.latest[sku];
        if *last != day && *length > 0 {
            book(std::mem::take(length));
        }
        *length += 1;
        *last = day + 1;
    }

    /// Books every run not booked yet.
    fn close(&mut self, mut book: impl FnMut(u32)) {
        for (_, length) in &mut self.latest {
            if *length > 0 {
                book(std::mem::take(length));
            }
        }
    }
}

/// Snapshots a node keeps: enough day starts to look back the longest data
/// delay of the run (none when there is no delay).
fn snapshot_slots(model: &Model) -> usize {
    match Timeline::longest_data_delay(model) {
        0 => 0,
        delay => delay.div_ceil(MINUTES_PER_DAY) as usize + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::StockoutRuns;

    /// Run lengths of a day-by-day pattern (`true`: stock-out), counted the
    /// plain way: a run ends at a day without a stock-out or at the end.
    fn plain_runs(days: &[bool]) -> Vec<u32> {
        days.split(|&out| !out).filter(|run| !run.is_empty()).map(|run| run.len() as u32).collect()
    }

    /// Three SKUs over patterns with runs at the first day, at the last,
    /// of one day between single good days, and long ones: the late
    /// booking books the same runs as counting day by day.
    #[test]
    fn stockout_runs_booked_late_are_the_runs_counted_day_by_day() {
        let patterns = ["XX.X.XXX..X", ".X.X.X.X.XX", "XXXXXXXXXXX", "..........."];
        let patterns: Vec<Vec<bool>> = patterns.iter().map(|p| p.chars().map(|c| c == 'X').collect()).collect();
        let mut runs = StockoutRuns::new(patterns.len());
        let mut booked = vec![Vec::new(); patterns.len()];
        for day in 0..patterns[0].len() {
            for (sku, pattern) in patterns.iter().enumerate() {
                if pattern[day] {
                    runs.stock_out(sku, day as u32, |length| booked[sku].push(length));
                }
            }
        }
        let mut closed = Vec::new();
        runs.close(|length| closed.push(length));
        // `close` books each SKU's last run, in SKU order.
        let mut last = closed.into_iter();
        for (sku, pattern) in patterns.iter().enumerate() {
            let expected = plain_runs(pattern);
            if !expected.is_empty() {
                booked[sku].push(last.next().expect("a last run"));
            }
            assert_eq!(booked[sku], expected, "SKU {sku}");
        }
        assert_eq!(plain_runs(&patterns[0]), [2, 1, 3, 1]);
    }
}
