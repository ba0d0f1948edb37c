//! The validated network model a run simulates.
//!
//! # Contract
//!
//! A [`Model`] is built and validated by the scenario loader before anything
//! runs; the engine trusts it. Indices are positions in the model's vectors
//! and are stable for the whole run. Every stocking node is fed by exactly one
//! replenishment lane from a supplier; suppliers have unlimited stock. Each
//! stocking node stocks the SKUs listed in [`StockingNode::skus`] (its *local*
//! SKU order), and every demand stream belongs to one (node, local SKU,
//! customer class).

use crate::disruption::Disruption;
use crate::distribution::{DailyDemand, LeadTime, OrderSize};
use crate::time::Day;

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
    /// Penalty per backordered unit per day (charged on end-of-day backorders).
    pub backorder_penalty_per_day: f64,
    /// Penalty per lost unit (defaults to the margin, price − unit cost).
    pub lost_sale_penalty: f64,
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
}

/// A supplier: an unlimited source of every SKU.
#[derive(Debug, Clone)]
pub struct Supplier {
    /// Identifier as written in the scenario.
    pub id: String,
}

/// A transport lane from a supplier to a stocking node.
#[derive(Debug, Clone)]
pub struct Lane {
    /// Index into [`Model::suppliers`].
    pub from_supplier: usize,
    /// Index into [`Model::nodes`].
    pub to_node: usize,
    /// Lead time from release to arrival.
    pub lead_time: LeadTime,
    /// Transport cost per unit shipped.
    pub cost_per_unit: f64,
}

/// A stocking location (distribution centre or warehouse).
#[derive(Debug, Clone)]
pub struct StockingNode {
    /// Identifier as written in the scenario.
    pub id: String,
    /// Index into [`Model::lanes`] of the lane that replenishes it.
    pub source_lane: usize,
    /// Global SKU indices stocked here, in local order.
    pub skus: Vec<usize>,
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
    /// Run shape.
    pub experiment: Experiment,
}

impl Model {
    /// Number of SKU-locations (stocked SKU × node pairs).
    pub fn sku_locations(&self) -> usize {
        self.nodes.iter().map(|n| n.skus.len()).sum()
    }

    /// Mean daily demand of every local SKU at `node`, summed over classes.
    pub fn mean_daily_demand(&self, node: usize) -> Vec<f64> {
        let mut means = vec![0.0; self.nodes[node].skus.len()];
        for stream in self.demand.iter().filter(|s| s.node == node) {
            means[stream.local_sku] += stream.process.mean_per_day();
        }
        means
    }
}
