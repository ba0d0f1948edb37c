//! From a parsed [`ScenarioFile`] to a validated [`Model`] and strategy plans.
//!
//! Validation happens here, before anything runs: ids are in the safe set
//! of [`super::ids`] and unique, every
//! name resolves, every location has exactly one source lane, every
//! distribution is possible, costs are finite and non-negative, the horizon
//! exceeds the warm-up, and every strategy builds at every location. The
//! first problem found is reported with its field path.

use super::file::*;
use super::{catalogue, events, topology};
use echelon_reports::gate::Tolerance;
use echelon_sim::distribution::{DailyDemand, LeadTime, OrderSize, ParamError};
use echelon_sim::metrics::{METRICS, metric_index};
use echelon_sim::model::{
    CustomerClass, DemandProcess, DemandStream, Experiment, Model, OrderRules, Shortage, Sku, StockingNode, Supplier,
};
use echelon_sim::strategy::{Allocation, ExpediteRule, Review, TransferRule};
use echelon_strategies::level::NodeContext;
use echelon_strategies::registry::{Prototype, Registry, ReplenishmentSpec, ReviewSpec, SpecError};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The longest horizon accepted (about 270 years of days).
pub const MAX_HORIZON_DAYS: u32 = 100_000;

/// The largest expected unit-days a run may accumulate: mean daily demand
/// of the network × its largest demand factor × horizon_days² (levels grow
/// at most linearly over the horizon and the unit-day tallies sum them over
/// the horizon). 1e17 leaves a margin of 90 below `i64::MAX` for random
/// tails, so integer tallies cannot overflow.
pub const MAX_UNIT_DAYS: f64 = 1.0e17;

/// A problem at a field path.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FieldError {
    /// Where.
    pub path: String,
    /// What.
    pub message: String,
}

pub(super) fn fail<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, FieldError> {
    Err(FieldError { path: path.into(), message: message.into() })
}

fn param(path: &str) -> impl Fn(ParamError) -> FieldError + '_ {
    move |e| FieldError { path: format!("{path}.{}", e.param), message: e.message }
}

/// Ids in a list: unique, non-empty; returns id → index.
fn index_ids<'a>(
    list: &str,
    ids: impl Iterator<Item = &'a str>,
    field: &str,
) -> Result<BTreeMap<&'a str, usize>, FieldError> {
    let mut index = BTreeMap::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() {
            return fail(format!("{list}[{i}].{field}"), "must not be empty");
        }
        if index.insert(id, i).is_some() {
            return fail(format!("{list}[{i}].{field}"), format!("duplicate {field} \"{id}\"; each must be unique"));
        }
    }
    Ok(index)
}

pub(super) fn resolve(map: &BTreeMap<&str, usize>, name: &str, path: String, what: &str) -> Result<usize, FieldError> {
    map.get(name).copied().ok_or_else(|| {
        if map.is_empty() {
            return FieldError { path, message: format!("unknown {what} \"{name}\": the scenario lists none") };
        }
        let valid: Vec<String> = map.keys().map(|k| format!("\"{k}\"")).collect();
        FieldError { path, message: format!("unknown {what} \"{name}\"; valid: {}", valid.join(", ")) }
    })
}

pub(super) fn non_negative(path: String, value: f64) -> Result<f64, FieldError> {
    if value.is_finite() && (0.0..=1e12).contains(&value) {
        Ok(value)
    } else {
        fail(path, format!("must be a finite number between 0 and 1e12, got {value}"))
    }
}

/// The scorecard settings: `excess_cover_days` a finite number ≥ 0; an
/// `abc` map, when given, names every SKU and nothing else.
fn scorecard(
    file: Option<&super::file::ScorecardFile>,
    skus: &[echelon_sim::model::Sku],
) -> Result<echelon_sim::model::Scorecard, FieldError> {
    use super::file::AbcClassFile;
    let Some(file) = file else { return Ok(echelon_sim::model::Scorecard::default()) };
    let excess_cover_days = non_negative("scorecard.excess_cover_days".into(), file.excess_cover_days)?;
    if let Some(unknown) = file.abc.keys().find(|id| !skus.iter().any(|s| &s.id == *id)) {
        return fail(
            format!("scorecard.abc.{unknown}"),
            format!("no SKU \"{unknown}\"; list the scenario's SKUs only"),
        );
    }
    let abc = if file.abc.is_empty() {
        Vec::new()
    } else {
        skus.iter()
            .map(|s| match file.abc.get(&s.id) {
                Some(AbcClassFile::A) => Ok(0),
                Some(AbcClassFile::B) => Ok(1),
                Some(AbcClassFile::C) => Ok(2),
                None => fail(
                    "scorecard.abc".to_string(),
                    format!("SKU \"{}\" has no class; name every SKU (A, B or C), or leave abc out to derive the classes by demand value", s.id),
                ),
            })
            .collect::<Result<Vec<u8>, _>>()?
    };
    Ok(echelon_sim::model::Scorecard { excess_cover_days, per_sku: file.per_sku, abc })
}

