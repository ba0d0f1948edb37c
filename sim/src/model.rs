//! The validated network model a run simulates.
//!
//! # Contract
//!
//! A [`Model`] is built and validated by the scenario loader before anything
//! runs; the engine trusts it. Indices are positions in the model's vectors
//! and are stable for the whole run.
//!
//! The network: suppliers feed stocking nodes over replenishment lanes, and
//! stocking nodes (distribution centres) feed other stocking nodes
//! (warehouses), to any depth. Replenishment lanes form no cycle. Every node
//! has one or two replenishment sources (primary, then secondary) chosen per
//! order by its [`Sourcing`] rule; lateral lanes between nodes carry
//! transfers only. Suppliers have unlimited stock and an optional capacity
//! per day. SKUs may carry order rules ([`OrderRules`]: MOQ, case pack,
//! maximum), nodes a storage capacity in units ([`Storage`]) or volume
//! ([`VolumeStorage`]), lanes a capacity per
//! day and trucks ([`Trucks`]). Each node stocks the SKUs in
//! [`StockingNode::skus`] (its *local* order): those with customer demand
//! there and those any node it feeds stocks. Every demand stream belongs to one (node, local SKU, customer
//! class).
//!
//! [`ModelBuilder`] builds a model in code and checks these invariants.

use crate::disruption::{DemandPattern, Disruption, RandomOutage};
use crate::distribution::{DailyDemand, LeadTime, OrderSize};
use crate::governance::Governance;
use crate::time::Day;
use std::sync::OnceLock;

mod builder;
pub use builder::{ModelBuilder, ModelError};

/// A stock-keeping unit and its economics.
#[derive(Debug, Clone)]
pub struct Sku {
    /// Identifier as written in the scenario.
    pub id: String,
    /// Purchase cost per unit (inventory is valued at cost).
    pub unit_cost: f64,
    /// Selling price per unit.
    pub price: f64,
    /// Holding cost per year as a fraction of unit cost.
    pub holding_rate: f64,
    /// Fixed cost per order line placed.
    pub ordering_cost: f64,
    /// Penalty per backordered unit per day (charged on end-of-day backorders
    /// under daily demand, on backorders integrated over time under
    /// event-driven demand: see `shortage_cost` in [`crate::metrics`]).
    pub backorder_penalty_per_day: f64,
    /// Penalty per lost unit (defaults to the margin, price − unit cost).
    pub lost_sale_penalty: f64,
    /// Minimum order quantity, case pack and maximum order quantity of
    /// every purchase order of this SKU, at every location.
    pub order_rules: OrderRules,
    /// SKUs that may serve this SKU's unmet demand at a location, in the
    /// order they are tried (module `engine::substitution`); empty: none.
    pub substitutes: Vec<Substitute>,
    /// What happens to units of this SKU customers return.
    pub returns: ReturnDisposition,
    /// Volume of one unit (any unit of volume, the same as the locations'
    /// `capacity_volume`), if given; needed where a location limits its
    /// storage by volume ([`VolumeStorage`]).
    pub volume: Option<f64>,
}

/// A SKU's order constraints, applied by the engine to every purchase
/// order after the replenishment policy's rule, whatever the policy and
/// wherever the order goes (a supplier or a source location):
///
/// 1. a quantity below `min_order` is raised to `min_order`;
/// 2. it is rounded up to whole case packs (a multiple of `case_pack`);
/// 3. it is capped at `max_order` rounded *down* to whole packs: a cap
///    that is not a multiple of the pack caps at the largest multiple
///    below it (`max_order` 100 with `case_pack` 12 caps at 96), so an
///    order is always whole packs.
///
/// The scenario loader refuses rules under which no order satisfies all
/// three (`min_order` rounded up to packs above that cap), so a result is
/// always ≥ `min_order`, ≤ `max_order` and whole packs. A policy's order
/// of 0 stays 0. The part of a need above the cap is not ordered; the
/// policy sees the smaller position and orders again at its next review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderRules {
    /// Minimum order quantity (0 or 1: none).
    pub min_order: i64,
    /// Units per case (≥ 1; 1: any quantity).
    pub case_pack: i64,
    /// Maximum order quantity (`None`: unlimited).
    pub max_order: Option<i64>,
}

