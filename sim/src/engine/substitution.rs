//! Substitution: a SKU's unmet customer demand at a location served from
//! the stock of SKUs it names as substitutes.
//!
//! # Contract
//!
//! * **Which substitutes.** A SKU lists its substitutes in order, each with
//!   a cost per unit (margin given up, relabelling). At a location only the
//!   substitutes stocked there count; substitution never reaches another
//!   location's stock and never chains (a substitute's own substitutes are
//!   not tried for it). The scenario loader refuses a substitute that does
//!   not exist, is the SKU itself, is stocked at no location where the SKU
//!   has customer demand, or closes a cycle of substitution.
//! * **When.** At the moment of demand, after the line has been served
//!   from its own SKU's stock, for the units still unmet, before they are
//!   backordered or lost. Under daily-batch demand, a location first serves
//!   every line of the day from each line's own SKU (module `super`,
//!   step 1), then substitutes for the lines left short, in the order of
//!   their SKU at the location, then of their class — so a substitute's own
//!   customers are served before it stands in for another SKU. Under
//!   event-driven demand each order is substituted when it arrives. A
//!   closed location substitutes nothing.
//! * **How much.** The substitutes are drawn in order, each giving what it
//!   has on hand, until the line is met. A line of a class without partial
//!   shipment is substituted only when its substitutes together cover all
//!   of its unmet units (it then ships complete); otherwise none.
//! * **What is left** of the line after substitution is backordered or
//!   lost as its class says; backordered units wait for the SKU itself
//!   (backorders are never served by substitutes later).
//! * **Counting.** A substituted unit is *served from stock at the moment
//!   of demand*: it counts in `fill_rate`, `on_time_rate`, cycle service,
//!   the class's fill rate and the customers' shipped units (valued at the
//!   substitute's unit cost), so a line met with approved substitutes is a
//!   filled line. Each also counts in `substituted_units` (units per day)
//!   and its cost in `substitution_cost` (in `total_cost`); a SKU's own
//!   availability is `fill_rate − substituted_units ÷ demand_mean`. The
//!   units leave the substitute's on-hand and count in its observed demand
//!   (what a forecasting strategy of the substitute sees), not in its
//!   customer demand. Units shipped as substitutes can be returned
//!   (module `returns`) as the substitute SKU.

use super::Run;
use crate::model::Model;
use crate::time::Minute;

/// Per node, the substitutes stocked there of each local SKU.
pub(super) struct Substitutions {
    /// Per node: the substitutes of local SKU `k` are
    /// `list[n][first[n][k]..first[n][k + 1]]`.
    first: Vec<Vec<u32>>,
    /// Per node: (local substitute SKU, cost per unit).
    list: Vec<Vec<(u32, f64)>>,
    /// Scratch: a daily sweep's lines left short with substitutes to try,
    /// as (stream, local SKU, units served from the SKU's own stock).
    pub deferred: Vec<(usize, usize, i64)>,
}

impl Substitutions {
    /// The substitutions of `model`; `None` when no SKU has a substitute
    /// stocked where it is.
    pub fn new(model: &Model) -> Option<Self> {
        if model.skus.iter().all(|s| s.substitutes.is_empty()) {
            return None;
        }
        let mut first = Vec::with_capacity(model.nodes.len());
        let mut list = Vec::with_capacity(model.nodes.len());
        for node in &model.nodes {
            let mut starts = Vec::with_capacity(node.skus.len() + 1);
            let mut items = Vec::new();
            for &global in &node.skus {
                starts.push(items.len() as u32);
                for substitute in &model.skus[global].substitutes {
                    if let Ok(local) = node.skus.binary_search(&substitute.sku) {
                        items.push((local as u32, substitute.cost_per_unit));
                    }
                }
            }
            starts.push(items.len() as u32);
            first.push(starts);
            list.push(items);
        }
        if list.iter().all(Vec::is_empty) {
            return None;
        }
        Some(Self { first, list, deferred: Vec::new() })
    }

    /// Does local `sku` at `node` have a substitute stocked there?
    #[inline]
    pub fn has(&self, node: usize, sku: usize) -> bool {
        self.first[node][sku] < self.first[node][sku + 1]
    }

    /// Does any SKU at `node` have one?
    #[inline]
    pub fn any_at(&self, node: usize) -> bool {
        !self.list[node].is_empty()
    }

    /// The substitutes of local `sku` at `node`, in order.
    #[inline]
    pub fn of(&self, node: usize, sku: usize) -> &[(u32, f64)] {
        &self.list[node][self.first[node][sku] as usize..self.first[node][sku + 1] as usize]
    }
}

impl Run<'_> {
    /// Serves up to `short` unmet units of a `class` line of local `sku`
    /// at `node` from the SKU's substitutes at `now` (module doc); returns
    /// the units substituted and their value at cost. The caller settles
    /// the line with them counted as served.
    pub(super) fn substitute(
        &mut self,
        node: usize,
        sku: usize,
        class: usize,
        short: i64,
        now: Minute,
        measured: bool,
    ) -> (i64, f64) {
        let Some(subs) = &self.substitutions else { return (0, 0.0) };
        if short <= 0 || !subs.has(node, sku) {
            return (0, 0.0);
        }
        let substitutes = subs.of(node, sku);
        let state = &mut self.nodes[node];
        if !self.model.classes[class].partial_shipment {
            let available: i64 = substitutes.iter().map(|&(s, _)| state.on_hand[s as usize]).sum();
            if available < short {
                return (0, 0.0);
            }
        }
        let (mut left, mut value) = (short, 0.0);
        for &(s, cost) in substitutes {
            let s = s as usize;
            let take = left.min(state.on_hand[s]);
            if take <= 0 {
                continue;
            }
            state.accrue(s, now);
            state.on_hand[s] -= take;
            value += take as f64 * state.unit_cost[s];
            if let Some(observed) = state.sku_demand.get_mut(s) {
                *observed += take;
            }
            if measured {
                state.tally.substituted_units += take;
                state.tally.substitution_cost += take as f64 * cost;
            }
            if let Some(returns) = &mut self.returns {
                state.balance.returns_drawn += returns.shipped(node, s, class, take, now);
            }
            left -= take;
            if left == 0 {
                break;
            }
        }
        (short - left, value)
    }
}
