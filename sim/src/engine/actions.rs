//! The day-end actions beside replenishment: lateral transfers (before it)
//! and expedites (after it). What to send is the strategy's rule
//! ([`crate::strategy::TransferRule`], [`crate::strategy::ExpediteRule`]:
//! one dynamic call per lane or node and day end); the engine keeps the
//! books: it never sends more than the donor or source has on hand, sends
//! nothing for an entry ≤ 0, and records every shipment as a decision
//! (governance applies).

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
use crate::strategy::{ExpediteRule, ExpediteView, LateralView, StockView, TransferRule};
use crate::time::Minute;

impl Run<'_> {
    /// Moves stock over every lateral lane whose ends are open, as `rule`
    /// decides: one call per lane (see [`TransferRule`]).
    pub(super) fn transfer(&mut self, rule: &dyn TransferRule, now: Minute, measured: bool) {
        let model = self.model;
        if self.lateral.is_empty() {
            self.lateral = lateral_pairs(model);
        }
        let mut units = std::mem::take(&mut self.action_units);
        for k in 0..self.lateral.len() {
            let (lane, donor, receiver) = (self.lateral[k].lane, self.lateral[k].donor, self.lateral[k].receiver);
            if self.timeline.closed_until(donor, now).is_some() || self.timeline.closed_until(receiver, now).is_some() {
                continue;
            }
            units.clear();
            units.resize(self.lateral[k].skus.len(), 0);
            {
                let (r, d) = (&self.nodes[receiver], &self.nodes[donor]);
                let view = LateralView::new(
                    now,
                    &self.lateral[k].skus,
                    StockView::new(&r.on_hand, &r.backorders, &r.mean_demand),
                    StockView::new(&d.on_hand, &d.backorders, &d.mean_demand),
                );
                rule.transfer(&view, &mut units);
            }
            for p in 0..self.lateral[k].skus.len() {
                let (r_sku, d_sku) = self.lateral[k].skus[p];
                let (r_sku, d_sku) = (r_sku as usize, d_sku as usize);
                let units = units[p].min(self.nodes[donor].on_hand[d_sku]);
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
        self.action_units = units;
    }

    /// Expedites at `node` what `rule` decides: one call per node (see
    /// [`ExpediteRule`]).
    pub(super) fn expedite(&mut self, rule: &dyn ExpediteRule, node: usize, now: Minute, measured: bool) {
        let model = self.model;
        let lane = model.nodes[node].primary_lane();
        let Some(mode) = &model.lanes[lane].expedite else { return };
        let regular_lead_time = crate::time::days_to_minutes(model.lanes[lane].lead_time.mean_days());
        let mut units = std::mem::take(&mut self.action_units);
        units.clear();
        units.resize(self.nodes[node].on_hand.len(), 0);
        {
            let state = &self.nodes[node];
            let view = ExpediteView::new(
                now,
                StockView::new(&state.on_hand, &state.backorders, &state.mean_demand),
                &state.expediting,
                now + regular_lead_time,
                &state.arrivals,
            );
            rule.expedite(&view, &mut units);
        }
        for (sku, &wanted) in units.iter().enumerate() {
            let mut units = wanted;
            if units <= 0 {
                continue;
            }
            if let Source::Node(source) = model.lanes[lane].from {
                let slot_sku = self.nodes[node].source_sku[0][sku] as usize;
                units = units.min(self.nodes[source].on_hand[slot_sku]);
                if units <= 0 || self.timeline.closed_until(source, now).is_some() {
                    continue;
                }
                self.nodes[source].ship_to_node(slot_sku, units);
            } else {
                self.nodes[node].book_purchase(sku, units, measured);
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
        self.action_units = units;
    }
}