impl Default for OrderRules {
    fn default() -> Self {
        Self { min_order: 0, case_pack: 1, max_order: None }
    }
}

impl OrderRules {
    /// Does any rule change an order?
    pub(crate) fn is_free(&self) -> bool {
        self.min_order <= 1 && self.case_pack == 1 && self.max_order.is_none()
    }

    /// The cap in force: `max_order` rounded down to whole packs.
    pub fn cap(&self) -> Option<i64> {
        self.max_order.map(|m| m / self.case_pack * self.case_pack)
    }

    /// The quantity ordered when the policy asks for `quantity` (rules in
    /// the type's doc; `quantity ≤ 0` orders nothing).
    #[inline]
    pub fn apply(&self, quantity: i64) -> i64 {
        if quantity <= 0 {
            return 0;
        }
        let raised = quantity.max(self.min_order);
        let packed = (raised + (self.case_pack - 1)) / self.case_pack * self.case_pack;
        match self.cap() {
            Some(cap) => packed.min(cap),
            None => packed,
        }
    }
}

/// A SKU that may stand in for another.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Substitute {
    /// Index into [`Model::skus`] (never the SKU it stands in for).
    pub sku: usize,
    /// Cost per unit served as a substitute (margin given up, relabelling…).
    pub cost_per_unit: f64,
}

/// What a location does with units of a SKU that customers return.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReturnDisposition {
    /// Back into on-hand, available to serve demand.
    #[default]
    Restock,
    /// Written off at unit cost.
    Scrap,
}

/// Customer returns of a class: a share of the units shipped to it comes
/// back after a delay (module `engine::returns`).
#[derive(Debug, Clone)]
pub struct Returns {
    /// Probability that a unit shipped comes back, in [0, 1].
    pub share: f64,
    /// Delay from shipment to the return's arrival at the location.
    pub delay: LeadTime,
}

impl Sku {
    /// Holding cost of one unit for one day.
    #[inline]
    pub fn holding_cost_per_day(&self) -> f64 {
        self.unit_cost * self.holding_rate / 365.0
    }
}

/// What happens to demand that cannot be served from stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortage {
    /// The unserved units wait and are served from later receipts.
    Backorder,
    /// The unserved units are lost.
    LostSales,
}

/// A customer class.
#[derive(Debug, Clone)]
pub struct CustomerClass {
    /// Name as written in the scenario.
    pub name: String,
    /// Priority tier (1 = highest).
    pub tier: u32,
    /// What happens to this class's unserved demand.
    pub shortage: Shortage,
    /// Service-level agreement: days from demand to delivery (≥ 0).
    pub sla_days: f64,
    /// Margin per unit (currency), when given.
    pub margin: Option<f64>,
    /// Penalty per unit and day delivered after the SLA (currency).
    pub late_penalty_per_day: f64,
    /// Days a backordered customer waits before cancelling (never when
    /// `None`).
    pub patience_days: Option<f64>,
    /// May an order line ship in parts? When not, a line ships whole or
    /// waits (or is lost, for a lost-sales class).
    pub partial_shipment: bool,
    /// Customer returns of this class (none when `None`).
    pub returns: Option<Returns>,
}

impl CustomerClass {
    /// A class with only a name, a tier and a shortage rule (SLA 0, no
    /// margin, no late penalty, endless patience, partial shipment).
    pub fn plain(name: &str, tier: u32, shortage: Shortage) -> Self {
        Self {
            name: name.into(),
            tier,
            shortage,
            sla_days: 0.0,
            margin: None,
            late_penalty_per_day: 0.0,
            patience_days: None,
            partial_shipment: true,
            returns: None,
        }
    }

