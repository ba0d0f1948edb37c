"""Policies written in Python: replenishment and allocation.

Register a class under a name, and name it in a scenario file with
``Custom(name: "...", params: {...})``::

    import numpy as np
    import echelon

    class BaseStock:
        '''Order up to S every day.'''

        def __init__(self, params, location):
            self.s = np.full(len(location.sku_ids), int(params["order_up_to"]), dtype=np.int64)

        def decide(self, view):
            return np.maximum(self.s - view.inventory_position, 0)

        def reorder_points(self):          # optional: when a need exists
            return self.s - 1

        def initial_on_hand(self):         # optional: on-hand at day 0
            return self.s

    echelon.register_replenishment("py-base-stock", BaseStock, help="order up to S daily")
    results = echelon.load("my.ron").run()   # my.ron: replenishment: Custom(name: "py-base-stock", params: {"order_up_to": 15})

Replenishment protocol
----------------------
* ``cls(params, location)`` — constructed once per run and location (and,
  to validate, twice per location each time the scenario is loaded —
  ``load`` and ``run`` both load it: an exception there is a
  :class:`echelon.ScenarioError`), so a constructor must not have side
  effects that matter. ``params`` is the
  scenario's ``params`` map as a dict; ``location`` a :class:`Location`
  (``id``, ``sku_ids``, ``mean_demand``, ``own_mean_demand``,
  ``lead_time_days``).
* ``decide(view) -> np.ndarray`` — called once per location per review
  (never once per SKU) with a :class:`View`; returns one order quantity per
  SKU in ``location.sku_ids`` order: a 1-D NumPy array of integers ≥ 0
  (any integer dtype; int64 is fastest). A wrong shape, a float dtype, NaN
  or a negative value fails the run with a message naming the policy,
  location and day (no clamping).
* Optional, read when each instance is constructed:
  ``reorder_points()`` — per SKU, the inventory position at or below which
  a need exists (the engine times decision latency from it; default: never,
  so latency is not measured); ``initial_on_hand()`` — per SKU, the on-hand
  stock a run starts with (default 0). A policy that moves its levels
  writes them into ``view.reorder_points`` during ``decide``.
* Optional class attributes: ``review_period_days`` (default 1) and
  ``review_offset_days`` (default 0): review at the end of days ``t`` with
  ``t % period == offset``; ``echelon_position = True`` to have
  ``view.echelon_position`` kept current (else zeros);
  ``observes_demand = True`` (or an ``observe(view)`` method, then called
  at every day end before the review, also on days without a review) to
  have ``view.demand`` filled (else zeros).
* A policy must be a deterministic function of what it sees (no hidden
  randomness): byte-identical results for any thread count depend on it.
* An exception in any method fails the run: :class:`echelon.RunError`
  carrying the policy's name, the location, the day and the Python
  traceback; with ``run(out=...)`` the runs finished before it stay in
  ``out``'s run log and ``run(out=..., resume=True)`` goes on after a fix.

The :class:`View` and its arrays are **reused between calls** (that is what
keeps a call cheap): copy what you keep (``view.on_hand.copy()``), and do
not write into them except ``view.reorder_points``.

Allocation protocol
-------------------
``cls(params)`` — one instance per strategy, shared by every node and run
(keep no state between calls). ``allocate(view) -> np.ndarray`` — one call
per split of scarce stock with an :class:`AllocationView` (``now`` minute,
``day``, ``available`` units, and per claim ``units``, ``since``, ``tier``,
``margin``, ``due``, ``late_penalty``); returns integer grants, each in
``0..=units``, summing to ``min(available, units.sum())``.
"""

from __future__ import annotations

import re
from typing import Dict, Tuple

_replenishment: Dict[str, Tuple[type, str]] = {}
_allocation: Dict[str, Tuple[type, str]] = {}

_NAME = re.compile(r"[\w.\-]+")


