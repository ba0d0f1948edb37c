//! From the import tables to a scenario: items, locations, lanes, demand
//! (or a demand history) and the policies in force.
//!
//! # Contract
//!
//! * Every bad cell is reported (not only the first), at its place, naming
//!   the column, what is wrong and what is valid; a scenario is built only
//!   when there is none.
//! * References are checked here, at the cell that makes them: a lane's
//!   ends, a demand row's location and SKU, a policy's location and SKU.
//!   Ids are unique within items and within locations (suppliers included);
//!   a lane, a demand stream or a policy is listed once.
//! * The policies in force become one strategy, `in-force`: each location
//!   runs the policy type of its rows (one type per location: the model
//!   applies one replenishment policy per location, its levels per SKU), the
//!   type most locations use as `replenishment`, the others under `at`.
//!   Every level is a `Table` level read from the levels table, one row per
//!   (location, SKU, parameter), so thousands of SKU-locations stay out of
//!   the scenario text.
//! * Output order is input order (items, locations, lanes, demand rows), so
//!   the same tables give the same scenario, byte for byte, whether they
//!   come from CSV files or from a workbook.

use super::columns::{self, CellError, Cells, Schema};
use super::table::{Row, Table};
use crate::scenario::file::{
    ClassFile, DemandFile, DemandModelFile, ExpediteFile, ExperimentFile, GateFile, HistoryFile, HistoryModeFile,
    LaneFile, LeadTimeFile, LocationFile, ScenarioFile, ShortageFile, SkuFile, SourcingFile, StrategyFile,
    SupplierFile,
};
use echelon_strategies::level::Level;
use echelon_strategies::registry::{AllocationSpec, BatchingSpec, ReplenishmentSpec, ReviewSpec};
use std::collections::{BTreeMap, BTreeSet};

/// `items`: one row per SKU.
pub const ITEMS: Schema = Schema {
    name: "items",
    required: &["sku", "unit_cost"],
    optional: &[
        "price",
        "holding_rate",
        "ordering_cost",
        "backorder_penalty_per_day",
        "lost_sale_penalty",
        "moq",
        "case_pack",
    ],
    not_modelled: &["abc_class"],
};

/// `locations`: suppliers and stocking locations.
pub const LOCATIONS: Schema =
    Schema { name: "locations", required: &["id", "kind"], optional: &["capacity", "sourcing"], not_modelled: &[] };

/// `lanes`: who replenishes whom.
pub const LANES: Schema = Schema {
    name: "lanes",
    required: &["from", "to", "lead_time_mean_days"],
    optional: &[
        "lead_time_sd_days",
        "lead_time_distribution",
        "cost_per_unit",
        "lateral",
        "expedite_lead_time_days",
        "expedite_cost_per_unit",
        "expedite_cost_per_shipment",
    ],
    not_modelled: &[],
};

/// `demand`: a model per (location, SKU, class).
pub const DEMAND: Schema = Schema {
    name: "demand",
    required: &["location", "sku", "model"],
    optional: &["class", "mean", "sd", "probability", "mean_size", "sd_size"],
    not_modelled: &[],
};

/// `policies`: the policy in force per (location, SKU).
pub const POLICIES: Schema = Schema {
    name: "policies",
    required: &["location", "sku", "policy"],
    optional: &["reorder_point", "order_up_to", "order_quantity", "review_period_days"],
    not_modelled: &[],
};

/// `history`: recorded daily demand per (location, SKU).
pub const HISTORY: Schema = Schema {
    name: "history",
    required: &["location", "sku", "quantity"],
    optional: &["day", "date"],
    not_modelled: &[],
};

/// Kinds of location: `supplier`, or a stocking location of one of the
/// other kinds (the kind is a label; the model treats them alike).
pub const KINDS: [&str; 5] = ["supplier", "dc", "warehouse", "store", "location"];

/// The tables of one import.
pub struct Tables {
    /// `items`.
    pub items: Table,
    /// `locations`.
    pub locations: Table,
    /// `lanes`.
    pub lanes: Table,
    /// `demand` (optional with a history).
    pub demand: Option<Table>,
    /// `policies`.
    pub policies: Table,
    /// `history` (optional).
    pub history: Option<Table>,
}

/// What the tables do not say.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Scenario name.
    pub name: String,
    /// Run shape.
    pub experiment: ExperimentFile,
    /// File name of the levels table, relative to the scenario.
    pub levels_file: String,
    /// File name of the history copy, relative to the scenario.
    pub history_file: String,
}

