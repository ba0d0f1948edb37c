//! Metric definitions and their collection during a run.
//!
//! # Contract
//!
//! Every metric is defined once, here, in [`METRICS`]: its key (as it appears
//! in `summary.json`, `runs.csv` and the terminal), its unit, which direction
//! is better, and its definition. The README's metric table is this table.
//!
//! Counting rules, common to all metrics:
//! * Only *measured* days count: days `t ≥ warmup_days`. A release, a receipt
//!   or a cost belongs to the day on which it happens.
//! * Unit quantities (`*_mean`) are totals over the SKU-locations in scope,
//!   averaged over measured days; for one SKU at one location they are the
//!   per-period quantities of inventory theory.
//! * Rates are ratios of sums (never means of ratios).
//! * Costs are in currency per measured day, totalled over the scope.
//!   Holding cost and the backorder penalty weigh the stock a day holds:
//!   under daily demand, where stock moves only at a day's start and end,
//!   the day end's on-hand and backorders; under event-driven demand (a
//!   scenario with any `Orders` stream; receipts then land at their
//!   minute), on-hand and backorders integrated over the day in
//!   unit-minutes ÷ 1440, so stock that arrives at noon is held half a day.
//! * A metric that is undefined for a run (e.g. turns with no stock ever
//!   held) is `NaN`, written as `null`, and skipped by replication statistics.
//!
//! # Adding a metric
//!
//! 1. Add its line to `metric_table!` below (`Variant = "key", "unit",
//!    Higher | Lower | Neither, "definition";`): its place there is its
//!    column in `runs.csv` and its position in every metric vector. A
//!    per-class, per-lane or per-SKU figure goes in `CLASS_METRICS`,
//!    `LANE_METRICS` or `SKU_METRICS` instead, with its `finish`.
//! 2. Count what it needs where it happens in the engine
//!    (`crate::engine`), into the node's `Tally` (a new field), on measured
//!    days only; `Tally::absorb` adds node sums into the network's, so add
//!    the field there too (a service sum only for customer-facing nodes).
//!    Keep the per-SKU-day loop free of new work where a per-node sum will
//!    do (`benches/scale/instructions.sh` counts the cost).
//! 3. Compute it in `finish` with `set(Metric::Variant, …)`: a ratio of
//!    sums, a per-day mean, or `NaN` where undefined.
//! 4. A cost: add it to `TOTAL_COST_PARTS` (`total_cost` is their sum, a
//!    test checks it) and to the stepper's day outcome
//!    (`engine::stepper::DayOutcome`: the Gym's reward and `info`).
//! 5. Bump `METRIC_SET_VERSION` (`echelon_reports::summary`): run logs and
//!    baselines of the old set are then refused, not compared. Re-record
//!    `baselines/ci.json` (`echelon baseline scenarios/ci.ron --out
//!    baselines/ci.json`) and any figure a test pins.
//! 6. Add its row to README's metric table, exactly as the definition
//!    reads (`tests/docs.rs` compares them), and a test that works its
//!    value out by hand on a small scenario.

use crate::governance::DecisionKind;
use crate::time::MINUTES_PER_DAY;
use hdrhistogram::Histogram;

/// Which direction of a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Larger values are better (service).
    Higher,
    /// Smaller values are better (cost, latency).
    Lower,
    /// Descriptive only (levels, flows).
    Neither,
}

/// One metric's definition.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// Key in every output.
    pub key: &'static str,
    /// Unit of measure.
    pub unit: &'static str,
    /// Better direction.
    pub better: Better,
    /// Exact definition.
    pub definition: &'static str,
}

macro_rules! metric_table {
    ($( $index:ident = $key:literal, $unit:literal, $better:ident, $def:literal; )*) => {
        /// Positions of each metric in [`METRICS`] and in [`MetricValues`].
        #[allow(non_camel_case_types, missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum Metric { $( $index, )* }

        /// Every metric, in output order.
        pub const METRICS: &[MetricDef] = &[
            $( MetricDef { key: $key, unit: $unit, better: Better::$better, definition: $def }, )*
        ];
    };
}

