//! The scenario file format (RON), exactly as users write it.
//!
//! Every struct and every enum with struct variants denies unknown fields,
//! so a misspelled field is an error, never silently ignored. These types
//! carry no validation: [`super::Scenario::load`] checks them and builds the model.
//!
//! The types that grow with the format (the file, its sections, event
//! kinds, demand and lead-time models) are `#[non_exhaustive]`: a crate
//! outside this one reads them from RON (or matches them with a `_` arm)
//! rather than building them field by field.

use echelon_reports::gate::Tolerance;
use echelon_strategies::registry::{AllocationSpec, ExpeditesSpec, ReplenishmentSpec, TransfersSpec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole scenario file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Scenario")]
#[non_exhaustive]
pub struct ScenarioFile {
    /// Scenario name; names the default output directory.
    pub name: String,
    /// Free text shown in reports.
    #[serde(default)]
    pub description: String,
    /// Run shape.
    pub experiment: ExperimentFile,
    /// SKUs and their economics.
    pub skus: Vec<SkuFile>,
    /// Customer classes; one class named "default" that backorders when absent.
    #[serde(default)]
    pub classes: Vec<ClassFile>,
    /// Suppliers.
    pub suppliers: Vec<SupplierFile>,
    /// Stocking locations.
    pub locations: Vec<LocationFile>,
    /// Replenishment lanes from suppliers to locations.
    pub lanes: Vec<LaneFile>,
    /// Customer demand per (location, SKU, class).
    pub demand: Vec<DemandFile>,
    /// Named strategy configurations to compare.
    pub strategies: Vec<StrategyFile>,
    /// Generated SKUs with their demand (added to `skus` and `demand`).
    #[serde(default)]
    pub catalogue: Vec<CatalogueFile>,
    /// Timed disruptions (default none).
    #[serde(default)]
    pub events: Vec<EventFile>,
    /// Random outage processes (default none).
    #[serde(default)]
    pub random_outages: Vec<RandomOutageFile>,
    /// Seasonality and trend of all demand (default none).
    #[serde(default)]
    pub demand_pattern: Option<DemandPatternFile>,
    /// Demand recorded in a CSV file, replayed or bootstrapped.
    #[serde(default)]
    pub history: Option<HistoryFile>,
    /// Parameters to sweep; the study runs every point of their grid.
    #[serde(default)]
    pub sweep: Vec<SweepFile>,
    /// Settings of the regression gate (`echelon check`).
    #[serde(default)]
    pub gate: GateFile,
    /// Approval governance (default none: every decision released at once).
    #[serde(default)]
    pub governance: Option<GovernanceFile>,
    /// Strategies see each location's stock as it was this many hours ago
    /// (default 0: current).
    #[serde(default)]
    pub visibility_delay_hours: f64,
    /// What `echelon tune` searches (ignored by `run`).
    #[serde(default)]
    pub tune: Option<crate::tune::spec::TuneFile>,
    /// Scorecard settings (default: excess above 90 days of cover).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scorecard: Option<ScorecardFile>,
}

/// How the scorecard metrics that take a parameter are measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Scorecard")]
#[non_exhaustive]
pub struct ScorecardFile {
    /// On-hand above this many days of mean demand is excess stock
    /// (`excess_stock_value`; default 90).
    #[serde(default = "default_excess_cover_days")]
    pub excess_cover_days: f64,
    /// Keep per-SKU-location results (`skus.csv`, the `sku` scope of
    /// `runs.parquet`) and per-ABC-class figures (`abc` in `summary.json`);
    /// default false.
    #[serde(default)]
    pub per_sku: bool,
    /// ABC class of every SKU by id; when absent, derived by demand value
    /// (80 % / 15 % / 5 %). When present it must name every SKU.
    #[serde(default)]
    pub abc: BTreeMap<String, AbcClassFile>,
}

/// An ABC class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AbcClassFile {
    /// The SKUs of most demand value.
    A,
    /// The next.
    B,
    /// The rest.
    C,
}