fn experiment(file: &ExperimentFile) -> Result<Experiment, FieldError> {
    if file.horizon_days > MAX_HORIZON_DAYS {
        return fail("experiment.horizon_days", format!("at most {MAX_HORIZON_DAYS} days, got {}", file.horizon_days));
    }
    if file.horizon_days <= file.warmup_days {
        return fail(
            "experiment.horizon_days",
            format!(
                "must exceed warmup_days = {} (got {}); metrics need measured days",
                file.warmup_days, file.horizon_days
            ),
        );
    }
    if file.replications == 0 {
        return fail("experiment.replications", "must be at least 1");
    }
    Ok(Experiment {
        horizon_days: file.horizon_days,
        warmup_days: file.warmup_days,
        replications: file.replications,
        seed: file.seed,
    })
}

/// A whole number of units from `min` to 1e12, as written at `path`.
pub(super) fn whole_units(path: String, value: f64, min: i64, what: &str) -> Result<i64, FieldError> {
    if value.is_finite() && value.fract() == 0.0 && value >= min as f64 && value <= 1e12 {
        Ok(value as i64)
    } else {
        fail(path, format!("{what} must be a whole number of units from {min} to 1e12, got {value}"))
    }
}

/// A volume: a finite number above 0, at most 1e12.
pub(super) fn positive_volume(path: String, value: f64, what: &str) -> Result<f64, FieldError> {
    if value.is_finite() && value > 0.0 && value <= 1e12 {
        Ok(value)
    } else {
        fail(path, format!("{what} must be a finite number above 0, at most 1e12, got {value}"))
    }
}

/// A SKU's order constraints ([`OrderRules`]): `min_order` ≤ `max_order`,
/// `case_pack` ≥ 1, and the cap (max rounded down to whole packs) holds the
/// minimum rounded up to whole packs.
fn order_rules(file: &SkuFile, i: usize) -> Result<OrderRules, FieldError> {
    let at = |field: &str| format!("skus[{i}].{field}");
    let min_order =
        file.min_order.map(|v| whole_units(at("min_order"), v, 0, "a minimum order quantity")).transpose()?;
    let case_pack = file.case_pack.map(|v| whole_units(at("case_pack"), v, 1, "a case pack")).transpose()?;
    let max_order =
        file.max_order.map(|v| whole_units(at("max_order"), v, 1, "a maximum order quantity")).transpose()?;
    let rules = OrderRules { min_order: min_order.unwrap_or(0), case_pack: case_pack.unwrap_or(1), max_order };
    if let Some(max) = max_order {
        if rules.min_order > max {
            return fail(
                at("min_order"),
                format!(
                    "the minimum order quantity {} is above max_order {max}; valid: min_order ≤ max_order",
                    rules.min_order
                ),
            );
        }
        let cap = rules.cap().unwrap_or(max);
        let smallest = OrderRules { max_order: None, ..rules }.apply(1);
        if smallest > cap {
            return fail(
                at("max_order"),
                format!(
                    "no order fits: max_order {max} holds {} whole case pack(s) of {} ({cap} units), but the \
                     smallest order is {smallest} (min_order {} rounded up to whole packs); valid: max_order \
                     ≥ {smallest}",
                    cap / rules.case_pack,
                    rules.case_pack,
                    rules.min_order
                ),
            );
        }
    }
    Ok(rules)
}

