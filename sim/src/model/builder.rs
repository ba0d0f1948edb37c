//! [`ModelBuilder`]: a [`Model`] built in code, its invariants checked.
//!
//! # Contract
//!
//! The scenario loader (root crate) builds models from files; this builder
//! builds the same models in code — for unit tests of the engine and for
//! embedders that generate networks — and checks what the engine trusts,
//! returning a [`ModelError`] instead of panicking:
//!
//! * a non-empty name; `horizon_days ≥ 1`, `warmup_days < horizon_days`,
//!   `replications ≥ 1`;
//! * at least one stocking node; ids unique across suppliers and nodes;
//! * SKU economics finite and ≥ 0;
//! * every lane's ends exist; a lateral lane joins two different nodes;
//!   every node has one or two replenishment (non-lateral) lanes in, the
//!   first added is its primary; replenishment lanes form no cycle;
//! * every demand stream names an existing node, SKU and class, at most
//!   one stream per (node, SKU, class); at least one customer class (a
//!   plain backorder class `"default"` is added when none is given).
//!
//! It derives what the loader derives: each node stocks the SKUs its
//! customers demand and those of every node its replenishment lanes feed
//! (in global SKU order), its height, and the demand streams' local SKU
//! indices, sorted by (node, local SKU, class).

use super::{
    CustomerClass, DemandProcess, DemandStream, Experiment, Lane, Model, Shortage, Sku, Source, Sourcing, StockingNode,
    Supplier,
};
use crate::disruption::{DemandPattern, Disruption, RandomOutage};
use crate::distribution::LeadTime;
use crate::governance::Governance;
use crate::time::Minute;
use std::collections::{BTreeMap, BTreeSet};

/// Why a [`ModelBuilder`] refused its model.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelError {
    /// Which part: `"name"`, `"experiment.warmup_days"`, `"lanes[2]"`,
    /// `"nodes[1]"`, `"demand[0]"`, `"skus[0].unit_cost"`, …
    pub field: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ModelError {}

fn fail<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, ModelError> {
    Err(ModelError { field: field.into(), message: message.into() })
}

/// A demand stream as given: global SKU index.
#[derive(Debug, Clone)]
struct DemandInput {
    node: usize,
    sku: usize,
    class: usize,
    process: DemandProcess,
}

/// Builds a [`Model`] in code. Indices returned by the adding methods are
/// the model's indices.
///
/// ```
/// use echelon_sim::distribution::{DailyDemand, LeadTime};
/// use echelon_sim::model::{DemandProcess, Experiment, ModelBuilder, Sku, Source};
/// let mut b = ModelBuilder::new("one", Experiment { horizon_days: 30, warmup_days: 0, replications: 1, seed: 1 });
/// let sku = b.sku(Sku::costing("k", 10.0));
/// let supplier = b.supplier("supplier", None);
/// let store = b.node("store");
/// b.lane(Source::Supplier(supplier), store, LeadTime::constant(2.0).unwrap());
/// b.demand(store, sku, 0, DemandProcess::Daily(DailyDemand::constant(3.0).unwrap()));
/// let model = b.build().unwrap();
/// assert_eq!(model.nodes[store].skus, [sku]);
/// ```
#[derive(Debug, Clone)]
pub struct ModelBuilder {
    name: String,
    experiment: Experiment,
    skus: Vec<Sku>,
    classes: Vec<CustomerClass>,
    suppliers: Vec<Supplier>,
    nodes: Vec<(String, Sourcing)>,
    lanes: Vec<Lane>,
    demand: Vec<DemandInput>,
    disruptions: Vec<Disruption>,
    random_outages: Vec<RandomOutage>,
    demand_pattern: Option<DemandPattern>,
    governance: Option<Governance>,
    visibility_delay: Minute,
}

impl Sku {
    /// A SKU costing `unit_cost`, sold at cost, with no holding, ordering
    /// or shortage costs (set the fields for those).
    pub fn costing(id: &str, unit_cost: f64) -> Self {
        Self {
            id: id.into(),
            unit_cost,
            price: unit_cost,
            holding_rate: 0.0,
            ordering_cost: 0.0,
            backorder_penalty_per_day: 0.0,
            lost_sale_penalty: 0.0,
            order_rules: Default::default(),
            volume: None,
            substitutes: Vec::new(),
            returns: Default::default(),
        }
    }
}

impl ModelBuilder {
    /// An empty network named `name`.
    pub fn new(name: &str, experiment: Experiment) -> Self {
        Self {
            name: name.into(),
            experiment,
            skus: Vec::new(),
            classes: Vec::new(),
            suppliers: Vec::new(),
            nodes: Vec::new(),
            lanes: Vec::new(),
            demand: Vec::new(),
            disruptions: Vec::new(),
            random_outages: Vec::new(),
            demand_pattern: None,
            governance: None,
            visibility_delay: 0,
        }
    }