    /// A claim of `units` by this class arising at `now`.
    pub fn claim(&self, units: i64, now: crate::time::Minute) -> crate::strategy::Claim {
        crate::strategy::Claim {
            units,
            since: now,
            tier: self.tier,
            margin: self.margin.unwrap_or(0.0),
            due: now + crate::time::days_to_minutes(self.sla_days),
            late_penalty: self.late_penalty_per_day,
        }
    }
}

/// A supplier: every SKU, optionally limited in units shipped per day.
#[derive(Debug, Clone)]
pub struct Supplier {
    /// Identifier as written in the scenario.
    pub id: String,
    /// Units it can ship per day over all its lanes (unlimited when `None`);
    /// what exceeds it waits, first in first out, for the next days.
    pub capacity_per_day: Option<i64>,
}

/// Where a lane starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A supplier, index into [`Model::suppliers`].
    Supplier(usize),
    /// A stocking node, index into [`Model::nodes`].
    Node(usize),
}

/// A faster, dearer way to ship over a lane.
#[derive(Debug, Clone)]
pub struct ExpediteMode {
    /// Lead time of an expedited shipment.
    pub lead_time: LeadTime,
    /// Premium per unit.
    pub cost_per_unit: f64,
    /// Premium per shipment.
    pub cost_per_shipment: f64,
}

/// A transport lane into a stocking node.
#[derive(Debug, Clone)]
pub struct Lane {
    /// Where goods come from.
    pub from: Source,
    /// Index into [`Model::nodes`].
    pub to_node: usize,
    /// Lead time from departure to arrival.
    pub lead_time: LeadTime,
    /// Transport cost per unit shipped.
    pub cost_per_unit: f64,
    /// A lateral lane between stocking nodes: transfers only.
    pub lateral: bool,
    /// Its expedite mode, if it has one.
    pub expedite: Option<ExpediteMode>,
    /// Does the receiving location own the goods from dispatch (so they
    /// count in its working capital and carry holding cost in transit)?
    /// Otherwise from receipt — except that goods between stocking
    /// locations are always the network's (working capital, no holding
    /// cost in transit).
    pub ownership_at_dispatch: bool,
    /// Units that may depart on it per day (unlimited when `None`).
    pub capacity_per_day: Option<i64>,
    /// Truck consolidation, if shipments travel by the truckload.
    pub trucks: Option<Trucks>,
}

/// Truck consolidation on a lane ([`Lane::trucks`]).
///
/// Shipments released on a lane with trucks (or a daily capacity) wait at
/// the lane and depart at the day end, first in first out; each day end the
/// lane loads as many full trucks as the waiting units fill (within its
/// capacity per day), and one last partial truck when its load is at least
/// `min_load` or the oldest units left after the full trucks have waited
/// `max_wait_days`. Each truck costs `cost_per_truck` (transport cost of
/// the receiving location). Expedites bypass the trucks and the capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trucks {
    /// Units one truck carries.
    pub units: i64,
    /// Cost per truck dispatched.
    pub cost_per_truck: f64,
    /// A partial truck leaves with at least this many units (0: any load;
    /// `units`: full trucks only).
    pub min_load: i64,
    /// A partial truck leaves anyway once its oldest units have waited this
    /// many days (`None`: it waits for `min_load`).
    pub max_wait_days: Option<u32>,
}

impl Lane {
    /// The supplier a lane starts at, if it starts at one.
    pub fn supplier(&self) -> Option<usize> {
        match self.from {
            Source::Supplier(s) => Some(s),
            Source::Node(_) => None,
        }
    }
}

/// Which source gets an order when a node has two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sourcing {
    /// The primary, unless it is disrupted when the order is released.
    #[default]
    PrimaryFirst,
    /// The lane with the lower cost per unit (the primary on ties).
    Cheapest,
    /// The lane with the shorter mean lead time (the primary on ties).
    Fastest,
}

