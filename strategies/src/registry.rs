//! The registry: from the strategy names and parameters written in scenario
//! files to strategy instances.
//!
//! A scenario names a strategy by an enum variant of [`ReplenishmentSpec`]
//! (e.g. `MinMax(reorder_point: Units(4), order_up_to: Units(15))`).
//! [`build_replenishment`] validates the parameters against the SKUs of one
//! node and returns the strategy for that node. [`CATALOGUE`] describes every
//! variant for `echelon list`; a test keeps the two in step.

use crate::allocation::{FairShare, Fcfs, MarginWeighted, SlaRisk, StrictPriority};
use crate::forecast::Method;
use crate::level::{Level, NodeContext};
use crate::replenishment::{Batching, Fallback, ForecastOrderUpTo, MinMax, OrderUpTo, ReorderQuantity};
use echelon_sim::strategy::{
    Allocation, Expedites, MAX_DATA_DELAY_HOURS, Replenishment, Review, Transfers, data_delay_minutes,
};
use echelon_sim::time::Minute;
use serde::{Deserialize, Serialize};

/// A replenishment strategy as written in a scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
}

/// A forecasting method as written in a scenario file; smoothing constants
/// lie in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
            Err(SpecError { field, message: format!("a smoothing constant must lie in (0, 1], got {value}") })
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
            field: "service_target",
            message: format!("must lie strictly between 0 and 1 (e.g. 0.95), got {service_target}"),
        })
    }
}

/// A `Fallback`'s staleness limit: hours in (0, [`MAX_DATA_DELAY_HOURS`]],
/// in minutes.
fn staleness_limit(hours: f64) -> Result<Minute, SpecError> {
    data_delay_minutes(hours, false).ok_or_else(|| SpecError {
        field: "stale_after_hours",
        message: format!("a data age in hours > 0 and ≤ {MAX_DATA_DELAY_HOURS} (e.g. 24.0), got {hours}"),
    })
}

/// Lateral transfers, as a scenario writes them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransfersSpec {
    /// A receiver covering fewer days than this gets stock…
    pub below_days: f64,
    /// …from a donor covering more days than this.
    pub above_days: f64,
}

/// Expedites, as a scenario writes them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpeditesSpec {
    /// Days of demand an expedite covers beyond clearing backorders.
    pub cover_days: f64,
}

/// Checks transfer thresholds: `0 ≤ below_days < above_days`, finite.
pub fn build_transfers(spec: TransfersSpec) -> Result<Transfers, SpecError> {
    let TransfersSpec { below_days, above_days } = spec;
    if !(below_days.is_finite() && above_days.is_finite() && below_days >= 0.0) {
        return Err(SpecError { field: "below_days", message: format!("must be finite and ≥ 0, got {below_days}") });
    }
    if below_days >= above_days {
        return Err(SpecError {
            field: "above_days",
            message: format!(
                "must exceed below_days = {below_days} (got {above_days}), or stock would shuttle back and forth"
            ),
        });
    }
    Ok(Transfers { below_days, above_days })
}

/// Checks the expedite cover: finite and > 0.
pub fn build_expedites(spec: ExpeditesSpec) -> Result<Expedites, SpecError> {
    if spec.cover_days.is_finite() && spec.cover_days > 0.0 && spec.cover_days <= 365.0 {
        Ok(Expedites { cover_days: spec.cover_days })
    } else {
        Err(SpecError {
            field: "cover_days",
            message: format!("must be above 0 and at most 365 days, got {}", spec.cover_days),
        })
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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
}

impl AllocationSpec {
    /// Does the rule need customer classes with margins?
    pub fn needs_margins(self) -> bool {
        self == Self::MarginWeighted
    }
}

/// A parameter problem found while building a strategy.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SpecError {
    /// The offending parameter, relative to the strategy (e.g. `order_up_to`).
    pub field: &'static str,
    /// What is wrong and what would be valid.
    pub message: String,
}

fn resolve(level: &Level, field: &'static str, ctx: &NodeContext<'_>) -> Result<Vec<i64>, SpecError> {
    level.resolve(ctx).map_err(|message| SpecError { field, message })
}

