"""Workload (a) as a hand-written SimPy model: one warehouse, (s, S),
random lead time, lost sales. Prints one JSON line per replication.

The day is split as Echelon splits it: receipts at t + 0.0, demand at
t + 0.5, review at t + 0.9; an order released at t + 0.9 with lead time L
arrives at t + L + 1 (the morning of day t + L + 1).
"""

import json
import math
import random
import sys
import time

import simpy

from workloads import DEMAND_MEAN, DEMAND_SD, SINGLE


def daily_demand(rng):
    shape = (DEMAND_MEAN / DEMAND_SD) ** 2
    scale = DEMAND_SD**2 / DEMAND_MEAN
    return max(1, math.floor(rng.gammavariate(shape, scale) + 0.5))


class Warehouse:
    def __init__(self, env, seed, s, S, lead_min, lead_max):
        self.env = env
        self.demand_rng = random.Random(f"demand-{seed}")
        self.lead_rng = random.Random(f"lead-{seed}")
        self.s, self.S = s, S
        self.lead_min, self.lead_max = lead_min, lead_max
        self.on_hand = S
        self.on_order = 0
        self.demanded = 0
        self.served = 0
        env.process(self.customers())
        env.process(self.reviews())

    def customers(self):
        yield self.env.timeout(0.5)
        while True:
            units = daily_demand(self.demand_rng)
            served = min(units, self.on_hand)
            self.on_hand -= served
            self.demanded += units
            self.served += served
            yield self.env.timeout(1.0)

    def reviews(self):
        yield self.env.timeout(0.9)
        while True:
            position = self.on_hand + self.on_order
            if position <= self.s:
                quantity = self.S - position
                self.on_order += quantity
                lead = self.lead_rng.randint(self.lead_min, self.lead_max)
                self.env.process(self.shipment(quantity, lead + 0.1))
            yield self.env.timeout(1.0)

    def shipment(self, quantity, travel):
        yield self.env.timeout(travel)
        self.on_order -= quantity
        self.on_hand += quantity


def main():
    p = SINGLE
    for replication in range(p["replications"]):
        env = simpy.Environment()
        started = time.perf_counter()
        wh = Warehouse(env, replication, p["s"], p["S"], p["lead_min"], p["lead_max"])
        env.run(until=p["days"])
        seconds = time.perf_counter() - started
        print(json.dumps({"fill_rate": wh.served / wh.demanded, "seconds": seconds, "node_days": p["days"]}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
