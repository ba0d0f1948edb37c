//! A precision target: add replications until every named metric's 95%
//! interval is narrow enough (`run --precision METRIC=HALF_WIDTH`).
//!
//! # Contract
//!
//! A sequential procedure in deterministic batches. After a batch of `n`
//! replications, every (sweep point, strategy) of the study has, for each
//! target metric, a 95% half-width `h` (undefined below two replications).
//! When every `h` is at most its target, the study is done. Otherwise the
//! next total is the replications the widest interval would need if its
//! spread stayed as estimated, `⌈n · (h ÷ target)²⌉`, at least `n + 1`, at
//! most `2n` (a noisy early estimate cannot overshoot by more than one
//! doubling; undefined half-widths double `n`, and one replication becomes
//! two), and at most the limit. The runs already finished are kept: a
//! replication's random streams depend only on (seed, replication), so
//! replications 0..n are the same whatever the final count.
//!
//! The decision reads only the deterministic results, so the final count —
//! and every result file — is the same for any thread count. It needs every
//! run of a batch, so it cannot be combined with `--shard`.

use echelon_reports::summary::PointStats;
use echelon_sim::metrics::{METRICS, metric_index};

/// One target: metric `metric`'s 95% half-width at most `half_width`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Index in [`METRICS`].
    pub metric: usize,
    /// Largest acceptable half-width, in the metric's unit.
    pub half_width: f64,
}

impl Target {
    /// Parses `METRIC=HALF_WIDTH`, e.g. `fill_rate=0.002`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| format!("--precision {text}: expected METRIC=HALF_WIDTH, e.g. fill_rate=0.002"))?;
        let metric = metric_index(key.trim()).ok_or_else(|| {
            let nearest = METRICS.iter().map(|m| m.key).min_by_key(|k| strsim::levenshtein(k, key.trim()));
            format!(
                "--precision {text}: no metric \"{}\"; did you mean {}?",
                key.trim(),
                nearest.unwrap_or("fill_rate")
            )
        })?;
        let half_width: f64 =
            value.trim().parse().ok().filter(|h: &f64| h.is_finite() && *h > 0.0).ok_or_else(|| {
                format!("--precision {text}: the half-width must be a number > 0, got {:?}", value.trim())
            })?;
        Ok(Self { metric, half_width })
    }
}

/// What the procedure does after a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Every target is met.
    Reached,
    /// Run up to this many replications in all.
    More(u32),
    /// The limit is reached and some target is not: the widest interval,
    /// as (metric key, strategy, half-width, target).
    Limit(&'static str, String, f64, f64),
}

/// The widest interval relative to its target: (ratio h ÷ target — infinite
/// when undefined —, metric, strategy, h, target).
fn widest(targets: &[Target], stats: &[PointStats]) -> Option<(f64, usize, String, f64, f64)> {
    let mut worst: Option<(f64, usize, String, f64, f64)> = None;
    for point in stats {
        for s in &point.strategies {
            for t in targets {
                let h = s.metrics[t.metric].half_width();
                if s.metrics[t.metric].mean.is_nan() {
                    continue; // undefined everywhere (e.g. no expedites): no interval to narrow
                }
                let ratio = if h.is_nan() { f64::INFINITY } else { h / t.half_width };
                if worst.as_ref().is_none_or(|w| ratio > w.0) {
                    worst = Some((ratio, t.metric, s.name.clone(), h, t.half_width));
                }
            }
        }
    }
    worst
}

/// Decimals that show a half-width beside `target` with two significant
/// digits to spare (at least 4): `0.0001` → 6, so 0.000104 never prints
/// as the target itself.
pub fn digits_beyond(target: f64) -> usize {
    let leading = if target > 0.0 { (-target.log10()).ceil().max(0.0) as usize } else { 0 };
    (leading + 2).max(4)
}

/// The step after a batch of `n` replications whose statistics are
/// `stats`, with at most `limit` replications in all.
pub fn next(targets: &[Target], stats: &[PointStats], n: u32, limit: u32) -> Next {
    let Some((ratio, metric, strategy, h, target)) = widest(targets, stats) else { return Next::Reached };
    if ratio <= 1.0 {
        return Next::Reached;
    }
    if n >= limit {
        return Next::Limit(METRICS[metric].key, strategy, h, target);
    }
    let needed = (f64::from(n) * ratio * ratio).ceil();
    let wanted = if needed.is_finite() { needed.min(f64::from(u32::MAX)) as u32 } else { u32::MAX };
    Next::More(wanted.max(n + 1).min(n.saturating_mul(2).max(2)).min(limit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use echelon_reports::stats::Estimate;

    #[test]
    fn a_half_width_above_its_target_never_prints_as_the_target() {
        let shown = |h: f64, target: f64| format!("{h:.digits$}", digits = digits_beyond(target));
        assert_eq!(shown(0.000104, 0.0001), "0.000104");
        assert_eq!(shown(0.0123, 0.01), "0.0123");
        assert_eq!(shown(2.5, 1.0), "2.5000");
    }
    use echelon_reports::summary::StrategyStats;

    fn stats(half: f64, n: usize) -> Vec<PointStats> {
        let e = Estimate { mean: 0.9, sd: 0.0, ci95: [0.9 - half, 0.9 + half], n, df: n as f64 - 1.0 };
        let strategy = StrategyStats {
            name: "s".into(),
            metrics: vec![e; METRICS.len()],
            nodes: vec![],
            events: vec![],
            classes: vec![],
            lanes: vec![],
            random_outages: vec![],
            abc: vec![],
        };
        vec![PointStats { params: vec![], strategies: vec![strategy], comparisons: vec![] }]
    }

    #[test]
    fn batches_grow_by_the_squared_ratio_at_most_doubling() {
        let t = [Target::parse("fill_rate=0.01").unwrap()];
        assert_eq!(next(&t, &stats(0.009, 10), 10, 1000), Next::Reached);
        // (0.012 / 0.01)² · 10 = 14.4 → 15.
        assert_eq!(next(&t, &stats(0.012, 10), 10, 1000), Next::More(15));
        // 9 × would be 90: one doubling at most.
        assert_eq!(next(&t, &stats(0.03, 10), 10, 1000), Next::More(20));
        assert_eq!(next(&t, &stats(0.03, 10), 10, 16), Next::More(16));
        assert!(matches!(next(&t, &stats(0.03, 16), 16, 16), Next::Limit("fill_rate", _, _, _)));
        // One replication has no interval: two.
        assert_eq!(next(&t, &stats(f64::NAN, 1), 1, 1000), Next::More(2));
    }

    #[test]
    fn targets_parse_with_located_errors() {
        assert_eq!(Target::parse("total_cost = 2.5").unwrap().half_width, 2.5);
        assert!(Target::parse("fill_rat=0.1").unwrap_err().contains("did you mean fill_rate?"));
        assert!(Target::parse("fill_rate=-1").unwrap_err().contains("> 0"));
        assert!(Target::parse("fill_rate").unwrap_err().contains("METRIC=HALF_WIDTH"));
    }
}