fn sku(file: &SkuFile, i: usize) -> Result<Sku, FieldError> {
    let at = |field: &str| format!("skus[{i}].{field}");
    let unit_cost = non_negative(at("unit_cost"), file.unit_cost)?;
    let price = non_negative(at("price"), file.price.unwrap_or(unit_cost))?;
    let order_rules = order_rules(file, i)?;
    Ok(Sku {
        order_rules,
        id: file.id.clone(),
        unit_cost,
        price,
        holding_rate: non_negative(at("holding_rate"), file.holding_rate)?,
        ordering_cost: non_negative(at("ordering_cost"), file.ordering_cost)?,
        backorder_penalty_per_day: non_negative(at("backorder_penalty_per_day"), file.backorder_penalty_per_day)?,
        lost_sale_penalty: non_negative(
            at("lost_sale_penalty"),
            file.lost_sale_penalty.unwrap_or((price - unit_cost).max(0.0)),
        )?,
        volume: file.volume.map(|v| positive_volume(at("volume"), v, "a unit's volume")).transpose()?,
        // Resolved once the network is known (`super::returns::substitutes`).
        substitutes: Vec::new(),
        returns: super::returns::disposition(file.returns),
    })
}

pub(super) fn lead_time(file: &LeadTimeFile, path: &str) -> Result<LeadTime, FieldError> {
    match file {
        LeadTimeFile::Constant { days } => LeadTime::constant(*days),
        LeadTimeFile::Uniform { min_days, max_days } => LeadTime::uniform_days(*min_days, *max_days),
        LeadTimeFile::Normal { mean_days, sd_days } => LeadTime::normal(*mean_days, *sd_days),
        LeadTimeFile::LogNormal { mean_days, sd_days } => LeadTime::lognormal(*mean_days, *sd_days),
        LeadTimeFile::Gamma { mean_days, sd_days } => LeadTime::gamma(*mean_days, *sd_days),
        LeadTimeFile::Empirical { days, weights } => LeadTime::empirical(days, weights),
    }
    .map_err(param(path))
}

fn demand_process(file: &DemandModelFile, path: &str) -> Result<DemandProcess, FieldError> {
    let daily = |d: Result<DailyDemand, ParamError>| d.map(DemandProcess::Daily).map_err(param(path));
    match file {
        DemandModelFile::Poisson { mean } => daily(DailyDemand::poisson(*mean)),
        DemandModelFile::Normal { mean, sd } => daily(DailyDemand::normal(*mean, *sd)),
        DemandModelFile::Gamma { mean, sd } => daily(DailyDemand::gamma(*mean, *sd)),
        DemandModelFile::NegativeBinomial { mean, sd } => daily(DailyDemand::negative_binomial(*mean, *sd)),
        DemandModelFile::Constant { quantity } => daily(DailyDemand::constant(*quantity)),
        DemandModelFile::Intermittent { probability, mean_size, sd_size } => {
            daily(DailyDemand::intermittent(*probability, *mean_size, *sd_size))
        }
        DemandModelFile::History { values, bootstrap } => daily(DailyDemand::history(values.clone(), *bootstrap)),
        DemandModelFile::Orders { rate_per_day, size } => {
            let rate = non_negative(format!("{path}.rate_per_day"), *rate_per_day)?;
            if rate <= 0.0 {
                return fail(format!("{path}.rate_per_day"), "must be greater than 0 orders per day");
            }
            let size_path = format!("{path}.size");
            let size = match size {
                OrderSizeFile::Fixed { units } => OrderSize::fixed(*units),
                OrderSizeFile::Geometric { mean } => OrderSize::geometric(*mean),
            }
            .map_err(param(&size_path))?;
            Ok(DemandProcess::Orders { rate_per_day: rate, size })
        }
    }
}