    /// Adds a SKU; returns its index.
    pub fn sku(&mut self, sku: Sku) -> usize {
        self.skus.push(sku);
        self.skus.len() - 1
    }

    /// Adds a customer class; returns its index.
    pub fn class(&mut self, class: CustomerClass) -> usize {
        self.classes.push(class);
        self.classes.len() - 1
    }

    /// Adds a supplier (capacity per day, unlimited when `None`); returns
    /// its index.
    pub fn supplier(&mut self, id: &str, capacity_per_day: Option<i64>) -> usize {
        self.suppliers.push(Supplier { id: id.into(), capacity_per_day });
        self.suppliers.len() - 1
    }

    /// Adds a stocking node (sourcing primary first); returns its index.
    pub fn node(&mut self, id: &str) -> usize {
        self.node_sourcing(id, Sourcing::PrimaryFirst)
    }

    /// Adds a stocking node with a sourcing rule; returns its index.
    pub fn node_sourcing(&mut self, id: &str, sourcing: Sourcing) -> usize {
        self.nodes.push((id.into(), sourcing));
        self.nodes.len() - 1
    }

    /// Adds a replenishment lane `from → to` (no transport cost, no
    /// expedite mode); returns its index.
    pub fn lane(&mut self, from: Source, to: usize, lead_time: LeadTime) -> usize {
        self.add_lane(Lane {
            from,
            to_node: to,
            lead_time,
            cost_per_unit: 0.0,
            lateral: false,
            expedite: None,
            ownership_at_dispatch: false,
            capacity_per_day: None,
            trucks: None,
        })
    }

    /// Adds a lane given whole (lateral, costed, with an expedite mode…);
    /// returns its index.
    pub fn add_lane(&mut self, lane: Lane) -> usize {
        self.lanes.push(lane);
        self.lanes.len() - 1
    }

    /// Adds customer demand of class `class` for global SKU `sku` at `node`.
    pub fn demand(&mut self, node: usize, sku: usize, class: usize, process: DemandProcess) -> &mut Self {
        self.demand.push(DemandInput { node, sku, class, process });
        self
    }

    /// Adds a timed disruption.
    pub fn disruption(&mut self, disruption: Disruption) -> &mut Self {
        self.disruptions.push(disruption);
        self
    }

    /// Adds a random outage process.
    pub fn random_outage(&mut self, outage: RandomOutage) -> &mut Self {
        self.random_outages.push(outage);
        self
    }

    /// Sets seasonality and trend.
    pub fn demand_pattern(&mut self, pattern: DemandPattern) -> &mut Self {
        self.demand_pattern = Some(pattern);
        self
    }

    /// Sets the approval governance.
    pub fn governance(&mut self, governance: Governance) -> &mut Self {
        self.governance = Some(governance);
        self
    }

    /// Sets how old the stock figures strategies see are (minutes).
    pub fn visibility_delay(&mut self, minutes: Minute) -> &mut Self {
        self.visibility_delay = minutes;
        self
    }