/// A stocking location (distribution centre or warehouse).
#[derive(Debug, Clone)]
pub struct StockingNode {
    /// Identifier as written in the scenario.
    pub id: String,
    /// Replenishment lanes into it: the primary first, then a secondary.
    pub sources: Vec<usize>,
    /// How an order picks among `sources`.
    pub sourcing: Sourcing,
    /// Global SKU indices stocked here, in local order.
    pub skus: Vec<usize>,
    /// Height in the network: 0 for a node no other node sources from,
    /// else 1 + the largest height of the nodes it feeds.
    pub height: u32,
    /// Its storage capacity, if limited.
    pub storage: Option<Storage>,
    /// Its storage capacity by volume, if limited.
    pub volume_storage: Option<VolumeStorage>,
}

/// A location's storage capacity and what stock above it costs.
///
/// The rule: receipts are never refused. Stock above the capacity is kept
/// in overflow space rented at a premium: once a day, after the
/// start-of-day receipts (the day's peak under daily-batch demand, where
/// stock only falls during the day), the location's on-hand of all its
/// SKUs above `capacity` is in overflow and costs `overflow_cost_per_unit_day`
/// per unit for that day (metrics `overflow_units_mean`, `overflow_cost`).
/// Overflow stock is the location's on-hand like any other, so the unit
/// balances are unchanged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Storage {
    /// Units the location stores (all SKUs together).
    pub capacity: i64,
    /// Premium per unit and day in overflow space.
    pub overflow_cost_per_unit_day: f64,
}

/// A location's storage capacity by volume, under the same rule as
/// [`Storage`]: receipts are never refused; once a day, after the
/// start-of-day receipts, the volume of the location's on-hand (Σ units ×
/// the SKU's `volume`, over every SKU it stocks) above `capacity` is in
/// overflow and costs `overflow_cost_per_volume_day` per unit of volume for
/// that day (metrics `overflow_volume_mean`, `overflow_cost`). Every SKU
/// the location stocks has a volume (the loader checks it). A location may
/// limit units and volume both; each limit is counted on its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VolumeStorage {
    /// Volume the location stores (all SKUs together).
    pub capacity: f64,
    /// Premium per unit of volume and day in overflow space.
    pub overflow_cost_per_volume_day: f64,
}

impl StockingNode {
    /// The primary replenishment lane.
    pub(crate) fn primary_lane(&self) -> usize {
        self.sources[0]
    }
}

/// How a demand stream generates customer demand.
#[derive(Debug, Clone)]
pub enum DemandProcess {
    /// One quantity per day, served during the day in one batch.
    Daily(DailyDemand),
    /// A Poisson stream of customer orders, each an event of its own.
    Orders {
        /// Expected orders per day.
        rate_per_day: f64,
        /// Units per order.
        size: OrderSize,
    },
}

impl DemandProcess {
    /// Expected units per day.
    pub fn mean_per_day(&self) -> f64 {
        match self {
            Self::Daily(d) => d.mean(),
            Self::Orders { rate_per_day, size } => rate_per_day * size.mean(),
        }
    }
}

/// Customer demand of one class for one SKU at one node.
#[derive(Debug, Clone)]
pub struct DemandStream {
    /// Index into [`Model::nodes`].
    pub node: usize,
    /// Local SKU index at that node.
    pub local_sku: usize,
    /// Index into [`Model::classes`].
    pub class: usize,
    /// The generating process.
    pub process: DemandProcess,
}

/// Horizon, warm-up, replications and seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Experiment {
    /// Simulated days per run, warm-up included.
    pub horizon_days: Day,
    /// Leading days excluded from every metric.
    pub warmup_days: Day,
    /// Independent replications per strategy.
    pub replications: u32,
    /// Scenario seed.
    pub seed: u64,
}

