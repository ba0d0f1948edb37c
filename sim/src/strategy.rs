//! The strategy traits: what a replenishment or allocation rule sees and
//! returns.
//!
//! # Contract
//!
//! * A strategy never mutates the engine. It receives a read-only
//!   [`NodeView`] of the stocking node it serves and writes its decisions
//!   into a buffer the engine owns; the engine validates and releases them.
//! * One replenishment strategy instance serves one stocking node and all the
//!   SKUs stocked there. SKUs are addressed by their *local* index at that
//!   node (`0..view.sku_count()`), the order of `Model::nodes[n].skus`.
//! * The engine makes one dynamic call per node per review
//!   ([`Replenishment::decide`]); the per-SKU rule
//!   ([`Replenishment::order_quantity`]) is called from the default `decide`,
//!   which Rust instantiates for each implementing type, so the per-SKU call
//!   is static and inlinable. Continuous-review strategies are also asked
//!   about a single SKU at each demand event.
//! * Quantities are whole units. A negative order quantity is treated as 0.
//! * The *reorder point* of a SKU is the inventory position at or below which
//!   a need for an order exists. The engine records the moment a SKU's
//!   position first reaches it (the trigger) and measures simulated decision
//!   latency from there to the release of the order. A trigger is measured
//!   against the level in force when the order is decided: after each
//!   review the engine reads the reorder points again, and a pending
//!   trigger whose position is now above its SKU's reorder point (the
//!   strategy moved its level, or a `Fallback` switched) is withdrawn.

use crate::time::{Day, Minute};

/// The oldest stock figures a scenario may make a strategy see (a
/// visibility delay, a stale-data event, a fallback's staleness limit),
/// hours: 30 days.
pub const MAX_DATA_DELAY_HOURS: f64 = 720.0;

/// A data age of `hours` in minutes, when it is finite, at most
/// [`MAX_DATA_DELAY_HOURS`] and above 0 (or exactly 0 when `zero_ok`).
pub fn data_delay_minutes(hours: f64, zero_ok: bool) -> Option<Minute> {
    let in_range = hours > 0.0 || (zero_ok && hours == 0.0);
    (hours.is_finite() && in_range && hours <= MAX_DATA_DELAY_HOURS).then(|| (hours * 60.0).round() as Minute)
}

/// When a strategy reviews inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// At the end of days `t` with `t % period_days == offset_days`.
    Periodic {
        /// Days between reviews (≥ 1).
        period_days: u32,
        /// Day of the first review (< `period_days`).
        offset_days: u32,
    },
    /// After every demand event (event-driven demand) and at every day end.
    Continuous,
}

impl Review {
    /// Is the end of `day` a review moment?
    #[inline]
    pub fn is_review_day(self, day: Day) -> bool {
        match self {
            Self::Periodic { period_days, offset_days } => day % period_days == offset_days,
            Self::Continuous => true,
        }
    }
}

/// What a replenishment strategy sees of one stocking node.
#[derive(Debug, Clone, Copy)]
pub struct NodeView<'a> {
    /// The day being reviewed (the review happens at its end).
    pub day: Day,
    /// On-hand units per local SKU.
    pub on_hand: &'a [i64],
    /// Customer units backordered here, per local SKU.
    pub backorders: &'a [i64],
    /// Units owed to the nodes this one feeds (their orders not yet
    /// shipped), per local SKU.
    pub owed: &'a [i64],
    /// Units ordered and not yet received, per local SKU (in transit,
    /// waiting at a supplier, or owed by the source node).
    pub on_order: &'a [i64],
    /// Echelon inventory position per local SKU: this node's inventory
    /// position plus the echelon positions of the nodes it feeds through
    /// their primary lanes (equal to the inventory position at a node that
    /// feeds none).
    pub echelon_position: &'a [i64],
    /// Units demanded at the node today, per local SKU: its customers'
    /// demand plus the orders of the nodes it feeds. Empty unless the
    /// strategy [observes demand](Capabilities::observes_demand).
    pub demand: &'a [i64],
    /// Is the forecast service up for this node today (no forecast outage)?
    pub forecast_available: bool,
    /// How old `on_hand`, `backorders` and `owed` are (minutes; 0 when
    /// current). With a delay `d > 0` they are the node's figures at the
    /// latest day start at least `d` before now (after that day start's
    /// receipts and daily-batch demand; day 0's at the earliest).
    /// `on_order` (the planning system's own open orders), `demand` and
    /// `echelon_position` are always current.
    pub data_delay: Minute,
}

