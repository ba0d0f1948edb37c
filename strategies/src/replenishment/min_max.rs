//! (s,S) min-max.
//!
//! **Rule.** At each review, if `IP ≤ s` order `S − IP`; otherwise order
//! nothing. (Less than *or equal*: an inventory position exactly at `s`
//! orders.) The reorder point is `s`. Requires `s < S`. A run starts with
//! on-hand `S`.

use echelon_sim::strategy::{Replenishment, Review};

/// The (s,S) policy.
#[derive(Debug, Clone)]
pub struct MinMax {
    review: Review,
    reorder_point: Vec<i64>,
    order_up_to: Vec<i64>,
}

impl MinMax {
    /// A policy with per-SKU `s` and `S` (`s < S` per SKU, checked by the
    /// registry).
    pub fn new(review: Review, reorder_point: Vec<i64>, order_up_to: Vec<i64>) -> Self {
        Self { review, reorder_point, order_up_to }
    }
}

impl Replenishment for MinMax {
    fn review(&self) -> Review {
        self.review
    }

    fn reorder_points(&self) -> &[i64] {
        &self.reorder_point
    }

    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.order_up_to[sku]
    }

    #[inline]
    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64 {
        if inventory_position <= self.reorder_point[sku] { self.order_up_to[sku] - inventory_position } else { 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_up_to_s_only_at_or_below_the_reorder_point() {
        // s = 4, S = 15.
        let p = MinMax::new(Review::Periodic { period_days: 1, offset_days: 0 }, vec![4], vec![15]);
        assert_eq!(p.order_quantity(0, 5), 0);
        assert_eq!(p.order_quantity(0, 4), 11);
        assert_eq!(p.order_quantity(0, -3), 18);
        assert_eq!(p.initial_on_hand(0), 15);
    }
}