fn classes(file: &ScenarioFile) -> Result<Vec<CustomerClass>, FieldError> {
    if file.classes.is_empty() {
        return Ok(vec![CustomerClass::plain("default", 1, Shortage::Backorder)]);
    }
    file.classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let path = |field: &str| format!("classes[{i}].{field}");
            if c.tier == 0 {
                return fail(path("tier"), "tiers start at 1 (the highest priority)");
            }
            let non_negative = |field: &str, value: f64, what: &str| {
                if value.is_finite() && value >= 0.0 {
                    Ok(value)
                } else {
                    fail(path(field), format!("{what} must be a number ≥ 0, got {value}"))
                }
            };
            let sla_days = non_negative("sla_days", c.sla_days, "an SLA in days")?;
            let margin = c.margin.map(|m| non_negative("margin", m, "a margin per unit")).transpose()?;
            let late_penalty_per_day = non_negative("late_penalty_per_day", c.late_penalty_per_day, "a late penalty")?;
            let patience_days =
                c.patience_days.map(|d| non_negative("patience_days", d, "a patience in days")).transpose()?;
            let shortage = match c.shortage {
                ShortageFile::Backorder => Shortage::Backorder,
                ShortageFile::LostSales => Shortage::LostSales,
            };
            Ok(CustomerClass {
                name: c.name.clone(),
                tier: c.tier,
                shortage,
                sla_days,
                margin,
                late_penalty_per_day,
                patience_days,
                partial_shipment: c.partial_shipment,
                returns: super::returns::class_returns(c, i)?,
            })
        })
        .collect()
}

/// Builds and validates the model of `file` (its catalogue expanded); a
/// plugged-in approval order is looked up in `registry`.
pub fn model(file: &ScenarioFile, registry: &Registry) -> Result<Model, FieldError> {
    super::ids::check(file)?;
    let expanded = catalogue::expand(file)?;
    let file = expanded.as_ref().unwrap_or(file);
    if file.name.trim().is_empty() {
        return fail("name", "must not be empty");
    }
    let experiment = experiment(&file.experiment)?;
    let sku_index = index_ids("skus", file.skus.iter().map(|s| s.id.as_str()), "id")?;
    let mut skus = file.skus.iter().enumerate().map(|(i, s)| sku(s, i)).collect::<Result<Vec<_>, _>>()?;
    let class_index = index_ids("classes", file.classes.iter().map(|c| c.name.as_str()), "name")?;
    let classes = classes(file)?;
    let supplier_index = index_ids("suppliers", file.suppliers.iter().map(|s| s.id.as_str()), "id")?;
    let location_index = index_ids("locations", file.locations.iter().map(|l| l.id.as_str()), "id")?;
    if file.locations.is_empty() {
        return fail("locations", "at least one stocking location is needed");
    }
    if let Some((id, _)) = supplier_index.iter().find(|(id, _)| location_index.contains_key(**id)) {
        return fail(
            "suppliers",
            format!("\"{id}\" is both a supplier and a location; ids must be unique across both"),
        );
    }
    let ids = topology::Ids { suppliers: &supplier_index, locations: &location_index };
    let lanes = topology::lanes(file, &ids)?;
    let (demand, demand_skus) = demand(file, &sku_index, &class_index, &location_index)?;
    let nodes = topology::nodes(file, &lanes, &demand_skus)?;
    check_storage(file, &nodes, &skus)?;
    topology::check_trucks(file, &lanes)?;
    let demand = localise(demand, &demand_skus, &nodes);
    for (sku, substitutes) in skus.iter_mut().zip(super::returns::substitutes(file, &sku_index, &nodes, &demand)?) {
        sku.substitutes = substitutes;
    }
    let suppliers = suppliers(file)?;
    let names = events::Names {
        suppliers: &supplier_index,
        locations: &location_index,
        lanes: &lanes,
        supplier_list: &suppliers,
        horizon_days: experiment.horizon_days,
    };
    let disruptions = events::disruptions(file, &names)?;
    let random_outages = events::random_outages(file, &names)?;
    let demand_pattern = events::demand_pattern(file)?;
    let governance = super::governance::governance(file.governance.as_ref(), registry)?;
    let visibility_delay =
        events::data_delay_minutes("visibility_delay_hours".into(), file.visibility_delay_hours, true)?;
    check_volume(&demand, &disruptions, demand_pattern.as_ref(), experiment.horizon_days)?;
    let scorecard = scorecard(file.scorecard.as_ref(), &skus)?;
    Ok(Model {
        name: file.name.clone(),
        skus,
        classes,
        suppliers,
        nodes,
        lanes,
        demand,
        disruptions,
        random_outages,
        demand_pattern,
        governance,
        visibility_delay,
        experiment,
        scorecard,
        index: Default::default(),
    })
}

