//! Forecast-driven order-up-to with a dynamic safety stock.
//!
//! **Rule.** Every day end the node's forecasts learn the day's demand per
//! SKU (its customers' plus the orders of the nodes it feeds; see
//! [`crate::forecast`]). At each review, every `R` days, with the protection
//! interval `P = L + R` days (`L` the mean lead time of the node's primary
//! lane: an order released at the end of day `t` serves from day `t + L + 1`
//! and the next order arrives `R` days later):
//!
//! * safety stock `SS = z · σ · √P`, with `z` the standard normal quantile of
//!   the service target (statrs) and `σ` the SKU's one-day forecast-error
//!   standard deviation;
//! * order-up-to level `S = ⌈forecast over P days + SS⌉`;
//!
//! and the order is `S − IP` when `IP < S`. The reorder point is `S − 1`,
//! as of the last review. While the forecast service is out (a
//! `ForecastOutage` event) the forecasts learn nothing and the levels stay
//! as last computed; wrap the policy in a `Fallback` to decide otherwise. A run starts with on-hand `⌈μ·P + z·√μ·√P⌉` for
//! the SKU's mean daily demand `μ` (the forecasts' starting point).

use super::OrderUpTo;
use crate::forecast::{Forecasts, Method};
use echelon_sim::strategy::{Capabilities, NodeView, Replenishment, Review};

/// The forecast-driven order-up-to policy of one node.
#[derive(Debug, Clone)]
pub struct ForecastOrderUpTo {
    forecasts: Forecasts,
    /// Standard normal quantile of the service target.
    z: f64,
    /// Protection interval `L + R`, days.
    protection_days: f64,
    /// The order-up-to rule at the current levels.
    levels: OrderUpTo,
}

impl ForecastOrderUpTo {
    /// A policy reviewing every `review_period_days` (≥ 1) with quantile `z`,
    /// lead time `lead_time_days` and SKUs of mean daily demand `means`.
    pub fn new(method: Method, z: f64, review_period_days: u32, lead_time_days: f64, means: &[f64]) -> Self {
        let protection_days = lead_time_days + f64::from(review_period_days);
        let forecasts = Forecasts::new(method, means);
        let initial = (0..means.len()).map(|sku| level(&forecasts, z, protection_days, sku)).collect();
        let review = Review::Periodic { period_days: review_period_days, offset_days: 0 };
        Self { forecasts, z, protection_days, levels: OrderUpTo::new(review, initial) }
    }

    /// Recomputes `sku`'s level from today's forecast.
    #[inline]
    fn refresh_level(&mut self, sku: usize) {
        self.levels.set_level(sku, level(&self.forecasts, self.z, self.protection_days, sku));
    }

    /// The current order-up-to level of `sku`.
    pub fn order_up_to(&self, sku: usize) -> i64 {
        self.levels.level(sku)
    }
}

/// `S = ⌈forecast over P + z·σ·√P⌉` for one SKU, from today's forecast.
#[inline]
fn level(forecasts: &Forecasts, z: f64, protection_days: f64, sku: usize) -> i64 {
    let safety_stock = z * forecasts.error_sd(sku) * protection_days.sqrt();
    (forecasts.over(sku, protection_days) + safety_stock).ceil().max(0.0) as i64
}

impl Replenishment for ForecastOrderUpTo {
    fn review(&self) -> Review {
        self.levels.review()
    }

    fn reorder_points(&self) -> &[i64] {
        self.levels.reorder_points()
    }

    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.levels.initial_on_hand(sku)
    }

    #[inline]
    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64 {
        self.levels.order_quantity(sku, inventory_position)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::NONE.with_observes_demand().with_needs_forecast()
    }

    fn forecasts(&self) -> Option<&[f64]> {
        Some(self.forecasts.next_days())
    }

    fn observe(&mut self, view: &NodeView<'_>) {
        if !view.forecast_available {
            return;
        }
        for (sku, &units) in view.demand.iter().enumerate() {
            self.forecasts.observe(sku, units as f64);
        }
    }

    fn decide(&mut self, view: &NodeView<'_>, orders: &mut [i64]) {
        for (sku, order) in orders.iter_mut().enumerate() {
            if view.forecast_available {
                self.refresh_level(sku);
            }
            *order = self.order_quantity(sku, view.inventory_position(sku));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view<'a>(demand: &'a [i64], stock: &'a [i64], zeros: &'a [i64]) -> NodeView<'a> {
        NodeView {
            day: 0,
            on_hand: stock,
            backorders: zeros,
            owed: zeros,
            on_order: zeros,
            echelon_position: stock,
            demand,
            forecast_available: true,
            data_delay: 0,
        }
    }

    #[test]
    fn level_is_forecast_over_the_protection_interval_plus_safety_stock() {
        // μ = 10, SES α = 0.2, z = 1.5, L = 2 days, R = 1: P = 3.
        // Start: σ = √10; S = ⌈30 + 1.5·√10·√3⌉ = ⌈38.2158…⌉ = 39.
        let mut p = ForecastOrderUpTo::new(Method::Ses { alpha: 0.2 }, 1.5, 1, 2.0, &[10.0]);
        assert_eq!(p.initial_on_hand(0), 39);
        // Demand 14: ℓ = 10.8, v = 10.6 (see the forecast tests).
        // S = ⌈32.4 + 1.5·√10.6·√3⌉ = ⌈32.4 + 8.4586…⌉ = 41; IP 25 → order 16.
        let zeros = [0];
        p.observe(&view(&[14], &[25], &zeros));
        let mut orders = [0];
        p.decide(&view(&[14], &[25], &zeros), &mut orders);
        assert_eq!(p.order_up_to(0), 41);
        assert_eq!(orders, [16]);
        assert_eq!(p.reorder_points(), &[40]);
    }

    #[test]
    fn levels_freeze_while_the_forecast_is_out() {
        let mut p = ForecastOrderUpTo::new(Method::Ses { alpha: 0.5 }, 1.5, 1, 2.0, &[10.0]);
        let zeros = [0];
        let mut out = view(&[40], &[0], &zeros);
        out.forecast_available = false;
        p.observe(&out);
        let mut orders = [0];
        p.decide(&out, &mut orders);
        // Nothing learnt, level unchanged: S = 39 as at the start.
        assert_eq!(p.order_up_to(0), 39);
        assert_eq!(orders, [39]);
    }

    #[test]
    fn no_order_when_the_position_covers_the_level() {
        let mut p = ForecastOrderUpTo::new(Method::Ses { alpha: 0.2 }, 1.5, 1, 2.0, &[10.0]);
        let zeros = [0];
        let mut orders = [7];
        p.decide(&view(&[0], &[60], &zeros), &mut orders);
        assert_eq!(orders, [0]);
    }
}