metric_table! {
    FillRate = "fill_rate", "ratio", Higher, "Type 2 service: units served from stock at the moment they were demanded ÷ units demanded (network: customer demand; a location feeding others: their orders shipped the evening they were placed).";
    CycleService = "cycle_service", "ratio", Higher, "Type 1: share of SKU-location-days whose whole demand was served from stock (network: customer-facing locations).";
    ReadyRate = "ready_rate", "ratio", Higher, "Type 1: share of SKU-location-days ending with no backorders (network: customer-facing locations).";
    OnTimeRate = "on_time_rate", "ratio", Higher, "Units delivered within their customer class's SLA — from stock at once, or from a backorder no older than sla_days — ÷ units demanded (network: customers; a location feeding others: its orders, on time when shipped the evening they were placed).";
    OnHandStartMean = "on_hand_start_mean", "units", Neither, "On-hand after the start-of-day receipts, before demand.";
    OnHandEndMean = "on_hand_end_mean", "units", Neither, "On-hand at day end, after demand and ordering.";
    BackordersEndMean = "backorders_end_mean", "units", Lower, "Backordered units at day end (customers; at a location feeding others, also the units owed to them).";
    NetInventoryEndMean = "net_inventory_end_mean", "units", Neither, "On-hand − backorders at day end.";
    LostSalesMean = "lost_sales_mean", "units", Lower, "Units demanded and lost per day.";
    DemandMean = "demand_mean", "units", Neither, "Units demanded per day (network: by customers; a location feeding others: also their orders).";
    OrderFrequency = "order_frequency", "orders per SKU-location-day", Neither, "Orders with positive quantity ÷ SKU-location-days.";
    OrderQuantityMean = "order_quantity_mean", "units", Neither, "Mean units per order placed.";
    OnOrderEndMean = "on_order_end_mean", "units", Neither, "Units ordered and not yet received, at day end after ordering.";
    InventoryPositionEndMean = "inventory_position_end_mean", "units", Neither, "On-hand − backorders + on-order at day end after ordering.";
    InventoryValueEndMean = "inventory_value_end_mean", "currency", Neither, "On-hand at day end valued at unit cost (the x axis of the service/cost frontier).";
    Turns = "turns", "per year", Higher, "Cost of goods shipped to customers × 365 ÷ measured days, ÷ mean end-of-day on-hand value at cost.";
    DaysOfSupply = "days_of_supply", "days", Lower, "365 ÷ turns.";
    HoldingCost = "holding_cost", "currency/day", Lower, "On-hand × unit cost × holding rate ÷ 365 per day: the day end's on-hand under daily demand; under event-driven demand (a scenario with any Orders stream) on-hand integrated over the day, in unit-minutes ÷ 1440; plus in_transit_holding_cost.";
    OrderingCost = "ordering_cost", "currency/day", Lower, "Orders placed × the SKU's ordering cost.";
    TransportCost = "transport_cost", "currency/day", Lower, "Units departing on replenishment lanes × the lane's transport cost per unit (expedites included), plus trucks dispatched × the lane's cost_per_truck.";
    ExpediteCost = "expedite_cost", "currency/day", Lower, "Expedite premiums: per shipment + per unit, of the expedites sent.";
    ExpediteCount = "expedite_count", "expedites per day", Lower, "Expedite shipments sent per measured day.";
    TransferCost = "transfer_cost", "currency/day", Lower, "Units departing on lateral lanes (transfers) × the lane's cost per unit.";
    ShortageCost = "shortage_cost", "currency/day", Lower, "Backorders × backorder penalty per unit-day (the day end's backorders under daily demand; under event-driven demand backorders integrated over the day, in unit-minutes ÷ 1440) + lost and cancelled units × lost-sale penalty + the classes' late penalties (see late_penalty_cost).";
    LostInTransitMean = "lost_in_transit_mean", "units", Lower, "Units lost in transit (an outage with in_transit: Lose), counted at the receiving location on the day they were due.";
    LostInTransitCost = "lost_in_transit_cost", "currency/day", Lower, "Units lost in transit × their unit cost (goods paid for and never received).";
    TotalCost = "total_cost", "currency/day", Lower, "holding + ordering + transport + shortage + expedite + transfer + lost in transit + overflow + scrap + substitution.";
    ReturnedUnits = "returned_units", "units/day", Neither, "Units customers returned (a class's returns share of the units shipped to it, after its return delay), counted at the location that shipped them on the day they arrive back; restocked or scrapped as the SKU says.";
    ScrappedUnits = "scrapped_units", "units/day", Lower, "Returned units scrapped (SKUs with returns: Scrap), on the day they arrive back.";
    ScrapCost = "scrap_cost", "currency/day", Lower, "Scrapped units × unit cost.";
    SubstitutedUnits = "substituted_units", "units/day", Neither, "Units of unmet demand served from a substitute SKU's stock at the same location when demanded; they count as served from stock in fill_rate, so a SKU's own availability is fill_rate − substituted_units ÷ demand_mean.";
    SubstitutionCost = "substitution_cost", "currency/day", Lower, "Substituted units × the substitute's cost per unit (margin given up).";
    DecisionLatencyP50 = "decision_latency_p50_min", "minutes", Lower, "Simulated minutes from trigger to release, median over every decision released on a measured day (purchase orders, transfers, expedites), and every decision still unreleased at the end of the run, counted censored at the horizon (latency = end of run − trigger; its true latency is at least that). A purchase order's trigger is the moment its SKU's inventory position was first at or below the reorder point in force when the order was decided; a transfer's or expedite's is the day end its rule fired. Release includes any wait for approval (governance).";
    DecisionLatencyP95 = "decision_latency_p95_min", "minutes", Lower, "As decision_latency_p50_min, 95th percentile.";
    DecisionLatencyP99 = "decision_latency_p99_min", "minutes", Lower, "As decision_latency_p50_min, 99th percentile.";
    DecisionLatencyMax = "decision_latency_max_min", "minutes", Lower, "As decision_latency_p50_min, maximum.";
    PoLatencyP50 = "po_latency_p50_min", "minutes", Lower, "As decision_latency_p50_min, purchase orders (replenishment orders) only; NaN when there was none (released or pending).";
    PoLatencyP95 = "po_latency_p95_min", "minutes", Lower, "As po_latency_p50_min, 95th percentile.";
    PoLatencyP99 = "po_latency_p99_min", "minutes", Lower, "As po_latency_p50_min, 99th percentile.";
    PoLatencyMax = "po_latency_max_min", "minutes", Lower, "As po_latency_p50_min, maximum.";
    TransferLatencyP50 = "transfer_latency_p50_min", "minutes", Lower, "As decision_latency_p50_min, transfers only; NaN when there was none (released or pending).";
    TransferLatencyP95 = "transfer_latency_p95_min", "minutes", Lower, "As transfer_latency_p50_min, 95th percentile.";
    TransferLatencyP99 = "transfer_latency_p99_min", "minutes", Lower, "As transfer_latency_p50_min, 99th percentile.";
    TransferLatencyMax = "transfer_latency_max_min", "minutes", Lower, "As transfer_latency_p50_min, maximum.";
    ExpediteLatencyP50 = "expedite_latency_p50_min", "minutes", Lower, "As decision_latency_p50_min, expedites only; NaN when there was none (released or pending).";
    ExpediteLatencyP95 = "expedite_latency_p95_min", "minutes", Lower, "As expedite_latency_p50_min, 95th percentile.";
    ExpediteLatencyP99 = "expedite_latency_p99_min", "minutes", Lower, "As expedite_latency_p50_min, 99th percentile.";
    ExpediteLatencyMax = "expedite_latency_max_min", "minutes", Lower, "As expedite_latency_p50_min, maximum.";
    Bullwhip = "bullwhip", "variance ratio", Lower, "Variance of daily units ordered ÷ variance of daily units demanded (totals over the scope). Network: the customer-facing echelon's — units ordered by the locations serving customers ÷ customer demand — so a chain passing demand straight through has 1; each upstream echelon's own ratio (its orders ÷ the orders it receives) is its location's bullwhip.";
    FallbackSwitches = "fallback_switches", "switches", Neither, "Times a Fallback strategy handed the decisions to its fallback (its primary's input unavailable: forecast out, or data staler than its limit), counted per location over the measured days.";
    FallbackDays = "fallback_days", "location-days", Neither, "Location-days on which a fallback decided instead of the primary, over the measured days.";
    FallbackFillRate = "fallback_fill_rate", "ratio", Higher, "fill_rate counted only on the location-days on which a fallback decided (NaN when there were none).";
    DecisionsPendingEnd = "decisions_pending_end", "decisions", Lower, "Decisions (purchase orders, transfers, expedites) made but not released at the end of the run: waiting in the approval queue or in approval (governance; 0 without it). Each also counts, censored at the horizon, in the latency figures.";
    ApprovalBacklogEnd = "approval_backlog_end", "decisions", Lower, "Of decisions_pending_end, those waiting at the end of the run for a planner to take them up (the approval queue's length then); the rest were in approval.";
    TouchlessRate = "touchless_rate", "ratio", Higher, "Decisions (purchase orders, transfers, expedites) made on measured days and released without approval ÷ all decisions made on them (1 without governance; NaN when there was none).";
    ExceptionsPerDay = "exceptions_per_day", "decisions per day", Lower, "Decisions made on measured days that governance routed for approval (worth more than approval_above), per measured day.";
    StockoutFrequency = "stockout_frequency", "ratio", Lower, "SKU-location-days with unmet demand (some of the day's demand not served from stock at once) ÷ SKU-location-days (network: customer-facing locations); 1 − cycle_service.";
    StockoutDurationMean = "stockout_duration_mean_days", "days", Lower, "Mean length of the stock-out runs — maximal runs of consecutive measured stock-out days (as in stockout_frequency) of one SKU-location — over every run (network: customer-facing locations); a run still going at the end of the run ends there; NaN without stock-outs.";
    StockoutDurationP95 = "stockout_duration_p95_days", "days", Lower, "As stockout_duration_mean_days, 95th percentile of the run lengths.";
    WorkingCapital = "working_capital", "currency", Lower, "Mean over measured days of the day end's stock value at unit cost: on-hand plus units in transit to the location that the network owns (shipped from another stocking location, or on a lane with ownership: Dispatch).";
    ExcessStockValue = "excess_stock_value", "currency", Lower, "Mean over measured days of the day end's on-hand above cover, at unit cost: per SKU-location max(0, on-hand − ⌈excess_cover_days × mean daily demand⌉) (the scorecard section; default 90 days; a location feeding others: the demand of the locations it feeds).";
    InTransitHoldingCost = "in_transit_holding_cost", "currency/day", Lower, "Units in transit on lanes with ownership: Dispatch, at the day end, × unit cost × holding rate ÷ 365 (also part of holding_cost; 0 when no lane says so).";
    PurchaseCost = "purchase_cost", "currency/day", Neither, "Units ordered from suppliers (purchase orders sent to a supplier lane, expedites from a supplier included) × the SKU's unit cost, per measured day, booked when sent; not part of total_cost.";
    ForecastMape = "forecast_mape", "ratio", Lower, "Σ |one-step-ahead forecast − demand| ÷ Σ demand (demand-weighted MAPE) over the measured SKU-days of locations whose strategy forecasts (forecast-driven policies; demand as the forecast sees it, fed locations' orders included); the forecast of a day is the one in force at the end of the day before; NaN where no strategy forecasts.";
    ForecastBias = "forecast_bias", "ratio", Neither, "Σ (one-step-ahead forecast − demand) ÷ Σ demand, over the same SKU-days as forecast_mape: > 0 over-forecasts, < 0 under-forecasts.";
    InventoryImbalance = "inventory_imbalance", "days", Lower, "Network only: the population standard deviation, across the customer-facing locations stocking a SKU with positive mean daily demand, of their days of cover (day-end on-hand ÷ mean daily demand), averaged over every (SKU, measured day) with two or more such locations; NaN for a location or without such SKUs.";
    TransferCycleTime = "transfer_cycle_time_days", "days", Lower, "Mean days from a transfer's release (after any approval) to its receipt, over transfers received on measured days (at the receiving location); NaN without transfers.";
    LeadTimeMean = "lead_time_mean_days", "days", Lower, "Realised lead time of replenishment shipments (lateral transfers excluded) received on measured days: mean days from departure (the order, expedite or dispatch handed to the lane; any outage hold included) to receipt, per shipment (one SKU's units on one departure), at the receiving location (its inbound lanes); per lane in the lane scope (LANE_METRICS).";
    LeadTimeVar = "lead_time_var_days2", "days²", Lower, "Population variance of the realised lead times of lead_time_mean_days (NaN with fewer than two shipments).";
    LineFillRate = "line_fill_rate", "ratio", Higher, "Customer order lines (a daily-demand class's day of demand for a SKU, or one event-driven order) shipped complete from stock the moment they were demanded ÷ order lines with positive units demanded on measured days.";
    Otif = "otif", "ratio", Higher, "Order lines delivered in full within their class's SLA — complete from stock at once, or their backorder completed no later than sla_days after demand — ÷ order lines demanded on measured days.";
    OverflowUnitsMean = "overflow_units_mean", "units", Lower, "Units above a location's storage capacity (on-hand of all its SKUs together, after the start-of-day receipts, before demand), per day: the stock in overflow space; 0 at locations without a capacity.";
    OverflowCost = "overflow_cost", "currency/day", Lower, "Overflow units × the location's overflow_cost_per_unit_day, plus overflow volume × its overflow_cost_per_volume_day.";
    OverflowVolumeMean = "overflow_volume_mean", "volume", Lower, "Volume above a location's capacity_volume (Σ on-hand × the SKU's volume per unit over all its SKUs, after the start-of-day receipts, before demand), per day; 0 at locations without a capacity_volume.";
    TrucksPerDay = "trucks_per_day", "trucks per day", Neither, "Trucks dispatched on lanes with trucks per measured day, counted at the receiving location (their cost_per_truck is in transport_cost).";
    TruckFillRate = "truck_fill_rate", "ratio", Higher, "Units carried by those trucks ÷ (trucks × units a truck carries); NaN without trucks.";
    LaneWaitingEndMean = "lane_waiting_end_mean", "units", Neither, "Units released on lanes with trucks or a capacity per day and still waiting at the lane for a truck or capacity at day end (after the day's dispatch), counted at the receiving location.";
}