/// A location's capacity must hold at least one case pack of every SKU it
/// stocks (else a single order could never be stored).
fn check_storage(file: &ScenarioFile, nodes: &[StockingNode], skus: &[Sku]) -> Result<(), FieldError> {
    for (n, node) in nodes.iter().enumerate() {
        check_volume_storage(file, n, node, skus)?;
        let Some(storage) = node.storage else { continue };
        let largest = node.skus.iter().max_by_key(|&&g| (skus[g].order_rules.case_pack, std::cmp::Reverse(g)));
        if let Some(&g) = largest.filter(|&&g| skus[g].order_rules.case_pack > storage.capacity) {
            return fail(
                format!("locations[{n}].capacity"),
                format!(
                    "capacity {} units is below one case pack of SKU \"{}\" ({} units), which \"{}\" stocks; \
                     valid: at least {} units (the largest case pack stocked here)",
                    storage.capacity,
                    skus[g].id,
                    skus[g].order_rules.case_pack,
                    file.locations[n].id,
                    skus[g].order_rules.case_pack
                ),
            );
        }
    }
    Ok(())
}

/// A location with a `capacity_volume`: every SKU it stocks has a volume,
/// and the capacity holds one case pack of each.
fn check_volume_storage(file: &ScenarioFile, n: usize, node: &StockingNode, skus: &[Sku]) -> Result<(), FieldError> {
    let Some(storage) = node.volume_storage else { return Ok(()) };
    let location = &file.locations[n].id;
    let path = format!("locations[{n}].capacity_volume");
    if let Some(&g) = node.skus.iter().find(|&&g| skus[g].volume.is_none()) {
        return fail(
            path,
            format!(
                "\"{location}\" limits its storage by volume but stocks SKU \"{}\", which has no volume; valid: \
                 give every SKU stocked here a volume per unit (skus[{g}].volume, or the catalogue's volume), or \
                 limit the location in units (capacity)",
                skus[g].id
            ),
        );
    }
    let pack_volume = |g: usize| skus[g].order_rules.case_pack as f64 * skus[g].volume.unwrap_or(0.0);
    let largest = node.skus.iter().copied().max_by(|&a, &b| pack_volume(a).total_cmp(&pack_volume(b)).then(b.cmp(&a)));
    if let Some(g) = largest.filter(|&g| pack_volume(g) > storage.capacity) {
        return fail(
            path,
            format!(
                "capacity_volume {} is below the volume of one case pack of SKU \"{}\" ({} units × {} = {}), \
                 which \"{location}\" stocks; valid: at least {} (the largest case pack volume stocked here)",
                storage.capacity,
                skus[g].id,
                skus[g].order_rules.case_pack,
                skus[g].volume.unwrap_or(0.0),
                pack_volume(g),
                pack_volume(g)
            ),
        );
    }
    Ok(())
}

/// Refuses a scenario whose demand could overflow the integer unit-day
/// tallies: see [`MAX_UNIT_DAYS`].
fn check_volume(
    demand: &[DemandStream],
    disruptions: &[echelon_sim::disruption::Disruption],
    pattern: Option<&echelon_sim::disruption::DemandPattern>,
    horizon_days: u32,
) -> Result<(), FieldError> {
    use echelon_sim::disruption::DisruptionKind;
    let daily: f64 = demand.iter().map(|s| s.process.mean_per_day()).sum();
    // Shocks may overlap: their factors above 1 multiply.
    let shocks: f64 = disruptions
        .iter()
        .map(|d| match d.kind {
            DisruptionKind::DemandShock { multiplier, .. } => multiplier.max(1.0),
            _ => 1.0,
        })
        .product();
    let horizon = f64::from(horizon_days);
    let seasonal = pattern.map_or(1.0, |p| {
        let weekly = p.weekly.iter().copied().fold(1.0, f64::max);
        weekly * (1.0 + p.annual_amplitude.abs()) * (1.0 + p.trend_per_year.max(0.0) * horizon / 365.0)
    });
    let unit_days = daily * shocks * seasonal * horizon * horizon;
    if unit_days.is_nan() || unit_days > MAX_UNIT_DAYS {
        return fail(
            "experiment.horizon_days",
            format!(
                "too much demand for integer unit counts: mean daily demand {daily:.3e} × largest demand factor \
                 {:.3e} × horizon_days² ({horizon_days}²) = {unit_days:.3e} unit-days; at most {MAX_UNIT_DAYS:e} \
                 (shorten the horizon or scale the units, e.g. to cases or pallets)",
                shocks * seasonal
            ),
        );
    }
    Ok(())
}

