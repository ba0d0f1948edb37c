//! The engine unit-tested through [`ModelBuilder`], without scenario files:
//! flow (orders, departures, receipts), backorders, actions (transfers,
//! expedites) and approvals, each against figures worked by hand.
//!
//! Demand is constant and lead times whole days (or land on day starts), so
//! nothing random enters. Timing (module `engine`): day t's demand is
//! served at its start; an order at the end of day t over a lead time of L
//! whole days is received at the start of day t + L + 1.

use echelon_sim::distribution::{DailyDemand, LeadTime};
use echelon_sim::engine::{self, Policies, RunOutput};
use echelon_sim::governance::{ApprovalOrder, Governance};
use echelon_sim::metrics::{MetricValues, metric_index};
use echelon_sim::model::{DemandProcess, ExpediteMode, Experiment, Lane, Model, ModelBuilder, Sku, Source};
use echelon_sim::strategy::{
    Allocation, Claim, ExpediteRule, ExpediteView, LateralView, Replenishment, Review, TransferRule,
};

/// Order-up-to `level` on the inventory position, daily review; starts with
/// `initial` on hand. Without a level it never orders.
struct OrderUpTo {
    level: Option<i64>,
    initial: i64,
    reorder: Vec<i64>,
}

impl OrderUpTo {
    fn boxed(level: i64, initial: i64, skus: usize) -> Box<dyn Replenishment> {
        Box::new(Self { level: Some(level), initial, reorder: vec![level - 1; skus] })
    }

    fn never(initial: i64, skus: usize) -> Box<dyn Replenishment> {
        Box::new(Self { level: None, initial, reorder: vec![i64::MIN; skus] })
    }
}

impl Replenishment for OrderUpTo {
    fn review(&self) -> Review {
        Review::Periodic { period_days: 1, offset_days: 0 }
    }
    fn reorder_points(&self) -> &[i64] {
        &self.reorder
    }
    fn initial_on_hand(&self, _sku: usize) -> i64 {
        self.initial
    }
    fn order_quantity(&self, _sku: usize, position: i64) -> i64 {
        self.level.map_or(0, |level| (level - position).max(0))
    }
}

/// First come, first served in the order given.
struct InOrder;

impl Allocation for InOrder {
    fn allocate(&self, _now: u64, mut available: i64, claims: &[Claim], grants: &mut [i64]) {
        for (claim, grant) in claims.iter().zip(grants) {
            *grant = claim.units.min(available).max(0);
            available -= *grant;
        }
    }
}

fn experiment(days: u32) -> Experiment {
    Experiment { horizon_days: days, warmup_days: 0, replications: 1, seed: 7 }
}

fn days(d: f64) -> LeadTime {
    LeadTime::constant(d).unwrap()
}

fn daily(units: f64) -> DemandProcess {
    DemandProcess::Daily(DailyDemand::constant(units).unwrap())
}

fn metric(values: &MetricValues, key: &str) -> f64 {
    values[metric_index(key).unwrap()]
}

fn run(
    model: &Model,
    strategies: Vec<Box<dyn Replenishment>>,
    policies: (Option<&dyn TransferRule>, Option<&dyn ExpediteRule>),
) -> RunOutput {
    let out = engine::simulate(
        model,
        0,
        Policies { replenishment: strategies, allocation: &InOrder, transfers: policies.0, expedites: policies.1 },
    );
    assert!(out.balances.iter().all(|b| b.holds()), "{:?}", out.balances);
    assert!(out.network_balance.holds(), "{:?}", out.network_balance);
    out
}

/// One store, supplier lead time `lead` days, demand 3 a day, `days` days.
fn one_store(lead: f64, horizon: u32, penalty: f64) -> Model {
    let mut b = ModelBuilder::new("one-store", experiment(horizon));
    let sku = b.sku(Sku { backorder_penalty_per_day: penalty, ..Sku::costing("k", 10.0) });
    let supplier = b.supplier("supplier", None);
    let store = b.node("store");
    b.lane(Source::Supplier(supplier), store, days(lead));
    b.demand(store, sku, 0, daily(3.0));
    b.build().unwrap()
}

/// Order-up-to 10, L = 2, demand 3, 10 days. Day 0: 10 → 7, order 3;
/// day 1: 7 → 4, order 3; day 2: 4 → 1, order 3; from day 3 on each
/// receipt of 3 (ordered three days before) is sold the same day: on-hand
/// ends at 1, on order 9. So ordered 30, received 21 (days 3–9), shipped
/// 30, final on-hand 1, on order 9; mean end on-hand (7 + 4 + 8·1) / 10 =
/// 1.9, mean on order (3 + 6 + 8·9) / 10 = 8.1; fill rate 1.
#[test]
fn orders_depart_and_are_received_lead_time_plus_one_days_later() {
    let model = one_store(2.0, 10, 0.0);
    let out = run(&model, vec![OrderUpTo::boxed(10, 10, 1)], (None, None));
    let b = &out.balances[0];
    assert_eq!(
        (b.initial_on_hand, b.ordered, b.received, b.shipped, b.final_on_hand, b.on_order),
        (10, 30, 21, 30, 1, 9)
    );
    assert_eq!(metric(&out.network, "fill_rate"), 1.0);
    assert!((metric(&out.network, "on_hand_end_mean") - 1.9).abs() < 1e-12);
    assert!((metric(&out.network, "on_order_end_mean") - 8.1).abs() < 1e-12);
    assert_eq!(out.sku_location_days, 10);
}

