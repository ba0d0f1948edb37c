//! Stock levels as a scenario states them, resolved per SKU at a node.
//!
//! A policy parameter such as a reorder point or an order-up-to level is
//! written once for a whole node and resolved to one whole-unit value per
//! local SKU when the strategy is built:
//!
//! * `Units(n)` — the same `n` units for every SKU;
//! * `DaysOfCover(d)` — `ceil(d × mean daily demand)` of each SKU at that
//!   node (the mean of its demand model, summed over customer classes, plus
//!   the mean demand of the nodes it feeds);
//! * `PerSku({"sku-id": n, …})` — listed per SKU; every SKU stocked at the
//!   node must be listed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A stock level in a scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Level {
    /// The same number of units for every SKU.
    Units(i64),
    /// Days of mean demand, rounded up to whole units.
    DaysOfCover(f64),
    /// An explicit value per SKU id.
    PerSku(BTreeMap<String, i64>),
}

/// The SKUs of one node as a strategy builder sees them.
#[derive(Debug, Clone)]
pub struct NodeContext<'a> {
    /// Node id.
    pub node: &'a str,
    /// SKU ids in local order.
    pub sku_ids: Vec<&'a str>,
    /// Mean daily demand per local SKU: the node's customers' plus that of
    /// the nodes it feeds.
    pub mean_daily_demand: Vec<f64>,
    /// Mean daily demand of the node's own customers per local SKU.
    pub own_mean_daily_demand: Vec<f64>,
    /// Mean lead time of the node's primary lane, days.
    pub lead_time_days: f64,
}

/// The largest level a policy may hold (units).
pub const MAX_LEVEL: i64 = 1_000_000_000_000;

impl Level {
    /// Resolves the level to one value per local SKU of `ctx`.
    pub fn resolve(&self, ctx: &NodeContext<'_>) -> Result<Vec<i64>, String> {
        let values = match self {
            Self::Units(n) => vec![*n; ctx.sku_ids.len()],
            Self::DaysOfCover(days) => {
                if !days.is_finite() || *days < 0.0 {
                    return Err(format!("DaysOfCover must be a finite number ≥ 0, got {days}"));
                }
                ctx.mean_daily_demand.iter().map(|m| (days * m - 1e-9).ceil().max(0.0) as i64).collect()
            }
            Self::PerSku(map) => ctx
                .sku_ids
                .iter()
                .map(|id| {
                    map.get(*id).copied().ok_or_else(|| {
                        format!("PerSku lists no value for SKU \"{id}\" stocked at node \"{}\"", ctx.node)
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        match values.iter().find(|v| v.abs() > MAX_LEVEL) {
            Some(v) => Err(format!("{v} units is too large (at most {MAX_LEVEL}); it would overflow unit arithmetic")),
            None => Ok(values),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> NodeContext<'static> {
        NodeContext {
            node: "WH",
            sku_ids: vec!["a", "b"],
            mean_daily_demand: vec![4.0, 2.5],
            own_mean_daily_demand: vec![4.0, 2.5],
            lead_time_days: 1.0,
        }
    }

    #[test]
    fn levels_resolve_per_sku() {
        assert_eq!(Level::Units(7).resolve(&ctx()).unwrap(), vec![7, 7]);
        assert_eq!(Level::DaysOfCover(3.0).resolve(&ctx()).unwrap(), vec![12, 8]);
        let per = Level::PerSku([("a".to_string(), 1), ("b".to_string(), 2)].into());
        assert_eq!(per.resolve(&ctx()).unwrap(), vec![1, 2]);
    }

    #[test]
    fn missing_sku_and_overflow_are_errors() {
        let per = Level::PerSku([("a".to_string(), 1)].into());
        assert!(per.resolve(&ctx()).unwrap_err().contains("\"b\""));
        assert!(Level::Units(i64::MAX).resolve(&ctx()).unwrap_err().contains("too large"));
        assert!(Level::DaysOfCover(f64::NAN).resolve(&ctx()).is_err());
    }
}
