//! The day-end actions beside replenishment: lateral transfers (before it)
//! and expedites (after it), as [`crate::strategy::Transfers`] and
//! [`crate::strategy::Expedites`] define them.

use super::Run;
use super::approvals::Decision;
use super::flow::Trip;
use crate::governance::DecisionKind;
use crate::model::{Model, Source};

/// A lateral lane with the SKUs both its ends stock, as (receiver's local
/// index, donor's local index), computed once per run.
pub(super) struct LateralLane {
    lane: usize,
    donor: usize,
    receiver: usize,
    skus: Vec<(u32, u32)>,
}

fn lateral_pairs(model: &Model) -> Vec<LateralLane> {
    model
        .lanes
        .iter()
        .enumerate()
        .filter_map(|(lane, l)| {
            let Source::Node(donor) = l.from else { return None };
            let receiver = l.to_node;
            let skus = model.nodes[receiver]
                .skus
                .iter()
                .enumerate()
                .filter_map(|(r, g)| model.nodes[donor].skus.binary_search(g).ok().map(|d| (r as u32, d as u32)))
                .collect();
            l.lateral.then_some(LateralLane { lane, donor, receiver, skus })
        })
        .collect()
}
use crate::strategy::{Expedites, Transfers};
use crate::time::{MINUTES_PER_DAY, Minute};

impl Run<'_> {
    /// Moves stock over every lateral lane whose receiver runs short while
    /// its donor has plenty.
    pub(super) fn transfer(&mut self, rule: Transfers, now: Minute, measured: bool) {
        let model = self.model;
        if self.lateral.is_empty() {
            self.lateral = lateral_pairs(model);
        }
        let target = (rule.below_days + rule.above_days) / 2.0;
        for k in 0..self.lateral.len() {
            let (lane, donor, receiver) = (self.lateral[k].lane, self.lateral[k].donor, self.lateral[k].receiver);
            if self.timeline.closed_until(donor, now).is_some() || self.timeline.closed_until(receiver, now).is_some() {
                continue;
            }
            for p in 0..self.lateral[k].skus.len() {
                let (r_sku, d_sku) = self.lateral[k].skus[p];
                let (r_sku, d_sku) = (r_sku as usize, d_sku as usize);
                let (r, d) = (&self.nodes[receiver], &self.nodes[donor]);
                let (m_r, m_d) = (r.mean_demand[r_sku], d.mean_demand[d_sku]);
                if m_r <= 0.0 || m_d <= 0.0 {
                    continue;
                }
                let net_r = (r.on_hand[r_sku] - r.backorders[r_sku]) as f64;
                let on_hand_d = d.on_hand[d_sku] as f64;
                if net_r >= rule.below_days * m_r || on_hand_d <= rule.above_days * m_d {
                    continue;
                }
                let spare = (on_hand_d - rule.above_days * m_d).floor() as i64;
                let need = (target * m_r - net_r).ceil() as i64;
                let units = spare.min(need);
                if units <= 0 {
                    continue;
                }
                self.nodes[donor].ship_to_node(d_sku, units);
                let r = &mut self.nodes[receiver];
                r.on_order[r_sku] += units;
                r.balance.transferred_in += units;
                let trip = Trip { lane, node: receiver, sku: r_sku, units, internal: true, expedited: false };
                let kind = DecisionKind::Transfer;
                self.decide(
                    Decision { kind, node: receiver, sku: r_sku, units, trigger: now, shipment: Some(trip) },
                    now,
                    measured,
                );
            }
        }
    }

    /// Expedites at `node` every SKU whose projected stock-out comes before
    /// its next receipt.
    pub(super) fn expedite(&mut self, rule: Expedites, node: usize, now: Minute, measured: bool) {
        let model = self.model;
        let lane = model.nodes[node].primary_lane();
        let Some(mode) = &model.lanes[lane].expedite else { return };
        let regular_lead_time = crate::time::days_to_minutes(model.lanes[lane].lead_time.mean_days());
        for sku in 0..self.nodes[node].on_hand.len() {
            let state = &self.nodes[node];
            let mean = state.mean_demand[sku];
            if mean <= 0.0 || state.expediting[sku] > 0 {
                continue;
            }
            let net = state.on_hand[sku] - state.backorders[sku];
            let stock_out = now + (net.max(0) as f64 / mean * MINUTES_PER_DAY as f64) as Minute;
            // With nothing due, the next receipt is a regular order placed now.
            let next_receipt = state.arrivals[sku].iter().copied().min().unwrap_or(now + regular_lead_time);
            if next_receipt <= stock_out {
                continue;
            }
            let mut units = (rule.cover_days * mean).ceil() as i64 + (-net).max(0);
            if let Source::Node(source) = model.lanes[lane].from {
                let slot_sku = self.nodes[node].source_sku[0][sku] as usize;
                units = units.min(self.nodes[source].on_hand[slot_sku]);
                if units <= 0 || self.timeline.closed_until(source, now).is_some() {
                    continue;
                }
                self.nodes[source].ship_to_node(slot_sku, units);
            }
            let state = &mut self.nodes[node];
            state.on_order[sku] += units;
            state.balance.ordered += units;
            state.expediting[sku] += 1;
            if measured {
                state.tally.expedites += 1;
                state.tally.expedite_cost += mode.cost_per_shipment + mode.cost_per_unit * units as f64;
            }
            let internal = matches!(model.lanes[lane].from, Source::Node(_));
            let trip = Trip { lane, node, sku, units, internal, expedited: true };
            let kind = DecisionKind::Expedite;
            self.decide(Decision { kind, node, sku, units, trigger: now, shipment: Some(trip) }, now, measured);
        }
    }
}