/// Number of metrics.
pub const METRIC_COUNT: usize = METRICS.len();

/// The metrics reported per customer class (network-wide, measured days).
///
/// A class's *backorders* are its backordered order lines at the
/// locations serving it; each ends served (from a receipt), cancelled (the
/// customer's patience ran out) or open at the end of the run. Units
/// demanded during the warm-up count nowhere, whenever they end.
pub const CLASS_METRICS: &[MetricDef] = &[
    MetricDef {
        key: "fill_rate",
        unit: "ratio",
        better: Better::Higher,
        definition: "Units of the class served from stock at the moment they were demanded ÷ units it demanded.",
    },
    MetricDef {
        key: "on_time_rate",
        unit: "ratio",
        better: Better::Higher,
        definition: "Units delivered within the class's SLA (from stock at once, or from a backorder no older than sla_days) ÷ units demanded; lost, cancelled and still-open units are not on time.",
    },
    MetricDef {
        key: "backorder_age_p50_days",
        unit: "days",
        better: Better::Lower,
        definition: "Median, over backordered units, of the days from demand until the backorder ended (served, cancelled, or the run's end for open ones); NaN without backorders.",
    },
    MetricDef {
        key: "backorder_age_p95_days",
        unit: "days",
        better: Better::Lower,
        definition: "As backorder_age_p50_days, 95th percentile.",
    },
    MetricDef {
        key: "late_penalty_cost",
        unit: "currency/day",
        better: Better::Lower,
        definition: "Σ backordered units × days they waited beyond the SLA × the class's late_penalty_per_day, per measured day (also part of shortage_cost).",
    },
    MetricDef {
        key: "lost_sales_mean",
        unit: "units",
        better: Better::Lower,
        definition: "Units of the class demanded and lost per day (lost-sales classes).",
    },
    MetricDef {
        key: "cancelled_mean",
        unit: "units",
        better: Better::Lower,
        definition: "Backordered units of the class cancelled per day, their customer's patience_days having run out.",
    },
    MetricDef {
        key: "demand_mean",
        unit: "units",
        better: Better::Neither,
        definition: "Units the class demanded per day.",
    },
    MetricDef {
        key: "line_fill_rate",
        unit: "ratio",
        better: Better::Higher,
        definition: "The class's order lines (a day of daily demand for a SKU at a location, or one event-driven order) shipped complete from stock the moment they were demanded ÷ its order lines with positive units.",
    },
    MetricDef {
        key: "otif",
        unit: "ratio",
        better: Better::Higher,
        definition: "The class's order lines delivered in full within its SLA (complete from stock at once, or their backorder completed no later than sla_days after demand) ÷ its order lines.",
    },
];

