//! Two strategies that are not in Echelon's catalogue, and the registry
//! that plugs them in:
//!
//! * [`DynamicMinMax`] (replenishment, `"dynamic-min-max"`): (s,S) whose
//!   levels follow a moving average of the demand the node sees;
//! * [`ProtectTopTiers`] (allocation, `"protect-top-tiers"`): the top
//!   tiers first, the rest in proportion to what they ask.
//!
//! A scenario names them as `Custom(name: "dynamic-min-max", params: {…})`.

use echelon::sim::strategy::{Allocation, Capabilities, Claim, NodeView, Replenishment, Review};
use echelon::sim::time::Minute;
use echelon::strategies::level::NodeContext;
use echelon::strategies::registry::{Params, Registry, SpecError};
use serde::Deserialize;

/// Echelon's bundled strategies plus this crate's two.
pub fn registry() -> Registry {
    let mut registry = Registry::bundled();
    registry
        .register_replenishment(
            "dynamic-min-max",
            "(s,S) with s = ⌈min_days·d⌉, S = ⌈max_days·d⌉, d the mean daily demand of the last window_days days\n\
             e.g. Custom(name: \"dynamic-min-max\", params: {\"window_days\": 28, \"min_days\": 6.0, \"max_days\": 12.0})",
            DynamicMinMax::from_params,
        )
        .register_allocation(
            "protect-top-tiers",
            "claims of tier ≤ top_tiers first (in arrival order), the rest in proportion to their units\n\
             e.g. Custom(name: \"protect-top-tiers\", params: {\"top_tiers\": 1})",
            ProtectTopTiers::from_params,
        );
    registry
}

/// Dynamic (s,S): every day end the node's demand of the day enters a
/// moving window of `window_days` days per SKU; the mean `d` of the window
/// (before it is full, the days not yet seen count at the scenario's mean
/// demand) sets `s = ⌈min_days·d⌉` and `S = max(s + 1, ⌈max_days·d⌉)`.
/// At each daily review: when the inventory position is ≤ s, order up to S.
/// A run starts with S on hand.
#[derive(Debug, Clone)]
pub struct DynamicMinMax {
    window: usize,
    min_days: f64,
    max_days: f64,
    /// The planning mean per SKU, standing in for the days not yet seen.
    prior: Vec<f64>,
    /// `window` days × SKUs of demand, a ring.
    history: Vec<i64>,
    sums: Vec<i64>,
    seen: usize,
    next: usize,
    s: Vec<i64>,
    big_s: Vec<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DynamicParams {
    window_days: u32,
    min_days: f64,
    max_days: f64,
}

impl DynamicMinMax {
    /// The policy for one node with `window_days` of memory.
    pub fn new(window_days: usize, min_days: f64, max_days: f64, mean_daily_demand: &[f64]) -> Self {
        let skus = mean_daily_demand.len();
        let mut policy = Self {
            window: window_days,
            min_days,
            max_days,
            prior: mean_daily_demand.to_vec(),
            history: vec![0; window_days * skus],
            sums: vec![0; skus],
            seen: 0,
            next: 0,
            s: vec![0; skus],
            big_s: vec![0; skus],
        };
        policy.set_levels();
        policy
    }

    /// Validates the scenario's `params` for one node.
    pub fn from_params(ctx: &NodeContext<'_>, params: &Params) -> Result<Self, SpecError> {
        let p: DynamicParams = params.deserialize()?;
        if !(1..=365).contains(&p.window_days) {
            return Err(SpecError::new("window_days", format!("must be 1 to 365 days, got {}", p.window_days)));
        }
        if !(p.min_days.is_finite() && p.min_days >= 0.0) {
            return Err(SpecError::new("min_days", format!("must be a number of days ≥ 0, got {}", p.min_days)));
        }
        if !(p.max_days.is_finite() && p.max_days > p.min_days && p.max_days <= 365.0) {
            return Err(SpecError::new(
                "max_days",
                format!("must exceed min_days = {} and be at most 365, got {}", p.min_days, p.max_days),
            ));
        }
        Ok(Self::new(p.window_days as usize, p.min_days, p.max_days, &ctx.mean_daily_demand))
    }

    /// The mean daily demand of SKU `sku` the levels follow.
    pub fn mean(&self, sku: usize) -> f64 {
        let unseen = (self.window - self.seen) as f64;
        (self.sums[sku] as f64 + unseen * self.prior[sku]) / self.window as f64
    }

    fn set_levels(&mut self) {
        for sku in 0..self.s.len() {
            let d = self.mean(sku);
            self.s[sku] = (self.min_days * d).ceil() as i64;
            self.big_s[sku] = ((self.max_days * d).ceil() as i64).max(self.s[sku] + 1);
        }
    }
}

impl Replenishment for DynamicMinMax {
    fn review(&self) -> Review {
        Review::Periodic { period_days: 1, offset_days: 0 }
    }

    fn reorder_points(&self) -> &[i64] {
        &self.s
    }

    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.big_s[sku]
    }

    #[inline]
    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64 {
        if inventory_position <= self.s[sku] { self.big_s[sku] - inventory_position } else { 0 }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::NONE.with_observes_demand()
    }

    fn observe(&mut self, view: &NodeView<'_>) {
        let skus = self.sums.len();
        let slot = &mut self.history[self.next * skus..(self.next + 1) * skus];
        for (sku, (old, &new)) in slot.iter_mut().zip(view.demand).enumerate() {
            self.sums[sku] += new - *old;
            *old = new;
        }
        self.next = (self.next + 1) % self.window;
        self.seen = (self.seen + 1).min(self.window);
        self.set_levels();
    }
}