impl Experiment {
    /// Days that count toward metrics.
    pub fn measured_days(&self) -> Day {
        self.horizon_days - self.warmup_days
    }
}

/// Scorecard settings: how the metrics that need a parameter are measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    /// Days of mean demand above which on-hand is excess
    /// (`excess_stock_value`); 90 by default.
    pub excess_cover_days: f64,
    /// Keep per-SKU-location results (and per-ABC-class figures)?
    pub per_sku: bool,
    /// ABC class per SKU (0 = A, 1 = B, 2 = C) as the scenario gives it;
    /// empty: derived by demand value ([`Model::abc_classes`]).
    pub abc: Vec<u8>,
}

impl Default for Scorecard {
    fn default() -> Self {
        Self { excess_cover_days: 90.0, per_sku: false, abc: Vec::new() }
    }
}

/// The ABC class names, in class order.
pub const ABC_CLASSES: [&str; 3] = ["A", "B", "C"];

/// Everything a run needs to know about the network.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// All SKUs.
    pub skus: Vec<Sku>,
    /// Customer classes (at least one).
    pub classes: Vec<CustomerClass>,
    /// Suppliers.
    pub suppliers: Vec<Supplier>,
    /// Stocking nodes.
    pub nodes: Vec<StockingNode>,
    /// Replenishment lanes.
    pub lanes: Vec<Lane>,
    /// Demand streams, sorted by (node, local SKU, class).
    pub demand: Vec<DemandStream>,
    /// Timed disruptions, in scenario order.
    pub disruptions: Vec<Disruption>,
    /// Random outage processes.
    pub random_outages: Vec<RandomOutage>,
    /// Seasonality and trend of all demand.
    pub demand_pattern: Option<DemandPattern>,
    /// Approval governance (every decision released at once when `None`).
    pub governance: Option<Governance>,
    /// How old the stock figures strategies see are, minutes (0: current);
    /// stale-data events may lengthen it for a while.
    pub visibility_delay: crate::time::Minute,
    /// Run shape.
    pub experiment: Experiment,
    /// Scorecard settings.
    pub scorecard: Scorecard,
    /// Per-node indices derived from the fields above, built on first use
    /// ([`ModelIndex`]); construct a model with `Default::default()` here.
    pub index: OnceLock<ModelIndex>,
}

/// Per-node indices of a [`Model`]: what set-up asks of every node — the
/// nodes it feeds, the demand streams it serves, its mean daily demand —
/// found in O(1) instead of a scan of all nodes or all demand streams per
/// node. Built once per model, on first use, in O(nodes + lanes + demand
/// streams + SKU-locations · depth); the model must not change afterwards
/// (models are built, validated and then only read).
#[derive(Debug, Clone, Default)]
pub struct ModelIndex {
    /// `children[child_start[n]..child_start[n + 1]]`: the nodes whose
    /// primary lane comes from `n`, in model order.
    child_start: Vec<u32>,
    children: Vec<u32>,
    /// Per node, does any replenishment (non-lateral) lane start there?
    feeds_others: Vec<bool>,
    /// `demand_streams[demand_start[n]..demand_start[n + 1]]`: indices into
    /// [`Model::demand`] of node `n`'s streams, in model order.
    demand_start: Vec<u32>,
    demand_streams: Vec<u32>,
    /// `own_mean[sku_start[n] + k]`, `mean[…]`: the node's local SKU `k`'s
    /// mean daily demand of its own customers, and with the nodes it feeds.
    sku_start: Vec<usize>,
    own_mean: Vec<f64>,
    mean: Vec<f64>,
    /// Is any demand stream event-driven ([`DemandProcess::Orders`])?
    order_demand: bool,
}