impl NodeView<'_> {
    /// Number of SKUs stocked at the node.
    #[inline]
    pub fn sku_count(&self) -> usize {
        self.on_hand.len()
    }

    /// Inventory position of local SKU `sku`: on-hand − backorders − owed +
    /// on-order.
    #[inline]
    pub fn inventory_position(&self, sku: usize) -> i64 {
        self.on_hand[sku] - self.backorders[sku] - self.owed[sku] + self.on_order[sku]
    }
}

/// What a replenishment strategy needs from the engine: one value per
/// strategy, fixed for the run.
///
/// The engine asks for it once, when the run is built
/// ([`Replenishment::capabilities`]), and never again: a strategy whose
/// needs change during the run (a [`Fallback`-like
/// combinator](Capabilities::union)) reports everything it may need on any
/// day. Asking for more than is used costs time, never correctness;
/// asking for less makes the strategy see zeros (an empty demand slice,
/// echelon positions never updated).
///
/// Build it from [`Capabilities::NONE`] with the `with_*` methods (the
/// struct is `#[non_exhaustive]`: new needs can be added without breaking
/// strategies written outside this workspace):
///
/// ```
/// use echelon_sim::strategy::Capabilities;
/// let forecast_driven = Capabilities::NONE.with_observes_demand().with_needs_forecast();
/// assert!(forecast_driven.observes_demand && !forecast_driven.echelon_position);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Learns from each day's demand: the engine fills
    /// [`NodeView::demand`] and calls [`Replenishment::observe`] at every
    /// day end, before the node's review, also on days the node is closed
    /// (its demand still happened).
    pub observes_demand: bool,
    /// Needs the forecast service ([`NodeView::forecast_available`]); a
    /// `Fallback` whose primary needs it takes over during a forecast
    /// outage.
    pub needs_forecast: bool,
    /// Acts on echelon inventory positions: the engine keeps
    /// [`NodeView::echelon_position`] current for this node and the nodes
    /// it feeds (without it the slice holds zeros), and the default
    /// [`Replenishment::decide`] orders from the echelon position instead
    /// of the local one.
    pub echelon_position: bool,
    /// May hand its decisions to a fallback: the engine reads
    /// [`Replenishment::on_fallback`] at every day end and counts the
    /// fallback days and switches.
    pub falls_back: bool,
}

impl Capabilities {
    /// Needs nothing beyond the inventory position (the default).
    pub const NONE: Self =
        Self { observes_demand: false, needs_forecast: false, echelon_position: false, falls_back: false };

    /// Also observes each day's demand.
    #[must_use]
    pub const fn with_observes_demand(self) -> Self {
        Self { observes_demand: true, ..self }
    }

    /// Also needs the forecast service.
    #[must_use]
    pub const fn with_needs_forecast(self) -> Self {
        Self { needs_forecast: true, ..self }
    }

    /// Also acts on echelon positions.
    #[must_use]
    pub const fn with_echelon_position(self) -> Self {
        Self { echelon_position: true, ..self }
    }

    /// Also may fall back.
    #[must_use]
    pub const fn with_falls_back(self) -> Self {
        Self { falls_back: true, ..self }
    }

    /// Everything either needs: what a combinator that runs `self` on some
    /// days and `other` on others reports.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self {
            observes_demand: self.observes_demand || other.observes_demand,
            needs_forecast: self.needs_forecast || other.needs_forecast,
            echelon_position: self.echelon_position || other.echelon_position,
            falls_back: self.falls_back || other.falls_back,
        }
    }
}