fn default_excess_cover_days() -> f64 {
    90.0
}

fn is_zero(value: &f64) -> bool {
    *value == 0.0
}

fn is_receipt(ownership: &OwnershipFile) -> bool {
    *ownership == OwnershipFile::Receipt
}

/// When the receiving location takes ownership of goods on a lane.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OwnershipFile {
    /// At receipt (default): goods in transit are the sender's.
    #[default]
    Receipt,
    /// At dispatch: goods in transit count in working capital and carry
    /// holding cost.
    Dispatch,
}

/// Which decisions wait for a planner, and the planners.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Governance")]
#[non_exhaustive]
pub struct GovernanceFile {
    /// Decisions worth more than this (units × unit cost) wait for approval.
    pub approval_above: f64,
    /// Decisions the planners approve per day.
    pub approvals_per_day: u32,
    /// When the planners work (default 8:00 to 17:00).
    #[serde(default)]
    pub working_hours: WorkingHoursFile,
    /// How long an approval takes once a planner takes it up.
    pub approval_delay: DelayFile,
    /// Queue order (default Fifo).
    #[serde(default)]
    pub queue: ApprovalOrderFile,
}

/// A working day, in hours after midnight.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "WorkingHours")]
pub struct WorkingHoursFile {
    /// Start (0 ≤ start < end).
    pub start: f64,
    /// End (≤ 24).
    pub end: f64,
}

impl Default for WorkingHoursFile {
    fn default() -> Self {
        Self { start: 8.0, end: 17.0 }
    }
}

/// A delay distribution in hours.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Delay")]
pub enum DelayFile {
    /// Always `hours`.
    Constant {
        /// Hours.
        hours: f64,
    },
    /// Normal truncated at 0.
    Normal {
        /// Mean.
        mean_hours: f64,
        /// Standard deviation.
        sd_hours: f64,
    },
    /// Lognormal by its mean and sd.
    LogNormal {
        /// Mean.
        mean_hours: f64,
        /// Standard deviation.
        sd_hours: f64,
    },
    /// Gamma by its mean and sd.
    Gamma {
        /// Mean.
        mean_hours: f64,
        /// Standard deviation.
        sd_hours: f64,
    },
}

/// How the approval queue is ordered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename = "ApprovalOrder")]
pub enum ApprovalOrderFile {
    /// Oldest first.
    #[default]
    Fifo,
    /// Highest projected shortage × margin × tier weight first.
    ExceptionPriority,
    /// An ordering plugged into the registry
    /// (`Registry::register_approval_order`).
    Custom {
        /// The registered name.
        name: String,
        /// Its parameters (default: none).
        #[serde(default)]
        params: echelon_strategies::registry::Params,
    },
}

/// Settings of the regression gate.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Gate")]
pub struct GateFile {
    /// Per metric key, how far it may move: `Absolute(x)` in the metric's
    /// unit or `Relative(f)` of the baseline mean.
    #[serde(default)]
    pub tolerances: BTreeMap<String, Tolerance>,
}

/// Horizon, warm-up, replications, seed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Experiment")]
#[non_exhaustive]
pub struct ExperimentFile {
    /// Days simulated per run, warm-up included.
    pub horizon_days: u32,
    /// Leading days excluded from metrics.
    #[serde(default)]
    pub warmup_days: u32,
    /// Replications per strategy.
    pub replications: u32,
    /// Scenario seed.
    pub seed: u64,
}

