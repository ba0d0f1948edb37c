//! The registry: from the strategy names and parameters written in scenario
//! files to strategy instances.
//!
//! A scenario names a strategy by an enum variant of [`ReplenishmentSpec`]
//! (e.g. `MinMax(reorder_point: Units(4), order_up_to: Units(15))`).
//! [`build_replenishment`] validates the parameters against the SKUs of one
//! node and returns the strategy for that node. [`CATALOGUE`] describes every
//! variant for `echelon list`; a test keeps the two in step.
//!
//! The spec enums and [`SpecError`] are `#[non_exhaustive]`: the catalogue
//! grows, so a crate outside this one matches them with a `_` arm and
//! builds errors with [`SpecError::new`]. A plugged-in strategy is a
//! [`Registry`] entry named by `Custom(name:, params:)`.

use crate::actions::{CoverExpedites, CoverTransfers};
use crate::allocation::{FairShare, Fcfs, MarginWeighted, SlaRisk, StrictPriority};
use crate::forecast::Method;
use crate::level::{Level, NodeContext};
use crate::replenishment::{Batching, Fallback, ForecastOrderUpTo, MinMax, OrderUpTo, ReorderQuantity};
use echelon_sim::governance::{ApprovalOrder, ApprovalOrdering};
use echelon_sim::strategy::{
    Allocation, ExpediteRule, MAX_DATA_DELAY_HOURS, Replenishment, Review, TransferRule, data_delay_minutes,
};
use echelon_sim::time::Minute;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A replenishment strategy as written in a scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub enum ReplenishmentSpec {
    /// Order up to `order_up_to` every day.
    BaseStock {
        /// Order-up-to level S.
        order_up_to: Level,
    },
    /// (R,S): order up to `order_up_to` every `review_period_days`.
    PeriodicReview {
        /// Days between reviews, R ≥ 1.
        review_period_days: u32,
        /// Day of the first review, < R.
        #[serde(default)]
        offset_days: u32,
        /// Order-up-to level S.
        order_up_to: Level,
    },
    /// (s,S): when IP ≤ s, order up to S.
    MinMax {
        /// Reorder point s.
        reorder_point: Level,
        /// Order-up-to level S > s.
        order_up_to: Level,
        /// Days between reviews (default 1).
        #[serde(default = "one_day")]
        review_period_days: u32,
    },
    /// (r,Q): when IP ≤ r, order Q (or the smallest multiple lifting IP above r).
    ReorderPointQuantity {
        /// Reorder point r.
        reorder_point: Level,
        /// Batch size Q ≥ 1.
        order_quantity: Level,
        /// Periodic (default, daily) or continuous review.
        #[serde(default)]
        review: ReviewSpec,
        /// One batch (default) or a multiple of Q.
        #[serde(default)]
        batching: BatchingSpec,
    },
    /// (S−1,S) continuous review: replace every unit demanded at once.
    OneForOne {
        /// Base-stock level S.
        base_stock: Level,
    },
    /// Daily echelon base stock: order up to `order_up_to` on the echelon
    /// inventory position (this node and everything downstream).
    EchelonBaseStock {
        /// Echelon order-up-to level S_e.
        order_up_to: Level,
    },
    /// Order up to the forecast over lead time + review plus a dynamic
    /// safety stock `z(service_target)·σ·√(L + R)`.
    ForecastOrderUpTo {
        /// How demand is forecast.
        forecast: ForecastSpec,
        /// Target probability of covering the protection interval, in (0, 1).
        service_target: f64,
        /// Days between reviews (default 1).
        #[serde(default = "one_day")]
        review_period_days: u32,
    },
    /// Run `primary`; while its input is unavailable (forecast outage, or
    /// stock figures older than `stale_after_hours`) let `fallback` decide.
    Fallback {
        /// The policy in charge while its input is available.
        primary: Box<ReplenishmentSpec>,
        /// The policy in charge while it is not.
        fallback: Box<ReplenishmentSpec>,
        /// Data older than this many hours count as unavailable (default:
        /// no limit).
        #[serde(default)]
        stale_after_hours: Option<f64>,
    },
    /// A strategy plugged into the [`Registry`] by the program embedding
    /// Echelon, by its registered name; `params` (any RON map, default
    /// empty) go to its factory, which validates them.
    Custom {
        /// The registered name.
        name: String,
        /// Its parameters.
        #[serde(default)]
        params: Params,
    },
}

/// A forecasting method as written in a scenario file; smoothing constants
/// lie in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub enum ForecastSpec {
    /// Simple exponential smoothing.
    Ses {
        /// Level smoothing.
        alpha: f64,
    },
    /// Holt's linear trend.
    Holt {
        /// Level smoothing.
        alpha: f64,
        /// Trend smoothing.
        beta: f64,
    },
    /// Croston's method (intermittent demand).
    Croston {
        /// Size and interval smoothing.
        alpha: f64,
    },
    /// Croston with the Syntetos–Boylan bias correction.
    Sba {
        /// Size and interval smoothing.
        alpha: f64,
    },
}

/// Checks the smoothing constants and returns the method.
pub fn build_forecast(spec: ForecastSpec) -> Result<Method, SpecError> {
    let smoothing = |field: &'static str, value: f64| {
        if value > 0.0 && value <= 1.0 {
            Ok(value)
        } else {
            Err(SpecError {
                field: field.into(),
                message: format!("a smoothing constant must lie in (0, 1], got {value}"),
            })
        }
    };
    Ok(match spec {
        ForecastSpec::Ses { alpha } => Method::Ses { alpha: smoothing("forecast.alpha", alpha)? },
        ForecastSpec::Holt { alpha, beta } => {
            Method::Holt { alpha: smoothing("forecast.alpha", alpha)?, beta: smoothing("forecast.beta", beta)? }
        }
        ForecastSpec::Croston { alpha } => Method::Croston { alpha: smoothing("forecast.alpha", alpha)?, sba: false },
        ForecastSpec::Sba { alpha } => Method::Croston { alpha: smoothing("forecast.alpha", alpha)?, sba: true },
    })
}

/// The standard normal quantile of a service target in (0, 1).
pub fn service_quantile(service_target: f64) -> Result<f64, SpecError> {
    if service_target > 0.0 && service_target < 1.0 {
        let normal = statrs::distribution::Normal::standard();
        Ok(statrs::distribution::ContinuousCDF::inverse_cdf(&normal, service_target))
    } else {
        Err(SpecError {
            field: "service_target".into(),
            message: format!("must lie strictly between 0 and 1 (e.g. 0.95), got {service_target}"),
        })
    }
}