/// A built scenario and the files it reads.
#[derive(Debug, Clone)]
pub struct Built {
    /// The scenario.
    pub file: ScenarioFile,
    /// The levels table's text.
    pub levels_csv: String,
    /// The history's text, when the import has one.
    pub history_csv: Option<String>,
}

/// A policy type as the policies table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Policy {
    BaseStock,
    MinMax,
    ReorderPointQuantity,
    PeriodicReview,
}

const POLICY_NAMES: &str = "base_stock, min_max (s,S), reorder_point_quantity (r,Q), periodic_review (R,S)";

impl Policy {
    fn parse(text: &str) -> Option<Self> {
        let key: String = text.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
        match key.as_str() {
            "basestock" | "orderupto" => Some(Self::BaseStock),
            "minmax" | "ss" => Some(Self::MinMax),
            "reorderpointquantity" | "rq" => Some(Self::ReorderPointQuantity),
            "periodicreview" | "rs" => Some(Self::PeriodicReview),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::BaseStock => "base_stock",
            Self::MinMax => "min_max",
            Self::ReorderPointQuantity => "reorder_point_quantity",
            Self::PeriodicReview => "periodic_review",
        }
    }

    /// Level parameters, in the spec's field order.
    fn levels(self) -> &'static [&'static str] {
        match self {
            Self::BaseStock | Self::PeriodicReview => &["order_up_to"],
            Self::MinMax => &["reorder_point", "order_up_to"],
            Self::ReorderPointQuantity => &["reorder_point", "order_quantity"],
        }
    }

    fn takes_review_period(self) -> bool {
        matches!(self, Self::MinMax | Self::PeriodicReview)
    }

    fn spec(self, levels_file: &str, review_period_days: u32) -> ReplenishmentSpec {
        let table = |parameter: &str| Level::Table {
            file: levels_file.to_string(),
            parameter: parameter.to_string(),
            strategy: None,
            values: None,
        };
        match self {
            Self::BaseStock => ReplenishmentSpec::BaseStock { order_up_to: table("order_up_to") },
            Self::MinMax => ReplenishmentSpec::MinMax {
                reorder_point: table("reorder_point"),
                order_up_to: table("order_up_to"),
                review_period_days,
            },
            Self::ReorderPointQuantity => ReplenishmentSpec::ReorderPointQuantity {
                reorder_point: table("reorder_point"),
                order_quantity: table("order_quantity"),
                review: ReviewSpec::default(),
                batching: BatchingSpec::default(),
            },
            Self::PeriodicReview => ReplenishmentSpec::PeriodicReview {
                review_period_days,
                offset_days: 0,
                order_up_to: table("order_up_to"),
            },
        }
    }
}

/// Records the first row of each key; an error at `column` of a second one.
fn once<K: Ord>(
    seen: &mut BTreeMap<K, usize>,
    key: K,
    cells: &Cells<'_>,
    row: &Row,
    column: &str,
    what: &str,
    errors: &mut Vec<CellError>,
) -> bool {
    if let Some(first) = seen.get(&key) {
        errors.push(cells.error(row, column, format!("{what} is already listed on row {first}")));
        return false;
    }
    seen.insert(key, row.number);
    true
}

fn lead_time(
    cells: &Cells<'_>,
    row: &Row,
    mean: f64,
    sd: Option<f64>,
    errors: &mut Vec<CellError>,
) -> Option<LeadTimeFile> {
    let name = cells.text(row, "lead_time_distribution").map(|t| t.to_lowercase().replace(['-', ' ', '_'], ""));
    let sd_needed = |errors: &mut Vec<CellError>| {
        if sd.is_none() {
            errors.push(cells.error(
                row,
                "lead_time_sd_days",
                "empty, but the distribution needs a standard deviation (a number ≥ 0)",
            ));
        }
        sd
    };
    match name.as_deref() {
        None if sd.is_none_or(|s| s == 0.0) => Some(LeadTimeFile::Constant { days: mean }),
        None | Some("normal") => Some(LeadTimeFile::Normal { mean_days: mean, sd_days: sd_needed(errors)? }),
        Some("constant") => {
            if sd.is_some_and(|s| s != 0.0) {
                errors.push(cells.error(
                    row,
                    "lead_time_sd_days",
                    "a constant lead time has no spread; leave it empty",
                ));
            }
            Some(LeadTimeFile::Constant { days: mean })
        }
        Some("lognormal") => Some(LeadTimeFile::LogNormal { mean_days: mean, sd_days: sd_needed(errors)? }),
        Some("gamma") => Some(LeadTimeFile::Gamma { mean_days: mean, sd_days: sd_needed(errors)? }),
        Some(_) => {
            errors.push(cells.error(
                row,
                "lead_time_distribution",
                format!(
                    "\"{}\" is not a lead-time distribution; valid: constant, normal, lognormal, gamma \
                     (empty: constant without a sd, normal with one)",
                    cells.text(row, "lead_time_distribution").unwrap_or("")
                ),
            ));
            None
        }
    }
}