/// A replenishment policy for the SKUs of one stocking node.
pub trait Replenishment: Send {
    /// When this strategy reviews.
    fn review(&self) -> Review;

    /// Per local SKU: the inventory position at or below which an order is
    /// needed (see the module contract on triggers).
    fn reorder_points(&self) -> &[i64];

    /// Per local SKU: the on-hand stock a run starts with.
    fn initial_on_hand(&self, sku: usize) -> i64;

    /// The order for one SKU given its inventory position (0 for none).
    fn order_quantity(&self, sku: usize, inventory_position: i64) -> i64;

    /// What the policy needs from the engine, fixed for the run (see
    /// [`Capabilities`]); read once when the run is built. (Default:
    /// [`Capabilities::NONE`].)
    fn capabilities(&self) -> Capabilities {
        Capabilities::NONE
    }

    /// Learns the day's demand (`view.demand`); called only when the
    /// policy's [capabilities](Self::capabilities) say it observes demand.
    fn observe(&mut self, _view: &NodeView<'_>) {}

    /// Is a fallback deciding instead of the primary policy (as of the last
    /// [`observe`](Self::observe))? This is the day's state, not a
    /// capability: the engine reads it at every day end when the
    /// policy's [capabilities](Self::capabilities) say it falls back, and
    /// counts these node-days and the switches into them. (Default: no.)
    fn on_fallback(&self) -> bool {
        false
    }

    /// Per local SKU, the policy's forecast of the next day's demand, as of
    /// its last [`observe`](Self::observe): a forecasting policy's
    /// one-step-ahead forecasts, which the engine compares with the day's
    /// demand (`forecast_mape`, `forecast_bias`) just before it observes
    /// that day. Read once per node and day end when the policy observes
    /// demand. (Default: `None`, the policy does not forecast.)
    fn forecasts(&self) -> Option<&[f64]> {
        None
    }

    /// Decides the orders of every SKU at the node: writes one quantity per
    /// local SKU into `orders`. The default applies
    /// [`order_quantity`](Self::order_quantity) to each SKU's local — or,
    /// for echelon policies, echelon — inventory position.
    fn decide(&mut self, view: &NodeView<'_>, orders: &mut [i64]) {
        if self.capabilities().echelon_position {
            for (sku, order) in orders.iter_mut().enumerate() {
                *order = self.order_quantity(sku, view.echelon_position[sku]);
            }
        } else {
            for (sku, order) in orders.iter_mut().enumerate() {
                *order = self.order_quantity(sku, view.inventory_position(sku));
            }
        }
    }
}

/// Stock figures of one node as a day-end action rule sees them, per
/// local SKU of that node (current, never delayed).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct StockView<'a> {
    /// On-hand units.
    pub on_hand: &'a [i64],
    /// Customer units backordered.
    pub backorders: &'a [i64],
    /// Mean daily demand (the node's customers' plus that of the nodes it
    /// feeds), as the model states it.
    pub mean_demand: &'a [f64],
}

impl<'a> StockView<'a> {
    /// The figures of one node (for tests and rules of other crates).
    pub fn new(on_hand: &'a [i64], backorders: &'a [i64], mean_demand: &'a [f64]) -> Self {
        Self { on_hand, backorders, mean_demand }
    }
}

/// A lateral lane (donor → receiver) at a day end, as a [`TransferRule`]
/// sees it: the SKUs both ends stock, as pairs of local indices.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct LateralView<'a> {
    /// The current minute (a day end).
    pub now: Minute,
    /// (receiver's local SKU, donor's local SKU) of each SKU both stock,
    /// in the receiver's SKU order.
    pub pairs: &'a [(u32, u32)],
    /// The receiving node.
    pub receiver: StockView<'a>,
    /// The donating node.
    pub donor: StockView<'a>,
}

impl<'a> LateralView<'a> {
    /// A lane's view (for tests and rules of other crates).
    pub fn new(now: Minute, pairs: &'a [(u32, u32)], receiver: StockView<'a>, donor: StockView<'a>) -> Self {
        Self { now, pairs, receiver, donor }
    }
}