/// A SKU.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Sku")]
#[non_exhaustive]
pub struct SkuFile {
    /// Identifier.
    pub id: String,
    /// Cost per unit.
    pub unit_cost: f64,
    /// Price per unit (default: unit cost).
    #[serde(default)]
    pub price: Option<f64>,
    /// Annual holding cost as a fraction of unit cost (default 0.25).
    #[serde(default = "default_holding_rate")]
    pub holding_rate: f64,
    /// Cost per order line (default 0).
    #[serde(default)]
    pub ordering_cost: f64,
    /// Penalty per backordered unit per day (default 0).
    #[serde(default)]
    pub backorder_penalty_per_day: f64,
    /// Penalty per lost unit (default: price − unit cost).
    #[serde(default)]
    pub lost_sale_penalty: Option<f64>,
    /// Minimum order quantity of every purchase order (default none).
    #[serde(default)]
    pub min_order: Option<f64>,
    /// Units per case: orders are rounded up to whole cases (default 1).
    #[serde(default)]
    pub case_pack: Option<f64>,
    /// Maximum order quantity, rounded down to whole cases (default none).
    #[serde(default)]
    pub max_order: Option<f64>,
    /// Volume of one unit, in the unit of the locations' `capacity_volume`
    /// (default none; needed at a location with a `capacity_volume`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<f64>,
    /// SKUs that may serve this SKU's unmet demand at a location, tried in
    /// order (default none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub substitutes: Vec<SubstituteFile>,
    /// What happens to units customers return (default Restock).
    #[serde(default, skip_serializing_if = "ReturnDispositionFile::is_restock")]
    pub returns: ReturnDispositionFile,
}

/// A substitute of a SKU.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Substitute")]
pub struct SubstituteFile {
    /// The substitute's SKU id.
    pub sku: String,
    /// Cost per unit served as a substitute: margin given up (default 0).
    #[serde(default)]
    pub cost_per_unit: f64,
}

/// What a location does with returned units of a SKU.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "ReturnDisposition")]
pub enum ReturnDispositionFile {
    /// Back into on-hand.
    #[default]
    Restock,
    /// Written off at unit cost.
    Scrap,
}

impl ReturnDispositionFile {
    fn is_restock(&self) -> bool {
        *self == Self::Restock
    }
}

/// Customer returns of a class.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Returns")]
#[non_exhaustive]
pub struct ReturnsFile {
    /// Share of the units shipped to the class that comes back, in [0, 1].
    pub share: f64,
    /// Days from shipment to the return's arrival (a lead-time distribution).
    pub delay: LeadTimeFile,
}

fn default_holding_rate() -> f64 {
    0.25
}

/// A customer class.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Class")]
#[non_exhaustive]
pub struct ClassFile {
    /// Name.
    pub name: String,
    /// Priority tier, 1 = highest (default 1).
    #[serde(default = "default_tier")]
    pub tier: u32,
    /// Backorder (default) or LostSales.
    #[serde(default)]
    pub shortage: ShortageFile,
    /// Service-level agreement: days from demand to delivery (default 0).
    #[serde(default)]
    pub sla_days: f64,
    /// Margin per unit (needed by `MarginWeighted`).
    #[serde(default)]
    pub margin: Option<f64>,
    /// Penalty per unit and day delivered after the SLA (default 0).
    #[serde(default)]
    pub late_penalty_per_day: f64,
    /// Days a backordered customer waits before cancelling (default: waits
    /// until served).
    #[serde(default)]
    pub patience_days: Option<f64>,
    /// May an order line ship in parts (default true)?
    #[serde(default = "yes")]
    pub partial_shipment: bool,
    /// Customer returns (default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<ReturnsFile>,
}

fn yes() -> bool {
    true
}

fn default_tier() -> u32 {
    1
}

/// What happens to unserved demand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Shortage")]
pub enum ShortageFile {
    /// Wait for stock.
    #[default]
    Backorder,
    /// Lost.
    LostSales,
}

/// A supplier.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Supplier")]
#[non_exhaustive]
pub struct SupplierFile {
    /// Identifier.
    pub id: String,
    /// Units it can ship per day (default unlimited).
    #[serde(default)]
    pub capacity_per_day: Option<f64>,
}