fn at_least(values: &[i64], min: i64, field: &'static str, ctx: &NodeContext<'_>) -> Result<(), SpecError> {
    match values.iter().position(|&v| v < min) {
        Some(i) => Err(SpecError {
            field,
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
        return Err(SpecError { field: "review_period_days", message: "must be at least 1 day".into() });
    }
    if offset_days >= period_days {
        return Err(SpecError {
            field: "offset_days",
            message: format!("must be below review_period_days = {period_days}"),
        });
    }
    Ok(Review::Periodic { period_days, offset_days })
}

/// Builds the strategy `spec` for the SKUs of one node.
pub fn build_replenishment(
    spec: &ReplenishmentSpec,
    ctx: &NodeContext<'_>,
) -> Result<Box<dyn Replenishment>, SpecError> {
    Ok(match spec {
        ReplenishmentSpec::BaseStock { order_up_to } => {
            let levels = resolve(order_up_to, "order_up_to", ctx)?;
            at_least(&levels, 0, "order_up_to", ctx)?;
            Box::new(OrderUpTo::new(periodic(1, 0)?, levels))
        }
        ReplenishmentSpec::PeriodicReview { review_period_days, offset_days, order_up_to } => {
            let levels = resolve(order_up_to, "order_up_to", ctx)?;
            at_least(&levels, 0, "order_up_to", ctx)?;
            Box::new(OrderUpTo::new(periodic(*review_period_days, *offset_days)?, levels))
        }
        ReplenishmentSpec::EchelonBaseStock { order_up_to } => {
            let levels = resolve(order_up_to, "order_up_to", ctx)?;
            at_least(&levels, 0, "order_up_to", ctx)?;
            let initial = levels
                .iter()
                .zip(ctx.own_mean_daily_demand.iter().zip(&ctx.mean_daily_demand))
                .map(|(&s, (&own, &all))| if all > 0.0 { (s as f64 * own / all).round() as i64 } else { 0 })
                .collect();
            Box::new(OrderUpTo::echelon(levels, initial))
        }
        ReplenishmentSpec::OneForOne { base_stock } => {
            let levels = resolve(base_stock, "base_stock", ctx)?;
            at_least(&levels, 0, "base_stock", ctx)?;
            Box::new(OrderUpTo::new(Review::Continuous, levels))
        }
        ReplenishmentSpec::MinMax { reorder_point, order_up_to, review_period_days } => {
            let s = resolve(reorder_point, "reorder_point", ctx)?;
            let big_s = resolve(order_up_to, "order_up_to", ctx)?;
            if let Some(i) = (0..s.len()).find(|&i| s[i] >= big_s[i]) {
                return Err(SpecError {
                    field: "reorder_point",
                    message: format!(
                        "(s,S) needs s < S, got s = {} ≥ S = {} for SKU \"{}\" at \"{}\"",
                        s[i], big_s[i], ctx.sku_ids[i], ctx.node
                    ),
                });
            }
            Box::new(MinMax::new(periodic(*review_period_days, 0)?, s, big_s))
        }
        ReplenishmentSpec::ForecastOrderUpTo { forecast, service_target, review_period_days } => {
            let method = build_forecast(*forecast)?;
            let z = service_quantile(*service_target)?;
            let review = periodic(*review_period_days, 0)?;
            let Review::Periodic { period_days, .. } = review else { unreachable!("periodic() is periodic") };
            Box::new(ForecastOrderUpTo::new(method, z, period_days, ctx.lead_time_days, &ctx.mean_daily_demand))
        }
        ReplenishmentSpec::Fallback { primary, fallback, stale_after_hours } => {
            let part = |field: &'static str, spec: &ReplenishmentSpec| {
                if matches!(spec, ReplenishmentSpec::Fallback { .. }) {
                    return Err(SpecError { field, message: "a Fallback cannot contain another Fallback".into() });
                }
                build_replenishment(spec, ctx)
                    .map_err(|e| SpecError { field, message: format!("{}: {}", e.field, e.message) })
            };
            let (primary, fallback) = (part("primary", primary)?, part("fallback", fallback)?);
            let stale_after = stale_after_hours.map(staleness_limit).transpose()?;
            if !primary.capabilities().needs_forecast && stale_after.is_none() {
                return Err(SpecError {
                    field: "primary",
                    message: "needs no forecast and no `stale_after_hours` is given, so the fallback would \
                              never take over; use a forecast-driven primary such as ForecastOrderUpTo, or \
                              give stale_after_hours"
                        .into(),
                });
            }
            Box::new(Fallback::new(primary, fallback, stale_after))
        }
        ReplenishmentSpec::ReorderPointQuantity { reorder_point, order_quantity, review, batching } => {
            let r = resolve(reorder_point, "reorder_point", ctx)?;
            let q = resolve(order_quantity, "order_quantity", ctx)?;
            at_least(&q, 1, "order_quantity", ctx)?;
            let review = match review {
                ReviewSpec::Periodic(days) => periodic(*days, 0).map_err(|e| SpecError { field: "review", ..e })?,
                ReviewSpec::Continuous => Review::Continuous,
            };
            let batching = match batching {
                BatchingSpec::Single => Batching::Single,
                BatchingSpec::Multiple => Batching::Multiple,
            };
            Box::new(ReorderQuantity::new(review, batching, r, q))
        }
    })
}

/// Builds an allocation rule.
pub fn build_allocation(spec: AllocationSpec) -> Box<dyn Allocation> {
    match spec {
        AllocationSpec::Fcfs => Box::new(Fcfs),
        AllocationSpec::FairShare => Box::new(FairShare),
        AllocationSpec::StrictPriority => Box::new(StrictPriority),
        AllocationSpec::MarginWeighted => Box::new(MarginWeighted),
        AllocationSpec::SlaRisk => Box::new(SlaRisk),
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
            let _ = build_allocation(spec);
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
        assert_eq!((err.field, err.message.as_str()), ("fallback", "a Fallback cannot contain another Fallback"));
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
}