/// Lateral transfers between nodes joined by a lateral lane, decided at each
/// day end before replenishment.
///
/// The engine calls [`transfer`](Self::transfer) once per lateral lane
/// whose ends are both open, in model order, with `units` (one entry per
/// pair of [`LateralView::pairs`]) set to 0; the rule writes the units to
/// send per pair. The engine sends `min(units, donor's on-hand)` over the
/// lane (its lead time and cost per unit, booked as transfer cost); an
/// entry ≤ 0 sends nothing. A rule must be a pure function of what it sees
/// (no hidden randomness: common random numbers depend on it).
pub trait TransferRule: Send + Sync {
    /// Units to send per pair of `lane.pairs`, into `units`.
    fn transfer(&self, lane: &LateralView<'_>, units: &mut [i64]);
}

/// One node at a day end, as an [`ExpediteRule`] sees it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ExpediteView<'a> {
    /// The current minute (a day end).
    pub now: Minute,
    /// The node's stock.
    pub stock: StockView<'a>,
    /// Expedites in flight per local SKU.
    pub in_flight: &'a [u32],
    /// When a regular order placed now would arrive on average (now + the
    /// primary lane's mean lead time).
    pub regular_arrival: Minute,
    arrivals: &'a [Vec<Minute>],
}

impl<'a> ExpediteView<'a> {
    /// A node's view (for tests and rules of other crates): `arrivals`
    /// holds per local SKU the due minutes of shipments on their way.
    pub fn new(
        now: Minute,
        stock: StockView<'a>,
        in_flight: &'a [u32],
        regular_arrival: Minute,
        arrivals: &'a [Vec<Minute>],
    ) -> Self {
        Self { now, stock, in_flight, regular_arrival, arrivals }
    }

    /// The earliest due arrival of a shipment of local SKU `sku` now on its
    /// way, if any.
    #[inline]
    pub fn next_receipt(&self, sku: usize) -> Option<Minute> {
        self.arrivals.get(sku).and_then(|a| a.iter().copied().min())
    }
}

/// Expedites, decided at each day end after replenishment at every node
/// that serves customers and whose primary lane has an expedite mode.
///
/// The engine calls [`expedite`](Self::expedite) once per such node and day
/// end while it is open, with `units` (one per local SKU) set to 0; the
/// rule writes the units to expedite per SKU. An entry > 0 is sent through
/// the lane's expedite mode (its lead time; the premium per unit and per
/// shipment is booked as expedite cost): from a supplier it bypasses
/// capacity limits; from a node it ships at most what that node has on
/// hand (nothing while it is closed). A rule must be a pure function of
/// what it sees.
pub trait ExpediteRule: Send + Sync {
    /// Units to expedite per local SKU, into `units`.
    fn expedite(&self, node: &ExpediteView<'_>, units: &mut [i64]);
}

/// One claim on scarce stock, as an allocation strategy sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Claim {
    /// Units asked for.
    pub units: i64,
    /// When the claim arose (minute); earlier is first under FCFS.
    pub since: crate::time::Minute,
    /// Priority tier: 1 is the highest.
    pub tier: u32,
    /// Margin per unit (currency): the customer class's; 0 for a node's
    /// order at its source.
    pub margin: f64,
    /// When the claim is due (minute): `since` plus the class's SLA.
    pub due: crate::time::Minute,
    /// Penalty per unit and day served after `due` (currency).
    pub late_penalty: f64,
}

/// Splits scarce stock among competing claims (customer classes at a
/// warehouse, warehouses at a DC).
pub trait Allocation: Send + Sync {
    /// Grants `grants[i] ≤ claims[i].units` with `Σ grants ≤ available`, and
    /// must grant `min(available, Σ claims)` in total (no stock is withheld
    /// while a claim is open). `grants` has the length of `claims`; `now` is
    /// the minute of the decision.
    fn allocate(&self, now: crate::time::Minute, available: i64, claims: &[Claim], grants: &mut [i64]);
}