/// A stocking location.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Location")]
#[non_exhaustive]
pub struct LocationFile {
    /// Identifier.
    pub id: String,
    /// With two replenishment lanes: which one an order uses.
    #[serde(default)]
    pub sourcing: SourcingFile,
    /// Units it stores, all SKUs together (default unlimited); stock above
    /// it is in overflow space.
    #[serde(default)]
    pub capacity: Option<f64>,
    /// Premium per unit and day of stock above `capacity` (default 0).
    #[serde(default)]
    pub overflow_cost_per_unit_day: f64,
    /// Volume it stores, all SKUs together (Σ units × the SKU's `volume`;
    /// default unlimited); stock above it is in overflow space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_volume: Option<f64>,
    /// Premium per unit of volume and day above `capacity_volume` (default 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub overflow_cost_per_volume_day: f64,
}

/// How a location with two sources picks one per order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Sourcing")]
pub enum SourcingFile {
    /// The primary (first listed) lane unless it is disrupted.
    #[default]
    PrimaryFirst,
    /// The lane with the lower cost per unit.
    Cheapest,
    /// The lane with the shorter mean lead time.
    Fastest,
}

/// A lane.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Lane")]
#[non_exhaustive]
pub struct LaneFile {
    /// Supplier or location id.
    pub from: String,
    /// Location id.
    pub to: String,
    /// Lead-time distribution.
    pub lead_time: LeadTimeFile,
    /// Transport cost per unit (default 0).
    #[serde(default)]
    pub cost_per_unit: f64,
    /// A lateral lane between locations, for transfers only (default false).
    #[serde(default)]
    pub lateral: bool,
    /// A faster, dearer mode for expedites.
    #[serde(default)]
    pub expedite: Option<ExpediteFile>,
    /// When the receiving location owns the goods (default Receipt).
    #[serde(default, skip_serializing_if = "is_receipt")]
    pub ownership: OwnershipFile,
    /// Units that may depart on it per day (default unlimited).
    #[serde(default)]
    pub capacity_per_day: Option<f64>,
    /// Truck consolidation (default none: every shipment leaves at once).
    #[serde(default)]
    pub trucks: Option<TrucksFile>,
}

/// Shipments on a lane travel by the truckload.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Trucks")]
#[non_exhaustive]
pub struct TrucksFile {
    /// Units one truck carries.
    pub units: f64,
    /// Cost per truck dispatched (default 0).
    #[serde(default)]
    pub cost_per_truck: f64,
    /// A partial truck leaves with at least this many units (default 0:
    /// any load; `units`: full trucks only).
    #[serde(default)]
    pub min_load: f64,
    /// A partial truck leaves anyway once its oldest units have waited this
    /// many days (default: it waits for `min_load`).
    #[serde(default)]
    pub max_wait_days: Option<u32>,
}

/// An expedite mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Expedite")]
#[non_exhaustive]
pub struct ExpediteFile {
    /// Lead time of an expedited shipment.
    pub lead_time: LeadTimeFile,
    /// Premium per unit.
    #[serde(default)]
    pub cost_per_unit: f64,
    /// Premium per shipment.
    #[serde(default)]
    pub cost_per_shipment: f64,
}

/// Lead-time distributions (days).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "LeadTime")]
#[non_exhaustive]
pub enum LeadTimeFile {
    /// Always `days`.
    Constant {
        /// Days.
        days: f64,
    },
    /// Whole days uniform on min..=max.
    Uniform {
        /// Shortest.
        min_days: f64,
        /// Longest.
        max_days: f64,
    },
    /// Normal truncated at 0.
    Normal {
        /// Mean.
        mean_days: f64,
        /// Standard deviation.
        sd_days: f64,
    },
    /// Lognormal by mean and sd.
    LogNormal {
        /// Mean.
        mean_days: f64,
        /// Standard deviation.
        sd_days: f64,
    },
    /// Gamma by mean and sd.
    Gamma {
        /// Mean.
        mean_days: f64,
        /// Standard deviation.
        sd_days: f64,
    },
    /// Listed values with weights.
    Empirical {
        /// Values, days.
        days: Vec<f64>,
        /// Weights.
        weights: Vec<f64>,
    },
}

