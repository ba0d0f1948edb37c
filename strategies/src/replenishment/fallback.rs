//! Fallback: a primary policy, and another that decides while the
//! primary's input is unavailable.
//!
//! **Rule.** Every day end, before the review, the combinator checks the
//! primary's input: a primary that needs the forecast service is
//! *unavailable* on a day the service is out at the node. On such a day
//! the fallback decides (its review schedule, reorder points and order
//! quantities); on every other day the primary does. The switch happens on
//! the first day of the outage and back on the first day after it. Both
//! policies observe every day's demand, so each is current when it takes
//! over (the primary's forecasts skip the outage days: the service that
//! would learn them is down). The run starts on the primary and with its
//! initial stock.

use echelon_sim::strategy::{NodeView, Replenishment, Review};

/// A primary policy with a fallback.
pub struct Fallback {
    primary: Box<dyn Replenishment>,
    fallback: Box<dyn Replenishment>,
    on_fallback: bool,
}

impl Fallback {
    /// Combines `primary` and `fallback`.
    pub fn new(primary: Box<dyn Replenishment>, fallback: Box<dyn Replenishment>) -> Self {
        Self { primary, fallback, on_fallback: false }
    }

    fn active(&self) -> &dyn Replenishment {
        if self.on_fallback { &*self.fallback } else { &*self.primary }
    }
}

impl Replenishment for Fallback {
    fn review(&self) -> Review {
        self.active().review()
    }

    fn reorder_points(&self) -> &[i64] {
        self.active().reorder_points()
    }

    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.primary.initial_on_hand(sku)
    }

    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64 {
        self.active().order_quantity(sku, inventory_position)
    }

    fn observes_demand(&self) -> bool {
        true
    }

    fn observe(&mut self, view: &NodeView<'_>) {
        self.on_fallback = self.primary.needs_forecast() && !view.forecast_available;
        if self.primary.observes_demand() {
            self.primary.observe(view);
        }
        if self.fallback.observes_demand() {
            self.fallback.observe(view);
        }
    }

    fn on_fallback(&self) -> bool {
        self.on_fallback
    }

    fn uses_echelon_position(&self) -> bool {
        self.active().uses_echelon_position()
    }

    fn decide(&mut self, view: &NodeView<'_>, orders: &mut [i64]) {
        if self.on_fallback { self.fallback.decide(view, orders) } else { self.primary.decide(view, orders) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::Method;
    use crate::replenishment::{ForecastOrderUpTo, MinMax};

    fn view(forecast_available: bool) -> NodeView<'static> {
        NodeView {
            day: 0,
            on_hand: &[5],
            backorders: &[0],
            owed: &[0],
            on_order: &[0],
            echelon_position: &[5],
            demand: &[10],
            forecast_available,
        }
    }

    #[test]
    fn the_fallback_decides_exactly_while_the_forecast_is_out() {
        // Primary: forecast order-up-to, S = 39 at the start (μ = 10, z = 1.5,
        // L = 2, R = 1); fallback: (s,S) = (8, 30).
        let primary = ForecastOrderUpTo::new(Method::Ses { alpha: 0.2 }, 1.5, 1, 2.0, &[10.0]);
        let daily = Review::Periodic { period_days: 1, offset_days: 0 };
        let fallback = MinMax::new(daily, vec![8], vec![30]);
        let mut policy = Fallback::new(Box::new(primary), Box::new(fallback));
        let mut orders = [0];
        let mut day = |available: bool| {
            policy.observe(&view(available));
            policy.decide(&view(available), &mut orders);
            (policy.on_fallback(), orders[0])
        };
        // Forecast up: the primary learns a 10 (error 0: σ² 10 → 9) and
        // orders S − 5 with S = ⌈30 + 1.5·3·√3⌉ = 38.
        assert_eq!(day(true), (false, 33));
        // Out: the fallback's (8, 30) at IP 5 orders 25.
        assert_eq!(day(false), (true, 25));
        assert_eq!(day(false), (true, 25));
        // Restored: back to the primary (σ² 9 → 8.1: S = ⌈37.39…⌉ = 38).
        assert_eq!(day(true), (false, 33));
    }

    #[test]
    fn a_primary_without_a_forecast_never_falls_back() {
        let daily = Review::Periodic { period_days: 1, offset_days: 0 };
        let mut policy = Fallback::new(
            Box::new(MinMax::new(daily, vec![8], vec![30])),
            Box::new(MinMax::new(daily, vec![1], vec![2])),
        );
        policy.observe(&view(false));
        assert!(!policy.on_fallback());
    }
}