fn suppliers(file: &ScenarioFile) -> Result<Vec<Supplier>, FieldError> {
    file.suppliers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let capacity_per_day = match s.capacity_per_day {
                None => None,
                Some(c) if c.is_finite() && c >= 0.0 && c.fract() == 0.0 && c <= 1e12 => Some(c as i64),
                Some(c) => {
                    return fail(
                        format!("suppliers[{i}].capacity_per_day"),
                        format!("must be a whole number of units ≥ 0, got {c}"),
                    );
                }
            };
            Ok(Supplier { id: s.id.clone(), capacity_per_day })
        })
        .collect()
}

/// Demand streams sorted by (node, local SKU, class), and each node's SKUs.
fn demand(
    file: &ScenarioFile,
    skus: &BTreeMap<&str, usize>,
    classes: &BTreeMap<&str, usize>,
    locations: &BTreeMap<&str, usize>,
) -> Result<(Vec<DemandStream>, Vec<Vec<usize>>), FieldError> {
    let mut keyed = BTreeMap::new();
    for (i, d) in file.demand.iter().enumerate() {
        let path = format!("demand[{i}]");
        let node = resolve(locations, &d.location, format!("{path}.location"), "location")?;
        let sku = resolve(skus, &d.sku, format!("{path}.sku"), "SKU")?;
        let class = match &d.class {
            Some(name) if !classes.is_empty() => resolve(classes, name, format!("{path}.class"), "class")?,
            Some(name) => {
                return fail(
                    format!("{path}.class"),
                    format!("unknown class \"{name}\": the scenario defines no classes"),
                );
            }
            None if classes.len() > 1 => {
                return fail(format!("{path}.class"), "the scenario has several classes; name one");
            }
            None => 0,
        };
        let process = demand_process(&d.model, &format!("{path}.model"))?;
        if keyed.insert((node, sku, class), process).is_some() {
            return fail(
                path,
                format!("a second demand stream for ({}, {}, class {class}); merge them", d.location, d.sku),
            );
        }
    }
    let mut node_skus = vec![Vec::new(); file.locations.len()];
    for &(node, sku, _) in keyed.keys() {
        if node_skus[node].last() != Some(&sku) {
            node_skus[node].push(sku);
        }
    }
    let streams = keyed
        .into_iter()
        .map(|((node, sku, class), process)| {
            let local_sku = node_skus[node].binary_search(&sku).expect("collected above");
            DemandStream { node, local_sku, class, process }
        })
        .collect();
    Ok((streams, node_skus))
}

/// Re-indexes demand streams from their location's demand SKUs to its full
/// local SKU list (which also holds the SKUs of the locations it feeds).
fn localise(streams: Vec<DemandStream>, demand_skus: &[Vec<usize>], nodes: &[StockingNode]) -> Vec<DemandStream> {
    streams
        .into_iter()
        .map(|s| {
            let global = demand_skus[s.node][s.local_sku];
            let local_sku = nodes[s.node].skus.binary_search(&global).expect("a node stocks its demand SKUs");
            DemandStream { local_sku, ..s }
        })
        .collect()
}

/// The SKUs of `node` as strategy builders see them.
pub fn node_context(model: &Model, node: usize) -> NodeContext<'_> {
    NodeContext {
        node: &model.nodes[node].id,
        sku_ids: model.nodes[node].skus.iter().map(|&g| model.skus[g].id.as_str()).collect(),
        mean_daily_demand: model.mean_daily_demand(node),
        own_mean_daily_demand: model.own_mean_daily_demand(node),
        lead_time_days: model.nodes[node].sources.first().map_or(0.0, |&lane| model.lanes[lane].lead_time.mean_days()),
    }
}

/// Checks the gate's tolerance table: known metrics, finite non-negative
/// values.
pub fn check_gate(file: &ScenarioFile) -> Result<(), FieldError> {
    for (key, tolerance) in &file.gate.tolerances {
        let path = format!("gate.tolerances.{key}");
        if metric_index(key).is_none() {
            let nearest = METRICS.iter().min_by_key(|m| strsim::levenshtein(m.key, key)).map_or("", |m| m.key);
            return fail(
                path,
                format!("unknown metric \"{key}\"; did you mean \"{nearest}\"? (`echelon list` shows every metric)"),
            );
        }
        let (Tolerance::Absolute(value) | Tolerance::Relative(value)) = *tolerance;
        if !(value.is_finite() && value >= 0.0) {
            return fail(path, format!("a tolerance must be a finite number ≥ 0, got {value}"));
        }
    }
    Ok(())
}