/// A `Fallback`'s staleness limit: hours in (0, [`MAX_DATA_DELAY_HOURS`]],
/// in minutes.
fn staleness_limit(hours: f64) -> Result<Minute, SpecError> {
    data_delay_minutes(hours, false).ok_or_else(|| SpecError {
        field: "stale_after_hours".into(),
        message: format!("a data age in hours > 0 and ≤ {MAX_DATA_DELAY_HOURS} (e.g. 24.0), got {hours}"),
    })
}

/// Lateral transfers by days of cover, as a scenario writes them:
/// `(below_days: …, above_days: …)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverTransfersSpec {
    /// A receiver covering fewer days than this gets stock…
    pub below_days: f64,
    /// …from a donor covering more days than this.
    pub above_days: f64,
}

/// Expedites by projected stock-out, as a scenario writes them:
/// `(cover_days: …)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverExpeditesSpec {
    /// Days of demand an expedite covers beyond clearing backorders.
    pub cover_days: f64,
}

/// A plugged-in rule named in a scenario file: `Custom(name: "…", params:
/// { … })`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Custom", deny_unknown_fields)]
pub struct CustomSpec {
    /// The registered name.
    pub name: String,
    /// Its parameters (default: none).
    #[serde(default)]
    pub params: Params,
}

/// Lateral transfers, as a scenario writes them: the bundled rule
/// `(below_days: …, above_days: …)` or `Custom(name: …, params: …)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum TransfersSpec {
    /// The bundled rule ([`crate::actions::CoverTransfers`]).
    Cover(CoverTransfersSpec),
    /// A plugged-in [`TransferRule`].
    Custom(CustomSpec),
}

/// Expedites, as a scenario writes them: the bundled rule
/// `(cover_days: …)` or `Custom(name: …, params: …)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ExpeditesSpec {
    /// The bundled rule ([`crate::actions::CoverExpedites`]).
    Cover(CoverExpeditesSpec),
    /// A plugged-in [`ExpediteRule`].
    Custom(CustomSpec),
}

/// Reads a bundled rule's fields, or a `Custom(name:, params:)` (told
/// apart by its `name` field).
fn bundled_or_custom<'de, D, T>(d: D) -> Result<Result<T, CustomSpec>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::de::Error;
    let value = ron::Value::deserialize(d)?;
    let custom = matches!(&value, ron::Value::Map(m) if m.iter().any(|(k, _)| matches!(k, ron::Value::String(k) if k == "name")));
    if custom {
        value.into_rust::<CustomSpec>().map(Err).map_err(|e| D::Error::custom(params_error(&e).message))
    } else {
        value.into_rust::<T>().map(Ok).map_err(|e| D::Error::custom(params_error(&e).message))
    }
}

impl<'de> Deserialize<'de> for TransfersSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(bundled_or_custom(d)?.map_or_else(Self::Custom, Self::Cover))
    }
}

impl<'de> Deserialize<'de> for ExpeditesSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(bundled_or_custom(d)?.map_or_else(Self::Custom, Self::Cover))
    }
}

/// Checks transfer thresholds: `0 ≤ below_days < above_days`, finite.
pub fn cover_transfers(spec: CoverTransfersSpec) -> Result<CoverTransfers, SpecError> {
    let CoverTransfersSpec { below_days, above_days } = spec;
    if !(below_days.is_finite() && above_days.is_finite() && below_days >= 0.0) {
        return Err(SpecError::new("below_days", format!("must be finite and ≥ 0, got {below_days}")));
    }
    if below_days >= above_days {
        return Err(SpecError::new(
            "above_days",
            format!("must exceed below_days = {below_days} (got {above_days}), or stock would shuttle back and forth"),
        ));
    }
    Ok(CoverTransfers { below_days, above_days })
}

/// Checks the expedite cover: finite, > 0 and at most 365 days.
pub fn cover_expedites(spec: CoverExpeditesSpec) -> Result<CoverExpedites, SpecError> {
    if spec.cover_days.is_finite() && spec.cover_days > 0.0 && spec.cover_days <= 365.0 {
        Ok(CoverExpedites { cover_days: spec.cover_days })
    } else {
        Err(SpecError::new("cover_days", format!("must be above 0 and at most 365 days, got {}", spec.cover_days)))
    }
}

fn one_day() -> u32 {
    1
}

/// How often an (r,Q) policy looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ReviewSpec {
    /// Every `days` days.
    Periodic(u32),
    /// At every demand event.
    Continuous,
}

impl Default for ReviewSpec {
    fn default() -> Self {
        Self::Periodic(1)
    }
}

/// Batching of an (r,Q) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BatchingSpec {
    /// One batch of Q.
    #[default]
    Single,
    /// The smallest multiple of Q lifting IP above r.
    Multiple,
}

/// An allocation rule as written in a scenario file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AllocationSpec {
    /// First come, first served.
    #[default]
    Fcfs,
    /// In proportion to what each claim is owed.
    FairShare,
    /// Tier by tier (1 first), FCFS within a tier.
    StrictPriority,
    /// In proportion to units × the class's margin, capped at each claim.
    MarginWeighted,
    /// By SLA risk: late penalty, weighted by closeness to (or time past) the due date.
    SlaRisk,
    /// A rule plugged into the [`Registry`], by its registered name.
    Custom {
        /// The registered name.
        name: String,
        /// Its parameters (default: none).
        #[serde(default)]
        params: Params,
    },
}

impl AllocationSpec {
    /// Does the rule need customer classes with margins?
    pub fn needs_margins(&self) -> bool {
        *self == Self::MarginWeighted
    }
}