fn demand_model(cells: &Cells<'_>, row: &Row, errors: &mut Vec<CellError>) -> Option<DemandModelFile> {
    let text = cells.required_text(row, "model", errors)?;
    let key = text.to_lowercase().replace(['-', ' '], "_");
    let mut need = |name: &str, ok: fn(f64) -> bool, valid: &str| -> Option<f64> {
        if !cells.has(name) {
            errors.push(cells.error(row, "model", format!("a {key} model needs a column \"{name}\" ({valid})")));
            return None;
        }
        cells.required_number(row, name, ok, valid, errors)
    };
    let model = match key.as_str() {
        "poisson" => DemandModelFile::Poisson { mean: need("mean", columns::non_negative, "units per day ≥ 0")? },
        "constant" => {
            DemandModelFile::Constant { quantity: need("mean", columns::non_negative, "units per day ≥ 0")? }
        }
        "normal" | "gamma" | "negative_binomial" => {
            let mean = need("mean", columns::non_negative, "units per day ≥ 0");
            let sd = need("sd", columns::non_negative, "a standard deviation ≥ 0");
            let (mean, sd) = (mean?, sd?);
            match key.as_str() {
                "normal" => DemandModelFile::Normal { mean, sd },
                "gamma" => DemandModelFile::Gamma { mean, sd },
                _ => DemandModelFile::NegativeBinomial { mean, sd },
            }
        }
        "intermittent" => {
            let probability = need("probability", columns::probability, "a probability in (0, 1]");
            let mean_size = need("mean_size", |v| v >= 1.0, "mean units of a demand ≥ 1");
            let sd_size = cells.number(row, "sd_size", columns::non_negative, "a standard deviation ≥ 0", errors);
            DemandModelFile::Intermittent {
                probability: probability?,
                mean_size: mean_size?,
                sd_size: sd_size.unwrap_or(0.0),
            }
        }
        _ => {
            errors.push(cells.error(
                row,
                "model",
                format!(
                    "\"{text}\" is not a demand model; valid: poisson (mean), normal, gamma, negative_binomial \
                     (mean, sd), constant (mean), intermittent (probability, mean_size, sd_size); \
                     recorded demand goes in a history table"
                ),
            ));
            return None;
        }
    };
    Some(model)
}

/// A whole number ≥ 1 of at most 10¹² units.
fn whole_units_from_one(v: f64) -> bool {
    v >= 1.0 && columns::whole_units(v)
}