/// The metrics reported per SKU-location (`skus.csv`, the `sku` scope of
/// `runs.parquet`) and per ABC class (`abc` in `summary.json`) when a
/// scenario asks for per-SKU results (`scorecard: (per_sku: true)`). An
/// ABC class's figures are sums over its SKU-locations, as the network's
/// are over every SKU-location: demand and service over the
/// customer-facing locations, stock over all.
pub const SKU_METRICS: &[MetricDef] = &[
    MetricDef {
        key: "fill_rate",
        unit: "ratio",
        better: Better::Higher,
        definition: "Units served from stock the moment they were demanded ÷ units demanded (a location feeding others: their orders too, served the evening they were placed).",
    },
    MetricDef {
        key: "stockout_frequency",
        unit: "ratio",
        better: Better::Lower,
        definition: "Measured days with unmet demand ÷ measured days.",
    },
    MetricDef {
        key: "demand_mean",
        unit: "units",
        better: Better::Neither,
        definition: "Units demanded per measured day.",
    },
    MetricDef { key: "on_hand_end_mean", unit: "units", better: Better::Neither, definition: "On-hand at day end." },
    MetricDef {
        key: "backorders_end_mean",
        unit: "units",
        better: Better::Lower,
        definition: "Backordered units at day end (also units owed to fed locations).",
    },
    MetricDef {
        key: "inventory_value_end_mean",
        unit: "currency",
        better: Better::Neither,
        definition: "On-hand at day end valued at unit cost.",
    },
    MetricDef {
        key: "excess_stock_value",
        unit: "currency",
        better: Better::Lower,
        definition: "On-hand above cover at day end, valued at unit cost (as the metric excess_stock_value).",
    },
    MetricDef {
        key: "ordered_mean",
        unit: "units",
        better: Better::Neither,
        definition: "Units ordered (purchase orders decided) per measured day.",
    },
];

/// One value per SKU metric, in [`SKU_METRICS`] order.
pub type SkuValues = [f64; 8];

/// Sums of one SKU-location (or of an ABC class) over the measured days.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct SkuTally {
    /// Measured days.
    pub days: u64,
    /// Units demanded.
    pub demand: i64,
    /// Units not served from stock when demanded.
    pub short: i64,
    /// Days with unmet demand.
    pub stockout_days: u64,
    /// Σ on-hand at day end.
    pub on_hand_end: i64,
    /// Σ backorders (and units owed) at day end.
    pub backorders_end: i64,
    /// Σ on-hand value at day end.
    pub value_end: f64,
    /// Σ value above cover at day end.
    pub excess_value: f64,
    /// Units ordered.
    pub ordered: i64,
}

impl SkuTally {
    /// Adds `other`'s sums; demand and service only when `customer_facing`.
    pub fn absorb(&mut self, other: &SkuTally, customer_facing: bool) {
        if customer_facing {
            self.days += other.days;
            self.demand += other.demand;
            self.short += other.short;
            self.stockout_days += other.stockout_days;
        }
        self.on_hand_end += other.on_hand_end;
        self.backorders_end += other.backorders_end;
        self.value_end += other.value_end;
        self.excess_value += other.excess_value;
        self.ordered += other.ordered;
    }

    /// The SKU metrics over `days` measured days.
    pub fn finish(&self, days: u32) -> SkuValues {
        let days = f64::from(days);
        [
            ratio((self.demand - self.short) as f64, self.demand as f64),
            ratio(self.stockout_days as f64, self.days as f64),
            self.demand as f64 / days,
            self.on_hand_end as f64 / days,
            self.backorders_end as f64 / days,
            self.value_end / days,
            self.excess_value / days,
            self.ordered as f64 / days,
        ]
    }
}

/// The metrics reported per lane (`lanes` in `summary.json`, the `lane`
/// scope of `runs.parquet`, keyed `<from>-><to>`), over the shipments the
/// lane delivered on measured days. A shipment is one SKU's units handed to
/// the lane together (a truck carrying three SKUs is three shipments, with
/// one lead time); its realised lead time runs from departure (the order,
/// expedite or truck dispatch handed to the lane; any outage hold
/// included) to receipt. On a lateral lane these are its transfers, and the
/// lead time is their cycle time (`transfer_cycle_time_days`).
pub const LANE_METRICS: &[MetricDef] = &[
    MetricDef {
        key: "lead_time_mean_days",
        unit: "days",
        better: Better::Lower,
        definition: "Mean realised lead time of the shipments the lane delivered (NaN without any).",
    },
    MetricDef {
        key: "lead_time_var_days2",
        unit: "days²",
        better: Better::Lower,
        definition: "Population variance of those realised lead times (NaN with fewer than two shipments).",
    },
    MetricDef {
        key: "shipments_per_day",
        unit: "shipments per day",
        better: Better::Neither,
        definition: "Shipments the lane delivered (lost ones not counted) per measured day.",
    },
];

/// One value per lane metric, in [`LANE_METRICS`] order.
pub type LaneValues = [f64; 3];

/// Realised lead times of received shipments, in minutes: their count,
/// sum and sum of squares (exact integers), booked once per receipt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeadTimes {
    /// Shipments received…
    pub count: u64,
    /// …Σ their lead times in minutes…
    pub minutes: u64,
    /// …and Σ of their squares.
    pub squares: u128,
}

impl LeadTimes {
    /// Books one shipment received `minutes` after it departed.
    #[inline]
    pub fn record(&mut self, minutes: u64) {
        self.count += 1;
        self.minutes += minutes;
        self.squares += u128::from(minutes) * u128::from(minutes);
    }

    /// Adds `other`'s shipments.
    pub fn add(&mut self, other: &LeadTimes) {
        self.count += other.count;
        self.minutes += other.minutes;
        self.squares += other.squares;
    }

    /// Mean lead time in days (NaN without shipments).
    pub fn mean_days(&self) -> f64 {
        ratio(self.minutes as f64, self.count as f64) / MINUTES_PER_DAY as f64
    }

    /// Population variance in days² (NaN with fewer than two shipments):
    /// (n·Σx² − (Σx)²) ÷ n², exact in integers until the division.
    pub fn variance_days2(&self) -> f64 {
        if self.count < 2 {
            return f64::NAN;
        }
        let (n, sum) = (u128::from(self.count), u128::from(self.minutes));
        let day = MINUTES_PER_DAY as f64;
        ((n * self.squares - sum * sum) as f64 / (n * n) as f64) / (day * day)
    }

    /// The lane metrics over `days` measured days.
    pub fn finish(&self, days: u32) -> LaneValues {
        [self.mean_days(), self.variance_days2(), self.count as f64 / f64::from(days)]
    }
}

/// One value per class metric, in [`CLASS_METRICS`] order.
pub type ClassValues = [f64; 10];

/// Customer-class sums over the measured days.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct ClassTally {
    /// Units demanded.
    pub demand: i64,
    /// Units served from stock at the moment of demand.
    pub served_from_stock: i64,
    /// Units lost.
    pub lost: i64,
    /// Backordered units served within the SLA.
    pub backorders_on_time: i64,
    /// Backordered units cancelled.
    pub cancelled: i64,
    /// Late penalties of backordered units.
    pub late_penalty: f64,
    /// Order lines with positive units.
    pub lines: u64,
    /// Of those, shipped complete from stock at once.
    pub lines_full: u64,
    /// Backordered lines completed within the SLA.
    pub lines_late_on_time: u64,
}

impl ClassTally {
    /// Books `demand` units of which `served` came from stock and, when
    /// `lost`, the rest was lost.
    #[inline]
    pub fn add(&mut self, demand: i64, served: i64, lost: bool) {
        self.demand += demand;
        self.served_from_stock += served;
        if lost {
            self.lost += demand - served;
        }
    }