/// A parameter problem found while building a strategy.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
#[non_exhaustive]
pub struct SpecError {
    /// The offending parameter, relative to the strategy (e.g.
    /// `order_up_to`; for a plugged-in strategy a field of its `params`,
    /// e.g. `window_days` or `tiers[1].reserve`). The scenario loader puts
    /// the strategy's path in front, finds the spot in the file and
    /// reports `file:line:col: path: message`.
    pub field: Cow<'static, str>,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl SpecError {
    /// A problem with parameter `field`: `message` says what is wrong and
    /// what would be valid.
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

fn resolve(level: &Level, field: &'static str, ctx: &NodeContext<'_>) -> Result<Vec<i64>, SpecError> {
    level.resolve(ctx).map_err(|message| SpecError { field: field.into(), message })
}

fn at_least(values: &[i64], min: i64, field: &'static str, ctx: &NodeContext<'_>) -> Result<(), SpecError> {
    match values.iter().position(|&v| v < min) {
        Some(i) => Err(SpecError {
            field: field.into(),
            message: format!(
                "must be ≥ {min} units, got {} for SKU \"{}\" at \"{}\"",
                values[i], ctx.sku_ids[i], ctx.node
            ),
        }),
        None => Ok(()),
    }
}

fn periodic(period_days: u32, offset_days: u32) -> Result<Review, SpecError> {
    if period_days == 0 {
        return Err(SpecError { field: "review_period_days".into(), message: "must be at least 1 day".into() });
    }
    if offset_days >= period_days {
        return Err(SpecError {
            field: "offset_days".into(),
            message: format!("must be below review_period_days = {period_days}"),
        });
    }
    Ok(Review::Periodic { period_days, offset_days })
}

/// A validated strategy for one node: each call makes a fresh instance for
/// one run (its state at the start of the run). Made once when the
/// scenario is loaded, from the parameters and the node's SKUs; calling it
/// never fails and never re-reads the parameters.
pub type Prototype = Arc<dyn Fn() -> Box<dyn Replenishment> + Send + Sync>;

fn prototype<S: Replenishment + Clone + Sync + 'static>(strategy: S) -> Prototype {
    Arc::new(move || Box::new(strategy.clone()))
}

/// Validates the bundled strategy `spec` for the SKUs of one node
/// (`Custom` goes to `registry`).
fn prepare_bundled(
    spec: &ReplenishmentSpec,
    ctx: &NodeContext<'_>,
    registry: &Registry,
) -> Result<Prototype, SpecError> {
    Ok(match spec {
        ReplenishmentSpec::BaseStock { order_up_to } => {
            let levels = resolve(order_up_to, "order_up_to", ctx)?;
            at_least(&levels, 0, "order_up_to", ctx)?;
            prototype(OrderUpTo::new(periodic(1, 0)?, levels))
        }
        ReplenishmentSpec::PeriodicReview { review_period_days, offset_days, order_up_to } => {
            let levels = resolve(order_up_to, "order_up_to", ctx)?;
            at_least(&levels, 0, "order_up_to", ctx)?;
            prototype(OrderUpTo::new(periodic(*review_period_days, *offset_days)?, levels))
        }
        ReplenishmentSpec::EchelonBaseStock { order_up_to } => {
            let levels = resolve(order_up_to, "order_up_to", ctx)?;
            at_least(&levels, 0, "order_up_to", ctx)?;
            let initial = levels
                .iter()
                .zip(ctx.own_mean_daily_demand.iter().zip(&ctx.mean_daily_demand))
                .map(|(&s, (&own, &all))| if all > 0.0 { (s as f64 * own / all).round() as i64 } else { 0 })
                .collect();
            prototype(OrderUpTo::echelon(levels, initial))
        }
        ReplenishmentSpec::OneForOne { base_stock } => {
            let levels = resolve(base_stock, "base_stock", ctx)?;
            at_least(&levels, 0, "base_stock", ctx)?;
            prototype(OrderUpTo::new(Review::Continuous, levels))
        }
        ReplenishmentSpec::MinMax { reorder_point, order_up_to, review_period_days } => {
            let s = resolve(reorder_point, "reorder_point", ctx)?;
            let big_s = resolve(order_up_to, "order_up_to", ctx)?;
            if let Some(i) = (0..s.len()).find(|&i| s[i] >= big_s[i]) {
                return Err(SpecError::new(
                    "reorder_point",
                    format!(
                        "(s,S) needs s < S, got s = {} ≥ S = {} for SKU \"{}\" at \"{}\"",
                        s[i], big_s[i], ctx.sku_ids[i], ctx.node
                    ),
                ));
            }
            prototype(MinMax::new(periodic(*review_period_days, 0)?, s, big_s))
        }
        ReplenishmentSpec::ForecastOrderUpTo { forecast, service_target, review_period_days } => {
            let method = build_forecast(*forecast)?;
            let z = service_quantile(*service_target)?;
            let review = periodic(*review_period_days, 0)?;
            let Review::Periodic { period_days, .. } = review else { unreachable!("periodic() is periodic") };
            prototype(ForecastOrderUpTo::new(method, z, period_days, ctx.lead_time_days, &ctx.mean_daily_demand))
        }
        ReplenishmentSpec::Fallback { primary, fallback, stale_after_hours } => {
            let part = |field: &'static str, spec: &ReplenishmentSpec| {
                if matches!(spec, ReplenishmentSpec::Fallback { .. }) {
                    return Err(SpecError::new(field, "a Fallback cannot contain another Fallback"));
                }
                prepare_bundled(spec, ctx, registry)
                    .map_err(|e| SpecError::new(field, format!("{}: {}", e.field, e.message)))
            };
            let (primary, fallback) = (part("primary", primary)?, part("fallback", fallback)?);
            let stale_after = stale_after_hours.map(staleness_limit).transpose()?;
            if !primary().capabilities().needs_forecast && stale_after.is_none() {
                return Err(SpecError::new(
                    "primary",
                    "needs no forecast and no `stale_after_hours` is given, so the fallback would \
                     never take over; use a forecast-driven primary such as ForecastOrderUpTo, or \
                     give stale_after_hours",
                ));
            }
            Arc::new(move || Box::new(Fallback::new(primary(), fallback(), stale_after)))
        }
        ReplenishmentSpec::ReorderPointQuantity { reorder_point, order_quantity, review, batching } => {
            let r = resolve(reorder_point, "reorder_point", ctx)?;
            let q = resolve(order_quantity, "order_quantity", ctx)?;
            at_least(&q, 1, "order_quantity", ctx)?;
            let review = match review {
                ReviewSpec::Periodic(days) => {
                    periodic(*days, 0).map_err(|e| SpecError { field: "review".into(), ..e })?
                }
                ReviewSpec::Continuous => Review::Continuous,
            };
            let batching = match batching {
                BatchingSpec::Single => Batching::Single,
                BatchingSpec::Multiple => Batching::Multiple,
            };
            prototype(ReorderQuantity::new(review, batching, r, q))
        }
        ReplenishmentSpec::Custom { name, params } => {
            let entry =
                registry.replenishment.get(name.as_str()).ok_or_else(|| registry.unknown("replenishment", name))?;
            (entry.factory)(ctx, params).map_err(in_params)?
        }
    })
}