/// Where `spec` reviews continuously, as a path suffix: `""` for
/// `OneForOne`, `".review"` for `ReorderPointQuantity(review: Continuous)`,
/// inside a `Fallback` under its `.primary` or `.fallback`.
fn continuous_review(spec: &ReplenishmentSpec) -> Option<String> {
    match spec {
        ReplenishmentSpec::OneForOne { .. } => Some(String::new()),
        ReplenishmentSpec::ReorderPointQuantity { review: ReviewSpec::Continuous, .. } => Some(".review".into()),
        ReplenishmentSpec::Fallback { primary, fallback, .. } => continuous_review(primary)
            .map(|p| format!(".primary{p}"))
            .or_else(|| continuous_review(fallback).map(|f| format!(".fallback{f}"))),
        _ => None,
    }
}

/// Continuous review reacts to each customer order as it arrives, which
/// needs event-driven demand (`Orders(…)`). At a location with daily-batch
/// customer demand it would silently be daily periodic review, so it is
/// refused at `path`. (A location without customer demand — one feeding
/// others — is reviewed at every day end, after the day's orders from the
/// locations it feeds have arrived: continuous for that demand.)
fn refuse_continuous_with_daily_demand(
    file: &ScenarioFile,
    model: &Model,
    node: usize,
    path: String,
) -> Result<(), FieldError> {
    let daily = model.demand_of(node).any(|s| matches!(s.process, DemandProcess::Daily(_)));
    if !daily {
        return Ok(());
    }
    let id = &model.nodes[node].id;
    let entry = file
        .demand
        .iter()
        .position(|d| &d.location == id && !matches!(d.model, DemandModelFile::Orders { .. }))
        .map_or_else(|| "a demand history".to_string(), |k| format!("demand[{k}]"));
    fail(
        path,
        format!(
            "continuous review reacts to each customer order, which needs event-driven demand, but location \
             \"{id}\" has daily-batch demand ({entry}); give its demand as Orders(rate_per_day: …, size: …), \
             or review periodically (review: Periodic(1); BaseStock instead of OneForOne)"
        ),
    )
}

/// A strategy of the scenario, validated when it was loaded: what every
/// run of it starts from (no parameter is read again).
#[derive(Clone)]
pub struct PreparedStrategy {
    /// Per stocking node, in model order, its replenishment strategy.
    pub replenishment: Vec<Prototype>,
    /// The allocation rule (one instance serves every node and run).
    pub allocation: Arc<dyn Allocation>,
    /// Lateral transfers, if any.
    pub transfers: Option<Arc<dyn TransferRule>>,
    /// Expedites, if any.
    pub expedites: Option<Arc<dyn ExpediteRule>>,
}

impl std::fmt::Debug for PreparedStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedStrategy")
            .field("nodes", &self.replenishment.len())
            .field("transfers", &self.transfers.is_some())
            .field("expedites", &self.expedites.is_some())
            .finish_non_exhaustive()
    }
}

/// Every key of every `PerSku({..})` level of strategy `i` is a SKU of the
/// scenario: a node resolves only the SKUs it stocks, so a misspelt key
/// would otherwise go unnoticed wherever the real SKUs are also listed.
fn check_per_sku_ids(strategy: &StrategyFile, i: usize, model: &Model) -> Result<(), FieldError> {
    fn unknown<'v>(
        value: &'v serde_json::Value,
        path: String,
        known: &dyn Fn(&str) -> bool,
    ) -> Option<(String, &'v str)> {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Object(levels)) = map.get("PerSku").filter(|_| map.len() == 1) {
                    return levels.keys().find(|k| !known(k)).map(|k| (path, k.as_str()));
                }
                // A variant (`BaseStock(..)`) is not a step of the field path.
                let variant = super::params::is_variant(map);
                map.iter()
                    .find_map(|(k, v)| unknown(v, if variant { path.clone() } else { format!("{path}.{k}") }, known))
            }
            serde_json::Value::Array(items) => {
                items.iter().enumerate().find_map(|(j, v)| unknown(v, format!("{path}[{j}]"), known))
            }
            _ => None,
        }
    }
    let Ok(value) = serde_json::to_value(strategy) else { return Ok(()) };
    let ids: std::collections::HashSet<&str> = model.skus.iter().map(|s| s.id.as_str()).collect();
    let known = |id: &str| ids.contains(id);
    match unknown(&value, format!("strategies[{i}]"), &known) {
        None => Ok(()),
        Some((path, key)) => {
            let nearest = model.skus.iter().min_by_key(|s| strsim::levenshtein(&s.id, key)).map_or("", |s| &s.id);
            fail(path, format!("PerSku lists \"{key}\", which is no SKU of the scenario; did you mean \"{nearest}\"?"))
        }
    }
}

