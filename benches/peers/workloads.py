"""The peer-benchmark workloads, defined once.

Every simulator (Echelon and each Python peer) reads its parameters from
here, so "same model and parameters" holds by construction. Units are whole
units and days.

Daily customer demand in (a) and (c) is max(1, round(Gamma(mean 10, sd 3))):
SupplyNetPy refuses orders of 0 units, so a demand that is never 0 keeps the
model identical everywhere (Echelon: `Intermittent(probability: 1.0, ...)`).
Unmet customer demand is lost (partial fills allowed).

Daily cycle everywhere (Echelon's, DESIGN.md): receipts due today arrive
first, then the day's demand is served, then inventory is reviewed and
orders are released; an order released at the end of day t with lead time
L days is on the shelf for day t + L + 1's demand ("L = 0 means next
morning"). Each peer model places its events inside the day to match.
"""

import os

DEMAND_MEAN = 10.0
DEMAND_SD = 3.0

# (a) One warehouse, (s, S), lead time uniform on {1, 2, 3} days.
SINGLE = dict(days=100_000, replications=5, s=35, S=60, lead_min=1, lead_max=3)

# (b) Serial three-stage base-stock system (stage 1 serves customers),
# normal demand rounded to whole units, backorders; local base-stock levels.
SERIAL = dict(
    periods=10_000,
    replications=3,
    demand_mean=50.0,
    demand_sd=10.0,
    # stockpyl's shipment lead times, stage 1 (downstream), 2, 3 (upstream).
    lead_times=[1, 1, 2],
    base_stock=[58, 55, 110],
)

# (c) Supplier → DC → N warehouses, (s, S) everywhere, 365 days.
NETWORK = dict(
    days=365,
    replications=3,
    warehouses=[6, 60, 600],
    wh_s=40, wh_S=70, wh_lead_min=1, wh_lead_max=3,
    # The DC's levels scale with the number of warehouses it feeds.
    dc_s_per_wh=60, dc_S_per_wh=110, dc_lead=3,
)

if os.environ.get("ECHELON_PEERS_QUICK"):
    # `run.py --quick`: small sizes to check the harness, not for figures.
    SINGLE.update(days=2_000, replications=2)
    SERIAL.update(periods=300, replications=2)
    NETWORK.update(warehouses=[6], replications=2)