    /// Checks the invariants (module contract) and builds the model.
    pub fn build(self) -> Result<Model, ModelError> {
        if self.name.trim().is_empty() {
            return fail("name", "must not be empty");
        }
        let e = self.experiment;
        if e.horizon_days == 0 {
            return fail("experiment.horizon_days", "must be at least 1 day");
        }
        if e.warmup_days >= e.horizon_days {
            return fail(
                "experiment.warmup_days",
                format!("must be less than horizon_days ({}), got {}", e.horizon_days, e.warmup_days),
            );
        }
        if e.replications == 0 {
            return fail("experiment.replications", "must be at least 1");
        }
        if self.nodes.is_empty() {
            return fail("nodes", "at least one stocking node is needed");
        }
        let mut ids = BTreeSet::new();
        let all_ids = self.suppliers.iter().map(|s| s.id.as_str()).chain(self.nodes.iter().map(|n| n.0.as_str()));
        for id in all_ids {
            if !ids.insert(id) {
                return fail("nodes", format!("\"{id}\" is used twice; ids must be unique across suppliers and nodes"));
            }
        }
        for (i, sku) in self.skus.iter().enumerate() {
            let fields = [
                ("unit_cost", sku.unit_cost),
                ("price", sku.price),
                ("holding_rate", sku.holding_rate),
                ("ordering_cost", sku.ordering_cost),
                ("backorder_penalty_per_day", sku.backorder_penalty_per_day),
                ("lost_sale_penalty", sku.lost_sale_penalty),
            ];
            if let Some((field, value)) = fields.iter().find(|(_, v)| !(v.is_finite() && *v >= 0.0)) {
                return fail(format!("skus[{i}].{field}"), format!("must be a finite number ≥ 0, got {value}"));
            }
        }
        let n = self.nodes.len();
        let mut sources: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut feeds: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, lane) in self.lanes.iter().enumerate() {
            let at = format!("lanes[{i}]");
            if lane.to_node >= n {
                return fail(at, format!("to node {} does not exist ({n} nodes)", lane.to_node));
            }
            match lane.from {
                Source::Supplier(s) if s >= self.suppliers.len() => {
                    return fail(at, format!("supplier {s} does not exist ({} suppliers)", self.suppliers.len()));
                }
                Source::Supplier(_) if lane.lateral => {
                    return fail(at, "a lateral lane joins two stocking nodes, not a supplier");
                }
                Source::Node(a) if a >= n => return fail(at, format!("from node {a} does not exist ({n} nodes)")),
                Source::Node(a) if a == lane.to_node => return fail(at, "a lane from a node to itself"),
                _ => {}
            }
            if !(lane.cost_per_unit.is_finite() && lane.cost_per_unit >= 0.0) {
                return fail(format!("{at}.cost_per_unit"), "must be a finite number ≥ 0");
            }
            if !lane.lateral {
                sources[lane.to_node].push(i);
                if let Source::Node(a) = lane.from {
                    feeds[a].push(lane.to_node);
                }
            }
        }
        for (k, s) in sources.iter().enumerate() {
            if s.is_empty() || s.len() > 2 {
                return fail(
                    format!("nodes[{k}]"),
                    format!("\"{}\" has {} replenishment lanes in; one or two are valid", self.nodes[k].0, s.len()),
                );
            }
        }
        let height = heights(&feeds).ok_or_else(|| ModelError {
            field: "lanes".into(),
            message: "replenishment lanes between nodes form a cycle".into(),
        })?;
        let mut classes = self.classes;
        if classes.is_empty() {
            classes.push(CustomerClass::plain("default", 1, Shortage::Backorder));
        }
        let mut skus: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        let mut seen = BTreeSet::new();
        for (i, d) in self.demand.iter().enumerate() {
            let at = format!("demand[{i}]");
            if d.node >= n {
                return fail(at, format!("node {} does not exist ({n} nodes)", d.node));
            }
            if d.sku >= self.skus.len() {
                return fail(at, format!("SKU {} does not exist ({} SKUs)", d.sku, self.skus.len()));
            }
            if d.class >= classes.len() {
                return fail(at, format!("class {} does not exist ({} classes)", d.class, classes.len()));
            }
            if !seen.insert((d.node, d.sku, d.class)) {
                return fail(at, "a second stream for the same node, SKU and class");
            }
            skus[d.node].insert(d.sku);
        }
        // Children before parents: a parent stocks what its children stock.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&k| (height[k], k));
        for &child in &order {
            for &lane in &sources[child] {
                if let Source::Node(parent) = self.lanes[lane].from {
                    let inherited = skus[child].clone();
                    skus[parent].extend(inherited);
                }
            }
        }
        let nodes: Vec<StockingNode> = self
            .nodes
            .into_iter()
            .enumerate()
            .map(|(k, (id, sourcing))| StockingNode {
                id,
                sources: sources[k].clone(),
                sourcing,
                skus: skus[k].iter().copied().collect(),
                height: height[k],
                storage: None,
                volume_storage: None,
            })
            .collect();
        let mut demand: BTreeMap<(usize, usize, usize), DemandStream> = BTreeMap::new();
        for d in self.demand {
            let local_sku = nodes[d.node].skus.binary_search(&d.sku).expect("a node stocks its demand SKUs");
            demand.insert(
                (d.node, local_sku, d.class),
                DemandStream { node: d.node, local_sku, class: d.class, process: d.process },
            );
        }
        Ok(Model {
            name: self.name,
            skus: self.skus,
            classes,
            suppliers: self.suppliers,
            nodes,
            lanes: self.lanes,
            demand: demand.into_values().collect(),
            disruptions: self.disruptions,
            random_outages: self.random_outages,
            demand_pattern: self.demand_pattern,
            governance: self.governance,
            visibility_delay: self.visibility_delay,
            scorecard: Default::default(),
            experiment: self.experiment,
            index: Default::default(),
        })
    }
}