/// Claims of tier ≤ `top_tiers` are served first, in the order the engine
/// lists them (arrival order), each as far as stock goes; what is left is
/// split among the other claims in proportion to their units (rounded
/// down, the remaining units one at a time in list order). Like every
/// allocation rule it grants `min(available, Σ claims)` in all.
#[derive(Debug, Clone, Copy)]
pub struct ProtectTopTiers {
    top_tiers: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProtectParams {
    top_tiers: u32,
}

impl ProtectTopTiers {
    /// Validates the scenario's `params`.
    pub fn from_params(params: &Params) -> Result<Self, SpecError> {
        let p: ProtectParams = params.deserialize()?;
        if p.top_tiers == 0 {
            return Err(SpecError::new("top_tiers", "tiers start at 1: protect at least tier 1"));
        }
        Ok(Self { top_tiers: p.top_tiers })
    }
}

impl Allocation for ProtectTopTiers {
    fn allocate(&self, _now: Minute, available: i64, claims: &[Claim], grants: &mut [i64]) {
        let mut left = available;
        let mut rest = 0;
        for (claim, grant) in claims.iter().zip(grants.iter_mut()) {
            if claim.tier <= self.top_tiers {
                *grant = claim.units.min(left);
                left -= *grant;
            } else {
                *grant = 0;
                rest += claim.units;
            }
        }
        if rest == 0 || left == 0 {
            return;
        }
        let share = left.min(rest);
        let mut given = 0;
        for (claim, grant) in claims.iter().zip(grants.iter_mut()) {
            if claim.tier > self.top_tiers {
                *grant = (i128::from(share) * i128::from(claim.units) / i128::from(rest)) as i64;
                given += *grant;
            }
        }
        // The units rounding left over, one at a time in list order.
        while given < share {
            for (claim, grant) in claims.iter().zip(grants.iter_mut()) {
                if given < share && claim.tier > self.top_tiers && *grant < claim.units {
                    *grant += 1;
                    given += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view<'a>(demand: &'a [i64], zeros: &'a [i64]) -> NodeView<'a> {
        NodeView {
            day: 0,
            on_hand: zeros,
            backorders: zeros,
            owed: zeros,
            on_order: zeros,
            echelon_position: zeros,
            demand,
            forecast_available: true,
            data_delay: 0,
        }
    }

    /// By hand: window 4 days, prior 5/day, min 2 days, max 4 days. Before
    /// any demand d = 5: s = 10, S = 20. After days of 9 and 13: d =
    /// (9 + 13 + 2·5)/4 = 8: s = 16, S = 32; IP 16 orders 16, IP 17 nothing.
    #[test]
    fn dynamic_min_max_levels_follow_the_moving_average() {
        let mut policy = DynamicMinMax::new(4, 2.0, 4.0, &[5.0]);
        assert_eq!((policy.reorder_points(), policy.initial_on_hand(0)), (&[10][..], 20));
        for demand in [9, 13] {
            policy.observe(&view(&[demand], &[0]));
        }
        assert_eq!(policy.mean(0), 8.0);
        assert_eq!((policy.reorder_points()[0], policy.big_s[0]), (16, 32));
        assert_eq!((policy.order_quantity(0, 16), policy.order_quantity(0, 17)), (16, 0));
        // Four more days of 2 push the first days out: d = 2.
        for _ in 0..4 {
            policy.observe(&view(&[2], &[0]));
        }
        assert_eq!((policy.reorder_points()[0], policy.big_s[0]), (4, 8));
    }

    #[test]
    fn dynamic_min_max_params_are_checked_at_their_field() {
        let ctx = NodeContext {
            node: "wh",
            sku_ids: vec!["a"],
            mean_daily_demand: vec![3.0],
            own_mean_daily_demand: vec![3.0],
            lead_time_days: 2.0,
        };
        let params = |text: &str| text.parse::<Params>().unwrap();
        let field = |text: &str| DynamicMinMax::from_params(&ctx, &params(text)).unwrap_err().field.into_owned();
        assert_eq!(field(r#"{"window_days": 0, "min_days": 1.0, "max_days": 2.0}"#), "window_days");
        assert_eq!(field(r#"{"window_days": 7, "min_days": 3.0, "max_days": 2.0}"#), "max_days");
        assert_eq!(field(r#"{"window_days": 7, "min_days": 1.0}"#), "max_days");
        assert!(
            DynamicMinMax::from_params(&ctx, &params(r#"{"window_days": 7, "min_days": 1.0, "max_days": 2.0}"#))
                .is_ok()
        );
    }

    fn claim(units: i64, tier: u32) -> Claim {
        Claim { units, since: 0, tier, margin: 0.0, due: 0, late_penalty: 0.0 }
    }

    /// By hand: 10 units; tier 1 asks 4, tiers 2 ask 9 and 3: the top tier
    /// gets 4, the 6 left split 9:3 → 4.5 and 1.5 → 4 and 1, and the last
    /// unit to the first with room: 5 and 1.
    #[test]
    fn protect_top_tiers_serves_the_top_tier_first_and_splits_the_rest() {
        let rule = ProtectTopTiers { top_tiers: 1 };
        let claims = [claim(9, 2), claim(4, 1), claim(3, 2)];
        let mut grants = [0; 3];
        rule.allocate(0, 10, &claims, &mut grants);
        assert_eq!(grants, [5, 4, 1]);
        // Too little even for the top tier: all of it goes there.
        rule.allocate(0, 3, &claims, &mut grants);
        assert_eq!(grants, [0, 3, 0]);
        // Every claim is granted min(available, Σ claims) in all.
        for available in 0..=16 {
            rule.allocate(0, available, &claims, &mut grants);
            assert_eq!(grants.iter().sum::<i64>(), available.min(16), "{available}");
        }
    }
}