/// Builds the bundled strategy `spec` for the SKUs of one node (a `Custom`
/// one is unknown here: use [`Registry::replenishment`]).
pub fn build_replenishment(
    spec: &ReplenishmentSpec,
    ctx: &NodeContext<'_>,
) -> Result<Box<dyn Replenishment>, SpecError> {
    Ok(Registry::bundled().replenishment(spec, ctx)?())
}

/// Builds a bundled allocation rule (`Custom` ones: [`Registry::allocation`]).
pub fn build_allocation(spec: &AllocationSpec) -> Result<Arc<dyn Allocation>, SpecError> {
    Registry::bundled().allocation(spec)
}

/// The parameters of a plugged-in strategy: the RON value written after
/// `params:` (a map such as `{"window_days": 14, "alpha": 0.3}` or
/// `(window_days: 14, alpha: 0.3)`; none is an empty map).
///
/// A factory reads them into its own serde type with
/// [`Params::deserialize`], which reports unknown and missing fields as
/// located [`SpecError`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Params(pub ron::Value);

impl Default for Params {
    fn default() -> Self {
        Self(ron::Value::Map(ron::Map::new()))
    }
}

impl std::str::FromStr for Params {
    type Err = String;

    /// Parameters from RON text, as a scenario would give them (for tests).
    fn from_str(text: &str) -> Result<Self, String> {
        ron::from_str(text).map(Self).map_err(|e| e.to_string())
    }
}

impl Params {
    /// The parameters as `T` (a `#[derive(Deserialize)]` struct, ideally
    /// with `#[serde(deny_unknown_fields)]`): an unknown or missing field,
    /// or a value of the wrong type, is an error at that field.
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, SpecError> {
        self.0.clone().into_rust().map_err(|e| params_error(&e))
    }
}

/// A serde error reading a plugged-in strategy's parameters, at the field
/// it concerns where serde names one.
fn params_error(e: &ron::Error) -> SpecError {
    use ron::Error;
    let list = |fields: &[&str]| fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
    match e {
        Error::NoSuchStructField { expected, found, .. } => {
            SpecError::new(found.to_string(), format!("unknown parameter `{found}`; valid: {}", list(expected)))
        }
        Error::MissingStructField { field, .. } => {
            SpecError::new(field.to_string(), format!("missing parameter `{field}`"))
        }
        Error::DuplicateStructField { field, .. } => {
            SpecError::new(field.to_string(), format!("parameter `{field}` is given twice"))
        }
        other => SpecError::new("", other.to_string()),
    }
}

/// Puts a plugged-in strategy's error under `params`.
fn in_params(e: SpecError) -> SpecError {
    let field = if e.field.is_empty() { "params".to_string() } else { format!("params.{}", e.field) };
    SpecError { field: field.into(), message: e.message }
}

