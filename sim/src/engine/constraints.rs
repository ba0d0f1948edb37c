//! Order constraints and storage capacity, applied where goods are ordered
//! and stored.
//!
//! # Contract
//!
//! * **Order constraints** ([`OrderRules`]): every purchase order a
//!   replenishment policy decides, at any location and whatever its source,
//!   passes through [`NodeState::constrain_order`] once, in
//!   [`Run::release`](super::Run), before it is booked: raised to the SKU's
//!   minimum order quantity, rounded up to whole case packs, capped at the
//!   maximum rounded down to whole packs. What is booked as ordered (on
//!   order, `ordered_units`, the bullwhip series, governance) is the
//!   constrained quantity. Transfers and expedites are not purchase orders
//!   and are not constrained. A location whose SKUs have no rules pays one
//!   branch per order.
//! * **Storage capacity** ([`Storage`]): receipts are never refused. Once
//!   a day, after the start-of-day receipts and before demand, the
//!   location's on-hand of all SKUs above its capacity is overflow stock,
//!   charged `overflow_cost_per_unit_day` per unit for the day (tallies
//!   `overflow_units`, `overflow_cost`). Overflow units are on-hand like any
//!   other: the unit balances do not change. The sum of on-hand is the one
//!   the `on_hand_start` tally already takes: no extra pass.
//! * **Storage capacity by volume** ([`VolumeStorage`]): the same rule on
//!   the volume of the on-hand (Σ units × volume per unit, in local SKU
//!   order), charged `overflow_cost_per_volume_day` per unit of volume
//!   above the capacity (tallies `overflow_volume`, `overflow_cost`). Only
//!   a location with a volume capacity pays the pass over its SKUs.

use super::state::NodeState;
use crate::model::{Model, OrderRules, Storage, VolumeStorage};

/// A node's order rules per local SKU: empty when none of its SKUs has a
/// rule that changes an order.
pub(super) fn node_rules(model: &Model, node: usize) -> Vec<OrderRules> {
    let rules: Vec<OrderRules> = model.nodes[node].skus.iter().map(|&g| model.skus[g].order_rules).collect();
    if rules.iter().all(OrderRules::is_free) { Vec::new() } else { rules }
}

impl NodeState<'_> {
    /// The quantity ordered for local `sku` when the policy asks for
    /// `quantity` (> 0): the SKU's [`OrderRules`] applied.
    #[inline]
    pub fn constrain_order(&self, sku: usize, quantity: i64) -> i64 {
        match self.order_rules.get(sku) {
            Some(rules) => rules.apply(quantity),
            None => quantity,
        }
    }

    /// Books the day's overflow, given the node's on-hand of all SKUs after
    /// the start-of-day receipts (measured days only).
    #[inline]
    pub fn record_overflow(&mut self, on_hand: i64) {
        if let Some(Storage { capacity, overflow_cost_per_unit_day }) = self.storage {
            let over = (on_hand - capacity).max(0);
            self.tally.overflow_units += over;
            self.tally.overflow_cost += over as f64 * overflow_cost_per_unit_day;
        }
        if let Some(VolumeStorage { capacity, overflow_cost_per_volume_day }) = self.volume_storage {
            let volume: f64 = self.on_hand.iter().zip(&self.volumes).map(|(&units, &v)| units as f64 * v).sum();
            let over = (volume - capacity).max(0.0);
            self.tally.overflow_volume += over;
            self.tally.overflow_cost += over * overflow_cost_per_volume_day;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::OrderRules;

    fn rules(min_order: i64, case_pack: i64, max_order: Option<i64>) -> OrderRules {
        OrderRules { min_order, case_pack, max_order }
    }

    /// By hand, MOQ 30, packs of 12, max 100 (cap 96 = 8 packs): 5 → 30
    /// → 36; 31 → 36; 40 → 48; 95 → 96; 200 → 96; 0 stays 0.
    #[test]
    fn order_is_raised_to_moq_rounded_up_to_packs_and_capped_at_whole_packs() {
        let r = rules(30, 12, Some(100));
        let cases = [(5, 36), (31, 36), (36, 36), (40, 48), (95, 96), (97, 96), (200, 96), (0, 0), (-3, 0)];
        for (asked, ordered) in cases {
            assert_eq!(r.apply(asked), ordered, "asked {asked}");
        }
        assert_eq!(r.cap(), Some(96));
    }

    /// Each rule alone: MOQ only raises; packs only round up; a cap only
    /// caps (packs of 1: the cap is max_order itself).
    #[test]
    fn each_order_rule_alone() {
        assert_eq!(rules(10, 1, None).apply(3), 10);
        assert_eq!(rules(10, 1, None).apply(11), 11);
        assert_eq!(rules(0, 6, None).apply(1), 6);
        assert_eq!(rules(0, 6, None).apply(13), 18);
        assert_eq!(rules(0, 1, Some(7)).apply(9), 7);
        assert!(rules(0, 1, None).is_free() && rules(1, 1, None).is_free());
        assert!(!rules(2, 1, None).is_free() && !rules(0, 2, None).is_free() && !rules(0, 1, Some(5)).is_free());
    }
}