    /// The class metrics over `days` measured days, with `backorder_ages`
    /// in minutes, one count per backordered unit.
    pub fn finish(&self, days: u32, backorder_ages: &Histogram<u64>) -> ClassValues {
        let days = f64::from(days);
        let age_days = |quantile: f64| {
            if backorder_ages.is_empty() {
                f64::NAN
            } else {
                let age = backorder_ages.lowest_equivalent(backorder_ages.value_at_quantile(quantile));
                age as f64 / MINUTES_PER_DAY as f64
            }
        };
        [
            ratio(self.served_from_stock as f64, self.demand as f64),
            ratio((self.served_from_stock + self.backorders_on_time) as f64, self.demand as f64),
            age_days(0.5),
            age_days(0.95),
            self.late_penalty / days,
            self.lost as f64 / days,
            self.cancelled as f64 / days,
            self.demand as f64 / days,
            ratio(self.lines_full as f64, self.lines as f64),
            ratio((self.lines_full + self.lines_late_on_time) as f64, self.lines as f64),
        ]
    }
}

/// One value per metric, in [`METRICS`] order.
pub type MetricValues = [f64; METRIC_COUNT];

/// The metrics whose sum is `total_cost` (see its definition), in the
/// order reports show them. `in_transit_holding_cost` is part of
/// `holding_cost` and `purchase_cost` is not a cost of running the network,
/// so neither is here.
pub const TOTAL_COST_PARTS: [Metric; 10] = [
    Metric::HoldingCost,
    Metric::OrderingCost,
    Metric::TransportCost,
    Metric::ShortageCost,
    Metric::ExpediteCost,
    Metric::TransferCost,
    Metric::LostInTransitCost,
    Metric::OverflowCost,
    Metric::ScrapCost,
    Metric::SubstitutionCost,
];

/// Looks a metric up by key.
pub fn metric_index(key: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.key == key)
}

/// Running mean and variance of a daily series (Welford), in day order.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DailySeries {
    count: u64,
    mean: f64,
    m2: f64,
}

impl DailySeries {
    /// Adds one day's value.
    pub fn push(&mut self, value: f64) {
        self.count += 1;
        let delta = value - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (value - self.mean);
    }

    /// Population variance (NaN with fewer than two days).
    pub fn variance(&self) -> f64 {
        if self.count < 2 { f64::NAN } else { self.m2 / self.count as f64 }
    }
}

/// Sums collected over the measured days for one scope (a node, or the
/// network).
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    /// SKU-location-days observed.
    pub sku_days: u64,
    /// SKU-location-days that count for type-1 service (customer-facing).
    pub service_sku_days: u64,
    /// Units demanded.
    pub demand: i64,
    /// Units served from stock at the moment of demand.
    pub served_from_stock: i64,
    /// Backordered customer units served within their class's SLA.
    pub backorders_on_time: i64,
    /// Units shipped to customers (from stock or from backorders).
    pub shipped: i64,
    /// Cost of the units shipped to customers.
    pub shipped_cost: f64,
    /// Units lost.
    pub lost: i64,
    /// SKU-location-days whose whole demand was served from stock.
    pub no_stockout_days: u64,
    /// SKU-location-days ending with no backorders.
    pub ready_days: u64,
    /// Σ on-hand after receipts.
    pub on_hand_start: i64,
    /// Σ on-hand at day end.
    pub on_hand_end: i64,
    /// Σ on-hand value at cost at day end.
    pub on_hand_end_value: f64,
    /// Σ backorders at day end.
    pub backorders_end: i64,
    /// Σ on-order at day end.
    pub on_order_end: i64,
    /// Orders placed with positive quantity.
    pub orders: u64,
    /// Units ordered.
    pub ordered_units: i64,
    /// Holding cost.
    pub holding_cost: f64,
    /// Ordering cost.
    pub ordering_cost: f64,
    /// Transport cost.
    pub transport_cost: f64,
    /// Shortage cost.
    pub shortage_cost: f64,
    /// Expedite premiums.
    pub expedite_cost: f64,
    /// Expedite shipments.
    pub expedites: u64,
    /// Transfer cost.
    pub transfer_cost: f64,
    /// Units lost in transit (booked at the receiving node when due).
    pub lost_in_transit: i64,
    /// Their value at unit cost.
    pub lost_in_transit_cost: f64,
    /// Switches from a primary strategy to its fallback.
    pub fallback_switches: u64,
    /// Location-days decided by a fallback.
    pub fallback_days: u64,
    /// Units demanded on those location-days.
    pub fallback_demand: i64,
    /// Units served from stock on them.
    pub fallback_served: i64,
    /// Decisions not released at the end of the run (queued or in
    /// approval).
    pub decisions_pending_end: u64,
    /// Of those, the decisions no planner had taken up yet.
    pub approval_backlog_end: u64,
    /// Decisions made (purchase orders, transfers, expedites).
    pub decisions: u64,
    /// Of those, the decisions routed for approval.
    pub exceptions: u64,
    /// Stock-out runs ended (see `stockout_duration_mean_days`)…
    pub stockout_runs: u64,
    /// …and their days.
    pub stockout_run_days: u64,
    /// Σ value at cost of owned units in transit to the scope, at day end.
    pub in_transit_value: f64,
    /// Σ value at cost of on-hand above cover, at day end.
    pub excess_value: f64,
    /// Holding cost of units in transit on dispatch-ownership lanes (also
    /// in `holding_cost`).
    pub in_transit_holding_cost: f64,
    /// Units bought from suppliers × unit cost.
    pub purchase_cost: f64,
    /// Σ |forecast − demand| over forecast SKU-days.
    pub forecast_abs_error: f64,
    /// Σ (forecast − demand).
    pub forecast_error: f64,
    /// Σ demand over the same SKU-days.
    pub forecast_demand: f64,
    /// Σ over (SKU, day) of the standard deviation of days of cover.
    pub imbalance_sum: f64,
    /// Number of those (SKU, day) observations.
    pub imbalance_count: u64,
    /// Transfers received…
    pub transfers_received: u64,
    /// …and their minutes from release to receipt.
    pub transfer_minutes: u64,
    /// Realised lead times of the replenishment shipments received.
    pub lead_times: LeadTimes,
    /// Customer order lines with positive units.
    pub lines: u64,
    /// Of those, shipped complete from stock at once.
    pub lines_full: u64,
    /// Backordered lines completed within their SLA.
    pub lines_late_on_time: u64,
    /// Σ units above storage capacity after the start-of-day receipts.
    pub overflow_units: i64,
    /// Their overflow premium.
    pub overflow_cost: f64,
    /// Σ volume above the volume capacity after the start-of-day receipts.
    pub overflow_volume: f64,
    /// Trucks dispatched (to this node).
    pub trucks: u64,
    /// Units they carried.
    pub truck_units: i64,
    /// Units they could have carried.
    pub truck_capacity: i64,
    /// Σ units waiting at lanes (to this node) at day end.
    pub lane_waiting_end: i64,
    /// Units customers returned (arrived back at the location).
    pub returned_units: i64,
    /// Of those, units scrapped…
    pub scrapped_units: i64,
    /// …and their value at unit cost.
    pub scrap_cost: f64,
    /// Units served as substitutes for another SKU's demand.
    pub substituted_units: i64,
    /// Their substitution cost.
    pub substitution_cost: f64,
}