/// Order-up-to 4, L = 2, demand 3, 10 days, penalty 1 per unit-day.
/// Day 0: 4 → 1; day 1: serves 1, backorders 2; day 2: backorders 5; from
/// day 3 each receipt of 3 first serves backorders (5 → 2), then the day's
/// 3 are backordered (5 again). Served from stock: 3 + 1 of 30 demanded;
/// shipped 4 + 7·3 = 25; backorders at day end (0 + 2 + 8·5) / 10 = 4.2,
/// which is also the shortage cost per day.
#[test]
fn receipts_serve_backorders_before_the_days_demand() {
    let model = one_store(2.0, 10, 1.0);
    let out = run(&model, vec![OrderUpTo::boxed(4, 4, 1)], (None, None));
    let b = &out.balances[0];
    assert_eq!((b.ordered, b.received, b.shipped, b.final_on_hand, b.on_order), (30, 21, 25, 0, 9));
    assert!((metric(&out.network, "fill_rate") - 4.0 / 30.0).abs() < 1e-12);
    assert!((metric(&out.network, "backorders_end_mean") - 4.2).abs() < 1e-12);
    assert!((metric(&out.network, "shortage_cost") - 4.2).abs() < 1e-12);
}

/// A DC (L = 1 from the supplier) feeds a store (L = 1), demand 2 a day,
/// both order up to 6 and start with 6, 8 days. The store orders 2 each
/// day end; the DC ships them the same evening (it is swept after the
/// store) and orders 2 to restore its position; every unit the store
/// sells has passed through the DC. Store: ordered 16, received 12 (days
/// 2–7), shipped 16, on hand 2 at the end (6 − 2·2 by day 1, then steady),
/// 4 on order. DC: shipped to the store 16, ordered 16, received 12.
#[test]
fn a_dc_ships_its_stores_orders_the_same_evening() {
    let mut b = ModelBuilder::new("dc-store", experiment(8));
    let sku = b.sku(Sku::costing("k", 10.0));
    let supplier = b.supplier("supplier", None);
    let dc = b.node("dc");
    let store = b.node("store");
    b.lane(Source::Supplier(supplier), dc, days(1.0));
    b.lane(Source::Node(dc), store, days(1.0));
    b.demand(store, sku, 0, daily(2.0));
    let model = b.build().unwrap();
    let out = run(&model, vec![OrderUpTo::boxed(6, 6, 1), OrderUpTo::boxed(6, 6, 1)], (None, None));
    let (d, s) = (&out.balances[dc], &out.balances[store]);
    assert_eq!((s.ordered, s.received, s.shipped, s.final_on_hand, s.on_order), (16, 12, 16, 2, 4));
    assert_eq!((d.shipped_to_nodes, d.ordered, d.received, d.final_on_hand), (16, 16, 12, 2));
    assert_eq!(out.network_balance.shipped, 16);
    assert_eq!(out.network_balance.in_transit, 4);
}

/// Sends 2 units per shared SKU at every day end while the donor has them.
struct SendTwo;

impl TransferRule for SendTwo {
    fn transfer(&self, lane: &LateralView<'_>, units: &mut [i64]) {
        for (u, &(_, d)) in units.iter_mut().zip(lane.pairs) {
            *u = if lane.donor.on_hand[d as usize] >= 2 { 2 } else { 0 };
        }
    }
}

/// Store A (demand 1 a day, starts empty, never orders) and store B (a
/// demand stream of 0 a day, so that it stocks the SKU; starts with 10,
/// never orders), a lateral lane B → A of 1 day costing 1
/// per unit; 6 days. B sends 2 at the end of days 0–4 (10 units: empty
/// then); they reach A at the starts of days 2–6, so A receives 8 and 2
/// are in transit at the end. A: backorders 1, 2, then receipts of 2
/// serve them: served 6 of 6 demanded by day 5, 2 on hand at the end.
/// Transfer cost 10 units × 1 / 6 days.
#[test]
fn a_transfer_leaves_the_donor_at_once_and_reaches_the_receiver_after_the_lane_lead_time() {
    let mut b = ModelBuilder::new("transfer", experiment(6));
    let sku = b.sku(Sku::costing("k", 10.0));
    let supplier = b.supplier("supplier", None);
    let a = b.node("a");
    let store_b = b.node("b");
    b.lane(Source::Supplier(supplier), a, days(1.0));
    b.lane(Source::Supplier(supplier), store_b, days(1.0));
    b.add_lane(Lane {
        from: Source::Node(store_b),
        to_node: a,
        lead_time: days(1.0),
        cost_per_unit: 1.0,
        lateral: true,
        expedite: None,
        ownership_at_dispatch: false,
        capacity_per_day: None,
        trucks: None,
    });
    b.demand(a, sku, 0, daily(1.0)).demand(store_b, sku, 0, daily(0.0));
    let model = b.build().unwrap();
    let out = run(&model, vec![OrderUpTo::never(0, 1), OrderUpTo::never(10, 1)], (Some(&SendTwo), None));
    let (ba, bb) = (&out.balances[a], &out.balances[store_b]);
    assert_eq!((bb.shipped_to_nodes, bb.final_on_hand), (10, 0));
    assert_eq!(
        (ba.ordered, ba.transferred_in, ba.received, ba.shipped, ba.final_on_hand, ba.on_order),
        (0, 10, 8, 6, 2, 2)
    );
    assert_eq!((out.network_balance.shipped, out.network_balance.received, out.network_balance.in_transit), (10, 8, 2));
    assert!((metric(&out.network, "transfer_cost") - 10.0 / 6.0).abs() < 1e-12);
}