type ReplenishmentFactory = Arc<dyn Fn(&NodeContext<'_>, &Params) -> Result<Prototype, SpecError> + Send + Sync>;
type RuleFactory<R> = Arc<dyn Fn(&Params) -> Result<Arc<R>, SpecError> + Send + Sync>;

/// One plugged-in strategy.
struct Entry<F> {
    help: String,
    factory: F,
}

/// The strategies a scenario can name: the bundled ones (always, by their
/// own spelling: `MinMax(…)`, `Fcfs`, `transfers: (below_days: …)`) and
/// those an embedding program plugs in, named as `Custom(name: "…",
/// params: { … })`.
///
/// A value, not a global: build one with [`Registry::bundled`], add your
/// own strategies, and hand it to the scenario loader
/// (`echelon::scenario::Scenario::load_in`) or to the whole command line
/// (`echelon::cli::main_with`).
///
/// Every plugged-in strategy is checked as the engine relies on it: its
/// orders and grants are checked after each call, and a negative order, a
/// grant outside `0..=claim` or grants beyond the stock make the run fail
/// naming the strategy (a panic the runner reports; see the README).
#[derive(Clone, Default)]
pub struct Registry {
    replenishment: BTreeMap<String, Entry<ReplenishmentFactory>>,
    allocation: BTreeMap<String, Entry<RuleFactory<dyn Allocation>>>,
    transfers: BTreeMap<String, Entry<RuleFactory<dyn TransferRule>>>,
    expedites: BTreeMap<String, Entry<RuleFactory<dyn ExpediteRule>>>,
    approval_orders: BTreeMap<String, Entry<RuleFactory<dyn ApprovalOrdering>>>,
}

impl<F: Clone> Clone for Entry<F> {
    fn clone(&self) -> Self {
        Self { help: self.help.clone(), factory: self.factory.clone() }
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("replenishment", &self.replenishment.keys().collect::<Vec<_>>())
            .field("allocation", &self.allocation.keys().collect::<Vec<_>>())
            .field("transfers", &self.transfers.keys().collect::<Vec<_>>())
            .field("expedites", &self.expedites.keys().collect::<Vec<_>>())
            .field("approval_orders", &self.approval_orders.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A plugged-in strategy as `echelon list` shows it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct PluginInfo<'a> {
    /// `replenishment`, `allocation`, `transfers`, `expedites` or
    /// `approval_order`.
    pub kind: &'static str,
    /// The registered name.
    pub name: &'a str,
    /// Its help text, as registered.
    pub help: &'a str,
}

fn check_name(name: &str, taken: bool) {
    assert!(
        !name.trim().is_empty() && name.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)),
        "a strategy name is letters, digits, `-`, `_` and `.`; got {name:?}"
    );
    assert!(!taken, "a strategy named {name:?} of this kind is already registered");
}

impl Registry {
    /// The bundled strategies only.
    pub fn bundled() -> Self {
        Self::default()
    }

    /// Adds the replenishment strategy `name`: `factory` validates a
    /// scenario's `params` for the SKUs of one node and returns the
    /// strategy for it, or a [`SpecError`] at the offending field of
    /// `params`. It is called once per node when the scenario is loaded;
    /// each run then starts from a clone of what it returned, so the
    /// strategy's per-SKU rule is statically dispatched inside its
    /// [`Replenishment::decide`] (one dynamic call per node per review).
    ///
    /// # Panics
    /// When `name` is empty, holds characters other than letters, digits,
    /// `-`, `_`, `.`, or is already registered.
    pub fn register_replenishment<S, F>(&mut self, name: &str, help: &str, factory: F) -> &mut Self
    where
        S: Replenishment + Clone + Sync + 'static,
        F: Fn(&NodeContext<'_>, &Params) -> Result<S, SpecError> + Send + Sync + 'static,
    {
        check_name(name, self.replenishment.contains_key(name));
        let label: Arc<str> = name.into();
        let factory: ReplenishmentFactory = Arc::new(move |ctx, params| {
            let strategy = Checked { inner: factory(ctx, params)?, name: label.clone() };
            Ok(prototype(strategy))
        });
        self.replenishment.insert(name.to_string(), Entry { help: help.to_string(), factory });
        self
    }

    /// Adds the allocation rule `name`; `factory` validates `params` once
    /// per strategy when the scenario is loaded. One instance serves every
    /// node of a run (and runs in parallel: it must hold no mutable state).
    ///
    /// # Panics
    /// As [`register_replenishment`](Self::register_replenishment).
    pub fn register_allocation<A, F>(&mut self, name: &str, help: &str, factory: F) -> &mut Self
    where
        A: Allocation + 'static,
        F: Fn(&Params) -> Result<A, SpecError> + Send + Sync + 'static,
    {
        check_name(name, self.allocation.contains_key(name));
        let label: Arc<str> = name.into();
        let factory: RuleFactory<dyn Allocation> = Arc::new(move |params| {
            Ok(Arc::new(CheckedAllocation { inner: factory(params)?, name: label.clone() }) as Arc<dyn Allocation>)
        });
        self.allocation.insert(name.to_string(), Entry { help: help.to_string(), factory });
        self
    }

    /// Adds the lateral-transfer rule `name` (see
    /// [`register_allocation`](Self::register_allocation)).
    ///
    /// # Panics
    /// As [`register_replenishment`](Self::register_replenishment).
    pub fn register_transfers<R, F>(&mut self, name: &str, help: &str, factory: F) -> &mut Self
    where
        R: TransferRule + 'static,
        F: Fn(&Params) -> Result<R, SpecError> + Send + Sync + 'static,
    {
        check_name(name, self.transfers.contains_key(name));
        let factory: RuleFactory<dyn TransferRule> =
            Arc::new(move |params| Ok(Arc::new(factory(params)?) as Arc<dyn TransferRule>));
        self.transfers.insert(name.to_string(), Entry { help: help.to_string(), factory });
        self
    }

    /// Adds the expedite rule `name` (see
    /// [`register_allocation`](Self::register_allocation)).
    ///
    /// # Panics
    /// As [`register_replenishment`](Self::register_replenishment).
    pub fn register_expedites<R, F>(&mut self, name: &str, help: &str, factory: F) -> &mut Self
    where
        R: ExpediteRule + 'static,
        F: Fn(&Params) -> Result<R, SpecError> + Send + Sync + 'static,
    {
        check_name(name, self.expedites.contains_key(name));
        let factory: RuleFactory<dyn ExpediteRule> =
            Arc::new(move |params| Ok(Arc::new(factory(params)?) as Arc<dyn ExpediteRule>));
        self.expedites.insert(name.to_string(), Entry { help: help.to_string(), factory });
        self
    }

    /// Adds the approval-queue ordering `name` (a scenario's `governance:
    /// (queue: Custom(name: …, params: …))`); `factory` validates `params`
    /// once when the scenario is loaded. One instance serves every run (in
    /// parallel: it must hold no mutable state).
    ///
    /// # Panics
    /// As [`register_replenishment`](Self::register_replenishment).
    pub fn register_approval_order<R, F>(&mut self, name: &str, help: &str, factory: F) -> &mut Self
    where
        R: ApprovalOrdering + 'static,
        F: Fn(&Params) -> Result<R, SpecError> + Send + Sync + 'static,
    {
        check_name(name, self.approval_orders.contains_key(name));
        let factory: RuleFactory<dyn ApprovalOrdering> =
            Arc::new(move |params| Ok(Arc::new(factory(params)?) as Arc<dyn ApprovalOrdering>));
        self.approval_orders.insert(name.to_string(), Entry { help: help.to_string(), factory });
        self
    }

    /// Every plugged-in strategy, by kind then name.
    pub fn plugins(&self) -> Vec<PluginInfo<'_>> {
        fn of<'a, F>(kind: &'static str, map: &'a BTreeMap<String, Entry<F>>) -> impl Iterator<Item = PluginInfo<'a>> {
            map.iter().map(move |(name, e)| PluginInfo { kind, name, help: &e.help })
        }
        of("replenishment", &self.replenishment)
            .chain(of("allocation", &self.allocation))
            .chain(of("transfers", &self.transfers))
            .chain(of("expedites", &self.expedites))
            .chain(of("approval_order", &self.approval_orders))
            .collect()
    }

    fn unknown(&self, kind: &str, name: &str) -> SpecError {
        let names: Vec<String> =
            self.plugins().into_iter().filter(|p| p.kind == kind).map(|p| format!("\"{}\"", p.name)).collect();
        let valid = if names.is_empty() {
            format!(
                "none is registered: this program has only the bundled strategies (`echelon list`); \
                 a Custom {kind} strategy is plugged in by a program embedding Echelon \
                 (Rust: Registry::register_{kind}; Python, for replenishment and allocation: \
                 echelon.register_{kind})"
            )
        } else {
            format!("registered: {}", names.join(", "))
        };
        SpecError::new("name", format!("no {kind} strategy \"{name}\" is registered; {valid}"))
    }

    /// Validates `spec` for the SKUs of one node: the [`Prototype`] every
    /// run of it at that node starts from.
    pub fn replenishment(&self, spec: &ReplenishmentSpec, ctx: &NodeContext<'_>) -> Result<Prototype, SpecError> {
        prepare_bundled(spec, ctx, self)
    }

    /// Validates and builds an allocation rule.
    pub fn allocation(&self, spec: &AllocationSpec) -> Result<Arc<dyn Allocation>, SpecError> {
        Ok(match spec {
            AllocationSpec::Fcfs => Arc::new(Fcfs),
            AllocationSpec::FairShare => Arc::new(FairShare),
            AllocationSpec::StrictPriority => Arc::new(StrictPriority),
            AllocationSpec::MarginWeighted => Arc::new(MarginWeighted),
            AllocationSpec::SlaRisk => Arc::new(SlaRisk),
            AllocationSpec::Custom { name, params } => {
                let entry = self.allocation.get(name.as_str()).ok_or_else(|| self.unknown("allocation", name))?;
                (entry.factory)(params).map_err(in_params)?
            }
        })
    }

    /// Validates and builds a transfer rule.
    pub fn transfers(&self, spec: &TransfersSpec) -> Result<Arc<dyn TransferRule>, SpecError> {
        match spec {
            TransfersSpec::Cover(spec) => Ok(Arc::new(cover_transfers(*spec)?)),
            TransfersSpec::Custom(CustomSpec { name, params }) => {
                let entry = self.transfers.get(name.as_str()).ok_or_else(|| self.unknown("transfers", name))?;
                (entry.factory)(params).map_err(in_params)
            }
        }
    }

    /// Validates and builds an approval-queue ordering: a bundled one, or
    /// the plugged-in `custom` (its name and params).
    pub fn approval_order(
        &self,
        bundled: ApprovalOrder,
        custom: Option<&CustomSpec>,
    ) -> Result<Arc<dyn ApprovalOrdering>, SpecError> {
        let Some(CustomSpec { name, params }) = custom else { return Ok(Arc::new(bundled)) };
        let entry = self.approval_orders.get(name.as_str()).ok_or_else(|| self.unknown("approval_order", name))?;
        (entry.factory)(params).map_err(in_params)
    }

    /// Validates and builds an expedite rule.
    pub fn expedites(&self, spec: &ExpeditesSpec) -> Result<Arc<dyn ExpediteRule>, SpecError> {
        match spec {
            ExpeditesSpec::Cover(spec) => Ok(Arc::new(cover_expedites(*spec)?)),
            ExpeditesSpec::Custom(CustomSpec { name, params }) => {
                let entry = self.expedites.get(name.as_str()).ok_or_else(|| self.unknown("expedites", name))?;
                (entry.factory)(params).map_err(in_params)
            }
        }
    }
}

/// A plugged-in replenishment strategy with its outputs checked: the
/// engine treats an order ≤ 0 as none, so a negative one is a broken
/// contract, and the run fails naming the strategy (module doc of
/// [`Registry`]). Generic over the strategy: its `decide` stays static.
#[derive(Clone)]
struct Checked<S> {
    inner: S,
    name: Arc<str>,
}

impl<S> Checked<S> {
    #[cold]
    fn negative(&self, sku: usize, quantity: i64) -> ! {
        panic!("strategy \"{}\" ordered a negative quantity ({quantity}) for local SKU {sku}", self.name)
    }
}

impl<S: Replenishment> Replenishment for Checked<S> {
    fn review(&self) -> Review {
        self.inner.review()
    }

    fn reorder_points(&self) -> &[i64] {
        self.inner.reorder_points()
    }

    fn initial_on_hand(&self, sku: usize) -> i64 {
        let units = self.inner.initial_on_hand(sku);
        if units < 0 {
            panic!("strategy \"{}\" gave a negative initial stock ({units}) for local SKU {sku}", self.name);
        }
        units
    }

    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64 {
        let quantity = self.inner.order_quantity(sku, inventory_position);
        if quantity < 0 {
            self.negative(sku, quantity);
        }
        quantity
    }

    fn capabilities(&self) -> echelon_sim::strategy::Capabilities {
        self.inner.capabilities()
    }

    fn observe(&mut self, view: &echelon_sim::strategy::NodeView<'_>) {
        self.inner.observe(view);
    }

    fn on_fallback(&self) -> bool {
        self.inner.on_fallback()
    }

    fn forecasts(&self) -> Option<&[f64]> {
        self.inner.forecasts()
    }

    fn decide(&mut self, view: &echelon_sim::strategy::NodeView<'_>, orders: &mut [i64]) {
        self.inner.decide(view, orders);
        if let Some(sku) = orders.iter().position(|&q| q < 0) {
            self.negative(sku, orders[sku]);
        }
    }
}

/// A plugged-in allocation rule with its grants checked against the
/// [`Allocation`] contract.
struct CheckedAllocation<A> {
    inner: A,
    name: Arc<str>,
}

impl<A: Allocation> Allocation for CheckedAllocation<A> {
    fn allocate(&self, now: Minute, available: i64, claims: &[echelon_sim::strategy::Claim], grants: &mut [i64]) {
        self.inner.allocate(now, available, claims, grants);
        let total: i64 = grants.iter().sum();
        let wanted: i64 = claims.iter().map(|c| c.units).sum();
        let bad = claims.iter().zip(grants.iter()).position(|(c, &g)| g < 0 || g > c.units);
        if let Some(i) = bad {
            panic!(
                "allocation \"{}\" granted {} units to a claim of {} (a grant lies in 0..=claim)",
                self.name, grants[i], claims[i].units
            );
        }
        if total != available.min(wanted) {
            panic!(
                "allocation \"{}\" granted {total} units in all of {available} available for claims of {wanted} \
                 (it must grant exactly min(available, claims))",
                self.name
            );
        }
    }
}

/// One entry of the strategy catalogue.
#[derive(Debug, Clone, Copy)]
pub struct StrategyInfo {
    /// Kind of strategy (replenishment, allocation).
    pub kind: &'static str,
    /// Name as written in scenario files.
    pub name: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// A complete example, valid in a scenario file.
    pub example: &'static str,
}

/// Every strategy a scenario file can name.
pub const CATALOGUE: &[StrategyInfo] = &[
    StrategyInfo {
        kind: "replenishment",
        name: "BaseStock",
        summary: "order up to S every day (periodic base stock, R = 1)",
        example: "BaseStock(order_up_to: Units(15))",
    },
    StrategyInfo {
        kind: "replenishment",
        name: "PeriodicReview",
        summary: "(R,S): order up to S every R days, first on day offset_days",
        example: "PeriodicReview(review_period_days: 7, offset_days: 0, order_up_to: DaysOfCover(10.0))",
    },
    StrategyInfo {
        kind: "replenishment",
        name: "MinMax",
        summary: "(s,S): when IP ≤ s order up to S; s < S",
        example: "MinMax(reorder_point: Units(4), order_up_to: Units(15), review_period_days: 1)",
    },
    StrategyInfo {
        kind: "replenishment",
        name: "ReorderPointQuantity",
        summary: "(r,Q): when IP ≤ r order Q (Single) or the smallest multiple of Q lifting IP above r (Multiple)",
        example: "ReorderPointQuantity(reorder_point: Units(5), order_quantity: Units(10), review: Continuous, batching: Multiple)",
    },
    StrategyInfo {
        kind: "replenishment",
        name: "EchelonBaseStock",
        summary: "order up to S_e every day on the echelon position (the node and everything downstream)",
        example: "EchelonBaseStock(order_up_to: DaysOfCover(14.0))",
    },
    StrategyInfo {
        kind: "replenishment",
        name: "OneForOne",
        summary: "(S−1,S) continuous review: every demand is reordered at once",
        example: "OneForOne(base_stock: Units(12))",
    },
    StrategyInfo {
        kind: "replenishment",
        name: "ForecastOrderUpTo",
        summary: "order up to the forecast over L + R days plus z(service_target)·σ·√(L + R); forecast Ses, Holt, Croston or Sba, updated daily",
        example: "ForecastOrderUpTo(forecast: Ses(alpha: 0.2), service_target: 0.95, review_period_days: 1)",
    },
    StrategyInfo {
        kind: "replenishment",
        name: "Fallback",
        summary: "run the primary; while its input is unavailable (ForecastOutage, or stock data older than stale_after_hours) let the fallback decide, and switch back when restored",
        example: "Fallback(primary: ForecastOrderUpTo(forecast: Sba(alpha: 0.1), service_target: 0.95), fallback: MinMax(reorder_point: DaysOfCover(5.0), order_up_to: DaysOfCover(10.0)), stale_after_hours: 24.0)",
    },
];

/// Every allocation rule a scenario file can name.
pub const ALLOCATIONS: &[StrategyInfo] = &[
    StrategyInfo {
        kind: "allocation",
        name: "Fcfs",
        summary: "first come, first served: the oldest claim is served whole first",
        example: "Fcfs",
    },
    StrategyInfo {
        kind: "allocation",
        name: "FairShare",
        summary: "in proportion to what each claim is owed (largest remainders get the rounding)",
        example: "FairShare",
    },
    StrategyInfo {
        kind: "allocation",
        name: "StrictPriority",
        summary: "tier by tier (1 first), first come first served within a tier",
        example: "StrictPriority",
    },
    StrategyInfo {
        kind: "allocation",
        name: "MarginWeighted",
        summary: "in proportion to units × the class margin, capped at each claim (classes need a margin)",
        example: "MarginWeighted",
    },
    StrategyInfo {
        kind: "allocation",
        name: "SlaRisk",
        summary: "highest SLA risk first: late penalty ÷ (1 + days to due), or × (1 + days overdue)",
        example: "SlaRisk",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> NodeContext<'static> {
        NodeContext {
            node: "WH",
            sku_ids: vec!["a"],
            mean_daily_demand: vec![4.0],
            own_mean_daily_demand: vec![4.0],
            lead_time_days: 2.0,
        }
    }

    #[test]
    fn every_catalogue_example_parses_and_builds() {
        // As scenario files are read: `Some(..)` may be left implicit.
        let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        for info in CATALOGUE {
            let spec: ReplenishmentSpec =
                options.from_str(info.example).unwrap_or_else(|e| panic!("{}: {e}", info.name));
            build_replenishment(&spec, &ctx()).unwrap_or_else(|e| panic!("{}: {e}", info.name));
            assert!(info.example.starts_with(info.name));
        }
        for info in ALLOCATIONS {
            let spec: AllocationSpec = ron::from_str(info.example).unwrap();
            build_allocation(&spec).unwrap();
        }
    }

    #[test]
    fn s_not_below_big_s_is_rejected_naming_the_sku() {
        let spec = ReplenishmentSpec::MinMax {
            reorder_point: Level::Units(15),
            order_up_to: Level::Units(15),
            review_period_days: 1,
        };
        let err = build_replenishment(&spec, &ctx()).err().unwrap();
        assert_eq!(err.field, "reorder_point");
        assert!(err.message.contains("s < S") && err.message.contains("\"a\""));
    }

    #[test]
    fn zero_review_period_and_zero_batch_are_rejected() {
        let spec =
            ReplenishmentSpec::PeriodicReview { review_period_days: 0, offset_days: 0, order_up_to: Level::Units(5) };
        assert_eq!(build_replenishment(&spec, &ctx()).err().unwrap().field, "review_period_days");
        let spec = ReplenishmentSpec::ReorderPointQuantity {
            reorder_point: Level::Units(5),
            order_quantity: Level::Units(0),
            review: ReviewSpec::Continuous,
            batching: BatchingSpec::Single,
        };
        assert_eq!(build_replenishment(&spec, &ctx()).err().unwrap().field, "order_quantity");
    }

    #[test]
    fn service_quantile_is_the_standard_normal_quantile() {
        assert!((service_quantile(0.95).unwrap() - 1.644_853_626_951_472_2).abs() < 1e-9);
        assert!((service_quantile(0.5).unwrap()).abs() < 1e-12);
    }

    #[test]
    fn service_target_and_smoothing_outside_their_ranges_are_rejected() {
        let spec = |forecast, service_target| ReplenishmentSpec::ForecastOrderUpTo {
            forecast,
            service_target,
            review_period_days: 1,
        };
        for target in [0.0, 1.0, 1.2, -0.1, f64::NAN] {
            let err = build_replenishment(&spec(ForecastSpec::Ses { alpha: 0.2 }, target), &ctx()).err().unwrap();
            assert_eq!(err.field, "service_target", "{target}");
        }
        for alpha in [0.0, 1.5, -0.2, f64::NAN] {
            let err = build_replenishment(&spec(ForecastSpec::Sba { alpha }, 0.9), &ctx()).err().unwrap();
            assert_eq!(err.field, "forecast.alpha", "{alpha}");
        }
        let holt = ForecastSpec::Holt { alpha: 0.3, beta: 0.0 };
        assert_eq!(build_replenishment(&spec(holt, 0.9), &ctx()).err().unwrap().field, "forecast.beta");
        // α = 1 is allowed: the forecast is the last observation.
        assert!(build_replenishment(&spec(ForecastSpec::Ses { alpha: 1.0 }, 0.9), &ctx()).is_ok());
    }

    #[test]
    fn a_nested_fallback_or_a_primary_without_a_forecast_is_rejected() {
        let min_max = || ReplenishmentSpec::MinMax {
            reorder_point: Level::Units(3),
            order_up_to: Level::Units(9),
            review_period_days: 1,
        };
        let forecast = || ReplenishmentSpec::ForecastOrderUpTo {
            forecast: ForecastSpec::Ses { alpha: 0.2 },
            service_target: 0.9,
            review_period_days: 1,
        };
        let fallback = |primary, fallback| ReplenishmentSpec::Fallback {
            primary: Box::new(primary),
            fallback: Box::new(fallback),
            stale_after_hours: None,
        };
        let err = build_replenishment(&fallback(min_max(), min_max()), &ctx()).err().unwrap();
        assert_eq!(err.field, "primary");
        assert!(err.message.contains("needs no forecast"));
        let nested = fallback(forecast(), fallback(forecast(), min_max()));
        let err = build_replenishment(&nested, &ctx()).err().unwrap();
        assert_eq!(
            (err.field.as_ref(), err.message.as_str()),
            ("fallback", "a Fallback cannot contain another Fallback")
        );
        assert!(build_replenishment(&fallback(forecast(), min_max()), &ctx()).is_ok());
        // With a staleness limit any primary may fall back; the limit must be sane.
        let stale = |hours| ReplenishmentSpec::Fallback {
            primary: Box::new(min_max()),
            fallback: Box::new(min_max()),
            stale_after_hours: Some(hours),
        };
        assert!(build_replenishment(&stale(24.0), &ctx()).is_ok());
        let err = build_replenishment(&stale(0.0), &ctx()).err().unwrap();
        assert_eq!(err.field, "stale_after_hours");
    }

    /// A plug-in for the tests: order up to `level` every day.
    #[derive(Clone)]
    struct UpTo {
        level: Vec<i64>,
        sign: i64,
    }

    impl Replenishment for UpTo {
        fn review(&self) -> Review {
            Review::Periodic { period_days: 1, offset_days: 0 }
        }
        fn reorder_points(&self) -> &[i64] {
            &self.level
        }
        fn initial_on_hand(&self, sku: usize) -> i64 {
            self.level[sku]
        }
        fn order_quantity(&self, sku: usize, position: i64) -> i64 {
            self.sign * (self.level[sku] - position).max(0)
        }
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct UpToParams {
        level: i64,
        #[serde(default)]
        negative: bool,
    }

    fn with_plugin() -> Registry {
        let mut registry = Registry::bundled();
        registry.register_replenishment("up-to", "order up to `level`", |ctx, params| {
            let p: UpToParams = params.deserialize()?;
            if p.level < 0 {
                return Err(SpecError::new("level", format!("must be ≥ 0, got {}", p.level)));
            }
            Ok(UpTo { level: vec![p.level; ctx.sku_ids.len()], sign: if p.negative { -1 } else { 1 } })
        });
        registry
    }

    fn custom(text: &str) -> ReplenishmentSpec {
        ron::from_str(text).unwrap()
    }

    #[test]
    fn a_registered_custom_strategy_builds_from_its_params_and_each_run_gets_a_fresh_instance() {
        let registry = with_plugin();
        let spec = custom(r#"Custom(name: "up-to", params: {"level": 7})"#);
        let prototype = registry.replenishment(&spec, &ctx()).unwrap();
        let (a, b) = (prototype(), prototype());
        assert_eq!((a.reorder_points(), b.order_quantity(0, 3)), (&[7][..], 4));
        // Inside a Fallback too.
        let spec = custom(
            r#"Fallback(primary: Custom(name: "up-to", params: (level: 9)), fallback: BaseStock(order_up_to: Units(3)),
               stale_after_hours: Some(24.0))"#,
        );
        assert_eq!(registry.replenishment(&spec, &ctx()).unwrap()().order_quantity(0, 0), 9);
        assert_eq!(registry.plugins().len(), 1);
    }

    #[test]
    fn an_unknown_custom_name_lists_the_registered_ones() {
        let spec = custom(r#"Custom(name: "up_to", params: {"level": 7})"#);
        let err = with_plugin().replenishment(&spec, &ctx()).err().unwrap();
        assert_eq!(err.field, "name");
        assert!(err.message.contains("\"up_to\"") && err.message.contains("registered: \"up-to\""), "{}", err.message);
        let err = build_replenishment(&spec, &ctx()).err().unwrap();
        assert!(err.message.contains("none is registered"), "{}", err.message);
    }

    #[test]
    fn custom_params_errors_are_at_the_field_under_params() {
        let registry = with_plugin();
        let field = |text: &str| registry.replenishment(&custom(text), &ctx()).err().unwrap().field.into_owned();
        assert_eq!(field(r#"Custom(name: "up-to", params: {"level": -1})"#), "params.level");
        assert_eq!(field(r#"Custom(name: "up-to", params: {"levle": 1})"#), "params.levle");
        assert_eq!(field(r#"Custom(name: "up-to")"#), "params.level");
        assert_eq!(field(r#"Custom(name: "up-to", params: {"level": "x"})"#), "params");
    }

    #[test]
    #[should_panic(expected = "strategy \"up-to\" ordered a negative quantity (-7)")]
    fn a_custom_strategy_ordering_a_negative_quantity_fails_naming_it() {
        let spec = custom(r#"Custom(name: "up-to", params: {"level": 7, "negative": true})"#);
        let mut strategy = with_plugin().replenishment(&spec, &ctx()).unwrap()();
        let (zero, mut orders) = ([0], [0]);
        let view = echelon_sim::strategy::NodeView {
            day: 0,
            on_hand: &zero,
            backorders: &zero,
            owed: &zero,
            on_order: &zero,
            echelon_position: &zero,
            demand: &[],
            forecast_available: true,
            data_delay: 0,
        };
        strategy.decide(&view, &mut orders);
    }

    #[test]
    fn bundled_transfers_and_expedites_keep_their_spelling_and_custom_ones_parse() {
        let t: TransfersSpec = ron::from_str("(below_days: 2, above_days: 6.0)").unwrap();
        assert_eq!(t, TransfersSpec::Cover(CoverTransfersSpec { below_days: 2.0, above_days: 6.0 }));
        let t: TransfersSpec = ron::from_str(r#"Custom(name: "pool", params: {"x": 1})"#).unwrap();
        assert!(matches!(&t, TransfersSpec::Custom(c) if c.name == "pool"));
        let err = Registry::bundled().transfers(&t).err().unwrap();
        assert_eq!(err.field, "name");
        let e: ExpeditesSpec = ron::from_str("(cover_days: 3.0)").unwrap();
        assert!(Registry::bundled().expedites(&e).is_ok());
        assert!(ron::from_str::<ExpeditesSpec>("(cover_dayz: 3.0)").unwrap_err().to_string().contains("cover_dayz"));
    }
}
