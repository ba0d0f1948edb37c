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
//! * `Table(file: "levels.csv", parameter: "reorder_point")` — one value per
//!   (location, SKU) read from a CSV table (what `echelon tune` writes as
//!   `levels.csv`, or what a planner exports from an ERP): columns
//!   `location`, `sku`, `value`, and optionally `strategy` and `parameter`,
//!   which select the rows when present (`strategy:` in the level is
//!   optional). The scenario loader reads the file (relative to the scenario
//!   file) into [`LevelTable`]; every SKU stocked at the node must have a row.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The rows of a `Table` level, by (location id, SKU id), as the scenario
/// loader read them.
pub type LevelTable = Arc<BTreeMap<(String, String), i64>>;

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
    /// One value per (location, SKU), from a CSV table.
    Table {
        /// CSV file, relative to the scenario file.
        file: String,
        /// Rows whose `parameter` column (when the table has one) is this.
        parameter: String,
        /// Rows whose `strategy` column (when the table has one) is this
        /// (default: any).
        #[serde(default)]
        strategy: Option<String>,
        /// The rows, filled in by the scenario loader.
        #[serde(skip)]
        values: Option<LevelTable>,
    },
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
            Self::Table { file, parameter, values, .. } => {
                let Some(values) = values else {
                    return Err(format!(
                        "the table \"{file}\" has not been read (scenarios loaded from a file read it)"
                    ));
                };
                ctx.sku_ids
                    .iter()
                    .map(|id| {
                        values.get(&(ctx.node.to_string(), id.to_string())).copied().ok_or_else(|| {
                            format!(
                                "the table \"{file}\" has no {parameter} row for location \"{}\", SKU \"{id}\"",
                                ctx.node
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?
            }
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
    fn a_table_level_resolves_by_location_and_sku() {
        let rows = [(("WH".to_string(), "a".to_string()), 3), (("WH".to_string(), "b".to_string()), 9)];
        let table = |values: Option<LevelTable>| Level::Table {
            file: "levels.csv".into(),
            parameter: "reorder_point".into(),
            strategy: None,
            values,
        };
        assert_eq!(table(Some(Arc::new(rows.clone().into()))).resolve(&ctx()).unwrap(), vec![3, 9]);
        let missing = table(Some(Arc::new([rows[0].clone()].into()))).resolve(&ctx()).unwrap_err();
        assert!(missing.contains("location \"WH\", SKU \"b\""), "{missing}");
        assert!(table(None).resolve(&ctx()).unwrap_err().contains("not been read"));
    }

    #[test]
    fn missing_sku_and_overflow_are_errors() {
        let per = Level::PerSku([("a".to_string(), 1)].into());
        assert!(per.resolve(&ctx()).unwrap_err().contains("\"b\""));
        assert!(Level::Units(i64::MAX).resolve(&ctx()).unwrap_err().contains("too large"));
        assert!(Level::DaysOfCover(f64::NAN).resolve(&ctx()).is_err());
    }
}