impl ModelIndex {
    fn new(model: &Model) -> Self {
        let n = model.nodes.len();
        let csr = |pairs: &mut dyn Iterator<Item = (usize, u32)>| {
            let pairs: Vec<(usize, u32)> = pairs.collect();
            let mut start = vec![0u32; n + 1];
            for &(at, _) in &pairs {
                start[at + 1] += 1;
            }
            for k in 0..n {
                start[k + 1] += start[k];
            }
            let mut next: Vec<u32> = start[..n].to_vec();
            let mut items = vec![0u32; pairs.len()];
            // Stable: items keep their order within a node.
            for (at, item) in pairs {
                items[next[at] as usize] = item;
                next[at] += 1;
            }
            (start, items)
        };
        let (child_start, children) =
            csr(&mut (0..n).filter_map(|c| match model.lanes[model.nodes[c].primary_lane()].from {
                Source::Node(p) => Some((p, c as u32)),
                Source::Supplier(_) => None,
            }));
        let (demand_start, demand_streams) = csr(&mut model.demand.iter().enumerate().map(|(i, s)| (s.node, i as u32)));
        let mut feeds_others = vec![false; n];
        for lane in model.lanes.iter().filter(|l| !l.lateral) {
            if let Source::Node(p) = lane.from {
                feeds_others[p] = true;
            }
        }
        let mut sku_start = Vec::with_capacity(n + 1);
        sku_start.push(0);
        for node in &model.nodes {
            sku_start.push(sku_start.last().copied().unwrap_or(0) + node.skus.len());
        }
        let order_demand = model.demand.iter().any(|s| matches!(s.process, DemandProcess::Orders { .. }));
        let mut own_mean = vec![0.0; sku_start[n]];
        for stream in &model.demand {
            own_mean[sku_start[stream.node] + stream.local_sku] += stream.process.mean_per_day();
        }
        let mut index = Self {
            child_start,
            children,
            feeds_others,
            demand_start,
            demand_streams,
            sku_start,
            own_mean,
            mean: Vec::new(),
            order_demand,
        };
        index.mean = index.means(model);
        index
    }

    /// Every node's mean daily demand with the nodes it feeds: its own,
    /// then each child's in model order (the sums of the recursive
    /// definition, in its order), children first (an explicit post-order,
    /// so deep chains need no deep call stack).
    fn means(&self, model: &Model) -> Vec<f64> {
        let n = model.nodes.len();
        let mut mean = self.own_mean.clone();
        let mut done = vec![false; n];
        let mut stack: Vec<(usize, bool)> = Vec::new();
        for root in 0..n {
            if done[root] {
                continue;
            }
            stack.push((root, false));
            while let Some((node, expanded)) = stack.pop() {
                if done[node] {
                    continue;
                }
                if !expanded {
                    stack.push((node, true));
                    stack.extend(self.children_of(node).filter(|&c| !done[c]).map(|c| (c, false)));
                    continue;
                }
                for child in self.children_of(node) {
                    for (k, &global) in model.nodes[child].skus.iter().enumerate() {
                        let local =
                            model.nodes[node].skus.binary_search(&global).expect("a parent stocks its children's SKUs");
                        mean[self.sku_start[node] + local] += mean[self.sku_start[child] + k];
                    }
                }
                done[node] = true;
            }
        }
        mean
    }

    fn children_of(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        let range = self.child_start[node] as usize..self.child_start[node + 1] as usize;
        self.children[range].iter().map(|&c| c as usize)
    }
}

impl Model {
    /// Each lane's id in results, in model order: `<from>-><to>` (supplier
    /// or location ids); a second lane between the same two places is
    /// `<from>-><to>#2`, a third `#3`, and so on.
    pub fn lane_ids(&self) -> Vec<String> {
        let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        self.lanes
            .iter()
            .map(|lane| {
                let from = match lane.from {
                    Source::Supplier(s) => &self.suppliers[s].id,
                    Source::Node(n) => &self.nodes[n].id,
                };
                let id = format!("{from}->{}", self.nodes[lane.to_node].id);
                let count = seen.entry(id.clone()).or_insert(0);
                *count += 1;
                if *count == 1 { id } else { format!("{id}#{count}") }
            })
            .collect()
    }

