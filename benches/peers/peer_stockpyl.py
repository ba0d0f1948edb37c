"""Workload (b) in stockpyl 1.0.2: a serial three-stage base-stock system
(stage 1 serves customers, stage 3 buys from an unlimited supplier), normal
demand rounded to whole units, backorders, local base-stock levels.
Prints one JSON line per replication.

stockpyl's period: receive shipments, observe demand, ship, order; an order
with shipment lead time L placed in period t arrives in period t + L and
serves that period's demand. Echelon's release at the end of day t with
lead time L serves day t + L + 1, so Echelon's lanes carry L − 1.
"""

import json
import sys
import time

from stockpyl.sim import simulation
from stockpyl.supply_chain_network import serial_system

from workloads import SERIAL


def main():
    p = SERIAL
    for replication in range(p["replications"]):
        network = serial_system(
            num_nodes=3,
            node_order_in_system=[3, 2, 1],
            node_order_in_lists=[1, 2, 3],
            shipment_lead_time=p["lead_times"],
            demand_type="N",
            mean=p["demand_mean"],
            standard_deviation=p["demand_sd"],
            round_to_int=True,
            policy_type="BS",
            base_stock_level=p["base_stock"],
            local_holding_cost=1.0,
            stockout_cost=10.0,
        )
        started = time.perf_counter()
        simulation(network, p["periods"], rand_seed=replication + 1, progress_bar=False)
        seconds = time.perf_counter() - started
        retailer = network.get_node_from_index(1)
        fill = retailer.state_vars[p["periods"] - 1].fill_rate[retailer.product_indices[0]]
        print(json.dumps({"fill_rate": fill, "seconds": seconds, "node_days": 3 * p["periods"]}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
