//! Per-SKU-location read-out of a run, for the search.
//!
//! The engine reports metrics per node and network-wide, not per SKU. The
//! tuner needs each SKU-location's cost and service from one simulation of
//! all of them, so it wraps each node's strategy in a [`Probe`]: a
//! [`Replenishment`] that delegates every decision to the wrapped strategy
//! and reads the node's figures from the strategy's own view at each day
//! end — nothing is added to the engine, and a run without tuning is
//! untouched. (The probe asks the engine for the day's demand per SKU,
//! which the engine then tracks for that node.)
//!
//! Per local SKU, over the measured days, from the day-end view (taken
//! at the review on daily-review policies, after the evening's shipments;
//! at `observe` otherwise — identical at a node that feeds none):
//! * holding = Σ on-hand × unit cost × holding rate ÷ 365;
//! * shortage = Σ customer backorders × backorder penalty per unit-day +
//!   lost units × lost-sale penalty;
//! * ordering = orders with positive quantity × ordering cost, transport =
//!   units ordered × the primary lane's cost per unit;
//! * served from stock on day t = min(D_t, max(0, OH_{t−1} − B_{t−1} + R_t))
//!   with receipts R_t = on-order seen yesterday + ordered since − on-order
//!   seen today; fill rate = Σ served ÷ Σ D; cycle service = days with
//!   served = D ÷ days; ready rate = days ending with no backorders ÷ days.
//!
//! These equal the engine's node metrics exactly for a node without
//! visibility delay or approvals whose demand is daily (a test checks
//! holding, ordering, shortage and fill rate against the engine); with
//! those, they guide the search only, and the comparison on fresh
//! replications measures the tuned policy with the engine's own metrics.

use echelon_sim::model::{Model, Shortage};
use echelon_sim::strategy::{Capabilities, NodeView, Replenishment, Review};
use std::cell::RefCell;
use std::sync::Mutex;

/// One SKU-location's sums over the measured days of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SkuTally {
    /// Measured days.
    pub days: u32,
    /// Holding cost.
    pub holding: f64,
    /// Ordering cost.
    pub ordering: f64,
    /// Transport cost.
    pub transport: f64,
    /// Shortage cost.
    pub shortage: f64,
    /// Units demanded.
    pub demand: i64,
    /// Units served from stock on the day demanded.
    pub served: i64,
    /// Days whose whole demand was served from stock.
    pub no_stockout_days: u32,
    /// Days ending without backorders.
    pub ready_days: u32,
    /// Σ day-end backorders.
    pub backorders: i64,
}

impl SkuTally {
    /// Per-day cost excluding shortage (holding + ordering + transport).
    pub fn operating_cost(&self) -> f64 {
        (self.holding + self.ordering + self.transport) / f64::from(self.days.max(1))
    }

    /// Per-day total cost.
    pub fn total_cost(&self) -> f64 {
        self.operating_cost() + self.shortage / f64::from(self.days.max(1))
    }
}

/// Economics of one node's SKUs, in local order.
#[derive(Debug, Clone)]
pub struct NodeEconomics {
    holding: Vec<f64>,
    ordering: Vec<f64>,
    penalty: Vec<f64>,
    lost_penalty: Vec<f64>,
    transport: f64,
    lost_sales: bool,
    feeds_none: bool,
    warmup: u32,
}

impl NodeEconomics {
    /// Node `node` of `model`.
    pub fn of(model: &Model, node: usize) -> Self {
        let skus = &model.nodes[node].skus;
        let field = |f: fn(&echelon_sim::model::Sku) -> f64| skus.iter().map(|&g| f(&model.skus[g])).collect();
        let lost_sales =
            model.demand.iter().any(|d| d.node == node && model.classes[d.class].shortage == Shortage::LostSales);
        Self {
            holding: field(|s| s.holding_cost_per_day()),
            ordering: field(|s| s.ordering_cost),
            penalty: field(|s| s.backorder_penalty_per_day),
            lost_penalty: field(|s| s.lost_sale_penalty),
            transport: model.nodes[node].sources.first().map_or(0.0, |&l| model.lanes[l].cost_per_unit),
            lost_sales,
            feeds_none: model.children(node).next().is_none(),
            warmup: model.experiment.warmup_days,
        }
    }
}

/// A strategy wrapped to read its node's figures out per SKU.
pub struct Probe<'a> {
    inner: Box<dyn Replenishment + 'a>,
    economics: &'a NodeEconomics,
    inner_observes: bool,
    stock_at_review: bool,
    sink: &'a Mutex<Vec<SkuTally>>,
    tally: Vec<SkuTally>,
    /// Yesterday's on-hand − backorders, and on-order seen at observe.
    net: Vec<i64>,
    on_order: Vec<i64>,
    ordered_since: Vec<i64>,
    /// Continuous-review orders since the last observe: (SKU, units).
    continuous: RefCell<Vec<(usize, i64)>>,
    day: u32,
    started: bool,
}

