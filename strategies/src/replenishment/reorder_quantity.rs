//! (r,Q) reorder point, fixed order quantity.
//!
//! **Rule.** At each review, if `IP ≤ r`:
//! * `Batching::Single` orders one batch `Q`;
//! * `Batching::Multiple` orders `n·Q` with the smallest `n ≥ 1` that lifts
//!   the position above `r`: `n = ⌊(r − IP) / Q⌋ + 1`.
//!
//! Otherwise nothing. The reorder point is `r`. Under continuous review with
//! unit demand both batchings coincide and the position cycles through
//! `r+1 … r+Q`. A run starts with on-hand `r + Q`.

use echelon_sim::strategy::{Replenishment, Review};

/// How many batches an (r,Q) order holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batching {
    /// Exactly one batch of Q.
    Single,
    /// The smallest multiple of Q that lifts the position above r.
    Multiple,
}

/// The (r,Q) policy.
#[derive(Debug, Clone)]
pub struct ReorderQuantity {
    review: Review,
    batching: Batching,
    reorder_point: Vec<i64>,
    quantity: Vec<i64>,
}

impl ReorderQuantity {
    /// A policy with per-SKU `r` and `Q` (`Q ≥ 1`, checked by the registry).
    pub fn new(review: Review, batching: Batching, reorder_point: Vec<i64>, quantity: Vec<i64>) -> Self {
        Self { review, batching, reorder_point, quantity }
    }
}

impl Replenishment for ReorderQuantity {
    fn review(&self) -> Review {
        self.review
    }

    fn reorder_points(&self) -> &[i64] {
        &self.reorder_point
    }

    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.reorder_point[sku] + self.quantity[sku]
    }

    #[inline]
    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64 {
        let (r, q) = (self.reorder_point[sku], self.quantity[sku]);
        if inventory_position > r {
            return 0;
        }
        match self.batching {
            Batching::Single => q,
            Batching::Multiple => ((r - inventory_position) / q + 1) * q,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_multiple_batches_on_a_hand_worked_case() {
        // r = 5, Q = 10.
        let review = Review::Continuous;
        let single = ReorderQuantity::new(review, Batching::Single, vec![5], vec![10]);
        let multiple = ReorderQuantity::new(review, Batching::Multiple, vec![5], vec![10]);
        assert_eq!(single.order_quantity(0, 6), 0);
        assert_eq!(single.order_quantity(0, 5), 10);
        assert_eq!(single.order_quantity(0, -12), 10);
        assert_eq!(multiple.order_quantity(0, 5), 10); // 5 → 15
        assert_eq!(multiple.order_quantity(0, -5), 20); // −5 → 15 (−5 + 10 = 5 is not above r)
        assert_eq!(multiple.order_quantity(0, -4), 10); // −4 → 6
        assert_eq!(multiple.initial_on_hand(0), 15);
    }
}