/// Expedites a SKU's backorders when none of its expedites is in flight.
struct ExpediteBackorders;

impl ExpediteRule for ExpediteBackorders {
    fn expedite(&self, node: &ExpediteView<'_>, units: &mut [i64]) {
        for (sku, u) in units.iter_mut().enumerate() {
            *u = if node.in_flight[sku] == 0 { node.stock.backorders[sku] } else { 0 };
        }
    }
}

/// A store that never orders (regular lane 5 days), demand 1 a day, an
/// expedite mode of 1 day at 2 per unit + 10 per shipment; 6 days. End of
/// day 0: 1 backordered → expedite 1 (arrives day 2); day 1: one in
/// flight, none; day 2: the 1 serves a backorder, the day's demand makes
/// 2 → expedite 2 (day 4); day 4 likewise → expedite 2. Three shipments, 5
/// units: cost (3·10 + 5·2) / 6 per day, 0.5 expedites a day; 3 units
/// received, 2 in transit.
#[test]
fn expedites_take_the_fast_mode_and_book_their_premium() {
    let mut b = ModelBuilder::new("expedite", experiment(6));
    let sku = b.sku(Sku::costing("k", 10.0));
    let supplier = b.supplier("supplier", None);
    let store = b.node("store");
    b.add_lane(Lane {
        from: Source::Supplier(supplier),
        to_node: store,
        lead_time: days(5.0),
        cost_per_unit: 0.0,
        lateral: false,
        expedite: Some(ExpediteMode { lead_time: days(1.0), cost_per_unit: 2.0, cost_per_shipment: 10.0 }),
        ownership_at_dispatch: false,
        capacity_per_day: None,
        trucks: None,
    });
    b.demand(store, sku, 0, daily(1.0));
    let model = b.build().unwrap();
    let out = run(&model, vec![OrderUpTo::never(0, 1)], (None, Some(&ExpediteBackorders)));
    let s = &out.balances[0];
    assert_eq!((s.ordered, s.received, s.shipped, s.on_order), (5, 3, 3, 2));
    assert!((metric(&out.network, "expedite_cost") - 40.0 / 6.0).abs() < 1e-12);
    assert!((metric(&out.network, "expedite_count") - 0.5).abs() < 1e-12);
}

/// Every order needs approval: planners 8:00–17:00 take it at 8:00 the
/// morning after it is decided (midnight) and need 4 h, so it is released
/// at 12:00, 720 minutes after its trigger; over a 12-hour lane it arrives
/// at the next midnight — the start of day t + 2, exactly when a
/// 1-day lane without governance delivers. So the stock books of both
/// runs are equal, and only latency differs: 720 minutes against 0.
#[test]
fn an_approved_order_is_released_after_the_planners_delay_and_its_latency_counted() {
    let build = |lead: f64, governed: bool| {
        let mut b = ModelBuilder::new("approvals", experiment(10));
        let sku = b.sku(Sku::costing("k", 10.0));
        let supplier = b.supplier("supplier", None);
        let store = b.node("store");
        b.lane(Source::Supplier(supplier), store, days(lead));
        b.demand(store, sku, 0, daily(2.0));
        if governed {
            b.governance(Governance {
                approval_above: 0.0,
                approvals_per_day: 5,
                work_start: 8 * 60,
                work_end: 17 * 60,
                delay: LeadTime::Constant(4 * 60),
                order: std::sync::Arc::new(ApprovalOrder::Fifo),
            });
        }
        b.build().unwrap()
    };
    let (governed, plain) = (build(0.5, true), build(1.0, false));
    let with = run(&governed, vec![OrderUpTo::boxed(5, 5, 1)], (None, None));
    let without = run(&plain, vec![OrderUpTo::boxed(5, 5, 1)], (None, None));
    assert_eq!(with.balances, without.balances);
    assert_eq!(with.balances[0].ordered, 20);
    assert_eq!(metric(&with.network, "po_latency_p50_min"), 720.0);
    assert_eq!(metric(&with.network, "po_latency_max_min"), 720.0);
    assert_eq!(metric(&without.network, "po_latency_max_min"), 0.0);
    for key in ["on_hand_end_mean", "backorders_end_mean", "fill_rate"] {
        assert_eq!(metric(&with.network, key), metric(&without.network, key), "{key}");
    }
}