impl Tally {
    /// Adds another scope's sums into this one. Service and demand sums
    /// (demand, served, shipped, lost, stock-out and ready days and the
    /// SKU-days they are counted over, backorders) count only when
    /// `customer_facing`: the network's service
    /// is its customers' service, while stock, orders and costs are counted
    /// at every node.
    pub fn absorb(&mut self, other: &Tally, customer_facing: bool) {
        self.sku_days += other.sku_days;
        if customer_facing {
            self.service_sku_days += other.service_sku_days;
            self.demand += other.demand;
            self.served_from_stock += other.served_from_stock;
            self.backorders_on_time += other.backorders_on_time;
            self.shipped += other.shipped;
            self.shipped_cost += other.shipped_cost;
            self.lost += other.lost;
            self.no_stockout_days += other.no_stockout_days;
            self.ready_days += other.ready_days;
            self.backorders_end += other.backorders_end;
            self.fallback_demand += other.fallback_demand;
            self.fallback_served += other.fallback_served;
            self.stockout_runs += other.stockout_runs;
            self.stockout_run_days += other.stockout_run_days;
            self.lines += other.lines;
            self.lines_full += other.lines_full;
            self.lines_late_on_time += other.lines_late_on_time;
        }
        self.decisions += other.decisions;
        self.exceptions += other.exceptions;
        self.in_transit_value += other.in_transit_value;
        self.excess_value += other.excess_value;
        self.in_transit_holding_cost += other.in_transit_holding_cost;
        self.purchase_cost += other.purchase_cost;
        self.forecast_abs_error += other.forecast_abs_error;
        self.forecast_error += other.forecast_error;
        self.forecast_demand += other.forecast_demand;
        self.imbalance_sum += other.imbalance_sum;
        self.imbalance_count += other.imbalance_count;
        self.transfers_received += other.transfers_received;
        self.transfer_minutes += other.transfer_minutes;
        self.lead_times.add(&other.lead_times);
        self.fallback_switches += other.fallback_switches;
        self.decisions_pending_end += other.decisions_pending_end;
        self.approval_backlog_end += other.approval_backlog_end;
        self.fallback_days += other.fallback_days;
        self.on_hand_start += other.on_hand_start;
        self.on_hand_end += other.on_hand_end;
        self.on_hand_end_value += other.on_hand_end_value;
        self.on_order_end += other.on_order_end;
        self.orders += other.orders;
        self.ordered_units += other.ordered_units;
        self.holding_cost += other.holding_cost;
        self.ordering_cost += other.ordering_cost;
        self.transport_cost += other.transport_cost;
        self.shortage_cost += other.shortage_cost;
        self.expedite_cost += other.expedite_cost;
        self.expedites += other.expedites;
        self.transfer_cost += other.transfer_cost;
        self.lost_in_transit += other.lost_in_transit;
        self.lost_in_transit_cost += other.lost_in_transit_cost;
        self.overflow_units += other.overflow_units;
        self.overflow_cost += other.overflow_cost;
        self.overflow_volume += other.overflow_volume;
        self.trucks += other.trucks;
        self.truck_units += other.truck_units;
        self.truck_capacity += other.truck_capacity;
        self.lane_waiting_end += other.lane_waiting_end;
        self.returned_units += other.returned_units;
        self.scrapped_units += other.scrapped_units;
        self.scrap_cost += other.scrap_cost;
        self.substituted_units += other.substituted_units;
        self.substitution_cost += other.substitution_cost;
    }
}

fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator == 0.0 { f64::NAN } else { numerator / denominator }
}

/// Simulated latencies of one kind of decision, in minutes: a plain count
/// of zero latencies (most purchase orders, released the moment they are
/// decided) and an HDR histogram (3 significant figures) of the others,
/// allocated at the first one — a node that never waits for a release
/// keeps no histogram. [`histogram`](Self::histogram) is what one
/// histogram of every value would hold.
#[derive(Debug, Clone, Default)]
pub(crate) struct Latencies {
    zeros: u64,
    others: Option<Box<Histogram<u64>>>,
}

impl Latencies {
    /// Books one latency.
    #[inline]
    pub fn record(&mut self, minutes: u64) {
        if minutes == 0 {
            self.zeros += 1;
        } else {
            self.others.get_or_insert_with(|| Box::new(new_histogram())).record(minutes).expect("auto-resizing");
        }
    }

    /// Books `count` zero latencies.
    #[inline]
    pub fn record_zeros(&mut self, count: u64) {
        self.zeros += count;
    }

    /// Adds `other`'s latencies.
    pub fn add(&mut self, other: &Latencies) {
        self.zeros += other.zeros;
        if let Some(theirs) = &other.others {
            match &mut self.others {
                Some(mine) => mine.add(&**theirs).expect("auto-resizing"),
                None => self.others = Some(theirs.clone()),
            }
        }
    }

    /// Every latency booked, as one histogram.
    pub fn histogram(&self) -> Histogram<u64> {
        let mut all = new_histogram();
        if self.zeros > 0 {
            all.record_n(0, self.zeros).expect("auto-resizing");
        }
        if let Some(others) = &self.others {
            all.add(&**others).expect("auto-resizing");
        }
        all
    }
}

fn new_histogram() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant figures is valid")
}

/// The flows of one scope that are not plain sums.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScopeSeries {
    /// Simulated decision latency in minutes, one value per release, per
    /// [`DecisionKind`] (by its index).
    pub latency: [Latencies; 3],
    /// Daily units ordered.
    pub daily_orders: DailySeries,
    /// Daily units demanded.
    pub daily_demand: DailySeries,
    /// Stock-out run lengths in days, one value per run.
    pub stockout_runs: Latencies,
}

impl ScopeSeries {
    /// The latencies of every kind of decision together.
    pub fn all_latencies(&self) -> Latencies {
        let mut all = self.latency[0].clone();
        for kind in &self.latency[1..] {
            all.add(kind);
        }
        all
    }
}

/// p50, p95, p99 and maximum of simulated latencies (all NaN when empty,
/// all 0 when every one is 0: no histogram is built for either).
fn latency_summary(latencies: &Latencies) -> [f64; 4] {
    match (&latencies.others, latencies.zeros) {
        (None, 0) => return [f64::NAN; 4],
        (None, _) => return [0.0; 4],
        (Some(_), _) => {}
    }
    let latency = &latencies.histogram();
    let at = |value: u64| latency.lowest_equivalent(value) as f64;
    [
        at(latency.value_at_quantile(0.50)),
        at(latency.value_at_quantile(0.95)),
        at(latency.value_at_quantile(0.99)),
        at(latency.max()),
    ]
}