/// Builds the scenario, or reports every bad cell.
pub fn build(tables: &Tables, settings: &Settings, warnings: &mut Vec<String>) -> Result<Built, Vec<CellError>> {
    let mut errors = Vec::new();
    let errors = &mut errors;

    // Items.
    let items = Cells::new(&tables.items, ITEMS, errors, warnings);
    let mut skus = Vec::new();
    let mut sku_rows = BTreeMap::new();
    for row in &tables.items.rows {
        let Some(id) = items.required_text(row, "sku", errors) else { continue };
        if !once(&mut sku_rows, id.to_string(), &items, row, "sku", &format!("SKU \"{id}\""), errors) {
            continue;
        }
        let unit_cost = items.required_number(row, "unit_cost", columns::positive, "a cost per unit > 0", errors);
        let price = items.number(row, "price", columns::non_negative, "a price per unit ≥ 0", errors);
        let holding_rate =
            items.number(row, "holding_rate", columns::non_negative, "an annual fraction of unit cost ≥ 0", errors);
        let ordering_cost = items.number(row, "ordering_cost", columns::non_negative, "a cost per order ≥ 0", errors);
        let backorder =
            items.number(row, "backorder_penalty_per_day", columns::non_negative, "a penalty per unit-day ≥ 0", errors);
        let lost = items.number(row, "lost_sale_penalty", columns::non_negative, "a penalty per unit ≥ 0", errors);
        let moq = items.number(row, "moq", columns::whole_units, "a whole number of units ≥ 0", errors);
        let case_pack = items.number(row, "case_pack", whole_units_from_one, "a whole number of units ≥ 1", errors);
        skus.push(SkuFile {
            id: id.to_string(),
            unit_cost: unit_cost.unwrap_or(1.0),
            price,
            holding_rate: holding_rate.unwrap_or(0.25),
            ordering_cost: ordering_cost.unwrap_or(0.0),
            backorder_penalty_per_day: backorder.unwrap_or(0.0),
            lost_sale_penalty: lost,
            min_order: moq,
            case_pack,
            max_order: None,
            volume: None,
            substitutes: Vec::new(),
            returns: Default::default(),
        });
    }

    // Locations and suppliers.
    let places = Cells::new(&tables.locations, LOCATIONS, errors, warnings);
    let (mut suppliers, mut locations) = (Vec::new(), Vec::new());
    let mut node_rows = BTreeMap::new();
    for row in &tables.locations.rows {
        let Some(id) = places.required_text(row, "id", errors) else { continue };
        if !once(&mut node_rows, id.to_string(), &places, row, "id", &format!("id \"{id}\""), errors) {
            continue;
        }
        let kind = places.required_text(row, "kind", errors).map(str::to_lowercase);
        let capacity = places.number(row, "capacity", columns::positive, "units > 0", errors);
        let sourcing = match places.text(row, "sourcing").map(|t| t.to_lowercase().replace(['-', ' '], "_")) {
            None => SourcingFile::PrimaryFirst,
            Some(s) if s == "primary_first" => SourcingFile::PrimaryFirst,
            Some(s) if s == "cheapest" => SourcingFile::Cheapest,
            Some(s) if s == "fastest" => SourcingFile::Fastest,
            Some(s) => {
                errors.push(places.error(
                    row,
                    "sourcing",
                    format!("\"{s}\" is not a sourcing rule; valid: primary_first, cheapest, fastest"),
                ));
                SourcingFile::PrimaryFirst
            }
        };
        match kind.as_deref() {
            Some("supplier") => {
                if places.text(row, "sourcing").is_some() {
                    errors.push(places.error(row, "sourcing", "a supplier has no sources; leave it empty"));
                }
                suppliers.push(SupplierFile { id: id.to_string(), capacity_per_day: capacity });
            }
            Some(k) if KINDS.contains(&k) => {
                if capacity.is_some_and(|c| c.fract() != 0.0) {
                    errors.push(places.error(
                        row,
                        "capacity",
                        "a stocking location's capacity is a whole number of units it stores (all SKUs \
                         together) ≥ 1",
                    ));
                }
                locations.push(LocationFile {
                    id: id.to_string(),
                    sourcing,
                    capacity,
                    overflow_cost_per_unit_day: 0.0,
                    capacity_volume: None,
                    overflow_cost_per_volume_day: 0.0,
                });
            }
            Some(k) => errors.push(places.error(
                row,
                "kind",
                format!("\"{k}\" is not a kind of location; valid: {}", KINDS.join(", ")),
            )),
            None => {}
        }
    }
    let supplier_ids: BTreeSet<&str> = suppliers.iter().map(|s| s.id.as_str()).collect();
    let location_ids: BTreeSet<&str> = locations.iter().map(|l| l.id.as_str()).collect();
    let sku_ids: BTreeSet<&str> = skus.iter().map(|s| s.id.as_str()).collect();
    let location_ref = |cells: &Cells<'_>, row: &Row, column: &str, errors: &mut Vec<CellError>| {
        let id = cells.required_text(row, column, errors)?;
        if location_ids.contains(id) {
            return Some(id.to_string());
        }
        let why = if supplier_ids.contains(id) { "is a supplier, not a stocking location" } else { "is not listed" };
        errors.push(cells.error(
            row,
            column,
            format!("\"{id}\" {why}; valid: a stocking location of the locations table"),
        ));
        None
    };
    let sku_ref = |cells: &Cells<'_>, row: &Row, errors: &mut Vec<CellError>| {
        let id = cells.required_text(row, "sku", errors)?;
        if sku_ids.contains(id) {
            return Some(id.to_string());
        }
        errors.push(cells.error(row, "sku", format!("\"{id}\" is not listed; valid: a SKU of the items table")));
        None
    };

    // Lanes.
    let lane_cells = Cells::new(&tables.lanes, LANES, errors, warnings);
    let mut lanes = Vec::new();
    let mut lane_rows = BTreeMap::new();
    for row in &tables.lanes.rows {
        let from = lane_cells.required_text(row, "from", errors).and_then(|id| {
            if supplier_ids.contains(id) || location_ids.contains(id) {
                Some(id.to_string())
            } else {
                errors.push(lane_cells.error(
                    row,
                    "from",
                    format!("\"{id}\" is not listed; valid: a supplier or location of the locations table"),
                ));
                None
            }
        });
        let to = location_ref(&lane_cells, row, "to", errors);
        let mean = lane_cells.required_number(row, "lead_time_mean_days", columns::non_negative, "days ≥ 0", errors);
        let sd = lane_cells.number(row, "lead_time_sd_days", columns::non_negative, "days ≥ 0", errors);
        let lead = mean.and_then(|mean| lead_time(&lane_cells, row, mean, sd, errors));
        let cost = lane_cells.number(row, "cost_per_unit", columns::non_negative, "a cost per unit ≥ 0", errors);
        let lateral = match lane_cells.text(row, "lateral").map(str::to_lowercase).as_deref() {
            None | Some("false" | "no" | "0") => false,
            Some("true" | "yes" | "1") => true,
            Some(other) => {
                errors.push(lane_cells.error(row, "lateral", format!("\"{other}\" is not true or false")));
                false
            }
        };
        let expedite_days =
            lane_cells.number(row, "expedite_lead_time_days", columns::non_negative, "days ≥ 0", errors);
        let expedite_unit =
            lane_cells.number(row, "expedite_cost_per_unit", columns::non_negative, "a premium per unit ≥ 0", errors);
        let expedite_shipment = lane_cells.number(
            row,
            "expedite_cost_per_shipment",
            columns::non_negative,
            "a premium per shipment ≥ 0",
            errors,
        );
        let expedite = match expedite_days {
            Some(days) => Some(ExpediteFile {
                lead_time: LeadTimeFile::Constant { days },
                cost_per_unit: expedite_unit.unwrap_or(0.0),
                cost_per_shipment: expedite_shipment.unwrap_or(0.0),
            }),
            None => {
                for column in ["expedite_cost_per_unit", "expedite_cost_per_shipment"] {
                    if lane_cells.text(row, column).is_some()
                        && lane_cells.text(row, "expedite_lead_time_days").is_none()
                    {
                        errors.push(lane_cells.error(
                            row,
                            column,
                            "an expedite cost without an expedite mode; give expedite_lead_time_days too",
                        ));
                    }
                }
                None
            }
        };
        let (Some(from), Some(to), Some(lead_time)) = (from, to, lead) else { continue };
        if from == to {
            errors.push(lane_cells.error(row, "to", "a lane from a location to itself"));
            continue;
        }
        let key = (from.clone(), to.clone());
        if !once(&mut lane_rows, key, &lane_cells, row, "to", &format!("the lane {from} → {to}"), errors) {
            continue;
        }
        lanes.push(LaneFile {
            from,
            to,
            lead_time,
            cost_per_unit: cost.unwrap_or(0.0),
            lateral,
            expedite,
            ownership: Default::default(),
            capacity_per_day: None,
            trucks: None,
        });
    }

    // Demand.
    let mut demand = Vec::new();
    let mut classes: Vec<String> = Vec::new();
    let mut streams = BTreeMap::new();
    if let Some(table) = &tables.demand {
        let cells = Cells::new(table, DEMAND, errors, warnings);
        let named = table.rows.iter().any(|r| cells.text(r, "class").is_some());
        for row in &table.rows {
            let location = location_ref(&cells, row, "location", errors);
            let sku = sku_ref(&cells, row, errors);
            let class = cells.text(row, "class").map(str::to_string);
            if named && class.is_none() {
                errors.push(cells.error(
                    row,
                    "class",
                    "empty, but other rows name a class; name this row's customer class too",
                ));
            }
            let model = demand_model(&cells, row, errors);
            let (Some(location), Some(sku), Some(model)) = (location, sku, model) else { continue };
            let key = (location.clone(), sku.clone(), class.clone());
            let what = format!(
                "demand of SKU \"{sku}\" at \"{location}\"{}",
                class.as_ref().map_or(String::new(), |c| format!(" by class \"{c}\""))
            );
            if !once(&mut streams, key, &cells, row, "sku", &what, errors) {
                continue;
            }
            if let Some(c) = &class
                && !classes.contains(c)
            {
                classes.push(c.clone());
            }
            demand.push(DemandFile { location, sku, class, model });
        }
    }

    // History: checked, then written as its own CSV next to the scenario.
    let mut history_csv = None;
    if let Some(table) = &tables.history {
        let cells = Cells::new(table, HISTORY, errors, warnings);
        let time = match (cells.has("day"), cells.has("date")) {
            (true, false) => Some("day"),
            (false, true) => Some("date"),
            _ => {
                errors.push(CellError {
                    place: table.place(table.header_row, 0),
                    column: None,
                    message: "the history table needs one column \"day\" (0, 1, …) or \"date\" (YYYY-MM-DD)".into(),
                });
                None
            }
        };
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record([time.unwrap_or("day"), "location", "sku", "quantity"]);
        for row in &table.rows {
            let location = location_ref(&cells, row, "location", errors);
            let sku = sku_ref(&cells, row, errors);
            if let (Some(l), Some(s)) = (&location, &sku)
                && streams.keys().any(|(dl, ds, _)| dl == l && ds == s)
            {
                errors.push(cells.error(
                    row,
                    "sku",
                    format!("SKU \"{s}\" at \"{l}\" has a demand model too; give it a model or a history, not both"),
                ));
            }
            let quantity =
                cells.required_number(row, "quantity", columns::whole_units, "a whole number of units ≥ 0", errors);
            let when = match time {
                Some("day") => cells
                    .required_number(row, "day", columns::whole_units, "a whole day number ≥ 0", errors)
                    .map(|d| d.to_string()),
                Some(_) => cells.required_text(row, "date", errors).map(str::to_string),
                None => None,
            };
            if let (Some(when), Some(l), Some(s), Some(q)) = (when, location, sku, quantity) {
                let _ = writer.write_record([when, l, s, q.to_string()]);
            }
        }
        history_csv = Some(String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default());
    }
    if tables.demand.is_none() && tables.history.is_none() {
        errors.push(CellError {
            place: tables.items.input(),
            column: None,
            message: "no demand table and no history table: the import needs demand (models) or a history".into(),
        });
    }

    // Policies in force.
    let cells = Cells::new(&tables.policies, POLICIES, errors, warnings);
    let mut by_location: Vec<(String, Policy, u32, usize)> = Vec::new();
    let mut levels = csv::Writer::from_writer(Vec::new());
    let _ = levels.write_record(["location", "sku", "parameter", "value"]);
    let mut policy_rows = BTreeMap::new();
    for row in &tables.policies.rows {
        let location = location_ref(&cells, row, "location", errors);
        let sku = sku_ref(&cells, row, errors);
        let policy = cells.required_text(row, "policy", errors).and_then(|text| {
            let policy = Policy::parse(text);
            if policy.is_none() {
                errors.push(cells.error(row, "policy", format!("\"{text}\" is not a policy; valid: {POLICY_NAMES}")));
            }
            policy
        });
        let Some(policy) = policy else { continue };
        let mut values = Vec::new();
        for parameter in ["reorder_point", "order_up_to", "order_quantity"] {
            let wanted = policy.levels().contains(&parameter);
            if !wanted {
                if cells.text(row, parameter).is_some() {
                    errors.push(cells.error(
                        row,
                        parameter,
                        format!("a {} policy takes no {parameter}; leave it empty", policy.name()),
                    ));
                }
                continue;
            }
            if !cells.has(parameter) {
                errors.push(cells.error(
                    row,
                    "policy",
                    format!("a {} policy needs a column \"{parameter}\"", policy.name()),
                ));
                continue;
            }
            let ok = if parameter == "order_quantity" {
                |v: f64| v >= 1.0 && columns::whole_units(v)
            } else {
                columns::whole_units
            };
            let value =
                cells.required_number(row, parameter, ok, "a whole number of units ≥ 0 (a quantity ≥ 1)", errors);
            values.push((parameter, value));
        }
        if let [("reorder_point", Some(s)), ("order_up_to", Some(big_s))] = values.as_slice()
            && big_s <= s
        {
            errors.push(cells.error(
                row,
                "order_up_to",
                format!("{big_s} is not above the reorder point {s}; a min_max policy needs S > s"),
            ));
        }
        let review = if policy.takes_review_period() {
            let days = cells.number(row, "review_period_days", columns::whole_days, "whole days ≥ 1", errors);
            if policy == Policy::PeriodicReview && days.is_none() && cells.text(row, "review_period_days").is_none() {
                errors.push(cells.error(
                    row,
                    "review_period_days",
                    "empty; a periodic_review policy needs whole days ≥ 1",
                ));
            }
            days.unwrap_or(1.0) as u32
        } else {
            if cells.text(row, "review_period_days").is_some() {
                errors.push(cells.error(
                    row,
                    "review_period_days",
                    format!("a {} policy reviews daily; leave it empty", policy.name()),
                ));
            }
            1
        };
        let (Some(location), Some(sku)) = (location, sku) else { continue };
        let what = format!("a policy for SKU \"{sku}\" at \"{location}\"");
        if !once(&mut policy_rows, (location.clone(), sku.clone()), &cells, row, "sku", &what, errors) {
            continue;
        }
        match by_location.iter().find(|(l, ..)| *l == location) {
            Some((_, p, _, first)) if *p != policy => errors.push(cells.error(
                row,
                "policy",
                format!(
                    "{} at \"{location}\", but row {first} gives it {}: the model runs one policy type per \
                     location (its levels per SKU)",
                    policy.name(),
                    p.name()
                ),
            )),
            Some((_, _, r, first)) if *r != review => errors.push(cells.error(
                row,
                "review_period_days",
                format!("{review}, but row {first} gives \"{location}\" {r}: one review period per location"),
            )),
            Some(_) => {}
            None => by_location.push((location.clone(), policy, review, row.number)),
        }
        for (parameter, value) in values {
            if let Some(value) = value {
                let _ = levels.write_record([location.as_str(), sku.as_str(), parameter, &value.to_string()]);
            }
        }
    }
    if by_location.is_empty() {
        errors.push(CellError {
            place: tables.policies.name(),
            column: None,
            message: "no policies: the import needs the policy in force of each stocked (location, SKU)".into(),
        });
    }

    if !errors.is_empty() {
        return Err(std::mem::take(errors));
    }

    // The most used (policy, review) is the default; others go under `at`.
    let mut counts: Vec<((Policy, u32), usize)> = Vec::new();
    for (_, p, r, _) in &by_location {
        match counts.iter_mut().find(|(k, _)| *k == (*p, *r)) {
            Some((_, n)) => *n += 1,
            None => counts.push(((*p, *r), 1)),
        }
    }
    let (main, _) = counts.iter().fold(counts[0], |best, c| if c.1 > best.1 { *c } else { best });
    let at = by_location
        .iter()
        .filter(|(_, p, r, _)| (*p, *r) != main)
        .map(|(l, p, r, _)| (l.clone(), p.spec(&settings.levels_file, *r)))
        .collect();
    let strategy = StrategyFile {
        name: "in-force".into(),
        replenishment: main.0.spec(&settings.levels_file, main.1),
        allocation: AllocationSpec::default(),
        at,
        transfers: None,
        expedites: None,
    };
    let classes = classes
        .into_iter()
        .map(|name| ClassFile {
            name,
            tier: 1,
            shortage: ShortageFile::Backorder,
            sla_days: 0.0,
            margin: None,
            late_penalty_per_day: 0.0,
            patience_days: None,
            partial_shipment: true,
            returns: None,
        })
        .collect();
    let file = ScenarioFile {
        name: settings.name.clone(),
        description: String::new(),
        experiment: settings.experiment.clone(),
        skus,
        classes,
        suppliers,
        locations,
        lanes,
        demand,
        strategies: vec![strategy],
        catalogue: Vec::new(),
        events: Vec::new(),
        random_outages: Vec::new(),
        demand_pattern: None,
        history: history_csv.as_ref().map(|_| HistoryFile {
            file: settings.history_file.clone(),
            mode: HistoryModeFile::Replay,
            class: None,
        }),
        sweep: Vec::new(),
        gate: GateFile::default(),
        governance: None,
        visibility_delay_hours: 0.0,
        tune: None,
        scorecard: None,
    };
    let levels_csv = String::from_utf8(levels.into_inner().unwrap_or_default()).unwrap_or_default();
    Ok(Built { file, levels_csv, history_csv })
}