/// Heights (0: feeds none, else 1 + the largest height of those fed), or
/// `None` on a cycle.
fn heights(feeds: &[Vec<usize>]) -> Option<Vec<u32>> {
    let n = feeds.len();
    // 0 unvisited, 1 on the stack, 2 done.
    let mut colour = vec![0u8; n];
    let mut height = vec![0u32; n];
    for root in 0..n {
        let mut stack = vec![(root, false)];
        while let Some((a, expanded)) = stack.pop() {
            if expanded {
                height[a] = feeds[a].iter().map(|&b| height[b] + 1).max().unwrap_or(0);
                colour[a] = 2;
                continue;
            }
            match colour[a] {
                2 => continue,
                1 => return None,
                _ => {}
            }
            colour[a] = 1;
            stack.push((a, true));
            for &b in &feeds[a] {
                match colour[b] {
                    1 => return None,
                    0 => stack.push((b, false)),
                    _ => {}
                }
            }
        }
    }
    Some(height)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distribution::DailyDemand;

    fn experiment() -> Experiment {
        Experiment { horizon_days: 10, warmup_days: 0, replications: 1, seed: 1 }
    }

    fn days(d: f64) -> LeadTime {
        LeadTime::constant(d).unwrap()
    }

    fn daily(mean: f64) -> DemandProcess {
        DemandProcess::Daily(DailyDemand::constant(mean).unwrap())
    }

    #[test]
    fn a_two_echelon_network_derives_skus_heights_and_local_demand() {
        let mut b = ModelBuilder::new("net", experiment());
        let (k0, k1, k2) =
            (b.sku(Sku::costing("k0", 1.0)), b.sku(Sku::costing("k1", 1.0)), b.sku(Sku::costing("k2", 1.0)));
        let s = b.supplier("s", None);
        let dc = b.node("dc");
        let west = b.node("west");
        let east = b.node("east");
        b.lane(Source::Supplier(s), dc, days(3.0));
        b.lane(Source::Node(dc), west, days(1.0));
        b.lane(Source::Node(dc), east, days(1.0));
        b.demand(east, k2, 0, daily(1.0)).demand(west, k1, 0, daily(2.0)).demand(east, k0, 0, daily(3.0));
        let m = b.build().unwrap();
        assert_eq!(m.nodes[dc].skus, [k0, k1, k2]);
        assert_eq!(m.nodes[west].skus, [k1]);
        assert_eq!(m.nodes[east].skus, [k0, k2]);
        assert_eq!([m.nodes[dc].height, m.nodes[west].height, m.nodes[east].height], [1, 0, 0]);
        let streams: Vec<(usize, usize)> = m.demand.iter().map(|d| (d.node, d.local_sku)).collect();
        assert_eq!(streams, [(west, 0), (east, 0), (east, 1)]);
        assert_eq!(m.mean_daily_demand(dc), [3.0, 2.0, 1.0]);
        assert_eq!(m.classes.len(), 1, "a default class");
    }

    #[test]
    fn broken_invariants_are_errors_naming_the_part() {
        let base = || {
            let mut b = ModelBuilder::new("net", experiment());
            b.sku(Sku::costing("k", 1.0));
            b.supplier("s", None);
            b.node("a");
            b.node("b");
            b
        };
        let field = |b: ModelBuilder| b.build().unwrap_err().field;
        let mut b = base();
        b.lane(Source::Supplier(0), 0, days(1.0));
        assert_eq!(field(b), "nodes[1]", "b has no source");
        let mut b = base();
        b.lane(Source::Node(1), 0, days(1.0));
        b.lane(Source::Node(0), 1, days(1.0));
        assert_eq!(field(b), "lanes", "a cycle");
        let mut b = base();
        b.lane(Source::Supplier(3), 0, days(1.0));
        assert_eq!(field(b), "lanes[0]");
        let mut b = base();
        b.lane(Source::Supplier(0), 0, days(1.0));
        b.lane(Source::Supplier(0), 1, days(1.0));
        b.demand(0, 5, 0, daily(1.0));
        assert_eq!(field(b), "demand[0]");
        let mut b = base();
        b.lane(Source::Supplier(0), 0, days(1.0));
        b.lane(Source::Supplier(0), 1, days(1.0));
        b.demand(0, 0, 0, daily(1.0)).demand(0, 0, 0, daily(1.0));
        assert_eq!(field(b), "demand[1]", "a duplicate stream");
        let mut b = ModelBuilder::new("net", Experiment { warmup_days: 10, ..experiment() });
        b.node("a");
        assert_eq!(field(b), "experiment.warmup_days");
        let mut b = base();
        b.sku(Sku { holding_rate: f64::NAN, ..Sku::costing("bad", 1.0) });
        assert_eq!(field(b), "skus[1].holding_rate");
        let mut b = base();
        b.supplier("a", None);
        assert_eq!(field(b), "nodes", "ids unique across suppliers and nodes");
    }
}