def _check(name, cls, method: str, kind: str) -> None:
    if not isinstance(name, str) or not name.strip() or not _NAME.fullmatch(name):
        raise ValueError(f"a {kind} name is letters, digits, '-', '_' and '.'; got {name!r}")
    if not callable(cls):
        raise TypeError(f"register_{kind}({name!r}, ...): expected a class, got {cls!r}")
    if not callable(getattr(cls, method, None)):
        raise TypeError(
            f"register_{kind}({name!r}, {getattr(cls, '__name__', cls)!r}): "
            f"the class has no {method}(view) method"
        )


def register_replenishment(name: str, cls: type, help: str = "") -> None:
    """Registers ``cls`` as the replenishment strategy ``name`` (module
    doc); registering a name again replaces it for later loads."""
    _check(name, cls, "decide", "replenishment")
    _replenishment[name] = (cls, str(help))


def register_allocation(name: str, cls: type, help: str = "") -> None:
    """Registers ``cls`` as the allocation rule ``name`` (module doc)."""
    _check(name, cls, "allocate", "allocation")
    _allocation[name] = (cls, str(help))


def registered() -> Dict[str, Dict[str, str]]:
    """The registered strategies: {kind: {name: help}}."""
    return {
        "replenishment": {n: h for n, (_, h) in sorted(_replenishment.items())},
        "allocation": {n: h for n, (_, h) in sorted(_allocation.items())},
    }


def unregister(name: str) -> None:
    """Removes the strategy ``name`` (of either kind)."""
    _replenishment.pop(name, None)
    _allocation.pop(name, None)


class Location:
    """The location a replenishment instance serves."""

    __slots__ = ("id", "sku_ids", "mean_demand", "own_mean_demand", "lead_time_days")

    def __init__(self, id, sku_ids, mean_demand, own_mean_demand, lead_time_days):
        self.id: str = id
        #: SKU ids in local order (the order of every view array).
        self.sku_ids: tuple = tuple(sku_ids)
        #: Mean daily demand per SKU: own customers' plus the nodes fed.
        self.mean_demand = mean_demand
        #: Mean daily demand of the location's own customers per SKU.
        self.own_mean_demand = own_mean_demand
        #: Mean lead time of the primary lane, days.
        self.lead_time_days: float = lead_time_days

    def __repr__(self) -> str:
        return f"Location({self.id!r}, {len(self.sku_ids)} SKUs)"


class View:
    """What ``decide(view)`` sees: int64 arrays per SKU (``on_hand``,
    ``backorders``, ``owed`` (to the nodes fed), ``on_order``,
    ``inventory_position`` = on_hand − backorders − owed + on_order,
    ``echelon_position``, ``demand`` today, ``reorder_points``), float64
    ``mean_demand``, ``day``, ``location`` (id), ``location_info``
    (:class:`Location`), ``sku_ids``, ``forecast_available``,
    ``data_delay_minutes`` (age of on_hand/backorders/owed)."""

    __slots__ = (
        "day",
        "location",
        "location_info",
        "sku_ids",
        "mean_demand",
        "on_hand",
        "backorders",
        "owed",
        "on_order",
        "inventory_position",
        "echelon_position",
        "demand",
        "reorder_points",
        "forecast_available",
        "data_delay_minutes",
    )

    def __init__(self, location: Location):
        self.day = 0
        self.location = location.id
        self.location_info = location
        self.sku_ids = location.sku_ids
        self.mean_demand = location.mean_demand
        self.forecast_available = True
        self.data_delay_minutes = 0

    def __repr__(self) -> str:
        return f"View(location={self.location!r}, day={self.day}, {len(self.sku_ids)} SKUs)"


class AllocationView:
    """What ``allocate(view)`` sees (module doc)."""

    __slots__ = ("now", "day", "available", "units", "since", "tier", "margin", "due", "late_penalty")

    def __copy__(self):
        return AllocationView()

    def __repr__(self) -> str:
        return f"AllocationView(day={getattr(self, 'day', None)}, available={getattr(self, 'available', None)})"