/// Checks that every strategy builds at every node, with the strategies of
/// `registry`, and returns them validated.
pub fn prepare_strategies(
    file: &ScenarioFile,
    model: &Model,
    registry: &Registry,
) -> Result<Vec<PreparedStrategy>, FieldError> {
    if file.strategies.is_empty() {
        return fail("strategies", "list at least one strategy to run");
    }
    index_ids("strategies", file.strategies.iter().map(|s| s.name.as_str()), "name")?;
    let mut prepared = Vec::with_capacity(file.strategies.len());
    for (i, strategy) in file.strategies.iter().enumerate() {
        let at = |field: &str, e: SpecError| FieldError {
            path: if e.field.is_empty() {
                format!("strategies[{i}].{field}")
            } else {
                format!("strategies[{i}].{field}.{}", e.field)
            },
            message: e.message,
        };
        check_per_sku_ids(strategy, i, model)?;
        for location in strategy.at.keys() {
            if !model.nodes.iter().any(|n| &n.id == location) {
                let ids: Vec<&str> = model.nodes.iter().map(|n| n.id.as_str()).collect();
                return fail(
                    format!("strategies[{i}].at"),
                    format!("unknown location \"{location}\"; valid: {}", ids.join(", ")),
                );
            }
        }
        let mut replenishment = Vec::with_capacity(model.nodes.len());
        for node in 0..model.nodes.len() {
            let (field, spec) = match strategy.at.get(&model.nodes[node].id) {
                Some(spec) => (format!("at.{}", model.nodes[node].id), spec),
                None => ("replenishment".to_string(), &strategy.replenishment),
            };
            let prototype = registry.replenishment(spec, &node_context(model, node)).map_err(|e| at(&field, e))?;
            let custom_continuous =
                || matches!(spec, ReplenishmentSpec::Custom { .. }) && prototype().review() == Review::Continuous;
            if let Some(review) = continuous_review(spec).or_else(|| custom_continuous().then(String::new)) {
                refuse_continuous_with_daily_demand(file, model, node, format!("strategies[{i}].{field}{review}"))?;
            }
            replenishment.push(prototype);
        }
        if strategy.allocation.needs_margins() && model.classes.iter().all(|c| c.margin.is_none()) {
            return fail(
                format!("strategies[{i}].allocation"),
                "MarginWeighted splits scarce stock by class margin, but no class gives one: \
                 add `margin:` to the classes, e.g. (name: \"contract\", margin: 12.0)",
            );
        }
        let allocation = registry.allocation(&strategy.allocation).map_err(|e| at("allocation", e))?;
        let transfers = match &strategy.transfers {
            None => None,
            Some(spec) => {
                let rule = registry.transfers(spec).map_err(|e| at("transfers", e))?;
                if !model.lanes.iter().any(|l| l.lateral) {
                    return fail(
                        format!("strategies[{i}].transfers"),
                        "the scenario has no lateral lanes (`lateral: true`) to transfer over",
                    );
                }
                Some(rule)
            }
        };
        let expedites = match &strategy.expedites {
            None => None,
            Some(spec) => {
                let rule = registry.expedites(spec).map_err(|e| at("expedites", e))?;
                if !model.lanes.iter().any(|l| l.expedite.is_some()) {
                    return fail(
                        format!("strategies[{i}].expedites"),
                        "no lane has an expedite mode (`expedite: (lead_time: …)`)",
                    );
                }
                Some(rule)
            }
        };
        prepared.push(PreparedStrategy { replenishment, allocation, transfers, expedites });
    }
    Ok(prepared)
}
