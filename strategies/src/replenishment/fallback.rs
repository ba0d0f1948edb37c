//! Fallback: a primary policy, and another that decides while the
//! primary's input is unavailable.
//!
//! **Rule.** Every day end, before the review, the combinator checks the
//! primary's input. It is *unavailable* on a day when the primary needs the
//! forecast service and the service is out at the node, or when the
//! combinator has a staleness limit and the node's stock figures are older
//! than it ([`NodeView::data_delay`] > `stale_after`). On such a day
//! the fallback decides (its review schedule, reorder points and order
//! quantities); on every other day the primary does. The switch happens on
//! the first day of the outage and back on the first day after it. Both
//! policies observe every day's demand, so each is current when it takes
//! over (the primary's forecasts skip the outage days: the service that
//! would learn them is down). The run starts on the primary and with its
//! initial stock.
//!
//! **Capabilities.** The union of its halves' (whatever either may need on
//! the days it decides: a fallback acting on echelon positions gets them
//! kept current even while the primary decides), plus observing demand
//! (the daily check) and falling back; fixed when the combinator is built.

use echelon_sim::strategy::{Capabilities, NodeView, Replenishment, Review};
use echelon_sim::time::Minute;

/// A primary policy with a fallback.
pub struct Fallback {
    primary: Box<dyn Replenishment>,
    fallback: Box<dyn Replenishment>,
    /// Data older than this (minutes) makes the primary's input unavailable.
    stale_after: Option<Minute>,
    /// The halves' capabilities, read once when built.
    primary_needs: Capabilities,
    fallback_needs: Capabilities,
    on_fallback: bool,
}

impl Fallback {
    /// Combines `primary` and `fallback`, the fallback also deciding while
    /// the data are older than `stale_after` minutes (when given).
    pub fn new(primary: Box<dyn Replenishment>, fallback: Box<dyn Replenishment>, stale_after: Option<Minute>) -> Self {
        let (primary_needs, fallback_needs) = (primary.capabilities(), fallback.capabilities());
        Self { primary, fallback, stale_after, primary_needs, fallback_needs, on_fallback: false }
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

    fn capabilities(&self) -> Capabilities {
        self.primary_needs.union(self.fallback_needs).with_observes_demand().with_falls_back()
    }

    fn observe(&mut self, view: &NodeView<'_>) {
        let forecast_out = self.primary_needs.needs_forecast && !view.forecast_available;
        let stale = self.stale_after.is_some_and(|limit| view.data_delay > limit);
        self.on_fallback = forecast_out || stale;
        if self.primary_needs.observes_demand {
            self.primary.observe(view);
        }
        if self.fallback_needs.observes_demand {
            self.fallback.observe(view);
        }
    }

    fn on_fallback(&self) -> bool {
        self.on_fallback
    }

    /// The primary's forecasts (the forecasting policy), else the fallback's.
    fn forecasts(&self) -> Option<&[f64]> {
        self.primary.forecasts().or_else(|| self.fallback.forecasts())
    }

    fn decide(&mut self, view: &NodeView<'_>, orders: &mut [i64]) {
        if self.on_fallback { self.fallback.decide(view, orders) } else { self.primary.decide(view, orders) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::Method;
    use crate::replenishment::{ForecastOrderUpTo, MinMax, OrderUpTo};

    fn view(forecast_available: bool) -> NodeView<'static> {
        stale_view(forecast_available, 0)
    }

    fn stale_view(forecast_available: bool, data_delay: Minute) -> NodeView<'static> {
        NodeView {
            day: 0,
            on_hand: &[5],
            backorders: &[0],
            owed: &[0],
            on_order: &[0],
            echelon_position: &[5],
            demand: &[10],
            forecast_available,
            data_delay,
        }
    }

    #[test]
    fn the_fallback_decides_exactly_while_the_forecast_is_out() {
        // Primary: forecast order-up-to, S = 39 at the start (μ = 10, z = 1.5,
        // L = 2, R = 1); fallback: (s,S) = (8, 30).
        let primary = ForecastOrderUpTo::new(Method::Ses { alpha: 0.2 }, 1.5, 1, 2.0, &[10.0]);
        let daily = Review::Periodic { period_days: 1, offset_days: 0 };
        let fallback = MinMax::new(daily, vec![8], vec![30]);
        let mut policy = Fallback::new(Box::new(primary), Box::new(fallback), None);
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

    /// The capabilities are the union of the halves', whichever decides:
    /// a fallback on echelon positions gets them although the primary
    /// (forecast-driven) needs none, and the reverse.
    #[test]
    fn the_capabilities_are_the_union_of_both_halves() {
        let forecast = || Box::new(ForecastOrderUpTo::new(Method::Ses { alpha: 0.2 }, 1.5, 1, 2.0, &[10.0]));
        let echelon = || Box::new(OrderUpTo::echelon(vec![30], vec![0]));
        let union = Capabilities::NONE.with_observes_demand().with_needs_forecast().with_echelon_position();
        for policy in [Fallback::new(forecast(), echelon(), None), Fallback::new(echelon(), forecast(), Some(60))] {
            assert_eq!(policy.capabilities(), union.with_falls_back());
        }
        // On the primary's days as on the fallback's: fixed for the run.
        let mut policy = Fallback::new(forecast(), echelon(), None);
        let before = policy.capabilities();
        policy.observe(&view(false));
        assert!(policy.on_fallback());
        assert_eq!(policy.capabilities(), before);
        // A plain policy needs only what it uses.
        let daily = Review::Periodic { period_days: 1, offset_days: 0 };
        assert_eq!(MinMax::new(daily, vec![8], vec![30]).capabilities(), Capabilities::NONE);
    }

    #[test]
    fn a_primary_without_a_forecast_never_falls_back() {
        let daily = Review::Periodic { period_days: 1, offset_days: 0 };
        let mut policy = Fallback::new(
            Box::new(MinMax::new(daily, vec![8], vec![30])),
            Box::new(MinMax::new(daily, vec![1], vec![2])),
            None,
        );
        policy.observe(&view(false));
        assert!(!policy.on_fallback());
    }

    #[test]
    fn data_staler_than_the_limit_hands_over_to_the_fallback() {
        let daily = Review::Periodic { period_days: 1, offset_days: 0 };
        let limit = 12 * 60;
        let mut policy = Fallback::new(
            Box::new(MinMax::new(daily, vec![8], vec![30])),
            Box::new(MinMax::new(daily, vec![1], vec![2])),
            Some(limit),
        );
        let mut orders = [0];
        let mut day = |data_delay: Minute| {
            policy.observe(&stale_view(true, data_delay));
            policy.decide(&stale_view(true, data_delay), &mut orders);
            (policy.on_fallback(), orders[0])
        };
        // IP 5: the primary (8, 30) orders 25; the fallback (1, 2) nothing.
        assert_eq!(day(0), (false, 25));
        assert_eq!(day(limit), (false, 25), "exactly at the limit is not staler");
        assert_eq!(day(limit + 1), (true, 0));
        assert_eq!(day(0), (false, 25));
    }
}
