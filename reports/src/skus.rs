//! The per-SKU view of a study that keeps per-SKU results
//! (`scorecard: (per_sku: true)`): the SKU-locations with the most units
//! short.
//!
//! # Contract
//!
//! A SKU-location's units short per day in one run are
//! `demand_mean × (1 − fill_rate)` of its [`SKU_METRICS`] row (`skus.csv`),
//! and 0 when it saw no demand (its fill rate is undefined). For one
//! strategy at one sweep point, [`most_short`] ranks the study's
//! SKU-locations by the mean of that figure over the point's replications,
//! largest first, ties in the study's SKU-location order, and returns the
//! first `n` with the replication statistics of their units short, fill
//! rate and demand. Nothing when the study keeps no per-SKU results.

use crate::record::{RunRecord, StudyInfo};
use crate::stats::Estimate;
use echelon_sim::metrics::{SKU_METRICS, SkuValues};

/// One SKU-location of the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortSku {
    /// Index into [`StudyInfo::skus`].
    pub sku: usize,
    /// Units short per measured day.
    pub units_short: Estimate,
    /// Fill rate.
    pub fill_rate: Estimate,
    /// Units demanded per measured day.
    pub demand: Estimate,
}

/// The position of SKU metric `key` in [`SKU_METRICS`].
fn sku_metric(key: &str) -> usize {
    SKU_METRICS.iter().position(|m| m.key == key).expect("a SKU metric")
}

/// Units short per measured day of one SKU-location in one run (module
/// contract).
pub fn units_short_per_day(values: &SkuValues) -> f64 {
    let (fill, demand) = (values[sku_metric("fill_rate")], values[sku_metric("demand_mean")]);
    if fill.is_nan() { 0.0 } else { demand * (1.0 - fill) }
}

/// The `n` SKU-locations with the most units short of `strategy` at
/// `point` (module contract).
pub fn most_short(info: &StudyInfo, records: &[RunRecord], point: usize, strategy: usize, n: usize) -> Vec<ShortSku> {
    let mut runs: Vec<&RunRecord> =
        records.iter().filter(|r| r.point == point && r.strategy == strategy && !r.skus.is_empty()).collect();
    runs.sort_by_key(|r| r.replication);
    if runs.is_empty() {
        return Vec::new();
    }
    // Every SKU-location has a figure in every run, so ranking by the sum
    // is ranking by the mean; statistics only for the first n.
    let totals: Vec<f64> =
        (0..info.skus.len()).map(|k| runs.iter().map(|r| units_short_per_day(&r.skus[k])).sum()).collect();
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]));
    order
        .into_iter()
        .take(n)
        .map(|k| {
            let of = |f: &dyn Fn(&SkuValues) -> f64| Estimate::of(runs.iter().map(|r| f(&r.skus[k])));
            ShortSku {
                sku: k,
                units_short: of(&units_short_per_day),
                fill_rate: of(&|v| v[sku_metric("fill_rate")]),
                demand: of(&|v| v[sku_metric("demand_mean")]),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use echelon_sim::metrics::METRIC_COUNT;

    fn record(strategy: usize, replication: u32, skus: Vec<SkuValues>) -> RunRecord {
        RunRecord {
            point: 0,
            strategy,
            replication,
            network: [0.0; METRIC_COUNT],
            nodes: Vec::new(),
            events: Vec::new(),
            random_events: Vec::new(),
            classes: Vec::new(),
            lanes: Vec::new(),
            skus,
            abc: Vec::new(),
        }
    }

    /// A SKU row with `fill_rate` and `demand_mean`, the rest 0.
    fn sku(fill: f64, demand: f64) -> SkuValues {
        let mut v = [0.0; SKU_METRICS.len()];
        v[sku_metric("fill_rate")] = fill;
        v[sku_metric("demand_mean")] = demand;
        v
    }

    fn info(skus: usize) -> StudyInfo {
        StudyInfo {
            replications: 2,
            strategies: vec!["a".into(), "b".into()],
            nodes: vec!["wh".into()],
            points: vec![Vec::new()],
            skus: (0..skus).map(|k| ("wh".to_string(), format!("sku-{k}"))).collect(),
            ..StudyInfo::default()
        }
    }

    #[test]
    fn most_short_ranks_by_mean_units_short_with_ties_in_study_order_and_no_demand_as_zero() {
        // Units short per day, replications 0 and 1: sku-0 10×0.5, 12×0.25
        // → mean 4; sku-1 no demand → 0; sku-2 20×0.25, 6×0.5 → 4 (a tie
        // with sku-0, exact in binary); sku-3 8×1, 8×0.5 → 6.
        let records = vec![
            record(0, 1, vec![sku(0.75, 12.0), sku(f64::NAN, 0.0), sku(0.5, 6.0), sku(0.5, 8.0)]),
            record(0, 0, vec![sku(0.5, 10.0), sku(f64::NAN, 0.0), sku(0.75, 20.0), sku(0.0, 8.0)]),
            record(1, 0, vec![sku(1.0, 10.0), sku(1.0, 1.0), sku(1.0, 20.0), sku(1.0, 8.0)]),
        ];
        let top = most_short(&info(4), &records, 0, 0, 3);
        assert_eq!(top.iter().map(|s| s.sku).collect::<Vec<_>>(), [3, 0, 2]);
        let means = |f: fn(&ShortSku) -> f64| top.iter().map(f).collect::<Vec<_>>();
        assert_eq!(means(|s| s.units_short.mean), [6.0, 4.0, 4.0]);
        assert_eq!(means(|s| s.fill_rate.mean), [0.25, 0.625, 0.625]);
        assert_eq!(means(|s| s.demand.mean), [8.0, 11.0, 13.0]);
        assert_eq!(top[0].units_short.n, 2, "both replications of strategy a only");
        assert!(most_short(&info(4), &records, 1, 0, 3).is_empty(), "no runs at point 1");
    }
}
