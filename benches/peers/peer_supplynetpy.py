"""Workloads (a) and (c) in SupplyNetPy 0.5.1: an infinite supplier feeding
one warehouse directly (a), or a DC feeding N warehouses (c); (s, S) with a
daily review everywhere; customers take what is there and the rest is lost.

Usage: peer_supplynetpy.py single | network N
Prints one JSON line per replication.

Timing inside a day, to match Echelon's cycle: customer orders at t + 0.0
(SupplyNetPy starts them at time 0), reviews at t + 0.5 (first review delay
0.5, period 1), and a lead time of L days becomes L + 0.25 so that an order
reviewed at t + 0.5 is on the shelf before the orders of day t + L + 1.
"""

import json
import math
import random
import sys
import time

import SupplyNetPy.Components as scm

from workloads import DEMAND_MEAN, DEMAND_SD, NETWORK, SINGLE


def demand_model(rng):
    shape = (DEMAND_MEAN / DEMAND_SD) ** 2
    scale = DEMAND_SD**2 / DEMAND_MEAN
    return lambda: max(1, math.floor(rng.gammavariate(shape, scale) + 0.5))


def uniform_lead(rng, low, high):
    return lambda: rng.randint(low, high) + 0.25


def stocking_node(node_id, node_type, s, S):
    return {
        "ID": node_id,
        "name": node_id,
        "node_type": node_type,
        "capacity": S,
        "initial_level": S,
        "inventory_holding_cost": 0.0,
        "replenishment_policy": scm.SSReplenishment,
        "policy_param": {"s": s, "S": S, "first_review_delay": 0.5, "period": 1},
        "product_sell_price": 1.0,
        "product_buy_price": 1.0,
    }


def build(replication, warehouses, p, dc):
    demand_rng = random.Random(f"demand-{replication}")
    lead_rng = random.Random(f"lead-{replication}")
    nodes = [{"ID": "S", "name": "supplier", "node_type": "infinite_supplier"}]
    links = []
    upstream = "S"
    if dc:
        n = warehouses
        nodes.append(stocking_node("DC", "distributor", p["dc_s_per_wh"] * n, p["dc_S_per_wh"] * n))
        links.append({"ID": "L-DC", "source": "S", "sink": "DC", "cost": 0, "lead_time": lambda: p["dc_lead"] + 0.25})
        upstream = "DC"
    demands = []
    for w in range(warehouses):
        wid = f"W{w}"
        nodes.append(stocking_node(wid, "warehouse", p["s"], p["S"]))
        links.append({"ID": f"L-{wid}", "source": upstream, "sink": wid, "cost": 0,
                      "lead_time": uniform_lead(lead_rng, p["lead_min"], p["lead_max"])})
        demands.append({"ID": f"D-{wid}", "name": f"customers-{wid}", "order_arrival_model": lambda: 1,
                        "order_quantity_model": demand_model(demand_rng), "demand_node": wid,
                        "consume_available": True})
    return scm.create_sc_net(nodes=nodes, links=links, demands=demands)


def fill_rate(net):
    demanded = sum(d.stats.demand_placed[1] for d in net["demands"].values())
    short = sum(n.stats.shortage[1] for n in net["nodes"].values() if n.ID.startswith("W"))
    return 1.0 - short / demanded


def main():
    scm.global_logger.disable_logging()
    if sys.argv[1] == "single":
        p, warehouses, dc, days, reps = SINGLE, 1, False, SINGLE["days"], SINGLE["replications"]
    else:
        warehouses = int(sys.argv[2])
        p = {"s": NETWORK["wh_s"], "S": NETWORK["wh_S"], "lead_min": NETWORK["wh_lead_min"],
             "lead_max": NETWORK["wh_lead_max"], **NETWORK}
        dc, days, reps = True, NETWORK["days"], NETWORK["replications"]
    for replication in range(reps):
        started = time.perf_counter()
        net = build(replication, warehouses, p, dc)
        scm.simulate_sc_net(net, sim_time=days, logging=False)
        seconds = time.perf_counter() - started
        nodes = warehouses + (1 if dc else 0)
        print(json.dumps({"fill_rate": fill_rate(net), "seconds": seconds, "node_days": nodes * days}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
