//! Order-up-to: base stock, (R,S) periodic review, one-for-one.
//!
//! **Rule.** At each review, order `S − IP` when `IP < S`, else nothing,
//! where `IP = on-hand − backorders + on-order` and `S` is the SKU's
//! order-up-to level. The reorder point is `S − 1`: any demand since the last
//! review creates a need.
//!
//! * *Base stock*: periodic review every day (R = 1).
//! * *(R,S)*: periodic review every R days, the first on day `offset`.
//! * *One-for-one* (`(S−1, S)` continuous review): reviewed at every demand
//!   event, so each customer order triggers an order of its own size.
//! * *Echelon base stock* (Clark–Scarf): every day, order `S_e − EIP` where
//!   `EIP` is the node's *echelon* inventory position — its own position
//!   plus that of every node downstream of it — and `S_e` its echelon
//!   level. At a node that feeds none it is plain base stock.
//!
//! A run starts with on-hand `S` (echelon: the node's customers' share of
//! `S_e`, so a node that only feeds others starts empty and the warm-up
//! fills it).

use echelon_sim::strategy::{Capabilities, Replenishment, Review};

/// The order-up-to policy.
#[derive(Debug, Clone)]
pub struct OrderUpTo {
    review: Review,
    order_up_to: Vec<i64>,
    reorder_points: Vec<i64>,
    initial: Vec<i64>,
    echelon: bool,
}

impl OrderUpTo {
    /// A policy with the given review and per-SKU levels `S`.
    pub fn new(review: Review, order_up_to: Vec<i64>) -> Self {
        let reorder_points = order_up_to.iter().map(|s| s - 1).collect();
        Self { review, initial: order_up_to.clone(), order_up_to, reorder_points, echelon: false }
    }

    /// Moves `sku`'s order-up-to level to `level` (its reorder point to
    /// `level − 1`); the starting stock stays as built.
    pub fn set_level(&mut self, sku: usize, level: i64) {
        self.order_up_to[sku] = level;
        self.reorder_points[sku] = level - 1;
    }

    /// The order-up-to level of `sku`.
    pub fn level(&self, sku: usize) -> i64 {
        self.order_up_to[sku]
    }

    /// Daily echelon base stock with echelon levels `S_e`, starting with
    /// `initial` on hand.
    pub fn echelon(order_up_to: Vec<i64>, initial: Vec<i64>) -> Self {
        let reorder_points = order_up_to.iter().map(|s| s - 1).collect();
        Self {
            review: Review::Periodic { period_days: 1, offset_days: 0 },
            order_up_to,
            reorder_points,
            initial,
            echelon: true,
        }
    }
}

impl Replenishment for OrderUpTo {
    fn review(&self) -> Review {
        self.review
    }

    fn reorder_points(&self) -> &[i64] {
        &self.reorder_points
    }

    fn initial_on_hand(&self, sku: usize) -> i64 {
        self.initial[sku]
    }

    #[inline]
    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64 {
        (self.order_up_to[sku] - inventory_position).max(0)
    }

    fn capabilities(&self) -> Capabilities {
        if self.echelon { Capabilities::NONE.with_echelon_position() } else { Capabilities::NONE }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use echelon_sim::strategy::NodeView;

    #[test]
    fn orders_up_to_s_from_the_inventory_position() {
        // S = 15. SKU 0: on-hand 3, backorders 0, on-order 8 → IP 11 → order 4.
        // SKU 1: on-hand 0, backorders 2, on-order 12 → IP 10 → order 5.
        // SKU 2: IP 15 → nothing; SKU 3: IP 17 (above S) → nothing.
        let mut p = OrderUpTo::new(Review::Periodic { period_days: 1, offset_days: 0 }, vec![15; 4]);
        let view = NodeView {
            day: 0,
            on_hand: &[3, 0, 15, 17],
            backorders: &[0, 2, 0, 0],
            owed: &[0; 4],
            on_order: &[8, 12, 0, 0],
            echelon_position: &[0; 4],
            demand: &[0; 4],
            forecast_available: true,
            data_delay: 0,
        };
        let mut orders = [0; 4];
        p.decide(&view, &mut orders);
        assert_eq!(orders, [4, 5, 0, 0]);
        assert_eq!(p.reorder_points(), &[14; 4]);
        assert_eq!(p.initial_on_hand(2), 15);
    }

    #[test]
    fn echelon_base_stock_orders_from_the_echelon_position() {
        // A DC with S_e = 100: on-hand 10, owed 4 to its warehouses, on-order
        // 20 → local IP 26; the warehouses' positions add 50 → EIP 76 → order
        // 24 (local base stock would have ordered 74).
        let mut p = OrderUpTo::echelon(vec![100], vec![0]);
        let view = NodeView {
            day: 3,
            on_hand: &[10],
            backorders: &[0],
            owed: &[4],
            on_order: &[20],
            echelon_position: &[76],
            demand: &[0],
            forecast_available: true,
            data_delay: 0,
        };
        let mut orders = [0];
        p.decide(&view, &mut orders);
        assert_eq!(orders, [24]);
        assert_eq!(view.inventory_position(0), 26);
        assert_eq!(p.initial_on_hand(0), 0);
    }

    #[test]
    fn r_s_reviews_only_on_its_days() {
        let review = Review::Periodic { period_days: 7, offset_days: 2 };
        let days: Vec<u32> = (0..20).filter(|d| review.is_review_day(*d)).collect();
        assert_eq!(days, vec![2, 9, 16]);
    }
}