impl<'a> Probe<'a> {
    /// Wraps `inner`; the tallies go to `sink` when the run drops the probe.
    pub fn new(
        inner: Box<dyn Replenishment + 'a>,
        economics: &'a NodeEconomics,
        sink: &'a Mutex<Vec<SkuTally>>,
    ) -> Self {
        let skus = economics.holding.len();
        let daily = matches!(inner.review(), Review::Periodic { period_days: 1, .. } | Review::Continuous);
        Self {
            inner_observes: inner.capabilities().observes_demand,
            stock_at_review: daily && !economics.feeds_none,
            net: (0..skus).map(|k| inner.initial_on_hand(k)).collect(),
            inner,
            economics,
            sink,
            tally: vec![SkuTally::default(); skus],
            on_order: vec![0; skus],
            ordered_since: vec![0; skus],
            continuous: RefCell::new(Vec::new()),
            day: 0,
            started: false,
        }
    }

    fn measured(&self) -> bool {
        self.started && self.day >= self.economics.warmup
    }

    fn book_order(&mut self, sku: usize, quantity: i64) {
        if quantity > 0 {
            self.ordered_since[sku] += quantity;
            if self.measured() {
                let t = &mut self.tally[sku];
                t.ordering += self.economics.ordering[sku];
                t.transport += quantity as f64 * self.economics.transport;
            }
        }
    }

    fn book_stock(&mut self, view: &NodeView<'_>) {
        let e = self.economics;
        for (sku, t) in self.tally.iter_mut().enumerate() {
            t.holding += view.on_hand[sku] as f64 * e.holding[sku];
            t.shortage += view.backorders[sku] as f64 * e.penalty[sku];
            t.backorders += view.backorders[sku];
            t.ready_days += u32::from(view.backorders[sku] == 0);
        }
    }
}

impl Replenishment for Probe<'_> {
    fn review(&self) -> Review {
        self.inner.review()
    }
    fn reorder_points(&self) -> &[i64] {
        self.inner.reorder_points()
    }
    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.inner.initial_on_hand(sku)
    }
    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64 {
        // Continuous review between day ends; booked at the next observe.
        let quantity = self.inner.order_quantity(sku, inventory_position);
        if quantity > 0 {
            self.continuous.borrow_mut().push((sku, quantity));
        }
        quantity
    }
    fn capabilities(&self) -> Capabilities {
        // The probe reads every day end's view, whatever its strategy needs.
        self.inner.capabilities().with_observes_demand()
    }
    fn on_fallback(&self) -> bool {
        self.inner.on_fallback()
    }
    fn forecasts(&self) -> Option<&[f64]> {
        self.inner.forecasts()
    }

    fn observe(&mut self, view: &NodeView<'_>) {
        self.day = view.day;
        self.started = true;
        let continuous = std::mem::take(self.continuous.get_mut());
        for (sku, quantity) in continuous {
            self.book_order(sku, quantity);
        }
        let measured = self.measured();
        let e = self.economics;
        for sku in 0..self.tally.len() {
            // Receipts since yesterday's observe: what was on order then,
            // plus what was ordered since, minus what is on order now
            // (continuous-review orders of today included).
            let receipts = (self.on_order[sku] + self.ordered_since[sku] - view.on_order[sku]).max(0);
            let demand = view.demand.get(sku).copied().unwrap_or(0);
            let available = (self.net[sku] + receipts).max(0);
            let served = demand.min(available);
            if measured {
                let t = &mut self.tally[sku];
                t.days += 1;
                t.demand += demand;
                t.served += served;
                t.no_stockout_days += u32::from(served == demand);
                if e.lost_sales {
                    t.shortage += (demand - served) as f64 * e.lost_penalty[sku];
                }
            }
            self.net[sku] = view.on_hand[sku] - view.backorders[sku];
            self.on_order[sku] = view.on_order[sku];
            self.ordered_since[sku] = 0;
        }
        if measured && !self.stock_at_review {
            self.book_stock(view);
        }
        if self.inner_observes {
            self.inner.observe(view);
        }
    }

    fn decide(&mut self, view: &NodeView<'_>, orders: &mut [i64]) {
        self.inner.decide(view, orders);
        for (sku, &quantity) in orders.iter().enumerate() {
            self.book_order(sku, quantity);
        }
        if self.measured() && self.stock_at_review {
            self.book_stock(view);
        }
    }
}

impl Drop for Probe<'_> {
    fn drop(&mut self) {
        let mut sink = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        *sink = std::mem::take(&mut self.tally);
    }
}
