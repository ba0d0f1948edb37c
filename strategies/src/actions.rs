//! The bundled day-end action rules: lateral transfers by days of cover
//! and expedites by projected stock-out.
//!
//! **Transfers** ([`CoverTransfers`]). For each lateral lane (donor →
//! receiver), in model order, and each SKU both stock with mean daily
//! demand `m_r > 0` at the receiver and `m_d > 0` at the donor: when the
//! receiver's net stock (on-hand − backorders) covers fewer than
//! `below_days` (`net_r < below_days·m_r`) and the donor's on-hand more
//! than `above_days` (`on-hand_d > above_days·m_d`), the donor sends
//! `min(⌊on-hand_d − above_days·m_d⌋, ⌈target·m_r − net_r⌉)` units,
//! `target = (below_days + above_days) / 2`, over the lane with its lead
//! time and cost per unit (booked as transfer cost). The donor never drops
//! below `above_days` of cover.
//!
//! **Expedites** ([`CoverExpedites`]). For a SKU with mean daily demand
//! `m > 0`, net stock `n = on-hand − backorders`, and no expedite of it in
//! flight: if the projected stock-out (`n/m` days from now; now when
//! `n ≤ 0`) comes before the next receipt due (with nothing due: before a
//! regular order placed now would arrive, after the lane's mean lead time),
//! it expedites `⌈cover_days·m⌉ + max(0, −n)` units through the lane's
//! expedite mode.

use echelon_sim::strategy::{ExpediteRule, ExpediteView, LateralView, TransferRule};
use echelon_sim::time::{MINUTES_PER_DAY, Minute};

/// Lateral transfers by days of cover (module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoverTransfers {
    /// Receiver threshold, days of cover.
    pub below_days: f64,
    /// Donor threshold, days of cover.
    pub above_days: f64,
}

impl TransferRule for CoverTransfers {
    fn transfer(&self, lane: &LateralView<'_>, units: &mut [i64]) {
        let target = (self.below_days + self.above_days) / 2.0;
        let (r, d) = (&lane.receiver, &lane.donor);
        for (out, &(r_sku, d_sku)) in units.iter_mut().zip(lane.pairs) {
            let (r_sku, d_sku) = (r_sku as usize, d_sku as usize);
            let (m_r, m_d) = (r.mean_demand[r_sku], d.mean_demand[d_sku]);
            if m_r <= 0.0 || m_d <= 0.0 {
                continue;
            }
            let net_r = (r.on_hand[r_sku] - r.backorders[r_sku]) as f64;
            let on_hand_d = d.on_hand[d_sku] as f64;
            if net_r >= self.below_days * m_r || on_hand_d <= self.above_days * m_d {
                continue;
            }
            let spare = (on_hand_d - self.above_days * m_d).floor() as i64;
            let need = (target * m_r - net_r).ceil() as i64;
            *out = spare.min(need);
        }
    }
}

/// Expedites by projected stock-out (module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoverExpedites {
    /// Days of demand an expedite covers beyond clearing backorders.
    pub cover_days: f64,
}

impl ExpediteRule for CoverExpedites {
    fn expedite(&self, node: &ExpediteView<'_>, units: &mut [i64]) {
        let stock = &node.stock;
        for (sku, out) in units.iter_mut().enumerate() {
            let mean = stock.mean_demand[sku];
            if mean <= 0.0 || node.in_flight[sku] > 0 {
                continue;
            }
            let net = stock.on_hand[sku] - stock.backorders[sku];
            let stock_out = node.now + (net.max(0) as f64 / mean * MINUTES_PER_DAY as f64) as Minute;
            // With nothing due, the next receipt is a regular order placed now.
            let next_receipt = node.next_receipt(sku).unwrap_or(node.regular_arrival);
            if next_receipt <= stock_out {
                continue;
            }
            *out = (self.cover_days * mean).ceil() as i64 + (-net).max(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use echelon_sim::strategy::StockView;

    /// By hand: receiver 2 on hand, 1 backordered, m_r = 2 → net 1 < 2·2;
    /// donor 30 on hand, m_d = 3 → 30 > 6·3 = 18; target 4 days: need
    /// ⌈8 − 1⌉ = 7, spare ⌊30 − 18⌋ = 12 → 7 units.
    #[test]
    fn cover_transfers_send_the_receivers_need_up_to_the_donors_spare() {
        let rule = CoverTransfers { below_days: 2.0, above_days: 6.0 };
        let pairs = [(0, 1)];
        let receiver = StockView::new(&[2], &[1], &[2.0]);
        let donor = StockView::new(&[0, 30], &[0, 0], &[0.0, 3.0]);
        let mut units = [0];
        rule.transfer(&LateralView::new(0, &pairs, receiver, donor), &mut units);
        assert_eq!(units, [7]);
        // A donor at 19 has 1 to spare.
        let donor = StockView::new(&[0, 19], &[0, 0], &[0.0, 3.0]);
        rule.transfer(&LateralView::new(0, &pairs, receiver, donor), &mut units);
        assert_eq!(units, [1]);
    }

    /// By hand: m = 4, on hand 2 → out in half a day; nothing due and the
    /// regular lead time is 3 days: expedite ⌈1.5·4⌉ = 6. With an expedite
    /// in flight, or a receipt due before the stock-out, nothing.
    #[test]
    fn cover_expedites_fill_a_stock_out_before_the_next_receipt() {
        let rule = CoverExpedites { cover_days: 1.5 };
        let stock = StockView::new(&[2], &[0], &[4.0]);
        let none: Vec<Vec<Minute>> = vec![Vec::new()];
        let mut units = [0];
        rule.expedite(&ExpediteView::new(0, stock, &[0], 3 * 1440, &none), &mut units);
        assert_eq!(units, [6]);
        units = [0];
        rule.expedite(&ExpediteView::new(0, stock, &[1], 3 * 1440, &none), &mut units);
        assert_eq!(units, [0]);
        let due = vec![vec![600]];
        rule.expedite(&ExpediteView::new(0, stock, &[0], 3 * 1440, &due), &mut units);
        assert_eq!(units, [0]);
    }
}