/// Turns a scope's sums into metric values; `days` is the number of measured
/// days.
pub(crate) fn finish(tally: &Tally, series: &ScopeSeries, days: u32) -> MetricValues {
    let days = f64::from(days);
    let per_day = |x: f64| x / days;
    let turns = ratio(tally.shipped_cost * 365.0, tally.on_hand_end_value);
    // The parts of TOTAL_COST_PARTS, in that order.
    let total_cost = tally.holding_cost
        + tally.ordering_cost
        + tally.transport_cost
        + tally.shortage_cost
        + tally.expedite_cost
        + tally.transfer_cost
        + tally.lost_in_transit_cost
        + tally.overflow_cost
        + tally.scrap_cost
        + tally.substitution_cost;
    let mut values = [f64::NAN; METRIC_COUNT];
    let mut set = |metric: Metric, value: f64| values[metric as usize] = value;
    set(Metric::FillRate, ratio(tally.served_from_stock as f64, tally.demand as f64));
    set(Metric::CycleService, ratio(tally.no_stockout_days as f64, tally.service_sku_days as f64));
    set(Metric::ReadyRate, ratio(tally.ready_days as f64, tally.service_sku_days as f64));
    let on_time = tally.served_from_stock + tally.backorders_on_time;
    set(Metric::OnTimeRate, ratio(on_time as f64, tally.demand as f64));
    set(Metric::OnHandStartMean, per_day(tally.on_hand_start as f64));
    set(Metric::OnHandEndMean, per_day(tally.on_hand_end as f64));
    set(Metric::BackordersEndMean, per_day(tally.backorders_end as f64));
    set(Metric::NetInventoryEndMean, per_day((tally.on_hand_end - tally.backorders_end) as f64));
    set(Metric::LostSalesMean, per_day(tally.lost as f64));
    set(Metric::DemandMean, per_day(tally.demand as f64));
    set(Metric::OrderFrequency, ratio(tally.orders as f64, tally.sku_days as f64));
    set(Metric::OrderQuantityMean, ratio(tally.ordered_units as f64, tally.orders as f64));
    set(Metric::OnOrderEndMean, per_day(tally.on_order_end as f64));
    set(
        Metric::InventoryPositionEndMean,
        per_day((tally.on_hand_end - tally.backorders_end + tally.on_order_end) as f64),
    );
    set(Metric::InventoryValueEndMean, per_day(tally.on_hand_end_value));
    set(Metric::Turns, turns);
    set(Metric::DaysOfSupply, ratio(365.0, turns));
    set(Metric::HoldingCost, per_day(tally.holding_cost));
    set(Metric::OrderingCost, per_day(tally.ordering_cost));
    set(Metric::TransportCost, per_day(tally.transport_cost));
    set(Metric::ShortageCost, per_day(tally.shortage_cost));
    set(Metric::ExpediteCost, per_day(tally.expedite_cost));
    set(Metric::ExpediteCount, per_day(tally.expedites as f64));
    set(Metric::TransferCost, per_day(tally.transfer_cost));
    set(Metric::LostInTransitMean, per_day(tally.lost_in_transit as f64));
    set(Metric::LostInTransitCost, per_day(tally.lost_in_transit_cost));
    set(Metric::TotalCost, per_day(total_cost));
    set(Metric::ReturnedUnits, per_day(tally.returned_units as f64));
    set(Metric::ScrappedUnits, per_day(tally.scrapped_units as f64));
    set(Metric::ScrapCost, per_day(tally.scrap_cost));
    set(Metric::SubstitutedUnits, per_day(tally.substituted_units as f64));
    set(Metric::SubstitutionCost, per_day(tally.substitution_cost));
    set(Metric::Bullwhip, ratio(series.daily_orders.variance(), series.daily_demand.variance()));
    set(Metric::FallbackSwitches, tally.fallback_switches as f64);
    set(Metric::FallbackDays, tally.fallback_days as f64);
    set(Metric::FallbackFillRate, ratio(tally.fallback_served as f64, tally.fallback_demand as f64));
    set(Metric::DecisionsPendingEnd, tally.decisions_pending_end as f64);
    set(Metric::ApprovalBacklogEnd, tally.approval_backlog_end as f64);
    set(Metric::TouchlessRate, ratio((tally.decisions - tally.exceptions) as f64, tally.decisions as f64));
    set(Metric::ExceptionsPerDay, per_day(tally.exceptions as f64));
    let stockout_days = tally.service_sku_days - tally.no_stockout_days;
    set(Metric::StockoutFrequency, ratio(stockout_days as f64, tally.service_sku_days as f64));
    set(Metric::StockoutDurationMean, ratio(tally.stockout_run_days as f64, tally.stockout_runs as f64));
    set(Metric::StockoutDurationP95, latency_summary(&series.stockout_runs)[1]);
    set(Metric::WorkingCapital, per_day(tally.on_hand_end_value + tally.in_transit_value));
    set(Metric::ExcessStockValue, per_day(tally.excess_value));
    set(Metric::InTransitHoldingCost, per_day(tally.in_transit_holding_cost));
    set(Metric::PurchaseCost, per_day(tally.purchase_cost));
    set(Metric::ForecastMape, ratio(tally.forecast_abs_error, tally.forecast_demand));
    set(Metric::ForecastBias, ratio(tally.forecast_error, tally.forecast_demand));
    set(Metric::InventoryImbalance, ratio(tally.imbalance_sum, tally.imbalance_count as f64));
    set(
        Metric::TransferCycleTime,
        ratio(tally.transfer_minutes as f64, tally.transfers_received as f64) / MINUTES_PER_DAY as f64,
    );
    set(Metric::LeadTimeMean, tally.lead_times.mean_days());
    set(Metric::LeadTimeVar, tally.lead_times.variance_days2());
    set(Metric::LineFillRate, ratio(tally.lines_full as f64, tally.lines as f64));
    set(Metric::Otif, ratio((tally.lines_full + tally.lines_late_on_time) as f64, tally.lines as f64));
    set(Metric::OverflowUnitsMean, per_day(tally.overflow_units as f64));
    set(Metric::OverflowCost, per_day(tally.overflow_cost));
    set(Metric::OverflowVolumeMean, per_day(tally.overflow_volume));
    set(Metric::TrucksPerDay, per_day(tally.trucks as f64));
    set(Metric::TruckFillRate, ratio(tally.truck_units as f64, tally.truck_capacity as f64));
    set(Metric::LaneWaitingEndMean, per_day(tally.lane_waiting_end as f64));
    let all = series.all_latencies();
    let latency_metrics = [
        (Metric::DecisionLatencyP50, &all),
        (Metric::PoLatencyP50, &series.latency[DecisionKind::PurchaseOrder as usize]),
        (Metric::TransferLatencyP50, &series.latency[DecisionKind::Transfer as usize]),
        (Metric::ExpediteLatencyP50, &series.latency[DecisionKind::Expedite as usize]),
    ];
    for (first, latencies) in latency_metrics {
        for (offset, value) in latency_summary(latencies).into_iter().enumerate() {
            values[first as usize + offset] = value;
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_cost_is_exactly_the_sum_of_its_listed_parts() {
        let tally = Tally {
            holding_cost: 1.0,
            ordering_cost: 2.0,
            transport_cost: 4.0,
            shortage_cost: 8.0,
            expedite_cost: 16.0,
            transfer_cost: 32.0,
            lost_in_transit_cost: 64.0,
            overflow_cost: 128.0,
            scrap_cost: 256.0,
            substitution_cost: 512.0,
            in_transit_holding_cost: 1024.0,
            purchase_cost: 2048.0,
            ..Tally::default()
        };
        let values = finish(&tally, &ScopeSeries::default(), 1);
        let parts: f64 = TOTAL_COST_PARTS.iter().map(|&m| values[m as usize]).sum();
        assert_eq!(parts, 1023.0, "every part counted once, nothing else");
        assert_eq!(values[Metric::TotalCost as usize], parts);
    }

    /// Zero latencies are a plain count: a scope that never waited keeps no
    /// histogram, and the latencies read back as one histogram of every
    /// value (same quantiles and counts as recording them all in one).
    #[test]
    fn zero_latencies_are_counted_without_a_histogram() {
        let mut lazy = Latencies::default();
        lazy.record_zeros(5);
        lazy.record(0);
        assert!(lazy.others.is_none(), "no histogram for zero latencies");
        let mut plain = new_histogram();
        plain.record_n(0, 6).unwrap();
        for v in [1440, 8640, 30, 1440] {
            lazy.record(v);
            plain.record(v).unwrap();
        }
        let mut merged = Latencies::default();
        merged.add(&lazy);
        merged.add(&Latencies::default());
        for h in [lazy.histogram(), merged.histogram()] {
            assert_eq!(h.len(), plain.len());
            for q in [0.5, 0.6, 0.95, 0.99, 1.0] {
                assert_eq!(h.value_at_quantile(q), plain.value_at_quantile(q), "{q}");
            }
            assert_eq!(h.max(), plain.max());
        }
    }

    #[test]
    fn metric_keys_are_unique_and_indexed_in_order() {
        for (i, m) in METRICS.iter().enumerate() {
            assert_eq!(metric_index(m.key), Some(i), "{}", m.key);
        }
        assert_eq!(METRICS[Metric::Bullwhip as usize].key, "bullwhip");
    }

    #[test]
    fn hand_worked_tally_gives_the_defined_values() {
        // Two measured days of one SKU: demand 4 then 6; 3 then 6 served from
        // stock; end on-hand 2 then 0; one backorder at the end of day 1,
        // served within its SLA.
        let tally = Tally {
            sku_days: 2,
            service_sku_days: 2,
            demand: 10,
            served_from_stock: 9,
            backorders_on_time: 1,
            shipped: 9,
            shipped_cost: 90.0,
            no_stockout_days: 1,
            ready_days: 1,
            on_hand_end: 2,
            on_hand_end_value: 20.0,
            backorders_end: 1,
            orders: 1,
            ordered_units: 8,
            holding_cost: 2.0,
            shortage_cost: 1.0,
            ..Tally::default()
        };
        let v = finish(&tally, &ScopeSeries::default(), 2);
        assert_eq!(v[Metric::FillRate as usize], 0.9);
        assert_eq!(v[Metric::OnTimeRate as usize], 1.0);
        assert_eq!(v[Metric::CycleService as usize], 0.5);
        assert_eq!(v[Metric::OnHandEndMean as usize], 1.0);
        assert_eq!(v[Metric::InventoryValueEndMean as usize], 10.0);
        assert_eq!(v[Metric::NetInventoryEndMean as usize], 0.5);
        assert_eq!(v[Metric::OrderFrequency as usize], 0.5);
        // shipped cost 45/day × 365 ÷ mean on-hand value 10 = 1642.5 turns.
        assert_eq!(v[Metric::Turns as usize], 1642.5);
        assert_eq!(v[Metric::TotalCost as usize], 1.5);
        assert!(v[Metric::DecisionLatencyP50 as usize].is_nan());
    }

    /// By hand: lead times of 1, 2 and 3 days (mean 2, population
    /// variance 2/3); 10 decisions of which 4 were routed for approval over
    /// 2 days; 3 stock-out runs over 5 days; 8 order lines, 5 complete from
    /// stock and 1 completed late within the SLA; forecasts off by +3 and
    /// −1 on a demand of 20.
    #[test]
    fn hand_worked_scorecard_tally_gives_the_defined_values() {
        let day = MINUTES_PER_DAY;
        let mut series = ScopeSeries::default();
        for run in [1, 1, 3] {
            series.stockout_runs.record(run);
        }
        let tally = Tally {
            sku_days: 10,
            service_sku_days: 10,
            no_stockout_days: 5,
            decisions: 10,
            exceptions: 4,
            stockout_runs: 3,
            stockout_run_days: 5,
            lead_times: LeadTimes { count: 3, minutes: 6 * day, squares: u128::from(14 * day * day) },
            transfers_received: 2,
            transfer_minutes: 3 * day,
            lines: 8,
            lines_full: 5,
            lines_late_on_time: 1,
            forecast_abs_error: 4.0,
            forecast_error: 2.0,
            forecast_demand: 20.0,
            on_hand_end_value: 30.0,
            in_transit_value: 10.0,
            purchase_cost: 50.0,
            ..Tally::default()
        };
        let v = finish(&tally, &series, 2);
        assert_eq!(v[Metric::TouchlessRate as usize], 0.6);
        assert_eq!(v[Metric::ExceptionsPerDay as usize], 2.0);
        assert_eq!(v[Metric::StockoutFrequency as usize], 0.5);
        assert_eq!(v[Metric::StockoutDurationMean as usize], 5.0 / 3.0);
        assert_eq!(v[Metric::StockoutDurationP95 as usize], 3.0);
        assert_eq!(v[Metric::LeadTimeMean as usize], 2.0);
        assert!((v[Metric::LeadTimeVar as usize] - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(v[Metric::TransferCycleTime as usize], 1.5);
        assert_eq!(v[Metric::LineFillRate as usize], 5.0 / 8.0);
        assert_eq!(v[Metric::Otif as usize], 6.0 / 8.0);
        assert_eq!(v[Metric::ForecastMape as usize], 0.2);
        assert_eq!(v[Metric::ForecastBias as usize], 0.1);
        assert_eq!(v[Metric::WorkingCapital as usize], 20.0);
        assert_eq!(v[Metric::PurchaseCost as usize], 25.0);
        assert!(v[Metric::InventoryImbalance as usize].is_nan(), "no observations");
    }

    /// By hand: a lane delivers shipments after 1, 2 and 3 days over 4
    /// measured days — mean 2 days, population variance ((1−2)² + 0 +
    /// (3−2)²) ÷ 3 = 2/3 days², 0.75 shipments a day; the same three added
    /// to another lane's empty books read the same; one shipment has no
    /// variance, none no mean.
    #[test]
    fn lane_lead_times_by_hand() {
        let day = MINUTES_PER_DAY;
        let mut lane = LeadTimes::default();
        for days in [1, 2, 3] {
            lane.record(days * day);
        }
        let [mean, variance, per_day] = lane.finish(4);
        assert_eq!(mean, 2.0);
        assert!((variance - 2.0 / 3.0).abs() < 1e-15, "{variance}");
        assert_eq!(per_day, 0.75);
        let mut sum = LeadTimes::default();
        sum.add(&lane);
        assert_eq!(sum, lane);
        let mut one = LeadTimes::default();
        one.record(day / 2);
        assert_eq!(one.mean_days(), 0.5);
        assert!(one.variance_days2().is_nan());
        assert!(LeadTimes::default().mean_days().is_nan());
        assert_eq!(LANE_METRICS.len(), lane.finish(1).len());
    }

    #[test]
    fn daily_series_variance_is_the_population_variance() {
        let mut s = DailySeries::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            s.push(x);
        }
        assert!((s.variance() - 4.0).abs() < 1e-12);
    }
}