/// One demand stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Demand")]
#[non_exhaustive]
pub struct DemandFile {
    /// Location id.
    pub location: String,
    /// SKU id.
    pub sku: String,
    /// Class name (default: the only class).
    #[serde(default)]
    pub class: Option<String>,
    /// The demand model.
    pub model: DemandModelFile,
}

/// Demand models: daily distributions, or event-driven customer orders.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "DemandModel")]
#[non_exhaustive]
pub enum DemandModelFile {
    /// Daily Poisson.
    Poisson {
        /// Units per day.
        mean: f64,
    },
    /// Daily normal, censored at 0, rounded.
    Normal {
        /// Units per day.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Daily gamma, rounded.
    Gamma {
        /// Units per day.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
    /// Daily negative binomial.
    NegativeBinomial {
        /// Units per day.
        mean: f64,
        /// Standard deviation (sd² > mean).
        sd: f64,
    },
    /// The same every day.
    Constant {
        /// Units per day.
        quantity: f64,
    },
    /// Demand on a day with probability `probability`, of a gamma size.
    Intermittent {
        /// Chance of a demand day, in (0, 1].
        probability: f64,
        /// Mean units of a demand (≥ 1).
        mean_size: f64,
        /// Their standard deviation (default 0).
        #[serde(default)]
        sd_size: f64,
    },
    /// Recorded daily quantities (from `history:`; not written by hand).
    #[serde(skip)]
    History {
        /// Units per recorded day.
        values: Vec<i64>,
        /// Bootstrap instead of replay.
        bootstrap: bool,
    },
    /// A Poisson stream of customer orders, each an event.
    Orders {
        /// Orders per day.
        rate_per_day: f64,
        /// Units per order.
        size: OrderSizeFile,
    },
}

/// Units per customer order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "OrderSize")]
pub enum OrderSizeFile {
    /// Always `units`.
    Fixed {
        /// Units.
        units: f64,
    },
    /// Geometric on 1, 2, … with mean `mean`.
    Geometric {
        /// Mean units (≥ 1).
        mean: f64,
    },
}

/// A named strategy configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Strategy")]
#[non_exhaustive]
pub struct StrategyFile {
    /// Name shown in every output.
    pub name: String,
    /// Replenishment policy, applied at every location.
    pub replenishment: ReplenishmentSpec,
    /// Allocation rule (default Fcfs): customer classes at a location, and
    /// the locations a location feeds.
    #[serde(default)]
    pub allocation: AllocationSpec,
    /// Replenishment at particular locations, by id, instead of `replenishment`.
    #[serde(default)]
    pub at: BTreeMap<String, ReplenishmentSpec>,
    /// Lateral transfers over `lateral` lanes (default none).
    #[serde(default)]
    pub transfers: Option<TransfersSpec>,
    /// Expedites over lanes with an expedite mode (default none).
    #[serde(default)]
    pub expedites: Option<ExpeditesSpec>,
}

/// A timed disruption.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Event")]
#[non_exhaustive]
pub struct EventFile {
    /// Name in reports and sweep paths (default: kind and start day).
    #[serde(default)]
    pub name: Option<String>,
    /// First day affected.
    pub start_day: u32,
    /// Days affected (default: to the end of the horizon).
    #[serde(default)]
    pub days: Option<u32>,
    /// What happens.
    pub kind: EventKindFile,
}

/// Disruption kinds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "EventKind")]
#[non_exhaustive]
pub enum EventKindFile {
    /// The supplier ships nothing; orders wait for the end of the outage.
    SupplierOutage {
        /// Supplier id.
        supplier: String,
        /// Goods in transit when it begins: Continue (default), Delay or Lose.
        #[serde(default)]
        in_transit: InTransitFile,
    },
    /// One lane carries nothing; orders on it wait for the end.
    LaneOutage {
        /// Source id (supplier or location).
        from: String,
        /// Destination location id.
        to: String,
        /// Goods in transit when it begins.
        #[serde(default)]
        in_transit: InTransitFile,
    },
    /// The supplier's daily capacity is multiplied.
    CapacityCut {
        /// Supplier id (it must have a capacity).
        supplier: String,
        /// Factor in [0, 1000].
        multiplier: f64,
    },
    /// Lead times of shipments departing from the source are multiplied.
    LeadTimeInflation {
        /// Source id (supplier or location).
        supplier: String,
        /// Only its lane to this location (default: all its lanes).
        #[serde(default)]
        location: Option<String>,
        /// Factor > 0.
        multiplier: f64,
    },
    /// The location serves, orders, ships and receives nothing.
    NodeClosure {
        /// Location id.
        location: String,
    },
    /// Demand is multiplied.
    DemandShock {
        /// Location id (default: every location).
        #[serde(default)]
        location: Option<String>,
        /// Factor > 0.
        multiplier: f64,
    },
    /// Demand rises over the window, then dips for `dip_days`.
    Promotion {
        /// Location id (default: every location).
        #[serde(default)]
        location: Option<String>,
        /// Factor during the promotion (> 0).
        uplift: f64,
        /// Factor after it (> 0).
        dip: f64,
        /// Days of the dip.
        dip_days: u32,
    },
    /// Demand changes for good from `start_day` (give no `days`).
    RegimeShift {
        /// Location id (default: every location).
        #[serde(default)]
        location: Option<String>,
        /// Factor > 0.
        multiplier: f64,
    },
    /// The forecast service is down: forecast-driven strategies see no
    /// forecast (a `Fallback` switches to its fallback).
    ForecastOutage {
        /// Location id (default: every location).
        #[serde(default)]
        location: Option<String>,
    },
    /// Strategies see stock figures `hours` old.
    StaleData {
        /// Location id (default: every location).
        #[serde(default)]
        location: Option<String>,
        /// Age of the data, hours (> 0, ≤ 720).
        hours: f64,
    },
}

/// Random outages: a two-state Markov process per supplier or lane.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "RandomOutage")]
#[non_exhaustive]
pub struct RandomOutageFile {
    /// Name (windows are `name#1`, `name#2`, …).
    pub name: String,
    /// Source id: a supplier (all its lanes) or a location.
    pub from: String,
    /// Only the lane to this location (default: all lanes from `from`).
    #[serde(default)]
    pub to: Option<String>,
    /// Mean days between outages (exponential).
    pub mean_up_days: f64,
    /// Mean days an outage lasts (exponential, at least one day).
    pub mean_down_days: f64,
    /// Goods in transit when an outage begins.
    #[serde(default)]
    pub in_transit: InTransitFile,
}

/// Seasonality and trend of all demand.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "DemandPattern")]
pub struct DemandPatternFile {
    /// Factors for day % 7 = 0..6 (default all 1).
    #[serde(default = "flat_week")]
    pub weekly: Vec<f64>,
    /// Relative amplitude of the annual cycle (default 0).
    #[serde(default)]
    pub annual_amplitude: f64,
    /// Day of the year of the annual peak (default 0).
    #[serde(default)]
    pub annual_peak_day: f64,
    /// Growth per year (default 0).
    #[serde(default)]
    pub trend_per_year: f64,
}

fn flat_week() -> Vec<f64> {
    vec![1.0; 7]
}

/// Goods in transit on a lane whose supplier goes out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "InTransit")]
pub enum InTransitFile {
    /// Arrive as planned.
    #[default]
    Continue,
    /// Pushed back by the outage's length.
    Delay,
    /// Never arrive.
    Lose,
}

/// One swept parameter: a path and its values (a list or a range).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Sweep")]
#[non_exhaustive]
pub struct SweepFile {
    /// Parameter path, e.g. `events[outage].days` or
    /// `strategies[min-max].replenishment.reorder_point`.
    pub path: String,
    /// The values, in order.
    #[serde(default)]
    pub values: Option<Vec<f64>>,
    /// Or a range `from`, `from + step`, … up to `to` inclusive.
    #[serde(default)]
    pub range: Option<RangeFile>,
}

/// An inclusive arithmetic range.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Range")]
pub struct RangeFile {
    /// First value.
    pub from: f64,
    /// Last value (included when the steps land on it).
    pub to: f64,
    /// Step > 0.
    pub step: f64,
}

/// A generated catalogue: `count` SKUs with ABC-skewed demand at every
/// listed location.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Catalogue")]
#[non_exhaustive]
pub struct CatalogueFile {
    /// SKU ids are `<prefix>-0001`, `<prefix>-0002`, …
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// Number of SKUs.
    pub count: u32,
    /// Seed of the generator (the catalogue is the same in every run).
    #[serde(default)]
    pub seed: u64,
    /// Locations that stock the catalogue (default: every location).
    #[serde(default)]
    pub locations: Option<Vec<String>>,
    /// Shares of A, B and C items (summing to 1).
    #[serde(default = "default_shares")]
    pub shares: AbcFile,
    /// Mean daily demand of a typical A, B and C item at one location.
    pub mean_daily_demand: AbcFile,
    /// Coefficient of variation of daily demand of A, B and C items.
    #[serde(default = "default_cv")]
    pub cv: AbcFile,
    /// Unit costs are log-uniform between these.
    #[serde(default = "default_cost_range")]
    pub unit_cost: CostRangeFile,
    /// Price = unit cost × (1 + margin).
    #[serde(default = "default_margin")]
    pub margin: f64,
    /// Annual holding rate.
    #[serde(default = "default_holding_rate")]
    pub holding_rate: f64,
    /// Cost per order line.
    #[serde(default)]
    pub ordering_cost: f64,
    /// Penalty per backordered unit-day.
    #[serde(default)]
    pub backorder_penalty_per_day: f64,
    /// Volume of one unit of every generated SKU (default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<f64>,
    /// Demand split across customer classes (default: all to the only class).
    #[serde(default)]
    pub classes: Vec<ClassShareFile>,
}

fn default_prefix() -> String {
    "sku".into()
}

fn default_shares() -> AbcFile {
    AbcFile { a: 0.2, b: 0.3, c: 0.5 }
}

fn default_cv() -> AbcFile {
    AbcFile { a: 0.3, b: 0.6, c: 1.2 }
}

fn default_cost_range() -> CostRangeFile {
    CostRangeFile { min: 5.0, max: 100.0 }
}

fn default_margin() -> f64 {
    0.4
}

/// One value for each of the A, B and C classes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "Abc")]
pub struct AbcFile {
    /// A items (fast movers).
    pub a: f64,
    /// B items.
    pub b: f64,
    /// C items (slow movers).
    pub c: f64,
}

/// A cost range.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "CostRange")]
pub struct CostRangeFile {
    /// Lowest.
    pub min: f64,
    /// Highest.
    pub max: f64,
}

/// A customer class's share of generated demand.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "ClassShare")]
pub struct ClassShareFile {
    /// Class name.
    pub class: String,
    /// Share of each item's demand (shares sum to 1).
    pub share: f64,
}

/// Demand history from a CSV file: columns `day` (0, 1, …) or `date`
/// (YYYY-MM-DD), `location`, `sku`, `quantity`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename = "History")]
#[non_exhaustive]
pub struct HistoryFile {
    /// Path, relative to the scenario file.
    pub file: String,
    /// Replay (day t demands the recorded day t, repeating) or Bootstrap.
    #[serde(default)]
    pub mode: HistoryModeFile,
    /// Customer class of the recorded demand (default: the only class).
    #[serde(default)]
    pub class: Option<String>,
}

/// How a history is used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "HistoryMode")]
pub enum HistoryModeFile {
    /// The recorded days in order, repeating.
    #[default]
    Replay,
    /// Each day a recorded day drawn at random (per stream).
    Bootstrap,
}