    /// Number of SKU-locations (stocked SKU × node pairs).
    pub fn sku_locations(&self) -> usize {
        self.nodes.iter().map(|n| n.skus.len()).sum()
    }

    /// The model's per-node indices (built on first use).
    #[inline]
    pub fn index(&self) -> &ModelIndex {
        self.index.get_or_init(|| ModelIndex::new(self))
    }

    /// Mean daily demand of every local SKU at `node`: its customers'
    /// (summed over classes) plus, for a node that feeds others, the mean
    /// demand of the nodes its primary lanes feed (recursively) — what it
    /// must cover in the long run.
    pub fn mean_daily_demand(&self, node: usize) -> Vec<f64> {
        self.mean_daily_demand_of(node).to_vec()
    }

    /// As [`mean_daily_demand`](Self::mean_daily_demand), borrowed.
    pub fn mean_daily_demand_of(&self, node: usize) -> &[f64] {
        let index = self.index();
        &index.mean[index.sku_start[node]..index.sku_start[node + 1]]
    }

    /// Mean daily demand of `node`'s own customers per local SKU.
    pub fn own_mean_daily_demand(&self, node: usize) -> Vec<f64> {
        let index = self.index();
        index.own_mean[index.sku_start[node]..index.sku_start[node + 1]].to_vec()
    }

    /// The ABC class of every SKU (0 = A, 1 = B, 2 = C): the scenario's,
    /// else by demand value — each SKU's mean daily customer demand over
    /// every location × its unit cost, ranked highest first (model order
    /// breaking ties): a SKU is A while the SKUs ranked above it hold less
    /// than 80 % of the total value, B while they hold less than 95 %,
    /// else C (so the most valuable SKU is always A).
    pub fn abc_classes(&self) -> Vec<u8> {
        if self.scorecard.abc.len() == self.skus.len() {
            return self.scorecard.abc.clone();
        }
        let mut value = vec![0.0; self.skus.len()];
        for stream in &self.demand {
            let sku = self.nodes[stream.node].skus[stream.local_sku];
            value[sku] += stream.process.mean_per_day() * self.skus[sku].unit_cost;
        }
        let total: f64 = value.iter().sum();
        let mut ranked: Vec<usize> = (0..self.skus.len()).collect();
        ranked.sort_by(|&a, &b| value[b].total_cmp(&value[a]).then(a.cmp(&b)));
        let mut classes = vec![2u8; self.skus.len()];
        let mut above = 0.0;
        for sku in ranked {
            classes[sku] = if above == 0.0 || above < 0.80 * total {
                0
            } else if above < 0.95 * total {
                1
            } else {
                2
            };
            above += value[sku];
        }
        classes
    }

    /// Nodes whose primary lane comes from `node`, in model order.
    pub fn children(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        self.index().children_of(node)
    }

    /// Does any replenishment (non-lateral) lane start at `node`?
    pub fn feeds_others(&self, node: usize) -> bool {
        self.index().feeds_others[node]
    }

    /// The demand streams of `node`, in model order.
    pub fn demand_of(&self, node: usize) -> impl Iterator<Item = &DemandStream> + '_ {
        let index = self.index();
        let range = index.demand_start[node] as usize..index.demand_start[node + 1] as usize;
        index.demand_streams[range].iter().map(|&i| &self.demand[i as usize])
    }

    /// Is any demand stream event-driven ([`DemandProcess::Orders`])?
    pub(crate) fn has_order_demand(&self) -> bool {
        self.index().order_demand
    }

    /// Does `node` serve customer demand?
    pub fn serves_customers(&self, node: usize) -> bool {
        let index = self.index();
        index.demand_start[node + 1] > index.demand_start[node]
    }
}
