//! The numeric parameters of a replenishment spec, by name: what
//! `echelon tune` may search over.
//!
//! Two kinds:
//! * **levels** ([`Level`]: reorder point, order-up-to, Q, base stock) —
//!   whole units per SKU at a node, so they can be tuned per SKU-location;
//! * **numbers** (service target, smoothing constants) — one value per
//!   strategy at a node.
//!
//! A `Fallback`'s parameters are prefixed by the part they belong to
//! (`primary.order_up_to`, `fallback.reorder_point`); a forecast's smoothing
//! constants are `forecast.alpha` and `forecast.beta`.

use crate::level::Level;
use crate::registry::{ForecastSpec, ReplenishmentSpec};

/// The level parameters of `spec`, by name, in declaration order.
pub fn level_names(spec: &ReplenishmentSpec) -> Vec<String> {
    let mut copy = spec.clone();
    levels_mut(&mut copy).into_iter().map(|(name, _)| name).collect()
}

/// The number parameters of `spec`, by name, with their values.
pub fn numbers(spec: &ReplenishmentSpec) -> Vec<(String, f64)> {
    let mut copy = spec.clone();
    numbers_mut(&mut copy).into_iter().map(|(name, value)| (name, *value)).collect()
}

/// The level parameter `name` of `spec`.
pub fn level_mut<'a>(spec: &'a mut ReplenishmentSpec, name: &str) -> Option<&'a mut Level> {
    levels_mut(spec).into_iter().find(|(n, _)| n == name).map(|(_, level)| level)
}

/// The number parameter `name` of `spec`.
pub fn number_mut<'a>(spec: &'a mut ReplenishmentSpec, name: &str) -> Option<&'a mut f64> {
    numbers_mut(spec).into_iter().find(|(n, _)| n == name).map(|(_, value)| value)
}

/// Every level parameter of `spec`, mutably, by name.
pub fn levels_mut(spec: &mut ReplenishmentSpec) -> Vec<(String, &mut Level)> {
    match spec {
        ReplenishmentSpec::BaseStock { order_up_to }
        | ReplenishmentSpec::PeriodicReview { order_up_to, .. }
        | ReplenishmentSpec::EchelonBaseStock { order_up_to } => vec![("order_up_to".into(), order_up_to)],
        ReplenishmentSpec::MinMax { reorder_point, order_up_to, .. } => {
            vec![("reorder_point".into(), reorder_point), ("order_up_to".into(), order_up_to)]
        }
        ReplenishmentSpec::ReorderPointQuantity { reorder_point, order_quantity, .. } => {
            vec![("reorder_point".into(), reorder_point), ("order_quantity".into(), order_quantity)]
        }
        ReplenishmentSpec::OneForOne { base_stock } => vec![("base_stock".into(), base_stock)],
        // A plugged-in strategy's parameters are its own: not tunable here.
        ReplenishmentSpec::ForecastOrderUpTo { .. } | ReplenishmentSpec::Custom { .. } => Vec::new(),
        ReplenishmentSpec::Fallback { primary, fallback, .. } => {
            let mut all: Vec<(String, &mut Level)> =
                levels_mut(primary).into_iter().map(|(n, l)| (format!("primary.{n}"), l)).collect();
            all.extend(levels_mut(fallback).into_iter().map(|(n, l)| (format!("fallback.{n}"), l)));
            all
        }
    }
}

/// Every number parameter of `spec`, mutably, by name.
pub fn numbers_mut(spec: &mut ReplenishmentSpec) -> Vec<(String, &mut f64)> {
    match spec {
        ReplenishmentSpec::ForecastOrderUpTo { forecast, service_target, .. } => {
            let mut all = vec![("service_target".to_string(), service_target)];
            match forecast {
                ForecastSpec::Ses { alpha } | ForecastSpec::Croston { alpha } | ForecastSpec::Sba { alpha } => {
                    all.push(("forecast.alpha".into(), alpha));
                }
                ForecastSpec::Holt { alpha, beta } => {
                    all.push(("forecast.alpha".into(), alpha));
                    all.push(("forecast.beta".into(), beta));
                }
            }
            all
        }
        ReplenishmentSpec::Fallback { primary, fallback, .. } => {
            let mut all: Vec<(String, &mut f64)> =
                numbers_mut(primary).into_iter().map(|(n, v)| (format!("primary.{n}"), v)).collect();
            all.extend(numbers_mut(fallback).into_iter().map(|(n, v)| (format!("fallback.{n}"), v)));
            all
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{BatchingSpec, ReviewSpec};

    #[test]
    fn parameters_are_named_as_in_scenario_files() {
        let min_max = ReplenishmentSpec::MinMax {
            reorder_point: Level::Units(3),
            order_up_to: Level::Units(9),
            review_period_days: 1,
        };
        assert_eq!(level_names(&min_max), ["reorder_point", "order_up_to"]);
        let rq = ReplenishmentSpec::ReorderPointQuantity {
            reorder_point: Level::Units(3),
            order_quantity: Level::Units(9),
            review: ReviewSpec::Continuous,
            batching: BatchingSpec::Single,
        };
        assert_eq!(level_names(&rq), ["reorder_point", "order_quantity"]);
        let mut fallback = ReplenishmentSpec::Fallback {
            primary: Box::new(ReplenishmentSpec::ForecastOrderUpTo {
                forecast: ForecastSpec::Holt { alpha: 0.2, beta: 0.1 },
                service_target: 0.9,
                review_period_days: 1,
            }),
            fallback: Box::new(min_max),
            stale_after_hours: None,
        };
        assert_eq!(level_names(&fallback), ["fallback.reorder_point", "fallback.order_up_to"]);
        let names: Vec<String> = numbers(&fallback).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["primary.service_target", "primary.forecast.alpha", "primary.forecast.beta"]);
        *number_mut(&mut fallback, "primary.service_target").unwrap() = 0.95;
        assert_eq!(numbers(&fallback)[0].1, 0.95);
        *level_mut(&mut fallback, "fallback.order_up_to").unwrap() = Level::Units(11);
        let ReplenishmentSpec::Fallback { fallback: f, .. } = &fallback else { unreachable!() };
        assert!(matches!(**f, ReplenishmentSpec::MinMax { order_up_to: Level::Units(11), .. }));
    }
}
