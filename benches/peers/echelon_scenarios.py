"""Echelon scenario files for the peer workloads, from `workloads.py`."""

from workloads import DEMAND_MEAN, DEMAND_SD, NETWORK, SERIAL, SINGLE

CUSTOMER_DEMAND = f"Intermittent(probability: 1.0, mean_size: {DEMAND_MEAN}, sd_size: {DEMAND_SD})"


def single():
    p = SINGLE
    return f"""Scenario(
  name: "peer-single",
  experiment: (horizon_days: {p["days"]}, warmup_days: 0, replications: {p["replications"]}, seed: 1),
  skus: [(id: "item", unit_cost: 1.0)],
  suppliers: [(id: "supplier")],
  locations: [(id: "wh")],
  lanes: [(from: "supplier", to: "wh", lead_time: Uniform(min_days: {p["lead_min"]}, max_days: {p["lead_max"]}))],
  classes: [(name: "walk-in", shortage: LostSales)],
  demand: [(location: "wh", sku: "item", class: "walk-in", model: {CUSTOMER_DEMAND})],
  strategies: [(name: "s-S", replenishment: MinMax(reorder_point: Units({p["s"]}), order_up_to: Units({p["S"]})))],
)
"""


def serial():
    p = SERIAL
    # stockpyl's lead time L serves period t + L; Echelon's serves t + L + 1.
    l1, l2, l3 = (lead - 1 for lead in p["lead_times"])
    s1, s2, s3 = p["base_stock"]
    return f"""Scenario(
  name: "peer-serial",
  experiment: (horizon_days: {p["periods"]}, warmup_days: 0, replications: {p["replications"]}, seed: 1),
  skus: [(id: "item", unit_cost: 1.0)],
  suppliers: [(id: "supplier")],
  locations: [(id: "stage-3"), (id: "stage-2"), (id: "stage-1")],
  lanes: [
    (from: "supplier", to: "stage-3", lead_time: Constant(days: {l3}.0)),
    (from: "stage-3", to: "stage-2", lead_time: Constant(days: {l2}.0)),
    (from: "stage-2", to: "stage-1", lead_time: Constant(days: {l1}.0)),
  ],
  demand: [(location: "stage-1", sku: "item", model: Normal(mean: {p["demand_mean"]}, sd: {p["demand_sd"]}))],
  strategies: [(
    name: "base-stock",
    replenishment: BaseStock(order_up_to: Units({s1})),
    at: {{"stage-2": BaseStock(order_up_to: Units({s2})), "stage-3": BaseStock(order_up_to: Units({s3}))}},
  )],
)
"""


def network(warehouses):
    p = NETWORK
    ids = [f"wh-{w:03}" for w in range(warehouses)]
    locations = ", ".join(f'(id: "{i}")' for i in ids)
    lanes = "\n".join(
        f'    (from: "dc", to: "{i}", lead_time: Uniform(min_days: {p["wh_lead_min"]}, max_days: {p["wh_lead_max"]})),'
        for i in ids
    )
    demand = "\n".join(
        f'    (location: "{i}", sku: "item", class: "walk-in", model: {CUSTOMER_DEMAND}),' for i in ids
    )
    dc_s, dc_S = p["dc_s_per_wh"] * warehouses, p["dc_S_per_wh"] * warehouses
    return f"""Scenario(
  name: "peer-network-{warehouses}",
  experiment: (horizon_days: {p["days"]}, warmup_days: 0, replications: {p["replications"]}, seed: 1),
  skus: [(id: "item", unit_cost: 1.0)],
  suppliers: [(id: "supplier")],
  locations: [(id: "dc"), {locations}],
  lanes: [
    (from: "supplier", to: "dc", lead_time: Constant(days: {p["dc_lead"]}.0)),
{lanes}
  ],
  classes: [(name: "walk-in", shortage: LostSales)],
  demand: [
{demand}
  ],
  strategies: [(
    name: "s-S",
    replenishment: MinMax(reorder_point: Units({p["wh_s"]}), order_up_to: Units({p["wh_S"]})),
    at: {{"dc": MinMax(reorder_point: Units({dc_s}), order_up_to: Units({dc_S}))}},
  )],
)
"""
